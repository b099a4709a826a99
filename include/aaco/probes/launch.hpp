/// \file launch.hpp
/// \brief Launch-floor probe: empty-kernel launches, asynchronous, synchronous and graph-replayed.
#pragma once
#include <aaco/calibration_options.hpp>
#include <aaco/config.hpp>
#include <aaco/kernels/empty.hpp>
#include <aaco/probes/sampler.hpp>
#include <aaco/stats/stopping_rule.hpp>

#include <string>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace probes {

#if !AACO_BACKEND_NONE
/// Launches per sample. H200 runs (2026-11-26): 200 async launches per sample (~0.65 ms) gave a
/// CoV of 5.7%, 2000 (~6 ms) still 6.1% with a clean IQR: occasional host hiccups of a
/// millisecond or so inside a sample. Async samples of ~15 ms dilute them; graph replays and
/// sync round trips were already stable (0.06% and 1.0%).
inline int launches_per_sample(launch_mode m) {
    switch (m) {
    case launch_mode::async: return 5000;
    case launch_mode::sync: return 200;
    case launch_mode::graph: return 2000;
    }
    return 1000;
}

/// Measures one launch mode under the stopping rule. Throws on failure.
inline launch_figure measure_launch(launch_mode mode, const sampling_config& cfg,
                                    backend::stream& s) {
    const int launches = launches_per_sample(mode);
    constexpr int samples_per_batch = 10;  // amortises the per-call warm-up batch
    stats::stopping_rule rule(cfg.rule);
    void* native = reinterpret_cast<void*>(s.get());
    while (!rule.done()) {
        const std::vector<double> batch =
            mode == launch_mode::async  ? kernels::launch_floor::async_us(native, launches, samples_per_batch)
            : mode == launch_mode::sync ? kernels::launch_floor::sync_us(native, launches, samples_per_batch)
                                        : kernels::launch_floor::graph_us(native, launches, samples_per_batch);
        for (double us : batch) {
            if (rule.add(us, us * launches * 1e-6) != stats::decision::keep_going) break;
        }
    }
    launch_figure f;
    f.mode = mode;
    f.stats = rule.result(static_cast<std::uint64_t>(rule.samples()) * static_cast<std::uint64_t>(launches));
    // Launch overhead is a floor: more host jitter than a kernel's run time, so its stable
    // threshold is the 3% rather than the ceilings' 1%.
    f.stats.stable = f.stats.samples >= 2 && f.stats.cov <= 3 * cfg.stable_cov;
    f.us = f.stats.median;
    return f;
}

/// Plans the three launch-floor steps.
template <class Steps>
void plan_launch(Steps& steps, const calibration_options&, const sampling_config& cfg,
                 backend::stream& s, envelope& env) {
    for (launch_mode m : {launch_mode::async, launch_mode::sync, launch_mode::graph}) {
        steps.push_back({"launch." + std::string(to_string(m)),
                         [&cfg, &s, &env, m] { env.launch.push_back(measure_launch(m, cfg, s)); }});
    }
}
#endif

} // namespace probes
AACO_NAMESPACE_END
