/// \file fleet/analysis.hpp
/// \brief Fleet statistics: the median envelope, the spread (MAD) of every ceiling, and the GPUs
/// whose ceiling falls short of the fleet by more than a robust threshold.
///
/// **Rule.** For each ceiling, over the records that measured it (failed ranks and NaN values
/// left out): median m and MAD = median |x - m| (unscaled; for normal noise 1 MAD is about
/// 0.674 sigma). A GPU is an outlier on that ceiling when it is *worse* than m by more than
///
///     threshold = max(k x MAD, min_percent / 100 x m)
///
/// "Worse" is below m for throughputs and above m for the launch floor. Only the bad side is
/// flagged: a card faster than its siblings is not a fault. The percentage floor keeps a very
/// uniform fleet (MAD near 0) from flagging noise; k x MAD keeps a noisy fleet from flagging its
/// own spread. Two records can never flag each other (each sits exactly 1 MAD from their mean).
///
/// Cost: O(n) per ceiling (nth_element), one scratch vector, no allocation per record.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/fleet/record.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace fleet {

/// How far below the fleet a ceiling may fall before it is flagged.
struct outlier_config {
    /// Multiple of the MAD. Untuned: chosen because 5 MAD (~3.4 sigma for normal noise) flags
    /// about 1 card in 2,500 of a healthy fleet by noise alone, before the percentage floor.
    double k = 5.0;
    /// Minimum shortfall in percent of the median. Untuned: chosen because a stable calibration
    /// reaches CoV <= 1% (the stopping rule's target), so 5% is clear of noise while a throttled
    /// card or a degraded HBM stack (typically 10% or more) is caught.
    double min_percent = 5.0;

    /// Throws invalid_argument unless k is finite and > 0 and min_percent is finite in [0, 100).
    void validate() const {
        if (!std::isfinite(k) || k <= 0)
            throw invalid_argument("outlier k must be a finite number > 0, got " + std::to_string(k));
        if (!std::isfinite(min_percent) || min_percent < 0 || min_percent >= 100)
            throw invalid_argument("outlier min_percent must be in [0, 100), got " +
                                   std::to_string(min_percent));
    }
};

/// One ceiling across the fleet. NaN statistics when no record measured it.
struct ceiling_summary {
    ceiling which = ceiling::fp64;
    std::size_t count = 0;      ///< records that measured it
    double median = std::numeric_limits<double>::quiet_NaN();
    double mad = std::numeric_limits<double>::quiet_NaN();   ///< median absolute deviation
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    double threshold = std::numeric_limits<double>::quiet_NaN(); ///< max(k MAD, min_percent% m)
};

/// One ceiling of one record that fell short of the fleet.
struct outlier {
    std::size_t index = 0;      ///< into the analysed records
    ceiling which = ceiling::fp64;
    double value = 0;           ///< the record's figure
    double median = 0;          ///< the fleet's
    double threshold = 0;       ///< the allowed shortfall, in the ceiling's unit
    double shortfall_percent = 0; ///< how much worse than the median, in percent (> 0)
};

/// What analyze() found.
struct fleet_report {
    outlier_config config;
    std::size_t records = 0;    ///< all records, failed included
    std::size_t ok = 0;
    std::size_t failed = 0;
    std::array<ceiling_summary, ceiling_count> ceilings{};  ///< indexed by ceiling
    std::vector<outlier> outliers;          ///< by record index, then ceiling order
    std::vector<std::size_t> failed_indices; ///< records whose rank failed

    const ceiling_summary& summary(ceiling c) const { return ceilings[static_cast<std::size_t>(c)]; }
    /// No outlier and no failed rank.
    bool clean() const { return outliers.empty() && failed == 0; }
};

namespace detail {

/// Median of `v` (reorders it); the mean of the two middle values for an even count; NaN when
/// empty.
inline double median_inplace(std::vector<double>& v) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    const std::size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    const double upper = v[mid];
    if (v.size() % 2 != 0) return upper;
    // After nth_element every element before `mid` is <= v[mid]; the largest of them is the
    // lower middle value.
    const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    return lower + (upper - lower) / 2;
}

/// How much worse than `median` a value is (> 0 = worse), in the ceiling's unit.
inline double shortfall(ceiling c, double value, double median) {
    return traits(c).higher_is_better ? median - value : value - median;
}

} // namespace detail

/// Median of the values in `v` (copied); NaN for none. Exposed for tests and tools.
inline double median(std::vector<double> v) { return detail::median_inplace(v); }

/// Analyses `n` records (already sanitized; see fleet::sanitize). Throws invalid_argument when
/// `config` is invalid.
inline fleet_report analyze(const fleet_record* records, std::size_t n,
                            const outlier_config& config = {}) {
    config.validate();
    fleet_report rep;
    rep.config = config;
    rep.records = n;
    for (std::size_t i = 0; i < n; ++i) {
        if (records[i].ok()) {
            ++rep.ok;
        } else {
            ++rep.failed;
            rep.failed_indices.push_back(i);
        }
    }
    std::vector<double> scratch;
    scratch.reserve(rep.ok);
    for (ceiling c : all_ceilings) {
        ceiling_summary& s = rep.ceilings[static_cast<std::size_t>(c)];
        s.which = c;
        scratch.clear();
        for (std::size_t i = 0; i < n; ++i)
            if (records[i].ok() && std::isfinite(records[i].value(c))) scratch.push_back(records[i].value(c));
        s.count = scratch.size();
        if (scratch.empty()) continue;
        const auto [lo, hi] = std::minmax_element(scratch.begin(), scratch.end());
        s.min = *lo;
        s.max = *hi;
        s.median = detail::median_inplace(scratch);
        for (double& x : scratch) x = std::fabs(x - s.median);
        s.mad = detail::median_inplace(scratch);
        s.threshold = std::max(config.k * s.mad, config.min_percent / 100.0 * std::fabs(s.median));
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (!records[i].ok()) continue;
        for (ceiling c : all_ceilings) {
            const ceiling_summary& s = rep.summary(c);
            const double v = records[i].value(c);
            if (!std::isfinite(v) || s.count == 0) continue;
            const double short_by = detail::shortfall(c, v, s.median);
            if (short_by > s.threshold) {
                const double pct = s.median != 0 ? 100.0 * short_by / std::fabs(s.median)
                                                 : std::numeric_limits<double>::infinity();
                rep.outliers.push_back({i, c, v, s.median, s.threshold, pct});
            }
        }
    }
    return rep;
}

inline fleet_report analyze(const std::vector<fleet_record>& records, const outlier_config& config = {}) {
    return analyze(records.data(), records.size(), config);
}

/// The fleet's median envelope as a record (rank -1, host "fleet median"): each ceiling is the
/// median over the records that measured it.
inline fleet_record median_record(const fleet_report& rep) {
    fleet_record r;
    r.status = record_status::ok;
    for (ceiling c : all_ceilings) r.set(c, rep.summary(c).median);
    set_text(r.host, "fleet median");
    return r;
}

} // namespace fleet
AACO_PORTABLE_NAMESPACE_END
