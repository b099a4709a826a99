// aaco-calibrate: measure a GPU's hardware envelope, or print a datasheet one, and report it as
// JSON, markdown and an SVG roofline, with HEU for the workloads given on the command line.
//
// The file reads top to bottom as the tool runs:
//   1. argument parsing helpers (numbers, precisions, levels, profiles, --heu);
//   2. output_targets: the files and the one stdout document a run writes;
//   3. validate(): every check on the command line, before any device work, into a run_plan;
//   4. the run: datasheet report, one device (through the cache), --device all, --sweep;
//   5. cli_main(): parse, validate, run, map exceptions to exit codes.
// A new flag is parsed in main's option list, checked in validate() (add it to the refusal
// lists of the modes where it means nothing), and used in the run.
#include "export_cli.hpp"

#include <aaco/aaco.hpp>
#include <aaco/probes/sweep.hpp>
#include <aaco/fleet.hpp>
#include <aaco/probes/node.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Exit codes, documented in --help and README.
constexpr int exit_ok = 0;
constexpr int exit_failure = 1;       // an unexpected error (I/O, a bug), or a lost cache save
constexpr int exit_no_gpu_or_args = 2;
constexpr int exit_unstable = 3;

const char* const exit_code_help =
    "Exit codes: 0 ok; 1 unexpected error, or a failed --cache save (the measurement is kept in "
    "the outputs or a file whose path is printed); 2 no usable GPU or bad arguments; 3 measured, "
    "but some ceiling is unstable (its median not known to within the threshold, or drifting; "
    "host-side launch costs do not count).";

// ---- 1. argument parsing helpers ------------------------------------------------------------

std::string ascii_lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

enum class number_status { ok, not_a_number, out_of_range };

/// Reads all of `text` as a decimal number. Out of range = beyond what a double holds (1e400);
/// "nan"/"inf" parse, and the caller's range check refuses them.
number_status read_number(const std::string& text, double& out) {
    if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return number_status::not_a_number;
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    out = std::strtod(begin, &end);
    if (end == begin || *end != '\0') return number_status::not_a_number;
    if (errno == ERANGE && std::isinf(out)) return number_status::out_of_range;
    return number_status::ok;
}

/// `text` as a number of the unit in `expected` ("a number of seconds >= 0"), checked by
/// `in_range`; otherwise invalid_argument "FLAG 'TEXT': expected EXPECTED".
template <class InRange>
double parse_flag_number(const char* flag, const std::string& text, const char* expected,
                         InRange&& in_range) {
    double v = 0;
    if (read_number(text, v) != number_status::ok || !std::isfinite(v) || !in_range(v))
        throw aaco::invalid_argument(std::string(flag) + " '" + text + "': expected " + expected);
    return v;
}

/// A precision in any case ("FP16", "bf16"); the message names the text as given.
aaco::precision parse_precision_arg(const std::string& flag, const std::string& text) {
    try {
        return aaco::parse_precision(ascii_lower(text));
    } catch (const aaco::invalid_argument&) {
        throw aaco::invalid_argument(flag + " '" + text +
                                     "': unknown precision (expected one of fp64, fp32, "
                                     "tf32/xf32, fp16, bf16, fp8, int8, in any case)");
    }
}

/// A memory level in any case ("HBM", "l2").
aaco::memory_level parse_level_arg(const std::string& flag, const std::string& text) {
    try {
        return aaco::parse_memory_level(ascii_lower(text));
    } catch (const aaco::invalid_argument&) {
        throw aaco::invalid_argument(flag + " '" + text +
                                     "': unknown memory level (expected one of hbm, l2, llc, "
                                     "shared/lds, h2d, d2h, l1, in any case)");
    }
}

/// Splits "a,b,c" (empty items dropped).
std::vector<std::string> split_list(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

/// The profile `name` names, refusing a name that names several cards: find_profile takes the
/// first rule that matches, so "mi300x mi100" would silently be the MI100. A name is ambiguous
/// when it holds the model tokens of two different rules of the library's own name matcher
/// (profiles.hpp, detail::name_rules): "mi300x mi100", "h100 h200"; "NVIDIA H100 PCIe" holds
/// one model token (h100) and is not. An exact key ("h100-sxm") is never ambiguous.
const aaco::profile& find_profile_arg(const char* flag, const std::string& name) {
    const aaco::profile* whole = nullptr;
    try {
        whole = &aaco::find_profile(name);
    } catch (const aaco::invalid_argument& e) {
        throw aaco::invalid_argument(std::string(flag) + " '" + name + "': " + e.what());
    }
    if (aaco::is_profile_key(*whole, name)) return *whole;
    std::set<std::string> models;
    for (const std::string& token : aaco::profile_model_tokens(name)) models.insert(token);
    if (models.size() > 1) {
        std::string list;
        for (const std::string& m : models) list += (list.empty() ? "" : ", ") + m;
        throw aaco::invalid_argument(std::string(flag) + " '" + name +
                                     "': the name matches more than one profile (" + list +
                                     "); give one key (see --list-profiles)");
    }
    return *whole;
}

/// "not on this card (AMD Instinct MI100, gfx908, has no fp8 unit)" when the device's
/// architecture has no unit for `p` at all (from the profiles' FLOPs-per-clock tables); empty
/// when it has one or the architecture is unknown to aaco.
std::string not_on_card(const aaco::device_info& dev, aaco::precision p) {
    if (!aaco::is_known_arch(dev.arch)) return {};
    if (aaco::flops_per_clock(dev.arch, p, aaco::compute_unit::matrix) > 0 ||
        aaco::flops_per_clock(dev.arch, p, aaco::compute_unit::vector) > 0)
        return {};
    return "not on this card (" + dev.name + ", " + dev.arch + ", has no " +
           std::string(aaco::to_string(p)) + " unit)";
}

struct heu_request {
    std::string text;
    double tflops = 0;
    double ai = 0;
    aaco::precision prec = aaco::precision::fp16;
};

/// One number of --heu: finite and in range, else a message naming which part is wrong.
double heu_number(const std::string& whole, const char* what, const std::string& text,
                  bool zero_allowed) {
    double v = 0;
    const std::string prefix = "--heu '" + whole + "': " + what + " '" + text + "' ";
    switch (read_number(text, v)) {
    case number_status::not_a_number:
        throw aaco::invalid_argument(prefix + "is not a number (expected TFLOPS@AI[:precision], "
                                              "e.g. 800@150:fp16)");
    case number_status::out_of_range:
        throw aaco::invalid_argument(prefix + "is out of range (it must be a finite number)");
    case number_status::ok: break;
    }
    if (!std::isfinite(v)) throw aaco::invalid_argument(prefix + "must be a finite number");
    if (zero_allowed ? v < 0 : v <= 0)
        throw aaco::invalid_argument("--heu '" + whole + "': " + what + " must be " +
                                     (zero_allowed ? ">= 0" : "> 0") + ", got " + text);
    return v;
}

/// Parses "TFLOPS@AI[:precision]", e.g. "800@150:fp16": TFLOPS finite and >= 0, the intensity
/// (FLOP/byte) finite and > 0, the precision in any case.
heu_request parse_heu(const std::string& text) {
    heu_request r;
    r.text = text;
    const auto at = text.find('@');
    if (at == std::string::npos)
        throw aaco::invalid_argument("--heu '" + text + "': expected TFLOPS@AI[:precision], e.g. 800@150:fp16");
    const auto colon = text.find(':', at);
    const std::string t = text.substr(0, at);
    const std::string a = text.substr(at + 1, colon == std::string::npos ? std::string::npos : colon - at - 1);
    r.tflops = heu_number(text, "TFLOPS", t, true);
    r.ai = heu_number(text, "arithmetic intensity (FLOP/byte)", a, false);
    if (colon != std::string::npos) r.prec = parse_precision_arg("--heu '" + text + "':", text.substr(colon + 1));
    return r;
}

/// A figure for a message, as the markdown report prints it (989.4, 23.15, 2.500).
std::string figure_text(double v) { return aaco::md_detail::num(v); }

// ---- 2. output targets: one stdout document per run -----------------------------------------

/// The files and the stdout document a run writes, registered flag by flag in validate(),
/// before anything runs. Stdout carries at most one document (JSON, markdown, SVG, ...), so a
/// pipe always gets something a parser can read: a second "-" is refused, naming the flag that
/// has stdout already. Two flags naming the same file are refused too (the second would
/// overwrite the first). Every flag that writes output must add() its target here, e.g. a later
/// `--export FORMAT:-` calls `outputs.add("--export " + format, path)`.
class output_targets {
public:
    /// Registers `path` ("-" = stdout) for `flag`. Throws aaco::invalid_argument when stdout is
    /// taken already, the file is another flag's, or the path cannot be written (a directory,
    /// or a directory that does not exist).
    void add(const std::string& flag, const std::string& path) {
        if (path.empty()) throw aaco::invalid_argument(flag + ": expected a file name, or - for stdout");
        if (path == "-") {
            if (!stdout_owner_.empty())
                throw aaco::invalid_argument(flag + " -: stdout already carries " + stdout_owner_ +
                                             " (stdout takes one document per run; write the "
                                             "other to a file)");
            stdout_owner_ = flag;
            return;
        }
        const std::string key = identity(path);
        for (const auto& f : files_)
            if (f.key == key)
                throw aaco::invalid_argument(flag + " '" + path + "': " + f.flag +
                                             " writes that file already");
        const std::string problem = writable_problem(path);
        if (!problem.empty()) throw aaco::invalid_argument(flag + " '" + path + "': " + problem);
        files_.push_back({flag, key});
    }

    /// Whether a document goes to stdout.
    bool stdout_taken() const { return !stdout_owner_.empty(); }

private:
    struct file {
        std::string flag, key;
    };
    /// The same file under two spellings ("a.json", "./a.json", a link to it) is one key.
    static std::string identity(const std::string& path) {
        std::error_code ec;
        const std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
        return ec ? std::filesystem::absolute(path, ec).lexically_normal().string() : p.string();
    }
    /// An output may be any file, FIFO or device (/dev/null, a shell's >(...)); not a
    /// directory, and its directory must exist.
    static std::string writable_problem(const std::string& path) {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (fs::is_directory(fs::status(path, ec))) return "is a directory";
        const fs::path dir = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : ".";
        if (!fs::is_directory(fs::status(dir, ec)))
            return "its directory '" + dir.string() + "' does not exist";
        return {};
    }

    std::string stdout_owner_;
    std::vector<file> files_;
};

/// Writes `text` to `path`, or to stdout for "-".
void write_output(const std::string& path, const std::string& text) {
    if (path == "-") {
        std::cout << text;
        if (!text.empty() && text.back() != '\n') std::cout << '\n';
        std::cout.flush();
        return;
    }
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw aaco::error("cannot open '" + path + "' for writing");
    f << text;
    f.flush();
    if (!f) throw aaco::error("cannot write '" + path + "'");
}

// ---- 3. validate: every argument, before any device work ------------------------------------

/// The command line as parsed, before any check. `given` holds the long names of the options
/// that were on the command line ("--device"), to tell a default from a choice.
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
    std::string cache_max_age_hours = "24";
    std::string time_budget = "0";
    std::string sustained;  // --sustained SECONDS, as typed (checked before any device opens)
    aaco_cli::extra_options extra;  // --export, --envelope, --ncu, --compare (export_cli.hpp)
    bool no_progress = false;
    bool list_profiles = false;
    std::string sweep;  ///< "", "bandwidth" or "latency" (plain --sweep: bandwidth)
    std::set<std::string> given;

    bool has(const char* flag) const { return given.count(flag) > 0; }
};

enum class run_mode { list_profiles, datasheet, sweep, node, device, envelope_file };

/// Everything a run needs, checked.
struct run_plan {
    run_mode mode = run_mode::device;
    int device = 0;                         ///< run_mode::device, sweep
    bool latency_sweep = false;             ///< --sweep latency (else the bandwidth sweep)
    const aaco::profile* profile = nullptr; ///< run_mode::datasheet
    const aaco::profile* fallback = nullptr;
    std::vector<heu_request> heu;
    std::vector<aaco::precision> precisions; ///< empty = all
    std::vector<aaco::memory_level> levels;  ///< empty = all
    bool quick = false, cold = false, progress = true;
    double time_budget_seconds = 0;
    double sustained_seconds = 0;           ///< --sustained (0 = burst figures only)
    std::string cache_path;
    double cache_max_age_hours = 24;
    std::string json_path, markdown_path, svg_path;
    output_targets outputs;
    aaco_cli::prepared extra;               ///< --export, --envelope, --ncu, --compare, checked
};

/// Refuses each flag of `flags` that was given: it means nothing together with `mode_flag`.
void refuse_with(const cli_options& o, const char* mode_flag,
                 std::initializer_list<const char*> flags, const char* why) {
    for (const char* f : flags)
        if (o.has(f))
            throw aaco::invalid_argument(std::string(f) + " means nothing with " + mode_flag + " (" +
                                         why + "); leave it out");
}

/// A datasheet envelope cut down to the --precision and --level lists. Throws when a listed
/// precision or level has no datasheet figure, saying whether the card lacks it altogether.
aaco::envelope filtered_datasheet(const aaco::profile& p, const std::vector<aaco::precision>& precisions,
                                  const std::vector<aaco::memory_level>& levels) {
    aaco::envelope env = aaco::datasheet_envelope(p);
    for (aaco::precision prec : precisions)
        if (!env.has_compute(prec)) {
            const std::string why = not_on_card(env.device, prec);
            throw aaco::invalid_argument(
                "--precision " + std::string(aaco::to_string(prec)) + ": " +
                (why.empty() ? "the " + env.device.name + " datasheet gives no " +
                                   std::string(aaco::to_string(prec)) + " figure"
                             : why));
        }
    for (aaco::memory_level l : levels)
        if (!env.has_memory(l))
            throw aaco::invalid_argument("--level " + std::string(aaco::to_string(l)) + ": the " +
                                         env.device.name + " datasheet gives no " +
                                         std::string(aaco::to_string(l)) + " figure");
    auto keep = [](const auto& list, const auto& item) {
        return list.empty() || std::find(list.begin(), list.end(), item) != list.end();
    };
    env.compute.erase(std::remove_if(env.compute.begin(), env.compute.end(),
                                     [&](const aaco::compute_figure& f) { return !keep(precisions, f.prec); }),
                      env.compute.end());
    env.memory.erase(std::remove_if(env.memory.begin(), env.memory.end(),
                                    [&](const aaco::memory_figure& f) { return !keep(levels, f.level); }),
                     env.memory.end());
    return env;
}

/// Checks that the --heu workloads can be computed against an envelope measured with the
/// --precision / --level lists: each one's precision measured, and HBM.
void check_heu_targets(const run_plan& plan) {
    for (const heu_request& r : plan.heu) {
        if (!plan.precisions.empty() &&
            std::find(plan.precisions.begin(), plan.precisions.end(), r.prec) == plan.precisions.end())
            throw aaco::invalid_argument("--heu '" + r.text + "': needs the " +
                                         std::string(aaco::to_string(r.prec)) +
                                         " roof, which --precision leaves out");
    }
    if (!plan.heu.empty() && !plan.levels.empty() &&
        std::find(plan.levels.begin(), plan.levels.end(), aaco::memory_level::hbm) == plan.levels.end())
        throw aaco::invalid_argument("--heu needs the HBM roof, which --level leaves out");
}

/// Checks the --precision list and the --heu precisions against the card `dev`: a precision it
/// has no unit for is refused ("not on this card"), before anything is measured.
void check_on_card(const run_plan& plan, const aaco::device_info& dev) {
    for (aaco::precision p : plan.precisions) {
        const std::string why = not_on_card(dev, p);
        if (!why.empty()) throw aaco::invalid_argument("--precision " + std::string(aaco::to_string(p)) + ": " + why);
    }
    for (const heu_request& r : plan.heu) {
        const std::string why = not_on_card(dev, r.prec);
        if (!why.empty()) throw aaco::invalid_argument("--heu '" + r.text + "': " + why);
    }
}

/// --list-profiles takes no other flag (it only lists the cards).
void validate_list_profiles(const cli_options& o, run_plan& plan) {
    for (const std::string& f : o.given)
        if (f != "--list-profiles" && f != "--no-progress")
            throw aaco::invalid_argument(f + " means nothing with --list-profiles (it only lists "
                                             "the cards); leave it out");
    plan.mode = run_mode::list_profiles;
}

/// The values every mode shares: --heu, --precision, --level, the numbers, --fallback-profile.
double parse_sustained_seconds(const std::string& text);  // below, beside the calibration options

void validate_common(const cli_options& o, run_plan& plan) {
    for (const std::string& h : o.heu) plan.heu.push_back(parse_heu(h));
    if (!o.sustained.empty()) plan.sustained_seconds = parse_sustained_seconds(o.sustained);
    for (const std::string& p : split_list(o.precisions)) plan.precisions.push_back(parse_precision_arg("--precision", p));
    for (const std::string& l : split_list(o.levels)) plan.levels.push_back(parse_level_arg("--level", l));
    plan.quick = o.quick;
    plan.cold = o.cold;
    plan.progress = !o.no_progress;
    plan.time_budget_seconds = parse_flag_number("--time-budget", o.time_budget,
                                                 "a number of seconds >= 0 (0 = no limit)",
                                                 [](double v) { return v >= 0; });
    plan.cache_max_age_hours = parse_flag_number("--cache-max-age", o.cache_max_age_hours,
                                                 "a number of hours > 0",
                                                 [](double v) { return v > 0; });
    if (!o.fallback_profile.empty()) plan.fallback = &find_profile_arg("--fallback-profile", o.fallback_profile);
    if (o.has("--cache-max-age") && o.cache_path.empty())
        throw aaco::invalid_argument("--cache-max-age means nothing without --cache FILE; leave it out");
    check_heu_targets(plan);
}

/// --profile: the flags that only mean something for a measurement are refused; --precision and
/// --level filter the report, and must name figures the datasheet has.
void validate_datasheet(const cli_options& o, run_plan& plan) {
    refuse_with(o, "--profile", {"--device", "--quick", "--cold", "--cache", "--cache-max-age",
                                 "--time-budget", "--sweep", "--fallback-profile", "--sustained"},
                "a datasheet envelope is printed, not measured");
    plan.mode = run_mode::datasheet;
    plan.profile = &find_profile_arg("--profile", o.profile);
    const aaco::envelope env = filtered_datasheet(*plan.profile, plan.precisions, plan.levels);
    check_on_card(plan, env.device);
    for (const heu_request& r : plan.heu)
        if (!env.has_compute(r.prec))
            throw aaco::invalid_argument("--heu '" + r.text + "': the " + env.device.name +
                                         " datasheet gives no " + std::string(aaco::to_string(r.prec)) +
                                         " figure");
}

/// --sweep prints one table for one device; the report flags mean nothing there.
void validate_sweep(const cli_options& o, run_plan& plan) {
    plan.latency_sweep = o.sweep == "latency";
    if (!plan.latency_sweep)
        refuse_with(o, "--sweep", {"--json"}, "it prints a bandwidth-versus-working-set table only");
    refuse_with(o, "--sweep", {"--markdown", "--svg", "--heu", "--cache", "--cache-max-age",
                               "--precision", "--level", "--cold", "--time-budget", "--fallback-profile",
                               "--sustained"},
                "it prints a bandwidth-versus-working-set table only");
    if (o.device == "all") throw aaco::invalid_argument("--sweep measures one device: give --device N");
    plan.mode = run_mode::sweep;
}

/// --device N or all (with --sweep, a number).
void validate_device(const cli_options& o, run_plan& plan) {
    if (plan.mode != run_mode::sweep) plan.mode = o.device == "all" ? run_mode::node : run_mode::device;
    if (plan.mode == run_mode::node) {
        if (o.svg_path == "-")
            throw aaco::invalid_argument("--svg -: --device all writes one SVG per device, which "
                                         "cannot share stdout; give a file name");
        return;
    }
    try {
        std::size_t used = 0;
        plan.device = std::stoi(o.device, &used);
        if (used != o.device.size() || plan.device < 0) throw std::invalid_argument(o.device);
    } catch (const std::logic_error&) {
        throw aaco::invalid_argument("--device '" + o.device + "': expected a device number or 'all'");
    }
}

/// The cache path and the output targets (see output_targets), in the order they are written.
void validate_paths(const cli_options& o, run_plan& plan) {
    if (!o.cache_path.empty()) {
        const std::string problem = aaco::cache_path_problem(o.cache_path);
        if (!problem.empty()) throw aaco::invalid_argument("--cache '" + o.cache_path + "': " + problem);
        plan.cache_path = o.cache_path;
    }
    if (!o.json_path.empty()) plan.outputs.add("--json", o.json_path);
    if (!o.markdown_path.empty()) plan.outputs.add("--markdown", o.markdown_path);
    if (!o.svg_path.empty()) plan.outputs.add("--svg", o.svg_path);
    plan.json_path = o.json_path;
    plan.markdown_path = o.markdown_path;
    plan.svg_path = o.svg_path;
}

/// Every check on the command line, with no device work: exit code 2 for any of them, before a
/// calibration that may take minutes. A new flag is checked here (and refused in the modes
/// where it means nothing, by adding it to that mode's refuse_with list).
run_plan validate(const cli_options& o) {
    run_plan plan;
    if (o.list_profiles) {
        validate_list_profiles(o, plan);
        return plan;
    }
    validate_common(o, plan);
    if (!o.profile.empty()) {
        validate_datasheet(o, plan);
    } else {
        if (!o.sweep.empty()) validate_sweep(o, plan);
        validate_device(o, plan);
    }
    validate_paths(o, plan);
    plan.extra = aaco_cli::prepare(
        o.extra, {{"--json", o.json_path}, {"--markdown", o.markdown_path}, {"--svg", o.svg_path}},
        {!o.profile.empty(), plan.mode == run_mode::node, plan.mode == run_mode::sweep});
    if (plan.extra.stdout_taken && plan.outputs.stdout_taken())
        throw aaco::invalid_argument("--export FORMAT:- and " + std::string("another output to stdout") +
                                     ": stdout carries one document; write one of them to a file");
    if (plan.extra.envelope && plan.mode == run_mode::device) plan.mode = run_mode::envelope_file;
    return plan;
}

// ---- 4. the run ------------------------------------------------------------------------------

/// The device-facing steps of a run. The defaults call the backend; tests/cli/test_cli_flow.cpp
/// replaces them to run everything after a measurement (cache save, outputs, exit code) on a
/// machine without a GPU.
struct device_hooks {
    std::function<aaco::device_info(int)> open = [](int id) { return aaco::probes::open_device(id); };
    std::function<aaco::envelope(int, const aaco::device_info&, const aaco::calibration_options&)> calibrate =
        [](int id, const aaco::device_info& dev, const aaco::calibration_options& c) {
            return aaco::probes::calibrate_device(id, dev, c);
        };
    std::function<void(const aaco::envelope&, const std::string&)> save =
        [](const aaco::envelope& e, const std::string& path) { aaco::save_envelope(e, path); };
    std::function<std::vector<int>()> visible_devices = [] { return aaco::probes::visible_devices(); };
};

/// One HEU line: "HEU 800@150:fp16: 100.2% of 798.7 TFLOP/s attainable (memory-bound by hbm)",
/// plus what it means when the workload is above the roof, naming the roof it exceeds.
std::string heu_line(const aaco::envelope& env, const heu_request& r, aaco::heu_result& res) {
    res = aaco::heu(env, r.tflops, r.ai, r.prec);
    const char* unit = aaco::traits(r.prec).is_integer ? " TOP/s" : " TFLOP/s";
    std::string line = "HEU " + r.text + ": " + aaco::heu_percent_text(res.value) + " of " +
                       figure_text(res.attainable_tflops) + unit + " attainable (" +
                       std::string(to_string(res.b)) + "-bound by " + res.binding_ceiling + ")";
    if (res.above_roof) line += " - " + std::string(aaco::above_roof_meaning(res));
    return line;
}

/// The HEU lines of `env` on `out` ("device N: " before each with `prefix`), and their points
/// for the SVG. A workload that cannot be computed (its figure failed to measure) is reported
/// and makes the result false; the others still print.
bool heu_lines(const aaco::envelope& env, const run_plan& plan, std::ostream& out,
               const std::string& prefix, std::vector<aaco::svg_point>& points) {
    bool all = true;
    for (const heu_request& r : plan.heu) {
        try {
            aaco::heu_result res;
            out << prefix << heu_line(env, r, res) << "\n";
            aaco::svg_point pt{r.text, r.ai, r.tflops, res.value};
            pt.prec = r.prec;
            points.push_back(pt);
        } catch (const aaco::invalid_argument& e) {
            std::cerr << "aaco-calibrate: " << prefix << "--heu '" << r.text << "': " << e.what() << "\n";
            all = false;
        }
    }
    return all;
}

/// One line per figure that makes the envelope unstable (envelope::validation): its key, the
/// relative half width of its median's 95% interval and its CoV.
std::vector<std::string> unstable_figures(const aaco::envelope& env) {
    std::vector<std::string> out;
    auto add = [&](const std::string& key, const aaco::sample_stats& s) {
        if (s.stable) return;
        const double half = s.median != 0 ? 0.5 * (s.median_ci_high - s.median_ci_low) / std::fabs(s.median)
                                          : std::numeric_limits<double>::quiet_NaN();
        out.push_back(key + ": " + std::to_string(s.samples) + " samples, median +-" +
                      aaco::md_detail::percent(half, 2) + " (95%), CoV " + aaco::md_detail::percent(s.cov, 2));
    };
    for (const auto& f : env.compute) add(aaco::export_detail::figure_key(f), f.stats);
    for (const auto& f : env.memory) add(aaco::export_detail::figure_key(f), f.stats);
    for (const auto& f : env.launch)
        if (!aaco::times_the_host(f.mode)) add(aaco::export_detail::figure_key(f), f.stats);
    for (const auto& f : env.latency) add(aaco::export_detail::figure_key(f), f.stats);
    return out;
}

/// Reports one envelope in every format asked for: JSON and markdown first, so that nothing
/// after them can lose a measurement, then the HEU lines and the SVG with their points.
/// Returns the exit code.
int report(const aaco::envelope& env, const run_plan& plan) {
    const aaco_cli::prepared& extra = plan.extra;
    const bool stdout_taken = plan.outputs.stdout_taken() || extra.stdout_taken;
    if (!plan.json_path.empty()) write_output(plan.json_path, aaco::to_json(env));
    if (!plan.markdown_path.empty())
        write_output(plan.markdown_path, aaco::to_markdown(env) + extra.markdown_sections(env));
    extra.write_exports(env);
    // Without --json/--markdown the markdown report is the default, when stdout is free.
    if (plan.json_path.empty() && plan.markdown_path.empty() && !stdout_taken)
        std::cout << aaco::to_markdown(env) << extra.markdown_sections(env);
    else if (plan.markdown_path.empty())
        (stdout_taken ? std::cerr : std::cout) << extra.markdown_sections(env);
    std::vector<aaco::svg_point> points = extra.svg_points(env);
    const bool heu_ok = heu_lines(env, plan, stdout_taken ? std::cerr : std::cout, "", points);
    if (!plan.svg_path.empty()) {
        aaco::svg_options svg;
        aaco::envelope datasheet;
        if (env.source == aaco::envelope_source::measured && !env.profile_key.empty()) {
            datasheet = aaco::datasheet_envelope(aaco::find_profile(env.profile_key));
            svg.datasheet = &datasheet;
        }
        write_output(plan.svg_path, aaco::to_svg(env, points, svg));
    }
    if (!heu_ok) return exit_failure;
    if (env.source == aaco::envelope_source::measured && extra.stability_known() &&
        !env.validation().stable) {
        std::cerr << "aaco-calibrate: some ceilings are unstable (their median is not known to "
                     "within the threshold, or it drifted); the GPU may be shared or throttling:\n";
        for (const std::string& line : unstable_figures(env)) std::cerr << "  " << line << "\n";
        return exit_unstable;
    }
    return exit_ok;
}

/// --sustained SECONDS: a whole number or decimal, finite, > 0 and <= the library's maximum.
double parse_sustained_seconds(const std::string& text) {
    const char* begin = text.c_str();
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    const bool whole = end != begin && *end == '\0';
    try {
        if (!whole) throw aaco::invalid_argument("not a number");
        aaco::calibration_options::check_sustained_seconds(v, false);
    } catch (const aaco::invalid_argument&) {
        throw aaco::invalid_argument("--sustained '" + text + "': expected seconds, a finite number > 0 and <= " +
                                     std::to_string(static_cast<int>(aaco::calibration_options::max_sustained_seconds)) +
                                     " (at most 10 minutes per compute figure)");
    }
    return v;
}

aaco::calibration_options make_calibration_options(const run_plan& plan) {
    aaco::calibration_options c;
    c.quick = plan.quick;
    c.operands = plan.cold ? aaco::operand_mode::zero : aaco::operand_mode::random;
    c.time_budget_seconds = plan.time_budget_seconds;
    c.precisions = plan.precisions;
    c.levels = plan.levels;
    c.sustained_seconds = plan.sustained_seconds;
    if (plan.progress)
        c.progress = [](const aaco::progress_event& e) {
            if (e.status == "running") return;
            char line[160];
            std::snprintf(line, sizeof line, "[%2zu/%zu %6.2fs] %-24s ", e.index, e.total,
                          e.elapsed_seconds, e.key.c_str());
            std::cerr << line << e.status << "\n";
        };
    return c;
}

/// A measured envelope, and why its cache save failed (empty when it did not).
struct measured_envelope {
    aaco::envelope env;
    std::string save_error;
};

/// Measures device `id` through the cache `cache_path` when one is given. Checks the
/// --precision and --heu precisions against the device before measuring. A failed save does not throw: the envelope
/// must still reach the outputs (see keep_envelope).
measured_envelope measure_device(int id, const run_plan& plan, const std::string& cache_path,
                                 const device_hooks& hooks) {
    const aaco::device_info dev = hooks.open(id);
    check_on_card(plan, dev);
    measured_envelope m;
    if (!cache_path.empty()) {
        aaco::cache_policy policy;
        policy.max_age_hours = plan.cache_max_age_hours;
        aaco::cache_outcome outcome;
        if (std::optional<aaco::envelope> cached = aaco::try_load_cache(cache_path, dev, policy, outcome)) {
            std::cerr << "aaco-calibrate: cache " << cache_path << ": hit\n";
            m.env = std::move(*cached);
            return m;
        }
        std::cerr << "aaco-calibrate: cache " << cache_path << ": miss (" << outcome.reason
                  << "), recalibrating\n";
    }
    m.env = hooks.calibrate(id, dev, make_calibration_options(plan));
    if (!cache_path.empty()) {
        try {
            hooks.save(m.env, cache_path);
        } catch (const std::exception& e) {
            m.save_error = e.what();
        }
    }
    return m;
}

/// Keeps an envelope whose cache save failed and that no --json file holds: beside the cache as
/// "<cache>.unsaved-<timestamp>.json", else in the temporary directory; as a last resort its
/// JSON goes to stderr. Says where it went.
void keep_envelope(const aaco::envelope& env, const std::string& cache_path) {
    std::string stamp = env.calibration_timestamp.empty() ? "now" : env.calibration_timestamp;
    for (char& c : stamp)
        if (c == ':') c = '-';
    std::vector<std::string> places{cache_path + ".unsaved-" + stamp + ".json"};
    std::error_code ec;
    const std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
    if (!ec) places.push_back((tmp / ("aaco-envelope-" + stamp + ".json")).string());
    for (const std::string& place : places) {
        try {
            aaco::save_envelope(env, place);
            std::cerr << "aaco-calibrate: the measured envelope is kept in '" << place << "'\n";
            return;
        } catch (const std::exception& e) {
            std::cerr << "aaco-calibrate: " << e.what() << "\n";
        }
    }
    std::cerr << "aaco-calibrate: no file could be written; the measured envelope follows\n"
              << aaco::to_json(env) << "\n";
}

/// After the outputs are written: a failed cache save is reported, the envelope kept if no
/// --json file has it, and the exit code becomes 1.
int settle_save(const measured_envelope& m, const std::string& cache_path, const run_plan& plan,
                int code) {
    if (m.save_error.empty()) return code;
    std::cerr << "aaco-calibrate: the calibration finished, but the cache save failed: "
              << m.save_error << "\n";
    if (plan.json_path.empty() || plan.json_path == "-")
        keep_envelope(m.env, cache_path);
    else
        std::cerr << "aaco-calibrate: the measured envelope is in '" << plan.json_path << "'\n";
    return exit_failure;
}

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
int report_node(const aaco::fleet::node_report& node, const run_plan& plan) {
    std::ostream& text_out = plan.outputs.stdout_taken() || plan.extra.stdout_taken ? std::cerr : std::cout;
    // Outliers are re-measured on their own device before they are flagged.
    const aaco::fleet::fleet_verdicts verdicts = aaco_cli::confirmed_node_verdicts(node, plan.quick);
    std::ostringstream md;
    for (const aaco::envelope& env : node.devices) md << aaco::to_markdown(env) << "\n";
    md << aaco::fleet::node_summary_markdown(node, {}, &verdicts) << "\n";
    if (node.p2p.devices.size() >= 2) md << aaco::fleet::p2p_markdown(node.p2p);
    if (!plan.json_path.empty())
        write_output(plan.json_path, aaco::fleet::to_json(node, {}, &verdicts) + "\n");
    plan.extra.write_node_exports(node, verdicts);
    if (!plan.markdown_path.empty())
        write_output(plan.markdown_path, md.str());
    else
        text_out << md.str();
    int code = exit_ok;
    for (const aaco::envelope& env : node.devices) {
        std::vector<aaco::svg_point> points;
        if (!heu_lines(env, plan, text_out, "device " + std::to_string(env.device.id) + ": ", points))
            code = exit_failure;
        if (!plan.svg_path.empty())
            write_output(per_device_path(plan.svg_path, env.device.id), aaco::to_svg(env, points, {}));
        if (!env.validation().stable && code == exit_ok) code = exit_unstable;
    }
    for (const aaco::failure& f : node.failures)
        std::cerr << "aaco-calibrate: " << f.key << " failed: " << f.reason << "\n";
    if (!node.failures.empty()) code = exit_failure;
    return code;
}

/// `--device all`: calibrates every visible device one after another (each through its own
/// cache file, "cache.devN.json"), then the P2P matrix.
int run_node(const run_plan& plan, const device_hooks& hooks) {
    const std::vector<int> ids = hooks.visible_devices();
    if (ids.empty()) {
#if AACO_BACKEND_NONE
        throw aaco::no_device_error("--device all: this is a host-only build (aaco was built "
                                    "without a GPU backend), so it sees no GPU and cannot "
                                    "calibrate one; rebuild with nvcc (CUDA) or hipcc (HIP) on PATH");
#else
        try {
            (void)hooks.open(0);  // throws the backend's diagnosis of why there is no GPU
        } catch (const aaco::no_device_error& e) {
            throw aaco::no_device_error(std::string("--device all: ") + e.what());
        }
        throw aaco::no_device_error("--device all: no GPU is visible");
#endif
    }
    aaco::probes::node_options n;
    n.calibration = make_calibration_options(plan);
    n.p2p_sampling = plan.quick ? aaco::probes::p2p_config::quick() : aaco::probes::p2p_config{};
    std::vector<std::pair<measured_envelope, std::string>> lost_saves;
    n.measure = [&](int id) {
        const std::string cache = plan.cache_path.empty() ? "" : per_device_path(plan.cache_path, id);
        measured_envelope m = measure_device(id, plan, cache, hooks);
        if (!m.save_error.empty()) lost_saves.emplace_back(m, cache);
        return m.env;
    };
    const aaco::fleet::node_report node = aaco::probes::calibrate_node(ids, n);
    if (node.devices.empty()) {
        std::string why;
        for (const aaco::failure& f : node.failures) why += "; " + f.key + ": " + f.reason;
        throw aaco::no_device_error("--device all: no device could be calibrated" + why);
    }
    int code = report_node(node, plan);
    for (const auto& [m, cache] : lost_saves) code = settle_save(m, cache, plan, code);
    return code;
}

/// --sweep latency: latency versus working set, the knees and the capacities they mark (markdown
/// to stdout; with --json, an envelope holding the device and those capacities).
int run_latency_sweep(const aaco::device_info& dev, const run_plan& plan) {
#if AACO_BACKEND_NONE
    (void)dev, (void)plan;
    return exit_no_gpu_or_args;
#else
    aaco::backend::stream s;
    const auto progress = [&plan](std::size_t i, std::size_t n) {
        if (plan.progress) std::fprintf(stderr, "[%2zu/%zu] latency sweep\n", i, n);
    };
    const aaco::stats::latency_sweep_result r = aaco::probes::run_latency_sweep(dev, s, progress);
    (plan.json_path == "-" ? std::cerr : std::cout) << aaco::latency_sweep_markdown(r);
    if (!plan.json_path.empty()) {
        aaco::envelope env;
        env.calibration_timestamp = aaco::probes::utc_timestamp_now();
        env.device = dev;
        env.capacities = r.capacities;
        write_output(plan.json_path, aaco::to_json(env));
    }
    return exit_ok;
#endif
}

/// --sweep [bandwidth]: read bandwidth versus working set on one device, and the capacity knees
/// in it; --sweep latency: run_latency_sweep.
int run_sweep(const run_plan& plan) {
    const aaco::device_info dev = aaco::probes::open_device(plan.device);  // throws no_device_error
    if (plan.latency_sweep) return run_latency_sweep(dev, plan);
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

/// Runs a checked plan.
int run(const run_plan& plan, const device_hooks& hooks) {
    switch (plan.mode) {
    case run_mode::list_profiles:
        for (const aaco::profile& p : aaco::list_profiles()) {
            char line[160];
            std::snprintf(line, sizeof line, "%-10s %-28s %s\n", std::string(p.key).c_str(),
                          std::string(p.name).c_str(), std::string(p.arch).c_str());
            std::cout << line;
        }
        return exit_ok;
    case run_mode::datasheet:
        return report(filtered_datasheet(*plan.profile, plan.precisions, plan.levels), plan);
    case run_mode::sweep: return run_sweep(plan);
    case run_mode::envelope_file: return report(plan.extra.envelope->env, plan);
    case run_mode::node: return run_node(plan, hooks);
    case run_mode::device: {
        const measured_envelope m = measure_device(plan.device, plan, plan.cache_path, hooks);
        int code = exit_failure;
        try {
            code = report(m.env, plan);
        } catch (...) {
            (void)settle_save(m, plan.cache_path, plan, exit_failure);
            throw;
        }
        return settle_save(m, plan.cache_path, plan, code);
    }
    }
    return exit_failure;
}

/// The fallback datasheet report when no GPU could be measured: the same outputs, HEU and
/// filters, for the --fallback-profile card. Its own errors are reported; the exit code stays 2.
void report_fallback(const run_plan& plan) {
    std::cerr << "aaco-calibrate: printing the datasheet envelope of '" << plan.fallback->key
              << "' instead (not measured)\n";
    try {
        (void)report(filtered_datasheet(*plan.fallback, plan.precisions, plan.levels), plan);
    } catch (const std::exception& e) {
        std::cerr << "aaco-calibrate: " << e.what() << "\n";
    }
}

// ---- 5. parse, validate, run --------------------------------------------------------------

/// The whole tool: parses `argv`, validates, runs with `hooks`, and maps errors to exit codes.
int cli_main(int argc, char** argv, const device_hooks& hooks) {
    CLI::App app{"aaco-calibrate " AACO_VERSION_STRING
                 ": measure a GPU's hardware envelope (compute, memory and launch ceilings) and "
                 "the HEU of workloads against it.\n" +
                 std::string(exit_code_help)};
    cli_options o;
    app.add_option("--device", o.device, "GPU to calibrate: a number, or 'all'")->capture_default_str();
    app.add_flag("--quick", o.quick, "short sampling (about 2 s for a whole calibration)");
    app.add_option("--precision", o.precisions, "comma list: fp64,fp32,tf32,fp16,bf16,fp8,int8, any case (default: all the device has; with --profile, filters the datasheet report)");
    app.add_option("--level", o.levels, "comma list: hbm,l2,llc,shared,h2d,d2h, any case (default: all the device has; with --profile, filters the datasheet report)");
    app.add_option("--json", o.json_path, "write the envelope as JSON to FILE, or - for stdout");
    app.add_option("--markdown", o.markdown_path, "write a markdown report to FILE, or - for stdout");
    app.add_option("--svg", o.svg_path, "write an SVG roofline to FILE, or - for stdout (one stdout document per run)");
    app.add_option("--profile", o.profile, "print the datasheet envelope of a card instead of measuring (see --list-profiles)");
    app.add_option("--fallback-profile", o.fallback_profile, "when no GPU can be measured, print this card's datasheet envelope (exit code stays 2)");
    app.add_flag("--list-profiles", o.list_profiles, "list the datasheet profiles");
    app.add_option("--sweep", o.sweep, "working-set sweep of one device: 'bandwidth' (the default: read bandwidth from 256 KiB to 4x the last-level cache) or 'latency' (pointer-chase latency from 4 KiB to 4x the last-level cache); reports the capacity knees")
        ->expected(0, 1)->default_str("bandwidth")->check(CLI::IsMember({"bandwidth", "latency"}));
    app.add_option("--heu", o.heu, "TFLOPS@AI[:precision]: HEU of a workload (repeatable), e.g. 800@150:fp16");
    app.add_flag("--cold", o.cold, "zero operands in the compute loops (default: random finite values)");
    app.add_option("--cache", o.cache_path, "reuse the envelope in FILE when it matches this device, else recalibrate and replace it (a symbolic link is written through to its target; with --device all, FILE.devN per device)");
    app.add_option("--cache-max-age", o.cache_max_age_hours, "hours a cached envelope stays valid (> 0)")->capture_default_str();
    app.add_option("--time-budget", o.time_budget, "soft limit in seconds for the whole calibration (>= 0; 0 = none)")->capture_default_str();
    app.add_option("--sustained", o.sustained, "after each compute figure, hold it under load for SECONDS (<= 600) and report the steady-state figure beside the burst one")->type_name("SECONDS");
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
    for (const CLI::Option* opt : app.get_options())
        if (opt->count() > 0) o.given.insert(opt->get_name());

    run_plan plan;
    try {
        plan = validate(o);
    } catch (const aaco::invalid_argument& e) {  // a std::invalid_argument, not an aaco::error
        std::cerr << "aaco-calibrate: " << e.what() << "\n";
        return exit_no_gpu_or_args;
    } catch (const aaco::error& e) {
        std::cerr << "aaco-calibrate: " << e.what() << "\n";
        return exit_no_gpu_or_args;
    }
    try {
        return run(plan, hooks);
    } catch (const aaco::no_device_error& e) {
        std::cerr << "aaco-calibrate: " << e.what() << "\n";
        if (plan.fallback)
            report_fallback(plan);
        else
            std::cerr << "aaco-calibrate: use --profile NAME (e.g. --profile mi300x; --list-profiles) "
                         "for a datasheet envelope without a GPU\n";
        return exit_no_gpu_or_args;
    } catch (const aaco::invalid_argument& e) {
        std::cerr << "aaco-calibrate: " << e.what() << "\n";
        return exit_no_gpu_or_args;
    } catch (const aaco::unsupported_arch_error& e) {
        std::cerr << "aaco-calibrate: " << e.what() << "\n";
        return exit_no_gpu_or_args;
    } catch (const std::exception& e) {
        std::cerr << "aaco-calibrate: error: " << e.what() << "\n";
        return exit_failure;
    }
}

} // namespace

#ifndef AACO_CALIBRATE_NO_MAIN  // tests/cli/test_cli_flow.cpp includes this file for cli_main
int main(int argc, char** argv) { return cli_main(argc, argv, {}); }
#endif
