// aaco-calibrate-mpi: calibrate every GPU of a cluster, one MPI rank per GPU, and judge the
// fleet: each GPU against its cohort (same model, driver, power limit, memory/partition mode),
// outliers re-measured on their own rank before they are flagged, and a PASS/WARN/FAIL verdict
// per node with its reason code, as JSON, markdown and Prometheus gauges.
//
//   mpirun -np 16 aaco-calibrate-mpi --fleet-json fleet.json --node-prometheus /var/lib/node_exporter/textfile/aaco.prom
//   mpirun -np 3 aaco-calibrate-mpi --from-json 'envelopes/rank%r.json'   (no GPU needed)
#include "fleet_remeasure.hpp"

#include <aaco/aaco.hpp>
#include <aaco/fleet.hpp>
#include <aaco/io/export.hpp>
#include <aaco/mpi/gather.hpp>

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;      // an unexpected error (I/O, MPI, a bug)
constexpr int exit_bad_args = 2;
constexpr int exit_fleet_flagged = 4;
constexpr int exit_fleet_warned = 5;

const char* const exit_code_help =
    "Exit codes (the same on every rank): 0 every node PASS; 1 unexpected error; 2 bad arguments; "
    "4 some node FAIL (a confirmed outlier or a failed rank); 5 no FAIL but some node WARN "
    "(an outlier not confirmed by re-measurement, an unstable figure, a cohort too small to judge).";

struct options {
    std::string from_json;
    std::string fleet_json;
    std::string markdown;
    std::string device = "auto";
    double k = aaco::fleet::outlier_config{}.k;
    double min_percent = aaco::fleet::outlier_config{}.min_percent;
    int min_peers = static_cast<int>(aaco::fleet::cohort_config{}.min_peers);
    std::string prometheus;       ///< root: every verdict gauge
    std::string node_prometheus;  ///< local rank 0 of each host: that node's gauges (%h = host)
    bool quick = false;

    aaco::fleet::cohort_config cohorts() const {
        aaco::fleet::cohort_config c;
        c.outliers.k = k;
        c.outliers.min_percent = min_percent;
        c.min_peers = static_cast<std::size_t>(min_peers < 0 ? 0 : min_peers);
        return c;
    }
};

/// PATTERN with %r = rank, %l = local rank, %h = host, %% = '%'. Throws invalid_argument on
/// any other '%' sequence.
std::string expand(const std::string& pattern, int rank, int local, const std::string& host,
                   const char* option = "--from-json") {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%') {
            out += pattern[i];
            continue;
        }
        const char c = i + 1 < pattern.size() ? pattern[++i] : '\0';
        switch (c) {
        case 'r': out += std::to_string(rank); break;
        case 'l': out += std::to_string(local); break;
        case 'h': out += host; break;
        case '%': out += '%'; break;
        default:
            throw aaco::invalid_argument(std::string(option) + " '" + pattern +
                                         "': unknown placeholder (use %r rank, %l local rank, %h host, %% percent)");
        }
    }
    return out;
}

/// The device this rank calibrates: --device N, or its local rank ("auto").
int pick_device(const options& o, int local) {
    if (o.device != "auto") return std::stoi(o.device);  // validated by validate()
#if !AACO_BACKEND_NONE
    const int visible = aaco::backend::device_count();
    if (visible > 0 && local >= visible)
        throw aaco::no_device_error("local rank " + std::to_string(local) + " has no GPU of its own (" +
                                    std::to_string(visible) +
                                    " visible on this host; start at most one rank per GPU, or pass --device)");
#endif
    return local;
}

/// This rank's record, and when it measured, the device and the envelope (for re-measurement).
struct my_result {
    aaco::fleet::fleet_record record;
    int device = -1;
    std::optional<aaco::envelope> env;  ///< set when this rank measured successfully
};

/// This rank's record: loaded (--from-json) or measured; a failure becomes a failed record.
my_result make_my_record(const options& o, int rank, int local, const std::string& host) {
    my_result out;
    try {
        aaco::envelope env;
        if (!o.from_json.empty()) {
            env = aaco::load_envelope(expand(o.from_json, rank, local, host));
        } else {
            out.device = pick_device(o, local);
            aaco::calibration_options c;
            c.quick = o.quick;
            aaco::hardware_calibrator calibrator{out.device};
            env = calibrator.calibrate(c);
            out.env = env;
        }
        out.record = aaco::fleet::make_record(env, host, rank, local);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco-calibrate-mpi: rank %d (%s): %s\n", rank, host.c_str(), e.what());
        out.record = aaco::fleet::make_failed_record(host, rank, local, out.device, e.what());
        out.env.reset();
    }
    return out;
}

void write_file(const std::string& path, const std::string& text) {
    if (path == "-") {
        std::cout << text << std::flush;
        return;
    }
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw aaco::error("cannot open '" + path + "' for writing");
    f << text;
    if (!f) throw aaco::error("cannot write '" + path + "'");
}

/// The result of one re-measurement as it travels to the root (fixed size, raw bytes).
struct remeasured {
    double value = std::nan("");
    char error[160] = {};
};

/// Broadcasts a byte string from the root.
std::string broadcast_text(const std::string& text, int rank) {
    std::uint64_t size = rank == 0 ? text.size() : 0;
    aaco::mpi::check(MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
    std::string out = rank == 0 ? text : std::string(size, '\0');
    if (size > 0)
        aaco::mpi::check(MPI_Bcast(out.data(), static_cast<int>(size), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast");
    return out;
}

/// Measuring mode: the root lists the outliers, each owning rank re-measures its own, the root
/// collects the values. Collective: every rank calls it with the same `requests` count.
std::vector<aaco::fleet::confirmation> confirm_outliers(const options& o, int rank, int size, const my_result& mine,
                                                        std::vector<aaco::fleet::confirmation> requests) {
    std::int32_t count = rank == 0 ? static_cast<std::int32_t>(requests.size()) : 0;
    aaco::mpi::check(MPI_Bcast(&count, 1, MPI_INT32_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
    std::vector<std::int32_t> pairs(2 * static_cast<std::size_t>(count));
    if (rank == 0)
        for (std::int32_t i = 0; i < count; ++i) {
            pairs[2 * i] = static_cast<std::int32_t>(requests[i].record);  // record index = rank
            pairs[2 * i + 1] = static_cast<std::int32_t>(requests[i].figure);
        }
    if (count > 0)
        aaco::mpi::check(MPI_Bcast(pairs.data(), 2 * count, MPI_INT32_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
    std::vector<remeasured> mine_out(static_cast<std::size_t>(count));
    for (std::int32_t i = 0; i < count; ++i) {
        if (pairs[2 * i] != rank) continue;
        const auto c = static_cast<aaco::fleet::ceiling>(pairs[2 * i + 1]);
        try {
            if (!mine.env) throw aaco::error("this rank has no measured envelope");
            mine_out[i].value = aaco_tools::remeasure_ceiling(mine.device, c, *mine.env, o.quick);
        } catch (const std::exception& e) {
            aaco::fleet::set_text(mine_out[i].error, e.what());
        }
        std::fprintf(stderr, "aaco-calibrate-mpi: rank %d re-measured %s: %g\n", rank,
                     std::string(aaco::fleet::to_string(c)).c_str(), mine_out[i].value);
    }
    std::vector<remeasured> all(rank == 0 ? static_cast<std::size_t>(count) * static_cast<std::size_t>(size) : 0);
    const int bytes = count * static_cast<int>(sizeof(remeasured));
    if (count > 0)
        aaco::mpi::check(MPI_Gather(mine_out.data(), bytes, MPI_BYTE, rank == 0 ? all.data() : nullptr, bytes, MPI_BYTE,
                                    0, MPI_COMM_WORLD),
                         "MPI_Gather of re-measurements");
    if (rank != 0) return {};
    for (std::int32_t i = 0; i < count; ++i) {
        const remeasured& r = all[static_cast<std::size_t>(pairs[2 * i]) * static_cast<std::size_t>(count) + i];
        requests[i].value = r.value;
        requests[i].error = std::string(aaco::fleet::text_of(r.error));
    }
    return requests;
}

/// Root only: write the reports; returns the exit code.
int report(const std::vector<aaco::fleet::fleet_record>& records, const aaco::fleet::fleet_verdicts& v,
           const options& o) {
    if (!o.fleet_json.empty()) write_file(o.fleet_json, aaco::fleet::to_json(records, v) + "\n");
    if (!o.prometheus.empty()) {
        const std::string text = aaco::fleet::to_prometheus(records, v);
        if (o.prometheus == "-") write_file("-", text);
        else aaco::write_file_atomically(o.prometheus, text);
    }
    const std::string md = aaco::fleet::to_markdown(records, v);
    if (!o.markdown.empty())
        write_file(o.markdown, md);
    else if (o.fleet_json != "-" && o.prometheus != "-")
        std::cout << md << std::flush;
    const aaco::fleet::verdict worst = v.overall();
    return worst == aaco::fleet::verdict::fail ? exit_fleet_flagged
           : worst == aaco::fleet::verdict::warn ? exit_fleet_warned : exit_ok;
}

/// --node-prometheus: the root sends every host its own gauges; local rank 0 of each host
/// writes them (atomically, so node_exporter never reads a torn file).
void write_node_prometheus(const options& o, int rank, int local, const std::string& host,
                           const std::vector<aaco::fleet::fleet_record>& records, const aaco::fleet::fleet_verdicts* v) {
    std::string packed;  // host \0 text \0 host \0 text \0 ...
    if (rank == 0)
        for (const auto& node : v->nodes)
            packed += node.host + '\0' + aaco::fleet::to_prometheus(records, *v, node.host) + '\0';
    packed = broadcast_text(packed, rank);
    if (local != 0) return;
    for (std::size_t pos = 0; pos < packed.size();) {
        const std::size_t a = packed.find('\0', pos);
        const std::size_t b = packed.find('\0', a + 1);
        if (a == std::string::npos || b == std::string::npos) break;
        if (packed.compare(pos, a - pos, host) == 0) {
            const std::string path = expand(o.node_prometheus, rank, local, host, "--node-prometheus");
            try {
                aaco::write_file_atomically(path, packed.substr(a + 1, b - a - 1));
            } catch (const std::exception& e) {
                std::fprintf(stderr, "aaco-calibrate-mpi: rank %d (%s): %s\n", rank, host.c_str(), e.what());
            }
        }
        pos = b + 1;
    }
}

int run(const options& o, int rank) {
    int size = 0;
    aaco::mpi::check(MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
    const std::string host = aaco::mpi::processor_name();
    const int local = aaco::mpi::local_rank(MPI_COMM_WORLD);
    const my_result mine = make_my_record(o, rank, local, host);
    const std::vector<aaco::fleet::fleet_record> all = aaco::mpi::gather_records(mine.record, MPI_COMM_WORLD, 0);
    const bool measuring = o.from_json.empty();
    std::optional<aaco::fleet::cohort_report> rep;
    if (rank == 0) rep = aaco::fleet::split_into_cohorts(all, o.cohorts());
    // Confirm outliers by re-measuring them on their own GPU (only when measuring: a loaded
    // envelope cannot be re-measured).
    std::vector<aaco::fleet::confirmation> confirmed;
    if (measuring)
        confirmed = confirm_outliers(o, rank, size, mine,
                                     rank == 0 ? aaco::fleet::confirmation_requests(*rep)
                                               : std::vector<aaco::fleet::confirmation>{});
    std::optional<aaco::fleet::fleet_verdicts> v;
    int code = exit_ok;
    if (rank == 0) {
        v = aaco::fleet::judge(all, *rep, measuring ? &confirmed : nullptr);
        try {
            code = report(all, *v, o);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "aaco-calibrate-mpi: %s\n", e.what());
            code = exit_failure;
        }
    }
    if (!o.node_prometheus.empty()) write_node_prometheus(o, rank, local, host, all, v ? &*v : nullptr);
    return aaco::mpi::broadcast(code, MPI_COMM_WORLD, 0);
}

/// Checks the arguments identically on every rank (so every rank exits alike).
void validate(const options& o) {
    o.cohorts().validate();
    if (o.min_peers < 2) throw aaco::invalid_argument("--min-peers must be at least 2, got " + std::to_string(o.min_peers));
    if (!o.from_json.empty()) (void)expand(o.from_json, 0, 0, "host");
    if (!o.node_prometheus.empty()) (void)expand(o.node_prometheus, 0, 0, "host", "--node-prometheus");
    if (!o.prometheus.empty() && o.prometheus != "-") (void)aaco::parse_export_target("prometheus:" + o.prometheus);
    int to_stdout = 0;
    for (const std::string* p : {&o.fleet_json, &o.markdown, &o.prometheus}) to_stdout += *p == "-";
    if (to_stdout > 1)
        throw aaco::invalid_argument("--fleet-json, --markdown and --prometheus: at most one may be - (stdout "
                                     "carries one document)");
    if (o.device != "auto") {
        try {
            std::size_t used = 0;
            const int id = std::stoi(o.device, &used);
            if (used != o.device.size() || id < 0) throw std::invalid_argument(o.device);
        } catch (const std::logic_error&) {
            throw aaco::invalid_argument("--device '" + o.device + "': expected a device number or 'auto'");
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        std::fprintf(stderr, "aaco-calibrate-mpi: MPI_Init failed\n");
        return exit_failure;
    }
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    CLI::App app{"aaco-calibrate-mpi " AACO_VERSION_STRING
                 ": calibrate one GPU per MPI rank and report the fleet (median envelope, "
                 "outliers, failed ranks).\n" + std::string(exit_code_help)};
    options o;
    app.add_option("--from-json", o.from_json,
                   "load each rank's envelope from FILE_PATTERN instead of measuring "
                   "(%r rank, %l local rank, %h host, %% percent), e.g. env/rank%r.json");
    app.add_option("--fleet-json", o.fleet_json, "write the fleet JSON (root rank) to FILE, or - for stdout");
    app.add_option("--markdown", o.markdown, "write the markdown report to FILE, or - (default: stdout)");
    app.add_option("--device", o.device, "GPU of each rank: 'auto' (= its local rank) or a number")->capture_default_str();
    app.add_option("--k", o.k, "outlier rule: shortfall > k x MAD ...")->capture_default_str();
    app.add_option("--min-percent", o.min_percent, "... and > this percent of the cohort median")->capture_default_str();
    app.add_option("--min-peers", o.min_peers, "fewest GPUs a cohort needs to be judged")->capture_default_str();
    app.add_option("--prometheus", o.prometheus, "write every verdict gauge (root rank) to FILE, or - for stdout");
    app.add_option("--node-prometheus", o.node_prometheus,
                   "each node writes its own verdict gauges to PATH (%h host; e.g. the node_exporter textfile "
                   "directory's aaco.prom)");
    app.add_flag("--quick", o.quick, "short sampling per GPU");
    app.set_version_flag("--version", "aaco-calibrate-mpi " AACO_VERSION_STRING);
    app.footer(exit_code_help);
    int code = exit_ok;
    try {
        app.parse(argc, argv);
        validate(o);
    } catch (const CLI::ParseError& e) {
        // Every rank parses the same arguments, so every rank takes this path; one prints.
        if (rank == 0) code = app.exit(e);
        else code = e.get_exit_code();
        code = code == 0 ? exit_ok : exit_bad_args;
        MPI_Finalize();
        return code;
    } catch (const aaco::invalid_argument& e) {
        if (rank == 0) std::fprintf(stderr, "aaco-calibrate-mpi: %s\n", e.what());
        MPI_Finalize();
        return exit_bad_args;
    }
    try {
        code = run(o, rank);
    } catch (const std::exception& e) {
        // An MPI failure inside a collective: the others cannot finish it either.
        std::fprintf(stderr, "aaco-calibrate-mpi: rank %d: %s\n", rank, e.what());
        MPI_Abort(MPI_COMM_WORLD, exit_failure);
        return exit_failure;
    }
    MPI_Finalize();
    return code;
}
