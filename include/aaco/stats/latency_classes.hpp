/// \file latency_classes.hpp
/// \brief Splits per-load latencies into a low and a high class (host-only, pure): how the
/// latency probe tells the near from the far L2 partition of an H100/H200 (probes/latency.hpp).
///
/// A random walk through a working set that fills much of a two-partition L2 meets lines in the
/// partition next to the chasing SM and lines in the other one; per load, the first cost a few
/// hundred cycles less. Timed one by one, the loads form two clusters. The split is the exact
/// one-dimensional two-means: of all thresholds between sorted values, the one with the least
/// within-class sum of squares (a linear scan over prefix sums).
///
/// Loads far above the bulk (an interrupt, a TLB miss, a miss to memory) would otherwise pull
/// the split towards themselves; values above `outlier_factor` x the median are left out first
/// and counted. A split is accepted only when the classes' medians differ by at least
/// `min_ratio` and each class holds at least `min_share` of the kept values; otherwise the
/// values are one class.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace stats {

/// Thresholds of split_latency_classes().
struct latency_class_config {
    /// Untuned: chosen because the near/far L2 difference reported for Hopper is ~1.5x or more,
    /// while the spread of one class is a few percent.
    double min_ratio = 1.2;
    /// Untuned: chosen because each partition holds about half of the lines; 5% rules out a
    /// handful of stray loads being called a class.
    double min_share = 0.05;
    /// Untuned: chosen because a class 4x above the median is a miss to memory, not an L2 hit.
    double outlier_factor = 4.0;
};

/// The two classes of a set of per-load latencies (in the values' unit).
struct latency_classes {
    bool split = false;          ///< two classes were found (see latency_class_config)
    std::size_t kept = 0;        ///< values used (outliers left out)
    std::size_t outliers = 0;    ///< values above outlier_factor x the median, left out
    double threshold = std::numeric_limits<double>::quiet_NaN(); ///< high class: values > threshold
    double low_median = std::numeric_limits<double>::quiet_NaN();
    double high_median = std::numeric_limits<double>::quiet_NaN(); ///< NaN without a split
    double low_share = std::numeric_limits<double>::quiet_NaN();   ///< fraction of kept values
};

namespace class_detail {
/// Median of the ascending range [first, last), which is not empty.
inline double sorted_median(const std::vector<double>& v, std::size_t first, std::size_t last) {
    const std::size_t n = last - first;
    const std::size_t mid = first + n / 2;
    return n % 2 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}
} // namespace class_detail

/// Splits `values` (per-load latencies, any positive unit) into two classes; see the file
/// header. Throws invalid_argument for no values, a value that is not finite and positive, or
/// a config outside its range (min_ratio > 1, min_share in (0, 0.5], outlier_factor > 1).
inline latency_classes split_latency_classes(std::vector<double> values, const latency_class_config& cfg = {}) {
    constexpr const char* fn = "aaco::stats::split_latency_classes";
    if (values.empty()) throw invalid_argument(std::string(fn) + ": no values");
    if (!(cfg.min_ratio > 1) || !(cfg.min_share > 0 && cfg.min_share <= 0.5) || !(cfg.outlier_factor > 1))
        throw invalid_argument(std::string(fn) +
                               ": config needs min_ratio > 1, min_share in (0, 0.5], outlier_factor > 1");
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!(std::isfinite(values[i]) && values[i] > 0))
            throw invalid_argument(std::string(fn) + ": value " + std::to_string(i) + " is " +
                                   std::to_string(values[i]) + ", expected a finite positive latency");
    std::sort(values.begin(), values.end());
    latency_classes out;
    const double median = class_detail::sorted_median(values, 0, values.size());
    const auto cut = std::upper_bound(values.begin(), values.end(), cfg.outlier_factor * median);
    out.outliers = static_cast<std::size_t>(values.end() - cut);
    values.erase(cut, values.end());
    const std::size_t n = values.size();
    out.kept = n;
    out.low_median = class_detail::sorted_median(values, 0, n);
    out.low_share = 1.0;
    if (n < 2) return out;

    // prefix[i] = sum of values[0, i), prefix2 likewise of squares.
    std::vector<double> prefix(n + 1, 0.0), prefix2(n + 1, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        prefix[i + 1] = prefix[i] + values[i];
        prefix2[i + 1] = prefix2[i] + values[i] * values[i];
    }
    auto sse = [&](std::size_t a, std::size_t b) { // within-class sum of squares of [a, b)
        const double m = static_cast<double>(b - a);
        const double s = prefix[b] - prefix[a];
        return (prefix2[b] - prefix2[a]) - s * s / m;
    };
    std::size_t best = 0;
    double best_sse = std::numeric_limits<double>::infinity();
    for (std::size_t i = 1; i < n; ++i) { // low = [0, i), high = [i, n)
        if (values[i] == values[i - 1]) continue; // equal values stay in one class
        const double e = sse(0, i) + sse(i, n);
        if (e < best_sse) {
            best_sse = e;
            best = i;
        }
    }
    if (best == 0) return out; // all values equal
    const double low = class_detail::sorted_median(values, 0, best);
    const double high = class_detail::sorted_median(values, best, n);
    const double share = static_cast<double>(best) / static_cast<double>(n);
    if (high < cfg.min_ratio * low || share < cfg.min_share || 1.0 - share < cfg.min_share) return out;
    out.split = true;
    out.threshold = values[best - 1];
    out.low_median = low;
    out.high_median = high;
    out.low_share = share;
    return out;
}

} // namespace stats
AACO_PORTABLE_NAMESPACE_END
