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

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// Version of aaco's JSON extension ("aaco" object). Bumped on any incompatible change.
/// 2: telemetry, per-launch clock-adjusted efficiency, operand distribution, sustained figures,
///    memory scope (whole-cache figures), device-side and enqueue launch floors, latency and
///    measured capacities, robust intervals, `null` for what a datasheet does not state.
///    Version 1 files are still read (the new fields take their "unknown" defaults).
inline constexpr int envelope_schema_version = 2;

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
    bool stable = false;       ///< judged by the figure's rule (see README, "How aaco measures")
    /// 2.5th and 97.5th percentiles of the samples: the ends of the central 95% of them (the
    /// XLow/XHigh of rocprof-compute's roofline.csv). NaN when not computed.
    double p2_5 = std::numeric_limits<double>::quiet_NaN();
    double p97_5 = std::numeric_limits<double>::quiet_NaN();
    /// 95% interval of the median (bootstrap), NaN when not computed. Launch floors are judged
    /// by its relative width rather than by the CoV of heavy-tailed samples.
    double median_ci_low = std::numeric_limits<double>::quiet_NaN();
    double median_ci_high = std::numeric_limits<double>::quiet_NaN();

    /// True when the figure has statistics at all (a datasheet figure has none).
    bool measured() const { return samples > 0; }
    /// iqr / |median| (0 when the median is 0).
    double relative_iqr() const { return median != 0 ? iqr / std::fabs(median) : 0.0; }
};

/// Board telemetry read while one figure was sampled: NVML on NVIDIA, AMD SMI on AMD, loaded at
/// run time. aaco only reads it, never changes a setting. NaN / empty = not read (library absent,
/// query unsupported); `readings == 0` means no telemetry at all for this figure.
struct telemetry_summary {
    std::string source;            ///< "nvml", "amdsmi"; empty when nothing was read
    std::uint32_t readings = 0;    ///< polls taken while the figure was sampled
    double power_mean_w = std::numeric_limits<double>::quiet_NaN();
    double power_max_w = std::numeric_limits<double>::quiet_NaN();
    double power_limit_w = std::numeric_limits<double>::quiet_NaN(); ///< enforced board limit
    double temperature_min_c = std::numeric_limits<double>::quiet_NaN();
    double temperature_max_c = std::numeric_limits<double>::quiet_NaN();
    double sm_clock_mean_mhz = std::numeric_limits<double>::quiet_NaN();
    double sm_clock_min_mhz = std::numeric_limits<double>::quiet_NaN();
    double sm_clock_max_mhz = std::numeric_limits<double>::quiet_NaN();
    double memory_clock_mhz = std::numeric_limits<double>::quiet_NaN();
    /// Every throttle reason seen in any poll, in the library's terms mapped to aaco's names:
    /// "sw_power_cap", "hw_slowdown", "hw_power_brake", "hw_thermal", "sw_thermal",
    /// "sync_boost", "applications_clocks", "idle", "other".
    std::vector<std::string> throttle_reasons;
    /// The reasons were read in at least one poll; false means unknown (not "none"): the library
    /// lacks the query, or AMD, where aaco does not read them. JSON: `throttle_reasons` null.
    bool throttle_reasons_read = false;

    bool available() const { return readings > 0; }
    /// Mean power at or above this fraction of the limit counts as "at the limit". Untuned: the
    /// controller holds a capped board within a few percent below its limit.
    static constexpr double near_limit_fraction = 0.95;
    /// Measured, never inferred: a power-cap throttle reason was reported during the figure, or
    /// the mean power was within 5% of the enforced limit. nullopt without telemetry, and when
    /// neither the reasons nor power and limit were read (nothing to judge "no" from).
    std::optional<bool> power_limited() const {
        if (!available()) return std::nullopt;
        const bool reason = std::find(throttle_reasons.begin(), throttle_reasons.end(),
                                      "sw_power_cap") != throttle_reasons.end() ||
                            std::find(throttle_reasons.begin(), throttle_reasons.end(),
                                      "hw_power_brake") != throttle_reasons.end();
        const bool power_known = std::isfinite(power_mean_w) && std::isfinite(power_limit_w) &&
                                 power_limit_w > 0;
        const bool near = power_known && power_mean_w >= near_limit_fraction * power_limit_w;
        if (reason || near) return true;
        if (!power_known && !throttle_reasons_read) return std::nullopt;
        return false;
    }
};

/// A compute figure held under load for seconds (`--sustained S`): the steady state, beside the
/// short burst figure. The roof is the higher of the two (an upper bound must hold for short
/// kernels too).
struct sustained_figure {
    double seconds = 0;          ///< how long the load was held (device time sampled)
    double tflops = 0;           ///< median over the samples of the steady state
    sample_stats stats{};        ///< in TFLOP/s
    double clock_mhz = std::numeric_limits<double>::quiet_NaN();
    sample_stats efficiency{};   ///< per-launch clock-adjusted efficiency, fraction
    telemetry_summary telemetry{};
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
    /// The documented distribution the operands were drawn from, e.g. "uniform [-1, 1]",
    /// "uniform int8 [-128, 127]", "zero". Empty when unknown (datasheet, schema 1 files).
    std::string operand_distribution;
    /// Per-launch clock-adjusted efficiency: each launch's rate over the peak at that same
    /// launch's clock (a fraction; median, spread). samples == 0 when no clock was recorded.
    sample_stats clock_adjusted_efficiency{};
    telemetry_summary telemetry{};
    std::optional<sustained_figure> sustained; ///< with `--sustained`

    /// The roof of this figure: the higher of the burst and the sustained figure.
    double roof_tflops() const {
        return sustained && sustained->tflops > tflops ? sustained->tflops : tflops;
    }
};

/// Which working set a memory figure covers. `roof`: the level's ceiling working set (for L2 the
/// near-partition plateau on H100/H200); `whole`: about three quarters of the whole cache
/// (both L2 partitions, all XCDs), reported beside the roof with its working set.
enum class memory_scope { roof, whole };

constexpr std::string_view to_string(memory_scope s) { return s == memory_scope::roof ? "roof" : "whole"; }

/// One memory ceiling: a level under a stream op.
struct memory_figure {
    memory_level level = memory_level::hbm;
    stream_op op = stream_op::read;
    double gbps = 0;             ///< median GB/s (1e9 bytes/s), bytes read + bytes written
    sample_stats stats{};        ///< in GB/s
    std::uint64_t working_set_bytes = 0; ///< bytes touched per pass (all arrays)
    double datasheet_gbps = std::numeric_limits<double>::quiet_NaN();
    std::string method;          ///< e.g. "ld.global.v4 x4 in flight, .cs stores"
    memory_scope scope = memory_scope::roof;
    telemetry_summary telemetry{};
};

/// How a launch overhead was measured.
/// `device`: empty kernels queued behind a gate kernel, drained by the GPU at its own rate (the
/// device-side floor, the seed's launch_overhead_us); `enqueue`: the host's cost per launch call,
/// timed on the CPU; `async`: back-to-back launches between events (host-bound); `sync`: launch +
/// synchronize round trip; `graph`: one graph of many launches replayed.
enum class launch_mode { async, sync, graph, device, enqueue };

inline constexpr std::array<launch_mode, 5> all_launch_modes = {
    launch_mode::device, launch_mode::enqueue, launch_mode::async, launch_mode::sync,
    launch_mode::graph};

constexpr std::string_view to_string(launch_mode m) {
    switch (m) {
    case launch_mode::async: return "async";
    case launch_mode::sync: return "sync";
    case launch_mode::graph: return "graph";
    case launch_mode::device: return "device";
    case launch_mode::enqueue: return "enqueue";
    }
    return "unknown";
}

/// True for the modes that time the host's side of a launch (the CPU's enqueue cost, the
/// round trip of a synchronising call): they depend on the host CPU and its scheduler, not on the
/// GPU, so they are reported with their own `stable` flag but do not make a calibration unstable
/// (envelope::validation). device and graph are timed on the GPU's side.
constexpr bool times_the_host(launch_mode m) {
    return m == launch_mode::enqueue || m == launch_mode::async || m == launch_mode::sync;
}

/// One launch-floor figure: microseconds per empty-kernel launch.
struct launch_figure {
    launch_mode mode = launch_mode::async;
    double us = 0;               ///< median microseconds per launch
    sample_stats stats{};        ///< in microseconds
    std::string method;          ///< what was timed, e.g. "4096 launches behind a gate kernel"
    telemetry_summary telemetry{};
};

/// Load-to-use latency of one memory level, from a dependent pointer chase.
struct latency_figure {
    memory_level level = memory_level::hbm;
    /// Part of the level where that matters: "near"/"far" (H100/H200 L2 partitions), "" else.
    std::string scope;
    double ns = std::numeric_limits<double>::quiet_NaN();     ///< median nanoseconds per load
    double cycles = std::numeric_limits<double>::quiet_NaN(); ///< median SM/CU cycles per load
    sample_stats stats{};        ///< in ns
    sample_stats cycle_stats{};  ///< in cycles
    double clock_mhz = std::numeric_limits<double>::quiet_NaN(); ///< the clock that converted it
    std::uint64_t working_set_bytes = 0; ///< bytes the chain cycles through
    std::uint64_t stride_bytes = 0;      ///< minimum distance between consecutive slots
    std::string method;          ///< e.g. "ld.global.ca chase, 1 thread, random cycle"
};

/// A capacity found by a sweep: the level's working set ends between `low_bytes` (last point
/// on its plateau) and `high_bytes` (first point past the knee).
struct capacity_figure {
    memory_level level = memory_level::l2;
    std::uint64_t low_bytes = 0;
    std::uint64_t high_bytes = 0;
    std::uint64_t queried_bytes = 0; ///< what the device query reports, 0 when it reports none
    std::string method;          ///< "latency sweep" or "bandwidth sweep"
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
    std::optional<bool> ecc;     ///< nullopt when unknown (datasheet envelopes)
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
    std::vector<latency_figure> latency;
    std::vector<capacity_figure> capacities;
    std::vector<failure> failures;
    double calibration_wall_seconds = 0;
    /// Why telemetry is missing, said once per envelope ("NVML not found: ..."); empty when
    /// telemetry was read or not attempted.
    std::string telemetry_note;

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
        return f->roof_tflops();
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
    /// The figure behind the seed's `launch_overhead_us`: the device-side launch floor where it
    /// was measured, else (files of schema 1) the asynchronous back-to-back figure. nullptr if
    /// neither exists.
    const launch_figure* launch_floor() const {
        if (const launch_figure* f = find_launch(launch_mode::device)) return f;
        return find_launch(launch_mode::async);
    }
    /// The launch floor in microseconds per launch (see launch_floor()).
    double launch_us() const {
        const launch_figure* f = launch_floor();
        if (!f)
            throw invalid_argument("envelope has no launch figure" + missing_reason("launch."));
        return f->us;
    }
    /// The latency of level `l` (first figure, or the one with `scope`), or nullptr.
    const latency_figure* find_latency(memory_level l, std::string_view scope = {}) const {
        for (const auto& f : latency)
            if (f.level == l && (scope.empty() || f.scope == scope)) return &f;
        return nullptr;
    }
    /// Median load-to-use latency of level `l` in ns; throws when it was not measured.
    double latency_ns(memory_level l) const {
        const latency_figure* f = find_latency(l);
        if (!f)
            throw invalid_argument("envelope has no latency for " + std::string(to_string(l)) +
                                   missing_reason("latency." + std::string(to_string(l))));
        return f->ns;
    }

    const compute_figure* best_compute(precision p) const {
        const compute_figure* best = nullptr;
        for (const auto& f : compute)
            if (f.prec == p && (!best || f.roof_tflops() > best->roof_tflops())) best = &f;
        return best;
    }
    const memory_figure* best_memory(memory_level l) const {
        const memory_figure* best = nullptr;
        for (const auto& f : memory)
            if (f.level == l && (!best || f.gbps > best->gbps)) best = &f;
        return best;
    }

    /// The seed's validation block, computed from every figure's statistics: `iterations` summed
    /// over all, `cov` the largest CoV, `stable` when every GPU figure is stable. Host-side launch
    /// costs (times_the_host) count in iterations and cov but not in `stable`: a VM's scheduler
    /// jitter says nothing about the card's ceilings (H200 run of 2026-12-01: the enqueue, async
    /// and sync medians moved 14-19% between runs and failed their own test in 3 of 5 runs, while
    /// graph replay held within 0.25%).
    validation_summary validation() const {
        validation_summary v;
        bool any = false;
        bool all_stable = true;
        auto take = [&](const sample_stats& s, bool judged = true) {
            any = true;
            v.iterations += s.iterations;
            if (s.cov > v.cov) v.cov = s.cov;
            if (judged) all_stable = all_stable && s.stable;
        };
        for (const auto& f : compute) take(f.stats);
        for (const auto& f : memory) take(f.stats);
        for (const auto& f : launch) take(f.stats, !times_the_host(f.mode));
        for (const auto& f : latency) take(f.stats);
        v.stable = any && all_stable && source == envelope_source::measured;
        // A datasheet states no statistics: its spread is unknown, not zero.
        if (source == envelope_source::datasheet) v.cov = std::numeric_limits<double>::quiet_NaN();
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
