/// \file probes/latency.hpp
/// \brief The latency probe: samples the pointer chases of kernels/latency.hpp into latency
/// figures (one per level, plus the near and far L2 partition where there are two), plans them
/// into a calibration, and the latency sweep: latency against working set, the knees in it and
/// the capacity each one marks.
///
/// One sample = one launch: both timed loops, verified, turned into cycles per load (loop
/// overhead subtracted) and nanoseconds at that launch's clock. Samples are taken until the
/// stopping rule is met on the nanoseconds; the cycle figures get their own statistics.
#pragma once
#include <aaco/calibration_options.hpp>
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/latency.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/units.hpp>
#include <aaco/stats/knees.hpp>
#include <aaco/stats/latency_classes.hpp>
#include <aaco/stats/stopping_rule.hpp>
#include <aaco/stats/summary.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#if !AACO_BACKEND_NONE
#include <aaco/backend/backend.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace probes {

/// How latency figures are sampled.
struct latency_sampling {
    stats::stopping_config rule{};
    /// Wall time of each timed loop of one launch. Long against the wall clock's resolution
    /// (%globaltimer can step by up to ~1 us: 0.1% of 1 ms) and against the fixed cost of a
    /// loop; short enough for tens of samples in a few tens of milliseconds.
    double loop_seconds = 1e-3;
    /// CoV at or below which a figure is reported stable.
    double stable_cov = 0.01;

    /// A full calibration's: 5 to 100 samples, >= 20 ms of timed chase, 0.5 s cap per figure.
    /// Untuned: chosen because a chase's per-launch figure is a mean over thousands of loads, so
    /// a handful of samples already shows its spread; the cap keeps a noisy figure to 0.5 s.
    static latency_sampling full() {
        latency_sampling c;
        c.rule.min_seconds = 0.02;
        c.rule.min_samples = 10;  // the stopping rule's floor (stats::stopping_config)
        c.rule.max_samples = 100;
        c.rule.timeout_seconds = 0.5;
        return c;
    }
    /// Quick mode and the sweep's points: 3 to 20 samples, 0.5 ms loops, 0.1 s cap.
    static latency_sampling quick() {
        latency_sampling c;
        c.rule.min_seconds = 0.003;
        c.rule.min_samples = 10;  // the stopping rule's floor (stats::stopping_config)
        c.rule.max_samples = 20;
        c.rule.timeout_seconds = 0.1;
        c.loop_seconds = 0.5e-3;
        return c;
    }
};

/// Lanes of the warp/wavefront variant on `dev`: 64 on AMD (CDNA wave64), 32 on NVIDIA.
inline unsigned warp_lanes(const device_info& dev) { return dev.vendor == "AMD" ? 64u : 32u; }

/// Working sets of a latency sweep: 4 KiB up to 4x the last-level cache (the larger of L2 and
/// the cache behind it), at every power of two and 1.5x each, capped by half of the free device
/// memory. The half steps put a point inside every transition, so the knee finder can tell a
/// partial rise from a level.
inline std::vector<std::uint64_t> latency_sweep_sizes(const device_info& dev, std::uint64_t free_bytes) {
    const std::uint64_t llc = std::max<std::uint64_t>(dev.l2_bytes, dev.llc_bytes);
    const std::uint64_t top = std::min<std::uint64_t>(4 * std::max<std::uint64_t>(llc, mib), free_bytes / 2);
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t b = 4 * kib; b <= top; b *= 2) {
        sizes.push_back(b);
        if (b + b / 2 <= top) sizes.push_back(b + b / 2);
    }
    return sizes;
}

/// The chain of one sweep point: device memory, L1-cached loads (so the L1 knee shows),
/// 128-byte slots, the whole cycle walked before timing.
inline kernels::latency_plan sweep_plan(std::uint64_t working_set_bytes) {
    kernels::latency_plan p;
    p.level = memory_level::l1;
    p.policy = arch::chase_policy::l1;
    p.working_set_bytes = std::max<std::uint64_t>(working_set_bytes / kernels::chase_line_bytes, 1) *
                          kernels::chase_line_bytes;
    p.note = "latency sweep point";
    return p;
}

namespace detail {

/// "ld.global.cg.u64 ...; loop overhead 1.3 cycles per load subtracted (1-load vs 8-load loop)".
inline std::string chase_method(const std::string& base, double overhead_cycles, const std::string& note) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "; loop overhead %.2f cycles per load subtracted (1-load vs %d-load loop)",
                  overhead_cycles, kernels::chase_unroll);
    std::string m = base + buf;
    if (!note.empty()) m += "; " + note;
    return m;
}

/// Median of `v` (not empty).
inline double median(std::vector<double> v) { return stats::summarize(v).median; }

} // namespace detail

#if !AACO_BACKEND_NONE

/// Samples `runner` (prepared) until the stopping rule stops; `on_launch(sample, per_load)` sees
/// every sample and returns the value the rule judges (ns). Returns the rule's statistics.
/// The first launch walks the chain (warm-up) and sizes the loops; it is not a sample.
template <class OnLaunch>
sample_stats sample_chase(kernels::chase_runner& runner, const latency_sampling& cfg, backend::stream& s,
                          bool per_load, OnLaunch on_launch) {
    std::vector<std::uint32_t> loads;
    const kernels::chase_sample first = runner.launch(s, kernels::min_chase_hops, per_load ? &loads : nullptr);
    const std::uint64_t hops = kernels::chase_hops_for(first.ns, cfg.loop_seconds);
    stats::stopping_rule rule(cfg.rule);
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t launches = 0;
    while (!rule.done()) {
        const kernels::chase_sample got = runner.launch(s, hops, per_load ? &loads : nullptr);
        ++launches;
        const double value = on_launch(got, loads);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        rule.add(value, got.seconds, wall);
    }
    sample_stats st = rule.result(launches * 2 * hops);
    st.stable = rule.stable_at(cfg.stable_cov);
    return st;
}

/// The statistics block of `values` (not empty, in the order taken), judged stable at
/// `stable_cov` by stats::figure_stable.
inline sample_stats stats_of(const std::vector<double>& values, double stable_cov) {
    sample_stats st = stats::summarize(values).to_sample_stats(stable_cov);
    st.stable = stats::figure_stable(values, stable_cov);
    return st;
}

/// Measures the latency of `plan` with `lanes` lanes (1, or warp_lanes(dev)). Throws on failure
/// (allocation, a chase that did not follow its chain, a clock that did not advance).
inline latency_figure measure_latency(const kernels::latency_plan& plan, unsigned lanes, const latency_sampling& cfg,
                                      backend::stream& s) {
    kernels::chase_runner runner(plan, lanes);
    runner.prepare();
    std::vector<double> cycles, mhz, overhead;
    latency_figure f;
    f.stats = sample_chase(runner, cfg, s, false, [&](const kernels::chase_sample& got, const std::vector<std::uint32_t>&) {
        cycles.push_back(got.cycles);
        mhz.push_back(got.clock_mhz);
        overhead.push_back(got.overhead_cycles);
        return got.ns;
    });
    f.level = plan.level;
    f.scope = plan.scope;
    f.ns = f.stats.median;
    f.cycle_stats = stats_of(cycles, cfg.stable_cov);
    f.cycle_stats.iterations = f.stats.iterations;
    f.cycle_stats.measured_seconds = f.stats.measured_seconds;
    f.cycles = f.cycle_stats.median;
    f.clock_mhz = detail::median(mhz);
    f.working_set_bytes = plan.working_set_bytes;
    f.stride_bytes = plan.stride_bytes;
    f.method = detail::chase_method(runner.method(), detail::median(overhead), plan.note);
    return f;
}

/// The near and far L2 partition from the per-load profile of `plan` (l2_partition_plan): every
/// launch times profile_hops loads one by one after the two timed loops, splits them into two
/// classes, and takes each class's median minus the fixed cost of a profiled load. That cost is
/// the mean profiled time minus the overhead-corrected latency of the same launch's timed loops
/// (both walk the same cycle in the same state, so their mean latencies agree). Returns the
/// "near" and "far" figures, or nothing (and `why` says why) when a launch found one class only.
inline std::vector<latency_figure> measure_l2_partitions(const kernels::latency_plan& plan, const latency_sampling& cfg,
                                                         backend::stream& s, std::string& why) {
    kernels::chase_runner runner(plan, 1);
    runner.prepare();
    std::vector<double> near_cycles, far_cycles, near_ns, far_ns, mhz, share;
    std::size_t one_class = 0;
    stats::latency_classes last;
    const sample_stats near_stats =
        sample_chase(runner, cfg, s, true, [&](const kernels::chase_sample& got, const std::vector<std::uint32_t>& loads) {
            std::vector<double> times(loads.begin(), loads.end());
            const double mean = std::accumulate(times.begin(), times.end(), 0.0) / static_cast<double>(times.size());
            const double fixed = mean - got.cycles;
            last = stats::split_latency_classes(times);
            if (!last.split) {
                ++one_class;
                return got.ns; // keeps the rule going; the figures are dropped below
            }
            const double near = last.low_median - fixed;
            const double far = last.high_median - fixed;
            near_cycles.push_back(near);
            far_cycles.push_back(far);
            near_ns.push_back(near / got.clock_mhz * 1e3);
            far_ns.push_back(far / got.clock_mhz * 1e3);
            mhz.push_back(got.clock_mhz);
            share.push_back(last.low_share);
            return near_ns.back();
        });
    // Every launch must split, and both classes must be a real share of the loads: on the H200
    // (2026-12-02) letting a quarter of one-class launches pass reported a "near" class of 95% of
    // the loads at 246 ns against the 142 ns of L2 inside one partition, i.e. the bulk of a mixed
    // chase against its slowest 5%, not the two partitions.
    const std::size_t launches = near_cycles.size() + one_class;
    const double low_share = share.empty() ? 0.0 : detail::median(share);
    if (one_class > 0 || near_cycles.empty() || low_share < 0.2 || low_share > 0.8) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "; the split launches' lower class held %.0f%% of the loads", 100 * low_share);
        why = std::to_string(one_class) + " of " + std::to_string(launches) +
              " profiled launches found one latency class only (last: median " +
              std::to_string(last.low_median) + " cycles per profiled load, " + std::to_string(last.outliers) +
              " outliers)" + (share.empty() ? std::string() : std::string(buf)) +
              "; a near/far split needs every launch to split, each class holding 20-80% of the loads, so none "
              "is reported";
        return {};
    }
    std::vector<latency_figure> out;
    for (const bool far : {false, true}) {
        latency_figure f;
        f.level = memory_level::l2;
        f.scope = far ? "far" : "near";
        // Both from the split launches only (the sampler's own statistics include the others).
        f.stats = stats_of(far ? far_ns : near_ns, cfg.stable_cov);
        f.stats.iterations = near_stats.iterations;
        f.stats.measured_seconds = near_stats.measured_seconds;
        f.ns = f.stats.median;
        f.cycle_stats = stats_of(far ? far_cycles : near_cycles, cfg.stable_cov);
        f.cycles = f.cycle_stats.median;
        f.clock_mhz = detail::median(mhz);
        f.working_set_bytes = plan.working_set_bytes;
        f.stride_bytes = plan.stride_bytes;
        char buf[320];
        std::snprintf(buf, sizeof buf,
                      "per-load times of %u loads per launch split into two classes (near: %.0f%% of the loads); "
                      "the %s class's median minus the fixed cost of a timed load (mean timed load minus the "
                      "chase latency of the same launch)",
                      kernels::profile_hops, 100.0 * detail::median(share), far ? "upper" : "lower");
        f.method = runner.method() + "; " + buf + "; " + plan.note;
        out.push_back(f);
    }
    return out;
}

/// Plans one step per latency level into `steps` (objects with a key and a run callable, as
/// probes/calibrate.hpp's calibration_step). With opt.levels given, only those levels (l1
/// included only when named). The L2 step adds the near/far partition figures where the device
/// has two; failing to split them is recorded in env.failures under "latency.l2.partitions" and
/// the L2 figure is kept.
template <class Steps>
void plan_latency(Steps& steps, const device_info& dev, const calibration_options& opt, backend::stream& s,
                  envelope& env) {
    latency_sampling cfg = opt.quick ? latency_sampling::quick() : latency_sampling::full();
    cfg.stable_cov = opt.stable_cov;
    const std::vector<kernels::latency_plan> plans = kernels::latency_levels(dev, backend::device_memory().free_bytes);
    for (const kernels::latency_plan& plan : plans) {
        if (!opt.levels.empty() && std::find(opt.levels.begin(), opt.levels.end(), plan.level) == opt.levels.end())
            continue;
        const std::string key = "latency." + std::string(to_string(plan.level));
        steps.push_back({key, [&dev, &s, &env, cfg, plan] {
            env.latency.push_back(measure_latency(plan, 1, cfg, s));
            if (plan.level != memory_level::l2) return;
            const std::optional<kernels::latency_plan> partitions = kernels::l2_partition_plan(dev);
            if (!partitions) return;
            try {
                std::string why;
                std::vector<latency_figure> nf = measure_l2_partitions(*partitions, cfg, s, why);
                if (nf.empty()) env.failures.push_back({"latency.l2.partitions", why});
                for (latency_figure& f : nf) env.latency.push_back(std::move(f));
            } catch (const std::exception& e) {
                env.failures.push_back({"latency.l2.partitions", e.what()});
            }
        }});
    }
}

/// The latency sweep of device `dev`: one thread (and, with `warp`, one warp/wavefront) chasing
/// through each working set of `sizes`, then the knees and the capacities they mark. `progress`
/// (may be empty) is called after each point with its index and the number of points.
inline stats::latency_sweep_result latency_sweep(const device_info& dev, const std::vector<std::uint64_t>& sizes,
                                                 const latency_sampling& cfg, backend::stream& s, bool warp = true,
                                                 const std::function<void(std::size_t, std::size_t)>& progress = {}) {
    stats::latency_sweep_result r;
    r.device_name = dev.name;
    r.arch = dev.arch;
    r.warp_lanes = warp ? warp_lanes(dev) : 0;
    r.method = std::string(arch::chase_instruction(arch::chase_policy::l1)) +
               " pointer chase through one random cycle of 128-byte slots filling the working set, walked "
               "once before timing; 1 thread" +
               (warp ? " and 1 warp of " + std::to_string(r.warp_lanes) + " lanes (one chain each)" : std::string()) +
               "; loop overhead subtracted (1-load vs " + std::to_string(kernels::chase_unroll) + "-load loop)";
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const kernels::latency_plan plan = sweep_plan(sizes[i]);
        const latency_figure one = measure_latency(plan, 1, cfg, s);
        stats::latency_point p;
        p.working_set_bytes = plan.working_set_bytes;
        p.ns = one.ns;
        p.cycles = one.cycles;
        if (warp && plan.slots() >= r.warp_lanes) p.warp_ns = measure_latency(plan, r.warp_lanes, cfg, s).ns;
        r.points.push_back(p);
        if (progress) progress(i + 1, sizes.size());
    }
    r.knees = stats::find_latency_knees(r.points);
    r.capacities = stats::name_capacities(r.knees, kernels::detail::chaser_l2_bytes(dev), dev.llc_bytes);
    return r;
}

#endif // !AACO_BACKEND_NONE

} // namespace probes
AACO_NAMESPACE_END
