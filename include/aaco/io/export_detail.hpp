/// \file export_detail.hpp
/// \brief What every exporter shares: locale-free numbers, the figure that stands for a ceiling,
/// the 95% interval of a figure's samples, figure keys and ISO-8601 timestamps.
///
/// Host-only (model/ and std only). Each exporter (export_rocprof.hpp, export_ert.hpp,
/// export_prometheus.hpp, export_csv.hpp) includes this; io/export.hpp routes between them.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>

#include <cmath>
#include <cstdint>
#include <ios>
#include <limits>
#include <locale>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace export_detail {

inline double nan_value() { return std::numeric_limits<double>::quiet_NaN(); }

/// `v` with `significant` significant digits in the classic "C" locale ("163400", "1.2345e-07").
/// Twelve digits keep every measured figure (four or five meaningful digits) exact through a
/// GB/s <-> TB/s or TFLOP/s <-> GFLOP/s conversion while staying readable. Callers never pass a
/// non-finite value: an unknown figure is left out of every export.
inline std::string number(double v, int significant = 12) {
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s.precision(significant);
    s << v;
    return s.str();
}

/// The compute figure that stands for the ceiling of `p` on `u`: the one with the highest roof
/// (burst or sustained) among the figures of that precision and unit, as make_roofline() picks
/// it, so an export shows the same ceiling aaco's own HEU uses. nullptr when none was measured.
inline const compute_figure* ceiling_figure(const envelope& e, precision p, compute_unit u) {
    const compute_figure* best = nullptr;
    for (const compute_figure& f : e.compute)
        if (f.prec == p && f.unit == u && std::isfinite(f.roof_tflops()) && f.roof_tflops() > 0 &&
            (!best || f.roof_tflops() > best->roof_tflops()))
            best = &f;
    return best;
}

/// The statistics behind a compute figure's roof: the sustained figure's when it is the roof,
/// else the burst figure's (both in TFLOP/s).
inline const sample_stats& roof_stats(const compute_figure& f) {
    return f.sustained && f.sustained->tflops > f.tflops ? f.sustained->stats : f.stats;
}

/// The memory figure that stands for the bandwidth ceiling of level `l`: the fastest op among
/// the figures of the level's roof working set (`memory_scope::roof`). The whole-cache figures
/// are reported beside the roof, never as it. nullptr when none was measured.
inline const memory_figure* ceiling_figure(const envelope& e, memory_level l) {
    const memory_figure* best = nullptr;
    for (const memory_figure& f : e.memory)
        if (f.level == l && f.scope == memory_scope::roof && std::isfinite(f.gbps) && f.gbps > 0 &&
            (!best || f.gbps > best->gbps))
            best = &f;
    return best;
}

/// The ends of the central 95% of a figure's samples, in the figure's unit.
struct sample_interval {
    double low = nan_value();
    double high = nan_value();
    /// True when the ends are the 2.5th/97.5th percentiles; false when they fell back to the
    /// samples' minimum and maximum (a wider interval), or when there is none.
    bool percentiles = false;
    bool known() const { return std::isfinite(low) && std::isfinite(high); }
};

/// The 95% interval of the samples behind `s`: `p2_5`/`p97_5` where they were computed (also
/// when they were read from another tool's file, which keeps no sample count), else the minimum
/// and maximum of the samples (which contain the central 95% and are never narrower, so the
/// fallback over- rather than under-states the spread). Unknown (NaN) for a figure with neither
/// (a datasheet figure): nothing is invented.
inline sample_interval interval_of(const sample_stats& s) {
    sample_interval i;
    if (std::isfinite(s.p2_5) && std::isfinite(s.p97_5) && s.p97_5 >= s.p2_5) {
        i.low = s.p2_5;
        i.high = s.p97_5;
        i.percentiles = true;
    } else if (s.measured() && std::isfinite(s.min) && std::isfinite(s.max) && s.max >= s.min) {
        i.low = s.min;
        i.high = s.max;
    }
    return i;
}

/// "compute.fp16.matrix" (".zero" appended for a zero-operand figure).
inline std::string figure_key(const compute_figure& f) {
    std::string k = "compute." + std::string(to_string(f.prec)) + "." + std::string(to_string(f.unit));
    if (f.operands == operand_mode::zero) k += ".zero";
    return k;
}

/// "memory.hbm.read" (".whole" appended for a whole-cache figure).
inline std::string figure_key(const memory_figure& f) {
    std::string k = "memory." + std::string(to_string(f.level)) + "." + std::string(to_string(f.op));
    if (f.scope == memory_scope::whole) k += ".whole";
    return k;
}

/// "launch.device".
inline std::string figure_key(const launch_figure& f) { return "launch." + std::string(to_string(f.mode)); }

/// "latency.l2" or "latency.l2.near".
inline std::string figure_key(const latency_figure& f) {
    std::string k = "latency." + std::string(to_string(f.level));
    if (!f.scope.empty()) k += "." + f.scope;
    return k;
}

/// Seconds since 1970-01-01 of an ISO-8601 UTC timestamp "YYYY-MM-DDTHH:MM:SSZ" (the form aaco
/// writes; fractional seconds and a "+00:00" offset are accepted). nullopt for anything else.
inline std::optional<std::int64_t> epoch_seconds(std::string_view ts) {
    auto digits = [&](std::size_t at, std::size_t n, int& out) {
        if (at + n > ts.size()) return false;
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (ts[i] < '0' || ts[i] > '9') return false;
            v = v * 10 + (ts[i] - '0');
        }
        out = v;
        return true;
    };
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!digits(0, 4, y) || ts.size() < 20 || ts[4] != '-' || !digits(5, 2, mo) || ts[7] != '-' ||
        !digits(8, 2, d) || (ts[10] != 'T' && ts[10] != ' ') || !digits(11, 2, h) ||
        ts[13] != ':' || !digits(14, 2, mi) || ts[16] != ':' || !digits(17, 2, s))
        return std::nullopt;
    std::size_t i = 19;
    if (i < ts.size() && ts[i] == '.')
        for (++i; i < ts.size() && ts[i] >= '0' && ts[i] <= '9'; ++i) {
        }
    const std::string_view zone = ts.substr(i);
    if (zone != "Z" && zone != "+00:00") return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
    // Days from the civil date (proleptic Gregorian), H. Hinnant's algorithm.
    const int yy = y - (mo <= 2 ? 1 : 0);
    const int era = yy / 400;
    const int yoe = yy - era * 400;
    const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + s;
}

} // namespace export_detail
AACO_PORTABLE_NAMESPACE_END
