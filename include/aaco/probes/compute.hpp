/// \file compute.hpp
/// \brief Compute-ceiling probe: verify the kernel, time it, and fill a compute_figure.
#pragma once
#include <aaco/config.hpp>
#include <aaco/kernels/compute.hpp>
#include <aaco/model/profiles.hpp>
#include <aaco/model/units.hpp>
#include <aaco/probes/sampler.hpp>

#include <cmath>
#include <limits>
#include <optional>

AACO_NAMESPACE_BEGIN
namespace probes {

#if !AACO_BACKEND_NONE
/// Builds the compute figure of one sampled runner.
inline compute_figure make_compute_figure(const kernels::compute_runner& r, const sampled& s,
                                          const device_info& dev) {
    const kernels::compute_kernel_desc d = r.desc();
    compute_figure f;
    f.prec = d.prec;
    f.unit = d.unit;
    f.operands = d.operands;
    f.tflops = s.stats.median;
    f.stats = s.stats;
    f.instruction = r.method();
    f.clock_mhz = s.clock.mhz();
    if (std::isfinite(f.clock_mhz) && d.flops_per_clock_per_unit > 0)
        f.clock_adjusted_peak_tflops =
            d.flops_per_clock_per_unit * dev.compute_units * f.clock_mhz * 1e6 / 1e12;
    if (const profile* p = match_profile(dev)) {
        const double t = p->tflops(d.prec, d.unit);
        if (t > 0) f.datasheet_tflops = t;
    }
    return f;
}

/// Measures the `p` ceiling on `u`. Returns nullopt when the device has no such unit.
/// `warm_seconds` > 0 warms the GPU up with this kernel first. Throws on failure (a kernel
/// that computes wrong results, an allocation or launch error); the caller records it.
inline std::optional<compute_figure> measure_compute(const device_info& dev, precision p,
                                                     compute_unit u, operand_mode mode,
                                                     bool verify, const sampling_config& cfg,
                                                     backend::stream& s, double warm_seconds) {
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
    const sampled out = sample_runner(*r, s, compute_cfg, [](const kernels::launch_work& w, double sec) {
        return w.flops / sec * 1e-12;
    });
    return make_compute_figure(*r, out, dev);
}
#endif

} // namespace probes
AACO_NAMESPACE_END
