/// \file sweep.hpp
/// \brief Working-set sweeps: read bandwidth versus working-set size (`--sweep bandwidth`) and
///        load-to-use latency versus working-set size (`--sweep latency`, probes/latency.hpp),
///        and the capacity knees found in them (stats/knees.hpp). Shows where each cache level's
///        plateau ends instead of assuming it from the datasheet.
#pragma once
#include <aaco/config.hpp>
#include <aaco/kernels/stream.hpp>
#include <aaco/probes/latency.hpp>
#include <aaco/probes/sampler.hpp>
#include <aaco/stats/knees.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace probes {

/// Working sets of a sweep: powers of two from 256 KiB up to 4x the last-level cache (L2, or
/// the Infinity Cache where there is one), capped by half the free device memory.
inline std::vector<std::uint64_t> sweep_sizes(const device_info& dev, std::uint64_t free_bytes) {
    const std::uint64_t llc = std::max<std::uint64_t>(dev.l2_bytes, dev.llc_bytes);
    const std::uint64_t top = std::min<std::uint64_t>(4 * std::max<std::uint64_t>(llc, 1u << 20), free_bytes / 2);
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t b = 256u << 10; b <= top; b *= 2) sizes.push_back(b);
    return sizes;
}

#if !AACO_BACKEND_NONE
/// Measures read bandwidth at every size of `sizes` (bytes of the one array read) with the
/// cache-level stream kernel (L2-only loads, so L1 never serves the reads), `cfg` per point.
/// Working sets below the L2 roof's (kernels::l2_working_set_bytes) read slower than the roof for
/// a reason of geometry, not of the cache: one round of the grid must fit the array (no two
/// threads read the same bytes at once), so small arrays get fewer blocks per SM, down to one, and
/// with one load in flight per thread the read becomes latency-bound (H200, 2026-12-01: 3064 GB/s
/// at 1 MiB, 13121 at the 4 MiB roof). Read the knees of a sweep from the roof's size upwards.
inline std::vector<stats::sweep_point> memory_sweep(const device_info& dev,
                                                    const std::vector<std::uint64_t>& sizes,
                                                    const sampling_config& cfg, backend::stream& s) {
    std::vector<stats::sweep_point> out;
    for (std::uint64_t bytes : sizes) {
        std::unique_ptr<kernels::runner> r =
            kernels::make_stream_runner(memory_level::l2, stream_op::read, bytes, dev);
        r->prepare();
        const sampled got = sample_runner(*r, s, cfg, [](const kernels::launch_work& w, double sec) {
            return w.bytes / sec * 1e-9;
        });
        const std::string why = r->verify(reinterpret_cast<void*>(s.get()));
        if (!why.empty()) throw error("working-set sweep at " + std::to_string(bytes) + " bytes: " + why);
        out.push_back({bytes, got.stats.median});
    }
    return out;
}

/// `aaco-calibrate --sweep latency`: latency of one thread and one warp/wavefront at every size
/// of latency_sweep_sizes() (4 KiB to 4x the last-level cache), quick sampling per point, and the
/// capacities its knees mark (L1, L2, LLC) beside the queried sizes. `progress(i, n)` after each
/// point (may be empty).
inline stats::latency_sweep_result run_latency_sweep(const device_info& dev, backend::stream& s,
                                                     const std::function<void(std::size_t, std::size_t)>& progress = {}) {
    const std::vector<std::uint64_t> sizes = latency_sweep_sizes(dev, backend::device_memory().free_bytes);
    return latency_sweep(dev, sizes, latency_sampling::quick(), s, true, progress);
}
#endif

} // namespace probes
AACO_NAMESPACE_END
