/// \file memory.hpp
/// \brief Memory-ceiling probe: verify the stream kernel, time it, fill a memory_figure.
#pragma once
#include <aaco/calibration_options.hpp>
#include <aaco/config.hpp>
#include <aaco/kernels/stream.hpp>
#include <aaco/model/profiles.hpp>
#include <aaco/probes/sampler.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace probes {

#if !AACO_BACKEND_NONE
namespace detail {
/// Prepares and samples `r`, verifies its last launch when asked: one memory figure (without
/// the datasheet figure). Throws on a failed verification, naming the method.
inline memory_figure sample_memory_runner(kernels::runner& r, memory_level level, stream_op op,
                                          memory_scope scope, bool verify, const sampling_config& cfg,
                                          backend::stream& s) {
    r.prepare();
    const sampled out = sample_runner(r, s, cfg, [](const kernels::launch_work& w, double sec) {
        return w.bytes / sec * 1e-9;
    });
    if (verify) {  // after timing: the last timed launch's output is what gets checked
        const std::string why = r.verify(reinterpret_cast<void*>(s.get()));
        if (!why.empty()) throw error("verification failed (" + r.method() + "): " + why);
    }
    memory_figure f;
    f.level = level;
    f.op = op;
    f.gbps = out.stats.median;
    f.stats = out.stats;
    f.method = r.method(); // starts with "<level> <scope>: " and names the working set
    f.scope = scope;
    f.telemetry = out.telemetry;
    // Bytes touched by one pass over the working set (all arrays, read + written).
    f.working_set_bytes =
        out.repeats > 0 ? static_cast<std::uint64_t>(out.work.bytes / static_cast<double>(out.repeats)) : 0;
    return f;
}

inline std::string gbps_text(double gbps) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GB/s", gbps);
    return buf;
}

/// The faster of `kernel` (aaco's HBM copy figure) and the runtime's own device-to-device copy
/// over arrays of the same size, measured with the same sampler; the method says what the other
/// reached. Where the runtime's copy cannot be measured, `kernel` with the reason in its method.
inline memory_figure faster_copy(memory_figure kernel, bool verify, const sampling_config& cfg,
                                 backend::stream& s) {
    const std::string call = kernels::runtime_copy_runner::call_name();
    try {
        memory_figure vendor;
        {
            kernels::runtime_copy_runner v(kernel.working_set_bytes / 2);
            vendor = sample_memory_runner(v, memory_level::hbm, stream_op::copy, memory_scope::roof, verify, cfg, s);
        }
        if (vendor.gbps > kernel.gbps) {
            vendor.datasheet_gbps = kernel.datasheet_gbps;
            vendor.method += "; faster than aaco's copy kernel (" + gbps_text(kernel.gbps) + ", " +
                             kernel.method.substr(kernel.method.find(": ") + 2) + ")";
            return vendor;
        }
        kernel.method += "; the runtime's copy (" + call + ") reached " + gbps_text(vendor.gbps);
    } catch (const std::exception& e) {
        kernel.method += std::string("; the runtime's copy (") + call + ") was not measured: " + e.what();
    }
    return kernel;
}
} // namespace detail

/// Measures `level` under `op`. Returns nullopt where that figure does not exist on the device
/// (llc without an Infinity Cache, shared memory under a write op). Throws on failure.
/// `working_set_bytes` 0 sizes the working set from the device (kernels/stream.hpp); `scope`
/// whole (L2 only) measures the whole-L2 working set beside the roof's.
/// HBM copy: the figure is the faster of aaco's copy kernel and the runtime's own
/// device-to-device copy over arrays of the same size (detail::faster_copy), because a ceiling
/// must hold for the vendor's copy too; the method names which one it is and what the other got.
inline std::optional<memory_figure> measure_memory(const device_info& dev, memory_level level,
                                                   stream_op op, bool verify,
                                                   const sampling_config& cfg, backend::stream& s,
                                                   std::uint64_t working_set_bytes = 0,
                                                   memory_scope scope = memory_scope::roof) {
    std::optional<memory_figure> f;
    {   // the kernel's arrays are freed before the runtime's copy allocates its own
        std::unique_ptr<kernels::runner> r =
            kernels::make_stream_runner(level, op, working_set_bytes, dev, scope);
        if (!r) return std::nullopt;
        f = detail::sample_memory_runner(*r, level, op, scope, verify, cfg, s);
    }
    if (level == memory_level::hbm)
        if (const profile* p = match_profile(dev)) f->datasheet_gbps = p->device_hbm_gbps();
    if (level == memory_level::hbm && op == stream_op::copy) f = detail::faster_copy(*f, verify, cfg, s);
    return f;
}

/// The stream ops measured per level: every op on HBM (quick: read and copy), reads on the
/// caches and shared memory, copies on the host links.
inline std::vector<stream_op> ops_for(memory_level level, bool quick) {
    switch (level) {
    case memory_level::hbm:
        if (quick) return {stream_op::read, stream_op::copy};
        return {stream_op::read, stream_op::write, stream_op::copy, stream_op::triad};
    case memory_level::l2:
    case memory_level::llc:
    case memory_level::shared: return {stream_op::read};
    case memory_level::host_to_device:
    case memory_level::device_to_host: return {stream_op::copy};
    case memory_level::l1: return {};  // latency only
    }
    return {};
}

/// Quick mode copies 32 MiB over the host links instead of 256 MiB: the DMA engines reach
/// their rate well below that size (H200, quick mode with 64 MiB: 55.4 GB/s, the same as 256
/// MiB), and the full size costs ~0.3 s per direction.
inline std::uint64_t quick_bytes(memory_level level, bool quick) {
    const bool host_link =
        level == memory_level::host_to_device || level == memory_level::device_to_host;
    return quick && host_link ? std::uint64_t{32} << 20 : 0;
}

/// The working-set scopes measured at `level` on `dev`: the roof everywhere; at L2 also the
/// whole-L2 working set (kernels::l2_whole_working_set_bytes), where the device's L2 layout lets
/// it be sized (not on an AMD multi-XCD part whose XCD count is unknown).
inline std::vector<memory_scope> scopes_for(memory_level level, const device_info& dev) {
    if (level == memory_level::l2 && kernels::l2_whole_working_set_bytes(dev, 1).bytes > 0)
        return {memory_scope::roof, memory_scope::whole};
    return {memory_scope::roof};
}

/// Plans one step per (level, scope, op): key "memory.<level>.<op>", and for the whole-L2
/// figure "memory.l2_whole.<op>".
template <class Steps>
void plan_memory(Steps& steps, const device_info& dev, const calibration_options& opt,
                 const sampling_config& cfg, backend::stream& s, envelope& env) {
    const bool explicit_list = !opt.levels.empty();
    std::vector<memory_level> levels(bandwidth_memory_levels.begin(),
                                     bandwidth_memory_levels.end());
    if (explicit_list) levels = opt.levels;
    for (memory_level level : levels)
        for (memory_scope scope : scopes_for(level, dev))
            for (stream_op op : ops_for(level, opt.quick)) {
                const std::string key = kernels::detail::stream_key(level, op, scope);
                steps.push_back({key, [&dev, &opt, &cfg, &s, &env, level, op, scope, explicit_list] {
                    std::optional<memory_figure> f = measure_memory(
                        dev, level, op, opt.verify, cfg, s, quick_bytes(level, opt.quick), scope);
                    if (f) {
                        env.memory.push_back(*f);
                    } else if (explicit_list) {
                        throw error(dev.name + " (" + dev.arch + ") has no " +
                                    std::string(to_string(level)) + " level to measure");
                    }
                }});
            }
}
#endif

} // namespace probes
AACO_NAMESPACE_END
