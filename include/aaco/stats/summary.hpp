/// \file summary.hpp
/// \brief Summary statistics of repeated timing samples (host-only).
///
/// A probe takes many samples of one figure (TFLOP/s, GB/s or microseconds) and reports their
/// median, min and coefficient of variation, never a single run (design.md section 4). Every
/// summary also carries the 2.5th / 97.5th percentiles of the samples and a seeded bootstrap 95%
/// interval of the median; `judge_robust` is the stability rule for heavy-tailed figures (launch
/// floors), where the CoV is dominated by rare outliers that barely move the median.
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

/// A small deterministic random-number generator (splitmix64, Steele, Lea & Flood 2014). The
/// bootstrap uses it instead of <random>: std::uniform_int_distribution differs between standard
/// libraries, and a figure's interval must come out the same for the same samples everywhere.
class splitmix64 {
public:
    explicit splitmix64(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, n) for n in [1, 2^32], by the multiply-shift of the top 32 bits (Lemire
    /// 2019, without the rejection step: the bias is below n / 2^32, under 1e-7 for the sample
    /// counts used here).
    std::uint32_t below(std::uint32_t n) noexcept {
        return static_cast<std::uint32_t>(((next() >> 32) * static_cast<std::uint64_t>(n)) >> 32);
    }

private:
    std::uint64_t state_;
};

/// A closed interval [low, high].
struct interval {
    double low = 0;
    double high = 0;
};

/// How the bootstrap interval of the median is computed.
struct bootstrap_config {
    /// Resamples drawn. untuned: 1000 is the usual size for a percentile interval (the 2.5% and
    /// 97.5% ends then rest on 25 resamples each); the cost is ~n x 1000 index draws, measured in
    /// tests/host/test_stats.cpp ("cost of 1000 resamples", printed by the test).
    std::size_t resamples = 1000;
    /// Fixed seed: the same samples always give the same interval.
    std::uint64_t seed = 0x00AAC0B0075712A9ull;
    /// Coverage of the interval.
    double confidence = 0.95;
};

/// Type-7 median of one resample of ascending-sorted `sorted`, given `count[j]` = how often
/// sorted[j] was drawn. Because `sorted` is ascending, the resample's order statistics are found
/// by walking the counts: O(n), no sort (about 4x faster than nth_element over the drawn indices).
inline double median_of_resample(const std::vector<double>& sorted, const std::vector<std::uint32_t>& count) {
    const std::size_t n = sorted.size();
    const std::size_t k = (n - 1) / 2;  // 0-based rank of the lower middle element
    std::size_t seen = 0, j = 0;
    while (seen + count[j] <= k) seen += count[j++];
    const double lo = sorted[j];
    if (n % 2 == 1) return lo;
    // The upper middle element (rank k + 1): the same value if sorted[j] was drawn often enough.
    if (seen + count[j] > k + 1) return lo;
    ++j;
    while (count[j] == 0) ++j;
    return lo + 0.5 * (sorted[j] - lo);  // as quantile_sorted(.., 0.5) computes it, bit for bit
}

/// Percentile-bootstrap interval of the median of ascending-sorted `sorted` (Efron's percentile
/// method): `cfg.resamples` resamples of n draws with replacement, the median of each, and the
/// (1 - confidence) / 2 and (1 + confidence) / 2 type-7 quantiles of those medians. Seeded, so
/// deterministic. A single sample gives the degenerate interval [x, x]. The bootstrap assumes the
/// samples are exchangeable; `judge_robust` adds a drift check for series that are not. Throws
/// invalid_argument on an empty input, zero resamples, or a confidence outside (0, 1).
inline interval bootstrap_median_interval(const std::vector<double>& sorted,
                                          const bootstrap_config& cfg = {}) {
    constexpr const char* fn = "aaco::stats::bootstrap_median_interval";
    if (sorted.empty()) throw invalid_argument(std::string(fn) + ": no samples");
    if (cfg.resamples < 1) detail::fail_argument(fn, "resamples", ">= 1", 0.0);
    if (!(cfg.confidence > 0 && cfg.confidence < 1))
        detail::fail_argument(fn, "confidence", "in (0, 1)", cfg.confidence);
    if (sorted.size() > std::numeric_limits<std::uint32_t>::max())
        detail::fail_argument(fn, "samples", "<= 2^32 - 1", static_cast<double>(sorted.size()));
    const std::uint32_t n = static_cast<std::uint32_t>(sorted.size());
    if (n == 1) return {sorted.front(), sorted.front()};
    splitmix64 rng(cfg.seed);
    std::vector<std::uint32_t> count(n);
    std::vector<double> medians;
    medians.reserve(cfg.resamples);
    for (std::size_t r = 0; r < cfg.resamples; ++r) {
        std::fill(count.begin(), count.end(), 0u);
        for (std::uint32_t i = 0; i < n; ++i) ++count[rng.below(n)];
        medians.push_back(median_of_resample(sorted, count));
    }
    std::sort(medians.begin(), medians.end());
    const double tail = (1 - cfg.confidence) / 2;
    return {quantile_sorted(medians, tail), quantile_sorted(medians, 1 - tail)};
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
    double p2_5 = 0, p97_5 = 0; ///< quantiles 0.025 and 0.975 (type 7): the central 95% of samples
    /// Bootstrap 95% interval of the median (bootstrap_median_interval with the default,
    /// seeded configuration). How well the reported figure, the median, is known.
    double median_ci_low = 0, median_ci_high = 0;

    /// Half the width of the median's interval over |median| (0 when both are 0, +inf when only
    /// the median is 0): the relative uncertainty of the reported figure.
    double relative_ci_half_width() const noexcept {
        return running_moments::ratio(0.5 * (median_ci_high - median_ci_low), median);
    }

    /// The envelope's statistics block. `stable` here is a first guess from the sorted samples
    /// only (at least 2 samples and cov <= `max_relative_stdev`); every probe overwrites it with
    /// stats::figure_stable over the samples in order (stopping_rule.hpp).
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
        s.p2_5 = p2_5;
        s.p97_5 = p97_5;
        s.median_ci_low = median_ci_low;
        s.median_ci_high = median_ci_high;
        s.measured_seconds = measured_seconds;
        s.iterations = iterations;
        s.stable = samples >= 2 && cov <= max_relative_stdev;
        return s;
    }
};

/// Summarizes the samples in [first, last) (the median's interval with `boot`). Throws
/// invalid_argument when the range is empty or holds a NaN or infinite sample (naming its index
/// and value): a broken timer must surface, not vanish into a median.
template <class InputIt>
summary summarize(InputIt first, InputIt last, const bootstrap_config& boot = {}) {
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
    s.p2_5 = quantile_sorted(sorted, 0.025);
    s.p97_5 = quantile_sorted(sorted, 0.975);
    const interval ci = bootstrap_median_interval(sorted, boot);
    s.median_ci_low = ci.low;
    s.median_ci_high = ci.high;
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

/// Type-7 median of [first, last) (a copy is sorted); throws invalid_argument when empty.
template <class It>
double median_of(It first, It last) {
    std::vector<double> v(first, last);
    std::sort(v.begin(), v.end());
    return quantile_sorted(v, 0.5);
}

/// What judge_robust concluded about one series, with the two quantities it judged.
struct robust_verdict {
    bool stable = false;
    /// Half width of the median's bootstrap 95% interval over |median|.
    double relative_ci_half_width = 0;
    /// |median of the first half - median of the second half| / |median of all|.
    double relative_drift = 0;
    std::string reason;  ///< why not stable; empty when stable
};

/// The robust stability rule, for heavy-tailed figures such as launch floors, where rare host
/// hiccups of a millisecond inflate the CoV while the median, the figure reported, does not move.
/// `samples` are in the order they were taken. Stable when all three hold:
///  - at least `min_samples` samples (untuned: 20, so that each half below holds 10);
///  - the bootstrap 95% interval of the median has a relative half width <= `max_relative`: the
///    reported figure is known to within that fraction (it shrinks like 1 / sqrt(n) for any
///    spread, and a tail of outliers shifts it little, unlike the CoV);
///  - the medians of the first and second half differ by <= 3 x `max_relative` of the median: the
///    bootstrap assumes exchangeable samples, and a drifting series (clocks ramping, a co-tenant
///    arriving) can have a narrow interval around a median that is not a steady state. For
///    exchangeable samples the halves' difference has a standard deviation of about twice the
///    median's standard error, i.e. ~max_relative at the edge of the first test, so 3x keeps
///    false alarms rare while a drift of a few percent is caught.
/// A bimodal series (two states, e.g. two clock levels) fails the interval test: its median jumps
/// between the modes from resample to resample. Throws invalid_argument on an empty input or a
/// negative threshold.
inline robust_verdict judge_robust(const std::vector<double>& samples, double max_relative,
                                   std::size_t min_samples = 20) {
    constexpr const char* fn = "aaco::stats::judge_robust";
    detail::require_non_negative(max_relative, fn, "max_relative");
    if (samples.empty()) throw invalid_argument(std::string(fn) + ": no samples");
    const summary all = summarize(samples);
    const std::size_t half = samples.size() / 2;
    robust_verdict v;
    v.relative_ci_half_width = all.relative_ci_half_width();
    if (half >= 1) {
        const auto mid = static_cast<std::ptrdiff_t>(half);
        const double first = median_of(samples.begin(), samples.begin() + mid);
        const double second = median_of(samples.end() - mid, samples.end());
        v.relative_drift = running_moments::ratio(std::fabs(first - second), all.median);
    }
    if (samples.size() < min_samples) {
        v.reason = std::to_string(samples.size()) + " samples, fewer than the " +
                   std::to_string(min_samples) + " needed";
    } else if (!(v.relative_ci_half_width <= max_relative)) {
        v.reason = "the median's 95% interval is +-" + detail::format_number(v.relative_ci_half_width * 100) +
                   "% wide, more than +-" + detail::format_number(max_relative * 100) + "%";
    } else if (!(v.relative_drift <= 3 * max_relative)) {
        v.reason = "the medians of the first and second half differ by " +
                   detail::format_number(v.relative_drift * 100) + "%, more than " +
                   detail::format_number(3 * max_relative * 100) + "% (drift)";
    }
    v.stable = v.reason.empty();
    return v;
}

/// summarize(samples).to_sample_stats(...).
inline sample_stats to_sample_stats(const summary& s, double max_relative_stdev,
                                    double measured_seconds = 0, std::uint64_t iterations = 0) {
    return s.to_sample_stats(max_relative_stdev, measured_seconds, iterations);
}

} // namespace stats
AACO_PORTABLE_NAMESPACE_END
