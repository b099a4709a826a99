/// \file knees.hpp
/// \brief Capacity knees in a bandwidth-versus-working-set sweep (host-only, pure).
///
/// A cache level shows up in a sweep as a plateau that ends where the working set stops fitting:
/// bandwidth falls to the next level's plateau. A knee is reported between two consecutive sizes
/// when the bandwidth after them stays below `drop` x the running plateau before them.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
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

/// Knees of a sweep sorted by working set. `drop` in (0, 1): a point below drop x the current
/// plateau's median starts a new plateau (default 0.8: a 20% fall; the measured L2/HBM step on an
/// H200 is ~3x, the L2 near/far-partition step ~0.75). Throws invalid_argument on unsorted
/// sizes, non-finite or non-positive bandwidths, or `drop` outside (0, 1).
inline std::vector<knee> find_knees(const std::vector<sweep_point>& sweep, double drop = 0.8) {
    if (!(drop > 0 && drop < 1))
        throw invalid_argument("aaco::stats::find_knees: drop must be in (0, 1), got " + std::to_string(drop));
    for (std::size_t i = 0; i < sweep.size(); ++i) {
        if (!(std::isfinite(sweep[i].gbps) && sweep[i].gbps > 0))
            throw invalid_argument("aaco::stats::find_knees: point " + std::to_string(i) +
                                   " has a non-positive or non-finite bandwidth");
        if (i > 0 && sweep[i].working_set_bytes <= sweep[i - 1].working_set_bytes)
            throw invalid_argument("aaco::stats::find_knees: working sets must increase strictly (point " +
                                   std::to_string(i) + ")");
    }
    std::vector<knee> knees;
    std::vector<double> plateau;  // bandwidths of the current plateau
    auto median_of = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        const std::size_t n = v.size();
        return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    };
    for (std::size_t i = 0; i < sweep.size(); ++i) {
        if (!plateau.empty()) {
            const double level = median_of(plateau);
            if (sweep[i].gbps < drop * level) {
                knees.push_back({sweep[i - 1].working_set_bytes, sweep[i].working_set_bytes, level, sweep[i].gbps});
                plateau.clear();
            }
        }
        plateau.push_back(sweep[i].gbps);
    }
    return knees;
}

} // namespace stats
AACO_PORTABLE_NAMESPACE_END
