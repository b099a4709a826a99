/// \file envelope.hpp
/// \brief The hardware envelope: what a calibration measured (or a datasheet states) for one GPU.
///
/// Plain data plus lookups; host-only. Probes fill it, io/ writes and reads it, the roofline
/// layer turns it into attainable performance and HEU.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// Version of aaco's JSON extension ("aaco" object). Bumped on any incompatible change.
inline constexpr int envelope_schema_version = 1;

/// What the operands of a compute loop held while it was timed.
/// `random`: finite uniform values (realistic power draw, the default);
/// `zero`: all zeros ("cold": less toggling, so often faster; reported separately).
enum class operand_mode { random, zero };

constexpr std::string_view to_string(operand_mode m) {
    return m == operand_mode::random ? "random" : "zero";
}

/// Statistics of the repeated samples behind one figure, in the figure's unit.
struct sample_stats {
    std::size_t samples = 0;   ///< number of timed samples kept
    double median = 0, min = 0, max = 0, mean = 0, stdev = 0;
    double cov = 0;            ///< coefficient of variation = stdev / mean
    double iqr = 0;            ///< inter-quartile range
    double measured_seconds = 0; ///< device time accumulated over all samples
    std::uint64_t iterations = 0; ///< kernel iterations (launches x inner repeats) timed
    bool stable = false;       ///< cov <= the stopping rule's threshold
};

/// One compute ceiling: a precision on a unit (matrix cores or vector ALUs).
struct compute_figure {
    precision prec = precision::fp32;
    compute_unit unit = compute_unit::vector;
    double tflops = 0;           ///< the ceiling: median over samples (TOPS for int8)
    sample_stats stats{};        ///< in TFLOP/s
    operand_mode operands = operand_mode::random;
    double clock_mhz = std::numeric_limits<double>::quiet_NaN(); ///< sustained SM/CU clock measured in-kernel
    double datasheet_tflops = std::numeric_limits<double>::quiet_NaN(); ///< the profile's figure, if known
    /// Peak at the measured clock: units x FLOPs/clk/unit x clock_mhz. NaN when unknown.
    double clock_adjusted_peak_tflops = std::numeric_limits<double>::quiet_NaN();
    std::string instruction;     ///< e.g. "wgmma.m64n256k16.f32.f16.f16", "v_pk_fma_f32"
};

/// One memory ceiling: a level under a stream op.
struct memory_figure {
    memory_level level = memory_level::hbm;
    stream_op op = stream_op::read;
    double gbps = 0;             ///< median GB/s (1e9 bytes/s), bytes read + bytes written
    sample_stats stats{};        ///< in GB/s
    std::uint64_t working_set_bytes = 0; ///< bytes touched per pass (all arrays)
    double datasheet_gbps = std::numeric_limits<double>::quiet_NaN();
    std::string method;          ///< e.g. "ld.global.v4 x4 in flight, .cs stores"
};

/// How a launch overhead was measured.
enum class launch_mode { async, sync, graph };

constexpr std::string_view to_string(launch_mode m) {
    return m == launch_mode::async ? "async" : m == launch_mode::sync ? "sync" : "graph";
}

/// One launch-floor figure: microseconds per empty-kernel launch.
struct launch_figure {
    launch_mode mode = launch_mode::async;
    double us = 0;               ///< median microseconds per launch
    sample_stats stats{};        ///< in microseconds
};

/// One sub-measurement that did not produce a figure, and why. Keys look like
/// "compute.fp8.matrix", "memory.llc.read", "launch.graph".
struct failure {
    std::string key;
    std::string reason;
};

/// What aaco knows about the device an envelope describes.
struct device_info {
    int id = -1;                 ///< runtime device ordinal at calibration time; -1 for profiles
    std::string name;            ///< marketing name as the runtime reports it
    std::string vendor;          ///< "AMD" or "NVIDIA"
    std::string arch;            ///< "gfx942", "sm_90"
    int compute_units = 0;       ///< CUs (AMD) or SMs (NVIDIA)
    double max_clock_mhz = 0;    ///< the runtime's reported max engine clock
    std::uint64_t l2_bytes = 0;
    std::uint64_t llc_bytes = 0; ///< Infinity Cache / MALL where known, else 0
    std::uint64_t memory_bytes = 0;
    std::uint64_t shared_bytes_per_unit = 0; ///< LDS / shared memory per CU/SM
    std::string uuid;
    std::string pci_bus_id;
    int driver_version = 0;
    int runtime_version = 0;
    bool ecc = false;
};

/// Where an envelope's numbers came from.
enum class envelope_source { measured, datasheet };

constexpr std::string_view to_string(envelope_source s) {
    return s == envelope_source::measured ? "measured" : "datasheet";
}

/// The seed's "validation" block: summary of the whole calibration's statistics.
struct validation_summary {
    std::uint64_t iterations = 0; ///< kernel iterations timed, all figures together
    double cov = 0;               ///< the worst (largest) CoV of any figure
    bool stable = false;          ///< every figure is stable
};

/// The hardware envelope of one GPU.
struct envelope {
    envelope_source source = envelope_source::measured;
    std::string aaco_version = AACO_VERSION_STRING;
    std::string calibration_timestamp; ///< ISO-8601 UTC, "2026-02-15T12:00:00Z"
    std::string profile_key;           ///< datasheet profile matched, e.g. "h100-sxm"; may be empty
    device_info device;
    std::vector<compute_figure> compute;
    std::vector<memory_figure> memory;
    std::vector<launch_figure> launch;
    std::vector<failure> failures;
    double calibration_wall_seconds = 0;

    // ---- lookups ------------------------------------------------------------------------
    /// The figure for `p` on `u`, or nullptr.
    const compute_figure* find_compute(precision p, compute_unit u) const {
        for (const auto& f : compute)
            if (f.prec == p && f.unit == u) return &f;
        return nullptr;
    }
    /// The figure for `l` under `op`, or nullptr.
    const memory_figure* find_memory(memory_level l, stream_op op) const {
        for (const auto& f : memory)
            if (f.level == l && f.op == op) return &f;
        return nullptr;
    }
    const launch_figure* find_launch(launch_mode m) const {
        for (const auto& f : launch)
            if (f.mode == m) return &f;
        return nullptr;
    }

    /// True when a compute ceiling exists for `p` (on either unit).
    bool has_compute(precision p) const { return best_compute(p) != nullptr; }
    bool has_memory(memory_level l) const { return best_memory(l) != nullptr; }

    /// The compute roof for `p`: the faster of its matrix and vector figures, in TFLOP/s.
    /// Throws invalid_argument naming the precision when none was measured (see `failures`).
    double compute_tflops(precision p) const {
        const compute_figure* f = best_compute(p);
        if (!f)
            throw invalid_argument("envelope has no compute ceiling for " +
                                   std::string(to_string(p)) + missing_reason("compute." +
                                   std::string(to_string(p))));
        return f->tflops;
    }
    /// The bandwidth roof of level `l`: the fastest op measured there, in GB/s.
    double memory_gbps(memory_level l = memory_level::hbm) const {
        const memory_figure* f = best_memory(l);
        if (!f)
            throw invalid_argument("envelope has no memory ceiling for " +
                                   std::string(to_string(l)) + missing_reason("memory." +
                                   std::string(to_string(l))));
        return f->gbps;
    }
    /// The launch floor: asynchronous back-to-back empty-kernel launches, microseconds each.
    double launch_us() const {
        const launch_figure* f = find_launch(launch_mode::async);
        if (!f)
            throw invalid_argument("envelope has no launch figure" + missing_reason("launch.async"));
        return f->us;
    }

    const compute_figure* best_compute(precision p) const {
        const compute_figure* best = nullptr;
        for (const auto& f : compute)
            if (f.prec == p && (!best || f.tflops > best->tflops)) best = &f;
        return best;
    }
    const memory_figure* best_memory(memory_level l) const {
        const memory_figure* best = nullptr;
        for (const auto& f : memory)
            if (f.level == l && (!best || f.gbps > best->gbps)) best = &f;
        return best;
    }

    /// The seed's validation block, computed from every figure's statistics.
    validation_summary validation() const {
        validation_summary v;
        bool any = false;
        bool all_stable = true;
        auto take = [&](const sample_stats& s) {
            any = true;
            v.iterations += s.iterations;
            if (s.cov > v.cov) v.cov = s.cov;
            all_stable = all_stable && s.stable;
        };
        for (const auto& f : compute) take(f.stats);
        for (const auto& f : memory) take(f.stats);
        for (const auto& f : launch) take(f.stats);
        v.stable = any && all_stable && source == envelope_source::measured;
        return v;
    }

private:
    std::string missing_reason(const std::string& key_prefix) const {
        for (const auto& f : failures)
            if (f.key.compare(0, key_prefix.size(), key_prefix) == 0)
                return " (" + f.key + " failed: " + f.reason + ")";
        return " (not measured)";
    }
};

AACO_PORTABLE_NAMESPACE_END
