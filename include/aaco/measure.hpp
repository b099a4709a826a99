/// \file measure.hpp
/// \brief aaco::measure(): time a user's kernel with the probes' method and place it on the
///        roofline of a calibrated envelope (HEU).
///
///     auto r = aaco::measure(envelope, [&](aaco::backend::native_stream s) {
///         my_kernel<<<grid, block, 0, s>>>(args);
///     }, flops_per_launch, bytes_per_launch, aaco::precision::fp16);
///     std::printf("%.1f TFLOP/s, HEU %.0f%%\n", r.achieved_tflops, r.heu.value * 100);
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model.hpp>
#include <aaco/probes/sampler.hpp>

#include <cmath>
#include <string>
#include <utility>

AACO_NAMESPACE_BEGIN

/// How aaco::measure() samples.
struct measure_options {
    bool quick = false;                 ///< the probes' quick sampling instead of the full one
    memory_level level = memory_level::hbm; ///< the memory slope the HEU is taken against
    /// Board telemetry polled while the kernel is sampled (backend::open_telemetry); nullptr =
    /// none. Not owned.
    backend::telemetry_source* telemetry = nullptr;
    /// With `on_caller_stream`, enqueue and time on `caller_stream` (a cudaStream_t / hipStream_t
    /// as void*, which the caller keeps owning; nullptr is the legacy default stream) instead of
    /// a stream of aaco's own: the launch callable receives that stream, and the events bracket
    /// the work on it. Two fields because nullptr is a valid choice.
    void* caller_stream = nullptr;
    bool on_caller_stream = false;
};

/// A user kernel measured against an envelope.
struct measurement_result {
    double seconds_per_launch = 0;  ///< median
    sample_stats stats;             ///< of seconds per launch
    double achieved_tflops = 0;     ///< flops / seconds_per_launch
    double achieved_gbps = 0;       ///< bytes / seconds_per_launch
    double arithmetic_intensity = 0;///< flops / bytes (FLOP/byte)
    heu_result heu;                 ///< against the envelope's roofline
    /// achieved_gbps exceeds the envelope's HBM roof: the bytes counted were (partly) served by
    /// a cache, so the kernel's real HBM intensity is higher than the one counted.
    bool above_hbm_roof = false;
    /// Power, clocks, temperature and throttle reasons while sampled (empty without a source).
    telemetry_summary telemetry;
};

#if !AACO_BACKEND_NONE
namespace detail {
/// Adapts a user's launch callable to the probes' runner interface: `repeats` calls per sample.
template <class Launch>
class user_launch_runner final : public kernels::runner {
public:
    explicit user_launch_runner(Launch& launch) : launch_(launch) {}
    std::string key() const override { return "user"; }
    std::string method() const override { return "user kernel"; }
    void prepare() override {}
    kernels::launch_work enqueue(void* stream, std::uint64_t repeats) override {
        const auto s = reinterpret_cast<backend::native_stream>(stream);
        for (std::uint64_t i = 0; i < repeats; ++i) launch_(s);
        AACO_BACKEND_CHECK_LAUNCH("user kernel");
        kernels::launch_work w;
        w.flops = static_cast<double>(repeats);  // counts launches; see measure()
        return w;
    }
    std::string verify(void*) override { return {}; }

private:
    Launch& launch_;
};
} // namespace detail

/// Times `launch(stream)` (one launch of the user's kernel on the given stream) with device
/// events under the stopping rule, and computes the achieved rates and HEU. `flops` and
/// `bytes` are per launch (bytes = the minimum the kernel must move: inputs read once, outputs
/// written once). `flops` may be 0 for a pure data-movement kernel: its HEU is then
/// achieved GB/s over the level's bandwidth roof.
template <class Launch>
measurement_result measure(const envelope& env, Launch&& launch, double flops, double bytes,
                           precision p = precision::fp16, const measure_options& opt = {}) {
    if (!(flops >= 0) || !std::isfinite(flops))
        throw invalid_argument("aaco::measure: flops must be finite and >= 0, got " + std::to_string(flops));
    if (!(bytes > 0) || !std::isfinite(bytes))
        throw invalid_argument("aaco::measure: bytes must be finite and > 0, got " + std::to_string(bytes));
    backend::stream s = opt.on_caller_stream
                            ? backend::stream::borrow(static_cast<backend::native_stream>(opt.caller_stream))
                            : backend::stream();
    detail::user_launch_runner<std::remove_reference_t<Launch>> runner(launch);
    probes::sampling_config cfg =
        opt.quick ? probes::sampling_config::quick() : probes::sampling_config::full();
    cfg.telemetry = opt.telemetry;
    // value = seconds per launch (work.flops carries the launch count).
    const probes::sampled out = probes::sample_runner(
        runner, s, cfg, [](const kernels::launch_work& w, double sec) { return sec / w.flops; });
    measurement_result r;
    r.stats = out.stats;
    r.telemetry = out.telemetry;
    r.seconds_per_launch = out.stats.median;
    r.achieved_tflops = flops / r.seconds_per_launch * 1e-12;
    r.achieved_gbps = bytes / r.seconds_per_launch * 1e-9;
    r.arithmetic_intensity = flops / bytes;
    if (env.has_memory(memory_level::hbm))
        r.above_hbm_roof = r.achieved_gbps > env.memory_gbps(memory_level::hbm);
    if (flops > 0) {
        r.heu = heu(env, r.achieved_tflops, r.arithmetic_intensity, p, opt.level);
    } else {
        // A pure data-movement kernel: its roof is the bandwidth of the level alone.
        const double roof = env.memory_gbps(opt.level);
        r.heu.value = r.achieved_gbps / roof;
        r.heu.b = bound::memory;
        r.heu.binding_ceiling = std::string(to_string(opt.level));
        r.heu.above_roof = r.heu.value > 1.0;
        r.heu.attainable_tflops = 0;
    }
    return r;
}
#endif

AACO_NAMESPACE_END
