/// \file calibration_options.hpp
/// \brief What a calibration measures and how long it may take. Host-only.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>

#include <cmath>
#include <functional>
#include <locale>
#include <sstream>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// One step of a running calibration, for progress reporting.
struct progress_event {
    std::string key;        ///< "compute.fp16.matrix", "memory.hbm.read", "launch.async"
    std::size_t index = 0;  ///< 1-based position of this step
    std::size_t total = 0;  ///< steps planned
    /// "running", "done", "failed: <why>", "skipped: <why>"; for key "telemetry" (index 0,
    /// sent once before the steps, only when no telemetry can be read): the reason.
    std::string status;
    double elapsed_seconds = 0;
};

/// Options of hardware_calibrator::calibrate().
struct calibration_options {
    /// Precisions to measure; empty = all that the device has.
    std::vector<precision> precisions;
    /// Memory levels to measure; empty = all that the device has.
    std::vector<memory_level> levels;
    /// Measure the launch floor.
    bool launch = true;
    /// Measure the load-to-use latency of each memory level (pointer chase, probes/latency.hpp);
    /// `levels`, when given, selects these too (l1 only when named).
    bool latency = true;
    /// Quick mode: shorter minimum sampling time per figure, fewer stream ops.
    bool quick = false;
    /// Operand values of the compute loops: random finite values (default) or zeros ("cold").
    operand_mode operands = operand_mode::random;
    /// Soft limit on the whole calibration's wall time in seconds (0 = none). Steps that would
    /// start after it are recorded as skipped in `envelope::failures`.
    double time_budget_seconds = 0;
    /// Largest coefficient of variation that still counts as stable.
    double stable_cov = 0.01;
    /// Check every kernel's result before timing it (recommended; costs milliseconds).
    bool verify = true;
    /// Seconds to hold each compute figure under load after its burst figure (0 = no sustained
    /// figures). The steady-state figure (from the second half of the hold) is stored in
    /// compute_figure::sustained beside the burst one; the roof is the higher of the two.
    double sustained_seconds = 0;
    /// Largest sustained_seconds accepted: 10 minutes per figure. Boards settle thermally within
    /// minutes; past that a typo (36000 for 3600) would hold a GPU for days, since a full
    /// calibration holds ~12 compute figures.
    static constexpr double max_sustained_seconds = 600;
    /// Called before and after every step.
    std::function<void(const progress_event&)> progress;

    /// Throws invalid_argument naming the first option out of range.
    void validate() const { check_sustained_seconds(sustained_seconds, true); }

    /// Checks a sustained hold of `seconds`: finite, > 0 (or exactly 0 when `zero_means_off`),
    /// and <= max_sustained_seconds. Throws invalid_argument naming the value otherwise.
    static void check_sustained_seconds(double seconds, bool zero_means_off) {
        if (zero_means_off && seconds == 0) return;
        if (!(std::isfinite(seconds) && seconds > 0 && seconds <= max_sustained_seconds)) {
            std::ostringstream m;
            m.imbue(std::locale::classic());
            m << "sustained seconds must be a finite number > 0 and <= " << max_sustained_seconds
              << " (10 minutes per compute figure), got " << seconds;
            throw invalid_argument(m.str());
        }
    }
};

AACO_PORTABLE_NAMESPACE_END
