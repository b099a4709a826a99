/// \file launch.hpp
/// \brief Launch-floor probe: empty-kernel launches, five ways (kernels/empty.hpp): the
/// device-side floor behind a gate, the host's enqueue cost, back-to-back async launches, the
/// synchronous round trip and graph replay.
///
/// Launch times are heavy-tailed: a host thread descheduled for a millisecond spoils one sample
/// by 10x while the others agree to a fraction of a percent. The CoV of such samples says more
/// about the rare hiccup than about the figure, so each launch figure is judged by the robust
/// rule (stats::judge_robust): enough samples, a bootstrap 95% interval of the median within
/// +-`stable_cov` of it, and no drift between the first and second half of the series.
#pragma once
#include <aaco/calibration_options.hpp>
#include <aaco/config.hpp>
#include <aaco/kernels/empty.hpp>
#include <aaco/probes/sampler.hpp>
#include <aaco/stats/stopping_rule.hpp>
#include <aaco/stats/summary.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace probes {

#if !AACO_BACKEND_NONE
/// Launches per sample (for enqueue: launch calls per host-timed batch).
/// - device: kernels::launch_floor::default_gated_depth (512), below the launch queue's limit so
///   that the host never blocks while the gate holds the queue; the GPU drains them in well
///   under a millisecond, long against the events' ~0.5 us resolution.
/// - enqueue: kernels::launch_floor::default_enqueue_batch (16).
/// - async: H200 runs (2026-11-26): 200 launches per sample (~0.65 ms) gave a CoV of 5.7%, 2000
///   (~6 ms) still 6.1% with a clean IQR: occasional host hiccups of a millisecond or so inside
///   a sample. The robust rule does not need them diluted in long samples, and it needs >= 20
///   samples inside the 0.25 s cap (launch_rule). untuned: 1000 launches (~4.5 ms) give ~45-50.
/// - sync, graph: already stable on that run (1.0% and 0.06%).
inline int launches_per_sample(launch_mode m) {
    switch (m) {
    case launch_mode::device: return kernels::launch_floor::default_gated_depth;
    case launch_mode::enqueue: return kernels::launch_floor::default_enqueue_batch;
    case launch_mode::async: return 1000;
    case launch_mode::sync: return 200;
    case launch_mode::graph: return 2000;
    }
    return 1000;
}

/// The `method` text of a launch figure: what was timed, with what clock, and how it is judged.
inline std::string launch_method(launch_mode m) {
    const std::string n = std::to_string(launches_per_sample(m));
    const std::string judged =
        "; median of the samples, stable by the robust rule (bootstrap 95% interval of the "
        "median, first/second-half drift)";
    switch (m) {
    case launch_mode::device:
        return n + " empty launches queued behind a gate kernel that spins on a host-mapped flag "
                   "until the host has enqueued them all; device events around the drained "
                   "launches (gate excluded), per launch" + judged;
    case launch_mode::enqueue:
        return "host steady_clock time of batches of " + n +
               " launch calls made while a closed gate holds the queue (no call waits for the "
               "GPU), per call" + judged;
    case launch_mode::async:
        return n + " back-to-back empty launches between two device events, after a synchronized "
                   "warm-up batch; bound by the slower of host enqueue and device drain" + judged;
    case launch_mode::sync:
        return n + " round trips of one empty launch + device synchronize, host steady_clock, "
                   "per round trip" + judged;
    case launch_mode::graph:
        return "one graph of " + n + " captured empty launches replayed between two device "
                   "events, per launch" + judged;
    }
    return "unknown";
}

/// The stopping rule of a launch figure: the figure's rule with its wall-time cap at most
/// 0.25 s. H200 run of 2026-12-02: with the full calibration's 0.5 s cap, device, async, sync
/// and graph each ran the whole 0.5 s (their samples are host-bound in wall time: 512-2000
/// launches enqueued per sample) with 91-241 samples, while the robust rule needs 20 and the
/// device floor's and graph's medians were known to +-0.01% and +-0.04%; 2.2 s of an 11.1 s
/// calibration. Half the cap keeps 45-120 samples and saves ~1 s. Quick mode's 0.1 s stays.
inline stats::stopping_config launch_rule(stats::stopping_config rule) {
    constexpr double cap_seconds = 0.25;
    if (rule.timeout_seconds > cap_seconds) rule.timeout_seconds = cap_seconds;
    if (rule.min_seconds > rule.timeout_seconds) rule.min_seconds = rule.timeout_seconds;
    return rule;
}

namespace detail {
/// One call's worth of samples of `mode` (microseconds per launch).
inline std::vector<double> launch_samples(launch_mode mode, void* stream, int launches, int count) {
    namespace lf = kernels::launch_floor;
    switch (mode) {
    case launch_mode::device: return lf::device_us(stream, launches, count);
    case launch_mode::enqueue: return lf::enqueue_us(stream, launches, count);
    case launch_mode::async: return lf::async_us(stream, launches, count);
    case launch_mode::sync: return lf::sync_us(stream, launches, count);
    case launch_mode::graph: return lf::graph_us(stream, launches, count);
    }
    throw invalid_argument("measure_launch: unknown launch mode");
}
} // namespace detail

/// Measures one launch mode under the stopping rule (the wall time counts towards its timeout,
/// so a host-bound mode cannot overrun), then judges it by the robust rule. Throws on failure.
inline launch_figure measure_launch(launch_mode mode, const sampling_config& cfg,
                                    backend::stream& s) {
    const int launches = launches_per_sample(mode);
    // Amortises each call's warm-up batch; enqueue samples come 32 to a gated round.
    const int samples_per_call = mode == launch_mode::enqueue ? 64 : 10;
    stats::stopping_rule rule(launch_rule(cfg.rule));
    void* native = reinterpret_cast<void*>(s.get());
    // Board telemetry over the samples, as for every other figure (sampler.hpp). The poller runs
    // on its own thread every 15 ms; the host-timed modes (enqueue, sync) share the CPU with it.
    backend::telemetry_scope telemetry(cfg.telemetry);
    const auto wall_start = std::chrono::steady_clock::now();
    while (!rule.done()) {
        const std::vector<double> batch = detail::launch_samples(mode, native, launches, samples_per_call);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        for (double us : batch)
            if (rule.add(us, us * launches * 1e-6, wall) != stats::decision::keep_going) break;
    }
    launch_figure f;
    f.mode = mode;
    f.method = launch_method(mode);
    f.stats = rule.result(static_cast<std::uint64_t>(rule.samples()) * static_cast<std::uint64_t>(launches));
    f.stats.stable = stats::judge_robust(rule.values(), cfg.stable_cov).stable;
    f.us = f.stats.median;
    f.telemetry = telemetry.finish();
    return f;
}

/// Plans the launch-floor steps, one per mode: device (the seed's launch_overhead_us), enqueue,
/// async, sync, graph.
template <class Steps>
void plan_launch(Steps& steps, const calibration_options&, const sampling_config& cfg,
                 backend::stream& s, envelope& env) {
    for (launch_mode m : all_launch_modes) {
        steps.push_back({"launch." + std::string(to_string(m)),
                         [&cfg, &s, &env, m] { env.launch.push_back(measure_launch(m, cfg, s)); }});
    }
}
#endif

} // namespace probes
AACO_NAMESPACE_END
