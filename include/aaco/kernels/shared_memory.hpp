/// \file kernels/shared_memory.hpp
/// \brief Shared-memory (NVIDIA) / LDS (AMD) read bandwidth: kernel and runner
/// ("memory.shared.read").
///
/// Each block fills a buffer of BlockThreads x InFlight 16-byte vectors, then loops: in every
/// iteration each thread reads InFlight vectors (ld.shared.v4.u32 / ds_read_b128), one from
/// each of InFlight regions of BlockThreads vectors, at its own thread index within the region.
/// Consecutive lanes read consecutive 16-byte vectors, the conflict-free pattern: a quarter-warp
/// (NVIDIA, 8 lanes x 16 B = 128 B, the 32 banks once) or the lanes of one LDS cycle on AMD
/// cover every bank exactly once. Every iteration the block reads the whole buffer once, and
/// the runner counts exactly that: BlockThreads x InFlight x 16 bytes per block per iteration.
///
/// Why every counted load really executes. A first version indexed the regions with
/// (iteration x stride + slot) mod InFlight only. After the compiler unrolled the loop by
/// InFlight, those addresses no longer depended on the iteration (4 x stride mod 4 = 0), and
/// since nothing writes shared memory inside the loop ptxas hoisted the loads out of it: the
/// "bandwidth" was 3.5x the hardware's 128 B/clk/SM (H200, first run). Now the address of each
/// slot's next load also depends on the value its previous load returned: the slot adds
/// (loaded word & p.zero) vectors, and p.zero is a kernel argument that is 0 at run time, which
/// no compiler can know. A load whose address is only known once the previous load returned
/// can be neither hoisted nor merged with another. The loop is also kept rolled (unroll 1), so
/// the loop body holds exactly InFlight 16-byte loads; tests/isa/isa_*_stream.sh count them.
///
/// Loaded words are added into a per-thread 32-bit sum, stored at the end and checked with a
/// device-wide sum against the host's expectation (blocks x iterations x buffer sum, mod 2^32).
/// That proves the right words were added once per counted load; that the loads were not
/// optimised away is what the data-dependent addresses and the ISA check guarantee (no
/// verification by value can tell a legally hoisted load from an executed one).
///
/// The first thread of each block records SM/CU cycles and wall-clock nanoseconds around the
/// loop (after a barrier at each end), so last_clock() gives the sustained clock and the probe
/// can report bytes per clock per SM/CU (H100/H200: the hardware does 128 B/clk/SM).
#pragma once
#include <aaco/arch/cache_hints.hpp>
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/clock_record.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/model/envelope.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP
#include <aaco/arch/clock.hpp>
#include <aaco/backend/backend.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {

/// NVIDIA shared-memory tuning (paste a tune result here; keep the "measured" comment).
struct nvidia_shared_memory_tuning {
    /// Untuned: chosen because 256 threads = 8 warps per block; 256 x 8 x 16 B = 32 KiB per
    /// block lets 7 blocks share an SM's 228 KiB.
    static constexpr int block_threads = 256;
    /// Untuned: chosen because 8 LDS.128 per iteration amortise the loop's counter, compare and
    /// branch over 8 loads (issue stays far below the 16 slots per LDS.128 an SM has), and the
    /// SM needs only ~30 clk x 128 B/clk = 4 KiB in flight, which 8 warps already give.
    static constexpr int in_flight = 8;
    /// Blocks per SM the compiler must fit (__launch_bounds__ minimum): 4 x 256 threads caps
    /// registers at 64 per thread. Untuned: chosen because 32 warps per SM hide the dependent
    /// load-to-address latency with a wide margin; 0 = no constraint.
    static constexpr int min_blocks_per_unit = 4;
};

/// AMD LDS tuning.
struct amd_shared_memory_tuning {
    /// Untuned: chosen because 256 threads = one wave64 per SIMD; 16 KiB per block lets 4 blocks
    /// share a CU's 64 KiB of LDS (CDNA2/CDNA3).
    static constexpr int block_threads = 256;
    /// Untuned: chosen because 4 ds_read_b128 per lane keep the LDS pipe busy across 16 waves.
    static constexpr int in_flight = 4;
    /// Untuned: chosen because 4 blocks of 16 KiB fill the 64 KiB LDS anyway; 0 = no constraint.
    static constexpr int min_blocks_per_unit = 0;
};

#if AACO_BACKEND_HIP
using shared_memory_tuning = amd_shared_memory_tuning; ///< this build's vendor
#else
using shared_memory_tuning = nvidia_shared_memory_tuning;
#endif

namespace detail {

/// Modulus of the shared buffer's fill pattern: word i = i mod 1021.
inline constexpr std::uint32_t shared_pattern_modulus = 1021;

/// Sum of the words of one block's shared buffer of `vectors` 16-byte vectors (host side).
inline std::uint64_t shared_buffer_sum(std::uint32_t vectors) {
    std::uint64_t s = 0;
    for (std::uint32_t i = 0; i < 4 * vectors; ++i) s += i % shared_pattern_modulus;
    return s;
}

} // namespace detail

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP

namespace detail {
/// Arguments of one shared-memory launch.
struct shared_params {
    std::uint64_t iterations = 0;          ///< loop iterations; each reads the whole buffer once
    std::uint32_t stride = 1;              ///< odd; region rotation per iteration (see file header)
    std::uint32_t zero = 0;                ///< always 0 at run time (see file header)
    std::uint32_t* partial = nullptr;      ///< one 32-bit sum per thread
    block_clock_record* clocks = nullptr;  ///< one record per block
};
} // namespace detail

/// Shared-memory read kernel: `p.iterations` sweeps of a BlockThreads x InFlight x 16-byte
/// buffer per block. Launch with exactly BlockThreads threads per block.
template <int BlockThreads, int InFlight, int MinBlocks = 0>
AACO_KERNEL void __launch_bounds__(BlockThreads, MinBlocks) shared_read_kernel(detail::shared_params p) {
    static_assert(InFlight >= 1 && (InFlight & (InFlight - 1)) == 0, "InFlight is a power of two");
    static_assert(BlockThreads % 64 == 0, "whole warps and wavefronts");
    constexpr int vectors = BlockThreads * InFlight;
    __shared__ arch::u32x4 buffer[vectors];
    for (int j = static_cast<int>(threadIdx.x); j < vectors; j += BlockThreads) {
        const std::uint32_t w = 4u * static_cast<std::uint32_t>(j);
        buffer[j] = arch::u32x4{w % detail::shared_pattern_modulus, (w + 1) % detail::shared_pattern_modulus,
                                (w + 2) % detail::shared_pattern_modulus, (w + 3) % detail::shared_pattern_modulus};
    }
    __syncthreads();
    arch::clock_stamp start{};
    if (threadIdx.x == 0) start = arch::stamp_start();

    std::uint32_t acc = 0;
    const arch::u32x4* mine = buffer + threadIdx.x;
    std::uint32_t link[InFlight]; // per slot: (last loaded word & p.zero), i.e. 0, unknown to the compiler
#pragma unroll
    for (int u = 0; u < InFlight; ++u) link[u] = 0;
    std::uint32_t rot = 0; // iteration x stride, uniform across the block
    // Kept rolled: the body holds exactly InFlight loads (checked by the ISA tests).
#pragma unroll 1
    for (std::uint64_t k = p.iterations; k != 0; --k) {
        arch::u32x4 v[InFlight];
#pragma unroll
        for (int u = 0; u < InFlight; ++u)
            v[u] = arch::load_shared16(mine + ((rot + u) & (InFlight - 1)) * BlockThreads + link[u]);
#pragma unroll
        for (int u = 0; u < InFlight; ++u) {
            link[u] = v[u].x & p.zero;
            acc += v[u].x + v[u].y + v[u].z + v[u].w;
        }
        rot += p.stride;
    }

    __syncthreads();
    if (threadIdx.x == 0) p.clocks[blockIdx.x] = make_clock_record(start, arch::stamp_end(), 0);
    p.partial[static_cast<std::uint64_t>(blockIdx.x) * BlockThreads + threadIdx.x] = acc;
}

/// Runner of shared_read_kernel with `Tuning` (shared_memory_tuning by default).
template <class Tuning = shared_memory_tuning>
class shared_memory_runner final : public runner {
public:
    static constexpr int block_threads = Tuning::block_threads;
    static constexpr int in_flight = Tuning::in_flight;
    static constexpr int min_blocks = Tuning::min_blocks_per_unit;
    /// Bytes of shared memory one block reads per iteration.
    static constexpr std::uint64_t block_bytes = static_cast<std::uint64_t>(block_threads) * in_flight * 16;

    explicit shared_memory_runner(const device_info& dev) : dev_(dev) {
        if (dev_.compute_units <= 0)
            throw invalid_argument("memory.shared.read: device_info has no compute-unit count");
    }

    std::string key() const override { return "memory.shared.read"; }

    std::string method() const override {
        std::string m = std::string(arch::shared_load_instruction()) + " x" + std::to_string(in_flight) +
                        " per thread per iteration, conflict-free, address chained through the loaded data; " + std::to_string(block_threads) + " threads x ";
        m += blocks_per_unit_ > 0 ? std::to_string(blocks_per_unit_) : std::string("max-occupancy");
        m += " blocks per " + std::string(dev_.vendor == "AMD" ? "CU" : "SM");
        return m;
    }

    void prepare() override {
        blocks_per_unit_ =
            backend::max_active_blocks_per_unit(shared_read_kernel<block_threads, in_flight, min_blocks>, block_threads, 0);
        if (blocks_per_unit_ <= 0)
            throw runtime_error("memory.shared.read: no block of the kernel fits on an SM/CU", 0);
        grid_ = static_cast<unsigned>(dev_.compute_units) * static_cast<unsigned>(blocks_per_unit_);
        partial_ = backend::device_buffer<std::uint32_t>(static_cast<std::size_t>(grid_) * block_threads);
        clocks_ = backend::device_buffer<block_clock_record>(grid_);
        clocks_.zero(nullptr);
        backend::synchronize();
    }

    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        if (grid_ == 0) throw invalid_argument("memory.shared.read: enqueue before prepare");
        iterations_ = repeats > 0 ? repeats : 1;
        ++launches_;
        detail::shared_params p;
        p.iterations = iterations_;
        // Any odd value works (see the file header); a run-time value keeps the compiler from
        // predicting the rotation.
        p.stride = 2 * static_cast<std::uint32_t>(launches_ % 7) + 1;
        p.zero = 0; // must stay 0: it only hides the addresses from the compiler
        p.partial = partial_.data();
        p.clocks = clocks_.data();
        shared_read_kernel<block_threads, in_flight, min_blocks>
            <<<grid_, block_threads, 0, static_cast<backend::native_stream>(stream)>>>(p);
        AACO_BACKEND_CHECK_LAUNCH("shared_read_kernel");
        launch_work w;
        w.bytes = static_cast<double>(grid_) * static_cast<double>(block_bytes) * static_cast<double>(iterations_);
        return w;
    }

    std::string verify(void* stream) override {
        if (grid_ == 0) return "verify before prepare";
        if (launches_ == 0) enqueue(stream, 1);
        const auto s = static_cast<backend::native_stream>(stream);
        const std::uint64_t got = backend::device_sum(partial_.data(), partial_.size(), s) & 0xFFFFFFFFull;
        const std::uint64_t per_block = detail::shared_buffer_sum(block_threads * in_flight);
        const std::uint64_t want = (static_cast<std::uint64_t>(grid_) * iterations_ * per_block) & 0xFFFFFFFFull;
        if (got == want) return {};
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "memory.shared.read: per-thread sums add up to %llu (mod 2^32), expected %llu "
                      "(%u blocks x %llu iterations)",
                      static_cast<unsigned long long>(got), static_cast<unsigned long long>(want), grid_,
                      static_cast<unsigned long long>(iterations_));
        return buf;
    }

    /// Sustained clock of the last launch: the block that ran longest.
    clock_reading last_clock(void* stream) override {
        (void)stream;
        if (grid_ == 0) return {};
        backend::synchronize(); // the copy below does not order against a non-blocking stream
        std::vector<block_clock_record> host(grid_);
        clocks_.copy_to_host(host.data(), host.size());
        return longest_block(host);
    }

    /// Blocks per SM/CU of the launches (known after prepare()).
    int blocks_per_unit() const { return blocks_per_unit_; }
    /// Blocks per launch (known after prepare()).
    unsigned grid() const { return grid_; }

private:
    device_info dev_;
    int blocks_per_unit_ = 0;
    unsigned grid_ = 0;
    std::uint64_t iterations_ = 0;
    std::uint64_t launches_ = 0;
    backend::device_buffer<std::uint32_t> partial_;
    backend::device_buffer<block_clock_record> clocks_;
};

/// The shared-memory (LDS) read-bandwidth runner for `dev` (the current device).
inline std::unique_ptr<runner> make_shared_memory_runner(const device_info& dev) {
    return std::make_unique<shared_memory_runner<>>(dev);
}

#else // AACO_BACKEND_NONE

/// Host-only build: there are no kernels; always throws unsupported_arch_error.
inline std::unique_ptr<runner> make_shared_memory_runner(const device_info& dev) {
    (void)dev;
    throw unsupported_arch_error("aaco was built without a GPU backend; no memory kernels");
}

#endif

} // namespace kernels
AACO_NAMESPACE_END
