// aaco-calibrate's bridges to other tools: --export FORMAT:FILE (rocprof-compute, ERT, Prometheus,
// CSV), --envelope FILE, --ncu REPORT.csv and --compare FILE. Everything is checked and loaded by
// prepare() before any device work, so a typo or a bad file costs no calibration (exit 2).
#pragma once
#include "fleet_remeasure.hpp"

#include <aaco/fleet.hpp>
#include <aaco/io/compare.hpp>
#include <aaco/io/export.hpp>
#include <aaco/io/ncu.hpp>
#include <aaco/model/profiles.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace aaco_cli {

/// The options as given on the command line.
struct extra_options {
    std::vector<std::string> exports;
    std::string envelope_path;
    std::string ncu_path;
    std::string compare_path;
};

inline void add_extra_options(CLI::App& app, extra_options& x) {
    app.add_option("--export", x.exports,
                   "FORMAT:FILE, repeatable; FORMAT rocprof-csv (rocprof-compute's roofline.csv), ert-json "
                   "(ERT's roofline.json), prometheus (node_exporter textfile), csv (one row per figure); FILE - "
                   "for stdout (one document: at most one output may be -)");
    app.add_option("--envelope", x.envelope_path,
                   "use the envelope in FILE (aaco JSON, roofline.csv or ERT roofline.json) instead of measuring");
    app.add_option("--ncu", x.ncu_path,
                   "HEU of every kernel of an Nsight Compute report exported with ncu --csv --page raw (metrics: README)");
    app.add_option("--compare", x.compare_path,
                   "print every figure the envelope shares with the one in FILE (aaco JSON, roofline.csv, "
                   "roofline.json), with the ratio");
}

/// This host's name for the Prometheus `host` label ("" when it cannot be read).
inline std::string this_host() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

/// "roof.json" -> "roof.dev1.json" (one file per device in node mode).
inline std::string per_device(const std::string& path, int id) {
    const auto slash = path.find_last_of('/');
    const auto dot = path.find_last_of('.');
    const std::string tag = ".dev" + std::to_string(id);
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return path + tag;
    return path.substr(0, dot) + tag + path.substr(dot);
}

/// Everything checked and loaded before measuring.
struct prepared {
    std::vector<aaco::export_target> exports;
    std::optional<aaco::loaded_envelope> envelope;  ///< --envelope
    std::optional<aaco::ncu_profile> ncu;
    std::string ncu_path;
    std::optional<aaco::loaded_envelope> compare;
    std::string compare_path;
    std::string envelope_path;
    std::string host = this_host();
    bool stdout_taken = false;  ///< an export writes to stdout

    /// False for an --envelope read from roofline.csv or roofline.json: those files keep no
    /// statistics, so whether the figures were stable is unknown (not "unstable").
    bool stability_known() const { return !envelope || envelope->figures_known; }

    /// The label of the envelope in the comparison header.
    std::string label(const aaco::envelope& e) const {
        if (envelope) return envelope_path;
        if (e.source == aaco::envelope_source::datasheet) return "datasheet " + e.profile_key;
        return "measured " + e.device.name;
    }

    /// The ncu kernel table and the comparison, as markdown sections ("" when neither was asked).
    std::string markdown_sections(const aaco::envelope& e) const {
        std::string out;
        if (ncu) out += "\n" + aaco::ncu_markdown(aaco::analyze_ncu(*ncu, e));
        if (compare) {
            out += "\n" + aaco::compare_markdown(aaco::compare_envelopes(e, compare->env, compare->figures_known),
                                                 label(e), compare_path);
            if (!compare->figures_known)
                out += "\n" + compare_path + " is a " + compare->format +
                       " file: it records one ceiling per level and precision, so only ceilings are compared.\n";
        }
        return out;
    }

    /// The kernels of --ncu as points of the SVG roofline (one per memory level).
    std::vector<aaco::svg_point> svg_points(const aaco::envelope& e) const {
        if (!ncu) return {};
        return aaco::ncu_svg_points(aaco::analyze_ncu(*ncu, e));
    }

    /// Writes every --export of one envelope. A target that fails (an unwritable path, a format
    /// that can hold none of the figures) does not stop the others; then aaco::error names them.
    void write_exports(const aaco::envelope& e) const {
        if (exports.empty()) return;
        aaco::envelope ds;
        aaco::export_options opt;
        opt.host = host;
        if (e.source == aaco::envelope_source::measured && !e.profile_key.empty())
            if (const aaco::profile* p = aaco::try_find_profile(e.profile_key)) {
                ds = aaco::datasheet_envelope(*p);
                opt.datasheet = &ds;
            }
        std::string failed;
        for (const aaco::export_target& t : exports) {
            try {
                if (t.format == aaco::export_format::rocprof_csv) note_omissions(e, t);
                write(t, aaco::export_envelope(e, t.format, opt));
            } catch (const std::exception& ex) {
                failed += std::string(failed.empty() ? "" : "; ") + "--export " + std::string(aaco::to_string(t.format)) +
                          ":" + t.path + ": " + ex.what();
            }
        }
        if (!failed.empty()) throw aaco::error(failed);
    }

    /// Writes every --export of a node: Prometheus and CSV hold every device (and the node's
    /// verdict gauges), roofline.csv one row per device, ERT one file per device.
    void write_node_exports(const aaco::fleet::node_report& node, const aaco::fleet::fleet_verdicts& v) const {
        for (const aaco::export_target& t : exports) {
            switch (t.format) {
            case aaco::export_format::prometheus: {
                aaco::prometheus::writer w;
                aaco::prometheus_options po;
                po.host = node.host;
                for (const aaco::envelope& e : node.devices) aaco::add_prometheus(w, e, po);
                const std::vector<aaco::fleet::fleet_record> records = aaco::fleet::node_records(node);
                aaco::fleet::add_prometheus(w, records.data(), records.size(), v);
                write(t, w.str());
                break;
            }
            case aaco::export_format::csv: {
                std::string text;
                for (const aaco::envelope& e : node.devices) {
                    const std::string one = aaco::to_csv(e);
                    text += text.empty() ? one : one.substr(one.find('\n') + 1);
                }
                write(t, text.empty() ? aaco::to_csv(aaco::envelope{}) : text);
                break;
            }
            case aaco::export_format::rocprof_csv:
                write(t, rocprof_rows(node.devices));
                break;
            case aaco::export_format::ert_json:
                for (const aaco::envelope& e : node.devices) {
                    aaco::export_target one = t;
                    if (!t.to_stdout()) one.path = per_device(t.path, e.device.id);
                    prepared single = *this;
                    single.exports = {one};
                    single.write_exports(e);
                }
                break;
            }
        }
    }

private:
    static void write(const aaco::export_target& t, const std::string& text) {
        if (t.to_stdout()) {
            std::cout << text << std::flush;
            return;
        }
        aaco::write_file_atomically(t.path, text);
    }

    static void note_omissions(const aaco::envelope& e, const aaco::export_target& t) {
        const std::vector<std::string> left = aaco::rocprof_omissions(e);
        if (left.empty()) return;
        std::string list;
        for (const std::string& k : left) list += (list.empty() ? "" : ", ") + k;
        std::fprintf(stderr, "aaco-calibrate: rocprof-csv %s: no roofline.csv column for %s (left out)\n",
                     t.path.c_str(), list.c_str());
    }

    /// One roofline.csv with a row per device: the union of their columns, each row with empty
    /// cells where its device has no figure (rocprof-compute needs equal row lengths).
    static std::string rocprof_rows(const std::vector<aaco::envelope>& devices) {
        std::vector<std::string> header{"device"};
        std::vector<std::vector<std::pair<std::string, std::string>>> rows;
        for (const aaco::envelope& e : devices) {
            std::string one;
            try {
                one = aaco::to_rocprof_csv(e);
            } catch (const aaco::invalid_argument& ex) {  // a device without any roofline.csv figure
                std::fprintf(stderr, "aaco-calibrate: rocprof-csv: device %d left out: %s\n", e.device.id, ex.what());
                continue;
            }
            aaco::csv::reader in(one, "roofline.csv");
            std::vector<std::string> h, r;
            in.next(h);
            in.next(r);
            std::vector<std::pair<std::string, std::string>> cells;
            for (std::size_t i = 0; i < h.size(); ++i) {
                cells.emplace_back(h[i], r[i]);
                if (std::find(header.begin(), header.end(), h[i]) == header.end()) header.push_back(h[i]);
            }
            rows.push_back(std::move(cells));
        }
        // Keep rocprof-compute's column order: the order of the column table.
        std::vector<std::string> ordered{"device"};
        for (const auto& c : aaco::rocprof_detail::columns)
            for (const char* suffix : {"", "Low", "High"}) {
                const std::string name = std::string(c.name) + suffix;
                if (std::find(header.begin(), header.end(), name) != header.end()) ordered.push_back(name);
            }
        std::string out = aaco::csv::row(ordered);
        for (const auto& cells : rows) {
            std::vector<std::string> line;
            for (const std::string& col : ordered) {
                std::string v;
                for (const auto& [k, x] : cells)
                    if (k == col) v = x;
                line.push_back(v);
            }
            out += aaco::csv::row(line);
        }
        return out;
    }
};

/// What the run does besides these options.
struct run_kind {
    bool profile = false;  ///< --profile gives the envelope
    bool node = false;     ///< --device all
    bool sweep = false;    ///< --sweep
};

/// Checks and loads --export, --envelope, --ncu and --compare. `other_outputs`: the other options
/// that write output, with their paths ("-" = stdout). Throws aaco::invalid_argument (exit 2)
/// naming the option and the value.
inline prepared prepare(const extra_options& x, const std::vector<std::pair<std::string, std::string>>& other_outputs,
                        run_kind kind) {
    const bool profile_given = kind.profile, node_mode = kind.node;
    if (kind.sweep && (!x.exports.empty() || !x.envelope_path.empty() || !x.ncu_path.empty() || !x.compare_path.empty()))
        throw aaco::invalid_argument("--sweep reports a working-set sweep: --export, --envelope, --ncu and --compare "
                                     "do not apply to it");
    prepared p;
    std::vector<std::string> to_stdout;
    for (const auto& [option, path] : other_outputs)
        if (path == "-") to_stdout.push_back(option + " -");
    for (const std::string& spec : x.exports) {
        p.exports.push_back(aaco::parse_export_target(spec));
        if (p.exports.back().to_stdout()) {
            to_stdout.push_back("--export " + spec);
            p.stdout_taken = true;
        }
    }
    // Standard output carries one document: two exports to "-" would be concatenated into a file
    // no parser of either format can read, so that is refused (README: one run per format, or files).
    if (to_stdout.size() > 1) {
        std::string list;
        for (const std::string& s : to_stdout) list += (list.empty() ? "" : ", ") + s;
        throw aaco::invalid_argument(list + ": more than one output to stdout; stdout carries one document. "
                                     "Write the others to files (e.g. --export ert-json:roofline.json) or run "
                                     "once per format");
    }
    if (node_mode) {
        if (!x.ncu_path.empty() || !x.compare_path.empty() || !x.envelope_path.empty())
            throw aaco::invalid_argument("--ncu, --compare and --envelope take one envelope: give --device N, not --device all");
        for (const aaco::export_target& t : p.exports)
            if (t.format == aaco::export_format::ert_json && t.to_stdout())
                throw aaco::invalid_argument("--export ert-json:- with --device all: ERT's roofline.json holds one "
                                             "device; give a FILE (one per device: FILE.devN.json)");
    }
    auto load = [](const std::string& option, const std::string& path) {
        try {
            return aaco::load_any_envelope(path);
        } catch (const aaco::parse_error& e) {
            throw aaco::invalid_argument(option + " '" + path + "': " + e.what());
        }
    };
    if (!x.envelope_path.empty()) {
        if (profile_given)
            throw aaco::invalid_argument("--envelope and --profile both give the envelope: use one of them");
        p.envelope = load("--envelope", x.envelope_path);
        p.envelope_path = x.envelope_path;
    }
    if (!x.compare_path.empty()) {
        p.compare = load("--compare", x.compare_path);
        p.compare_path = x.compare_path;
    }
    if (!x.ncu_path.empty()) {
        try {
            p.ncu = aaco::load_ncu_csv(x.ncu_path);
        } catch (const aaco::parse_error& e) {
            throw aaco::invalid_argument(std::string("--ncu: ") + e.what());
        }
        p.ncu_path = x.ncu_path;
    }
    return p;
}

/// The verdicts of a measured node, every outlier re-measured on its own device first.
inline aaco::fleet::fleet_verdicts confirmed_node_verdicts(const aaco::fleet::node_report& node, bool quick) {
    const std::vector<aaco::fleet::fleet_record> records = aaco::fleet::node_records(node);
    return aaco::fleet::judge_fleet(records, {}, [&](const aaco::fleet::fleet_record& r, aaco::fleet::ceiling c) {
        for (const aaco::envelope& e : node.devices)
            if (e.device.id == r.device_id) return aaco_tools::remeasure_ceiling(r.device_id, c, e, quick);
        throw aaco::error("device " + std::to_string(r.device_id) + " has no envelope");
    });
}

} // namespace aaco_cli
