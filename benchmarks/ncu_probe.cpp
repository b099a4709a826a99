// aaco_ncu_probe: one launch of each memory probe (HBM read/write/copy/triad, L2 roof and whole,
// shared memory, the one_shot HBM alternatives) and of one wgmma figure, each bracketed by the
// CUDA profiler API, so that
// `ncu --profile-from-start off` counts exactly those launches (benchmarks/ncu_check.sh). For each
// it prints the key, the kernel's method and the bytes (or FLOPs) aaco counts for that launch, to
// compare with the hardware's dram__bytes_*, lts__t_bytes and tensor-pipe counters.
#include <aaco/aaco.hpp>

#include <cuda_profiler_api.h>

#include <cstdio>
#include <memory>
#include <string>

namespace {

/// Prepares `r`, runs one untimed launch (first-touch, clocks), then one profiled launch.
/// `suffix` is appended to the key (to tell the one_shot alternatives from the tuned kernels).
void profile_one(aaco::kernels::runner& r, aaco::backend::stream& s, std::uint64_t repeats,
                 const std::string& suffix = "") {
    r.prepare();
    (void)r.enqueue(reinterpret_cast<void*>(s.get()), repeats);
    s.synchronize();
    cudaProfilerStart();
    const aaco::kernels::launch_work w = r.enqueue(reinterpret_cast<void*>(s.get()), repeats);
    s.synchronize();
    cudaProfilerStop();
    const std::string why = r.verify(reinterpret_cast<void*>(s.get()));
    std::printf("PROBE %s|%s|%.0f|%.0f|%s\n", (r.key() + suffix).c_str(), r.method().c_str(), w.bytes, w.flops,
                why.empty() ? "verified" : why.c_str());
    std::fflush(stdout);
}

} // namespace

int main() {
    try {
        const aaco::device_info dev = aaco::probes::open_device(0);
        aaco::backend::stream s;
        using aaco::memory_level;
        using aaco::memory_scope;
        using aaco::stream_op;
        struct item { memory_level level; stream_op op; memory_scope scope; };
        const item items[] = {
            {memory_level::hbm, stream_op::read, memory_scope::roof},
            {memory_level::hbm, stream_op::write, memory_scope::roof},
            {memory_level::hbm, stream_op::copy, memory_scope::roof},
            {memory_level::hbm, stream_op::triad, memory_scope::roof},
            {memory_level::l2, stream_op::read, memory_scope::roof},
            {memory_level::l2, stream_op::read, memory_scope::whole},
            {memory_level::shared, stream_op::read, memory_scope::roof},
        };
        for (const item& it : items) {
            auto r = aaco::kernels::make_stream_runner(it.level, it.op, 0, dev, it.scope);
            // A one_shot runner launches once per pass: one pass, one profiled kernel.
            if (r) profile_one(*r, s, r->method().find("one_shot") != std::string::npos ? 1 : 4);
        }
        // The kernel alternatives the HBM write/copy/triad figures are also measured with
        // (probes::detail::hbm_alternatives; the runtime's copy is left out: it need not be one
        // kernel), one pass each.
        for (stream_op op : {stream_op::write, stream_op::copy, stream_op::triad}) {
            const auto ws = aaco::kernels::hbm_working_set_bytes(dev, aaco::backend::device_memory().free_bytes,
                                                                 aaco::kernels::detail::arrays_of(op));
            for (const auto& alt : aaco::probes::detail::hbm_alternatives(op, dev)) {
                if (alt.name.find("one_shot") == std::string::npos) continue;
                const auto r = alt.make(ws.bytes);
                profile_one(*r, s, 1, ".one_shot");
            }
        }
        auto w = aaco::kernels::make_compute_runner(aaco::precision::bf16, aaco::compute_unit::matrix, dev,
                                                    aaco::operand_mode::random);
        if (w) profile_one(*w, s, 64);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco_ncu_probe: %s\n", e.what());
        return 1;
    }
}
