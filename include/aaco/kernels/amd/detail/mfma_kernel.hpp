/// \file mfma_kernel.hpp
/// \brief The MFMA peak loop (`mfma_peak_kernel<P>`), its launch parameters and its tuning.
///
/// One kernel template per precision. Each device pass compiles the body of its own arch
/// (gfx908, gfx90a, gfx94x, gfx950) with that arch's best-rate MFMA; any other pass compiles a
/// body that only records "no compiled path". Host code lives in kernels/amd/mfma_peak.hpp.
#pragma once
#include <aaco/config.hpp>
#include <aaco/arch/amd/mfma.hpp>
#include <aaco/kernels/amd/detail/common.hpp>
#include <aaco/model/precision.hpp>

#include <cstdint>

AACO_NAMESPACE_BEGIN
namespace kernels {
namespace amd {

/// Launch shape and loop shape of the MFMA peak kernel (same on every CDNA arch for now).
struct mfma_peak_config {
    /// untuned: chosen because 4 waves = one wave per SIMD of a CU per block.
    static constexpr int block_threads = 256;
    /// untuned: chosen because 2 blocks per CU give 2 waves per SIMD, so one wave's issue gaps
    /// (loop branch, hazard nops) are filled by the other.
    static constexpr int blocks_per_cu = 2;
    /// untuned: chosen because a 32x32 MFMA's result is ready ~one issue time after it starts
    /// (16 passes = 64 cycles on CDNA1/2, 8-16 passes on CDNA3), so 4 independent accumulator
    /// chains per wave keep a SIMD issuing back to back even with a single wave; costs
    /// 4 x 16 = 64 (A)VGPRs for 32x32 f32 accumulators.
    static constexpr int accumulators = 4;
    /// untuned: chosen so that the loop's scalar counter and branch are 1 per 16 MFMAs.
    static constexpr int unroll = 4;
    /// Random operands come in this many distinct 64-lane slices (wave w uses slice w % 64).
    static constexpr int operand_slices = 64;
    /// verify(): blocks launched and outer repeats (n = repeats x unroll MFMAs per chain).
    static constexpr int verify_blocks = 2;
    static constexpr int verify_repeats = 2;
};

/// Arguments of mfma_peak_kernel. Operand buffers hold `slices` x 64 lanes of the policy's
/// a_type / b_type, lane-major; wave w (grid-wide) reads slice w % slices.
struct mfma_kernel_params {
    const void* a = nullptr;
    const void* b = nullptr;
    std::uint32_t slices = 1;
    std::uint64_t repeats = 1;   ///< outer iterations, each unroll x accumulators MFMAs per wave
    int write_all = 0;           ///< 1 (verify): store every accumulator of every thread to `out`
    double sentinel = 0;         ///< otherwise: store a sum to `out` only if it equals this
    void* out = nullptr;
    block_clock_record* records = nullptr; ///< one per block
};

namespace detail {

#if AACO_BACKEND_HIP

/// The loop for one policy: `accumulators` independent chains D = A*B + D, all in registers.
template <class Policy>
AACO_DEVICE inline void mfma_peak_body(const mfma_kernel_params& p, compiled_path path) {
    using cfg = mfma_peak_config;
    using a_type = typename Policy::a_type;
    using b_type = typename Policy::b_type;
    using acc_type = typename Policy::acc_type;
    using elem = typename Policy::acc_element;

    const arch::clock_stamp start = arch::stamp_start();
    const unsigned thread = block_in_grid() * cfg::block_threads + thread_in_block();
    const unsigned lane = thread % arch::amd::wave_lanes;
    const unsigned wave = thread / arch::amd::wave_lanes;
    const unsigned slot = (wave % p.slices) * arch::amd::wave_lanes + lane;
    const a_type a = static_cast<const a_type*>(p.a)[slot];
    const b_type b = static_cast<const b_type*>(p.b)[slot];

    // Chain i starts at i (splatted): distinct start values keep the compiler from merging
    // chains that share A and B.
    acc_type acc[cfg::accumulators];
#pragma unroll
    for (int i = 0; i < cfg::accumulators; ++i) acc[i] = acc_type(static_cast<elem>(i));

    for (std::uint64_t r = 0; r < p.repeats; ++r) {
#pragma unroll
        for (int u = 0; u < cfg::unroll; ++u) {
#pragma unroll
            for (int i = 0; i < cfg::accumulators; ++i) acc[i] = Policy::mma(a, b, acc[i]);
        }
    }

    if (p.write_all) {
#pragma unroll
        for (int i = 0; i < cfg::accumulators; ++i)
            static_cast<acc_type*>(p.out)[thread * cfg::accumulators + i] = acc[i];
    } else {
        // Consume every accumulator element: the store depends on all of them and on a runtime
        // value the compiler cannot know, so no MFMA can be dropped.
        elem sum = 0;
#pragma unroll
        for (int i = 0; i < cfg::accumulators; ++i) {
#pragma unroll
            for (int e = 0; e < Policy::accumulator_items; ++e) sum += acc[i][e];
        }
        if (static_cast<double>(sum) == p.sentinel) static_cast<elem*>(p.out)[0] = sum;
    }
    finish_block(p.records, start, path);
}

/// Runs the policy's loop where the pass has the instruction, else records "no path".
template <class Policy>
AACO_DEVICE inline void mfma_peak_dispatch(const mfma_kernel_params& p) {
    if constexpr (Policy::supported) {
        mfma_peak_body<Policy>(p, this_pass_path());
    } else {
        record_no_path(p.records);
    }
}

#endif // AACO_BACKEND_HIP

} // namespace detail

#if AACO_BACKEND_HIP

/// The MFMA peak kernel of precision `P`. Launch with mfma_peak_config::block_threads threads.
/// amdgpu_waves_per_eu(blocks_per_cu): a block has one wave per SIMD, so blocks_per_cu blocks
/// per CU are that many waves per SIMD; the attribute caps registers at that occupancy's budget
/// (256 of the 512 unified registers on gfx90a+), which also lets LLVM select the MFMA forms
/// with C/D in ordinary VGPRs (checked by tests/isa/isa_amd_mfma.sh: no AGPR copies in the loop).
template <precision P>
AACO_KERNEL __launch_bounds__(mfma_peak_config::block_threads)
__attribute__((amdgpu_waves_per_eu(mfma_peak_config::blocks_per_cu))) void mfma_peak_kernel(mfma_kernel_params p) {
#if AACO_ARCH_GFX950_ENABLED
    detail::mfma_peak_dispatch<arch::amd::mfma_policy<P, arch::amd::gfx_family::gfx950>>(p);
#elif AACO_ARCH_GFX94X_ENABLED
    detail::mfma_peak_dispatch<arch::amd::mfma_policy<P, arch::amd::gfx_family::gfx94x>>(p);
#elif AACO_ARCH_GFX90A_ENABLED
    detail::mfma_peak_dispatch<arch::amd::mfma_policy<P, arch::amd::gfx_family::gfx90a>>(p);
#elif AACO_ARCH_GFX908_ENABLED
    detail::mfma_peak_dispatch<arch::amd::mfma_policy<P, arch::amd::gfx_family::gfx908>>(p);
#elif AACO_DEVICE_PASS
    detail::record_no_path(p.records);  // a device pass without an aaco path
#else
    (void)p;                             // host pass: only the host-side launch entry is generated
#endif
}

#endif // AACO_BACKEND_HIP

} // namespace amd
} // namespace kernels
AACO_NAMESPACE_END
