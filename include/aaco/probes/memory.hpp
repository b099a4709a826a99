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
#include <memory>
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

/// Another way of moving an HBM figure's bytes, measured beside aaco's tuned kernel.
struct hbm_alternative {
    std::string name;                                                  ///< for the method text
    std::function<std::unique_ptr<kernels::runner>(std::uint64_t)> make; ///< from the bytes per array
};

/// The alternatives to the tuned kernel for HBM `op` on `dev`: the one_shot kernel in
/// PyTorch's elementwise shape (write, copy, triad; where the tuned kernel is not one_shot
/// already, i.e. on AMD) and the runtime's own device-to-device copy (copy). A ceiling must hold for every way of doing the op that a real program uses: on
/// 2026-12-02 cudaMemcpyAsync beat the tuned copy kernel by 5% and torch.add the tuned triad by
/// 0.6% on an H200.
inline std::vector<hbm_alternative> hbm_alternatives(stream_op op, const device_info& dev) {
    std::vector<hbm_alternative> a;
    // Where the tuned kernel already is one_shot (NVIDIA), it is not measured twice.
    const bool tuned_is_one_shot =
        (op == stream_op::write ? kernels::hbm_write_stream_tuning::mapping
                                : kernels::hbm_copy_stream_tuning::mapping) == kernels::stream_mapping::one_shot;
    if (op != stream_op::read && !tuned_is_one_shot)
        a.push_back({"the one_shot kernel", [op, dev](std::uint64_t bytes) -> std::unique_ptr<kernels::runner> {
                         return std::make_unique<kernels::stream_runner<kernels::hbm_one_shot_stream_tuning>>(
                             memory_level::hbm, op, bytes, dev);
                     }});
    if (op == stream_op::copy)
        a.push_back({"the runtime's copy (" + kernels::runtime_copy_runner::call_name() + ")",
                     [](std::uint64_t bytes) -> std::unique_ptr<kernels::runner> {
                         return std::make_unique<kernels::runtime_copy_runner>(bytes);
                     }});
    return a;
}

/// The fastest of `tuned` (aaco's tuned HBM kernel's figure for `op`) and the alternatives
/// (hbm_alternatives) over arrays of the same size, each measured with the same sampler, one
/// after the other. The kept figure's method names what the others reached, and any that could
/// not be measured and why.
inline memory_figure fastest_hbm_figure(memory_figure tuned, const device_info& dev, bool verify,
                                        const sampling_config& cfg, backend::stream& s) {
    const std::uint64_t array_bytes = tuned.working_set_bytes / static_cast<std::uint64_t>(kernels::detail::arrays_of(tuned.op));
    auto described = [](const memory_figure& f) {
        return gbps_text(f.gbps) + " (" + f.method.substr(f.method.find(": ") + 2) + ")";
    };
    memory_figure best = tuned;
    std::string best_name = "aaco's tuned kernel";
    std::vector<std::string> others, failed;
    for (const hbm_alternative& alt : hbm_alternatives(tuned.op, dev)) {
        try {
            memory_figure f;
            {   // freed before the next one allocates its arrays
                const std::unique_ptr<kernels::runner> r = alt.make(array_bytes);
                f = sample_memory_runner(*r, memory_level::hbm, tuned.op, memory_scope::roof, verify, cfg, s);
            }
            if (f.gbps > best.gbps) {
                others.push_back(best_name + " " + described(best));
                best = f;
                best_name = alt.name;
            } else {
                others.push_back(alt.name + " " + described(f));
            }
        } catch (const std::exception& e) {
            failed.push_back(alt.name + " was not measured: " + e.what());
        }
    }
    best.datasheet_gbps = tuned.datasheet_gbps;
    if (!others.empty()) {
        best.method += "; the fastest of " + std::to_string(others.size() + 1) + " ways, the others: ";
        for (std::size_t i = 0; i < others.size(); ++i) best.method += (i ? "; " : "") + others[i];
    }
    for (const std::string& f : failed) best.method += "; " + f;
    return best;
}
} // namespace detail

/// Measures `level` under `op`. Returns nullopt where that figure does not exist on the device
/// (llc without an Infinity Cache, shared memory under a write op). Throws on failure.
/// `working_set_bytes` 0 sizes the working set from the device (kernels/stream.hpp); `scope`
/// whole (L2 only) measures the whole-L2 working set beside the roof's.
/// HBM write, copy and triad: the figure is the fastest of aaco's tuned kernel and the
/// alternatives over arrays of the same size (detail::fastest_hbm_figure: the one_shot kernel,
/// and for copy the runtime's own copy), because a ceiling must hold for those too; the method
/// names which one it is and what the others got.
inline std::optional<memory_figure> measure_memory(const device_info& dev, memory_level level,
                                                   stream_op op, bool verify,
                                                   const sampling_config& cfg, backend::stream& s,
                                                   std::uint64_t working_set_bytes = 0,
                                                   memory_scope scope = memory_scope::roof) {
    std::optional<memory_figure> f;
    {   // the kernel's arrays are freed before an alternative allocates its own
        std::unique_ptr<kernels::runner> r =
            kernels::make_stream_runner(level, op, working_set_bytes, dev, scope);
        if (!r) return std::nullopt;
        f = detail::sample_memory_runner(*r, level, op, scope, verify, cfg, s);
    }
    if (level == memory_level::hbm)
        if (const profile* p = match_profile(dev)) f->datasheet_gbps = p->device_hbm_gbps();
    if (level == memory_level::hbm && op != stream_op::read) f = detail::fastest_hbm_figure(*f, dev, verify, cfg, s);
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
