/// \file calibrate.hpp
/// \brief Runs every selected probe on one device and assembles the envelope. A failing probe
///        is recorded in envelope::failures; the others still run.
#pragma once
#include <aaco/backend/backend.hpp>
#include <aaco/backend/telemetry.hpp>
#include <aaco/calibration_options.hpp>
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model.hpp>
#include <aaco/probes/compute.hpp>
#include <aaco/probes/latency.hpp>
#include <aaco/probes/launch.hpp>
#include <aaco/probes/memory.hpp>
#include <aaco/probes/sampler.hpp>

#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace probes {

/// "2026-02-15T12:00:00Z" for now.
inline std::string utc_timestamp_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// Selects device `id` and returns what the runtime says about it. Throws no_device_error
/// (no backend compiled in, no GPU, id out of range).
inline device_info open_device(int id) {
#if AACO_BACKEND_NONE
    (void)id;
    throw no_device_error(
        "aaco was built without a GPU backend (host-only build), so it cannot calibrate a GPU. "
        "Rebuild with nvcc (CUDA) or hipcc (HIP) on PATH, or use --profile NAME for a datasheet "
        "envelope");
#else
    backend::set_device(id);  // throws no_device_error with the count of visible devices
    return backend::query_device(id);
#endif
}

/// One planned step of a calibration.
struct calibration_step {
    std::string key;
    std::function<void()> run;  ///< measures and appends to the envelope; throws on failure
};

/// Runs `steps` in order, honouring the time budget and reporting progress. Each failure is
/// recorded under the step's key; nothing a step throws stops the others.
inline void run_steps(std::vector<calibration_step>& steps, const calibration_options& opt,
                      envelope& env) {
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    auto report = [&](std::size_t i, const std::string& status) {
        if (opt.progress)
            opt.progress(progress_event{steps[i].key, i + 1, steps.size(), status, elapsed()});
    };
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (opt.time_budget_seconds > 0 && elapsed() > opt.time_budget_seconds) {
            const std::string why = "skipped: time budget of " +
                                    std::to_string(opt.time_budget_seconds) + " s spent";
            env.failures.push_back({steps[i].key, why});
            report(i, why);
            continue;
        }
        report(i, "running");
        try {
            steps[i].run();
            report(i, "done");
        } catch (const std::exception& e) {
            env.failures.push_back({steps[i].key, e.what()});
            report(i, std::string("failed: ") + e.what());
        }
    }
    env.calibration_wall_seconds = elapsed();
}

/// Device time each compute figure runs its own kernel before sampling. The first figure warms
/// the idle GPU (clocks ramp over the first ~100 ms of load). Every later one also needs its own:
/// each loop draws a different power, and the power controller takes tens of milliseconds to
/// settle the clock after the switch. Second H200 run (2026-11-26), without it: the samples of
/// the first ~50 ms of a wgmma figure ran up to 10% faster than the rest (CoV 2-3%, IQR < 1%).
inline double warm_up_seconds(bool already_warm, bool quick) {
    if (!already_warm) return quick ? 0.1 : 0.2;
    // Third H200 run (2026-11-26): with 0.1 s, one fp8 figure out of three still drifted
    // (CoV 2.45%, the others 0.49%); 0.15 s costs ~0.4 s over a full calibration.
    return quick ? 0.02 : 0.15;
}

#if !AACO_BACKEND_NONE
/// Plans the compute steps: each requested precision on the matrix and the vector units.
inline void plan_compute(std::vector<calibration_step>& steps, const device_info& dev,
                         const calibration_options& opt, const sampling_config& cfg,
                         backend::stream& s, envelope& env, bool& warmed) {
    const bool explicit_list = !opt.precisions.empty();
    std::vector<precision> precisions(all_precisions.begin(), all_precisions.end());
    if (explicit_list) precisions = opt.precisions;
    for (precision p : precisions) {
        std::string key = "compute." + std::string(to_string(p));
        steps.push_back({key, [&, p, key, explicit_list] {
            bool any = false;
            const std::size_t failures_before = env.failures.size();
            for (compute_unit u : {compute_unit::matrix, compute_unit::vector}) {
                try {
                    auto f = measure_compute(dev, p, u, opt.operands, opt.verify, cfg, s,
                                             warm_up_seconds(warmed, opt.quick),
                                             opt.sustained_seconds);
                    if (!f) continue;
                    warmed = true;
                    env.compute.push_back(*f);
                    any = true;
                } catch (const std::exception& e) {
                    env.failures.push_back({key + "." + std::string(to_string(u)), e.what()});
                }
            }
            // Asked for by name but absent on this hardware (fp8 on sm_80): say so. Left out of
            // a default calibration, where "all precisions" means "all this device has".
            if (!any && explicit_list && env.failures.size() == failures_before)
                throw error(dev.arch + " has no " + std::string(to_string(p)) + " unit");
        }});
    }
}
#endif

/// Opens the board telemetry of `dev` for a calibration. Where none can be read, says so once:
/// in `env.telemetry_note` and in one progress event (key "telemetry"); never fails.
inline std::unique_ptr<backend::telemetry_source> open_calibration_telemetry(
    const device_info& dev, const calibration_options& opt, envelope& env) {
    std::string why_not;
    std::unique_ptr<backend::telemetry_source> t = backend::open_telemetry(dev, why_not);
    if (!t) {
        env.telemetry_note = "board telemetry not read: " + why_not;
        if (opt.progress) opt.progress(progress_event{"telemetry", 0, 0, env.telemetry_note, 0});
    }
    return t;
}

/// Calibrates device `id` (already opened as `dev`).
inline envelope calibrate_device(int id, const device_info& dev, const calibration_options& opt) {
    opt.validate();
    envelope env;
    env.source = envelope_source::measured;
    env.calibration_timestamp = utc_timestamp_now();
    env.device = dev;
    env.device.id = id;
    if (const profile* p = match_profile(dev)) env.profile_key = std::string(p->key);
#if AACO_BACKEND_NONE
    (void)opt;
    throw no_device_error("aaco was built without a GPU backend");
#else
    backend::set_device(id);
    backend::stream s;
    const std::unique_ptr<backend::telemetry_source> telemetry =
        open_calibration_telemetry(dev, opt, env);
    const sampling_config cfg = opt.quick ? sampling_config::quick() : sampling_config::full();
    sampling_config stable_cfg = cfg;
    stable_cfg.stable_cov = opt.stable_cov;
    stable_cfg.telemetry = telemetry.get();
    bool warmed = false;
    std::vector<calibration_step> steps;
    plan_compute(steps, dev, opt, stable_cfg, s, env, warmed);
    plan_memory(steps, dev, opt, stable_cfg, s, env);
    if (opt.launch) plan_launch(steps, opt, stable_cfg, s, env);
    if (opt.latency) plan_latency(steps, dev, opt, s, env);
    run_steps(steps, opt, env);
    // Fields the library lacks or the board did not report during the figures, said once.
    if (telemetry) env.telemetry_note = telemetry->note();
    return env;
#endif
}

} // namespace probes
AACO_NAMESPACE_END
