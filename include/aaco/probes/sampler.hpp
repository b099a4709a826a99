/// \file sampler.hpp
/// \brief Times a kernel runner with device events under the stopping rule (design.md section 4).
#pragma once
#include <aaco/backend/backend.hpp>
#include <aaco/config.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/stats/stopping_rule.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>

AACO_NAMESPACE_BEGIN
namespace probes {

/// How one figure is sampled.
struct sampling_config {
    stats::stopping_config rule{};
    /// One sample = one launch sized to about this long. Long enough that the few microseconds
    /// of launch gap and event resolution are < 0.1% of it; short enough that the stopping
    /// rule gets tens of samples inside its minimum time.
    double target_launch_ms = 4.0;
    /// Compute loops get longer samples: under power capping the SM clock oscillates on a
    /// millisecond scale. First H200 run (2026-11-26): 4 ms samples gave the fp16/bf16/fp8
    /// wgmma ceilings a CoV of 2-3%; longer samples average the oscillation out.
    double compute_launch_ms = 20.0;
    /// CoV at or below which the figure is reported stable (the 1% target).
    double stable_cov = 0.01;

    /// Defaults of a full calibration: 0.25 s minimum per figure, 0.4 s cap (a precision's
    /// matrix and vector figures then stay near the 0.5 s-per-precision budget once their
    /// launches are sized), 0.5% convergence threshold.
    static sampling_config full() {
        sampling_config c;
        c.rule.min_seconds = 0.25;
        c.rule.timeout_seconds = 0.4;
        c.rule.min_samples = 10;
        c.rule.max_samples = 400;
        return c;
    }
    /// Quick mode: 30 ms minimum, 60 ms cap per figure, 2 ms launches (8 ms for compute).
    static sampling_config quick() {
        sampling_config c;
        c.rule.min_seconds = 0.03;
        c.rule.timeout_seconds = 0.06;
        c.rule.min_samples = 5;
        c.rule.max_samples = 200;
        c.target_launch_ms = 2.0;
        c.compute_launch_ms = 8.0;
        return c;
    }
};

/// What sampling one runner produced.
struct sampled {
    sample_stats stats;               ///< in the unit of `value_of`
    kernels::launch_work work;        ///< work of one sampled launch
    std::uint64_t repeats = 0;        ///< the `repeats` each launch used
    kernels::clock_reading clock;     ///< in-kernel clock of the last launch (if recorded)
};

#if !AACO_BACKEND_NONE
namespace detail {

/// Device milliseconds of one launch of `r` with `repeats`.
inline double time_one_launch(kernels::runner& r, backend::stream& s, backend::event& start,
                              backend::event& stop, std::uint64_t repeats,
                              kernels::launch_work& work) {
    start.record(s.get());
    work = r.enqueue(reinterpret_cast<void*>(s.get()), repeats);
    stop.record(s.get());
    stop.synchronize();
    return static_cast<double>(stop.elapsed_ms_since(start));
}

/// Doubles (or scales) `repeats` until one launch lasts at least half the target. These
/// launches also finish the warm-up of the clocks for this kernel.
inline std::uint64_t size_launch(kernels::runner& r, backend::stream& s, backend::event& start,
                                 backend::event& stop, double target_ms) {
    std::uint64_t repeats = 1;
    kernels::launch_work work;
    for (int attempt = 0; attempt < 40; ++attempt) {
        const double ms = time_one_launch(r, s, start, stop, repeats, work);
        if (ms >= 0.5 * target_ms) break;
        const double scale = ms > 0 ? std::min(16.0, std::max(2.0, target_ms / ms)) : 16.0;
        const double next = static_cast<double>(repeats) * scale;
        if (next > 1e12) break;  // a kernel that does no work per repeat; stop growing
        repeats = static_cast<std::uint64_t>(next);
    }
    return repeats;
}

} // namespace detail

/// Keeps the device busy with `r` for at least `seconds`: clocks ramp up over the first tens of
/// milliseconds of load (design.md section 4), so the first probe starts warm.
inline void warm_up(kernels::runner& r, backend::stream& s, double seconds) {
    backend::event start, stop;
    const std::uint64_t repeats = detail::size_launch(r, s, start, stop, 5.0);
    kernels::launch_work work;
    double total_ms = 0;
    while (total_ms < seconds * 1e3)
        total_ms += detail::time_one_launch(r, s, start, stop, repeats, work);
}

/// Samples `r` until the stopping rule says stop. `value_of(work, seconds)` converts one
/// launch's work and device time into the figure's unit (TFLOP/s, GB/s, ...).
template <class ValueOf>
sampled sample_runner(kernels::runner& r, backend::stream& s, const sampling_config& cfg,
                      ValueOf value_of) {
    backend::event start, stop;
    sampled out;
    out.repeats = detail::size_launch(r, s, start, stop, cfg.target_launch_ms);
    stats::stopping_rule rule(cfg.rule);
    const auto wall_start = std::chrono::steady_clock::now();
    std::uint64_t launches = 0;
    stats::decision d = stats::decision::keep_going;
    while (d == stats::decision::keep_going) {
        const double ms = detail::time_one_launch(r, s, start, stop, out.repeats, out.work);
        ++launches;
        const double seconds = ms * 1e-3;
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                          wall_start).count();
        d = rule.add(value_of(out.work, seconds), seconds, wall);
    }
    out.stats = rule.result(launches * out.repeats);
    out.stats.stable = out.stats.samples >= 2 && out.stats.cov <= cfg.stable_cov;
    out.clock = r.last_clock(reinterpret_cast<void*>(s.get()));
    return out;
}
#endif

} // namespace probes
AACO_NAMESPACE_END
