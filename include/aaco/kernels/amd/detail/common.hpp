/// \file common.hpp
/// \brief Pieces shared by aaco's AMD compute-peak kernels (MFMA and vector FMA): the
/// compiled-path code, the device side of the per-block clock record (kernels/clock_record.hpp
/// has the record, shared with every other kernel family), and host helpers that encode
/// operands (fp16, bf16, fp8 e4m3 FNUZ/OCP, int8).
///
/// This header does not include the backend: the device-only ISA checks (clang-22, gfx908 to
/// gfx950, tests/isa/isa_amd_*.sh) compile the kernels with nothing but the HIP headers.
#pragma once
#include <aaco/config.hpp>
#include <aaco/arch/amd/mfma.hpp>
#include <aaco/kernels/clock_record.hpp>
#include <aaco/kernels/operand_rng.hpp>
#include <aaco/kernels/operand_fill.hpp>
#include <aaco/kernels/runner.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#if AACO_BACKEND_HIP
#  include <aaco/arch/clock.hpp>
#  include <hip/hip_runtime.h>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {
namespace amd {

/// Which arch-specific body a kernel ran. The kernel writes it into its block record; `none`
/// means the device pass that ran had no aaco path (e.g. a generic `gfx9-4-generic` target),
/// and the runner turns that into an unsupported_arch_error.
enum class compiled_path : std::uint32_t { none = 0, gfx908 = 1, gfx90a = 2, gfx94x = 3, gfx950 = 4 };

/// The path a device of family `f` must report.
constexpr compiled_path path_of(arch::amd::gfx_family f) {
    switch (f) {
    case arch::amd::gfx_family::gfx908: return compiled_path::gfx908;
    case arch::amd::gfx_family::gfx90a: return compiled_path::gfx90a;
    case arch::amd::gfx_family::gfx94x: return compiled_path::gfx94x;
    case arch::amd::gfx_family::gfx950: return compiled_path::gfx950;
    case arch::amd::gfx_family::unknown: break;
    }
    return compiled_path::none;
}

namespace detail {

#if AACO_BACKEND_HIP

/// The compiled path of the current device pass (none on the host pass).
AACO_HOST_DEVICE constexpr compiled_path this_pass_path() {
#if AACO_ARCH_GFX950_ENABLED
    return compiled_path::gfx950;
#elif AACO_ARCH_GFX94X_ENABLED
    return compiled_path::gfx94x;
#elif AACO_ARCH_GFX90A_ENABLED
    return compiled_path::gfx90a;
#elif AACO_ARCH_GFX908_ENABLED
    return compiled_path::gfx908;
#else
    return compiled_path::none;
#endif
}

// Work-item and work-group ids straight from the AMDGPU builtins: HIP's threadIdx/blockIdx go
// through device-library calls, which a -nogpulib ISA compile (clang-22, tests/isa) cannot
// inline, and blockDim is a kernel constant here anyway.

/// This thread's index in its block (x only).
AACO_DEVICE inline unsigned thread_in_block() {
#if AACO_DEVICE_PASS
    return __builtin_amdgcn_workitem_id_x();
#else
    return 0;
#endif
}

/// This block's index in the grid (x only).
AACO_DEVICE inline unsigned block_in_grid() {
#if AACO_DEVICE_PASS
    return __builtin_amdgcn_workgroup_id_x();
#else
    return 0;
#endif
}

/// Waits for the whole block, then thread 0 writes the block's clock record (`start` from
/// arch::stamp_start(), taken by every thread: two scalar reads, uniform per wave). A bare
/// s_barrier (no memory fence: nothing is exchanged between threads); __syncthreads() would also
/// call the device library's fence, a real call under -nogpulib that makes LLVM keep MFMA
/// accumulators in AGPRs and copy them every iteration (seen on gfx942 with clang-19, and again
/// with clang-22: 128 v_accvgpr_mov_b32 per trip of the fp16 loop).
AACO_DEVICE inline void finish_block(block_clock_record* records, arch::clock_stamp start,
                                     compiled_path path) {
#if AACO_DEVICE_PASS
    __builtin_amdgcn_s_barrier();
#endif
    if (thread_in_block() == 0)
        records[block_in_grid()] = make_clock_record(start, arch::stamp_end(), static_cast<std::uint32_t>(path));
}

/// The body of a kernel pass without an aaco path: say so in the block record.
AACO_DEVICE inline void record_no_path(block_clock_record* records) {
    if (thread_in_block() == 0) records[block_in_grid()] = block_clock_record{};
}

#endif // AACO_BACKEND_HIP

// ---------------------------------------------------------------------------------------------
// Host helpers
// ---------------------------------------------------------------------------------------------

/// Rounds to nearest, ties to even (the default floating-point environment).
inline double round_even(double x) { return std::nearbyint(x); }

/// IEEE binary16 bits of `v`, round to nearest even (saturates to infinity past 65504).
inline std::uint16_t half_bits(double v) {
    const std::uint16_t sign = std::signbit(v) ? 0x8000u : 0u;
    const double a = std::fabs(v);
    if (std::isnan(v)) return 0x7e00u;
    if (a < 0x1.0p-14) // subnormal range: multiples of 2^-24; 1024 rolls into the smallest normal
        return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(round_even(a * 0x1.0p24)));
    int e = 0;
    const double frac = std::frexp(a, &e); // a = frac * 2^e, frac in [0.5, 1)
    int exponent = e - 1;                 // a = (2 frac) * 2^exponent
    double mant = round_even((2.0 * frac - 1.0) * 1024.0);
    if (mant >= 1024.0) { mant = 0.0; ++exponent; }
    if (exponent > 15) return static_cast<std::uint16_t>(sign | 0x7c00u);
    return static_cast<std::uint16_t>(sign | ((exponent + 15) << 10) | static_cast<int>(mant));
}

inline double half_value(std::uint16_t h) {
    const int e = (h >> 10) & 0x1f;
    const int m = h & 0x3ff;
    const double s = (h & 0x8000u) ? -1.0 : 1.0;
    if (e == 0) return s * std::ldexp(m, -24);
    if (e == 31) return m ? std::numeric_limits<double>::quiet_NaN() : s * std::numeric_limits<double>::infinity();
    return s * std::ldexp(1024 + m, e - 25);
}

/// bf16 bits of `v` (rounded to float first, then to nearest even bf16).
inline std::uint16_t bf16_bits(double v) {
    const float f = static_cast<float>(v);
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    x += 0x7fffu + ((x >> 16) & 1u);
    return static_cast<std::uint16_t>(x >> 16);
}

inline double bf16_value(std::uint16_t b) {
    const std::uint32_t x = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &x, 4);
    return f;
}

/// Value of an fp8 e4m3 byte. FNUZ (MI300): bias 8, 0x80 is NaN, no -0, no infinity.
/// OCP (gfx950): bias 7, S.1111.111 is NaN, no infinity.
inline double fp8_value(std::uint8_t b, bool fnuz) {
    const int e = (b >> 3) & 0xf;
    const int m = b & 7;
    const bool neg = (b & 0x80u) != 0;
    if (fnuz && b == 0x80u) return std::numeric_limits<double>::quiet_NaN();
    if (!fnuz && e == 15 && m == 7) return std::numeric_limits<double>::quiet_NaN();
    const int bias = fnuz ? 8 : 7;
    const double mag = e == 0 ? std::ldexp(m, 1 - bias - 3) : std::ldexp(8 + m, e - bias - 3);
    return neg ? -mag : mag;
}

/// The fp8 e4m3 byte nearest to `v` (ties to the even mantissa), over all finite codes.
inline std::uint8_t fp8_bits(double v, bool fnuz) {
    std::uint8_t best = 0;
    double best_err = std::numeric_limits<double>::infinity();
    for (int c = 0; c < 256; ++c) {
        const double x = fp8_value(static_cast<std::uint8_t>(c), fnuz);
        if (std::isnan(x)) continue;
        const double err = std::fabs(x - v);
        if (err < best_err || (err == best_err && (c & 1) == 0)) {
            best_err = err;
            best = static_cast<std::uint8_t>(c);
        }
    }
    return best;
}

/// Writes `v`, rounded to encoding `e`, at `dst` (element_bytes(e) bytes, little endian).
inline void encode_element(arch::amd::mfma_element e, double v, unsigned char* dst) {
    using E = arch::amd::mfma_element;
    switch (e) {
    case E::f64: std::memcpy(dst, &v, 8); return;
    case E::f32: case E::xf32: { const float f = static_cast<float>(v); std::memcpy(dst, &f, 4); return; }
    case E::f16: { const std::uint16_t h = half_bits(v); std::memcpy(dst, &h, 2); return; }
    case E::bf16: { const std::uint16_t h = bf16_bits(v); std::memcpy(dst, &h, 2); return; }
    case E::fp8_e4m3_fnuz: *dst = fp8_bits(v, true); return;
    case E::fp8_e4m3_ocp: *dst = fp8_bits(v, false); return;
    case E::i8: {
        const double r = std::fmin(127.0, std::fmax(-128.0, round_even(v)));
        const std::int8_t i = static_cast<std::int8_t>(r);
        std::memcpy(dst, &i, 1);
        return;
    }
    case E::i32: { const std::int32_t i = static_cast<std::int32_t>(v); std::memcpy(dst, &i, 4); return; }
    }
}

/// Reads one element of encoding `e` at `src`.
inline double decode_element(arch::amd::mfma_element e, const unsigned char* src) {
    using E = arch::amd::mfma_element;
    switch (e) {
    case E::f64: { double d; std::memcpy(&d, src, 8); return d; }
    case E::f32: case E::xf32: { float f; std::memcpy(&f, src, 4); return f; }
    case E::f16: { std::uint16_t h; std::memcpy(&h, src, 2); return half_value(h); }
    case E::bf16: { std::uint16_t h; std::memcpy(&h, src, 2); return bf16_value(h); }
    case E::fp8_e4m3_fnuz: return fp8_value(*src, true);
    case E::fp8_e4m3_ocp: return fp8_value(*src, false);
    case E::i8: { std::int8_t i; std::memcpy(&i, src, 1); return i; }
    case E::i32: { std::int32_t i; std::memcpy(&i, src, 4); return i; }
    }
    return 0;
}

} // namespace detail
} // namespace amd
} // namespace kernels
AACO_NAMESPACE_END
