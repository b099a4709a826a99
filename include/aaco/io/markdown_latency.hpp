/// \file markdown_latency.hpp
/// \brief The latency part of the markdown report: each level's load-to-use latency with its
/// statistics and the bytes in flight its bandwidth needs (Little's law), the capacities a sweep
/// found beside the queried ones, and the report of a latency sweep.
///
/// io/markdown.hpp's to_markdown() calls latency_section(); include either header.
#pragma once
#include <aaco/config.hpp>
#include <aaco/io/markdown.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/stats/knees.hpp>

#include <cmath>
#include <limits>
#include <string>

AACO_PORTABLE_NAMESPACE_BEGIN

/// Little's law: the bytes that must be in flight to sustain `gbps` (1e9 bytes/s) when each
/// access takes `latency_ns`: latency x bandwidth (1e-9 s x 1e9 B/s = 1 byte per ns x GB/s).
/// NaN when either is unknown (not finite or not positive).
inline double bytes_in_flight(double latency_ns, double gbps) {
    if (!(std::isfinite(latency_ns) && latency_ns > 0 && std::isfinite(gbps) && gbps > 0))
        return std::numeric_limits<double>::quiet_NaN();
    return latency_ns * gbps;
}

namespace md_detail {

/// A byte count that may be fractional and large ("3.84 MB" style, binary units as elsewhere).
inline std::string bytes_approx(double b) {
    if (!std::isfinite(b)) return "n/a";
    return bytes(static_cast<std::uint64_t>(std::llround(b)));
}

/// "## Latency" (every latency figure, its bytes in flight and statistics) and "## Capacities"
/// (what sweeps found, beside the device query). Both say so when the envelope has none.
inline std::string latency_section(const envelope& e) {
    std::string s = "## Latency\n\n";
    if (e.latency.empty()) {
        s += "No latency was measured.\n\n";
    } else {
        s += "Load-to-use latency of a dependent pointer chase (one thread; loop overhead subtracted). "
             "Bytes in flight = latency x the level's bandwidth roof (Little's law): what a kernel must "
             "keep outstanding to reach that bandwidth, for the whole device and per SM/CU.\n\n";
        s += header({"level", "scope", "ns", "cycles", "clock MHz", "working set", "stride", "bandwidth GB/s",
                     "bytes in flight", "per SM/CU", "CoV", "stable", "method"});
        const int units = e.device.compute_units;
        for (const latency_figure& f : e.latency) {
            const memory_figure* bw = e.best_memory(f.level);
            const double gbps = bw ? bw->gbps : std::numeric_limits<double>::quiet_NaN();
            const double flight = bytes_in_flight(f.ns, gbps);
            s += row({std::string(to_string(f.level)), or_na(f.scope), num(f.ns), num(f.cycles),
                      fixed(f.clock_mhz, 0), bytes(f.working_set_bytes),
                      f.stride_bytes ? std::to_string(f.stride_bytes) + " B" : "n/a", num(gbps),
                      bytes_approx(flight), units > 0 ? bytes_approx(flight / units) : "n/a",
                      percent(f.stats.cov, 2), yes_no(f.stats.stable), or_na(f.method)});
        }
        s += "\nLatency statistics:\n\n";
        s += header({"figure", "samples", "median", "min", "max", "stdev", "CoV", "IQR", "measured s",
                     "iterations", "stable"});
        for (const latency_figure& f : e.latency) {
            const std::string name =
                "latency " + std::string(to_string(f.level)) + (f.scope.empty() ? "" : " " + escape(f.scope));
            s += stats_row(name + " (ns)", f.stats, 1);
            if (f.cycle_stats.measured()) s += stats_row(name + " (cycles)", f.cycle_stats, 1);
        }
        s += "\n";
    }
    s += "## Capacities\n\n";
    if (e.capacities.empty()) return s + "No capacity was measured (run `aaco-calibrate --sweep latency`).\n\n";
    s += header({"level", "ends between", "queried", "method"});
    for (const capacity_figure& c : e.capacities)
        s += row({std::string(to_string(c.level)), bytes(c.low_bytes) + " and " + bytes(c.high_bytes),
                  bytes(c.queried_bytes), or_na(c.method)});
    return s + "\n";
}

} // namespace md_detail

/// The report of a latency sweep: latency against working set (one thread, and one
/// warp/wavefront with every lane on its own chain), the knees found, and the capacities they
/// mark beside the device query.
inline std::string latency_sweep_markdown(const stats::latency_sweep_result& r) {
    using namespace md_detail;
    std::string s = "# Latency sweep: " + or_na(r.device_name) + " (" + or_na(r.arch) + ")\n\n";
    s += escape(r.method) + ".\n\n";
    const std::string warp = r.warp_lanes ? "1 warp (" + std::to_string(r.warp_lanes) + " lanes) ns" : "1 warp ns";
    s += header({"working set", "1 thread ns", "1 thread cycles", warp});
    for (const stats::latency_point& p : r.points)
        s += row({bytes(p.working_set_bytes), num(p.ns), num(p.cycles), num(p.warp_ns)});
    s += "\nKnees (latency above 1.25x the plateau before them):\n\n";
    if (r.knees.empty()) s += "- none\n";
    for (const stats::latency_knee& k : r.knees)
        s += "- between " + bytes(k.last_fast_bytes) + " and " + bytes(k.first_slow_bytes) + ": " + num(k.plateau_ns) +
             " -> " + num(k.after_ns) + " ns\n";
    s += "\nCapacities:\n\n";
    if (r.capacities.empty()) return s + "- none named (no knee near a known cache size)\n";
    s += header({"level", "ends between", "queried"});
    for (const capacity_figure& c : r.capacities)
        s += row({std::string(to_string(c.level)), bytes(c.low_bytes) + " and " + bytes(c.high_bytes),
                  bytes(c.queried_bytes)});
    return s;
}

AACO_PORTABLE_NAMESPACE_END
