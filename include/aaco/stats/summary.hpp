/// \file summary.hpp
/// \brief Summary statistics of repeated timing samples (host-only).
///
/// A probe takes many samples of one figure (TFLOP/s, GB/s or microseconds) and reports their
/// median, min and coefficient of variation, never a single run (design.md section 4).
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/units.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace stats {

/// Running mean and variance (Welford's update): numerically stable in one pass, and shared by
/// `summarize` and `stopping_rule` so both report bit-identical mean/stdev for the same stream.
class running_moments {
public:
    void add(double x) {
        ++n_;
        const double delta = x - mean_;
        mean_ += delta / static_cast<double>(n_);
        m2_ += delta * (x - mean_);
    }
    std::size_t count() const noexcept { return n_; }
    double mean() const noexcept { return mean_; }
    /// Sample standard deviation (divides by n - 1); 0 with fewer than 2 samples.
    double stdev() const noexcept {
        return n_ < 2 ? 0.0 : std::sqrt(m2_ / static_cast<double>(n_ - 1));
    }
    /// stdev / |mean|; 0 when every sample is 0, +inf when the mean is 0 but the spread not.
    double cov() const noexcept { return ratio(stdev(), mean_); }

    /// `spread / |center|` with the conventions of cov().
    static double ratio(double spread, double center) noexcept {
        if (spread == 0) return 0.0;
        if (center == 0) return std::numeric_limits<double>::infinity();
        return spread / std::fabs(center);
    }

private:
    std::size_t n_ = 0;
    double mean_ = 0;
    double m2_ = 0;
};

/// Quantile `q` in [0, 1] of ascending-sorted `sorted`, by linear interpolation between order
/// statistics (Hyndman & Fan type 7, the default of R and NumPy): with h = (n - 1) q, the
/// result is x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). Throws
/// invalid_argument on an empty input or q outside [0, 1].
inline double quantile_sorted(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) throw invalid_argument("aaco::stats::quantile_sorted: no samples");
    if (!(q >= 0 && q <= 1))
        detail::fail_argument("aaco::stats::quantile_sorted", "q", "in [0, 1]", q);
    const double h = static_cast<double>(sorted.size() - 1) * q;
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    if (lo + 1 >= sorted.size()) return sorted.back();
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

/// Summary of a set of samples, in the samples' unit.
struct summary {
    std::size_t samples = 0;
    double min = 0, max = 0;
    double median = 0;   ///< quantile 0.5 (type 7: the mean of the middle two for even n)
    double mean = 0;
    double stdev = 0;    ///< sample standard deviation (n - 1); 0 for a single sample
    double cov = 0;      ///< stdev / |mean|: the relative spread the stopping rule judges
    double q1 = 0, q3 = 0; ///< quantiles 0.25 and 0.75 (type 7)
    double iqr = 0;      ///< q3 - q1
    /// (iqr / 1.349) / |median|: a spread estimate that one outlier barely moves (1.349 is the
    /// IQR of a unit normal, so this equals cov for normal noise). Reported for diagnosis only;
    /// the stopping rule judges `cov`, so outliers are never hidden.
    double robust_cov = 0;

    /// The envelope's statistics block. `stable` = at least 2 samples and cov <=
    /// `max_relative_stdev`.
    sample_stats to_sample_stats(double max_relative_stdev, double measured_seconds = 0,
                                 std::uint64_t iterations = 0) const {
        detail::require_non_negative(max_relative_stdev, "aaco::stats::summary::to_sample_stats",
                                     "max_relative_stdev");
        sample_stats s;
        s.samples = samples;
        s.median = median;
        s.min = min;
        s.max = max;
        s.mean = mean;
        s.stdev = stdev;
        s.cov = cov;
        s.iqr = iqr;
        s.measured_seconds = measured_seconds;
        s.iterations = iterations;
        s.stable = samples >= 2 && cov <= max_relative_stdev;
        return s;
    }
};

/// Summarizes the samples in [first, last). Throws invalid_argument when the range is empty or
/// holds a NaN or infinite sample (naming its index and value): a broken timer must surface,
/// not vanish into a median.
template <class InputIt>
summary summarize(InputIt first, InputIt last) {
    std::vector<double> sorted;
    running_moments moments;
    for (std::size_t i = 0; first != last; ++first, ++i) {
        const double x = static_cast<double>(*first);
        if (!detail::is_finite(x))
            detail::fail_argument("aaco::stats::summarize",
                                  ("sample " + std::to_string(i)).c_str(), "finite", x);
        moments.add(x);
        sorted.push_back(x);
    }
    if (sorted.empty()) throw invalid_argument("aaco::stats::summarize: no samples");
    std::sort(sorted.begin(), sorted.end());
    summary s;
    s.samples = sorted.size();
    s.min = sorted.front();
    s.max = sorted.back();
    s.median = quantile_sorted(sorted, 0.5);
    s.q1 = quantile_sorted(sorted, 0.25);
    s.q3 = quantile_sorted(sorted, 0.75);
    s.iqr = s.q3 - s.q1;
    s.mean = moments.mean();
    s.stdev = moments.stdev();
    s.cov = moments.cov();
    // 1.349 = IQR of the standard normal distribution (2 x 0.6745).
    s.robust_cov = running_moments::ratio(s.iqr / 1.349, s.median);
    return s;
}

/// Summarizes `samples`; see the iterator overload.
inline summary summarize(const std::vector<double>& samples) {
    return summarize(samples.begin(), samples.end());
}

/// summarize(samples).to_sample_stats(...).
inline sample_stats to_sample_stats(const summary& s, double max_relative_stdev,
                                    double measured_seconds = 0, std::uint64_t iterations = 0) {
    return s.to_sample_stats(max_relative_stdev, measured_seconds, iterations);
}

} // namespace stats
AACO_PORTABLE_NAMESPACE_END
