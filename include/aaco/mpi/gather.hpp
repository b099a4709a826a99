/// \file mpi/gather.hpp
/// \brief Fleet calibration over MPI: which GPU a rank owns (its rank on its host), and the
/// gather of every rank's fixed-size fleet_record on one rank.
///
/// Link aaco::mpi (= aaco::aaco + MPI::MPI_CXX; only the C API of MPI is used). When <mpi.h> is
/// not on the include path this header declares nothing, so that it still compiles alone in a
/// build without MPI.
///
/// Scale: one record is a few hundred bytes of plain data, sent as one contiguous MPI datatype,
/// so gathering 10,000 ranks moves a few MB in one MPI_Gather with no per-rank string handling.
/// A rank that cannot calibrate still sends a record (status failed, with the reason): the
/// collective never waits on a missing rank. (A rank that dies outright takes MPI down with it;
/// that is MPI's rule, not aaco's.)
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/fleet/record.hpp>

#if __has_include(<mpi.h>)
#include <mpi.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace mpi {

/// Throws aaco::runtime_error "<call> failed: <MPI's message>" unless rc is MPI_SUCCESS.
inline void check(int rc, const char* call) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING] = {};
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
    throw runtime_error(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(len)), rc);
}

/// This rank's processor (host) name.
inline std::string processor_name() {
    char name[MPI_MAX_PROCESSOR_NAME] = {};
    int len = 0;
    check(MPI_Get_processor_name(name, &len), "MPI_Get_processor_name");
    return std::string(name, static_cast<std::size_t>(len));
}

namespace detail {
/// The value of environment variable `name` as a non-negative int, or -1 when unset or not a
/// plain number.
inline int env_int(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return -1;
    char* end = nullptr;
    const long x = std::strtol(v, &end, 10);
    if (*end != '\0' || x < 0 || x > 1 << 30) return -1;
    return static_cast<int>(x);
}
} // namespace detail

/// This rank's index among the ranks of its host, which selects its GPU. The launcher's word
/// first (OMPI_COMM_WORLD_LOCAL_RANK, then SLURM_LOCALID), else the rank in
/// MPI_Comm_split_type(MPI_COMM_TYPE_SHARED). Collective over `comm`: every rank must call it.
inline int local_rank(MPI_Comm comm = MPI_COMM_WORLD) {
    // The split is done on every rank even when the environment answers, so the collective
    // matches whatever mix of launchers set the variables.
    MPI_Comm shared = MPI_COMM_NULL;
    check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &shared),
          "MPI_Comm_split_type");
    int split_rank = 0;
    const int rc = MPI_Comm_rank(shared, &split_rank);
    MPI_Comm_free(&shared);
    check(rc, "MPI_Comm_rank");
    for (const char* var : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID"}) {
        const int v = detail::env_int(var);
        if (v >= 0) return v;
    }
    return split_rank;
}

/// Gathers one fleet_record per rank of `comm` on `root`, in rank order, each sanitized
/// (fleet::sanitize) since it arrived as raw bytes. Other ranks get an empty vector.
/// Collective: every rank must call it.
inline std::vector<fleet::fleet_record> gather_records(const fleet::fleet_record& mine,
                                                       MPI_Comm comm = MPI_COMM_WORLD, int root = 0) {
    int rank = 0, size = 0;
    check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
    check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
    MPI_Datatype record_type = MPI_DATATYPE_NULL;
    check(MPI_Type_contiguous(static_cast<int>(sizeof(fleet::fleet_record)), MPI_BYTE, &record_type),
          "MPI_Type_contiguous");
    int rc = MPI_Type_commit(&record_type);
    std::vector<fleet::fleet_record> all;
    if (rc == MPI_SUCCESS) {
        if (rank == root) all.resize(static_cast<std::size_t>(size));
        // MPI takes a non-const send buffer in old headers; the record is not written.
        rc = MPI_Gather(const_cast<fleet::fleet_record*>(&mine), 1, record_type,
                        rank == root ? all.data() : nullptr, 1, record_type, root, comm);
    }
    MPI_Type_free(&record_type);
    check(rc, "MPI_Gather of fleet records");
    for (fleet::fleet_record& r : all) fleet::sanitize(r);
    return all;
}

/// Broadcasts `value` from `root` (e.g. the exit code the root decided).
inline int broadcast(int value, MPI_Comm comm = MPI_COMM_WORLD, int root = 0) {
    check(MPI_Bcast(&value, 1, MPI_INT, root, comm), "MPI_Bcast");
    return value;
}

} // namespace mpi
AACO_NAMESPACE_END
#endif // __has_include(<mpi.h>)
