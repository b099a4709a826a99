/// \file fleet/record.hpp
/// \brief fleet_record: the fixed-size summary of one GPU's envelope that a fleet gathers.
///
/// A fleet of 10,000 GPUs sends 10,000 records to one rank, so a record is a POD of fixed size
/// (no pointers, no std::string): it travels as raw bytes (MPI_BYTE) and is analysed without a
/// single allocation per record. It keeps the key ceilings only; the full envelope stays with
/// the rank that measured it.
///
/// Host-only: includes model/ and nothing that needs a GPU compiler.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace fleet {

/// The ceilings a fleet compares, in record order.
enum class ceiling : std::uint8_t { fp64, fp32, tf32, fp16, bf16, fp8, int8, hbm, l2, launch };

/// Number of ceilings in a record.
inline constexpr std::size_t ceiling_count = 10;

/// Every ceiling, in record order.
inline constexpr std::array<ceiling, ceiling_count> all_ceilings = {
    ceiling::fp64, ceiling::fp32, ceiling::tf32, ceiling::fp16, ceiling::bf16,
    ceiling::fp8,  ceiling::int8, ceiling::hbm,  ceiling::l2,   ceiling::launch};

/// What a ceiling is called, its unit, and which way is better.
struct ceiling_traits {
    std::string_view name;   ///< "fp16", "hbm", "launch"
    std::string_view unit;   ///< "tflops", "gbps", "us" (as in JSON field names)
    bool higher_is_better;   ///< false for the launch floor (microseconds)
};

constexpr ceiling_traits traits(ceiling c) {
    switch (c) {
    case ceiling::fp64: return {"fp64", "tflops", true};
    case ceiling::fp32: return {"fp32", "tflops", true};
    case ceiling::tf32: return {"tf32", "tflops", true};
    case ceiling::fp16: return {"fp16", "tflops", true};
    case ceiling::bf16: return {"bf16", "tflops", true};
    case ceiling::fp8: return {"fp8", "tflops", true};
    case ceiling::int8: return {"int8", "tflops", true};
    case ceiling::hbm: return {"hbm", "gbps", true};
    case ceiling::l2: return {"l2", "gbps", true};
    case ceiling::launch: return {"launch", "us", false};
    }
    return {"?", "?", true};
}

constexpr std::string_view to_string(ceiling c) { return traits(c).name; }

/// "fp16_tflops", "hbm_gbps", "launch_us": the JSON field name of a ceiling.
inline std::string field_name(ceiling c) {
    return std::string(traits(c).name) + "_" + std::string(traits(c).unit);
}

/// Parses a ceiling name ("fp16", "hbm", ...); throws invalid_argument listing the known names.
inline ceiling parse_ceiling(std::string_view s) {
    for (ceiling c : all_ceilings)
        if (to_string(c) == s) return c;
    std::string known;
    for (ceiling c : all_ceilings) known += (known.empty() ? "" : ", ") + std::string(to_string(c));
    throw invalid_argument("unknown ceiling '" + std::string(s) + "' (known: " + known + ")");
}

static_assert(static_cast<int>(precision::fp64) == static_cast<int>(ceiling::fp64) &&
                  static_cast<int>(precision::fp16) == static_cast<int>(ceiling::fp16) &&
                  static_cast<int>(precision::int8) == static_cast<int>(ceiling::int8),
              "the compute ceilings mirror enum precision");

/// Whether a rank produced an envelope.
enum class record_status : std::int32_t { ok = 0, failed = 1 };

/// One GPU of the fleet, fixed size. Strings are NUL-terminated char arrays, cut to fit.
/// A ceiling that was not measured is NaN.
struct fleet_record {
    std::int32_t rank = -1;        ///< MPI rank (or any index) that produced it
    std::int32_t device_id = -1;   ///< runtime ordinal on its host
    std::int32_t local_rank = -1;  ///< rank among the ranks of its host
    record_status status = record_status::ok;
    double values[ceiling_count] = {}; ///< indexed by ceiling; NaN = not measured
    char host[64] = {};            ///< host name (cut to 63 bytes)
    char uuid[48] = {};            ///< "GPU-xxxxxxxx-..." (36 + prefix fits)
    char device_name[64] = {};     ///< marketing name
    char arch[16] = {};            ///< "sm_90", "gfx942"
    char error[192] = {};          ///< why a failed rank failed (cut)
    // What puts a GPU in its cohort (fleet/cohort.hpp): GPUs are compared only with GPUs that
    // share all of these.
    std::int32_t driver_version = 0;  ///< the runtime's driver version; 0 = unknown
    std::int32_t compute_units = 0;   ///< CUs/SMs the runtime shows (a partition shows fewer); 0 = unknown
    std::uint64_t memory_bytes = 0;   ///< device memory the runtime shows (memory partition); 0 = unknown
    /// Enforced board power limit read by telemetry (median over the figures); NaN = not read.
    double power_limit_w = std::numeric_limits<double>::quiet_NaN();
    std::int32_t ecc = -1;            ///< 1 on, 0 off, -1 unknown
    std::uint32_t unstable = 0;       ///< bit c set: ceiling c was measured but not stable

    double value(ceiling c) const { return values[static_cast<std::size_t>(c)]; }
    void set(ceiling c, double v) { values[static_cast<std::size_t>(c)] = v; }
    bool ok() const { return status == record_status::ok; }
    bool is_unstable(ceiling c) const { return (unstable >> static_cast<unsigned>(c)) & 1u; }
    void set_unstable(ceiling c, bool u) {
        const std::uint32_t bit = 1u << static_cast<unsigned>(c);
        unstable = u ? (unstable | bit) : (unstable & ~bit);
    }
};

static_assert(std::is_trivially_copyable_v<fleet_record>, "records travel as raw bytes");
static_assert(std::is_standard_layout_v<fleet_record>, "records travel as raw bytes");

/// Copies `s` into a fixed array, cut to N-1 bytes, NUL-padded. A cut never splits a UTF-8
/// sequence (so a cut name stays valid text).
template <std::size_t N>
void set_text(char (&dst)[N], std::string_view s) {
    std::size_t n = s.size() < N - 1 ? s.size() : N - 1;
    if (n < s.size())
        while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // continuation byte
    std::memset(dst, 0, N);
    std::memcpy(dst, s.data(), n);
}

/// The text of a fixed array: up to its first NUL, never past its end (a record received from
/// elsewhere may lack the terminator).
template <std::size_t N>
std::string_view text_of(const char (&src)[N]) {
    const void* nul = std::memchr(src, 0, N);
    return std::string_view(src, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - src) : N);
}

/// Makes a record that arrived as bytes safe to use: every string NUL-terminated, every value
/// finite and >= 0 or NaN, an unknown status read as failed. Returns true when nothing had to
/// be changed.
inline bool sanitize(fleet_record& r) {
    bool clean = true;
    auto terminate = [&](auto& field) {
        if (field[sizeof field - 1] != '\0') {
            field[sizeof field - 1] = '\0';
            clean = false;
        }
    };
    terminate(r.host);
    terminate(r.uuid);
    terminate(r.device_name);
    terminate(r.arch);
    terminate(r.error);
    for (double& v : r.values)
        if (!std::isnan(v) && (!std::isfinite(v) || v < 0)) {
            v = std::numeric_limits<double>::quiet_NaN();
            clean = false;
        }
    if (!std::isnan(r.power_limit_w) && !(std::isfinite(r.power_limit_w) && r.power_limit_w > 0)) {
        r.power_limit_w = std::numeric_limits<double>::quiet_NaN();
        clean = false;
    }
    if (r.ecc < -1 || r.ecc > 1) {
        r.ecc = -1;
        clean = false;
    }
    if (r.compute_units < 0 || r.driver_version < 0) {
        r.compute_units = r.compute_units < 0 ? 0 : r.compute_units;
        r.driver_version = r.driver_version < 0 ? 0 : r.driver_version;
        clean = false;
    }
    const std::uint32_t known_bits = (1u << ceiling_count) - 1;
    if (r.unstable & ~known_bits) {
        r.unstable &= known_bits;
        clean = false;
    }
    if (r.status != record_status::ok && r.status != record_status::failed) {
        r.status = record_status::failed;
        set_text(r.error, "record arrived with an unknown status");
        clean = false;
    }
    return clean;
}

namespace record_detail {

/// The median of the finite power limits telemetry read during the figures of `e`; NaN if none.
inline double power_limit_of(const envelope& e) {
    std::vector<double> v;
    auto take = [&](const telemetry_summary& t) {
        if (t.available() && std::isfinite(t.power_limit_w) && t.power_limit_w > 0) v.push_back(t.power_limit_w);
    };
    for (const auto& f : e.compute) take(f.telemetry);
    for (const auto& f : e.memory) take(f.telemetry);
    for (const auto& f : e.launch) take(f.telemetry);
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

/// Whether the figure behind a record value was stable (a figure without samples is not
/// judged unstable: nothing was measured about it).
inline bool unstable(const sample_stats& s) { return s.measured() && !s.stable; }

} // namespace record_detail

/// The key ceilings of `e`, with `host` and `rank`: compute = the roof (burst or sustained) of
/// the faster unit per precision, memory = the fastest op of HBM and of L2, launch = the launch
/// floor (envelope::launch_floor(): the device-side floor, else the asynchronous one). Also what
/// places the GPU in its cohort (driver, CUs, memory, ECC, telemetry's power limit) and which of
/// the figures were unstable.
inline fleet_record make_record(const envelope& e, std::string_view host, int rank = 0,
                                int local_rank = -1) {
    fleet_record r;
    r.rank = rank;
    r.local_rank = local_rank;
    r.device_id = e.device.id;
    r.status = record_status::ok;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (double& v : r.values) v = nan;
    // The compute ceilings come first in the same order as enum precision (asserted below).
    for (std::size_t i = 0; i <= static_cast<std::size_t>(ceiling::int8); ++i)
        if (const compute_figure* f = e.best_compute(static_cast<precision>(i))) {
            r.values[i] = f->roof_tflops();
            const bool sustained_roof = f->sustained && f->sustained->tflops > f->tflops;
            r.set_unstable(static_cast<ceiling>(i),
                           record_detail::unstable(sustained_roof ? f->sustained->stats : f->stats));
        }
    if (const memory_figure* f = e.best_memory(memory_level::hbm)) {
        r.set(ceiling::hbm, f->gbps);
        r.set_unstable(ceiling::hbm, record_detail::unstable(f->stats));
    }
    if (const memory_figure* f = e.best_memory(memory_level::l2)) {
        r.set(ceiling::l2, f->gbps);
        r.set_unstable(ceiling::l2, record_detail::unstable(f->stats));
    }
    if (const launch_figure* f = e.launch_floor()) {
        r.set(ceiling::launch, f->us);
        r.set_unstable(ceiling::launch, record_detail::unstable(f->stats));
    }
    r.driver_version = e.device.driver_version > 0 ? e.device.driver_version : 0;
    r.compute_units = e.device.compute_units > 0 ? e.device.compute_units : 0;
    r.memory_bytes = e.device.memory_bytes;
    r.power_limit_w = record_detail::power_limit_of(e);
    r.ecc = e.device.ecc ? (*e.device.ecc ? 1 : 0) : -1;
    set_text(r.host, host);
    set_text(r.uuid, e.device.uuid);
    set_text(r.device_name, e.device.name);
    set_text(r.arch, e.device.arch);
    sanitize(r);
    return r;
}

/// The record of a rank that produced no envelope: `why` says what went wrong.
inline fleet_record make_failed_record(std::string_view host, int rank, int local_rank,
                                       int device_id, std::string_view why) {
    fleet_record r;
    r.rank = rank;
    r.local_rank = local_rank;
    r.device_id = device_id;
    r.status = record_status::failed;
    for (double& v : r.values) v = std::numeric_limits<double>::quiet_NaN();
    set_text(r.host, host);
    set_text(r.error, why);
    return r;
}

} // namespace fleet
AACO_PORTABLE_NAMESPACE_END
