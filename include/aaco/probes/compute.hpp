/// \file compute.hpp
/// \brief Compute-ceiling probe: verify the kernel, time it, and fill a compute_figure.
#pragma once
#include <aaco/config.hpp>
#include <aaco/kernels/compute.hpp>
#include <aaco/model/profiles.hpp>
#include <aaco/model/units.hpp>
#include <aaco/probes/sampler.hpp>
#include <aaco/stats/clock_pairing.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <string>

AACO_NAMESPACE_BEGIN
namespace probes {

/// The operand distribution to record for a figure: the runner's own, else the precision's
/// documented one for its operand mode (model/precision.hpp).
inline std::string operand_distribution_of(const kernels::compute_kernel_desc& d) {
    if (!d.operand_distribution.empty()) return d.operand_distribution;
    return std::string(d.operands == operand_mode::random ? random_operand_distribution(d.prec)
                                                          : zero_operand_distribution);
}

#if !AACO_BACKEND_NONE
/// Builds the compute figure of one sampled runner. The clock-adjusted efficiency pairs each
/// launch's rate with that launch's clock (stats/clock_pairing.hpp); the figure's clock is the
/// median of the per-launch clocks.
inline compute_figure make_compute_figure(const kernels::compute_runner& r, const sampled& s,
                                          const device_info& dev,
                                          double stable_cov = sampling_config{}.stable_cov) {
    const kernels::compute_kernel_desc d = r.desc();
    compute_figure f;
    f.prec = d.prec;
    f.unit = d.unit;
    f.operands = d.operands;
    f.operand_distribution = operand_distribution_of(d);
    f.tflops = s.stats.median;
    f.stats = s.stats;
    f.instruction = r.method();
    const stats::paired_efficiency e = stats::pair_launches(
        s.values, s.clock_mhz, d.flops_per_clock_per_unit, dev.compute_units, stable_cov);
    f.clock_mhz = e.clock_mhz;
    f.clock_adjusted_peak_tflops = e.clock_adjusted_peak_tflops;
    f.clock_adjusted_efficiency = e.efficiency;
    f.telemetry = s.telemetry;
    if (const profile* p = match_profile(dev)) {
        const double t = p->tflops(d.prec, d.unit);
        if (t > 0) f.datasheet_tflops = t;
    }
    return f;
}

/// The sustained figure of one hold (probes/sampler.hpp, hold_runner).
inline sustained_figure make_sustained_figure(const kernels::compute_runner& r, const sampled& s,
                                              const device_info& dev,
                                              double stable_cov = sampling_config{}.stable_cov) {
    const kernels::compute_kernel_desc d = r.desc();
    sustained_figure f;
    f.seconds = s.device_seconds;
    f.tflops = s.stats.median;
    f.stats = s.stats;
    const stats::paired_efficiency e = stats::pair_launches(
        s.values, s.clock_mhz, d.flops_per_clock_per_unit, dev.compute_units, stable_cov);
    f.clock_mhz = e.clock_mhz;
    f.efficiency = e.efficiency;
    f.telemetry = s.telemetry;
    return f;
}

/// Measures the `p` ceiling on `u`. Returns nullopt when the device has no such unit.
/// `warm_seconds` > 0 warms the GPU up with this kernel first. `sustained_seconds` > 0 then
/// holds the kernel under load that long and adds the steady-state figure beside the burst one.
/// Throws on failure (a kernel that computes wrong results, an allocation or launch error); the
/// caller records it.
inline std::optional<compute_figure> measure_compute(const device_info& dev, precision p,
                                                     compute_unit u, operand_mode mode,
                                                     bool verify, const sampling_config& cfg,
                                                     backend::stream& s, double warm_seconds,
                                                     double sustained_seconds = 0) {
    std::unique_ptr<kernels::compute_runner> r = kernels::make_compute_runner(p, u, dev, mode);
    if (!r) return std::nullopt;
    r->prepare();
    if (verify) {
        const std::string why = r->verify(reinterpret_cast<void*>(s.get()));
        if (!why.empty()) throw error("verification failed (" + r->method() + "): " + why);
    }
    if (warm_seconds > 0) warm_up(*r, s, warm_seconds);
    sampling_config compute_cfg = cfg;
    compute_cfg.target_launch_ms = cfg.compute_launch_ms;
    const auto tflops_of = [](const kernels::launch_work& w, double sec) {
        return w.flops / sec * 1e-12;
    };
    const sampled burst = sample_runner(*r, s, compute_cfg, tflops_of);
    compute_figure f = make_compute_figure(*r, burst, dev, cfg.stable_cov);
    if (sustained_seconds > 0) {
        const sampled held =
            hold_runner(*r, s, compute_cfg, burst.repeats, sustained_seconds, tflops_of);
        f.sustained = make_sustained_figure(*r, held, dev, cfg.stable_cov);
    }
    return f;
}
#endif

} // namespace probes
AACO_NAMESPACE_END
