// aaco-calibrate: measure a GPU's hardware envelope, or print a datasheet one, and report it as
// JSON, markdown and an SVG roofline, with HEU for the workloads given on the command line.
#include "export_cli.hpp"

#include <aaco/aaco.hpp>
#include <aaco/probes/sweep.hpp>
#include <aaco/fleet.hpp>
#include <aaco/probes/node.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Exit codes, documented in --help and README.
constexpr int exit_ok = 0;
constexpr int exit_failure = 1;       // an unexpected error (I/O, a bug)
constexpr int exit_no_gpu_or_args = 2;
constexpr int exit_unstable = 3;

const char* const exit_code_help =
    "Exit codes: 0 ok; 1 unexpected error; 2 no usable GPU or bad arguments; "
    "3 measured, but some ceiling is unstable (CoV above the threshold).";

struct heu_request {
    std::string text;
    double tflops = 0;
    double ai = 0;
    aaco::precision prec = aaco::precision::fp16;
};

/// Parses "TFLOPS@AI[:precision]", e.g. "800@150:fp16".
heu_request parse_heu(const std::string& text) {
    heu_request r;
    r.text = text;
    const auto at = text.find('@');
    if (at == std::string::npos)
        throw aaco::invalid_argument("--heu '" + text + "': expected TFLOPS@AI[:precision], e.g. 800@150:fp16");
    const auto colon = text.find(':', at);
    const std::string t = text.substr(0, at);
    const std::string a = text.substr(at + 1, colon == std::string::npos ? std::string::npos : colon - at - 1);
    try {
        std::size_t used = 0;
        r.tflops = std::stod(t, &used);
        if (used != t.size()) throw std::invalid_argument(t);
        r.ai = std::stod(a, &used);
        if (used != a.size()) throw std::invalid_argument(a);
    } catch (const std::logic_error&) {
        throw aaco::invalid_argument("--heu '" + text + "': TFLOPS and AI must be numbers");
    }
    if (colon != std::string::npos) r.prec = aaco::parse_precision(text.substr(colon + 1));
    return r;
}

/// Splits "a,b,c".
std::vector<std::string> split_list(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

/// Writes `text` to `path`, or to stdout for "-".
void write_output(const std::string& path, const std::string& text) {
    if (path == "-") {
        std::cout << text;
        if (!text.empty() && text.back() != '\n') std::cout << '\n';
        return;
    }
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw aaco::error("cannot open '" + path + "' for writing");
    f << text;
    if (!f) throw aaco::error("cannot write '" + path + "'");
}

struct cli_options {
    std::string device = "0";
    bool quick = false;
    std::string precisions;
    std::string levels;
    std::string json_path;
    std::string markdown_path;
    std::string svg_path;
    std::string profile;
    std::string fallback_profile;
    std::vector<std::string> heu;
    bool cold = false;
    std::string cache_path;
    double cache_max_age_hours = 24;
    double time_budget = 0;
    bool no_progress = false;
    bool list_profiles = false;
    bool sweep = false;
    aaco_cli::extra_options extra;  // --export, --envelope, --ncu, --compare (export_cli.hpp)
};

/// Reports one envelope in every format asked for, plus the HEU lines. Returns the exit code.
int report(const aaco::envelope& env, const cli_options& o, const aaco_cli::prepared& extra) {
    std::vector<aaco::svg_point> points = extra.svg_points(env);
    std::ostringstream heu_text;
    for (const std::string& h : o.heu) {
        const heu_request r = parse_heu(h);
        const aaco::heu_result res = aaco::heu(env, r.tflops, r.ai, r.prec);
        heu_text << "HEU " << r.text << ": " << res.value * 100 << "% of "
                 << res.attainable_tflops << " TFLOP/s attainable (" << to_string(res.b)
                 << "-bound by " << res.binding_ceiling << ")"
                 << (res.above_roof ? " - above the HBM roof: the counted bytes came from a cache" : "")
                 << "\n";
        points.push_back({r.text, r.ai, r.tflops, res.value});
    }
    const bool any_output = !o.json_path.empty() || !o.markdown_path.empty() || extra.stdout_taken;
    std::ostream& text_out = o.json_path == "-" || o.markdown_path == "-" || extra.stdout_taken ? std::cerr : std::cout;
    if (!o.json_path.empty()) write_output(o.json_path, aaco::to_json(env));
    if (!o.markdown_path.empty()) write_output(o.markdown_path, aaco::to_markdown(env) + extra.markdown_sections(env));
    if (!any_output) std::cout << aaco::to_markdown(env) << extra.markdown_sections(env);
    else if (o.markdown_path.empty()) text_out << extra.markdown_sections(env);
    if (!o.svg_path.empty()) {
        aaco::svg_options svg;
        aaco::envelope datasheet;
        if (env.source == aaco::envelope_source::measured && !env.profile_key.empty()) {
            datasheet = aaco::datasheet_envelope(aaco::find_profile(env.profile_key));
            svg.datasheet = &datasheet;
        }
        write_output(o.svg_path, aaco::to_svg(env, points, svg));
    }
    extra.write_exports(env);
    // HEU lines go to stderr when stdout carries a machine-readable document.
    text_out << heu_text.str();
    if (env.source == aaco::envelope_source::measured && extra.stability_known() && !env.validation().stable) {
        std::cerr << "aaco-calibrate: some ceilings are unstable (worst CoV "
                  << env.validation().cov * 100 << "%); the GPU may be shared or throttling\n";
        return exit_unstable;
    }
    return exit_ok;
}

aaco::calibration_options make_calibration_options(const cli_options& o) {
    aaco::calibration_options c;
    c.quick = o.quick;
    c.operands = o.cold ? aaco::operand_mode::zero : aaco::operand_mode::random;
    c.time_budget_seconds = o.time_budget;
    for (const std::string& p : split_list(o.precisions)) c.precisions.push_back(aaco::parse_precision(p));
    for (const std::string& l : split_list(o.levels)) c.levels.push_back(aaco::parse_memory_level(l));
    if (!o.no_progress)
        c.progress = [](const aaco::progress_event& e) {
            if (e.status == "running") return;
            std::fprintf(stderr, "[%2zu/%zu %6.2fs] %-24s %s\n", e.index, e.total,
                         e.elapsed_seconds, e.key.c_str(), e.status.c_str());
        };
    return c;
}

/// Measures one device (through the cache when asked).
aaco::envelope measure_device(int id, const cli_options& o) {
    aaco::hardware_calibrator calibrator{id};
    const aaco::calibration_options c = make_calibration_options(o);
    if (o.cache_path.empty()) return calibrator.calibrate(c);
    aaco::cache_outcome outcome;
    aaco::cache_policy policy;
    policy.max_age_hours = o.cache_max_age_hours;
    aaco::envelope env = calibrator.load_or_calibrate(o.cache_path, c, policy, &outcome);
    std::fprintf(stderr, "aaco-calibrate: cache %s: %s\n", o.cache_path.c_str(),
                 outcome.hit ? "hit" : ("miss (" + outcome.reason + "), recalibrated").c_str());
    return env;
}

// ---- --device all: every GPU in turn, then the node summary and the P2P matrix -------------

/// "roof.svg" -> "roof.dev1.svg" (one file per device in node mode).
std::string per_device_path(const std::string& path, int id) {
    const auto slash = path.find_last_of('/');
    const auto dot = path.find_last_of('.');
    const std::string tag = ".dev" + std::to_string(id);
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return path + tag;
    return path.substr(0, dot) + tag + path.substr(dot);
}

/// Reports a node: every device's markdown, the node summary, the P2P matrix (markdown to
/// stdout, or to --markdown FILE, or to stderr when stdout carries the JSON), the node JSON
/// document (--json), per-device SVGs and HEU lines. Exit code: 1 if a device failed, else 3 if
/// a ceiling is unstable, else 0.
int report_node(const aaco::fleet::node_report& node, const cli_options& o, const aaco_cli::prepared& extra) {
    std::ostream& text_out = o.json_path == "-" || extra.stdout_taken ? std::cerr : std::cout;
    // Outliers are re-measured on their own device before they are flagged.
    const aaco::fleet::fleet_verdicts verdicts = aaco_cli::confirmed_node_verdicts(node, o.quick);
    std::ostringstream md;
    for (const aaco::envelope& env : node.devices) md << aaco::to_markdown(env) << "\n";
    md << aaco::fleet::node_summary_markdown(node, {}, &verdicts) << "\n";
    if (node.p2p.devices.size() >= 2) md << aaco::fleet::p2p_markdown(node.p2p);
    if (!o.json_path.empty()) write_output(o.json_path, aaco::fleet::to_json(node, {}, &verdicts) + "\n");
    extra.write_node_exports(node, verdicts);
    if (!o.markdown_path.empty())
        write_output(o.markdown_path, md.str());
    else
        text_out << md.str();
    int code = exit_ok;
    for (const aaco::envelope& env : node.devices) {
        std::vector<aaco::svg_point> points;
        for (const std::string& h : o.heu) {
            const heu_request r = parse_heu(h);
            const aaco::heu_result res = aaco::heu(env, r.tflops, r.ai, r.prec);
            text_out << "device " << env.device.id << ": HEU " << r.text << ": " << res.value * 100
                     << "% of " << res.attainable_tflops << " TFLOP/s attainable ("
                     << to_string(res.b) << "-bound by " << res.binding_ceiling << ")\n";
            points.push_back({r.text, r.ai, r.tflops, res.value});
        }
        if (!o.svg_path.empty())
            write_output(per_device_path(o.svg_path, env.device.id), aaco::to_svg(env, points, {}));
        if (!env.validation().stable) code = exit_unstable;
    }
    for (const aaco::failure& f : node.failures)
        std::fprintf(stderr, "aaco-calibrate: %s failed: %s\n", f.key.c_str(), f.reason.c_str());
    if (!node.failures.empty()) code = exit_failure;
    return code;
}

/// `--device all`: calibrates `ids` one after another, then the P2P matrix.
int run_node(const std::vector<int>& ids, const cli_options& o, const aaco_cli::prepared& extra) {
    aaco::probes::node_options n;
    n.calibration = make_calibration_options(o);
    n.p2p_sampling = o.quick ? aaco::probes::p2p_config::quick() : aaco::probes::p2p_config{};
    n.measure = [&o](int id) { return measure_device(id, o); };
    const aaco::fleet::node_report node = aaco::probes::calibrate_node(ids, n);
    if (node.devices.empty()) {
        std::string why;
        for (const aaco::failure& f : node.failures) why += "; " + f.key + ": " + f.reason;
        throw aaco::no_device_error("--device all: no device could be calibrated" + why);
    }
    return report_node(node, o, extra);
}

/// --sweep: read bandwidth versus working set on one device, and the capacity knees in it.
int run_sweep(int id) {
    const aaco::device_info dev = aaco::probes::open_device(id);  // throws no_device_error
#if AACO_BACKEND_NONE
    (void)dev;
    return exit_no_gpu_or_args;
#else
    aaco::backend::stream s;
    const std::vector<std::uint64_t> sizes =
        aaco::probes::sweep_sizes(dev, aaco::backend::device_memory().free_bytes);
    const auto points = aaco::probes::memory_sweep(dev, sizes, aaco::probes::sampling_config::quick(), s);
    std::printf("# Working-set sweep: %s (read, L2-only loads)\n\n| working set | GB/s |\n|---:|---:|\n",
                dev.name.c_str());
    for (const auto& p : points)
        std::printf("| %.2f MiB | %.1f |\n", static_cast<double>(p.working_set_bytes) / (1 << 20), p.gbps);
    const auto knees = aaco::stats::find_knees(points);
    std::printf("\nCapacity knees (bandwidth falls below 80%% of the plateau):\n");
    if (knees.empty()) std::printf("- none\n");
    for (const auto& k : knees)
        std::printf("- between %.2f MiB and %.2f MiB: %.1f -> %.1f GB/s\n",
                    static_cast<double>(k.last_fast_bytes) / (1 << 20),
                    static_cast<double>(k.first_slow_bytes) / (1 << 20), k.plateau_gbps, k.after_gbps);
    return exit_ok;
#endif
}

int run(const cli_options& o) {
    if (o.list_profiles) {
        for (const aaco::profile& p : aaco::list_profiles())
            std::printf("%-10s %-28s %s\n", std::string(p.key).c_str(), std::string(p.name).c_str(),
                        std::string(p.arch).c_str());
        return exit_ok;
    }
    // Check every argument before touching a profile or a device, so a typo is reported as such
    // (exit 2) instead of hiding behind "no GPU", and is never silently ignored with --profile.
    for (const std::string& h : o.heu) parse_heu(h);
    (void)make_calibration_options(o);  // parses --precision and --level
    const aaco_cli::prepared extra = aaco_cli::prepare(
        o.extra, {{"--json", o.json_path}, {"--markdown", o.markdown_path}, {"--svg", o.svg_path}},
        {!o.profile.empty(), o.device == "all", o.sweep});
    if (!o.profile.empty()) return report(aaco::datasheet_envelope(aaco::find_profile(o.profile)), o, extra);
    if (extra.envelope) return report(extra.envelope->env, o, extra);
    std::vector<int> ids;
    if (o.sweep && o.device == "all")
        throw aaco::invalid_argument("--sweep measures one device: give --device N");
    if (o.device == "all") {
#if !AACO_BACKEND_NONE
        for (int i = 0; i < aaco::backend::device_count(); ++i) ids.push_back(i);
#endif
        if (ids.empty()) throw aaco::no_device_error("--device all: no GPU is visible");
    } else {
        try {
            std::size_t used = 0;
            ids.push_back(std::stoi(o.device, &used));
            if (used != o.device.size() || ids.back() < 0) throw std::invalid_argument(o.device);
        } catch (const std::logic_error&) {
            throw aaco::invalid_argument("--device '" + o.device + "': expected a device number or 'all'");
        }
    }
    if (o.device == "all") return run_node(ids, o, extra);
    if (o.sweep) return run_sweep(ids.front());
    int code = exit_ok;
    for (int id : ids) {
        const aaco::envelope env = measure_device(id, o);
        const int c = report(env, o, extra);
        if (c > code) code = c;
    }
    return code;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"aaco-calibrate " AACO_VERSION_STRING
                 ": measure a GPU's hardware envelope (compute, memory and launch ceilings) and "
                 "the HEU of workloads against it.\n" +
                 std::string(exit_code_help)};
    cli_options o;
    app.add_option("--device", o.device, "GPU to calibrate: a number, or 'all'")->capture_default_str();
    app.add_flag("--quick", o.quick, "short sampling (about 2 s for a whole calibration)");
    app.add_option("--precision", o.precisions, "comma list: fp64,fp32,tf32,fp16,bf16,fp8,int8 (default: all the device has)");
    app.add_option("--level", o.levels, "comma list: hbm,l2,llc,shared,h2d,d2h (default: all the device has)");
    app.add_option("--json", o.json_path, "write the envelope as JSON to FILE, or - for stdout");
    app.add_option("--markdown", o.markdown_path, "write a markdown report to FILE, or - for stdout");
    app.add_option("--svg", o.svg_path, "write an SVG roofline to FILE");
    app.add_option("--profile", o.profile, "print the datasheet envelope of a card instead of measuring (see --list-profiles)");
    app.add_option("--fallback-profile", o.fallback_profile, "when no GPU can be measured, print this card's datasheet envelope (exit code stays 2)");
    app.add_flag("--list-profiles", o.list_profiles, "list the datasheet profiles");
    app.add_flag("--sweep", o.sweep, "measure read bandwidth from 256 KiB to 4x the last-level cache and report the capacity knees");
    app.add_option("--heu", o.heu, "TFLOPS@AI[:precision]: HEU of a workload (repeatable), e.g. 800@150:fp16");
    app.add_flag("--cold", o.cold, "zero operands in the compute loops (default: random finite values)");
    app.add_option("--cache", o.cache_path, "reuse the envelope in FILE when it matches this device, else recalibrate and replace it");
    app.add_option("--cache-max-age", o.cache_max_age_hours, "hours a cached envelope stays valid")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--time-budget", o.time_budget, "soft limit in seconds for the whole calibration (0 = none)")->check(CLI::NonNegativeNumber);
    app.add_flag("--no-progress", o.no_progress, "no progress lines on stderr");
    aaco_cli::add_extra_options(app, o.extra);
    app.set_version_flag("--version", "aaco-calibrate " AACO_VERSION_STRING);
    app.footer(exit_code_help);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? exit_ok : exit_no_gpu_or_args;
    }
    try {
        return run(o);
    } catch (const aaco::no_device_error& e) {
        std::fprintf(stderr, "aaco-calibrate: %s\n", e.what());
        if (!o.fallback_profile.empty()) {
            std::fprintf(stderr, "aaco-calibrate: printing the datasheet envelope of '%s' instead (not measured)\n",
                         o.fallback_profile.c_str());
            try {
                cli_options d = o;
                d.profile = o.fallback_profile;
                run(d);
            } catch (const aaco::error& e2) {
                std::fprintf(stderr, "aaco-calibrate: %s\n", e2.what());
            }
        } else {
            std::fprintf(stderr, "aaco-calibrate: use --profile NAME (e.g. --profile mi300x; --list-profiles) "
                                 "for a datasheet envelope without a GPU\n");
        }
        return exit_no_gpu_or_args;
    } catch (const aaco::invalid_argument& e) {
        std::fprintf(stderr, "aaco-calibrate: %s\n", e.what());
        return exit_no_gpu_or_args;
    } catch (const aaco::unsupported_arch_error& e) {
        std::fprintf(stderr, "aaco-calibrate: %s\n", e.what());
        return exit_no_gpu_or_args;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco-calibrate: error: %s\n", e.what());
        return exit_failure;
    }
}
