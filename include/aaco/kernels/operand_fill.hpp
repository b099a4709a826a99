/// \file kernels/operand_fill.hpp
/// \brief The one random operand fill of every compute kernel (and of the vendor baselines they
/// are compared with): values of random_operand_distribution(p) (model/precision.hpp), drawn
/// from one deterministic generator and rounded into each precision's format. Host-only: no GPU
/// header, so the host tests check it and any baseline can use it.
///
/// The distribution, per precision:
/// - int8: uniform over all 256 values [-128, 127] (the top 8 bits of a 64-bit draw);
/// - floating types: a uniform real in [-1, 1) (53 random bits), rounded to the nearest value of
///   the format, ties to even: fp64 as drawn; fp32 and the tf32 grid (10 fraction bits, fp32's
///   exponent range); fp16 (IEEE binary16, subnormals below 2^-14); bf16 (7 fraction bits); fp8:
///   OCP E4M3 (E4M3FN: bias 7, subnormals below 2^-6 in steps of 2^-9). Every value is finite and
///   in [-1, 1]. The fp8 values in [-1, 1] are also exact in MI300's E4M3 FNUZ format (bias 8),
///   so NVIDIA and AMD kernels see the same values.
/// Values come out as doubles that are exact in the format, so a kernel's own conversion
/// (a device __float2half_rn, an encode of the exact bits) is the identity on them.
///
/// A multiplier of a chained FMA (x = a x + b, the vector kernels) is drawn the same way and
/// drawn again in the rare case it is exactly +-1 (probability 2^-9 in bf16, less in the other
/// formats), so that |a| < 1 and the chains stay bounded: see random_multiplier_value.
#pragma once
#include <aaco/config.hpp>
#include <aaco/kernels/operand_rng.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/precision.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace kernels {

// operand_rng (splitmix64, kernels/operand_rng.hpp): the same seed gives the same operands on
// every host, so runs are comparable.

namespace detail {

/// Fraction bits and smallest normal exponent of a binary floating format.
struct float_format {
    int fraction_bits;
    int min_exponent; ///< exponent of the smallest normal value (subnormals below, in its steps)
};

/// The format whose values `p`'s operands take (fp64 and int8 are not rounded this way).
constexpr float_format operand_format(precision p) {
    switch (p) {
    case precision::fp32: return {23, -126};
    case precision::tf32: return {10, -126};
    case precision::fp16: return {10, -14};
    case precision::bf16: return {7, -126};
    case precision::fp8: return {3, -6}; // OCP E4M3 (E4M3FN)
    default: return {52, -1022};
    }
}

} // namespace detail

/// `v` rounded to the nearest value of precision `p`'s format, ties to even (the default
/// floating-point rounding mode, which std::nearbyint follows): see this file's header. For
/// |v| <= 1 no format overflows. int8: the nearest integer, clamped to [-128, 127].
inline double round_operand(precision p, double v) {
    if (p == precision::fp64 || v == 0 || !std::isfinite(v)) return v;
    if (p == precision::int8) return std::fmin(127.0, std::fmax(-128.0, std::nearbyint(v)));
    const detail::float_format f = detail::operand_format(p);
    int e = 0;
    std::frexp(v, &e); // |v| = frac x 2^e, frac in [0.5, 1): the leading bit is 2^(e - 1)
    const int lead = e - 1 < f.min_exponent ? f.min_exponent : e - 1;
    const double quantum = std::ldexp(1.0, lead - f.fraction_bits); // spacing of the binade
    return std::nearbyint(v / quantum) * quantum; // exact: quantum is a power of two
}

/// One random operand of precision `p`: random_operand_distribution(p), exact in p's format.
inline double random_operand_value(precision p, operand_rng& rng) {
    if (p == precision::int8) return static_cast<double>(rng.int8());
    return round_operand(p, rng.uniform());
}

/// A random multiplier `a` of a chained FMA x = a x + b: random_operand_value redrawn while it
/// is exactly +-1, so |a| < 1 and |x| stays below about |b| / (1 - |a|) (fp16: 2048; bf16: 256).
/// Floating types only.
inline double random_multiplier_value(precision p, operand_rng& rng) {
    if (p == precision::int8) throw invalid_argument("random_multiplier_value: int8 has no FMA chain");
    for (;;) {
        const double a = random_operand_value(p, rng);
        if (std::fabs(a) < 1) return a;
    }
}

/// `n` random operands of precision `p` from `seed`.
inline std::vector<double> random_operand_values(precision p, std::size_t n, std::uint64_t seed) {
    operand_rng rng(seed);
    std::vector<double> v(n);
    for (double& x : v) x = random_operand_value(p, rng);
    return v;
}

/// The distribution string a runner reports (compute_kernel_desc::operand_distribution):
/// random_operand_distribution(p) in random mode, zero_operand_distribution in zero mode.
inline std::string operand_distribution(precision p, operand_mode mode) {
    return std::string(mode == operand_mode::random ? random_operand_distribution(p) : zero_operand_distribution);
}

// ---- encodings of exact values (for baselines that upload raw operand bytes) ---------------------

/// Bytes of one operand of `p` as the NVIDIA libraries store it (tf32 in a 32-bit float).
constexpr std::size_t operand_bytes(precision p) {
    switch (p) {
    case precision::fp64: return 8;
    case precision::fp32:
    case precision::tf32: return 4;
    case precision::fp16:
    case precision::bf16: return 2;
    case precision::fp8:
    case precision::int8: return 1;
    }
    return 0;
}

/// Writes `v`, a value exact in `p`'s format (round_operand(p, v) == v, |v| <= 1 for the 8-
/// and 16-bit floats), at `dst` (operand_bytes(p) bytes, little endian): IEEE binary64/32
/// (tf32: a float whose low 13 fraction bits are 0), IEEE binary16, bf16 (the top half of the
/// float), OCP E4M3, int8 two's complement. Throws invalid_argument for a value that is not.
inline void encode_operand(precision p, double v, unsigned char* dst) {
    if (round_operand(p, v) != v || (p != precision::fp64 && p != precision::fp32 && p != precision::tf32 &&
                                     p != precision::int8 && std::fabs(v) > 1))
        throw invalid_argument("encode_operand: " + std::to_string(v) + " is not an exact " +
                               std::string(to_string(p)) + " operand in [-1, 1]");
    const bool neg = std::signbit(v);
    const double a = std::fabs(v);
    // Exponent field and fraction of a normal or subnormal value of format f, bias b.
    auto split = [a](detail::float_format f, int bias, unsigned& exponent, unsigned& fraction) {
        if (a == 0) {
            exponent = fraction = 0;
            return;
        }
        int e = 0;
        const double frac = std::frexp(a, &e);
        if (e - 1 < f.min_exponent) { // subnormal: multiples of 2^(min_exponent - fraction_bits)
            exponent = 0;
            fraction = static_cast<unsigned>(std::ldexp(a, f.fraction_bits - f.min_exponent));
        } else {
            exponent = static_cast<unsigned>(e - 1 + bias);
            fraction = static_cast<unsigned>(std::ldexp(2 * frac - 1, f.fraction_bits));
        }
    };
    switch (p) {
    case precision::fp64: std::memcpy(dst, &v, 8); return;
    case precision::fp32:
    case precision::tf32: {
        const float x = static_cast<float>(v);
        std::memcpy(dst, &x, 4);
        return;
    }
    case precision::bf16: {
        const float x = static_cast<float>(v);
        std::uint32_t bits;
        std::memcpy(&bits, &x, 4);
        const auto h = static_cast<std::uint16_t>(bits >> 16); // exact: the low half is 0
        std::memcpy(dst, &h, 2);
        return;
    }
    case precision::fp16: {
        unsigned exponent = 0, fraction = 0;
        split(detail::operand_format(p), 15, exponent, fraction);
        const auto h = static_cast<std::uint16_t>((neg ? 0x8000u : 0u) | (exponent << 10) | fraction);
        std::memcpy(dst, &h, 2);
        return;
    }
    case precision::fp8: {
        unsigned exponent = 0, fraction = 0;
        split(detail::operand_format(p), 7, exponent, fraction);
        *dst = static_cast<unsigned char>((neg ? 0x80u : 0u) | (exponent << 3) | fraction);
        return;
    }
    case precision::int8: {
        const auto i = static_cast<std::int8_t>(v);
        std::memcpy(dst, &i, 1);
        return;
    }
    }
}

/// `n` random operands of `p` from `seed` (the values of random_operand_values), encoded as
/// encode_operand does: what a vendor-library baseline uploads.
inline std::vector<unsigned char> random_operand_bytes(precision p, std::size_t n, std::uint64_t seed) {
    const std::size_t eb = operand_bytes(p);
    std::vector<unsigned char> out(n * eb);
    operand_rng rng(seed);
    for (std::size_t i = 0; i < n; ++i) encode_operand(p, random_operand_value(p, rng), &out[i * eb]);
    return out;
}

} // namespace kernels
AACO_NAMESPACE_END
