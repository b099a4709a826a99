/// \file vector_kernel.hpp
/// \brief The AMD vector-ALU FMA peak loop (`vector_peak_kernel<P>`), its per-arch instruction
/// table, launch parameters and tuning. Host code lives in kernels/amd/vector_peak.hpp.
///
/// Instructions (the ISA tests check them inside the loop):
///  - fp32: v_pk_fma_f32 (two fp32 FMAs per lane) on gfx90a/gfx94x/gfx950, whose packed-fp32
///    rate is twice the plain one; v_fma_f32 (or its VOP2 form v_fmac_f32) on gfx908, which has
///    no packed fp32.
///  - fp64: v_fma_f64.  fp16: v_pk_fma_f16 (two fp16 FMAs per lane).
#pragma once
#include <aaco/config.hpp>
#include <aaco/arch/amd/mfma.hpp>
#include <aaco/kernels/amd/detail/common.hpp>
#include <aaco/model/precision.hpp>

#include <cstdint>
#include <string_view>
#include <type_traits>

AACO_NAMESPACE_BEGIN
namespace kernels {
namespace amd {

/// One vector FMA instruction as the peak loop uses it.
struct vector_instruction {
    bool supported = false;
    std::string_view mnemonic;           ///< as LLVM prints it
    int width = 0;                       ///< elements per lane per instruction (2 when packed)
    arch::amd::mfma_element element = arch::amd::mfma_element::f32; ///< element encoding
    double flops_per_clock_per_cu = 0;   ///< at full issue rate, 4 SIMDs x 16 lanes per clock

    /// FLOPs per instruction per wave: 64 lanes x width x (multiply + add).
    constexpr double flops_per_instruction() const { return 2.0 * arch::amd::wave_lanes * width; }
};

/// The vector FMA of precision `p` on family `f`, or unsupported (tf32, bf16, fp8, int8: aaco
/// measures those on the matrix cores only).
///
/// Rates (FLOPs/clk/CU), design.md section 5: fp32 gfx908 128, gfx90a 128 plain / 256 packed,
/// gfx94x and gfx950 256 (packed); fp64 64 / 128 / 128 / 128. fp16 is not in that table: 256 on
/// every CDNA arch is derived from the same datapath (64 lanes per clock per CU x 2 packed
/// halves x 2 FLOPs), matching MI100's and MI210's packed-fp16 datasheet figures.
constexpr vector_instruction vector_table(precision p, arch::amd::gfx_family f) {
    using arch::amd::gfx_family;
    using E = arch::amd::mfma_element;
    if (f == gfx_family::unknown) return {};
    switch (p) {
    case precision::fp32:
        if (f == gfx_family::gfx908) return {true, "v_fma_f32", 1, E::f32, 128};
        return {true, "v_pk_fma_f32", 2, E::f32, 256};
    case precision::fp64:
        return {true, "v_fma_f64", 1, E::f64, f == gfx_family::gfx908 ? 64.0 : 128.0};
    case precision::fp16:
        return {true, "v_pk_fma_f16", 2, E::f16, 256};
    default:
        return {};
    }
}

static_assert(vector_table(precision::fp32, arch::amd::gfx_family::gfx94x).flops_per_clock_per_cu == 256, "");
static_assert(vector_table(precision::fp64, arch::amd::gfx_family::gfx908).flops_per_clock_per_cu == 64, "");
static_assert(!vector_table(precision::bf16, arch::amd::gfx_family::gfx950).supported, "");

/// Launch and loop shape of the vector peak kernel.
struct vector_peak_config {
    /// untuned: chosen because 4 waves = one wave per SIMD of a CU per block.
    static constexpr int block_threads = 256;
    /// untuned: chosen because 4 waves per SIMD let the SIMD switch waves on every issue, so
    /// the few cycles of VALU dependency latency never stall it.
    static constexpr int blocks_per_cu = 4;
    /// untuned: chosen so that each wave alone has 8 independent FMA chains between two uses of
    /// one accumulator (far more than the VALU pipeline depth).
    static constexpr int accumulators = 8;
    /// untuned: chosen so that the loop's scalar counter and branch are 1 per 64 FMAs.
    static constexpr int unroll = 8;
    /// Operand pairs (a, b) in the tables; thread t uses pair t % operand_slots.
    static constexpr int operand_slots = 4096;
    /// verify(): blocks launched and outer repeats (n = repeats x unroll FMAs per chain).
    static constexpr int verify_blocks = 2;
    static constexpr int verify_repeats = 4;
};

/// Arguments of vector_peak_kernel. `a` and `b` hold `slots` values of the pass's value type
/// (float, float2, double or half2).
struct vector_kernel_params {
    const void* a = nullptr;
    const void* b = nullptr;
    std::uint32_t slots = 1;
    std::uint64_t repeats = 1;   ///< outer iterations, each unroll x accumulators FMAs per thread
    int write_all = 0;           ///< 1 (verify): store every accumulator of every thread to `out`
    double sentinel = 0;         ///< otherwise: store a sum to `out` only if it equals this
    void* out = nullptr;
    block_clock_record* records = nullptr; ///< one per block
};

#if AACO_BACKEND_HIP

namespace detail {

/// The register type of the loop: one lane's operand of one instruction.
template <precision P, arch::amd::gfx_family F> struct vector_value { using type = void; };
template <arch::amd::gfx_family F> struct vector_value<precision::fp32, F> { using type = arch::amd::ext_vector<float, 2>; };
template <> struct vector_value<precision::fp32, arch::amd::gfx_family::gfx908> { using type = float; };
template <arch::amd::gfx_family F> struct vector_value<precision::fp64, F> { using type = double; };
template <arch::amd::gfx_family F> struct vector_value<precision::fp16, F> { using type = arch::amd::ext_vector<_Float16, 2>; };

/// Element type and width of a loop value type.
template <class T> struct value_traits { using element = T; static constexpr int width = 1; };
template <class E, int N>
struct value_traits<E __attribute__((ext_vector_type(N)))> { using element = E; static constexpr int width = N; };

/// x * a + b as one fused instruction: the builtins for scalars; for the packed types the
/// pragma makes clang fuse the vector multiply-add (v_pk_fma_*) whatever -ffp-contract says.
AACO_DEVICE inline float fused(float x, float a, float b) { return __builtin_fmaf(x, a, b); }
AACO_DEVICE inline double fused(double x, double a, double b) { return __builtin_fma(x, a, b); }
template <class V>
AACO_DEVICE inline V fused(V x, V a, V b) {
#pragma clang fp contract(fast)
    return x * a + b;
}

/// Sum of a value's elements, in double.
template <class T>
AACO_DEVICE inline double element_sum(T v) {
    using traits = value_traits<T>;
    typename traits::element e[traits::width];
    __builtin_memcpy(e, &v, sizeof(v));
    double s = 0;
#pragma unroll
    for (int i = 0; i < traits::width; ++i) s += static_cast<double>(e[i]);
    return s;
}

/// The loop: `accumulators` independent chains x = x * a + b per thread.
template <class T>
AACO_DEVICE inline void vector_peak_body(const vector_kernel_params& p, compiled_path path) {
    using cfg = vector_peak_config;
    using element = typename value_traits<T>::element;
    const arch::clock_stamp start = arch::stamp_start();
    const unsigned thread = block_in_grid() * cfg::block_threads + thread_in_block();
    const unsigned slot = thread % p.slots;
    const T a = static_cast<const T*>(p.a)[slot];
    const T b = static_cast<const T*>(p.b)[slot];

    // Chain i starts at i (splatted): distinct start values keep the compiler from merging
    // chains that share a and b.
    T acc[cfg::accumulators];
#pragma unroll
    for (int i = 0; i < cfg::accumulators; ++i) acc[i] = T(static_cast<element>(i));

    for (std::uint64_t r = 0; r < p.repeats; ++r) {
#pragma unroll
        for (int u = 0; u < cfg::unroll; ++u) {
#pragma unroll
            for (int i = 0; i < cfg::accumulators; ++i) acc[i] = fused(acc[i], a, b);
        }
    }

    if (p.write_all) {
#pragma unroll
        for (int i = 0; i < cfg::accumulators; ++i) static_cast<T*>(p.out)[thread * cfg::accumulators + i] = acc[i];
    } else {
        // Consume every chain: the store depends on all of them and on a runtime value.
        double sum = 0;
#pragma unroll
        for (int i = 0; i < cfg::accumulators; ++i) sum += element_sum(acc[i]);
        if (sum == p.sentinel) static_cast<double*>(p.out)[0] = sum;
    }
    finish_block(p.records, start, path);
}

template <class T>
AACO_DEVICE inline void vector_peak_dispatch(const vector_kernel_params& p) {
    if constexpr (std::is_void<T>::value) {
        record_no_path(p.records);
    } else {
        vector_peak_body<T>(p, this_pass_path());
    }
}

} // namespace detail

/// The vector FMA peak kernel of precision `P` (fp32, fp64, fp16). Launch with
/// vector_peak_config::block_threads threads.
template <precision P>
AACO_KERNEL __launch_bounds__(vector_peak_config::block_threads) void vector_peak_kernel(vector_kernel_params p) {
#if AACO_ARCH_GFX950_ENABLED
    detail::vector_peak_dispatch<typename detail::vector_value<P, arch::amd::gfx_family::gfx950>::type>(p);
#elif AACO_ARCH_GFX94X_ENABLED
    detail::vector_peak_dispatch<typename detail::vector_value<P, arch::amd::gfx_family::gfx94x>::type>(p);
#elif AACO_ARCH_GFX90A_ENABLED
    detail::vector_peak_dispatch<typename detail::vector_value<P, arch::amd::gfx_family::gfx90a>::type>(p);
#elif AACO_ARCH_GFX908_ENABLED
    detail::vector_peak_dispatch<typename detail::vector_value<P, arch::amd::gfx_family::gfx908>::type>(p);
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
