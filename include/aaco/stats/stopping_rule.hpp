/// \file stopping_rule.hpp
/// \brief When to stop taking samples of one figure (design.md section 4), as a pure state
/// machine over a stream of (value, seconds) samples: no clocks, no GPU, fully testable.
///
/// The rule, in three parts:
///
/// 1. **Convergence test.** At least `min_samples` samples, at least `min_seconds` of device
///    time summed over them, and the relative standard deviation (CoV) of *all* samples at most
///    `max_relative_stdev`.
/// 2. **Confirmation window.** The first sample at which the test passes does not stop the rule:
///    stopping there would report the CoV of the one moment the noise happened to dip, a value
///    selected for being low. Instead the rule takes `confirmation_samples(n)` more samples
///    (a quarter of the n so far, at least `min_confirm_samples`), none of which it looks at,
///    and judges the test again over all samples at the end of that window. Passed: stop
///    (`converged`). Failed: the dip was luck; the rule goes back to step 1 and keeps sampling.
///    So a figure can only stop converged at the end of a window whose samples were taken
///    without looking, and the CoV it reports includes them.
/// 3. **Caps.** Stop anyway at `max_samples` samples or once `timeout_seconds` have passed
///    (`hit_max_samples`, `timed_out`), inside a window or not.
///
/// `stable` is judged after stopping, whatever the reason, by `figure_stable`: at least
/// `min_stable_samples` (10) samples, the median (the reported figure) known to within the
/// threshold (bootstrap 95% interval) and no drift between the series' halves. A figure from
/// fewer samples is never stable, even with zero spread: with 2 samples a timeout could
/// otherwise report "stable". Convergence (when to stop) judges the CoV; stability (what the
/// figure is worth) judges the median, because a card at its power limit has a real launch-to-
/// launch spread that no number of samples removes, while its median is reproducible: five H200
/// calibrations of 2026-12-01 had sample CoVs up to 1.5% on the tensor figures and medians that
/// agreed within 0.81% from run to run.
///
/// Nothing is dropped. Every sample counts in the CoV, so noise from throttling or a
/// co-tenant shows up as `stable = false` instead of being trimmed away. The price is that one
/// outlier weighs a lot: n - 1 equal samples plus one a fraction d away have CoV ~ d / sqrt(n),
/// so a single 10% outlier keeps CoV above 0.5% until n ~ 400 samples. Below that count the
/// rule runs to its cap and reports unstable, while the median, the reported figure, barely
/// moves. `summary::robust_cov` (IQR-based) tells that case apart from broad noise.
///
/// Warm-up is not the rule's job: the probe warms the GPU before its first sample (>= 100 ms).
/// Samples taken while clocks still ramp count like any other and delay convergence.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/units.hpp>
#include <aaco/stats/summary.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace stats {

/// Fewest samples from which a figure can be called stable. 10 because (a) it is the smallest
/// n for which the CoV, the statistic `stable` judges, has a relative standard error below 25%
/// (~1 / sqrt(2 (n - 1)) for normal noise: 35% at n = 5, 24% at n = 10), and (b) from n = 9 on,
/// a distribution-free 95% interval of the median, the reported figure, exists without resting
/// on the two extreme samples (coverage of (x(2), x(n-1)) = 1 - 2 (n + 1) / 2^n: 93% at n = 8,
/// 96% at n = 9). Fewer samples than this say too little about the spread to vouch for it.
inline constexpr std::size_t min_stable_samples = 10;

/// Whether a figure's samples, in the order they were taken, vouch for its median at
/// `max_relative` (e.g. 0.01): at least min_stable_samples samples and judge_robust's two tests
/// (the median's bootstrap 95% interval within +-max_relative of it; the halves' medians within
/// 3 x max_relative). The one stability rule of every figure (compute, memory, launch, latency,
/// sustained, peer, efficiency), so that `stable` means the same everywhere. Throws
/// invalid_argument for an empty series or a negative threshold.
inline bool figure_stable(const std::vector<double>& samples_in_order, double max_relative) {
    if (samples_in_order.size() < min_stable_samples) {
        detail::require_non_negative(max_relative, "aaco::stats::figure_stable", "max_relative");
        return false;
    }
    return judge_robust(samples_in_order, max_relative, min_stable_samples).stable;
}

/// Parameters of the stopping rule. Defaults are the full calibration's; `quick()` is for
/// smoke runs and CI.
struct stopping_config {
    /// Minimum device time summed over the samples, seconds. design.md section 4: 0.25 s per
    /// figure.
    double min_seconds = 0.25;
    /// Largest CoV (stdev / mean) accepted as converged. design.md section 4: 0.5%.
    double max_relative_stdev = 0.005;
    /// Fewest samples before the convergence test may pass; at least min_stable_samples, so a
    /// figure that converges is also one that can be stable.
    std::size_t min_samples = min_stable_samples;
    /// untuned: chosen because probes size one sample to a few ms, so 1000 samples is several
    /// seconds, far past min_seconds for any figure that can converge at all.
    std::size_t max_samples = 1000;
    /// untuned: chosen to bound a full calibration (~40 figures) to minutes when a figure never
    /// converges. Compared with the larger of the summed sample time and the wall time the
    /// caller passes to add().
    double timeout_seconds = 10;
    /// Confirmation window after the convergence test first passes at n samples: this fraction
    /// of n more samples (rounded up), at least `min_confirm_samples`. untuned: a quarter keeps
    /// the extra cost at 25% of the figure's time while giving the window enough weight (1 in 5
    /// of the final samples) that a return of the noise shows in the CoV; 3 is the fewest that
    /// make a spread at all likely to show. 0 and 0 give the old rule (stop at the first pass).
    double confirm_fraction = 0.25;
    std::size_t min_confirm_samples = 3;

    /// Smoke-run settings: 0.05 s minimum, same 0.5% threshold, smaller caps.
    static stopping_config quick() {
        stopping_config c;
        c.min_seconds = 0.05;      // untuned: 1/5 of the full minimum keeps CI runs short
        c.max_samples = 200;       // untuned: 1/5 of the full cap, like min_seconds
        c.timeout_seconds = 2;     // untuned: 1/5 of the full timeout
        return c;                  // min_samples stays min_stable_samples: quick is shorter, not laxer
    }

    /// Samples the confirmation window adds after the test first passes at `n` samples.
    std::size_t confirmation_samples(std::size_t n) const {
        const auto share = static_cast<std::size_t>(
            std::ceil(confirm_fraction * static_cast<double>(n)));
        return share > min_confirm_samples ? share : min_confirm_samples;
    }

    /// Throws invalid_argument naming the first field out of range.
    void validate() const {
        constexpr const char* fn = "aaco::stats::stopping_config";
        detail::require_non_negative(min_seconds, fn, "min_seconds");
        detail::require_non_negative(max_relative_stdev, fn, "max_relative_stdev");
        if (min_samples < min_stable_samples)
            detail::fail_argument(fn, "min_samples",
                                  (">= " + std::to_string(min_stable_samples) +
                                   " (a figure from fewer samples is never stable)").c_str(),
                                  static_cast<double>(min_samples));
        if (max_samples < min_samples)
            detail::fail_argument(fn, "max_samples",
                                  (">= min_samples (" + std::to_string(min_samples) + ")").c_str(),
                                  static_cast<double>(max_samples));
        // +inf means "no timeout"; NaN, zero and negatives are errors.
        if (!(timeout_seconds > 0))
            detail::fail_argument(fn, "timeout_seconds", "> 0 (or +inf for none)",
                                  timeout_seconds);
        if (timeout_seconds < min_seconds)
            detail::fail_argument(fn, "timeout_seconds",
                                  (">= min_seconds (" + detail::format_number(min_seconds) +
                                   "), else the rule can never converge").c_str(),
                                  timeout_seconds);
        if (!(detail::is_finite(confirm_fraction) && confirm_fraction >= 0 && confirm_fraction <= 10))
            detail::fail_argument(fn, "confirm_fraction", "finite and in [0, 10]", confirm_fraction);
    }
};

/// What the rule says after a sample.
enum class decision {
    keep_going,      ///< take another sample
    converged,       ///< the convergence test passed, and again after the confirmation window
    hit_max_samples, ///< stopped at max_samples without converging
    timed_out,       ///< stopped at timeout_seconds without converging
};

constexpr std::string_view to_string(decision d) {
    switch (d) {
    case decision::keep_going: return "keep_going";
    case decision::converged: return "converged";
    case decision::hit_max_samples: return "hit_max_samples";
    case decision::timed_out: return "timed_out";
    }
    throw invalid_argument("aaco::stats::to_string: unknown decision value");
}

/// The stopping rule over one figure's sample stream. Typical probe loop:
/// \code
///   stats::stopping_rule rule(cfg);
///   while (rule.add(tflops_of_sample, seconds_of_sample) == stats::decision::keep_going) {}
///   figure.tflops = rule.current().median;
///   figure.stats = rule.result(iterations);
/// \endcode
class stopping_rule {
public:
    explicit stopping_rule(stopping_config cfg = {}) : cfg_(cfg) { cfg_.validate(); }

    const stopping_config& config() const noexcept { return cfg_; }

    /// Adds one sample: `value` in the figure's unit, timed over `sample_seconds` of device time.
    /// Returns the decision, which is also kept in state(). Throws invalid_argument for a
    /// non-finite value or a non-positive time, and aaco::error when the rule already stopped.
    decision add(double value, double sample_seconds) {
        return add(value, sample_seconds, 0.0);
    }

    /// As above; `elapsed_wall_seconds` (since the first sample started, launch overhead and
    /// host work included) also counts towards the timeout.
    decision add(double value, double sample_seconds, double elapsed_wall_seconds) {
        constexpr const char* fn = "aaco::stats::stopping_rule::add";
        if (state_ != decision::keep_going)
            throw error(std::string(fn) + ": the rule already stopped (" +
                        std::string(to_string(state_)) + "); call reset() to start over");
        detail::require_finite(value, fn, "value");
        detail::require_positive(sample_seconds, fn, "sample_seconds");
        detail::require_non_negative(elapsed_wall_seconds, fn, "elapsed_wall_seconds");
        values_.push_back(value);
        moments_.add(value);
        seconds_ += sample_seconds;
        if (elapsed_wall_seconds > wall_seconds_) wall_seconds_ = elapsed_wall_seconds;
        state_ = evaluate();
        return state_;
    }

    /// The last decision (keep_going before any sample).
    decision state() const noexcept { return state_; }
    bool done() const noexcept { return state_ != decision::keep_going; }
    std::size_t samples() const noexcept { return values_.size(); }
    /// Device time summed over the samples, seconds.
    double accumulated_seconds() const noexcept { return seconds_; }
    /// The samples in the order they were added.
    const std::vector<double>& values() const noexcept { return values_; }
    /// CoV of the samples so far (0 with fewer than 2).
    double cov() const noexcept { return moments_.cov(); }
    /// figure_stable(values(), max_relative_stdev), whatever stopped the rule.
    bool stable() const { return stable_at(cfg_.max_relative_stdev); }
    /// As stable(), judged against `max_relative` instead (a probe's own stable threshold).
    bool stable_at(double max_relative) const { return figure_stable(values_, max_relative); }
    /// True while the rule is inside a confirmation window (the test passed, the window's
    /// samples are still being taken).
    bool confirming() const noexcept { return confirm_until_ > 0; }

    /// Summary of the samples so far. Throws invalid_argument before the first sample.
    summary current() const { return summarize(values_); }

    /// The envelope statistics block of the samples so far (`iterations`: kernel iterations
    /// the caller timed over all samples).
    sample_stats result(std::uint64_t iterations = 0) const {
        sample_stats s = current().to_sample_stats(cfg_.max_relative_stdev, seconds_, iterations);
        s.stable = stable();
        return s;
    }

    /// Forgets every sample; the configuration stays.
    void reset() {
        values_.clear();
        moments_ = running_moments{};
        seconds_ = 0;
        wall_seconds_ = 0;
        confirm_until_ = 0;
        state_ = decision::keep_going;
    }

private:
    stopping_config cfg_;
    std::vector<double> values_;
    running_moments moments_;
    double seconds_ = 0;
    double wall_seconds_ = 0;
    /// Sample count at which the running confirmation window ends; 0 outside a window.
    std::size_t confirm_until_ = 0;
    decision state_ = decision::keep_going;

    /// Step 1 of the rule (file comment): enough samples and time, CoV within the threshold.
    bool convergence_test() const noexcept {
        return values_.size() >= cfg_.min_samples && seconds_ >= cfg_.min_seconds &&
               moments_.cov() <= cfg_.max_relative_stdev;
    }

    decision evaluate() {
        const std::size_t n = values_.size();
        if (confirm_until_ == 0) {
            if (convergence_test()) confirm_until_ = n + cfg_.confirmation_samples(n);
        } else if (n >= confirm_until_) {
            // End of the window: judged once over all samples, the window's included.
            confirm_until_ = 0;
            if (convergence_test()) return decision::converged;
        }
        if (confirm_until_ == n) {  // an empty window (confirm 0 and 0): the old rule
            confirm_until_ = 0;
            return decision::converged;
        }
        if (n >= cfg_.max_samples) return decision::hit_max_samples;
        const double elapsed = seconds_ > wall_seconds_ ? seconds_ : wall_seconds_;
        if (elapsed >= cfg_.timeout_seconds) return decision::timed_out;
        return decision::keep_going;
    }
};

} // namespace stats
AACO_PORTABLE_NAMESPACE_END
