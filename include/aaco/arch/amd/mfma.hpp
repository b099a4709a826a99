/// \file mfma.hpp
/// \brief AMD matrix-core (MFMA) instructions: the per-arch instruction table, the register
/// layouts of A/B/C/D, and (HIP device passes) the builtin wrappers and compile-time policies.
///
/// Two halves:
///  - The **table** (`mfma_table`, `mfma_instruction`, layout functions) is plain constexpr
///    C++17. Any compiler can use it; the runners use it on the host for FLOP counts, the
///    method name, operand packing and the verify reference. Its facts (builtin, mnemonic,
///    shape, cycles) are model/profiles.hpp's `mfma_table`, the one list of them; this file adds
///    the element encodings and the register layouts.
///  - The **policies** (`mfma_policy<P, F>`) exist only under `AACO_BACKEND_HIP`. Each carries
///    the operand/accumulator vector types and a `mma(a, b, c)` that calls the builtin. A
///    builtin is only spelled inside `#if AACO_ARCH_GFX*_ENABLED` for the archs that have it; in
///    every other pass (host, other archs) `mma` returns `c` and is never reached, because the
///    kernel records "no compiled path" instead (kernels/amd/detail/common.hpp).
///
/// Best-rate instruction per precision and arch (design.md section 5). FLOPs are per
/// instruction per wave (2*M*N*K), cycles per instruction on one SIMD, 4 SIMDs per CU:
///
/// (builtin suffix after __builtin_amdgcn_mfma_, cycles per instruction per SIMD; "-" = no such
/// instruction; gfx94x/gfx950 print most mnemonics with '_' before the type, e.g.
/// f32_32x32x8f16 -> v_mfma_f32_32x32x8_f16)
///
/// | prec | gfx908               | gfx90a                  | gfx94x                     | gfx950                       |
/// |------|----------------------|-------------------------|----------------------------|------------------------------|
/// | fp16 | f32_32x32x8f16 64    | f32_32x32x8f16 64       | f32_32x32x8f16 32          | f32_32x32x16_f16 32          |
/// | bf16 | f32_32x32x4bf16 64   | f32_32x32x8bf16_1k 64   | f32_32x32x8bf16_1k 32      | f32_32x32x16_bf16 32         |
/// | int8 | i32_32x32x8i8 64     | i32_32x32x8i8 64        | i32_32x32x16_i8 32         | i32_32x32x32_i8 32           |
/// | fp8  | -                    | -                       | f32_32x32x16_fp8_fp8 32    | scale_f32_32x32x64_f8f6f4 64 |
/// | tf32 | -                    | -                       | f32_32x32x4_xf32 32        | -                            |
/// | fp32 | f32_32x32x2f32 64    | f32_32x32x2f32 64       | f32_32x32x2f32 64          | f32_32x32x2f32 64            |
/// | fp64 | -                    | f64_16x16x4f64 32       | f64_16x16x4f64 32          | f64_16x16x4f64 64            |
///
/// Compiled here: gfx908, gfx90a and gfx940 by hipcc 5.2 (the hip preset); gfx908, gfx90a,
/// gfx942 and gfx950 device-only by clang-22. tests/isa/isa_amd_mfma.sh checks that each
/// compiler emits exactly these instructions in the loop. None of it has run on AMD hardware.
///
/// gfx950 fp8: LLVM reaches f8f6f4 only through the scaled builtin, so the kernel issues
/// v_mfma_scale_f32_32x32x64_f8f6f4 with unit scales (E8M0 127 = 2^0). Its 64 cycles are those
/// the CDNA4 ISA guide gives the plain v_mfma_f32_32x32x64_f8f6f4; nothing here shows that the
/// scaled form issues at that rate.
#pragma once
#include <aaco/config.hpp>
#include <aaco/model/precision.hpp>
#include <aaco/model/profiles.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

AACO_NAMESPACE_BEGIN
namespace arch {
namespace amd {

/// CDNA generations that have MFMA. gfx940, gfx941 and gfx942 (MI300) share one ISA.
enum class gfx_family { unknown, gfx908, gfx90a, gfx94x, gfx950 };

constexpr std::string_view to_string(gfx_family f) {
    switch (f) {
    case gfx_family::gfx908: return "gfx908";
    case gfx_family::gfx90a: return "gfx90a";
    case gfx_family::gfx94x: return "gfx94x";
    case gfx_family::gfx950: return "gfx950";
    case gfx_family::unknown: break;
    }
    return "unknown";
}

/// Maps a runtime arch name ("gfx942", or HIP's "gfx90a:sramecc+:xnack-") to its family;
/// `unknown` for everything else (RDNA, NVIDIA, empty).
constexpr gfx_family parse_gfx_family(std::string_view arch) {
    const std::size_t colon = arch.find(':');
    const std::string_view base = colon == std::string_view::npos ? arch : arch.substr(0, colon);
    if (base == "gfx908") return gfx_family::gfx908;
    if (base == "gfx90a") return gfx_family::gfx90a;
    if (base == "gfx940" || base == "gfx941" || base == "gfx942") return gfx_family::gfx94x;
    if (base == "gfx950") return gfx_family::gfx950;
    return gfx_family::unknown;
}

/// SIMDs per CU on every CDNA generation: a CU's rate is 4x one SIMD's.
inline constexpr int simds_per_cu = 4;
/// Lanes per wavefront on CDNA.
inline constexpr int wave_lanes = 64;

/// How one matrix element is encoded in a register.
enum class mfma_element {
    f64, f32,
    xf32,          ///< fp32 storage; the unit rounds the mantissa to 10 bits before multiplying
    f16, bf16,
    fp8_e4m3_fnuz, ///< MI300 (gfx94x) fp8: bias 8, no infinities, 0x80 is the only NaN
    fp8_e4m3_ocp,  ///< OCP E4M3 (gfx950 f8f6f4 with cbsz/blgp = 0): bias 7
    i8, i32
};

constexpr std::size_t element_bytes(mfma_element e) {
    switch (e) {
    case mfma_element::f64: return 8;
    case mfma_element::f32: case mfma_element::xf32: case mfma_element::i32: return 4;
    case mfma_element::f16: case mfma_element::bf16: return 2;
    case mfma_element::fp8_e4m3_fnuz: case mfma_element::fp8_e4m3_ocp: case mfma_element::i8: return 1;
    }
    return 0;
}

/// One MFMA instruction as aaco uses it: a single block (no CBSZ/ABID/BLGP broadcast), A and B
/// from VGPRs, C = D in place.
struct mfma_instruction {
    bool supported = false;         ///< false: this arch has no matrix instruction for the precision
    std::string_view mnemonic;      ///< as LLVM prints it for this arch (the ISA tests grep it)
    std::string_view builtin;       ///< the clang builtin that emits it
    int m = 0, n = 0, k = 0;        ///< D (m x n) += A (m x k) * B (k x n)
    mfma_element in = mfma_element::f32;   ///< A and B element encoding
    mfma_element acc = mfma_element::f32;  ///< C and D element encoding
    int cycles = 0;                 ///< issue cycles per instruction on one SIMD (passes x 4)

    /// A (and B) elements held by one lane: K is split over the 64/M lane groups of the wave.
    constexpr int operand_items() const { return m == 0 ? 0 : k / (wave_lanes / m); }
    /// C/D elements held by one lane.
    constexpr int accumulator_items() const { return m * n / wave_lanes; }
    /// FLOPs (int ops for i8) per instruction per wave: one multiply and one add per MAC.
    constexpr double flops_per_instruction() const { return 2.0 * m * n * k; }
    /// FLOPs per clock per CU at full issue rate: 4 SIMDs, each one instruction per `cycles`.
    constexpr double flops_per_clock_per_cu() const {
        return cycles == 0 ? 0.0 : flops_per_instruction() / cycles * simds_per_cu;
    }
};

/// How A/B and C/D elements of precision `p` are encoded on family `f`.
struct mfma_encodings {
    mfma_element in = mfma_element::f32;
    mfma_element acc = mfma_element::f32;
};

constexpr mfma_encodings mfma_encoding(precision p, gfx_family f) {
    using E = mfma_element;
    switch (p) {
    case precision::fp64: return {E::f64, E::f64};
    case precision::fp32: return {E::f32, E::f32};
    case precision::tf32: return {E::xf32, E::f32};
    case precision::fp16: return {E::f16, E::f32};
    case precision::bf16: return {E::bf16, E::f32};
    case precision::fp8: return {f == gfx_family::gfx950 ? E::fp8_e4m3_ocp : E::fp8_e4m3_fnuz, E::f32};
    case precision::int8: return {E::i8, E::i32};
    }
    return {};
}

/// The best-rate MFMA of precision `p` on family `f` (model/profiles.hpp's mfma_table, with its
/// element encodings), or an instruction with `supported == false` where the arch has none
/// (fp8/xf32 before gfx94x, fp64 on gfx908, xf32 on gfx950).
constexpr mfma_instruction mfma_table(precision p, gfx_family f) {
    if (f == gfx_family::unknown) return {};
    const ::aaco::mfma_instruction* row = best_mfma(to_string(f), p);
    if (row == nullptr) return {};
    mfma_instruction i;
    i.supported = true;
    i.mnemonic = row->mnemonic;
    i.builtin = row->builtin;
    i.m = row->m;
    i.n = row->n;
    i.k = row->k;
    const mfma_encodings e = mfma_encoding(p, f);
    i.in = e.in;
    i.acc = e.acc;
    i.cycles = row->cycles;
    return i;
}

// The table against design.md section 5 (FLOPs/clk/CU). A typo in the table fails the build.
static_assert(mfma_table(precision::fp16, gfx_family::gfx908).flops_per_clock_per_cu() == 1024, "gfx908 fp16");
static_assert(mfma_table(precision::bf16, gfx_family::gfx908).flops_per_clock_per_cu() == 512, "gfx908 bf16");
static_assert(mfma_table(precision::int8, gfx_family::gfx908).flops_per_clock_per_cu() == 1024, "gfx908 int8");
static_assert(mfma_table(precision::fp32, gfx_family::gfx908).flops_per_clock_per_cu() == 256, "gfx908 fp32");
static_assert(!mfma_table(precision::fp64, gfx_family::gfx908).supported, "gfx908 has no fp64 MFMA");
static_assert(mfma_table(precision::bf16, gfx_family::gfx90a).flops_per_clock_per_cu() == 1024, "gfx90a bf16");
static_assert(mfma_table(precision::fp64, gfx_family::gfx90a).flops_per_clock_per_cu() == 256, "gfx90a fp64");
static_assert(!mfma_table(precision::fp8, gfx_family::gfx90a).supported, "gfx90a has no fp8 MFMA");
static_assert(mfma_table(precision::fp16, gfx_family::gfx94x).flops_per_clock_per_cu() == 2048, "gfx94x fp16");
static_assert(mfma_table(precision::bf16, gfx_family::gfx94x).flops_per_clock_per_cu() == 2048, "gfx94x bf16");
static_assert(mfma_table(precision::int8, gfx_family::gfx94x).flops_per_clock_per_cu() == 4096, "gfx94x int8");
static_assert(mfma_table(precision::fp8, gfx_family::gfx94x).flops_per_clock_per_cu() == 4096, "gfx94x fp8");
static_assert(mfma_table(precision::tf32, gfx_family::gfx94x).flops_per_clock_per_cu() == 1024, "gfx94x xf32");
static_assert(mfma_table(precision::fp32, gfx_family::gfx94x).flops_per_clock_per_cu() == 256, "gfx94x fp32");
static_assert(mfma_table(precision::fp64, gfx_family::gfx94x).flops_per_clock_per_cu() == 256, "gfx94x fp64");
static_assert(mfma_table(precision::fp16, gfx_family::gfx950).flops_per_clock_per_cu() == 4096, "gfx950 fp16");
static_assert(mfma_table(precision::int8, gfx_family::gfx950).flops_per_clock_per_cu() == 8192, "gfx950 int8");
static_assert(mfma_table(precision::fp8, gfx_family::gfx950).flops_per_clock_per_cu() == 8192, "gfx950 fp8");
static_assert(mfma_table(precision::fp64, gfx_family::gfx950).flops_per_clock_per_cu() == 128, "gfx950 fp64");
static_assert(!mfma_table(precision::tf32, gfx_family::gfx950).supported, "gfx950 dropped xf32");

// ---------------------------------------------------------------------------------------------
// Register layouts (single block, no broadcast modifiers). For gfx908, gfx90a and gfx94x they
// are what AMD's matrix instruction calculator gives; it covers CDNA1-3 only, so for gfx950's
// double-K forms (32x32x16 f16/bf16, 32x32x32 i8, 32x32x64 f8f6f4) they are taken from the
// CDNA4 ISA guide's MFMA operand layouts. The functions below apply one rule to every form:
//  - A: lane l holds row l % M; its `operand_items()` consecutive K values start at
//    k = (l / M) * items. Item j sits in bits [j*w, j*w+w) of the lane's registers, i.e. at
//    byte j*w/8 of the operand vector in memory (little endian).
//  - B: the same with column n = l % N.
//  - C/D, 32-bit elements: column l % N; rows come in groups of 4 registers. Item v holds row
//    (v / 4) * (4 * G) + (l / N) * 4 + v % 4, where G = 64 / N lane groups.
//  - C/D, 64-bit elements (f64): one row per register pair and lane group: item v holds row
//    v * G + l / N.
// The runners' verify() checks these on the device, except the order of K within a lane
// group's items (kernels/amd/mfma_peak.hpp says why); no AMD device was reachable to run it.
// ---------------------------------------------------------------------------------------------

/// A matrix coordinate (row, column).
struct matrix_coord {
    int row = 0;
    int col = 0;
};

/// Which A element (row m, column k) lane `lane`, item `item` holds.
constexpr matrix_coord a_element(const mfma_instruction& i, int lane, int item) {
    return {lane % i.m, (lane / i.m) * i.operand_items() + item};
}

/// Which B element (row k, column n) lane `lane`, item `item` holds.
constexpr matrix_coord b_element(const mfma_instruction& i, int lane, int item) {
    return {(lane / i.n) * i.operand_items() + item, lane % i.n};
}

/// Which C/D element (row m, column n) lane `lane`, accumulator item `item` holds.
constexpr matrix_coord d_element(const mfma_instruction& i, int lane, int item) {
    const int groups = wave_lanes / i.n;
    const int group = lane / i.n;
    if (element_bytes(i.acc) == 8) return {item * groups + group, lane % i.n};
    return {(item / 4) * (4 * groups) + group * 4 + item % 4, lane % i.n};
}

static_assert(d_element(mfma_table(precision::fp16, gfx_family::gfx94x), 33, 5).row == 4 * 1 + 8 + 1,
              "32x32 D layout: item 5 of an upper-half lane is row 13");
static_assert(d_element(mfma_table(precision::fp64, gfx_family::gfx90a), 17, 2).row == 9,
              "16x16 f64 D layout: item 2 of lane group 1 is row 9");

} // namespace amd
} // namespace arch
AACO_NAMESPACE_END

// =============================================================================================
// Device side (HIP only): vector types, builtin wrappers, policies.
// =============================================================================================
#if AACO_BACKEND_HIP
#include <hip/hip_runtime.h>

AACO_NAMESPACE_BEGIN
namespace arch {
namespace amd {

/// clang's ext_vector_type, the operand type the MFMA builtins take.
template <class T, int N>
using ext_vector = T __attribute__((ext_vector_type(N)));

namespace detail {

// One struct per instruction: operand/accumulator types and the builtin call. The builtin is
// spelled only in passes whose arch has it; elsewhere `call` returns `c` and is unreachable
// (the kernel takes its "no compiled path" branch on those passes).

/// f32_32x32x8f16: gfx908, gfx90a, gfx94x.
struct op_f32_32x32x8f16 {
    using a_type = ext_vector<_Float16, 4>;
    using acc_type = ext_vector<float, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
#if AACO_ARCH_GFX908_ENABLED || AACO_ARCH_GFX90A_ENABLED || AACO_ARCH_GFX94X_ENABLED
        return __builtin_amdgcn_mfma_f32_32x32x8f16(a, b, c, 0, 0, 0);
#else
        (void)a; (void)b;
        return c;
#endif
    }
};

/// f32_32x32x4bf16 (the pre-"1k" form, 2 bf16 per lane as short2): gfx908.
struct op_f32_32x32x4bf16 {
    using a_type = ext_vector<short, 2>;
    using acc_type = ext_vector<float, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
#if AACO_ARCH_GFX908_ENABLED
        return __builtin_amdgcn_mfma_f32_32x32x4bf16(a, b, c, 0, 0, 0);
#else
        (void)a; (void)b;
        return c;
#endif
    }
};

/// f32_32x32x8bf16_1k (4 bf16 per lane as short4): gfx90a, gfx94x.
struct op_f32_32x32x8bf16_1k {
    using a_type = ext_vector<short, 4>;
    using acc_type = ext_vector<float, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
#if AACO_ARCH_GFX90A_ENABLED || AACO_ARCH_GFX94X_ENABLED
        return __builtin_amdgcn_mfma_f32_32x32x8bf16_1k(a, b, c, 0, 0, 0);
#else
        (void)a; (void)b;
        return c;
#endif
    }
};

/// i32_32x32x8i8 (4 int8 packed in an int): gfx908, gfx90a.
struct op_i32_32x32x8i8 {
    using a_type = int;
    using acc_type = ext_vector<int, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
#if AACO_ARCH_GFX908_ENABLED || AACO_ARCH_GFX90A_ENABLED
        return __builtin_amdgcn_mfma_i32_32x32x8i8(a, b, c, 0, 0, 0);
#else
        (void)a; (void)b;
        return c;
#endif
    }
};

/// i32_32x32x16_i8 (8 int8 packed in a long): gfx94x.
struct op_i32_32x32x16_i8 {
    using a_type = long;
    using acc_type = ext_vector<int, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
#if AACO_ARCH_GFX94X_ENABLED
        return __builtin_amdgcn_mfma_i32_32x32x16_i8(a, b, c, 0, 0, 0);
#else
        (void)a; (void)b;
        return c;
#endif
    }
};

/// f32_32x32x16_fp8_fp8 (8 FNUZ e4m3 packed in a long): gfx94x.
struct op_f32_32x32x16_fp8_fp8 {
    using a_type = long;
    using acc_type = ext_vector<float, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
#if AACO_ARCH_GFX94X_ENABLED
        return __builtin_amdgcn_mfma_f32_32x32x16_fp8_fp8(a, b, c, 0, 0, 0);
#else
        (void)a; (void)b;
        return c;
#endif
    }
};

/// f32_32x32x4_xf32 (2 fp32 per lane): gfx94x only.
struct op_f32_32x32x4_xf32 {
    using a_type = ext_vector<float, 2>;
    using acc_type = ext_vector<float, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
#if AACO_ARCH_GFX94X_ENABLED
        return __builtin_amdgcn_mfma_f32_32x32x4_xf32(a, b, c, 0, 0, 0);
#else
        (void)a; (void)b;
        return c;
#endif
    }
};

/// f32_32x32x2f32: every CDNA arch.
struct op_f32_32x32x2f32 {
    using a_type = float;
    using acc_type = ext_vector<float, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
#if AACO_ARCH_GFX908_ENABLED || AACO_ARCH_GFX90A_ENABLED || AACO_ARCH_GFX94X_ENABLED || \
    AACO_ARCH_GFX950_ENABLED
        return __builtin_amdgcn_mfma_f32_32x32x2f32(a, b, c, 0, 0, 0);
#else
        (void)a; (void)b;
        return c;
#endif
    }
};

/// f64_16x16x4f64: gfx90a, gfx94x, gfx950.
struct op_f64_16x16x4f64 {
    using a_type = double;
    using acc_type = ext_vector<double, 4>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
#if AACO_ARCH_GFX90A_ENABLED || AACO_ARCH_GFX94X_ENABLED || AACO_ARCH_GFX950_ENABLED
        return __builtin_amdgcn_mfma_f64_16x16x4f64(a, b, c, 0, 0, 0);
#else
        (void)a; (void)b;
        return c;
#endif
    }
};

#if AACO_ARCH_GFX950_ENABLED
// gfx950 (CDNA4) double-K instructions, compiled device-only by clang-22 (tests/isa). The
// operand types are LLVM's gfx950 builtin signatures' (v8f16, v8bf16, v4i32, v8i32).

/// f32_32x32x16_f16 (8 halves per lane).
struct op_f32_32x32x16_f16 {
    using a_type = ext_vector<_Float16, 8>;
    using acc_type = ext_vector<float, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
        return __builtin_amdgcn_mfma_f32_32x32x16_f16(a, b, c, 0, 0, 0);
    }
};

/// f32_32x32x16_bf16 (8 bf16 per lane).
struct op_f32_32x32x16_bf16 {
    using a_type = ext_vector<__bf16, 8>;
    using acc_type = ext_vector<float, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
        return __builtin_amdgcn_mfma_f32_32x32x16_bf16(a, b, c, 0, 0, 0);
    }
};

/// i32_32x32x32_i8 (16 int8 per lane as int4).
struct op_i32_32x32x32_i8 {
    using a_type = ext_vector<int, 4>;
    using acc_type = ext_vector<int, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
        return __builtin_amdgcn_mfma_i32_32x32x32_i8(a, b, c, 0, 0, 0);
    }
};

/// scale_f32_32x32x64_f8f6f4 with A and B in OCP e4m3 (cbsz = blgp = 0), 32 bytes per lane.
/// Arguments after c: A format, B format, A scale op_sel, A scale, B scale op_sel, B scale.
/// Scale 127 is E8M0 for 2^0, so the product is unscaled; clang-22 emits
/// v_mfma_scale_f32_32x32x64_f8f6f4 with the scale in a VGPR (see the file comment on its rate).
struct op_f32_32x32x64_f8f6f4 {
    using a_type = ext_vector<int, 8>;
    using acc_type = ext_vector<float, 16>;
    static AACO_DEVICE acc_type call(a_type a, a_type b, acc_type c) {
        return __builtin_amdgcn_mfma_scale_f32_32x32x64_f8f6f4(a, b, c, 0, 0, 0, 127, 0, 127);
    }
};
#endif // AACO_ARCH_GFX950_ENABLED

/// Placeholder for (precision, arch) pairs without an instruction (or whose arch is not
/// compiled in this pass). Never called: kernels test `mfma_policy::supported` first.
struct op_none {
    using a_type = int;
    using acc_type = ext_vector<int, 16>;
    static AACO_DEVICE acc_type call(a_type, a_type, acc_type c) { return c; }
};

template <precision P, gfx_family F> struct op_for { using type = op_none; };
template <> struct op_for<precision::fp16, gfx_family::gfx908> { using type = op_f32_32x32x8f16; };
template <> struct op_for<precision::bf16, gfx_family::gfx908> { using type = op_f32_32x32x4bf16; };
template <> struct op_for<precision::int8, gfx_family::gfx908> { using type = op_i32_32x32x8i8; };
template <> struct op_for<precision::fp32, gfx_family::gfx908> { using type = op_f32_32x32x2f32; };
template <> struct op_for<precision::fp16, gfx_family::gfx90a> { using type = op_f32_32x32x8f16; };
template <> struct op_for<precision::bf16, gfx_family::gfx90a> { using type = op_f32_32x32x8bf16_1k; };
template <> struct op_for<precision::int8, gfx_family::gfx90a> { using type = op_i32_32x32x8i8; };
template <> struct op_for<precision::fp32, gfx_family::gfx90a> { using type = op_f32_32x32x2f32; };
template <> struct op_for<precision::fp64, gfx_family::gfx90a> { using type = op_f64_16x16x4f64; };
template <> struct op_for<precision::fp16, gfx_family::gfx94x> { using type = op_f32_32x32x8f16; };
template <> struct op_for<precision::bf16, gfx_family::gfx94x> { using type = op_f32_32x32x8bf16_1k; };
template <> struct op_for<precision::int8, gfx_family::gfx94x> { using type = op_i32_32x32x16_i8; };
template <> struct op_for<precision::fp8, gfx_family::gfx94x> { using type = op_f32_32x32x16_fp8_fp8; };
template <> struct op_for<precision::tf32, gfx_family::gfx94x> { using type = op_f32_32x32x4_xf32; };
template <> struct op_for<precision::fp32, gfx_family::gfx94x> { using type = op_f32_32x32x2f32; };
template <> struct op_for<precision::fp64, gfx_family::gfx94x> { using type = op_f64_16x16x4f64; };
#if AACO_ARCH_GFX950_ENABLED
template <> struct op_for<precision::fp16, gfx_family::gfx950> { using type = op_f32_32x32x16_f16; };
template <> struct op_for<precision::bf16, gfx_family::gfx950> { using type = op_f32_32x32x16_bf16; };
template <> struct op_for<precision::int8, gfx_family::gfx950> { using type = op_i32_32x32x32_i8; };
template <> struct op_for<precision::fp8, gfx_family::gfx950> { using type = op_f32_32x32x64_f8f6f4; };
#endif
template <> struct op_for<precision::fp32, gfx_family::gfx950> { using type = op_f32_32x32x2f32; };
template <> struct op_for<precision::fp64, gfx_family::gfx950> { using type = op_f64_16x16x4f64; };

} // namespace detail

/// Compile-time policy of precision `P` on family `F`: the instruction's facts (from
/// `mfma_table`), its register types, and `mma(a, b, c)` = the builtin (D = A*B + C).
/// `supported` is false where the arch has no such instruction, and on gfx950 in every pass
/// that does not compile gfx950 (its operand types only exist there).
template <precision P, gfx_family F>
struct mfma_policy {
    using op = typename detail::op_for<P, F>::type;
    using a_type = typename op::a_type;   ///< one lane's A operand (B has the same type)
    using b_type = typename op::a_type;
    using acc_type = typename op::acc_type; ///< one lane's C/D accumulator
    using acc_element = std::decay_t<decltype(std::declval<acc_type>()[0])>; ///< float, int or double

    static constexpr mfma_instruction info = mfma_table(P, F);
    static constexpr bool supported = info.supported && !std::is_same<op, detail::op_none>::value;
    static constexpr int cycles = info.cycles;                         ///< per instruction per SIMD
    static constexpr double flops_per_instruction = info.flops_per_instruction(); ///< per wave
    static constexpr double flops_per_clock_per_cu = info.flops_per_clock_per_cu();
    static constexpr int operand_items = info.operand_items();         ///< A (and B) items per lane
    static constexpr int accumulator_items = info.accumulator_items(); ///< D items per lane

    static_assert(!supported || sizeof(a_type) == static_cast<std::size_t>(info.operand_items()) * element_bytes(info.in),
                  "operand vector type does not match the instruction's per-lane A/B items");
    static_assert(!supported || sizeof(acc_type) == static_cast<std::size_t>(info.accumulator_items()) * element_bytes(info.acc),
                  "accumulator vector type does not match the instruction's per-lane D items");

    static AACO_DEVICE acc_type mma(a_type a, b_type b, acc_type c) { return op::call(a, b, c); }
};

} // namespace amd
} // namespace arch
AACO_NAMESPACE_END

#endif // AACO_BACKEND_HIP
