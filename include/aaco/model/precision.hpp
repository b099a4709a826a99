/// \file precision.hpp
/// \brief Precision tags and their traits (host-only, constexpr).
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

AACO_PORTABLE_NAMESPACE_BEGIN

/// The arithmetic precisions aaco calibrates. `tf32` is NVIDIA's TF32 and AMD's XF32
/// (both: fp32 storage, ~10-bit mantissa products on the matrix units).
enum class precision { fp64, fp32, tf32, fp16, bf16, fp8, int8 };

/// Which execution unit a compute ceiling was measured on.
enum class compute_unit { matrix, vector };

inline constexpr std::array<precision, 7> all_precisions = {
    precision::fp64, precision::fp32, precision::tf32, precision::fp16,
    precision::bf16, precision::fp8,  precision::int8};

/// Static facts of one precision.
struct precision_traits {
    std::string_view name;          ///< canonical lower-case name, used in JSON keys
    std::size_t operand_bytes;      ///< storage size of one input operand
    bool is_integer;                ///< int8 counts integer ops (TOPS) where floats count FLOPs
};

/// Traits of `p`. constexpr, so usable in static_assert.
constexpr precision_traits traits(precision p) {
    switch (p) {
    case precision::fp64: return {"fp64", 8, false};
    case precision::fp32: return {"fp32", 4, false};
    case precision::tf32: return {"tf32", 4, false};
    case precision::fp16: return {"fp16", 2, false};
    case precision::bf16: return {"bf16", 2, false};
    case precision::fp8:  return {"fp8", 1, false};
    case precision::int8: return {"int8", 1, true};
    }
    throw invalid_argument("aaco::traits: unknown precision value");
}

constexpr std::string_view to_string(precision p) { return traits(p).name; }

/// The one documented operand distribution of precision `p` (design.md section 4), used by
/// every kernel of that precision and by every vendor baseline it is compared with:
/// floating types draw uniform values in [-1, 1] (finite only; fp8 rounds them to e4m3),
/// integer types draw uniformly over their full range. Recorded per figure in the JSON.
constexpr std::string_view random_operand_distribution(precision p) {
    return traits(p).is_integer ? std::string_view("uniform int8 [-128, 127]")
                                : std::string_view("uniform [-1, 1]");
}

/// The distribution string of the zero-operand ("cold") mode.
inline constexpr std::string_view zero_operand_distribution = "zero";

constexpr std::string_view to_string(compute_unit u) {
    return u == compute_unit::matrix ? "matrix" : "vector";
}

/// Parses a precision name. Accepts the canonical names plus the aliases "xf32" (AMD's name
/// for tf32), "half", "float", "double", "e4m3" (fp8). Throws invalid_argument otherwise.
inline precision parse_precision(std::string_view s) {
    for (precision p : all_precisions)
        if (to_string(p) == s) return p;
    if (s == "xf32") return precision::tf32;
    if (s == "half") return precision::fp16;
    if (s == "float") return precision::fp32;
    if (s == "double") return precision::fp64;
    if (s == "e4m3") return precision::fp8;
    throw invalid_argument("unknown precision '" + std::string(s) +
                           "' (expected one of fp64, fp32, tf32/xf32, fp16, bf16, fp8, int8)");
}

AACO_PORTABLE_NAMESPACE_END
