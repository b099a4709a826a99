/// \file markdown.hpp
/// \brief The envelope as a markdown report: device, seed figures, compute / memory / launch
/// tables, per-figure statistics and the failures.
///
/// Every text that comes from the envelope (device name, instruction, method, failure reason) is
/// escaped, so a name containing `|` or `<` cannot break a table or inject HTML. Numbers are
/// formatted in the classic "C" locale whatever the program's global locale is. A figure that is
/// not known prints as "n/a".
///
/// A datasheet envelope (`--profile`) shows only what a datasheet says: the printed peaks with
/// the clock they assume, the HBM figure, the card's name, arch, units and caches. It has no
/// measured column, no statistics, no operands, no device identity (id, UUID, PCI, driver,
/// ECC) and no calibration time; precisions the card has no unit for are listed as "not on
/// this card" (from the FLOPs-per-clock tables in model/profiles.hpp).
#pragma once
#include <aaco/config.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>
#include <aaco/model/profiles.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <ios>
#include <locale>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

AACO_PORTABLE_NAMESPACE_BEGIN

namespace md_detail {

/// `v` with `decimals` digits after the point; "n/a" for NaN or infinity.
inline std::string fixed(double v, int decimals) {
    if (!std::isfinite(v)) return "n/a";
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s.setf(std::ios::fixed);
    s.precision(decimals);
    s << v;
    return s.str();
}

/// A figure with as many decimals as its magnitude deserves (989.4, 23.15, 2.500 -> "2.500").
inline std::string num(double v) {
    const double a = std::fabs(v);
    return fixed(v, a >= 100 ? 1 : a >= 1 ? 2 : 3);
}

/// A fraction as a percentage ("80.0%").
inline std::string percent(double fraction, int decimals = 1) {
    return std::isfinite(fraction) ? fixed(100.0 * fraction, decimals) + "%" : "n/a";
}

inline std::string ratio(double measured, double reference) {
    if (!std::isfinite(measured) || !std::isfinite(reference) || reference <= 0) return "n/a";
    return percent(measured / reference);
}

/// Bytes in binary units ("50.0 MiB"); "n/a" for 0 (= not known).
inline std::string bytes(std::uint64_t b) {
    if (b == 0) return "n/a";
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        ++u;
    }
    return u == 0 ? std::to_string(b) + " B" : fixed(v, 1) + " " + units[u];
}

inline bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Escapes text for a markdown table cell or list item: backslash-escapes the characters that
/// start markup (CommonMark allows a backslash before any ASCII punctuation), turns line breaks
/// and other control characters into spaces. An underscore inside a word ("sm_90") is left
/// alone, since it cannot open emphasis there, to keep the raw file readable.
inline std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const auto uc = static_cast<unsigned char>(c);
        if (uc < 0x20 || uc == 0x7f) {
            out += ' ';
        } else if (c == '_') {
            const bool inside = i > 0 && i + 1 < text.size() && is_alnum(text[i - 1]) &&
                                is_alnum(text[i + 1]);
            out += inside ? "_" : "\\_";
        } else if (std::string_view("\\`*[]<>|#&!~").find(c) != std::string_view::npos) {
            out += '\\';
            out += c;
        } else {
            out += c;
        }
    }
    return out;
}

inline std::string or_na(std::string_view s) { return s.empty() ? "n/a" : escape(s); }

inline std::string yes_no(bool b) { return b ? "yes" : "no"; }

/// One table row from cells.
inline std::string row(std::initializer_list<std::string> cells) {
    std::string r = "|";
    for (const auto& c : cells) r += " " + c + " |";
    return r + "\n";
}

inline std::string header(std::initializer_list<std::string> cells) {
    std::string sep = "|";
    for (std::size_t i = 0; i < cells.size(); ++i) sep += "---|";
    return row(cells) + sep + "\n";
}

inline std::string stats_row(const std::string& figure, const sample_stats& s, int decimals) {
    return row({figure, std::to_string(s.samples), fixed(s.median, decimals),
                fixed(s.min, decimals), fixed(s.max, decimals), fixed(s.stdev, decimals + 1),
                percent(s.cov, 2), fixed(s.iqr, decimals + 1), fixed(s.measured_seconds, 3),
                std::to_string(s.iterations), yes_no(s.stable)});
}

inline bool is_datasheet(const envelope& e) { return e.source == envelope_source::datasheet; }

inline std::string device_section(const envelope& e) {
    const device_info& d = e.device;
    std::string s = "## Device\n\n" + header({"field", "value"});
    s += row({"name", or_na(d.name)});
    s += row({"vendor", or_na(d.vendor)});
    s += row({"architecture", or_na(d.arch)});
    s += row({"compute units (CUs/SMs)", d.compute_units > 0 ? std::to_string(d.compute_units)
                                                             : "n/a"});
    s += row({"max clock", d.max_clock_mhz > 0 ? fixed(d.max_clock_mhz, 0) + " MHz" : "n/a"});
    s += row({"L2 cache", bytes(d.l2_bytes)});
    s += row({"last-level cache", bytes(d.llc_bytes)});
    s += row({"device memory", bytes(d.memory_bytes)});
    s += row({"shared memory / LDS per unit", bytes(d.shared_bytes_per_unit)});
    if (is_datasheet(e)) return s + "\n";  // identity and versions belong to a device in hand
    s += row({"device id", d.id >= 0 ? std::to_string(d.id) : "n/a"});
    s += row({"UUID", or_na(d.uuid)});
    s += row({"PCI bus id", or_na(d.pci_bus_id)});
    s += row({"driver version", d.driver_version > 0 ? std::to_string(d.driver_version) : "n/a"});
    s += row({"runtime version",
              d.runtime_version > 0 ? std::to_string(d.runtime_version) : "n/a"});
    s += row({"ECC", !d.ecc ? "n/a" : *d.ecc ? "on" : "off"});
    return s + "\n";
}

inline std::string seed_section(const envelope& e) {
    auto roof_c = [&](precision p) {
        const compute_figure* f = e.best_compute(p);
        return f ? num(f->tflops) + " TFLOP/s" : "n/a";
    };
    auto roof_m = [&](memory_level l) {
        const memory_figure* f = e.best_memory(l);
        return f ? num(f->gbps) + " GB/s" : "n/a";
    };
    const launch_figure* l = e.find_launch(launch_mode::async);
    std::string s = "## Envelope\n\n" + header({"ceiling", "value"});
    s += row({"FP16 compute", roof_c(precision::fp16)});
    s += row({"FP32 compute", roof_c(precision::fp32)});
    s += row({"HBM bandwidth", roof_m(memory_level::hbm)});
    s += row({"L2 bandwidth", roof_m(memory_level::l2)});
    s += row({"launch overhead (async)", l ? num(l->us) + " µs" : "n/a"});
    return s + "\n";
}

/// A per-launch efficiency as "median (min-max)", "n/a" without one.
inline std::string efficiency_cell(const sample_stats& eff) {
    if (!eff.measured()) return "n/a";
    return percent(eff.median) + " (" + fixed(100.0 * eff.min, 1) + "-" + percent(eff.max) + ")";
}

inline std::string operands_cell(const compute_figure& f) {
    const std::string mode(to_string(f.operands));
    return f.operand_distribution.empty() || f.operand_distribution == mode
               ? mode
               : mode + " (" + escape(f.operand_distribution) + ")";
}

/// "mean / max" of two values with `decimals`, "n/a" when the mean is unknown.
inline std::string mean_max(double mean, double max, int decimals) {
    if (!std::isfinite(mean)) return "n/a";
    return fixed(mean, decimals) + " / " + fixed(max, decimals);
}

/// "mean (min-max)", "n/a" when unknown.
inline std::string mean_range(double mean, double lo, double hi, int decimals) {
    if (!std::isfinite(mean)) return "n/a";
    return fixed(mean, decimals) + " (" + fixed(lo, decimals) + "-" + fixed(hi, decimals) + ")";
}

inline std::string range_cell(double lo, double hi, int decimals) {
    if (!std::isfinite(lo)) return "n/a";
    return lo == hi ? fixed(lo, decimals) : fixed(lo, decimals) + "-" + fixed(hi, decimals);
}

inline std::string throttle_cell(const telemetry_summary& t) {
    if (t.throttle_reasons.empty()) return t.throttle_reasons_read ? "none" : "n/a";
    std::string out;
    for (const auto& r : t.throttle_reasons) out += (out.empty() ? "" : ", ") + escape(r);
    return out;
}

/// Power-limited as measured: yes / no / n/a (no telemetry, or nothing to judge from).
inline std::string power_limited_cell(const telemetry_summary& t) {
    const std::optional<bool> p = t.power_limited();
    return p ? yes_no(*p) : "n/a";
}

inline std::string telemetry_header() {
    return header({"figure", "polls", "power mean / max W", "power limit W", "power-limited",
                   "SM clock MHz mean (min-max)", "memory clock MHz", "temperature °C",
                   "throttle reasons"});
}

inline std::string telemetry_row(const std::string& figure, const telemetry_summary& t) {
    return row({figure, std::to_string(t.readings), mean_max(t.power_mean_w, t.power_max_w, 0),
                fixed(t.power_limit_w, 0), power_limited_cell(t),
                mean_range(t.sm_clock_mean_mhz, t.sm_clock_min_mhz, t.sm_clock_max_mhz, 0),
                fixed(t.memory_clock_mhz, 0),
                range_cell(t.temperature_min_c, t.temperature_max_c, 0), throttle_cell(t)});
}

inline std::string sustained_label(const sustained_figure& s) {
    return "sustained " + fixed(s.seconds, s.seconds >= 10 ? 0 : 1) + " s";
}

inline std::string compute_figure_name(const compute_figure& f) {
    return std::string(to_string(f.prec)) + " " + std::string(to_string(f.unit));
}

/// Board telemetry of every compute figure (burst and sustained), or why there is none.
inline std::string compute_telemetry(const envelope& e) {
    bool any = false;
    for (const auto& f : e.compute)
        any = any || f.telemetry.available() || (f.sustained && f.sustained->telemetry.available());
    std::string s;
    if (any) {
        s += "Board telemetry while each figure was sampled (power-limited: a power-cap throttle "
             "reason was reported, or the mean power was within 5% of the limit):\n\n";
        s += telemetry_header();
        for (const auto& f : e.compute) {
            s += telemetry_row(compute_figure_name(f), f.telemetry);
            if (f.sustained)
                s += telemetry_row(compute_figure_name(f) + ", " + sustained_label(*f.sustained),
                                   f.sustained->telemetry);
        }
        s += "\n";
    }
    if (!e.telemetry_note.empty()) s += "Telemetry: " + escape(e.telemetry_note) + "\n\n";
    else if (!any && e.source == envelope_source::measured)
        s += "Telemetry: none recorded.\n\n";
    return s;
}

/// "Not on this card (gfx908 has no unit for them): tf32, fp8." for the precisions `e`'s arch has
/// no unit for; empty for an arch aaco does not know.
inline std::string not_on_card_line(const envelope& e) {
    if (!is_known_arch(e.device.arch)) return {};
    std::string list;
    for (precision p : all_precisions)
        if (flops_per_clock(e.device.arch, p, compute_unit::matrix) <= 0 &&
            flops_per_clock(e.device.arch, p, compute_unit::vector) <= 0)
            list += (list.empty() ? "" : ", ") + std::string(to_string(p));
    if (list.empty()) return {};
    return "Not on this card (" + escape(e.device.arch) + " has no unit for them): " + list + ".\n\n";
}

/// The datasheet's compute peaks: the figure, the clock it assumes, and how it is reached.
inline std::string datasheet_compute_section(const envelope& e) {
    std::string s = "## Compute ceilings (datasheet)\n\n";
    if (e.compute.empty()) return s + "The datasheet gives no compute figure.\n\n" + not_on_card_line(e);
    bool any_integer = false;
    for (const auto& f : e.compute) any_integer = any_integer || traits(f.prec).is_integer;
    s += header({"ceiling", "unit", "roof",
                 any_integer ? "datasheet TFLOP/s (int8: TOP/s)" : "datasheet TFLOP/s",
                 "at clock MHz", "source"});
    for (const auto& f : e.compute) {
        const bool roof = e.best_compute(f.prec) == &f;
        s += row({std::string(to_string(f.prec)), std::string(to_string(f.unit)), roof ? "yes" : "",
                  num(f.tflops), fixed(f.clock_mhz, 0), or_na(f.instruction)});
    }
    return s + "\n" + not_on_card_line(e);
}

inline std::string compute_section(const envelope& e) {
    if (is_datasheet(e)) return datasheet_compute_section(e);
    std::string s = "## Compute ceilings\n\n";
    if (e.compute.empty()) return s + "No compute ceiling was measured.\n\n";
    s += header({"ceiling", "unit", "roof", "measured TFLOP/s", "datasheet TFLOP/s",
                 "measured / datasheet", "clock MHz", "clock-adjusted peak TFLOP/s",
                 "per-launch efficiency: median (min-max)", "CoV", "stable", "operands",
                 "instruction"});
    for (const auto& f : e.compute) {
        const bool roof = e.best_compute(f.prec) == &f;
        const bool sustained_is_roof = roof && f.sustained && f.sustained->tflops > f.tflops;
        s += row({std::string(to_string(f.prec)), std::string(to_string(f.unit)),
                  roof && !sustained_is_roof ? "yes" : "", num(f.tflops), num(f.datasheet_tflops),
                  ratio(f.tflops, f.datasheet_tflops), fixed(f.clock_mhz, 0),
                  num(f.clock_adjusted_peak_tflops), efficiency_cell(f.clock_adjusted_efficiency),
                  percent(f.stats.cov, 2), yes_no(f.stats.stable), operands_cell(f),
                  or_na(f.instruction)});
        if (!f.sustained) continue;
        // Beside the burst figure: the steady state of the same kernel, held under load. Its
        // peak is the burst figure's scaled to the sustained clock (same units x FLOPs/clk).
        const sustained_figure& h = *f.sustained;
        const double peak = f.clock_adjusted_peak_tflops / f.clock_mhz * h.clock_mhz;
        s += row({std::string(to_string(f.prec)),
                  std::string(to_string(f.unit)) + ", " + sustained_label(h),
                  sustained_is_roof ? "yes" : "", num(h.tflops), num(f.datasheet_tflops),
                  ratio(h.tflops, f.datasheet_tflops), fixed(h.clock_mhz, 0), num(peak),
                  efficiency_cell(h.efficiency), percent(h.stats.cov, 2), yes_no(h.stats.stable),
                  operands_cell(f), or_na(f.instruction)});
    }
    s += "\n";
    return s + compute_telemetry(e);
}

/// The datasheet's bandwidth figures (one raw figure per level; no op, no working set).
inline std::string datasheet_memory_section(const envelope& e) {
    std::string s = "## Memory ceilings (datasheet)\n\n";
    if (e.memory.empty()) return s + "The datasheet gives no bandwidth figure.\n\n";
    s += header({"level", "datasheet GB/s", "source"});
    for (const auto& f : e.memory)
        if (e.best_memory(f.level) == &f)
            s += row({std::string(to_string(f.level)), num(f.gbps), or_na(f.method)});
    return s + "\n";
}

inline std::string memory_section(const envelope& e) {
    if (is_datasheet(e)) return datasheet_memory_section(e);
    std::string s = "## Memory ceilings\n\n";
    if (e.memory.empty()) return s + "No memory ceiling was measured.\n\n";
    // scope + working set label each figure: "roof" (the level's ceiling working set, for L2
    // the near-partition plateau on H100/H200) or "whole" (3/4 of the whole L2).
    s += header({"level", "op", "roof", "measured GB/s", "datasheet GB/s", "measured / datasheet",
                 "scope", "working set", "CoV", "stable", "method"});
    bool any_telemetry = false;
    for (const auto& f : e.memory) {
        const bool roof = e.best_memory(f.level) == &f;
        any_telemetry = any_telemetry || f.telemetry.available();
        s += row({std::string(to_string(f.level)), std::string(to_string(f.op)),
                  roof ? "yes" : "", num(f.gbps), num(f.datasheet_gbps),
                  ratio(f.gbps, f.datasheet_gbps), std::string(to_string(f.scope)),
                  bytes(f.working_set_bytes),
                  percent(f.stats.cov, 2), yes_no(f.stats.stable), or_na(f.method)});
    }
    s += "\n";
    if (!any_telemetry) return s;
    s += "Board telemetry while each figure was sampled:\n\n" + telemetry_header();
    for (const auto& f : e.memory)
        s += telemetry_row(std::string(to_string(f.level)) + " " + std::string(to_string(f.op)),
                           f.telemetry);
    return s + "\n";
}

inline std::string launch_section(const envelope& e) {
    std::string s = "## Launch overhead\n\n";
    if (is_datasheet(e) && e.launch.empty()) return s + "A datasheet gives no launch overhead.\n\n";
    if (e.launch.empty()) return s + "No launch overhead was measured.\n\n";
    s += header({"mode", "µs per launch", "CoV", "stable", "samples"});
    for (const auto& f : e.launch)
        s += row({std::string(to_string(f.mode)), num(f.us), percent(f.stats.cov, 2),
                  yes_no(f.stats.stable), std::to_string(f.stats.samples)});
    return s + "\n";
}

inline std::string validation_section(const envelope& e) {
    if (is_datasheet(e))
        return "## Validation\n\nNot measured: a datasheet envelope has no samples and no "
               "statistics.\n\n";
    const validation_summary v = e.validation();
    std::string s = "## Validation\n\n" + header({"statistic", "value"});
    s += row({"iterations timed", std::to_string(v.iterations)});
    s += row({"worst CoV", percent(v.cov, 2)});
    s += row({"stable", yes_no(v.stable)});
    s += "\n";
    if (e.compute.empty() && e.memory.empty() && e.launch.empty()) return s;
    s += "Per-figure statistics (in each figure's unit):\n\n";
    s += header({"figure", "samples", "median", "min", "max", "stdev", "CoV", "IQR",
                 "measured s", "iterations", "stable"});
    for (const auto& f : e.compute)
        s += stats_row("compute " + std::string(to_string(f.prec)) + " " +
                           std::string(to_string(f.unit)) + " (TFLOP/s)",
                       f.stats, 1);
    for (const auto& f : e.memory)
        s += stats_row("memory " + std::string(to_string(f.level)) + " " +
                           std::string(to_string(f.op)) + " (GB/s)",
                       f.stats, 1);
    for (const auto& f : e.launch)
        s += stats_row("launch " + std::string(to_string(f.mode)) + " (µs)", f.stats, 3);
    return s + "\n";
}

inline std::string failures_section(const envelope& e) {
    std::string s = "## Failures\n\n";
    if (e.failures.empty()) return s + "None.\n";
    for (const auto& f : e.failures) s += "- " + escape(f.key) + ": " + escape(f.reason) + "\n";
    return s;
}

/// The latency and capacity sections (io/markdown_latency.hpp, included at the end).
inline std::string latency_section(const envelope& e);

} // namespace md_detail

/// The envelope as a markdown report (GitHub-flavoured tables).
inline std::string to_markdown(const envelope& e) {
    using namespace md_detail;
    std::string s = "# Hardware envelope: " + or_na(e.device.name) + "\n\n";
    s += header({"", ""});
    s += row({"source", is_datasheet(e) ? "datasheet (the vendor's printed peaks, not measured)"
                                        : std::string(to_string(e.source))});
    if (!is_datasheet(e)) s += row({"calibrated", or_na(e.calibration_timestamp)});
    s += row({"profile", or_na(e.profile_key)});
    s += row({"aaco version", or_na(e.aaco_version)});
    if (!is_datasheet(e))
        s += row({"calibration wall time",
                  e.calibration_wall_seconds > 0 ? fixed(e.calibration_wall_seconds, 1) + " s"
                                                 : "n/a"});
    s += "\n";
    s += device_section(e);
    s += seed_section(e);
    s += compute_section(e);
    s += memory_section(e);
    s += launch_section(e);
    s += latency_section(e);
    s += validation_section(e);
    s += failures_section(e);
    return s;
}

AACO_PORTABLE_NAMESPACE_END

#include <aaco/io/markdown_latency.hpp>
