/// \file kernels/nvidia/wgmma_peak.hpp
/// \brief Hopper (sm_90a) matrix-core peak loop on `wgmma.mma_async` and its compute runner,
/// for fp16, bf16, tf32, fp8 (e4m3) and int8 (s8).
///
/// Kernel design. A CTA holds `warpgroups_per_cta` warpgroups of 128 threads. It copies the
/// operand tiles once from device memory into shared memory (K-major, interleaved or 128-byte
/// swizzled, see wgmma_layout; RS configurations also load their A fragments into registers),
/// then every warpgroup runs
///
///     repeat `iterations` times:
///         wgmma.fence
///         mmas_per_group x wgmma.mma_async m64nNk* (SS or RS), K steps 0..mmas_per_group-1
///         wgmma.commit_group; wgmma.wait_group 1      // one group queued behind the running one
///     wgmma.wait_group 0
///
/// on its own 64-row A tile and the CTA's shared N-row B tile, accumulating in registers (N/2
/// per thread). The accumulators are consumed: in timing mode each thread writes their sum only
/// if it equals a run-time sentinel; in verify mode every accumulator is written and the runner
/// compares all of them with a host reference. Thread 0 of every CTA records SM cycles and
/// global nanoseconds around the loop plus a "compiled path" code (90 when the sm_90a body ran,
/// 0 when this binary has no sm_90a code, which prepare() turns into unsupported_arch_error).
///
/// The runner launches SMs x ctas_per_sm CTAs (shared memory padded so that no more fit on one
/// SM) and counts 2*64*N*K FLOPs per wgmma (int ops for int8).
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/arch/clock.hpp>
#include <aaco/arch/nvidia/wgmma.hpp>
#include <aaco/backend/backend.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/clock_record.hpp>
#include <aaco/kernels/operand_rng.hpp>
#include <aaco/kernels/operand_fill.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/precision.hpp>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace kernels::nvidia {

/// How the operand tiles are laid out in shared memory. Both are K-major (the only order
/// tf32/fp8/int8 wgmma accept), and one K step of one row is always 32 bytes.
enum class wgmma_layout {
    /// No swizzle: 8-row x 16-byte core matrices, 128 contiguous bytes each. A tile is stored as
    /// K columns of 16 bytes (LBO = rows x 16 apart), each column as row groups of 8 (SBO = 128).
    interleave,
    /// 128-byte swizzle: rows of 128 bytes (4 K steps), 16-byte chunk c of row r stored at chunk
    /// c ^ (r % 8); 8-row atoms of 1024 bytes (SBO = 1024), K blocks of 128 bytes rows x 128
    /// apart. The layout TMA writes and CUTLASS's Hopper GEMMs read.
    swizzle_128b
};

constexpr const char* to_string(wgmma_layout l) {
    return l == wgmma_layout::interleave ? "interleave" : "128B swizzle";
}

/// Where the wgmma reads A from. B always comes from shared memory.
enum class wgmma_a_source {
    shared,   ///< "SS": A by descriptor from the warpgroup's shared-memory tile
    registers ///< "RS": A from 4 registers per thread per K step, loaded once before the loop
};

constexpr const char* to_string(wgmma_a_source a) {
    return a == wgmma_a_source::shared ? "SS" : "RS";
}

/// One launch geometry of the wgmma peak loop.
/// \tparam N                width of the wgmma (m64nNk*): 64, 128, 192 or 256; N/2 accumulator
///                          registers per thread
/// \tparam WarpgroupsPerCta warpgroups (128 threads each) per CTA, sharing one B tile
/// \tparam CtasPerSm        CTAs launched per SM (also the __launch_bounds__ minimum, which caps
///                          registers at 64K / (threads x CTAs))
/// \tparam MmasPerGroup     wgmma per commit group (distinct K steps of the tiles)
/// \tparam Layout           shared-memory layout of the operand tiles
/// \tparam ASource          A from shared memory (SS) or registers (RS; +4 registers per K step)
template <int N, int WarpgroupsPerCta, int CtasPerSm, int MmasPerGroup,
          wgmma_layout Layout = wgmma_layout::swizzle_128b,
          wgmma_a_source ASource = wgmma_a_source::shared>
struct wgmma_config {
    static_assert(N == 64 || N == 128 || N == 192 || N == 256,
                  "wgmma wrappers exist for N = 64, 128, 192, 256");
    static_assert(WarpgroupsPerCta >= 1 && WarpgroupsPerCta <= 4, "1..4 warpgroups per CTA");
    static_assert(CtasPerSm >= 1 && CtasPerSm <= 4, "1..4 CTAs per SM");
    static_assert(MmasPerGroup >= 1 && MmasPerGroup <= 16, "1..16 wgmma per commit group");
    static constexpr int n = N;
    static constexpr int warpgroups_per_cta = WarpgroupsPerCta;
    static constexpr int ctas_per_sm = CtasPerSm;
    static constexpr int mmas_per_group = MmasPerGroup;
    static constexpr wgmma_layout layout = Layout;
    static constexpr wgmma_a_source a_source = ASource;
    static constexpr int threads = 128 * WarpgroupsPerCta;
};

/// Default geometry per precision, from benchmarks/tune_wgmma.cu's sweep of N x warpgroups/CTA
/// x CTAs/SM x A source (rerun it on a new card and note card and date here).
template <precision P> struct wgmma_tuning;

// Measured 2026-11-26 on an NVIDIA H200 (132 SMs, driver 580.159.04, 700 W limit) with
// `aaco_tune_wgmma` (benchmarks/tune_wgmma.cu), random operands, 111 configurations. Every
// precision is power-limited on that card: the SM clock sags to 1.5-1.75 GHz under random
// tensor data, and all configurations sit within ~3% of each other at 98-100% of the peak at
// their measured clock. The winners below are each precision's fastest in that sweep; the
// margins are about the run-to-run noise, so the shape reasoning in each comment decides ties.
//
/// fp16 m64nNk16. Sweep: N=256, 3 warpgroups/CTA, 1 CTA/SM, SS: 846.8 TFLOP/s at 1529 MHz
/// (N=256 2 wg SS 837.6; N=128 2 wg 820.9; N=64 ~785: smaller N reads more shared memory per FLOP).
template <> struct wgmma_tuning<precision::fp16> {
    /// N = 256 reads the least shared memory per FLOP in the SS form (A 2 KB + B 8 KB per
    /// 128 SM-clocks); the sweep confirms N=256 > 128 > 64 for every precision.
    static constexpr int n = 256;
    /// Three warpgroups: one can issue while the others wait on their groups (sweep: 846.8 vs
    /// 837.6 with two); 3 x 128 threads x 154 registers fits the 64K-register file.
    static constexpr int warpgroups_per_cta = 3;
    /// A second CTA of N=256 warpgroups does not fit the registers.
    static constexpr int ctas_per_sm = 1;
    /// 4 x 32 B of K fills one 128-byte swizzle row (sweep: 8 per group 845.2, 2 per group 836.5).
    static constexpr int mmas_per_group = 4;
    /// 128B swizzle: the conflict-free layout Hopper GEMMs use.
    static constexpr wgmma_layout layout = wgmma_layout::swizzle_128b;
    /// SS (A from shared memory): RS measured the same within noise (844.9).
    static constexpr wgmma_a_source a_source = wgmma_a_source::shared;
};
/// bf16 m64nNk16. Sweep: N=256, 3 wg, 1 CTA/SM, SS: 902.2 TFLOP/s at 1584 MHz (2 wg SS 874.6,
/// 2 wg RS 874.9). bf16 data toggles fewer mantissa bits than fp16, so the clock sags less.
template <> struct wgmma_tuning<precision::bf16> {
    static constexpr int n = 256;                   ///< as fp16
    static constexpr int warpgroups_per_cta = 3;    ///< sweep winner, as fp16
    static constexpr int ctas_per_sm = 1;           ///< as fp16
    static constexpr int mmas_per_group = 4;        ///< as fp16
    static constexpr wgmma_layout layout = wgmma_layout::swizzle_128b; ///< as fp16
    static constexpr wgmma_a_source a_source = wgmma_a_source::shared; ///< as fp16
};
/// tf32 m64nNk8. Sweep: N=256, 1 wg, 1 CTA/SM, RS: 457.0 TFLOP/s at 1664 MHz; half the FLOPs
/// of fp16 per instruction for the same 32-byte K step, so A from registers halves the
/// shared-memory traffic that matters most here.
template <> struct wgmma_tuning<precision::tf32> {
    static constexpr int n = 256;                   ///< as fp16
    static constexpr int warpgroups_per_cta = 1;    ///< sweep winner
    static constexpr int ctas_per_sm = 1;           ///< as fp16
    static constexpr int mmas_per_group = 4;        ///< as fp16
    static constexpr wgmma_layout layout = wgmma_layout::swizzle_128b; ///< as fp16
    static constexpr wgmma_a_source a_source = wgmma_a_source::registers; ///< sweep winner (RS)
};
/// fp8 (e4m3) m64nNk32. Sweep: N=256, 2 wg, 1 CTA/SM, SS: 1802.3 TFLOP/s at 1559 MHz (RS and
/// other shapes 1665-1733).
template <> struct wgmma_tuning<precision::fp8> {
    static constexpr int n = 256;                   ///< as fp16
    static constexpr int warpgroups_per_cta = 2;    ///< sweep winner
    static constexpr int ctas_per_sm = 1;           ///< as fp16
    static constexpr int mmas_per_group = 4;        ///< as fp16
    static constexpr wgmma_layout layout = wgmma_layout::swizzle_128b; ///< as fp16
    static constexpr wgmma_a_source a_source = wgmma_a_source::shared; ///< sweep winner (SS)
};
/// int8 (s8, s32 accumulators) m64nNk32. Sweep: N=128, 2 wg, 2 CTAs/SM, RS: 1904.8 TOP/s at
/// 1753 MHz (N=256 2 wg SS 1899.1). Integer data draws less power: the clock stays higher.
template <> struct wgmma_tuning<precision::int8> {
    static constexpr int n = 128;                   ///< sweep winner
    static constexpr int warpgroups_per_cta = 2;    ///< sweep winner
    static constexpr int ctas_per_sm = 2;           ///< sweep winner: N=128 leaves room for two CTAs
    static constexpr int mmas_per_group = 4;        ///< as fp16
    static constexpr wgmma_layout layout = wgmma_layout::swizzle_128b; ///< as fp16
    static constexpr wgmma_a_source a_source = wgmma_a_source::registers; ///< sweep winner (RS)
};

/// The default wgmma_config of precision P (from wgmma_tuning<P>).
template <precision P>
using wgmma_default_config =
    wgmma_config<wgmma_tuning<P>::n, wgmma_tuning<P>::warpgroups_per_cta,
                 wgmma_tuning<P>::ctas_per_sm, wgmma_tuning<P>::mmas_per_group,
                 wgmma_tuning<P>::layout, wgmma_tuning<P>::a_source>;

/// Shared-memory geometry of a configuration (byte sizes, offsets and descriptor steps).
/// Host and device use the same functions, so the host reference and the kernel agree.
template <class Cfg>
struct wgmma_smem_geometry {
    /// Bytes of K per row: one 32-byte K step per wgmma of a group.
    static constexpr int k_bytes = 32 * Cfg::mmas_per_group;
    /// 128-byte K blocks per row in the swizzled layout (the last may be partly unused).
    static constexpr int k_blocks = (k_bytes + 127) / 128;
    /// Bytes of a tile of `rows` rows (rows a multiple of 8).
    AACO_HOST_DEVICE static constexpr std::uint32_t tile_bytes(int rows) {
        return Cfg::layout == wgmma_layout::interleave ? static_cast<std::uint32_t>(rows * k_bytes)
                                                       : static_cast<std::uint32_t>(rows * k_blocks * 128);
    }
    static constexpr std::uint32_t a_tile_bytes = tile_bytes(64);
    static constexpr std::uint32_t b_tile_bytes = tile_bytes(Cfg::n);
    /// The 128B swizzle pattern repeats every 1024 bytes and the tiles must start on it
    /// (descriptor base offset 0), so the kernel aligns the dynamic shared memory itself.
    static constexpr std::uint32_t alignment = 1024;
    /// Dynamic shared memory per CTA: every warpgroup's A tile, one B tile, alignment slack.
    static constexpr std::uint32_t smem_bytes =
        Cfg::warpgroups_per_cta * a_tile_bytes + b_tile_bytes + alignment;

    /// Byte offset inside a tile of `rows` rows of the byte `kbyte` (0..k_bytes-1) of row `row`.
    AACO_HOST_DEVICE static constexpr std::uint32_t offset(int rows, int row, int kbyte) {
        if (Cfg::layout == wgmma_layout::interleave)
            return static_cast<std::uint32_t>((kbyte / 16) * (rows * 16) + (row / 8) * 128 +
                                              (row % 8) * 16 + kbyte % 16);
        const int in_block = kbyte % 128;
        return static_cast<std::uint32_t>((kbyte / 128) * (rows * 128) + (row / 8) * 1024 +
                                          (row % 8) * 128 + (((in_block / 16) ^ (row % 8)) * 16) +
                                          in_block % 16);
    }
    /// Descriptor of K step 0 of a tile of `rows` rows at shared address `addr`.
    AACO_HOST_DEVICE static constexpr std::uint64_t descriptor(std::uint32_t addr, int rows) {
        using arch::nvidia::make_wgmma_desc;
        using arch::nvidia::wgmma_swizzle;
        return Cfg::layout == wgmma_layout::interleave
                   ? make_wgmma_desc(addr, static_cast<std::uint32_t>(rows * 16), 128, wgmma_swizzle::none)
                   // LBO is unused by swizzled K-major layouts; the ISA says to encode 1.
                   : make_wgmma_desc(addr, 16, 1024, wgmma_swizzle::b128);
    }
    /// What K step `s` adds to descriptor(...) of a tile of `rows` rows: its start address
    /// advance, already >> 4 (the start field never carries: shared addresses are < 256 KB).
    AACO_HOST_DEVICE static constexpr std::uint64_t descriptor_step(int rows, int s) {
        return Cfg::layout == wgmma_layout::interleave
                   ? static_cast<std::uint64_t>(2 * s * rows * 16) >> 4
                   : static_cast<std::uint64_t>((s / 4) * rows * 128 + (s % 4) * 32) >> 4;
    }
};

/// The "compiled path" code of the sm_90a body.
inline constexpr std::uint32_t wgmma_path_sm90a = 90;

/// Kernel arguments (passed by value).
template <class Acc>
struct wgmma_peak_params {
    const float* a;             ///< [warpgroups x 64][K] A values, row-major
    const float* b;             ///< [N][K] B values: row n holds column n of B (K-major)
    std::uint64_t iterations;   ///< commit groups per warpgroup
    Acc* out;                   ///< verify: every accumulator; timing: one slot per thread
    Acc sentinel;               ///< timing: a thread writes its sum only when it equals this
    int verify;                 ///< nonzero: write every accumulator
    block_clock_record* clocks; ///< one per CTA (path wgmma_path_sm90a when the sm_90a body ran)
};

namespace detail {

/// Stores `v` converted to P's operand format at `p` (shared memory).
template <precision P>
AACO_DEVICE inline void wgmma_store_operand(unsigned char* p, float v) {
    if constexpr (P == precision::fp16) {
        *reinterpret_cast<unsigned short*>(p) = __half_as_ushort(__float2half_rn(v));
    } else if constexpr (P == precision::bf16) {
        *reinterpret_cast<unsigned short*>(p) = __bfloat16_as_ushort(__float2bfloat16_rn(v));
    } else if constexpr (P == precision::tf32) {
        // tf32 operands sit in 32-bit containers; the tensor core ignores the low 13 bits.
        *reinterpret_cast<float*>(p) = v;
    } else if constexpr (P == precision::fp8) {
        *p = static_cast<unsigned char>(__nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3));
    } else {
        *reinterpret_cast<signed char*>(p) = static_cast<signed char>(__float2int_rn(v));
    }
}

/// The loop body; compiled only in the sm_90a pass.
template <precision P, class Cfg>
AACO_DEVICE inline void wgmma_peak_body(
    const wgmma_peak_params<typename arch::nvidia::wgmma_traits<P>::accumulator>& prm) {
    using traits = arch::nvidia::wgmma_traits<P>;
    using acc_t = typename traits::accumulator;
    using geom = wgmma_smem_geometry<Cfg>;
    constexpr int n = Cfg::n;
    constexpr int regs = n / 2;
    constexpr int wgs = Cfg::warpgroups_per_cta;
    constexpr int k_elems = Cfg::mmas_per_group * traits::k;

    extern __shared__ __align__(16) unsigned char wgmma_smem_raw[];
    const std::uint32_t raw = arch::nvidia::smem_address(wgmma_smem_raw);
    const std::uint32_t pad = ((raw + geom::alignment - 1) & ~(geom::alignment - 1)) - raw;
    unsigned char* const smem = wgmma_smem_raw + pad;
    const std::uint32_t smem_base = raw + pad;

    // Fill: warpgroup w's A tile at w * a_tile_bytes, the shared B tile after all A tiles.
    constexpr int a_rows = 64 * wgs;
    for (int idx = static_cast<int>(threadIdx.x); idx < (a_rows + n) * k_elems;
         idx += static_cast<int>(blockDim.x)) {
        const int row = idx / k_elems;
        const int kbyte = (idx % k_elems) * traits::element_bytes;
        std::uint32_t off;
        float v;
        if (row < a_rows) {
            off = (row / 64) * geom::a_tile_bytes + geom::offset(64, row % 64, kbyte);
            v = prm.a[idx];
        } else {
            off = wgs * geom::a_tile_bytes + geom::offset(n, row - a_rows, kbyte);
            v = prm.b[idx - a_rows * k_elems];
        }
        wgmma_store_operand<P>(smem + off, v);
    }
    // wgmma reads shared memory through the async proxy: publish the generic-proxy stores.
    arch::nvidia::fence_proxy_async_shared();
    __syncthreads();

    const int wg = static_cast<int>(threadIdx.x) / 128;
    const std::uint64_t desc_a = geom::descriptor(smem_base + wg * geom::a_tile_bytes, 64);
    const std::uint64_t desc_b = geom::descriptor(smem_base + wgs * geom::a_tile_bytes, n);

    // RS: this thread's A fragments of every K step, read once from the warpgroup's A tile.
    constexpr bool rs = Cfg::a_source == wgmma_a_source::registers;
    std::uint32_t a_frag[rs ? Cfg::mmas_per_group : 1][4];
    if constexpr (rs) {
        constexpr int per = 4 / traits::element_bytes;
        const int lt = static_cast<int>(threadIdx.x) % 128;
        const unsigned char* tile = smem + wg * geom::a_tile_bytes;
#pragma unroll
        for (int st = 0; st < Cfg::mmas_per_group; ++st)
#pragma unroll
            for (int r = 0; r < 4; ++r) {
                const int row = arch::nvidia::wgmma_a_fragment_row(lt, r);
                std::uint32_t v = 0;
#pragma unroll
                for (int j = 0; j < per; ++j) {
                    const int col = st * traits::k + arch::nvidia::wgmma_a_fragment_col(lt, r, j, per);
                    const unsigned char* e = tile + geom::offset(64, row, col * traits::element_bytes);
                    std::uint32_t bits;
                    if constexpr (traits::element_bytes == 4)
                        bits = *reinterpret_cast<const std::uint32_t*>(e);
                    else if constexpr (traits::element_bytes == 2)
                        bits = *reinterpret_cast<const unsigned short*>(e);
                    else
                        bits = *e;
                    v |= bits << (8 * traits::element_bytes * j);
                }
                a_frag[st][r] = v;
            }
    }

    acc_t acc[regs];
#pragma unroll
    for (int i = 0; i < regs; ++i) {
        acc[i] = acc_t(0);
        arch::nvidia::fence_operand(acc[i]);
    }
    arch::clock_stamp start{};
    if (threadIdx.x == 0) start = arch::stamp_start();
#pragma unroll 1
    for (std::uint64_t it = 0; it < prm.iterations; ++it) {
        // Orders the ordinary writes of the zeroed accumulators before the first wgmma. Later
        // groups need no fence (same-shape wgmma on the same accumulators are ordered by the
        // hardware), but ptxas injects one at the loop head anyway (info C7519) when it is
        // outside, so it stays here, as in CUTLASS's mainloops.
        arch::nvidia::wgmma_fence();
#pragma unroll
        for (int s = 0; s < Cfg::mmas_per_group; ++s) {
            if constexpr (rs)
                arch::nvidia::wgmma_rs_mma<P, n>(acc, a_frag[s], desc_b + geom::descriptor_step(n, s), 1);
            else
                arch::nvidia::wgmma_ss_mma<P, n>(acc, desc_a + geom::descriptor_step(64, s),
                                                 desc_b + geom::descriptor_step(n, s), 1);
        }
        arch::nvidia::wgmma_commit_group();
        // Keep one group queued behind the running one so the tensor cores never drain.
        arch::nvidia::wgmma_wait_group<1>();
    }
    arch::nvidia::wgmma_wait_group<0>();
#pragma unroll
    for (int i = 0; i < regs; ++i) arch::nvidia::fence_operand(acc[i]);

    __syncthreads(); // the record covers every warpgroup of the CTA
    if (threadIdx.x == 0) prm.clocks[blockIdx.x] = make_clock_record(start, arch::stamp_end(), wgmma_path_sm90a);

    const std::size_t thread = static_cast<std::size_t>(blockIdx.x) * Cfg::threads + threadIdx.x;
    if (prm.verify) {
        acc_t* o = prm.out + thread * regs;
#pragma unroll
        for (int i = 0; i < regs; ++i) o[i] = acc[i];
    } else {
        // Unsigned sum for int8: s32 accumulators may have wrapped; signed overflow is UB.
        using sum_t = std::conditional_t<std::is_integral_v<acc_t>, std::uint32_t, acc_t>;
        sum_t sum = 0;
#pragma unroll
        for (int i = 0; i < regs; ++i) sum += static_cast<sum_t>(acc[i]);
        if (sum == static_cast<sum_t>(prm.sentinel)) prm.out[thread] = static_cast<acc_t>(sum);
    }
}

} // namespace detail

/// The wgmma peak kernel of precision P and geometry Cfg. Launch with Cfg::threads threads and
/// at least wgmma_smem_geometry<Cfg>::smem_bytes of dynamic shared memory.
template <precision P, class Cfg>
AACO_KERNEL void __launch_bounds__(Cfg::threads, Cfg::ctas_per_sm)
    wgmma_peak_kernel(wgmma_peak_params<typename arch::nvidia::wgmma_traits<P>::accumulator> prm) {
#if AACO_ARCH_SM90A_ENABLED
    detail::wgmma_peak_body<P, Cfg>(prm);
#else
    // No sm_90a code in this pass: record path 0 so the host can name the missing target.
    if (threadIdx.x == 0) prm.clocks[blockIdx.x] = block_clock_record{};
#endif
}

namespace detail {

/// Dense FLOPs (int ops) per clock per SM at the full wgmma issue rate (design.md section 5).
constexpr double wgmma_flops_per_clock_per_sm(precision p) {
    switch (p) {
    case precision::fp16:
    case precision::bf16: return 4096;
    case precision::tf32: return 2048;
    case precision::fp8:
    case precision::int8: return 8192;
    default: return 0;
    }
}

} // namespace detail

/// Compute runner for the wgmma peak loop of precision P with geometry Cfg.
template <precision P, class Cfg = wgmma_default_config<P>>
class wgmma_runner final : public compute_runner {
public:
    using traits = arch::nvidia::wgmma_traits<P>;
    using accumulator = typename traits::accumulator;
    using geometry = wgmma_smem_geometry<Cfg>;
    using config = Cfg;

    /// Commit groups per warpgroup in a verify launch: 2 checks the accumulation across the
    /// wait_group boundary while keeping every sum exact.
    static constexpr std::uint64_t verify_iterations = 2;
    /// K elements per operand row.
    static constexpr int k_elems = Cfg::mmas_per_group * traits::k;

    /// `dev` must be the current device (its SM count sizes the grid).
    wgmma_runner(const device_info& dev, operand_mode mode)
        : dev_(dev), mode_(mode), smem_bytes_(launch_smem_bytes(dev)) {
        if (dev_.compute_units <= 0)
            throw invalid_argument("wgmma_runner: device_info.compute_units must be > 0, got " +
                                   std::to_string(dev_.compute_units));
    }

    std::string key() const override { return "compute." + std::string(to_string(P)) + ".matrix"; }

    std::string method() const override {
        std::ostringstream s;
        s << arch::nvidia::wgmma_instruction<P>(Cfg::n) << " (" << to_string(Cfg::a_source) << ", "
          << to_string(Cfg::layout) << ", "
          << Cfg::warpgroups_per_cta << " warpgroups/CTA, " << Cfg::ctas_per_sm << " CTAs/SM, "
          << Cfg::mmas_per_group << " wgmma/commit group)";
        return s.str();
    }

    compute_kernel_desc desc() const override {
        compute_kernel_desc d;
        d.prec = P;
        d.unit = compute_unit::matrix;
        d.flops_per_clock_per_unit = detail::wgmma_flops_per_clock_per_sm(P);
        d.operands = mode_;
        d.operand_distribution = operand_distribution(P, mode_);
        return d;
    }

    /// CTAs per launch: every SM gets ctas_per_sm.
    int grid() const { return dev_.compute_units * Cfg::ctas_per_sm; }
    /// Dynamic shared memory per CTA of a launch (see launch_smem_bytes).
    std::uint32_t smem_bytes() const { return smem_bytes_; }
    /// FLOPs (int ops for int8) of one commit group of the whole grid.
    double flops_per_iteration() const {
        return 2.0 * 64 * Cfg::n * traits::k * Cfg::mmas_per_group * Cfg::warpgroups_per_cta * grid();
    }

    void prepare() override {
        if (prepared_) return;
        auto* kernel = &wgmma_peak_kernel<P, Cfg>;
        backend::set_max_dynamic_shared_bytes(kernel, static_cast<int>(smem_bytes_));
        const int resident = backend::max_active_blocks_per_unit(kernel, Cfg::threads, smem_bytes_);
        if (resident < Cfg::ctas_per_sm)
            throw runtime_error("wgmma " + std::string(to_string(P)) + ": only " + std::to_string(resident) +
                                    " CTA(s) of " + std::to_string(Cfg::threads) + " threads and " +
                                    std::to_string(smem_bytes_) +
                                    " B shared memory fit on one SM, the configuration asks for " +
                                    std::to_string(Cfg::ctas_per_sm),
                                0);

        std::vector<float> a(a_count()), b(b_count());
        if (mode_ == operand_mode::random) {
            // random_operand_distribution(P), already rounded to P's format, so the device's
            // conversion in wgmma_store_operand is exact (tf32, whose low 13 bits the tensor core
            // drops, included). int8: the full [-128, 127]. The timed loop re-accumulates the same
            // tiles without bound (iterations x mmas_per_group wgmma of k = 32 products of up to
            // 128 x 128 = 2^14 each), so the s32 accumulators of the random mode wrap: a defined
            // two's-complement wrap (no .satfinite, arch/nvidia/wgmma.hpp) that costs the tensor
            // core nothing extra. That result is only consumed (the sentinel test), never
            // verified; verify() uses small integers over 2 groups, far from overflow.
            operand_rng rng(0xAAC0u + static_cast<unsigned>(P));
            for (float& x : a) x = static_cast<float>(random_operand_value(P, rng));
            for (float& x : b) x = static_cast<float>(random_operand_value(P, rng));
        } // else: zeros ("cold" operands)
        a_ = backend::device_buffer<float>(a.size());
        b_ = backend::device_buffer<float>(b.size());
        a_.copy_from_host(a.data(), a.size());
        b_.copy_from_host(b.data(), b.size());
        sink_ = backend::device_buffer<accumulator>(static_cast<std::size_t>(grid()) * Cfg::threads);
        clocks_ = backend::device_buffer<block_clock_record>(static_cast<std::size_t>(grid()));
        prepared_ = true;

        // One empty launch tells whether this binary carries the sm_90a body.
        backend::stream s;
        launch(s.get(), a_.data(), b_.data(), 0, sink_.data(), false);
        s.synchronize();
        require_sm90a_path();
    }

    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        prepare();
        launch(static_cast<backend::native_stream>(stream), a_.data(), b_.data(), repeats, sink_.data(), false);
        launch_work w;
        w.flops = flops_per_iteration() * static_cast<double>(repeats);
        return w;
    }

    /// Runs the loop for verify_iterations groups on small integers (exact in every format) over
    /// the full grid and compares every accumulator of every thread with a host reference.
    std::string verify(void* stream) override {
        prepare();
        std::vector<float> a(a_count()), b(b_count());
        operand_rng rng(0x5EEDu + static_cast<unsigned>(P));
        for (float& x : a) x = static_cast<float>(rng.integer(-2, 2));
        for (float& x : b) x = static_cast<float>(rng.integer(-2, 2));
        backend::device_buffer<float> da(a.size()), db(b.size());
        da.copy_from_host(a.data(), a.size());
        db.copy_from_host(b.data(), b.size());
        const std::size_t per_cta = static_cast<std::size_t>(Cfg::threads) * (Cfg::n / 2);
        const std::size_t total = per_cta * static_cast<std::size_t>(grid());
        backend::device_buffer<accumulator> out(total);

        const auto s = static_cast<backend::native_stream>(stream);
        launch(s, da.data(), db.data(), verify_iterations, out.data(), true);
        wait(s);
        if (std::string why = sm90a_path_missing(); !why.empty()) return why;
        std::vector<accumulator> got(total);
        out.copy_to_host(got.data(), total);
        return compare(a, b, got);
    }

    clock_reading last_clock(void* stream) override {
        if (!prepared_) return {};
        wait(static_cast<backend::native_stream>(stream));
        std::vector<block_clock_record> r(clocks_.size());
        clocks_.copy_to_host(r.data(), r.size());
        // Blocks that ran without the sm_90a body wrote an all-zero record, which is skipped.
        return longest_block(r);
    }

private:
    /// Dynamic shared memory per CTA: the tiles, padded so that no more than ctas_per_sm CTAs
    /// fit on one SM (each CTA also costs 1 KB the runtime reserves). Then a grid of SMs x
    /// ctas_per_sm CTAs lands exactly ctas_per_sm on every SM instead of leaving it to the
    /// block scheduler to spread small CTAs evenly.
    static std::uint32_t launch_smem_bytes(const device_info& dev) {
        constexpr std::uint64_t max_per_block = 227 * 1024; // sm_90 opt-in limit per CTA
        std::uint64_t bytes = geometry::smem_bytes;
        const std::uint64_t pad = dev.shared_bytes_per_unit / (Cfg::ctas_per_sm + 1);
        if (pad > bytes && pad <= max_per_block) bytes = (pad + 127) / 128 * 128;
        return static_cast<std::uint32_t>(bytes);
    }

    static constexpr std::size_t a_count() { return static_cast<std::size_t>(64) * Cfg::warpgroups_per_cta * k_elems; }
    static constexpr std::size_t b_count() { return static_cast<std::size_t>(Cfg::n) * k_elems; }

    void launch(backend::native_stream s, const float* a, const float* b, std::uint64_t iterations,
                accumulator* out, bool verify) {
        wgmma_peak_params<accumulator> prm;
        prm.a = a;
        prm.b = b;
        prm.iterations = iterations;
        prm.out = out;
        // A value the sums never reach in practice; the compiler cannot know it.
        if constexpr (std::is_integral_v<accumulator>)
            prm.sentinel = 0x7F3A5C11;
        else
            prm.sentinel = -1.2345e37f;
        prm.verify = verify ? 1 : 0;
        prm.clocks = clocks_.data();
        wgmma_peak_kernel<P, Cfg><<<grid(), Cfg::threads, smem_bytes_, s>>>(prm);
        AACO_BACKEND_CHECK_LAUNCH("wgmma_peak_kernel");
    }

    static void wait(backend::native_stream s) {
        backend::event e;
        e.record(s);
        e.synchronize();
    }

    /// Empty when every CTA of the last launch ran the sm_90a body, else why not.
    std::string sm90a_path_missing() {
        block_clock_record first{};
        clocks_.copy_to_host(&first, 1);
        if (first.path == wgmma_path_sm90a) return {};
        return "this binary has no sm_90a code for the wgmma kernels (the device " + dev_.name +
               " is " + dev_.arch + " but ran the compiled-out body); rebuild with "
               "-DCMAKE_CUDA_ARCHITECTURES=90a-real (nvcc: -gencode=arch=compute_90a,code=sm_90a)";
    }
    void require_sm90a_path() {
        if (std::string why = sm90a_path_missing(); !why.empty()) throw unsupported_arch_error(why);
    }

    /// Compares every accumulator with verify_iterations x (A_w . B) computed on the host.
    std::string compare(const std::vector<float>& a, const std::vector<float>& b,
                        const std::vector<accumulator>& got) const {
        constexpr int n = Cfg::n;
        constexpr int regs = n / 2;
        std::vector<double> ref(static_cast<std::size_t>(Cfg::warpgroups_per_cta) * 64 * n);
        for (int w = 0; w < Cfg::warpgroups_per_cta; ++w)
            for (int m = 0; m < 64; ++m)
                for (int c = 0; c < n; ++c) {
                    double sum = 0;
                    const float* ar = &a[(static_cast<std::size_t>(w) * 64 + m) * k_elems];
                    const float* br = &b[static_cast<std::size_t>(c) * k_elems];
                    for (int k = 0; k < k_elems; ++k) sum += static_cast<double>(ar[k]) * br[k];
                    ref[(static_cast<std::size_t>(w) * 64 + m) * n + c] = sum * verify_iterations;
                }
        std::size_t wrong = 0;
        std::ostringstream first;
        for (int cta = 0; cta < grid(); ++cta)
            for (int t = 0; t < Cfg::threads; ++t)
                for (int i = 0; i < regs; ++i) {
                    const int w = t / 128, lt = t % 128;
                    const int row = arch::nvidia::wgmma_accumulator_row(lt, i);
                    const int col = arch::nvidia::wgmma_accumulator_col(lt, i);
                    const double want = ref[(static_cast<std::size_t>(w) * 64 + row) * n + col];
                    const double have = static_cast<double>(
                        got[(static_cast<std::size_t>(cta) * Cfg::threads + t) * regs + i]);
                    if (have == want) continue;
                    if (wrong++ == 0)
                        first << "CTA " << cta << " warpgroup " << w << " thread " << lt << " register "
                              << i << " (row " << row << ", col " << col << "): got " << have
                              << ", expected " << want;
                }
        if (wrong == 0) return {};
        std::ostringstream s;
        s << "wgmma " << to_string(P) << " verify: " << wrong << " of " << got.size()
          << " accumulators wrong; first at " << first.str();
        return s.str();
    }

    device_info dev_;
    operand_mode mode_;
    std::uint32_t smem_bytes_;
    bool prepared_ = false;
    backend::device_buffer<float> a_, b_;
    backend::device_buffer<accumulator> sink_;
    backend::device_buffer<block_clock_record> clocks_;
};

/// The wgmma runner of precision `p` with its default geometry on device `dev`.
/// Returns nullptr for precisions without a wgmma form (fp32, fp64); throws
/// unsupported_arch_error when `dev` is not sm_90 (wgmma exists only on sm_90a).
inline std::unique_ptr<compute_runner> make_wgmma_runner(precision p, const device_info& dev,
                                                         operand_mode m) {
    if (!arch::nvidia::has_wgmma(p)) return nullptr;
    if (dev.arch != "sm_90")
        throw unsupported_arch_error("wgmma needs sm_90a (Hopper); device '" + dev.name + "' is " +
                                     (dev.arch.empty() ? std::string("of unknown arch") : dev.arch));
    switch (p) {
    case precision::fp16: return std::make_unique<wgmma_runner<precision::fp16>>(dev, m);
    case precision::bf16: return std::make_unique<wgmma_runner<precision::bf16>>(dev, m);
    case precision::tf32: return std::make_unique<wgmma_runner<precision::tf32>>(dev, m);
    case precision::fp8: return std::make_unique<wgmma_runner<precision::fp8>>(dev, m);
    case precision::int8: return std::make_unique<wgmma_runner<precision::int8>>(dev, m);
    default: return nullptr;
    }
}

} // namespace kernels::nvidia
AACO_NAMESPACE_END

#endif // AACO_BACKEND_CUDA
