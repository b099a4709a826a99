// aaco-calibrate-mpi: calibrate every GPU of a cluster, one MPI rank per GPU, and report the
// fleet: the median envelope and the GPUs whose ceilings fall short of it.
//
//   mpirun -np 16 aaco-calibrate-mpi --fleet-json fleet.json
//   mpirun -np 3 aaco-calibrate-mpi --from-json 'envelopes/rank%r.json'   (no GPU needed)
#include <aaco/aaco.hpp>
#include <aaco/fleet.hpp>
#include <aaco/mpi/gather.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;      // an unexpected error (I/O, MPI, a bug)
constexpr int exit_bad_args = 2;
constexpr int exit_fleet_flagged = 4;

const char* const exit_code_help =
    "Exit codes (the same on every rank): 0 every rank calibrated and no ceiling is an outlier; "
    "1 unexpected error; 2 bad arguments; 4 the report flags an outlier or a failed rank.";

struct options {
    std::string from_json;
    std::string fleet_json;
    std::string markdown;
    std::string device = "auto";
    double k = aaco::fleet::outlier_config{}.k;
    double min_percent = aaco::fleet::outlier_config{}.min_percent;
    bool quick = false;
};

/// PATTERN with %r = rank, %l = local rank, %h = host, %% = '%'. Throws invalid_argument on
/// any other '%' sequence.
std::string expand(const std::string& pattern, int rank, int local, const std::string& host) {
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
            throw aaco::invalid_argument("--from-json '" + pattern +
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

/// This rank's record: loaded (--from-json) or measured; a failure becomes a failed record.
aaco::fleet::fleet_record make_my_record(const options& o, int rank, int local, const std::string& host) {
    int device = -1;
    try {
        aaco::envelope env;
        if (!o.from_json.empty()) {
            env = aaco::load_envelope(expand(o.from_json, rank, local, host));
        } else {
            device = pick_device(o, local);
            aaco::calibration_options c;
            c.quick = o.quick;
            aaco::hardware_calibrator calibrator{device};
            env = calibrator.calibrate(c);
        }
        return aaco::fleet::make_record(env, host, rank, local);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco-calibrate-mpi: rank %d (%s): %s\n", rank, host.c_str(), e.what());
        return aaco::fleet::make_failed_record(host, rank, local, device, e.what());
    }
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

/// Root only: analyse, write the reports; returns the exit code.
int report(const std::vector<aaco::fleet::fleet_record>& records, const options& o) {
    aaco::fleet::outlier_config cfg;
    cfg.k = o.k;
    cfg.min_percent = o.min_percent;
    const aaco::fleet::fleet_report rep = aaco::fleet::analyze(records, cfg);
    if (!o.fleet_json.empty()) write_file(o.fleet_json, aaco::fleet::to_json(records, rep) + "\n");
    const std::string md = aaco::fleet::to_markdown(records, rep);
    if (!o.markdown.empty())
        write_file(o.markdown, md);
    else if (o.fleet_json != "-")
        std::cout << md << std::flush;
    return rep.clean() ? exit_ok : exit_fleet_flagged;
}

int run(const options& o, int rank) {
    const std::string host = aaco::mpi::processor_name();
    const int local = aaco::mpi::local_rank(MPI_COMM_WORLD);
    const aaco::fleet::fleet_record mine = make_my_record(o, rank, local, host);
    const std::vector<aaco::fleet::fleet_record> all = aaco::mpi::gather_records(mine, MPI_COMM_WORLD, 0);
    int code = exit_ok;
    if (rank == 0) {
        try {
            code = report(all, o);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "aaco-calibrate-mpi: %s\n", e.what());
            code = exit_failure;
        }
    }
    return aaco::mpi::broadcast(code, MPI_COMM_WORLD, 0);
}

/// Checks the arguments identically on every rank (so every rank exits alike).
void validate(const options& o) {
    aaco::fleet::outlier_config cfg;
    cfg.k = o.k;
    cfg.min_percent = o.min_percent;
    cfg.validate();
    if (!o.from_json.empty()) (void)expand(o.from_json, 0, 0, "host");
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
    app.add_option("--min-percent", o.min_percent, "... and > this percent of the fleet median")->capture_default_str();
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
