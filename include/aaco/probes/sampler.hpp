/// \file sampler.hpp
/// \brief Times a kernel runner with device events under the stopping rule (design.md section 4).
#pragma once
#include <aaco/backend/backend.hpp>
#include <aaco/backend/telemetry.hpp>
#include <aaco/config.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/stats/stopping_rule.hpp>
#include <aaco/stats/summary.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

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
    /// CoV at or below which the figure is reported stable (the 1% target), from at
    /// least stats::min_stable_samples samples.
    double stable_cov = 0.01;
    /// Board telemetry polled while each figure is sampled; nullptr = none. Not owned.
    backend::telemetry_source* telemetry = nullptr;

    /// Defaults of a full calibration: 0.2 s minimum per figure, 0.5% convergence threshold
    /// with the rule's confirmation window (a quarter more samples), 0.5 s cap. With 20 ms
    /// compute launches a converging figure takes 13 samples (~0.26 s); the cap leaves room
    /// for launches sized up to ~1.4x their target. The minimum was 0.25 s (design.md section
    /// 4) until the H200 run of 2026-12-01: every figure that converged there (memory, fp64,
    /// fp32) had a CoV of 0.06-0.39% against the 0.5% test, and the full calibration took
    /// 10.1-10.4 s against its 10 s target; 0.2 s saves ~0.06 s on each of ~12 such figures and
    /// still spans 10 compute or 50 memory launches.
    static sampling_config full() {
        sampling_config c;
        c.rule.min_seconds = 0.2;
        c.rule.timeout_seconds = 0.5;
        c.rule.max_samples = 400;
        return c;
    }
    /// Quick mode: 50 ms minimum, 100 ms cap per figure, 2 ms launches (5 ms for compute).
    /// Like a full calibration it needs stats::min_stable_samples (10) samples to call a figure
    /// stable, so its launches are short enough that 10 samples plus the confirmation window fit
    /// in the cap: 13 x 5 ms = 65 ms. untuned: shorter compute launches average less of the
    /// clock oscillation, so quick figures are more often unstable than full ones.
    static sampling_config quick() {
        sampling_config c;
        c.rule.min_seconds = 0.05;
        c.rule.timeout_seconds = 0.1;
        c.rule.max_samples = 200;
        c.target_launch_ms = 2.0;
        c.compute_launch_ms = 5.0;
        return c;
    }
};

/// What sampling one runner produced.
struct sampled {
    sample_stats stats;               ///< in the unit of `value_of`
    kernels::launch_work work;        ///< work of one sampled launch
    std::uint64_t repeats = 0;        ///< the `repeats` each launch used
    kernels::clock_reading clock;     ///< in-kernel clock of the last launch (if recorded)
    /// Every timed launch in order: its value (the unit of `value_of`) and its in-kernel clock
    /// (MHz, NaN where the kernel records none), read after that launch, outside its timing.
    std::vector<double> values;
    std::vector<double> clock_mhz;
    /// Device time of every launch taken, seconds (for a hold: the whole hold).
    double device_seconds = 0;
    telemetry_summary telemetry;      ///< polled while the samples were taken
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

/// One timed launch and, after it (outside the events), the clock the kernel recorded.
struct timed_launch {
    double seconds = 0;
    double clock_mhz = 0;
};

inline timed_launch time_launch_with_clock(kernels::runner& r, backend::stream& s,
                                           backend::event& start, backend::event& stop,
                                           std::uint64_t repeats, kernels::launch_work& work) {
    timed_launch t;
    t.seconds = time_one_launch(r, s, start, stop, repeats, work) * 1e-3;
    t.clock_mhz = r.last_clock(reinterpret_cast<void*>(s.get())).mhz();
    return t;
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
/// launch's work and device time into the figure's unit (TFLOP/s, GB/s, ...). Each launch is
/// one sample; its in-kernel clock is read after it, outside the timed events, and kept with
/// its value (sampled::values / clock_mhz). Telemetry (cfg.telemetry) is polled over the
/// sampling, not over the sizing launches before it.
template <class ValueOf>
sampled sample_runner(kernels::runner& r, backend::stream& s, const sampling_config& cfg,
                      ValueOf value_of) {
    backend::event start, stop;
    sampled out;
    out.repeats = detail::size_launch(r, s, start, stop, cfg.target_launch_ms);
    stats::stopping_rule rule(cfg.rule);
    backend::telemetry_scope telemetry(cfg.telemetry);
    const auto wall_start = std::chrono::steady_clock::now();
    std::uint64_t launches = 0;
    stats::decision d = stats::decision::keep_going;
    while (d == stats::decision::keep_going) {
        const detail::timed_launch t =
            detail::time_launch_with_clock(r, s, start, stop, out.repeats, out.work);
        ++launches;
        out.clock_mhz.push_back(t.clock_mhz);
        out.device_seconds += t.seconds;
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                          wall_start).count();
        d = rule.add(value_of(out.work, t.seconds), t.seconds, wall);
    }
    out.telemetry = telemetry.finish();
    out.values = rule.values();
    out.stats = rule.result(launches * out.repeats);
    out.stats.stable = rule.stable_at(cfg.stable_cov);
    out.clock = r.last_clock(reinterpret_cast<void*>(s.get()));
    return out;
}

/// Holds `r` under load for `hold_seconds` of device time with launches of `repeats` (the
/// burst figure's size), for a sustained figure. The first half of the hold lets clock, power
/// and temperature settle; the figure comes from the launches that start in the second half
/// (at least the last launch): their values, clocks, statistics and telemetry. No stopping
/// rule: the hold's length is the user's choice. `stable` is judged like any figure's.
template <class ValueOf>
sampled hold_runner(kernels::runner& r, backend::stream& s, const sampling_config& cfg,
                    std::uint64_t repeats, double hold_seconds, ValueOf value_of) {
    backend::event start, stop;
    sampled out;
    out.repeats = repeats;
    std::optional<backend::telemetry_scope> telemetry;
    std::uint64_t steady_launches = 0;
    double steady_seconds = 0;
    while (out.device_seconds < hold_seconds) {
        const bool steady = out.device_seconds >= 0.5 * hold_seconds;
        if (steady && !telemetry) telemetry.emplace(cfg.telemetry);
        const detail::timed_launch t =
            detail::time_launch_with_clock(r, s, start, stop, repeats, out.work);
        out.device_seconds += t.seconds;
        const bool last = out.device_seconds >= hold_seconds;
        if (!steady && !(last && out.values.empty())) continue;
        out.values.push_back(value_of(out.work, t.seconds));
        out.clock_mhz.push_back(t.clock_mhz);
        steady_seconds += t.seconds;
        ++steady_launches;
    }
    if (telemetry) out.telemetry = telemetry->finish();
    out.stats = stats::summarize(out.values)
                    .to_sample_stats(cfg.stable_cov, steady_seconds, steady_launches * repeats);
    out.stats.stable = stats::figure_stable(out.values, cfg.stable_cov);
    out.clock = r.last_clock(reinterpret_cast<void*>(s.get()));
    return out;
}
#endif

} // namespace probes
AACO_NAMESPACE_END
