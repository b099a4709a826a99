/// \file compare.hpp
/// \brief Two envelopes side by side: every figure both have, with the ratio. And a loader that
/// takes an envelope in any format aaco reads: aaco JSON, rocprof-compute's roofline.csv, ERT's
/// roofline.json.
///
/// Rows come in two groups:
///  - **ceilings**, which every format has: the roof per precision and unit
///    ("ceiling.fp16.matrix", the higher of burst and sustained) and per memory level
///    ("ceiling.hbm", the fastest op of the level's roof working set);
///  - **figures**, matched by key ("compute.fp16.matrix", "memory.hbm.read", "launch.device",
///    "latency.l2.near"), only between envelopes that record which op, mode or scope each figure
///    is: a roofline.csv or ERT file records one bandwidth per level and no op, so against one of
///    them only ceilings are compared.
///
/// `ratio` = other / reference. For launch floors and latencies lower is better; the row says so.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/io/export_detail.hpp>
#include <aaco/io/export_ert.hpp>
#include <aaco/io/export_rocprof.hpp>
#include <aaco/io/json.hpp>
#include <aaco/io/markdown.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/roofline.hpp>

#include <cctype>
#include <cmath>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// An envelope read from a file, with what the file could say.
struct loaded_envelope {
    envelope env;
    std::string format;      ///< "aaco-json", "rocprof-csv" or "ert-json"
    bool figures_known = true; ///< false when the format keeps ceilings only (no ops, modes)
    std::vector<std::string> notes;  ///< entries of the file that aaco has no figure for
};

/// Reads the envelope at `path`, recognising the format by its content: a JSON object with
/// "empirical" or "spec" is ERT's roofline.json, any other JSON object an aaco envelope, a text
/// whose first cell is "device" rocprof-compute's roofline.csv. Throws parse_error naming the path
/// and, for an unknown format, the ones accepted.
inline loaded_envelope load_any_envelope(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw parse_error("cannot read envelope '" + path + "'");
    constexpr std::size_t limit = envelope_json_limits::max_input_bytes;
    std::string text;
    char buf[1 << 16];
    while (text.size() <= limit && f.read(buf, sizeof buf).gcount() > 0)
        text.append(buf, static_cast<std::size_t>(f.gcount()));
    if (text.size() > limit)
        throw parse_error("envelope '" + path + "' is larger than " + std::to_string(limit) + " bytes");
    const std::size_t start = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    loaded_envelope out;
    const std::string prefix = "envelope '" + path + "': ";
    try {
        if (start != std::string::npos && text[start] == '{') {
            const nlohmann::json doc = io_detail::parse_text(text);
            if (doc.is_object() && (doc.contains("empirical") || doc.contains("spec")) && !doc.contains("aaco")) {
                ert_roofline r = read_ert_json(text);
                out.env = std::move(r.empirical);
                out.format = "ert-json";
                out.figures_known = false;
                out.notes = std::move(r.ignored);
            } else {
                out.env = envelope_from_json_value(doc);
                out.format = "aaco-json";
            }
            return out;
        }
        std::string head = text.substr(start == std::string::npos ? 0 : start, 6);
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (head == "device" || head.rfind("devid", 0) == 0) {
            rocprof_roofline r = read_rocprof_csv(text, -1, "roofline.csv '" + path + "'");
            out.env = std::move(r.env);
            out.format = "rocprof-csv";
            out.figures_known = false;
            out.notes = std::move(r.ignored);
            return out;
        }
    } catch (const parse_error& e) {
        const std::string what = e.what();
        throw parse_error(what.rfind("roofline.csv '", 0) == 0 ? what : prefix + what);
    }
    throw parse_error(prefix + "unknown format (expected an aaco envelope JSON, rocprof-compute's "
                      "roofline.csv or ERT's roofline.json)");
}

/// One figure both envelopes have.
struct compare_row {
    std::string figure;         ///< "ceiling.fp16.matrix", "memory.hbm.read", ...
    std::string unit;           ///< "TFLOP/s", "TOP/s", "GB/s", "us", "ns"
    double reference = 0;
    double other = 0;
    double ratio = 0;           ///< other / reference
    bool lower_is_better = false;
    bool ceiling = false;       ///< a ceiling row (every format has these)
};

namespace compare_detail {

inline void add(std::vector<compare_row>& rows, std::string figure, std::string unit, double a, double b,
                bool lower, bool ceiling) {
    if (!std::isfinite(a) || !std::isfinite(b) || a <= 0 || b < 0) return;
    rows.push_back({std::move(figure), std::move(unit), a, b, b / a, lower, ceiling});
}

inline std::string compute_unit_name(precision p) { return traits(p).is_integer ? "TOP/s" : "TFLOP/s"; }

} // namespace compare_detail

/// Every figure `reference` and `other` share (see the file comment). `figures` false compares
/// ceilings only (what a roofline.csv or ERT file allows).
inline std::vector<compare_row> compare_envelopes(const envelope& reference, const envelope& other,
                                                  bool figures = true) {
    using compare_detail::add;
    std::vector<compare_row> rows;
    for (precision p : all_precisions)
        for (compute_unit u : {compute_unit::matrix, compute_unit::vector}) {
            const compute_figure* a = export_detail::ceiling_figure(reference, p, u);
            const compute_figure* b = export_detail::ceiling_figure(other, p, u);
            if (a && b)
                add(rows, "ceiling." + ceiling_name(p, u), compare_detail::compute_unit_name(p), a->roof_tflops(),
                    b->roof_tflops(), false, true);
        }
    for (memory_level l : bandwidth_memory_levels) {
        const memory_figure* a = export_detail::ceiling_figure(reference, l);
        const memory_figure* b = export_detail::ceiling_figure(other, l);
        if (a && b) add(rows, "ceiling." + std::string(to_string(l)), "GB/s", a->gbps, b->gbps, false, true);
    }
    if (!figures) return rows;
    for (const compute_figure& a : reference.compute)
        for (const compute_figure& b : other.compute)
            if (export_detail::figure_key(a) == export_detail::figure_key(b)) {
                add(rows, export_detail::figure_key(a), compare_detail::compute_unit_name(a.prec), a.tflops, b.tflops,
                    false, false);
                break;
            }
    for (const memory_figure& a : reference.memory)
        for (const memory_figure& b : other.memory)
            if (export_detail::figure_key(a) == export_detail::figure_key(b)) {
                add(rows, export_detail::figure_key(a), "GB/s", a.gbps, b.gbps, false, false);
                break;
            }
    for (const launch_figure& a : reference.launch)
        if (const launch_figure* b = other.find_launch(a.mode))
            add(rows, export_detail::figure_key(a), "us", a.us, b->us, true, false);
    for (const latency_figure& a : reference.latency)
        for (const latency_figure& b : other.latency)
            if (a.level == b.level && a.scope == b.scope) {
                add(rows, export_detail::figure_key(a), "ns", a.ns, b.ns, true, false);
                break;
            }
    return rows;
}

/// The comparison as markdown: one table, ceilings first, with both labels in the header.
inline std::string compare_markdown(const std::vector<compare_row>& rows, const std::string& reference_label,
                                    const std::string& other_label) {
    using md_detail::escape;
    using md_detail::num;
    std::string out = "## Comparison: " + escape(other_label) + " against " + escape(reference_label) + "\n\n";
    if (rows.empty()) return out + "No figure is in both envelopes.\n";
    out += md_detail::header({"figure", "unit", escape(reference_label), escape(other_label),
                              "ratio (" + escape(other_label) + " / " + escape(reference_label) + ")"});
    for (const compare_row& r : rows)
        out += md_detail::row({r.figure, r.unit + (r.lower_is_better ? " (lower is better)" : ""), num(r.reference),
                               num(r.other), md_detail::fixed(r.ratio, 3)});
    return out;
}

AACO_PORTABLE_NAMESPACE_END
