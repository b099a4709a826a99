/// \file clock_pairing.hpp
/// \brief Clock-adjusted efficiency from per-launch (rate, clock) pairs. Host-only, GPU-free.
///
/// A compute figure is the median rate over its timed launches, and each launch also records
/// the SM/CU clock it ran at (cycles over wall time inside the kernel). Under a power cap that
/// clock moves from launch to launch, so a rate must only ever be divided by the peak at the
/// clock *of the same launch*:
///
///     efficiency_i = rate_i / (flops_per_clock_per_unit x units x clock_i)
///
/// and the figure reports the median of the efficiency_i with their spread. Each efficiency_i
/// is <= 1 for a loop that cannot issue faster than its instruction rate, so their median is
/// too. The method this replaces, median(rate) / peak(clock of the last launch), mixes two
/// launches and read 100.3-100.6% on an H200 (issue 9, defect 2).
///
/// The figure's clock is the median of the per-launch clocks, and its clock-adjusted peak the
/// peak at that clock. Because rate_i <= k clock_i for every i implies the same for every order
/// statistic, median(rate) <= peak(median clock) holds as well.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/stats/stopping_rule.hpp>
#include <aaco/stats/summary.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace stats {

/// Peak rate in TFLOP/s of `units` CUs/SMs issuing `flops_per_clock_per_unit` at `mhz`.
constexpr double peak_tflops_at(double flops_per_clock_per_unit, int units, double mhz) {
    return flops_per_clock_per_unit * static_cast<double>(units) * mhz * 1e6 / 1e12;
}

/// What per-launch pairing gives for one figure.
struct paired_efficiency {
    /// Statistics of rate_i / peak(clock_i) (a fraction) over the launches that recorded a
    /// clock; samples == 0 when none did or the instruction rate is unknown.
    sample_stats efficiency{};
    /// Median of the per-launch clocks in MHz; NaN when no launch recorded one.
    double clock_mhz = std::numeric_limits<double>::quiet_NaN();
    /// Peak at clock_mhz in TFLOP/s; NaN when either is unknown.
    double clock_adjusted_peak_tflops = std::numeric_limits<double>::quiet_NaN();
};

/// Pairs launch i's rate `tflops[i]` with its clock `clock_mhz[i]` (NaN or <= 0: that launch
/// recorded no clock and is left out). `stable_cov` judges the efficiency statistics like any
/// figure's (stats::figure_stable: the median known to within stable_cov, no drift). Throws
/// invalid_argument when the two lists differ in length.
inline paired_efficiency pair_launches(const std::vector<double>& tflops,
                                       const std::vector<double>& clock_mhz,
                                       double flops_per_clock_per_unit, int units,
                                       double stable_cov) {
    if (tflops.size() != clock_mhz.size())
        throw invalid_argument("aaco::stats::pair_launches: " + std::to_string(tflops.size()) +
                               " rates but " + std::to_string(clock_mhz.size()) +
                               " clocks; each launch needs both");
    std::vector<double> clocks, efficiencies;
    const bool rate_known = flops_per_clock_per_unit > 0 && units > 0;
    for (std::size_t i = 0; i < tflops.size(); ++i) {
        const double mhz = clock_mhz[i];
        if (!(std::isfinite(mhz) && mhz > 0)) continue;
        clocks.push_back(mhz);
        if (rate_known && std::isfinite(tflops[i]))
            efficiencies.push_back(tflops[i] / peak_tflops_at(flops_per_clock_per_unit, units, mhz));
    }
    paired_efficiency out;
    if (clocks.empty()) return out;
    out.clock_mhz = summarize(clocks).median;
    if (!rate_known) return out;
    out.clock_adjusted_peak_tflops = peak_tflops_at(flops_per_clock_per_unit, units, out.clock_mhz);
    if (efficiencies.empty()) return out;
    out.efficiency = summarize(efficiencies).to_sample_stats(stable_cov);
    out.efficiency.stable = figure_stable(efficiencies, stable_cov);
    return out;
}

} // namespace stats
AACO_PORTABLE_NAMESPACE_END
