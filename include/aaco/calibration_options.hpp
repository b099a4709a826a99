/// \file calibration_options.hpp
/// \brief What a calibration measures and how long it may take. Host-only.
#pragma once
#include <aaco/config.hpp>
#include <aaco/model/envelope.hpp>

#include <functional>
#include <string>
#include <vector>

AACO_NAMESPACE_BEGIN

/// One step of a running calibration, for progress reporting.
struct progress_event {
    std::string key;        ///< "compute.fp16.matrix", "memory.hbm.read", "launch.async"
    std::size_t index = 0;  ///< 1-based position of this step
    std::size_t total = 0;  ///< steps planned
    std::string status;     ///< "running", "done", "failed: <why>", "skipped: <why>"
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
    /// Called before and after every step.
    std::function<void(const progress_event&)> progress;
};

AACO_NAMESPACE_END
