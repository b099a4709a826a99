/// \file profiles.hpp
/// \brief Datasheet profiles of supported GPUs and per-architecture FLOPs per clock
/// (host-only, constexpr).
///
/// Two tables, both dense (no sparsity) and both from vendor documents:
///  - `arch_rate_table`: FLOPs per clock per CU (AMD) or per SM (NVIDIA) for each precision on
///    each unit, per architecture family. Peak = CUs x FLOPs/clock x clock.
///  - `profile_table`: one row per product with the vendor's printed peaks, bandwidth, caches,
///    unit count and clocks, and the documents they come from.
///
/// The printed figures are the truth of a row; the clock each figure assumes is stored next to
/// it, so that CUs x rate x clock can be checked against it (tests/host/test_profiles.cpp). That
/// matters on Hopper, whose tensor peaks assume 1830 MHz (SXM) while its FP64/FP32 peaks assume
/// the 1980 MHz boost clock.
///
/// A row describes a *package* as the vendor prints it. MI250X is one package of two GCDs, and
/// the runtime shows each GCD as its own device; `devices_per_package` records that, and the
/// per-device accessors (`compute_units()`, `tflops()`, `device_hbm_gbps()`) divide by it.
/// Cache sizes are stored per device.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/precision.hpp>
#include <aaco/model/units.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

// =============================================================================================
// FLOPs per clock per CU/SM
// =============================================================================================

/// Dense FLOPs per clock of one CU/SM for one precision on one unit of an architecture family.
struct arch_rate {
    std::string_view arch;          ///< family: gfx908, gfx90a, gfx94x, gfx950, sm_80, sm_90
    precision prec;
    compute_unit unit;
    double flops_per_clock;         ///< best form (packed math where the ISA has it)
    double unpacked_flops_per_clock; ///< vector units without packed math; == best otherwise
};

/// FLOPs per clock per CU (AMD) or SM (NVIDIA). Source: AMD CDNA1-4 white papers and ISA
/// guides with AMD's matrix instruction calculator; NVIDIA A100 and H100 white papers. A
/// (precision, unit) absent here means the hardware has no such unit (flops_per_clock -> 0).
/// Only the precisions and units aaco calibrates are listed (no FP16 vector, no FP4/FP6).
inline constexpr std::array<arch_rate, 45> arch_rate_table = {{
    // CDNA1 (MI100): no FP64 matrix, no packed FP32; BF16 matrix at half the FP16 rate.
    {"gfx908", precision::fp64, compute_unit::vector, 64, 64},
    {"gfx908", precision::fp32, compute_unit::vector, 128, 128},
    {"gfx908", precision::fp32, compute_unit::matrix, 256, 256},
    {"gfx908", precision::fp16, compute_unit::matrix, 1024, 1024},
    {"gfx908", precision::bf16, compute_unit::matrix, 512, 512},
    {"gfx908", precision::int8, compute_unit::matrix, 1024, 1024},
    // CDNA2 (MI200): FP64 matrix; packed FP32 (v_pk_fma_f32) doubles the vector rate.
    {"gfx90a", precision::fp64, compute_unit::vector, 128, 128},
    {"gfx90a", precision::fp64, compute_unit::matrix, 256, 256},
    {"gfx90a", precision::fp32, compute_unit::vector, 256, 128},
    {"gfx90a", precision::fp32, compute_unit::matrix, 256, 256},
    {"gfx90a", precision::fp16, compute_unit::matrix, 1024, 1024},
    {"gfx90a", precision::bf16, compute_unit::matrix, 1024, 1024},
    {"gfx90a", precision::int8, compute_unit::matrix, 1024, 1024},
    // CDNA3 (MI300): XF32 and FP8 (FNUZ) matrix; FP32 vector 256 needs packed FP32.
    {"gfx94x", precision::fp64, compute_unit::vector, 128, 128},
    {"gfx94x", precision::fp64, compute_unit::matrix, 256, 256},
    {"gfx94x", precision::fp32, compute_unit::vector, 256, 128},
    {"gfx94x", precision::fp32, compute_unit::matrix, 256, 256},
    {"gfx94x", precision::tf32, compute_unit::matrix, 1024, 1024},
    {"gfx94x", precision::fp16, compute_unit::matrix, 2048, 2048},
    {"gfx94x", precision::bf16, compute_unit::matrix, 2048, 2048},
    {"gfx94x", precision::int8, compute_unit::matrix, 4096, 4096},
    {"gfx94x", precision::fp8, compute_unit::matrix, 4096, 4096},
    // CDNA4 (MI350): FP64 matrix halved to the vector rate, XF32 dropped, FP8 is OCP.
    {"gfx950", precision::fp64, compute_unit::vector, 128, 128},
    {"gfx950", precision::fp64, compute_unit::matrix, 128, 128},
    {"gfx950", precision::fp32, compute_unit::vector, 256, 128},
    {"gfx950", precision::fp32, compute_unit::matrix, 256, 256},
    {"gfx950", precision::fp16, compute_unit::matrix, 4096, 4096},
    {"gfx950", precision::bf16, compute_unit::matrix, 4096, 4096},
    {"gfx950", precision::int8, compute_unit::matrix, 8192, 8192},
    // The plain f8f6f4 MFMA's rate; aaco's kernel runs the scaled form (see mfma_table below).
    {"gfx950", precision::fp8, compute_unit::matrix, 8192, 8192},
    // Ampere (A100): TF32 tensor; no FP32 matrix, no FP8.
    {"sm_80", precision::fp64, compute_unit::vector, 64, 64},
    {"sm_80", precision::fp64, compute_unit::matrix, 128, 128},
    {"sm_80", precision::fp32, compute_unit::vector, 128, 128},
    {"sm_80", precision::tf32, compute_unit::matrix, 1024, 1024},
    {"sm_80", precision::fp16, compute_unit::matrix, 2048, 2048},
    {"sm_80", precision::bf16, compute_unit::matrix, 2048, 2048},
    {"sm_80", precision::int8, compute_unit::matrix, 4096, 4096},
    // Hopper (H100/H200), via wgmma; legacy mma.sync reaches ~70% of these.
    {"sm_90", precision::fp64, compute_unit::vector, 128, 128},
    {"sm_90", precision::fp64, compute_unit::matrix, 256, 256},
    {"sm_90", precision::fp32, compute_unit::vector, 256, 256},
    {"sm_90", precision::tf32, compute_unit::matrix, 2048, 2048},
    {"sm_90", precision::fp16, compute_unit::matrix, 4096, 4096},
    {"sm_90", precision::bf16, compute_unit::matrix, 4096, 4096},
    {"sm_90", precision::int8, compute_unit::matrix, 8192, 8192},
    {"sm_90", precision::fp8, compute_unit::matrix, 8192, 8192},
}};

namespace detail {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
constexpr bool ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Case-insensitive equality.
constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

/// True when `text`, split at every non-alphanumeric character, has a token equal to `token`
/// (case-insensitive). "AMD Instinct MI250X/MI250" has the tokens amd, instinct, mi250x, mi250.
constexpr bool has_token(std::string_view text, std::string_view token) {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && !ascii_alnum(text[i])) ++i;
        std::size_t j = i;
        while (j < text.size() && ascii_alnum(text[j])) ++j;
        if (j > i && iequals(text.substr(i, j - i), token)) return true;
        i = j;
    }
    return false;
}

/// The first row of arch_rate_table that `fn` accepts, or an empty row (0 FLOPs per clock).
/// A copy, not a pointer: under g++ 12's -fsanitize=null (which implies
/// -fno-delete-null-pointer-checks) g++ does not fold a comparison of a table row's address
/// with nullptr, so a pointer result would stop these lookups being constant expressions.
template <class Fn>
constexpr arch_rate find_rate_if(Fn&& fn) {
    for (const arch_rate& r : arch_rate_table)
        if (fn(r)) return r;
    return arch_rate{};
}

} // namespace detail

/// The architecture family of an arch string as runtimes and compilers spell it, or an empty
/// view when aaco has no rates for it. Case-insensitive; target features after ':' are ignored
/// ("gfx942:sramecc+:xnack-" -> "gfx94x"); gfx940/941/942 share the MI300 instruction set;
/// "sm_90a", "sm90" and "9.0" -> "sm_90"; "sm_80", "sm80" and "8.0" -> "sm_80".
constexpr std::string_view arch_family(std::string_view arch) {
    const std::size_t colon = arch.find(':');
    if (colon != std::string_view::npos) arch = arch.substr(0, colon);
    using detail::iequals;
    if (iequals(arch, "gfx908")) return "gfx908";
    if (iequals(arch, "gfx90a")) return "gfx90a";
    if (iequals(arch, "gfx940") || iequals(arch, "gfx941") || iequals(arch, "gfx942") ||
        iequals(arch, "gfx94x"))
        return "gfx94x";
    if (iequals(arch, "gfx950")) return "gfx950";
    if (iequals(arch, "sm_80") || iequals(arch, "sm80") || iequals(arch, "8.0")) return "sm_80";
    if (iequals(arch, "sm_90") || iequals(arch, "sm_90a") || iequals(arch, "sm90") ||
        iequals(arch, "sm90a") || iequals(arch, "9.0"))
        return "sm_90";
    return {};
}

/// True when aaco has FLOPs-per-clock figures for `arch`.
constexpr bool is_known_arch(std::string_view arch) { return !arch_family(arch).empty(); }

namespace detail {
[[noreturn]] inline void fail_unknown_arch(const char* function, std::string_view arch) {
    throw invalid_argument(std::string(function) + ": unknown architecture '" +
                           std::string(arch) +
                           "' (known: gfx908, gfx90a, gfx940/gfx941/gfx942, gfx950, sm_80, "
                           "sm_90/sm_90a)");
}
} // namespace detail

/// Dense FLOPs per clock per CU/SM of `p` on unit `u` of `arch` (best form: packed FP32 where
/// the ISA has it). 0 when the hardware has no such unit. Throws invalid_argument for an
/// unknown arch.
constexpr double flops_per_clock(std::string_view arch, precision p, compute_unit u) {
    const std::string_view fam = arch_family(arch);
    if (fam.empty()) detail::fail_unknown_arch("aaco::flops_per_clock", arch);
    return detail::find_rate_if([&](const arch_rate& x) {
               return x.arch == fam && x.prec == p && x.unit == u;
           }).flops_per_clock;
}

/// Vector FLOPs per clock per CU/SM of `p` without packed math (what v_fma_f32 reaches on
/// CDNA2+). 0 when there is no vector unit for `p`. Throws invalid_argument for unknown arch.
constexpr double unpacked_flops_per_clock(std::string_view arch, precision p) {
    const std::string_view fam = arch_family(arch);
    if (fam.empty()) detail::fail_unknown_arch("aaco::unpacked_flops_per_clock", arch);
    return detail::find_rate_if([&](const arch_rate& x) {
               return x.arch == fam && x.prec == p && x.unit == compute_unit::vector;
           }).unpacked_flops_per_clock;
}

/// Peak TFLOP/s = `compute_units` x flops_per_clock(arch, p, u) x `clock_mhz`; 0 when the
/// hardware has no such unit. Throws invalid_argument for an unknown arch or a unit count or
/// clock that is not finite and > 0.
constexpr double theoretical_peak_tflops(std::string_view arch, int compute_units,
                                         double clock_mhz, precision p, compute_unit u) {
    if (compute_units <= 0)
        detail::fail_argument("aaco::theoretical_peak_tflops", "compute_units", "> 0",
                              compute_units);
    detail::require_positive(clock_mhz, "aaco::theoretical_peak_tflops", "clock_mhz");
    return tflops_from_clock(flops_per_clock(arch, p, u), compute_units, clock_mhz);
}

/// Peak of a device at its reported max clock (`max_clock_mhz`). On Hopper that clock (1980
/// MHz) is above the 1830 MHz that the datasheet's tensor figures assume; the result is the
/// peak at the clock given, not the datasheet figure.
inline double theoretical_peak_tflops(const device_info& dev, precision p, compute_unit u) {
    return theoretical_peak_tflops(dev.arch, dev.compute_units, dev.max_clock_mhz, p, u);
}

// =============================================================================================
// Best-rate MFMA instructions (AMD)
// =============================================================================================

/// SIMDs per CDNA compute unit; each has its own matrix core, so a CU issues 4 MFMAs at once.
inline constexpr int simds_per_cu = 4;

/// The best-rate MFMA of one precision on one CDNA architecture.
struct mfma_instruction {
    std::string_view arch;     ///< family, as in arch_rate_table
    precision prec;
    /// The clang builtin aaco's kernels call for it (arch/amd/mfma.hpp).
    std::string_view builtin;
    /// The instruction that builtin compiles to on this arch, as LLVM prints it: what hipcc 5.2
    /// (gfx908, gfx90a, gfx940) and clang-22 (gfx908, gfx90a, gfx942, gfx950) emit, checked by
    /// tests/isa/isa_amd_mfma.sh. CDNA3/CDNA4 spell most names with '_' before the type.
    std::string_view mnemonic;
    int m, n, k;               ///< the block shape (one block)
    double flops;              ///< FLOPs per instruction per wave = 2 m n k
    int cycles;                ///< cycles per instruction on one SIMD
};

/// Best-rate MFMA per arch (design.md section 5; AMD matrix instruction calculator for CDNA1-3,
/// the CDNA3/CDNA4 ISA guides). flops / cycles x simds_per_cu equals the arch_rate_table figure.
inline constexpr std::array<mfma_instruction, 22> mfma_table = {{
    {"gfx908", precision::fp16, "__builtin_amdgcn_mfma_f32_32x32x8f16", "v_mfma_f32_32x32x8f16", 32, 32, 8, 16384, 64},
    {"gfx908", precision::bf16, "__builtin_amdgcn_mfma_f32_32x32x4bf16", "v_mfma_f32_32x32x4bf16", 32, 32, 4, 8192, 64},
    {"gfx908", precision::int8, "__builtin_amdgcn_mfma_i32_32x32x8i8", "v_mfma_i32_32x32x8i8", 32, 32, 8, 16384, 64},
    {"gfx908", precision::fp32, "__builtin_amdgcn_mfma_f32_32x32x2f32", "v_mfma_f32_32x32x2f32", 32, 32, 2, 4096, 64},
    {"gfx90a", precision::fp16, "__builtin_amdgcn_mfma_f32_32x32x8f16", "v_mfma_f32_32x32x8f16", 32, 32, 8, 16384, 64},
    {"gfx90a", precision::bf16, "__builtin_amdgcn_mfma_f32_32x32x8bf16_1k", "v_mfma_f32_32x32x8bf16_1k", 32, 32, 8, 16384, 64},
    {"gfx90a", precision::int8, "__builtin_amdgcn_mfma_i32_32x32x8i8", "v_mfma_i32_32x32x8i8", 32, 32, 8, 16384, 64},
    {"gfx90a", precision::fp32, "__builtin_amdgcn_mfma_f32_32x32x2f32", "v_mfma_f32_32x32x2f32", 32, 32, 2, 4096, 64},
    {"gfx90a", precision::fp64, "__builtin_amdgcn_mfma_f64_16x16x4f64", "v_mfma_f64_16x16x4f64", 16, 16, 4, 2048, 32},
    // gfx940 dropped the old bf16 and i8 32x32x8 forms.
    {"gfx94x", precision::fp16, "__builtin_amdgcn_mfma_f32_32x32x8f16", "v_mfma_f32_32x32x8_f16", 32, 32, 8, 16384, 32},
    {"gfx94x", precision::bf16, "__builtin_amdgcn_mfma_f32_32x32x8bf16_1k", "v_mfma_f32_32x32x8_bf16", 32, 32, 8, 16384, 32},
    {"gfx94x", precision::int8, "__builtin_amdgcn_mfma_i32_32x32x16_i8", "v_mfma_i32_32x32x16_i8", 32, 32, 16, 32768, 32},
    {"gfx94x", precision::fp8, "__builtin_amdgcn_mfma_f32_32x32x16_fp8_fp8", "v_mfma_f32_32x32x16_fp8_fp8", 32, 32, 16, 32768, 32},
    {"gfx94x", precision::tf32, "__builtin_amdgcn_mfma_f32_32x32x4_xf32", "v_mfma_f32_32x32x4_xf32", 32, 32, 4, 8192, 32},
    {"gfx94x", precision::fp32, "__builtin_amdgcn_mfma_f32_32x32x2f32", "v_mfma_f32_32x32x2_f32", 32, 32, 2, 4096, 64},
    {"gfx94x", precision::fp64, "__builtin_amdgcn_mfma_f64_16x16x4f64", "v_mfma_f64_16x16x4_f64", 16, 16, 4, 2048, 32},
    {"gfx950", precision::fp16, "__builtin_amdgcn_mfma_f32_32x32x16_f16", "v_mfma_f32_32x32x16_f16", 32, 32, 16, 32768, 32},
    {"gfx950", precision::bf16, "__builtin_amdgcn_mfma_f32_32x32x16_bf16", "v_mfma_f32_32x32x16_bf16", 32, 32, 16, 32768, 32},
    {"gfx950", precision::int8, "__builtin_amdgcn_mfma_i32_32x32x32_i8", "v_mfma_i32_32x32x32_i8", 32, 32, 32, 65536, 32},
    // The scaled form with unit scales (E8M0 127 = 2^0): LLVM exposes f8f6f4 only through the
    // scaled builtin. The 64 cycles are those of the plain v_mfma_f32_32x32x64_f8f6f4 in the
    // CDNA4 ISA guide; nothing here shows that the scaled form issues at that rate (no gfx950
    // hardware was reachable), so the fp8 ceiling on gfx950 rests on that assumption.
    {"gfx950", precision::fp8, "__builtin_amdgcn_mfma_scale_f32_32x32x64_f8f6f4", "v_mfma_scale_f32_32x32x64_f8f6f4", 32, 32, 64, 131072, 64},
    {"gfx950", precision::fp32, "__builtin_amdgcn_mfma_f32_32x32x2f32", "v_mfma_f32_32x32x2_f32", 32, 32, 2, 4096, 64},
    {"gfx950", precision::fp64, "__builtin_amdgcn_mfma_f64_16x16x4f64", "v_mfma_f64_16x16x4_f64", 16, 16, 4, 2048, 64},
}};

/// The best-rate MFMA of `p` on `arch`, or nullptr (no such matrix unit, or not an AMD arch).
/// Throws invalid_argument for an unknown arch.
constexpr const mfma_instruction* best_mfma(std::string_view arch, precision p) {
    const std::string_view fam = arch_family(arch);
    if (fam.empty()) detail::fail_unknown_arch("aaco::best_mfma", arch);
    for (const mfma_instruction& i : mfma_table)
        if (i.arch == fam && i.prec == p) return &i;
    return nullptr;
}

// =============================================================================================
// Datasheet profiles
// =============================================================================================

/// One printed peak of a product: a precision on a unit, dense.
struct peak_figure {
    precision prec = precision::fp32;
    compute_unit unit = compute_unit::vector;
    double tflops = 0;       ///< per package, as printed (TOPS for int8)
    double clock_mhz = 0;    ///< the engine clock the printed figure assumes
    bool packed = false;     ///< a vector figure reached only with packed math (v_pk_fma_f32)
};

/// Most figures any row has (fp64 x2, fp32 x3, tf32, fp16, bf16, int8, fp8).
inline constexpr std::size_t max_peak_figures = 10;

/// The datasheet facts of one product. See the file comment for package vs device.
struct profile {
    std::string_view key;          ///< lookup key: "mi300x", "h100-sxm", ...
    std::string_view name;         ///< marketing name as the runtime reports it
    std::string_view vendor;       ///< "AMD" or "NVIDIA"
    std::string_view arch;         ///< "gfx942", "sm_90", ...
    int devices_per_package;       ///< runtime devices per package (MI250X: 2 GCDs)
    int package_compute_units;     ///< CUs/SMs per package, as printed
    double clock_mhz;              ///< peak engine clock (vendor's boost clock)
    double hbm_gbps;               ///< peak HBM bandwidth per package, GB/s
    std::uint64_t l2_bytes;        ///< L2 per device, all partitions together
    int l2_partitions;             ///< L2 slices a working set should fit one of (XCDs on MI300)
    std::uint64_t llc_bytes;       ///< last-level cache behind L2 (Infinity Cache), 0 if none
    std::uint64_t shared_bytes_per_unit; ///< LDS / shared memory per CU/SM, max configurable
    std::array<peak_figure, max_peak_figures> figures; ///< printed peaks, per package
    std::size_t figure_count;      ///< valid entries of `figures`
    std::string_view source;       ///< documents the row's figures come from
    std::string_view notes;        ///< caveats (clocks, packing, rounding)

    /// CUs/SMs of one runtime device.
    constexpr int compute_units() const { return package_compute_units / devices_per_package; }
    /// HBM bandwidth of one runtime device, GB/s.
    constexpr double device_hbm_gbps() const { return hbm_gbps / devices_per_package; }

    /// The printed figure of `p` on `u`: with `packed`, the packed-math vector figure;
    /// without, the plain one. nullptr when the row has none.
    constexpr const peak_figure* find(precision p, compute_unit u, bool packed = false) const {
        for (std::size_t i = 0; i < figure_count; ++i)
            if (figures[i].prec == p && figures[i].unit == u && figures[i].packed == packed)
                return &figures[i];
        return nullptr;
    }
    /// The best printed figure of `p` on `u` (packed if faster), or nullptr.
    constexpr const peak_figure* best(precision p, compute_unit u) const {
        const peak_figure* b = nullptr;
        for (std::size_t i = 0; i < figure_count; ++i)
            if (figures[i].prec == p && figures[i].unit == u &&
                (!b || figures[i].tflops > b->tflops))
                b = &figures[i];
        return b;
    }
    /// Best peak of `p` on `u` per package, TFLOP/s; 0 when the hardware has no such unit.
    constexpr double package_tflops(precision p, compute_unit u) const {
        // best()'s figure, read without comparing its address with nullptr: g++ 12 cannot fold
        // that comparison under -fsanitize=null, which would make this non-constant.
        double tflops = 0.0;
        for (std::size_t i = 0; i < figure_count; ++i)
            if (figures[i].prec == p && figures[i].unit == u && figures[i].tflops > tflops)
                tflops = figures[i].tflops;
        return tflops;
    }
    /// Best peak of `p` on `u` per runtime device, TFLOP/s; 0 when there is no such unit.
    constexpr double tflops(precision p, compute_unit u) const {
        return package_tflops(p, u) / devices_per_package;
    }
    /// Best peak of `p` on either unit per runtime device; 0 when there is none.
    constexpr double tflops(precision p) const {
        const double m = tflops(p, compute_unit::matrix);
        const double v = tflops(p, compute_unit::vector);
        return m > v ? m : v;
    }
};

namespace detail {
constexpr peak_figure peak_vec(precision p, double tflops, double mhz) {
    return {p, compute_unit::vector, tflops, mhz, false};
}
constexpr peak_figure peak_vec_packed(precision p, double tflops, double mhz) {
    return {p, compute_unit::vector, tflops, mhz, true};
}
constexpr peak_figure peak_mat(precision p, double tflops, double mhz) {
    return {p, compute_unit::matrix, tflops, mhz, false};
}
} // namespace detail

// Row layout: key, runtime name, vendor, arch, devices per package, CUs per package, boost
// clock MHz, HBM GB/s per package, L2 bytes per device, L2 partitions, LLC bytes, LDS/shared
// bytes per CU/SM, {printed peaks: precision, TFLOP/s per package, clock MHz it assumes},
// number of peaks, source, notes.
/// The datasheet table (design.md section 5). Figures are dense, per package, as printed
/// (NVIDIA rows use the Hopper/Ampere white papers' unrounded figures: the H100 datasheet's
/// "34 / 67" FP64 and "67" FP32 are 33.5 / 66.9 and 66.9 rounded).
inline constexpr std::array<profile, 11> profile_table = {{
    {"mi100", "AMD Instinct MI100", "AMD", "gfx908", 1, 120, 1502, 1228.8, 8 * mib, 1, 0,
     64 * kib,
     {{detail::peak_vec(precision::fp64, 11.5, 1502),
       detail::peak_vec(precision::fp32, 23.1, 1502),
       detail::peak_mat(precision::fp32, 46.1, 1502),
       detail::peak_mat(precision::fp16, 184.6, 1502),
       detail::peak_mat(precision::bf16, 92.3, 1502),
       detail::peak_mat(precision::int8, 184.6, 1502)}},
     6, "AMD Instinct MI100 datasheet; AMD CDNA white paper; AMD matrix instruction calculator",
     "No FP64 matrix and no packed FP32 on CDNA1; BF16 matrix runs at half the FP16 rate."},

    {"mi210", "AMD Instinct MI210", "AMD", "gfx90a", 1, 104, 1700, 1638.4, 8 * mib, 1, 0,
     64 * kib,
     {{detail::peak_vec(precision::fp64, 22.6, 1700),
       detail::peak_mat(precision::fp64, 45.3, 1700),
       detail::peak_vec(precision::fp32, 22.6, 1700),
       detail::peak_vec_packed(precision::fp32, 45.3, 1700),
       detail::peak_mat(precision::fp32, 45.3, 1700),
       detail::peak_mat(precision::fp16, 181.0, 1700),
       detail::peak_mat(precision::bf16, 181.0, 1700),
       detail::peak_mat(precision::int8, 181.0, 1700)}},
     8, "AMD Instinct MI210 datasheet; AMD CDNA2 white paper; AMD matrix instruction calculator",
     "FP32 vector is 22.6 plain and 45.3 with packed FP32 (v_pk_fma_f32)."},

    {"mi250x", "AMD Instinct MI250X", "AMD", "gfx90a", 2, 220, 1700, 3276.8, 8 * mib, 1, 0,
     64 * kib,
     {{detail::peak_vec(precision::fp64, 47.9, 1700),
       detail::peak_mat(precision::fp64, 95.7, 1700),
       detail::peak_vec(precision::fp32, 47.9, 1700),
       detail::peak_vec_packed(precision::fp32, 95.7, 1700),
       detail::peak_mat(precision::fp32, 95.7, 1700),
       detail::peak_mat(precision::fp16, 383.0, 1700),
       detail::peak_mat(precision::bf16, 383.0, 1700),
       detail::peak_mat(precision::int8, 383.0, 1700)}},
     8, "AMD Instinct MI250X datasheet; AMD CDNA2 white paper; AMD matrix instruction calculator",
     "Package of 2 GCDs (figures printed for both); the runtime shows each GCD as a device with "
     "110 CUs, half the peaks and 1638.4 GB/s. L2 is 8 MB per GCD. MI250 (non-X, 208 CUs) is a "
     "different part that ROCm may also name 'MI250X/MI250': tell them apart by CU count."},

    {"mi300a", "AMD Instinct MI300A", "AMD", "gfx942", 1, 228, 2100, 5324.8, 24 * mib, 6,
     256 * mib, 64 * kib,
     {{detail::peak_vec(precision::fp64, 61.3, 2100),
       detail::peak_mat(precision::fp64, 122.6, 2100),
       detail::peak_vec(precision::fp32, 61.3, 2100),
       detail::peak_vec_packed(precision::fp32, 122.6, 2100),
       detail::peak_mat(precision::fp32, 122.6, 2100),
       detail::peak_mat(precision::tf32, 490.3, 2100),
       detail::peak_mat(precision::fp16, 980.6, 2100),
       detail::peak_mat(precision::bf16, 980.6, 2100),
       detail::peak_mat(precision::int8, 1961.2, 2100),
       detail::peak_mat(precision::fp8, 1961.2, 2100)}},
     10, "AMD Instinct MI300A datasheet; AMD CDNA3 white paper; AMD matrix instruction calculator",
     "APU: 6 XCDs (4 MB L2 each) share the HBM with the CPU dies; 256 MB Infinity Cache. FP32 "
     "122.6 needs packed FP32 (61.3 plain). TF32 column is XF32. FP8 is the FNUZ variant."},

    {"mi300x", "AMD Instinct MI300X", "AMD", "gfx942", 1, 304, 2100, 5324.8, 32 * mib, 8,
     256 * mib, 64 * kib,
     {{detail::peak_vec(precision::fp64, 81.7, 2100),
       detail::peak_mat(precision::fp64, 163.4, 2100),
       detail::peak_vec(precision::fp32, 81.7, 2100),
       detail::peak_vec_packed(precision::fp32, 163.4, 2100),
       detail::peak_mat(precision::fp32, 163.4, 2100),
       detail::peak_mat(precision::tf32, 653.7, 2100),
       detail::peak_mat(precision::fp16, 1307.4, 2100),
       detail::peak_mat(precision::bf16, 1307.4, 2100),
       detail::peak_mat(precision::int8, 2614.9, 2100),
       detail::peak_mat(precision::fp8, 2614.9, 2100)}},
     10, "AMD Instinct MI300X datasheet; AMD CDNA3 white paper; AMD matrix instruction calculator",
     "8 XCDs x 4 MB L2 (the runtime reports one XCD's 4 MB); 256 MB Infinity Cache, 17.2 TB/s "
     "peak per the CDNA3 white paper. FP32 163.4 needs packed FP32 (81.7 plain); 653.7 is the "
     "XF32 matrix rate, not FP32. FP8 is the FNUZ variant."},

    {"mi325x", "AMD Instinct MI325X", "AMD", "gfx942", 1, 304, 2100, 6000, 32 * mib, 8,
     256 * mib, 64 * kib,
     {{detail::peak_vec(precision::fp64, 81.7, 2100),
       detail::peak_mat(precision::fp64, 163.4, 2100),
       detail::peak_vec(precision::fp32, 81.7, 2100),
       detail::peak_vec_packed(precision::fp32, 163.4, 2100),
       detail::peak_mat(precision::fp32, 163.4, 2100),
       detail::peak_mat(precision::tf32, 653.7, 2100),
       detail::peak_mat(precision::fp16, 1307.4, 2100),
       detail::peak_mat(precision::bf16, 1307.4, 2100),
       detail::peak_mat(precision::int8, 2614.9, 2100),
       detail::peak_mat(precision::fp8, 2614.9, 2100)}},
     10, "AMD Instinct MI325X datasheet; AMD CDNA3 white paper; AMD matrix instruction calculator",
     "Same compute and caches as MI300X; HBM3E at 6 TB/s."},

    {"mi355x", "AMD Instinct MI355X", "AMD", "gfx950", 1, 256, 2400, 8000, 32 * mib, 8,
     256 * mib, 160 * kib,
     {{detail::peak_vec(precision::fp64, 78.6, 2400),
       detail::peak_mat(precision::fp64, 78.6, 2400),
       detail::peak_vec(precision::fp32, 78.6, 2400),
       detail::peak_vec_packed(precision::fp32, 157.3, 2400),
       detail::peak_mat(precision::fp32, 157.3, 2400),
       detail::peak_mat(precision::fp16, 2500, 2400),
       detail::peak_mat(precision::bf16, 2500, 2400),
       detail::peak_mat(precision::int8, 5000, 2400),
       detail::peak_mat(precision::fp8, 5000, 2400)}},
     9, "AMD Instinct MI355X datasheet; AMD CDNA4 white paper; AMD CDNA4 ISA guide",
     "FP16/BF16 2.5 PF and INT8/FP8 5 PF are AMD's rounded figures (CUs x rate x clock gives "
     "2516.6 and 5033.2). No XF32 on CDNA4. FP8 is the OCP variant. 8 XCDs x 4 MB L2, 256 MB "
     "Infinity Cache, 160 KB LDS per CU."},

    {"a100-sxm", "NVIDIA A100-SXM4-80GB", "NVIDIA", "sm_80", 1, 108, 1410, 2039, 40 * mib, 2, 0,
     164 * kib,
     {{detail::peak_vec(precision::fp64, 9.7, 1410),
       detail::peak_mat(precision::fp64, 19.5, 1410),
       detail::peak_vec(precision::fp32, 19.5, 1410),
       detail::peak_mat(precision::tf32, 156, 1410),
       detail::peak_mat(precision::fp16, 312, 1410),
       detail::peak_mat(precision::bf16, 312, 1410),
       detail::peak_mat(precision::int8, 624, 1410)}},
     7, "NVIDIA A100 datasheet; NVIDIA A100 (Ampere GA100) white paper",
     "All figures at the 1410 MHz boost clock. 80 GB SXM4 part only: the 40 GB and PCIe parts "
     "have lower HBM bandwidth and are not matched."},

    {"h100-sxm", "NVIDIA H100 80GB HBM3", "NVIDIA", "sm_90", 1, 132, 1980, 3352, 50 * mib, 2, 0,
     228 * kib,
     {{detail::peak_vec(precision::fp64, 33.5, 1980),
       detail::peak_mat(precision::fp64, 66.9, 1980),
       detail::peak_vec(precision::fp32, 66.9, 1980),
       detail::peak_mat(precision::tf32, 494.7, 1830),
       detail::peak_mat(precision::fp16, 989.4, 1830),
       detail::peak_mat(precision::bf16, 989.4, 1830),
       detail::peak_mat(precision::int8, 1978.9, 1830),
       detail::peak_mat(precision::fp8, 1978.9, 1830)}},
     8, "NVIDIA H100 datasheet; NVIDIA H100 (Hopper GH100) white paper",
     "Tensor peaks (TF32/FP16/BF16/INT8/FP8) assume 1830 MHz; FP64 (vector and tensor) and FP32 "
     "assume the 1980 MHz boost. The datasheet rounds FP64 to 34 / 67 and FP32 to 67. L2 is two "
     "25 MB partitions."},

    {"h100-pcie", "NVIDIA H100 PCIe", "NVIDIA", "sm_90", 1, 114, 1755, 2039, 50 * mib, 2, 0,
     228 * kib,
     {{detail::peak_vec(precision::fp64, 25.6, 1755),
       detail::peak_mat(precision::fp64, 51.2, 1755),
       detail::peak_vec(precision::fp32, 51.2, 1755),
       detail::peak_mat(precision::tf32, 378, 1620),
       detail::peak_mat(precision::fp16, 756.5, 1620),
       detail::peak_mat(precision::bf16, 756.5, 1620),
       detail::peak_mat(precision::int8, 1513, 1620),
       detail::peak_mat(precision::fp8, 1513, 1620)}},
     8, "NVIDIA H100 datasheet; NVIDIA H100 (Hopper GH100) white paper",
     "FP64/FP32 assume the 1755 MHz boost; the tensor figures imply 1620 MHz (4096 x 114 x "
     "1620 MHz = 756.5). The datasheet rounds FP64 to 26 / 51 and FP32 to 51."},

    // L2: 60 MiB, not the H100's 50. NVIDIA's H200 datasheet prints no L2 size; the runtime
    // reports l2CacheSize = 62914560 B (60 MiB) on the H200 (the GPU machine's notes, KINDS.md,
    // 2026-10-28: "60 MB of L2"; benchmarks/RESULTS.md's card), the full GH100 L2. The H100 SXM5
    // row's 50 MB is the H100 datasheet's and the Hopper white paper's.
    {"h200-sxm", "NVIDIA H200", "NVIDIA", "sm_90", 1, 132, 1980, 4800, 60 * mib, 2, 0,
     228 * kib,
     {{detail::peak_vec(precision::fp64, 33.5, 1980),
       detail::peak_mat(precision::fp64, 66.9, 1980),
       detail::peak_vec(precision::fp32, 66.9, 1980),
       detail::peak_mat(precision::tf32, 494.7, 1830),
       detail::peak_mat(precision::fp16, 989.4, 1830),
       detail::peak_mat(precision::bf16, 989.4, 1830),
       detail::peak_mat(precision::int8, 1978.9, 1830),
       detail::peak_mat(precision::fp8, 1978.9, 1830)}},
     8, "NVIDIA H200 datasheet; NVIDIA H100 (Hopper GH100) white paper",
     "Same GH100 compute and clocks as H100 SXM5 (tensor at 1830 MHz, FP64/FP32 at 1980 MHz; the "
     "datasheet rounds to 34 / 67 / 67); 141 GB HBM3e at 4.8 TB/s. L2 is 60 MiB in two "
     "partitions, as the runtime reports it (the datasheet gives no L2 size)."},
}};

namespace detail {
/// Each row's first `figure_count` peaks are filled (> 0, with a clock), the rest are empty,
/// the unit count divides evenly into devices, and keys are unique.
constexpr bool profile_table_consistent() {
    for (std::size_t r = 0; r < profile_table.size(); ++r) {
        const profile& p = profile_table[r];
        if (p.figure_count > max_peak_figures || p.devices_per_package < 1 ||
            p.package_compute_units % p.devices_per_package != 0 || p.clock_mhz <= 0 ||
            p.hbm_gbps <= 0 || p.l2_bytes == 0 || p.l2_partitions < 1)
            return false;
        for (std::size_t i = 0; i < max_peak_figures; ++i) {
            const bool filled = p.figures[i].tflops > 0 && p.figures[i].clock_mhz > 0;
            if (filled != (i < p.figure_count)) return false;
        }
        for (std::size_t q = 0; q < r; ++q)
            if (profile_table[q].key == p.key) return false;
    }
    return true;
}
} // namespace detail
static_assert(detail::profile_table_consistent(),
              "profile_table: a row's figure_count, units or key is wrong");

/// Every datasheet profile.
constexpr const std::array<profile, 11>& list_profiles() { return profile_table; }

namespace detail {

/// How a runtime's device name maps to a profile key: the name must contain the token
/// `token`, also `also` when given, and none of `unless`.
struct name_rule {
    std::string_view token;
    std::string_view also;
    std::array<std::string_view, 2> unless;
    std::string_view key;
};

/// First match wins. Names seen from runtimes: "AMD Instinct MI300X", "AMD Instinct
/// MI250X/MI250", "NVIDIA A100-SXM4-80GB", "NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe",
/// "NVIDIA H200". Parts with other clocks or bandwidth (A100 40GB/PCIe, H100 NVL, H200 NVL,
/// GH200) are deliberately left unmatched rather than given a wrong profile.
inline constexpr std::array<name_rule, 11> name_rules = {{
    {"mi100", "", {{"", ""}}, "mi100"},
    {"mi210", "", {{"", ""}}, "mi210"},
    {"mi250x", "", {{"", ""}}, "mi250x"},
    {"mi300a", "", {{"", ""}}, "mi300a"},
    {"mi300x", "", {{"", ""}}, "mi300x"},
    {"mi325x", "", {{"", ""}}, "mi325x"},
    {"mi355x", "", {{"", ""}}, "mi355x"},
    {"a100", "", {{"pcie", "40gb"}}, "a100-sxm"},
    {"h100", "pcie", {{"", ""}}, "h100-pcie"},
    {"h100", "", {{"pcie", "nvl"}}, "h100-sxm"},
    {"h200", "", {{"nvl", ""}}, "h200-sxm"},
}};

/// The index of "no profile" in the lookups below.
inline constexpr std::size_t no_profile = profile_table.size();

constexpr std::size_t profile_index_by_key(std::string_view key) {
    for (std::size_t i = 0; i < profile_table.size(); ++i)
        if (profile_table[i].key == key) return i;
    return no_profile;
}

inline std::string known_profile_keys() {
    std::string s;
    for (const profile& p : profile_table) s += (s.empty() ? "" : ", ") + std::string(p.key);
    return s;
}

/// The row of profile_table that `name` names (see try_find_profile), or no_profile. An index,
/// not a pointer, so that find_profile stays a constant expression under g++ 12's
/// -fsanitize=null (which implies -fno-delete-null-pointer-checks, under which g++ does not fold
/// a comparison of a table row's address with nullptr).
constexpr std::size_t find_profile_index(std::string_view name) {
    for (std::size_t i = 0; i < profile_table.size(); ++i)
        if (iequals(profile_table[i].key, name)) return i;
    for (const name_rule& r : name_rules) {
        if (!has_token(name, r.token)) continue;
        if (!r.also.empty() && !has_token(name, r.also)) continue;
        bool excluded = false;
        for (std::string_view u : r.unless)
            if (!u.empty() && has_token(name, u)) excluded = true;
        if (!excluded) return profile_index_by_key(r.key);
    }
    return no_profile;
}

[[noreturn]] inline void fail_unknown_profile(std::string_view name) {
    throw invalid_argument("aaco::find_profile: no datasheet profile for '" + std::string(name) +
                           "' (known keys: " + known_profile_keys() +
                           "; runtime names such as 'AMD Instinct MI300X' or 'NVIDIA H100 80GB "
                           "HBM3' are accepted; also h100, h200, a100)");
}

} // namespace detail

/// The profile for a key ("mi300x", "h100-sxm"), a short alias ("h100", "h200", "a100") or a
/// marketing name as the runtime reports it ("AMD Instinct MI300X", "NVIDIA H100 80GB HBM3"),
/// case-insensitive; nullptr when none matches.
constexpr const profile* try_find_profile(std::string_view name) {
    const std::size_t i = detail::find_profile_index(name);
    return i == detail::no_profile ? nullptr : &profile_table[i];
}

/// True when `name` is a profile key itself ("h100-sxm"), case-insensitive.
constexpr bool is_profile_key(const profile& p, std::string_view name) {
    return detail::iequals(p.key, name);
}

/// The model tokens of the runtime-name rules that `name` contains ("mi300x", "mi100"): more than
/// one means the name names several cards.
inline std::vector<std::string> profile_model_tokens(std::string_view name) {
    std::vector<std::string> out;
    for (const detail::name_rule& r : detail::name_rules)
        if (detail::has_token(name, r.token) &&
            std::find(out.begin(), out.end(), std::string(r.token)) == out.end())
            out.emplace_back(r.token);
    return out;
}

/// As try_find_profile, but throws invalid_argument listing the known keys when none matches.
constexpr const profile& find_profile(std::string_view name) {
    const std::size_t i = detail::find_profile_index(name);
    if (i == detail::no_profile) detail::fail_unknown_profile(name);
    return profile_table[i];
}

/// The profile of a device found at run time, or nullptr. Matches the name first, then
/// requires the arch family and the CU count to agree when the device reports them, so that a
/// partitioned MI300X (CPX mode: 38 CUs) or an MI250 reported as "MI250X/MI250" gets no
/// profile rather than a wrong one.
inline const profile* match_profile(const device_info& dev) {
    const profile* p = try_find_profile(dev.name);
    if (!p) return nullptr;
    if (!dev.arch.empty() && arch_family(dev.arch) != arch_family(p->arch)) return nullptr;
    if (dev.compute_units > 0 && dev.compute_units != p->compute_units()) return nullptr;
    return p;
}

/// Every profile whose arch is in the family of `arch` ("gfx942" -> MI300A, MI300X, MI325X).
/// Empty for an arch aaco does not know.
inline std::vector<const profile*> profiles_for_arch(std::string_view arch) {
    std::vector<const profile*> out;
    const std::string_view fam = arch_family(arch);
    if (fam.empty()) return out;
    for (const profile& p : profile_table)
        if (arch_family(p.arch) == fam) out.push_back(&p);
    return out;
}

/// An envelope holding a profile's datasheet figures for one runtime device:
/// source = datasheet, one compute figure per (precision, unit) with the best printed peak
/// (packed FP32 where printed), one HBM figure, and the device's name, arch, CUs, clock and
/// caches. It has no launch figure and its statistics are empty (0 samples, not stable).
inline envelope datasheet_envelope(const profile& p) {
    envelope env;
    env.source = envelope_source::datasheet;
    env.profile_key = std::string(p.key);
    env.device.name = std::string(p.name);
    env.device.vendor = std::string(p.vendor);
    env.device.arch = std::string(p.arch);
    env.device.compute_units = p.compute_units();
    env.device.max_clock_mhz = p.clock_mhz;
    env.device.l2_bytes = p.l2_bytes;
    env.device.llc_bytes = p.llc_bytes;
    env.device.shared_bytes_per_unit = p.shared_bytes_per_unit;
    for (precision prec : all_precisions)
        for (compute_unit u : {compute_unit::matrix, compute_unit::vector}) {
            const peak_figure* f = p.best(prec, u);
            if (!f) continue;
            compute_figure c;
            c.prec = prec;
            c.unit = u;
            c.tflops = f->tflops / p.devices_per_package;
            c.datasheet_tflops = c.tflops;
            c.clock_mhz = f->clock_mhz;
            c.clock_adjusted_peak_tflops =
                theoretical_peak_tflops(p.arch, p.compute_units(), f->clock_mhz, prec, u);
            c.instruction = f->packed ? "datasheet (packed math)" : "datasheet";
            env.compute.push_back(c);
        }
    memory_figure m;
    m.level = memory_level::hbm;
    m.op = stream_op::read;  // a datasheet gives one raw figure; filed under read
    m.gbps = p.device_hbm_gbps();
    m.datasheet_gbps = m.gbps;
    m.method = "datasheet";
    env.memory.push_back(m);
    return env;
}

/// datasheet_envelope(find_profile(name)).
inline envelope datasheet_envelope(std::string_view name) {
    return datasheet_envelope(find_profile(name));
}

AACO_PORTABLE_NAMESPACE_END
