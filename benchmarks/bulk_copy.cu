// aaco_bench_bulk_copy: HBM copy and triad through Hopper's bulk-copy engine (cp.async.bulk,
// global -> shared -> global, completion on an mbarrier), against aaco's SM-driven stream kernels
// (the calibrator's kernel, the library's one_shot kernel and the best of a scan of one_shot shapes)
// and cudaMemcpyAsync device-to-device, all under aaco's sampler (probes::sample_runner, full
// settings), interleaved A B C A B C. The one_shot scan chose nvidia_hbm_one_shot_tuning (RESULTS.md,
// 2026-12-02 afternoon).
//
// Why: aaco's HBM copy ceiling (4024 GB/s, H200 2026-12-01) was 95% of cudaMemcpy D2D after a sweep
// of 2630 configurations of the SM-driven kernel. A ceiling is an upper bound: if another way of
// moving the same bytes is faster, the ceiling has to use it. This benchmark tries the bulk-copy
// engine, which moves data without registers and with far fewer instructions per byte.
//
// How each launch works. One thread per block drives the engine (the other threads of a triad
// block compute). Chunks of `chunk_bytes` are walked grid-stride over `passes` passes: item g of
// the launch is chunk g mod chunks, so within one round of gridDim items no two blocks touch the
// same chunk and every byte is read once per pass (the property the SM kernels keep, design.md
// section 4). `stages` chunks per block are in flight: a load into a stage's shared buffer
// completes on that stage's mbarrier; the store of the previous item is waited for (its reads of
// shared memory only, cp.async.bulk.wait_group.read) before its stage is refilled.
// Counted bytes: copy 2 x array per pass (read + write), triad 3 x array (two reads, one write),
// as the SM kernels count them.
//
// Usage: aaco_bench_bulk_copy [--device N] [--quick] [--rounds N (2..100)] [--mib N (64..8192)]
// Exit codes: 0 ok (every result verified); 1 error or a verification failure; 2 no usable GPU,
// bad arguments, or a device without the bulk-copy engine (before sm_90).
#include "bench_common.hpp"

#include <aaco/aaco.hpp>
#include <aaco/probes/sampler.hpp>

#include <cuda_runtime.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace aaco_bulk {

/// Shared-memory address of a generic pointer into shared memory, for the PTX operands.
__device__ inline std::uint32_t smem_addr(const void* p) {
    return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
}

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
__device__ inline void mbar_init(std::uint64_t* bar) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" ::"r"(smem_addr(bar)) : "memory");
}
/// Arms `bar` for `bytes` of transaction and issues the bulk load of `bytes` from `src` to `dst`.
__device__ inline void bulk_load(void* dst, const void* src, std::uint32_t bytes, std::uint64_t* bar) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(smem_addr(bar)), "r"(bytes)
                 : "memory");
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(
                     smem_addr(dst)),
                 "l"(src), "r"(bytes), "r"(smem_addr(bar))
                 : "memory");
}
/// Arms `bar` for two loads of `bytes` each and issues both.
__device__ inline void bulk_load2(void* dst0, const void* src0, void* dst1, const void* src1, std::uint32_t bytes,
                                  std::uint64_t* bar) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(smem_addr(bar)), "r"(2 * bytes)
                 : "memory");
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(
                     smem_addr(dst0)),
                 "l"(src0), "r"(bytes), "r"(smem_addr(bar))
                 : "memory");
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(
                     smem_addr(dst1)),
                 "l"(src1), "r"(bytes), "r"(smem_addr(bar))
                 : "memory");
}
/// Blocks until phase `parity` of `bar` has completed.
__device__ inline void mbar_wait(std::uint64_t* bar, std::uint32_t parity) {
    std::uint32_t done = 0;
    do {
        asm volatile("{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}"
                     : "=r"(done)
                     : "r"(smem_addr(bar)), "r"(parity)
                     : "memory");
    } while (!done);
}
/// Bulk store of `bytes` from shared `src` to global `dst`, committed as its own bulk group.
__device__ inline void bulk_store(void* dst, const void* src, std::uint32_t bytes) {
    asm volatile("cp.async.bulk.global.shared::cta.bulk_group [%0], [%1], %2;" ::"l"(dst), "r"(smem_addr(src)),
                 "r"(bytes)
                 : "memory");
    asm volatile("cp.async.bulk.commit_group;" ::: "memory");
}
/// Waits until at most one bulk store group is still reading shared memory.
__device__ inline void wait_stores_read_but_one() { asm volatile("cp.async.bulk.wait_group.read 1;" ::: "memory"); }
/// Waits until every bulk store has completed (its writes performed).
__device__ inline void wait_stores_done() { asm volatile("cp.async.bulk.wait_group 0;" ::: "memory"); }
/// Orders this thread's generic-proxy shared-memory accesses before later async-proxy ones.
__device__ inline void fence_to_async_proxy() { asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); }
#endif

/// Items (chunk visits) of block `b` of `grid` blocks in a launch of `total` items.
__device__ inline std::uint64_t items_of_block(std::uint64_t total, std::uint32_t b, std::uint32_t grid) {
    return total > b ? (total - b + grid - 1) / grid : 0;
}

/// out = in, `passes` times, through shared memory and the bulk-copy engine. One thread per block.
/// Dynamic shared memory: stages x chunk_bytes, then stages mbarriers.
AACO_KERNEL void __launch_bounds__(32) bulk_copy_kernel(const unsigned char* in, unsigned char* out,
                                                        std::uint64_t chunks, std::uint32_t chunk_bytes,
                                                        std::uint64_t passes, std::uint32_t stages) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    extern __shared__ __align__(128) unsigned char smem[];
    if (threadIdx.x != 0) return;
    auto* bars = reinterpret_cast<std::uint64_t*>(smem + static_cast<std::size_t>(stages) * chunk_bytes);
    for (std::uint32_t s = 0; s < stages; ++s) mbar_init(&bars[s]);
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    fence_to_async_proxy();
    const std::uint64_t n = items_of_block(chunks * passes, blockIdx.x, gridDim.x);
    auto offset = [&](std::uint64_t j) {
        return ((blockIdx.x + j * gridDim.x) % chunks) * static_cast<std::uint64_t>(chunk_bytes);
    };
    auto buffer = [&](std::uint64_t j) { return smem + (j % stages) * static_cast<std::uint64_t>(chunk_bytes); };
    for (std::uint64_t j = 0; j < n && j < stages; ++j) bulk_load(buffer(j), in + offset(j), chunk_bytes, &bars[j % stages]);
    for (std::uint64_t j = 0; j < n; ++j) {
        mbar_wait(&bars[j % stages], static_cast<std::uint32_t>((j / stages) & 1));
        fence_to_async_proxy();
        bulk_store(out + offset(j), buffer(j), chunk_bytes);
        // Refill the stage of item j - 1 once its store has read shared memory.
        if (j >= 1 && j - 1 + stages < n) {
            wait_stores_read_but_one();
            const std::uint64_t next = j - 1 + stages;
            bulk_load(buffer(next), in + offset(next), chunk_bytes, &bars[next % stages]);
        }
    }
    wait_stores_done();
#else
    (void)in, (void)out, (void)chunks, (void)chunk_bytes, (void)passes, (void)stages;
    __trap();  // the host refuses devices before sm_90 (main)
#endif
}

/// a = b + scalar x c (fp32, fmaf), `passes` times: b and c arrive by bulk loads, the block's
/// threads compute in place into b's buffer, one thread bulk-stores it. Dynamic shared memory:
/// stages x 2 x chunk_bytes, then stages mbarriers.
AACO_KERNEL void __launch_bounds__(256) bulk_triad_kernel(const unsigned char* b, const unsigned char* c,
                                                          unsigned char* a, float scalar, std::uint64_t chunks,
                                                          std::uint32_t chunk_bytes, std::uint64_t passes,
                                                          std::uint32_t stages) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    extern __shared__ __align__(128) unsigned char smem[];
    const std::uint64_t stage_bytes = 2ull * chunk_bytes;
    auto* bars = reinterpret_cast<std::uint64_t*>(smem + stages * stage_bytes);
    const bool driver = threadIdx.x == 0;
    if (driver) {
        for (std::uint32_t s = 0; s < stages; ++s) mbar_init(&bars[s]);
        asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
        fence_to_async_proxy();
    }
    __syncthreads();
    const std::uint64_t n = items_of_block(chunks * passes, blockIdx.x, gridDim.x);
    auto offset = [&](std::uint64_t j) {
        return ((blockIdx.x + j * gridDim.x) % chunks) * static_cast<std::uint64_t>(chunk_bytes);
    };
    auto buf_b = [&](std::uint64_t j) { return smem + (j % stages) * stage_bytes; };
    auto buf_c = [&](std::uint64_t j) { return smem + (j % stages) * stage_bytes + chunk_bytes; };
    if (driver)
        for (std::uint64_t j = 0; j < n && j < stages; ++j)
            bulk_load2(buf_b(j), b + offset(j), buf_c(j), c + offset(j), chunk_bytes, &bars[j % stages]);
    const std::uint32_t vecs = chunk_bytes / 16;
    for (std::uint64_t j = 0; j < n; ++j) {
        mbar_wait(&bars[j % stages], static_cast<std::uint32_t>((j / stages) & 1));
        auto* vb = reinterpret_cast<float4*>(buf_b(j));
        const auto* vc = reinterpret_cast<const float4*>(buf_c(j));
        for (std::uint32_t v = threadIdx.x; v < vecs; v += blockDim.x) {
            const float4 x = vb[v], y = vc[v];
            vb[v] = float4{fmaf(scalar, y.x, x.x), fmaf(scalar, y.y, x.y), fmaf(scalar, y.z, x.z),
                           fmaf(scalar, y.w, x.w)};
        }
        fence_to_async_proxy();  // each thread's stores to b's buffer, before the bulk store reads it
        __syncthreads();
        if (driver) {
            bulk_store(a + offset(j), buf_b(j), chunk_bytes);
            if (j >= 1 && j - 1 + stages < n) {
                wait_stores_read_but_one();
                const std::uint64_t next = j - 1 + stages;
                bulk_load2(buf_b(next), b + offset(next), buf_c(next), c + offset(next), chunk_bytes,
                           &bars[next % stages]);
            }
        }
    }
    if (driver) wait_stores_done();
#else
    (void)b, (void)c, (void)a, (void)scalar, (void)chunks, (void)chunk_bytes, (void)passes, (void)stages;
    __trap();
#endif
}

/// Random floats uniform in [-1, 1) by index: aaco_bench::hash_uniform, the draw of every
/// benchmark's floating operands (bench_common.hpp).
AACO_KERNEL void fill_uniform(float* x, std::uint64_t n, std::uint64_t seed) {
    for (std::uint64_t i = blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<std::uint64_t>(gridDim.x) * blockDim.x)
        x[i] = static_cast<float>(aaco_bench::hash_uniform(i, seed));
}

/// Counts the elements where out != expected (copy: in; triad: fmaf(scalar, c, b), bit for bit).
AACO_KERNEL void count_mismatches(const float* out, const float* b, const float* c, float scalar, bool triad,
                                  std::uint64_t n, unsigned long long* bad) {
    unsigned long long local = 0;
    for (std::uint64_t i = blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<std::uint64_t>(gridDim.x) * blockDim.x) {
        const float want = triad ? fmaf(scalar, c[i], b[i]) : b[i];
        if (__float_as_uint(out[i]) != __float_as_uint(want)) ++local;
    }
    if (local) atomicAdd(bad, local);
}

} // namespace aaco_bulk

namespace {

/// Device buffers of the three arrays, filled once; shared by every runner of one op.
struct arrays {
    std::uint64_t bytes = 0;
    aaco::backend::device_buffer<float> b, c, out;
    explicit arrays(std::uint64_t per_array) : bytes(per_array), b(per_array / 4), c(per_array / 4), out(per_array / 4) {
        aaco_bulk::fill_uniform<<<1024, 256>>>(b.data(), per_array / 4, 1);
        aaco_bulk::fill_uniform<<<1024, 256>>>(c.data(), per_array / 4, 2);
        AACO_BACKEND_CHECK_LAUNCH("fill_uniform");
        aaco::backend::synchronize();
    }
    /// "" when `out` holds what `triad` (or a copy) of b and c gives; else how many elements differ.
    std::string verify(bool triad, float scalar) {
        aaco::backend::device_buffer<unsigned long long> bad(1);
        bad.zero(nullptr);
        aaco_bulk::count_mismatches<<<1024, 256>>>(out.data(), b.data(), c.data(), scalar, triad, bytes / 4, bad.data());
        AACO_BACKEND_CHECK_LAUNCH("count_mismatches");
        aaco::backend::synchronize();
        unsigned long long n = 0;
        bad.copy_to_host(&n, 1);
        return n == 0 ? std::string() : std::to_string(n) + " of " + std::to_string(bytes / 4) + " elements differ";
    }
};

constexpr float triad_scalar = 1.5f;

/// The bulk-copy engine kernels as an aaco runner.
class bulk_runner : public aaco::kernels::runner {
public:
    bulk_runner(arrays& a, bool triad, std::uint32_t chunk_bytes, std::uint32_t stages, int blocks_per_sm, int sms)
        : a_(a), triad_(triad), chunk_(chunk_bytes), stages_(stages), grid_(static_cast<unsigned>(blocks_per_sm * sms)) {
        smem_ = stages_ * chunk_ * (triad_ ? 2u : 1u) + stages_ * 8u;
    }
    std::string key() const override { return triad_ ? "bulk.triad" : "bulk.copy"; }
    std::string method() const override {
        return std::string(triad_ ? "cp.async.bulk triad" : "cp.async.bulk copy") + ", " + std::to_string(chunk_ >> 10) +
               " KiB chunks, " + std::to_string(stages_) + " stages, " + std::to_string(grid_) + " blocks";
    }
    void prepare() override {
        if (triad_) aaco::backend::set_max_dynamic_shared_bytes(&aaco_bulk::bulk_triad_kernel, static_cast<int>(smem_));
        else aaco::backend::set_max_dynamic_shared_bytes(&aaco_bulk::bulk_copy_kernel, static_cast<int>(smem_));
    }
    aaco::kernels::launch_work enqueue(void* stream, std::uint64_t repeats) override {
        auto s = static_cast<cudaStream_t>(stream);
        const std::uint64_t chunks = a_.bytes / chunk_;
        if (triad_)
            aaco_bulk::bulk_triad_kernel<<<grid_, 256, smem_, s>>>(
                reinterpret_cast<const unsigned char*>(a_.b.data()), reinterpret_cast<const unsigned char*>(a_.c.data()),
                reinterpret_cast<unsigned char*>(a_.out.data()), triad_scalar, chunks, chunk_, repeats, stages_);
        else
            aaco_bulk::bulk_copy_kernel<<<grid_, 32, smem_, s>>>(reinterpret_cast<const unsigned char*>(a_.b.data()),
                                                                 reinterpret_cast<unsigned char*>(a_.out.data()),
                                                                 chunks, chunk_, repeats, stages_);
        AACO_BACKEND_CHECK_LAUNCH(triad_ ? "bulk_triad_kernel" : "bulk_copy_kernel");
        aaco::kernels::launch_work w;
        w.bytes = static_cast<double>(chunks * chunk_) * (triad_ ? 3.0 : 2.0) * static_cast<double>(repeats);
        return w;
    }
    std::string verify(void* stream) override {
        aaco::backend::stream::borrow(static_cast<aaco::backend::native_stream>(stream)).synchronize();
        return a_.verify(triad_, triad_scalar);
    }

private:
    arrays& a_;
    bool triad_;
    std::uint32_t chunk_, stages_;
    unsigned grid_;
    unsigned smem_ = 0;
};

/// A one_shot tuning (PyTorch's elementwise shape, kernels::stream_mapping::one_shot) of BT
/// threads with U 16-byte accesses in flight per thread per array, loads L and stores S.
template <int BT, int U, aaco::arch::load_policy L, aaco::arch::store_policy S>
struct one_shot_shape {
    static constexpr int block_threads = BT;
    static constexpr int blocks_per_unit = 0;
    static constexpr int in_flight = U;
    static constexpr aaco::arch::load_policy load = L;
    static constexpr aaco::arch::store_policy store = S;
    static constexpr aaco::kernels::stream_mapping mapping = aaco::kernels::stream_mapping::one_shot;
    static constexpr std::uint64_t chunk_bytes = 0;
};

using runner_ptr = std::unique_ptr<aaco::kernels::runner>;
using one_shot_factory = runner_ptr (*)(aaco::stream_op, std::uint64_t, const aaco::device_info&);
template <class Tuning>
runner_ptr make_one_shot(aaco::stream_op op, std::uint64_t bytes, const aaco::device_info& dev) {
    return std::make_unique<aaco::kernels::stream_runner<Tuning>>(aaco::memory_level::hbm, op, bytes, dev);
}
using LP = aaco::arch::load_policy;
using SP = aaco::arch::store_policy;
/// The one_shot shapes scanned around the library's (256 threads, 1 in flight, plain/plain):
/// block size, accesses in flight, L2-only loads and streaming stores. The H200 run of 2026-12-02
/// scanned 11 shapes; the five left out here (128 x 4 and x 8, 256 x 4, 512 x 2, 128 x 4 with .cg
/// loads and .cs stores) were 0.3-6.9% below the best there, and each costs CI compile time.
const one_shot_factory one_shot_scan[] = {
    make_one_shot<one_shot_shape<128, 1, LP::plain, SP::plain>>,
    make_one_shot<one_shot_shape<128, 2, LP::plain, SP::plain>>,
    make_one_shot<one_shot_shape<256, 1, LP::plain, SP::plain>>,
    make_one_shot<one_shot_shape<256, 2, LP::plain, SP::plain>>,
    make_one_shot<one_shot_shape<128, 2, LP::l2_only, SP::plain>>,
    make_one_shot<one_shot_shape<128, 2, LP::plain, SP::streaming>>,
};

struct result {
    std::string key, method;
    std::vector<double> medians;  ///< one per round, GB/s
    std::string verified;
};

/// Parses `text` as a whole number in [lo, hi] into `out`; "" on success, else what is wrong.
std::string parse_whole(const char* text, const std::string& flag, long long lo, long long hi, long long& out) {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE)
        return flag + " must be a whole number, got '" + std::string(text) + "'";
    if (v < lo || v > hi)
        return flag + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(v);
    out = v;
    return {};
}

double gbps(const aaco::kernels::launch_work& w, double seconds) { return w.bytes / seconds * 1e-9; }

/// Samples `r` with aaco's sampler and verifies its last launch.
double sample(aaco::kernels::runner& r, aaco::backend::stream& s, const aaco::probes::sampling_config& cfg,
              std::string& verified) {
    const aaco::probes::sampled got = aaco::probes::sample_runner(r, s, cfg, gbps);
    const std::string why = r.verify(reinterpret_cast<void*>(s.get()));
    if (!why.empty()) verified = why;
    return got.stats.median;
}

/// Prepares and quick-samples the `n` runners `make(0..n-1)` gives, one at a time, printing each;
/// returns the fastest verified one (nullptr when none verified) and counts failures.
template <class Make>
runner_ptr scan_best(std::size_t n, Make&& make, aaco::backend::stream& s, int& failures) {
    runner_ptr best;
    double best_gbps = 0;
    for (std::size_t i = 0; i < n; ++i) {
        runner_ptr r = make(i);
        r->prepare();
        std::string verified;
        const double g = sample(*r, s, aaco::probes::sampling_config::quick(), verified);
        std::printf("  scan %-55s %8.1f GB/s %s\n", r->method().c_str(), g,
                    verified.empty() ? "verified" : verified.c_str());
        if (!verified.empty()) ++failures;
        if (verified.empty() && g > best_gbps) best_gbps = g, best = std::move(r);
    }
    return best;
}

} // namespace

int main(int argc, char** argv) {
    long long device = 0, rounds = 3, mib = 1024;
    bool quick = false;
    const char* usage = "usage: aaco_bench_bulk_copy [--device N] [--quick] [--rounds N (2..100)] [--mib N (64..8192)]";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        std::string why;
        if (arg == "--device" && has_value) why = parse_whole(argv[++i], "--device", 0, 1023, device);
        else if (arg == "--rounds" && has_value) why = parse_whole(argv[++i], "--rounds", 2, 100, rounds);
        else if (arg == "--mib" && has_value) why = parse_whole(argv[++i], "--mib", 64, 8192, mib);
        else if (arg == "--quick") quick = true;
        else why = (arg == "--device" || arg == "--rounds" || arg == "--mib") ? arg + " needs a value"
                                                                              : "unknown argument '" + arg + "'";
        if (!why.empty()) {
            std::fprintf(stderr, "aaco_bench_bulk_copy: %s\n%s\n", why.c_str(), usage);
            return 2;
        }
    }
    try {
        const aaco::device_info dev = aaco::probes::open_device(static_cast<int>(device));
        // dev.arch is "sm_<major><minor>" (backend::query_device).
        const int sm = dev.arch.rfind("sm_", 0) == 0 ? std::atoi(dev.arch.c_str() + 3) : 0;
        if (sm < 90) {
            std::fprintf(stderr, "%s (%s) has no bulk-copy engine (sm_90 or later needed)\n", dev.name.c_str(),
                         dev.arch.c_str());
            return 2;
        }
        aaco::backend::stream s;
        const aaco::probes::sampling_config cfg =
            quick ? aaco::probes::sampling_config::quick() : aaco::probes::sampling_config::full();
        const std::uint64_t per_array = static_cast<std::uint64_t>(mib) << 20;
        std::printf("device %s, %d SMs; arrays of %llu MiB; sampler: aaco %s; rounds %d\n", dev.name.c_str(),
                    dev.compute_units, static_cast<unsigned long long>(mib), quick ? "quick" : "full", static_cast<int>(rounds));
        int failures = 0;
        for (bool triad : {false, true}) {
            arrays a(per_array);
            // The engine configurations tried (chunk KiB, stages, blocks per SM), each fitting the
            // 227 KiB of shared memory a block may have: a short quick-sampled scan picks the best,
            // which then runs interleaved with the others.
            struct cfg_t { std::uint32_t kib, stages; int per_sm; };
            const std::vector<cfg_t> tried = triad
                ? std::vector<cfg_t>{{16, 4, 1}, {32, 3, 1}, {16, 3, 2}, {8, 6, 2}, {16, 6, 1}, {8, 4, 3}}
                : std::vector<cfg_t>{{32, 6, 1}, {16, 6, 2}, {32, 3, 2}, {64, 3, 1}, {16, 12, 1}, {8, 8, 3}};
            runner_ptr best = scan_best(tried.size(), [&](std::size_t i) -> runner_ptr {
                const cfg_t& t = tried[i];
                return std::make_unique<bulk_runner>(a, triad, t.kib << 10, t.stages, t.per_sm, dev.compute_units);
            }, s, failures);
            const aaco::stream_op op = triad ? aaco::stream_op::triad : aaco::stream_op::copy;
            // The one_shot shapes, scanned the same way.
            runner_ptr best_shape = scan_best(std::size(one_shot_scan), [&](std::size_t i) {
                return one_shot_scan[i](op, per_array, dev);
            }, s, failures);
            // Compared: the calibrator's kernel, the library's one_shot kernel and the best shape
            // scanned, each once (on NVIDIA the first two are the same kernel).
            std::vector<runner_ptr> runners;
            std::vector<std::string> labels;
            // Prepared here (a runner's method names its grid only once prepared), so that the
            // same kernel is recognised by its method.
            auto add_distinct = [&](runner_ptr r, const std::string& label) {
                r->prepare();
                for (const runner_ptr& have : runners)
                    if (have->method() == r->method()) return;
                runners.push_back(std::move(r));
                labels.push_back(label);
            };
            add_distinct(aaco::kernels::make_stream_runner(aaco::memory_level::hbm, op, per_array, dev), "tuned kernel");
            add_distinct(make_one_shot<aaco::kernels::hbm_one_shot_stream_tuning>(op, per_array, dev),
                         "one_shot (library)");
            if (best_shape) add_distinct(std::move(best_shape), "one_shot (best scanned)");
            if (best) add_distinct(std::move(best), "bulk-copy engine");
            // The vendor's copy, the reference of both ops: the library's runner of it, the one the
            // calibrator's HBM copy figure is also measured with.
            add_distinct(std::make_unique<aaco::kernels::runtime_copy_runner>(per_array),
                         aaco::kernels::runtime_copy_runner::call_name() + ".d2d");
            std::vector<result> results(runners.size());
            for (std::size_t i = 0; i < runners.size(); ++i) {
                results[i].key = labels[i];
                results[i].method = runners[i]->method();
            }
            for (long long round = 0; round < rounds; ++round)
                for (std::size_t i = 0; i < runners.size(); ++i)
                    results[i].medians.push_back(sample(*runners[i], s, cfg, results[i].verified));
            std::printf("%s (interleaved, %d rounds, median GB/s of each round):\n", triad ? "triad" : "copy", static_cast<int>(rounds));
            const double ref = results.back().medians.empty() ? 0
                                                              : *std::max_element(results.back().medians.begin(),
                                                                                  results.back().medians.end());
            for (const result& r : results) {
                const double top = *std::max_element(r.medians.begin(), r.medians.end());
                std::printf("  %-24s best %8.1f GB/s  rounds", r.key.c_str(), top);
                for (double m : r.medians) std::printf(" %.1f", m);
                std::printf("  (%s)%s%s\n", r.method.c_str(), r.verified.empty() ? " verified" : " NOT VERIFIED: ",
                            r.verified.c_str());
                if (ref > 0) std::printf("    = %.1f%% of cudaMemcpyAsync's best\n", top / ref * 100);
                if (!r.verified.empty()) ++failures;
            }
        }
        return failures ? 1 : 0;
    } catch (const aaco::no_device_error& e) {
        std::fprintf(stderr, "aaco_bench_bulk_copy: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco_bench_bulk_copy: %s\n", e.what());
        return 1;
    }
}
