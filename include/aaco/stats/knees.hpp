/// \file knees.hpp
/// \brief Capacity knees in a bandwidth- or latency-versus-working-set sweep, and the cache
/// level each latency knee belongs to (host-only, pure).
///
/// A cache level shows up in a sweep as a plateau that ends where the working set stops fitting:
/// bandwidth falls (latency rises) to the next level's plateau. A knee is reported between two
/// consecutive sizes when the value after them leaves the running plateau before them by more
/// than a factor (`drop` for bandwidth, `rise` for latency).
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace stats {

/// One point of a sweep.
struct sweep_point {
    std::uint64_t working_set_bytes = 0;
    double gbps = 0;
};

/// A capacity knee: the last size on the faster plateau and the first size past it.
struct knee {
    std::uint64_t last_fast_bytes = 0;   ///< largest working set still on the plateau
    std::uint64_t first_slow_bytes = 0;  ///< smallest working set past it
    double plateau_gbps = 0;             ///< median bandwidth of the plateau before the knee
    double after_gbps = 0;               ///< bandwidth at first_slow_bytes
};

namespace knee_detail {

/// Median of `v` (taken by value: it is sorted here).
inline double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Throws invalid_argument unless `value` is finite and positive and `bytes` increases strictly
/// over `previous` (point `i` of the sweep checked by `function`).
inline void check_sweep_point(const char* function, std::size_t i, std::uint64_t bytes,
                              std::uint64_t previous, double value, const char* what) {
    if (!(std::isfinite(value) && value > 0))
        throw invalid_argument(std::string(function) + ": point " + std::to_string(i) +
                               " has a non-positive or non-finite " + what);
    if (i > 0 && bytes <= previous)
        throw invalid_argument(std::string(function) + ": working sets must increase strictly (point " +
                               std::to_string(i) + ")");
}

/// Where a sweep leaves a plateau: the index of the first point past each knee and the median
/// of the plateau before it. A point for which `departs(value, plateau median)` is true starts
/// a new plateau.
struct plateau_step {
    std::size_t first_past = 0;
    double plateau = 0;
};

template <class Departs>
std::vector<plateau_step> plateau_steps(const std::vector<double>& values, Departs departs) {
    std::vector<plateau_step> steps;
    std::vector<double> plateau; // values of the current plateau
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!plateau.empty()) {
            const double level = median_of(plateau);
            if (departs(values[i], level)) {
                steps.push_back({i, level});
                plateau.clear();
            }
        }
        plateau.push_back(values[i]);
    }
    return steps;
}

} // namespace knee_detail

/// Knees of a sweep sorted by working set. `drop` in (0, 1): a point below drop x the current
/// plateau's median starts a new plateau (default 0.8: a 20% fall; the measured L2/HBM step on an
/// H200 is ~3x, the L2 near/far-partition step ~0.75). Throws invalid_argument on unsorted
/// sizes, non-finite or non-positive bandwidths, or `drop` outside (0, 1).
inline std::vector<knee> find_knees(const std::vector<sweep_point>& sweep, double drop = 0.8) {
    if (!(drop > 0 && drop < 1))
        throw invalid_argument("aaco::stats::find_knees: drop must be in (0, 1), got " + std::to_string(drop));
    std::vector<double> values;
    for (std::size_t i = 0; i < sweep.size(); ++i) {
        knee_detail::check_sweep_point("aaco::stats::find_knees", i, sweep[i].working_set_bytes,
                                  i > 0 ? sweep[i - 1].working_set_bytes : 0, sweep[i].gbps, "bandwidth");
        values.push_back(sweep[i].gbps);
    }
    std::vector<knee> knees;
    for (const knee_detail::plateau_step& st :
         knee_detail::plateau_steps(values, [drop](double v, double level) { return v < drop * level; }))
        knees.push_back({sweep[st.first_past - 1].working_set_bytes, sweep[st.first_past].working_set_bytes,
                         st.plateau, sweep[st.first_past].gbps});
    return knees;
}

// ---- latency sweeps: latency rises where a level's capacity ends ----------------------------

/// One point of a latency sweep (probes/latency.hpp): the load-to-use latency of a dependent
/// chase through a working set of `working_set_bytes`.
struct latency_point {
    std::uint64_t working_set_bytes = 0;
    double ns = 0;  ///< one thread: median nanoseconds per load
    double cycles = std::numeric_limits<double>::quiet_NaN();  ///< the same in SM/CU cycles
    /// One warp/wavefront, every lane on its own chain: nanoseconds per (32- or 64-address) load.
    /// NaN when not measured.
    double warp_ns = std::numeric_limits<double>::quiet_NaN();
};

/// A capacity knee of a latency sweep: the last working set on the lower plateau and the first
/// past it.
struct latency_knee {
    std::uint64_t last_fast_bytes = 0;   ///< largest working set still on the plateau
    std::uint64_t first_slow_bytes = 0;  ///< smallest working set past it
    double plateau_ns = 0;               ///< median latency of the plateau before the knee
    double after_ns = 0;                 ///< median latency of the plateau after it (up to the next knee)
};

/// Knees of a latency sweep sorted by working set. `rise` > 1: a point above rise x the current
/// plateau's median starts a new plateau (default 1.25; the steps between cache levels are 1.5x
/// to 10x, the noise of a chase's median well under 1%).
///
/// A cache does not stop serving at one size: between "all hits" and "all misses" one or two
/// points of a sweep lie part-way up. Such a point would start a one-point plateau, and the next
/// point, fully up, a second knee. A plateau of one point is therefore taken as part of the
/// transition: its knee and the next are merged into one, which keeps the first knee's bounds
/// (where the rise began, i.e. where the capacity ends) and reports the later plateau's value as
/// `after_ns`. Throws invalid_argument on unsorted sizes, non-finite or non-positive latencies,
/// or `rise` <= 1 (or not finite).
inline std::vector<latency_knee> find_latency_knees(const std::vector<latency_point>& sweep, double rise = 1.25) {
    if (!(rise > 1 && std::isfinite(rise)))
        throw invalid_argument("aaco::stats::find_latency_knees: rise must be > 1, got " + std::to_string(rise));
    std::vector<double> values;
    for (std::size_t i = 0; i < sweep.size(); ++i) {
        knee_detail::check_sweep_point("aaco::stats::find_latency_knees", i, sweep[i].working_set_bytes,
                                  i > 0 ? sweep[i - 1].working_set_bytes : 0, sweep[i].ns, "latency");
        values.push_back(sweep[i].ns);
    }
    const std::vector<knee_detail::plateau_step> steps =
        knee_detail::plateau_steps(values, [rise](double v, double level) { return v > rise * level; });
    // Each knee: its bounds, and the index range [after_begin, after_end) of the plateau after it.
    struct span {
        latency_knee knee;
        std::size_t after_begin, after_end;
    };
    std::vector<span> spans;
    for (const knee_detail::plateau_step& st : steps) {
        if (!spans.empty() && st.first_past == spans.back().after_begin + 1) {
            // One-point plateau: part of the previous knee's transition.
            spans.back().after_begin = st.first_past;
            spans.back().after_end = values.size();
            continue;
        }
        if (!spans.empty()) spans.back().after_end = st.first_past;
        latency_knee k;
        k.last_fast_bytes = sweep[st.first_past - 1].working_set_bytes;
        k.first_slow_bytes = sweep[st.first_past].working_set_bytes;
        k.plateau_ns = st.plateau;
        spans.push_back({k, st.first_past, values.size()});
    }
    std::vector<latency_knee> knees;
    for (span& sp : spans) {
        sp.knee.after_ns = knee_detail::median_of(
            std::vector<double>(values.begin() + static_cast<std::ptrdiff_t>(sp.after_begin),
                                values.begin() + static_cast<std::ptrdiff_t>(sp.after_end)));
        knees.push_back(sp.knee);
    }
    return knees;
}

/// Names the knees of a latency sweep of device `dev` after the cache whose capacity each one
/// marks, as capacity figures (method "latency sweep") beside the sizes the device query reports:
/// - L1: the first knee, when it ends at or below 1 MiB (L1 / vector caches are 16-256 KiB; the
///   smallest L2 of the parts aaco knows is 4 MiB). The query reports no L1 size (queried 0).
/// - L2: of the other knees, the one whose geometric middle is nearest (by ratio) to the queried
///   L2 size `l2_bytes`, within a factor of 4. Pass the size one chasing thread can use: on
///   MI300 that is one XCD's 4 MiB, not the aggregate.
/// - LLC: likewise for `llc_bytes` (0: no such level, none is named).
/// A knee near no known capacity (e.g. the step between the two L2 partitions of an H100/H200)
/// is left unnamed; the sweep report lists every knee.
inline std::vector<capacity_figure> name_capacities(const std::vector<latency_knee>& knees,
                                                    std::uint64_t l2_bytes, std::uint64_t llc_bytes) {
    std::vector<capacity_figure> out;
    std::vector<bool> used(knees.size(), false);
    auto figure = [](memory_level level, const latency_knee& k, std::uint64_t queried) {
        capacity_figure c;
        c.level = level;
        c.low_bytes = k.last_fast_bytes;
        c.high_bytes = k.first_slow_bytes;
        c.queried_bytes = queried;
        c.method = "latency sweep";
        return c;
    };
    constexpr std::uint64_t l1_limit_bytes = std::uint64_t{1} << 20;
    if (!knees.empty() && knees.front().first_slow_bytes <= l1_limit_bytes) {
        out.push_back(figure(memory_level::l1, knees.front(), 0));
        used[0] = true;
    }
    auto nearest = [&](std::uint64_t queried) -> int {
        int best = -1;
        double best_ratio = 4.0; // farther than 4x is not this level
        for (std::size_t i = 0; i < knees.size(); ++i) {
            if (used[i]) continue;
            const double middle = std::sqrt(static_cast<double>(knees[i].last_fast_bytes) *
                                            static_cast<double>(knees[i].first_slow_bytes));
            const double q = static_cast<double>(queried);
            const double ratio = middle > q ? middle / q : q / middle;
            if (ratio <= best_ratio) {
                best_ratio = ratio;
                best = static_cast<int>(i);
            }
        }
        return best;
    };
    for (const auto& [level, queried] : {std::pair<memory_level, std::uint64_t>{memory_level::l2, l2_bytes},
                                         std::pair<memory_level, std::uint64_t>{memory_level::llc, llc_bytes}}) {
        if (queried == 0) continue;
        const int i = nearest(queried);
        if (i < 0) continue;
        used[static_cast<std::size_t>(i)] = true;
        out.push_back(figure(level, knees[static_cast<std::size_t>(i)], queried));
    }
    return out;
}

/// What a latency sweep measured on one device (probes/latency.hpp), for the report.
struct latency_sweep_result {
    std::string device_name;
    std::string arch;
    std::vector<latency_point> points;
    std::vector<latency_knee> knees;
    std::vector<capacity_figure> capacities; ///< the knees named after their cache level
    unsigned warp_lanes = 0;   ///< lanes of the warp/wavefront variant (0: not measured)
    std::string method;        ///< the chase: instruction, stride, layout
};

} // namespace stats
AACO_PORTABLE_NAMESPACE_END
