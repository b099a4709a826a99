/// \file units.hpp
/// \brief Unit constants and conversions, with the unit in every name (host-only, constexpr).
///
/// aaco's conventions: FLOP/s are reported in TFLOP/s (1e12, TOPS for int8), bandwidth in GB/s
/// (1e9 bytes/s, the vendors' unit), clocks in MHz, latencies in microseconds. Capacities use
/// binary prefixes (KiB/MiB/GiB) because caches and allocations are powers of two; rates use
/// decimal prefixes because datasheets do.
///
/// Every conversion that divides checks its divisor and throws aaco::invalid_argument naming the
/// argument and its value. The checks are constexpr-friendly: the throw sits in a branch that a
/// constant evaluation with valid arguments never takes, so the functions stay usable in
/// `static_assert`, and an invalid constant argument is a compile error.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <cstdint>
#include <limits>
#include <locale>
#include <sstream>
#include <string>

AACO_PORTABLE_NAMESPACE_BEGIN

// ---- capacities (bytes) ---------------------------------------------------------------------
inline constexpr std::uint64_t kib = 1024ull;        ///< bytes in one KiB
inline constexpr std::uint64_t mib = 1024ull * kib;  ///< bytes in one MiB
inline constexpr std::uint64_t gib = 1024ull * mib;  ///< bytes in one GiB

// ---- decimal scale factors (rates) ----------------------------------------------------------
inline constexpr double flops_per_tflop = 1e12;   ///< FLOP in one TFLOP
inline constexpr double flops_per_gflop = 1e9;    ///< FLOP in one GFLOP
inline constexpr double bytes_per_gb = 1e9;       ///< bytes in one (decimal) GB
inline constexpr double hz_per_mhz = 1e6;         ///< Hz in one MHz
inline constexpr double us_per_second = 1e6;      ///< microseconds in one second
inline constexpr double ms_per_second = 1e3;      ///< milliseconds in one second

namespace detail {

/// `v` as text for error messages: 6 significant digits, "nan"/"inf" spelled out.
inline std::string format_number(double v) {
    std::ostringstream os;
    os.imbue(std::locale::classic());  // "2.5", never "2,5", whatever the global locale
    os << v;
    return os.str();
}

/// Throws invalid_argument: "<function>: <argument> must be <requirement>, got <value>".
[[noreturn]] inline void fail_argument(const char* function, const char* argument,
                                       const char* requirement, double value) {
    throw invalid_argument(std::string(function) + ": " + argument + " must be " + requirement +
                           ", got " + format_number(value));
}

/// constexpr NaN/inf test (std::isfinite is not constexpr in C++17).
constexpr bool is_finite(double v) {
    return v == v && v <= std::numeric_limits<double>::max() &&
           v >= -std::numeric_limits<double>::max();
}

/// Returns `v` when it is finite and > 0, else throws naming `argument`.
constexpr double require_positive(double v, const char* function, const char* argument) {
    if (!(is_finite(v) && v > 0)) fail_argument(function, argument, "finite and > 0", v);
    return v;
}

/// Returns `v` when it is finite and >= 0, else throws naming `argument`.
constexpr double require_non_negative(double v, const char* function, const char* argument) {
    if (!(is_finite(v) && v >= 0)) fail_argument(function, argument, "finite and >= 0", v);
    return v;
}

/// Returns `v` when it is finite, else throws naming `argument`.
constexpr double require_finite(double v, const char* function, const char* argument) {
    if (!is_finite(v)) fail_argument(function, argument, "finite", v);
    return v;
}

} // namespace detail

// ---- rates from counts and times ------------------------------------------------------------

/// TFLOP/s from a FLOP count and the seconds it took.
constexpr double tflops_from(double flops, double seconds) {
    return detail::require_non_negative(flops, "aaco::tflops_from", "flops") /
           detail::require_positive(seconds, "aaco::tflops_from", "seconds") / flops_per_tflop;
}

/// GFLOP/s from a FLOP count and the seconds it took.
constexpr double gflops_from(double flops, double seconds) {
    return detail::require_non_negative(flops, "aaco::gflops_from", "flops") /
           detail::require_positive(seconds, "aaco::gflops_from", "seconds") / flops_per_gflop;
}

/// GB/s (1e9 bytes/s) from a byte count and the seconds it took.
constexpr double gbps_from(double bytes, double seconds) {
    return detail::require_non_negative(bytes, "aaco::gbps_from", "bytes") /
           detail::require_positive(seconds, "aaco::gbps_from", "seconds") / bytes_per_gb;
}

/// Clock in MHz from elapsed cycles and the seconds they took.
constexpr double mhz_from(double cycles, double seconds) {
    return detail::require_non_negative(cycles, "aaco::mhz_from", "cycles") /
           detail::require_positive(seconds, "aaco::mhz_from", "seconds") / hz_per_mhz;
}

/// Arithmetic intensity in FLOP/byte from a FLOP count and the bytes moved for it.
constexpr double flop_per_byte_from(double flops, double bytes) {
    return detail::require_non_negative(flops, "aaco::flop_per_byte_from", "flops") /
           detail::require_positive(bytes, "aaco::flop_per_byte_from", "bytes");
}

/// Peak TFLOP/s of `units` CUs/SMs each doing `flops_per_clock` FLOPs per clock at `clock_mhz`.
constexpr double tflops_from_clock(double flops_per_clock, double units, double clock_mhz) {
    return detail::require_non_negative(flops_per_clock, "aaco::tflops_from_clock",
                                        "flops_per_clock") *
           detail::require_non_negative(units, "aaco::tflops_from_clock", "units") *
           detail::require_non_negative(clock_mhz, "aaco::tflops_from_clock", "clock_mhz") *
           hz_per_mhz / flops_per_tflop;
}

// ---- unit changes ---------------------------------------------------------------------------

constexpr double us_from_seconds(double seconds) { return seconds * us_per_second; }
constexpr double seconds_from_us(double us) { return us / us_per_second; }
constexpr double seconds_from_ms(double ms) { return ms / ms_per_second; }
constexpr double ms_from_seconds(double seconds) { return seconds * ms_per_second; }
constexpr double tbps_from_gbps(double gbps) { return gbps / 1e3; }
constexpr double gbps_from_tbps(double tbps) { return tbps * 1e3; }
constexpr double gib_from_bytes(double bytes) { return bytes / static_cast<double>(gib); }
constexpr double mib_from_bytes(double bytes) { return bytes / static_cast<double>(mib); }

/// Relative difference |a - b| / |b|; the yardstick of the profile checks ("within 1%").
/// `b` (the reference) must be finite and non-zero.
constexpr double relative_difference(double a, double b) {
    if (!(detail::is_finite(b) && b != 0))
        detail::fail_argument("aaco::relative_difference", "b", "finite and non-zero", b);
    const double d = a - b;
    return (d < 0 ? -d : d) / (b < 0 ? -b : b);
}

AACO_PORTABLE_NAMESPACE_END
