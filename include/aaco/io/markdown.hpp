/// \file markdown.hpp
/// \brief The envelope as a markdown report: device, seed figures, compute / memory / launch
/// tables, per-figure statistics and the failures.
///
/// Every text that comes from the envelope (device name, instruction, method, failure reason) is
/// escaped, so a name containing `|` or `<` cannot break a table or inject HTML. Numbers are
/// formatted in the classic "C" locale whatever the program's global locale is. A figure that is
/// not known prints as "n/a".
#pragma once
#include <aaco/config.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <ios>
#include <locale>
#include <sstream>
#include <string>
#include <string_view>

AACO_NAMESPACE_BEGIN

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

inline std::string compute_section(const envelope& e) {
    std::string s = "## Compute ceilings\n\n";
    if (e.compute.empty()) return s + "No compute ceiling was measured.\n\n";
    s += header({"ceiling", "unit", "roof", "measured TFLOP/s", "datasheet TFLOP/s",
                 "measured / datasheet", "clock MHz", "clock-adjusted peak TFLOP/s",
                 "clock-adjusted efficiency", "CoV", "stable", "operands", "instruction"});
    for (const auto& f : e.compute) {
        const bool roof = e.best_compute(f.prec) == &f;
        s += row({std::string(to_string(f.prec)), std::string(to_string(f.unit)),
                  roof ? "yes" : "", num(f.tflops), num(f.datasheet_tflops),
                  ratio(f.tflops, f.datasheet_tflops), fixed(f.clock_mhz, 0),
                  num(f.clock_adjusted_peak_tflops), ratio(f.tflops, f.clock_adjusted_peak_tflops),
                  percent(f.stats.cov, 2), yes_no(f.stats.stable),
                  std::string(to_string(f.operands)), or_na(f.instruction)});
    }
    return s + "\n";
}

inline std::string memory_section(const envelope& e) {
    std::string s = "## Memory ceilings\n\n";
    if (e.memory.empty()) return s + "No memory ceiling was measured.\n\n";
    s += header({"level", "op", "roof", "measured GB/s", "datasheet GB/s", "measured / datasheet",
                 "working set", "CoV", "stable", "method"});
    for (const auto& f : e.memory) {
        const bool roof = e.best_memory(f.level) == &f;
        s += row({std::string(to_string(f.level)), std::string(to_string(f.op)),
                  roof ? "yes" : "", num(f.gbps), num(f.datasheet_gbps),
                  ratio(f.gbps, f.datasheet_gbps), bytes(f.working_set_bytes),
                  percent(f.stats.cov, 2), yes_no(f.stats.stable), or_na(f.method)});
    }
    return s + "\n";
}

inline std::string launch_section(const envelope& e) {
    std::string s = "## Launch overhead\n\n";
    if (e.launch.empty()) return s + "No launch overhead was measured.\n\n";
    s += header({"mode", "µs per launch", "CoV", "stable", "samples"});
    for (const auto& f : e.launch)
        s += row({std::string(to_string(f.mode)), num(f.us), percent(f.stats.cov, 2),
                  yes_no(f.stats.stable), std::to_string(f.stats.samples)});
    return s + "\n";
}

inline std::string validation_section(const envelope& e) {
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
    s += row({"source", std::string(to_string(e.source))});
    s += row({"calibrated", or_na(e.calibration_timestamp)});
    s += row({"profile", or_na(e.profile_key)});
    s += row({"aaco version", or_na(e.aaco_version)});
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

AACO_NAMESPACE_END

#include <aaco/io/markdown_latency.hpp>
