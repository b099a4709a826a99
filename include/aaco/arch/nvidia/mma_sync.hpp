/// \file mma_sync.hpp
/// \brief Warp-level `mma.sync.aligned` wrappers (inline PTX) and their register-fragment layouts.
///
/// One struct per instruction form. Each carries:
///  - the shape (`m`, `n`, `k`), the oldest target that has it (`min_sm`) and its PTX name;
///  - the element type the operands are stored as in memory (`storage`), the register type one
///    A/B register is passed in (`reg`), how many elements one register packs (`per_reg`), and
///    the accumulator type (`acc`);
///  - the fragment layout: which matrix element lane `lane` holds as its element `i`
///    (`a_coord` -> (row m, col k), `b_coord` -> (row k, col n), `c_coord` -> (row m, col n)),
///    written from the PTX ISA sections "Matrix Fragments for mma.m8n8k4 with .f64",
///    "... mma.m16n8k4", "... mma.m16n8k8", "... mma.m16n8k16 with floating point type" and
///    "... mma.m16n8k32". Element `i` sits in register `i / per_reg`, at bit offset
///    `(i % per_reg) * bits` ("low to high" in the ISA's tables);
///  - `mma(d, a, b)`: d = A x B + d for the warp.
///
/// The layouts are constexpr host+device functions, so the host reference of the correctness
/// checks uses the very same mapping as the kernels. The PTX itself is emitted only in a device
/// pass for sm_80+ (`AACO_ARCH_SM80_ENABLED`); forms that need sm_90 additionally require
/// `__CUDA_ARCH__ >= 900`. In any other pass (host, HIP, older arch) `mma` is an empty body that
/// kernels never reach: they test `compiled_sm() >= Op::min_sm` first (see mma_sync_peak.hpp).
/// The header compiles with a plain C++ compiler as well (layouts only).
#pragma once
#include <aaco/config.hpp>

#include <cstdint>
#include <cstring>

AACO_NAMESPACE_BEGIN
namespace arch {
namespace nvidia {

/// The SM version (major*10 + minor) the current device pass compiles for, 0 in any pass that
/// cannot emit mma.sync (host pass, HIP, NVIDIA arch older than sm_80).
AACO_HOST_DEVICE constexpr int compiled_sm() {
#if AACO_ARCH_SM80_ENABLED
    return __CUDA_ARCH__ / 10;
#else
    return 0;
#endif
}

/// Position of one fragment element inside its matrix.
struct frag_coord {
    int row;
    int col;
};

/// Fragment layouts shared by several forms. `g` = groupID = lane / 4, `t` = threadID_in_group
/// = lane % 4, as in the PTX ISA.
namespace frag {

/// A (16 x K, .row) with `per` 8/16-bit elements per 32-bit register (f16/bf16: 2, s8: 4):
/// registers alternate rows g, g+8; the second register pair covers columns + 4*per.
AACO_HOST_DEVICE constexpr frag_coord a16_packed(int lane, int i, int per) {
    const int g = lane >> 2, t = lane & 3, r = i / per;
    return {g + 8 * (r & 1), t * per + i % per + 4 * per * (r >> 1)};
}
/// B (K x 8, .col) with `per` elements per register: register r covers rows t*per + 4*per*r.
AACO_HOST_DEVICE constexpr frag_coord b8_packed(int lane, int i, int per) {
    const int g = lane >> 2, t = lane & 3, r = i / per;
    return {t * per + i % per + 4 * per * r, g};
}
/// A (16 x K, .row) with one 32/64-bit element per register (tf32 m16n8k8, f64 m16n8k{4,8,16}):
/// rows alternate g, g+8; every second element moves 4 columns right.
AACO_HOST_DEVICE constexpr frag_coord a16_single(int lane, int i) {
    const int g = lane >> 2, t = lane & 3;
    return {g + 8 * (i & 1), t + 4 * (i >> 1)};
}
/// B (K x 8, .col) with one element per register: element i is row t + 4*i.
AACO_HOST_DEVICE constexpr frag_coord b8_single(int lane, int i) {
    const int g = lane >> 2, t = lane & 3;
    return {t + 4 * i, g};
}
/// C/D (16 x 8): c0,c1 in row g, c2,c3 in row g+8, columns 2t and 2t+1.
AACO_HOST_DEVICE constexpr frag_coord c16x8(int lane, int i) {
    const int g = lane >> 2, t = lane & 3;
    return {g + 8 * (i >> 1), 2 * t + (i & 1)};
}
/// m8n8k4 f64: A (8 x 4) one element at (g, t).
AACO_HOST_DEVICE constexpr frag_coord a8x4(int lane, int) { return {lane >> 2, lane & 3}; }
/// m8n8k4 f64: B (4 x 8) one element at (t, g).
AACO_HOST_DEVICE constexpr frag_coord b4x8(int lane, int) { return {lane & 3, lane >> 2}; }
/// m8n8k4 f64: C/D (8 x 8) two elements at (g, 2t + i).
AACO_HOST_DEVICE constexpr frag_coord c8x8(int lane, int i) { return {lane >> 2, 2 * (lane & 3) + i}; }

/// Packs `per` consecutive 8/16-bit storage elements into one 32-bit register, low to high.
template <class Storage, int Per>
AACO_HOST_DEVICE inline std::uint32_t pack_small(const Storage* e) {
    std::uint32_t r = 0;
    for (int i = 0; i < Per; ++i)
        r |= (static_cast<std::uint32_t>(e[i]) & ((1u << (8 * sizeof(Storage))) - 1u))
             << (8 * sizeof(Storage) * i);
    return r;
}

} // namespace frag

// ---------------------------------------------------------------------------------------------
// Forms with 32-bit A/B registers and 4 f32/s32 accumulators (sm_80+).
// ---------------------------------------------------------------------------------------------

/// mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 (SASS: HMMA.16816.F32).
struct mma_m16n8k16_f32_f16 {
    static constexpr int m = 16, n = 8, k = 16, min_sm = 80;
    static constexpr const char* ptx = "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32";
    using storage = std::uint16_t; ///< IEEE binary16 bits
    using reg = std::uint32_t;
    using acc = float;
    static constexpr int per_reg = 2, a_regs = 4, b_regs = 2, c_regs = 4;
    AACO_HOST_DEVICE static constexpr frag_coord a_coord(int lane, int i) { return frag::a16_packed(lane, i, 2); }
    AACO_HOST_DEVICE static constexpr frag_coord b_coord(int lane, int i) { return frag::b8_packed(lane, i, 2); }
    AACO_HOST_DEVICE static constexpr frag_coord c_coord(int lane, int i) { return frag::c16x8(lane, i); }
    AACO_HOST_DEVICE static reg pack(const storage* e) { return frag::pack_small<storage, 2>(e); }
    AACO_DEVICE static void mma(acc (&d)[4], const reg (&a)[4], const reg (&b)[2]) {
#if AACO_ARCH_SM80_ENABLED
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
        (void)d; (void)a; (void)b;
#endif
    }
};

/// mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 (SASS: HMMA.16816.F32.BF16).
struct mma_m16n8k16_f32_bf16 {
    static constexpr int m = 16, n = 8, k = 16, min_sm = 80;
    static constexpr const char* ptx = "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32";
    using storage = std::uint16_t; ///< bfloat16 bits
    using reg = std::uint32_t;
    using acc = float;
    static constexpr int per_reg = 2, a_regs = 4, b_regs = 2, c_regs = 4;
    AACO_HOST_DEVICE static constexpr frag_coord a_coord(int lane, int i) { return frag::a16_packed(lane, i, 2); }
    AACO_HOST_DEVICE static constexpr frag_coord b_coord(int lane, int i) { return frag::b8_packed(lane, i, 2); }
    AACO_HOST_DEVICE static constexpr frag_coord c_coord(int lane, int i) { return frag::c16x8(lane, i); }
    AACO_HOST_DEVICE static reg pack(const storage* e) { return frag::pack_small<storage, 2>(e); }
    AACO_DEVICE static void mma(acc (&d)[4], const reg (&a)[4], const reg (&b)[2]) {
#if AACO_ARCH_SM80_ENABLED
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
                     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
        (void)d; (void)a; (void)b;
#endif
    }
};

/// mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 (SASS: HMMA.1688.F32.TF32).
/// Operands are fp32 bit patterns; the tensor core reads their top 19 bits.
struct mma_m16n8k8_f32_tf32 {
    static constexpr int m = 16, n = 8, k = 8, min_sm = 80;
    static constexpr const char* ptx = "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32";
    using storage = float;
    using reg = std::uint32_t;
    using acc = float;
    static constexpr int per_reg = 1, a_regs = 4, b_regs = 2, c_regs = 4;
    AACO_HOST_DEVICE static constexpr frag_coord a_coord(int lane, int i) { return frag::a16_single(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord b_coord(int lane, int i) { return frag::b8_single(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord c_coord(int lane, int i) { return frag::c16x8(lane, i); }
    AACO_HOST_DEVICE static reg pack(const storage* e) {
        reg r;
        __builtin_memcpy(&r, e, sizeof r); // std::memcpy is host-only under hipcc
        return r;
    }
    AACO_DEVICE static void mma(acc (&d)[4], const reg (&a)[4], const reg (&b)[2]) {
#if AACO_ARCH_SM80_ENABLED
        asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
                     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
        (void)d; (void)a; (void)b;
#endif
    }
};

/// mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 (SASS: IMMA.16832.S8.S8). Without
/// `.satfinite` the s32 accumulation wraps on overflow, which the timed loop may reach with
/// full-range operands; that is harmless (integer, no NaN).
struct mma_m16n8k32_s32_s8 {
    static constexpr int m = 16, n = 8, k = 32, min_sm = 80;
    static constexpr const char* ptx = "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32";
    using storage = std::int8_t;
    using reg = std::uint32_t;
    using acc = std::int32_t;
    static constexpr int per_reg = 4, a_regs = 4, b_regs = 2, c_regs = 4;
    AACO_HOST_DEVICE static constexpr frag_coord a_coord(int lane, int i) { return frag::a16_packed(lane, i, 4); }
    AACO_HOST_DEVICE static constexpr frag_coord b_coord(int lane, int i) { return frag::b8_packed(lane, i, 4); }
    AACO_HOST_DEVICE static constexpr frag_coord c_coord(int lane, int i) { return frag::c16x8(lane, i); }
    AACO_HOST_DEVICE static reg pack(const storage* e) { return frag::pack_small<storage, 4>(e); }
    AACO_DEVICE static void mma(acc (&d)[4], const reg (&a)[4], const reg (&b)[2]) {
#if AACO_ARCH_SM80_ENABLED
        asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 "
                     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                     : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
        (void)d; (void)a; (void)b;
#endif
    }
};

// ---------------------------------------------------------------------------------------------
// FP64 forms (DMMA). m8n8k4 is the only f64 shape on sm_80; m16n8k{4,8,16} need sm_90 (ptxas:
// "Feature '.m16n8k16 with double types' requires .target sm_90 or higher", checked with
// CUDA 13.0).
// ---------------------------------------------------------------------------------------------

/// mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 (sm_80+; SASS: DMMA.884).
struct dmma_m8n8k4 {
    static constexpr int m = 8, n = 8, k = 4, min_sm = 80;
    static constexpr const char* ptx = "mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64";
    using storage = double;
    using reg = double;
    using acc = double;
    static constexpr int per_reg = 1, a_regs = 1, b_regs = 1, c_regs = 2;
    AACO_HOST_DEVICE static constexpr frag_coord a_coord(int lane, int i) { return frag::a8x4(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord b_coord(int lane, int i) { return frag::b4x8(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord c_coord(int lane, int i) { return frag::c8x8(lane, i); }
    AACO_HOST_DEVICE static reg pack(const storage* e) { return e[0]; }
    AACO_DEVICE static void mma(acc (&d)[2], const reg (&a)[1], const reg (&b)[1]) {
#if AACO_ARCH_SM80_ENABLED
        asm volatile("mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 "
                     "{%0,%1}, {%2}, {%3}, {%0,%1};\n"
                     : "+d"(d[0]), "+d"(d[1])
                     : "d"(a[0]), "d"(b[0]));
#else
        (void)d; (void)a; (void)b;
#endif
    }
};

/// mma.sync.aligned.m16n8k4.row.col.f64.f64.f64.f64 (sm_90+).
struct dmma_m16n8k4 {
    static constexpr int m = 16, n = 8, k = 4, min_sm = 90;
    static constexpr const char* ptx = "mma.sync.aligned.m16n8k4.row.col.f64.f64.f64.f64";
    using storage = double;
    using reg = double;
    using acc = double;
    static constexpr int per_reg = 1, a_regs = 2, b_regs = 1, c_regs = 4;
    AACO_HOST_DEVICE static constexpr frag_coord a_coord(int lane, int i) { return frag::a16_single(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord b_coord(int lane, int i) { return frag::b8_single(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord c_coord(int lane, int i) { return frag::c16x8(lane, i); }
    AACO_HOST_DEVICE static reg pack(const storage* e) { return e[0]; }
    AACO_DEVICE static void mma(acc (&d)[4], const reg (&a)[2], const reg (&b)[1]) {
#if AACO_ARCH_SM80_ENABLED && (__CUDA_ARCH__ >= 900)
        asm volatile("mma.sync.aligned.m16n8k4.row.col.f64.f64.f64.f64 "
                     "{%0,%1,%2,%3}, {%4,%5}, {%6}, {%0,%1,%2,%3};\n"
                     : "+d"(d[0]), "+d"(d[1]), "+d"(d[2]), "+d"(d[3])
                     : "d"(a[0]), "d"(a[1]), "d"(b[0]));
#else
        (void)d; (void)a; (void)b;
#endif
    }
};

/// mma.sync.aligned.m16n8k8.row.col.f64.f64.f64.f64 (sm_90+).
struct dmma_m16n8k8 {
    static constexpr int m = 16, n = 8, k = 8, min_sm = 90;
    static constexpr const char* ptx = "mma.sync.aligned.m16n8k8.row.col.f64.f64.f64.f64";
    using storage = double;
    using reg = double;
    using acc = double;
    static constexpr int per_reg = 1, a_regs = 4, b_regs = 2, c_regs = 4;
    AACO_HOST_DEVICE static constexpr frag_coord a_coord(int lane, int i) { return frag::a16_single(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord b_coord(int lane, int i) { return frag::b8_single(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord c_coord(int lane, int i) { return frag::c16x8(lane, i); }
    AACO_HOST_DEVICE static reg pack(const storage* e) { return e[0]; }
    AACO_DEVICE static void mma(acc (&d)[4], const reg (&a)[4], const reg (&b)[2]) {
#if AACO_ARCH_SM80_ENABLED && (__CUDA_ARCH__ >= 900)
        asm volatile("mma.sync.aligned.m16n8k8.row.col.f64.f64.f64.f64 "
                     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                     : "+d"(d[0]), "+d"(d[1]), "+d"(d[2]), "+d"(d[3])
                     : "d"(a[0]), "d"(a[1]), "d"(a[2]), "d"(a[3]), "d"(b[0]), "d"(b[1]));
#else
        (void)d; (void)a; (void)b;
#endif
    }
};

/// mma.sync.aligned.m16n8k16.row.col.f64.f64.f64.f64 (sm_90+). The largest f64 shape: 4096
/// FLOPs per warp instruction, the fewest issues per FLOP.
struct dmma_m16n8k16 {
    static constexpr int m = 16, n = 8, k = 16, min_sm = 90;
    static constexpr const char* ptx = "mma.sync.aligned.m16n8k16.row.col.f64.f64.f64.f64";
    using storage = double;
    using reg = double;
    using acc = double;
    static constexpr int per_reg = 1, a_regs = 8, b_regs = 4, c_regs = 4;
    AACO_HOST_DEVICE static constexpr frag_coord a_coord(int lane, int i) { return frag::a16_single(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord b_coord(int lane, int i) { return frag::b8_single(lane, i); }
    AACO_HOST_DEVICE static constexpr frag_coord c_coord(int lane, int i) { return frag::c16x8(lane, i); }
    AACO_HOST_DEVICE static reg pack(const storage* e) { return e[0]; }
    AACO_DEVICE static void mma(acc (&d)[4], const reg (&a)[8], const reg (&b)[4]) {
#if AACO_ARCH_SM80_ENABLED && (__CUDA_ARCH__ >= 900)
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f64.f64.f64.f64 "
                     "{%0,%1,%2,%3}, {%4,%5,%6,%7,%8,%9,%10,%11}, {%12,%13,%14,%15}, {%0,%1,%2,%3};\n"
                     : "+d"(d[0]), "+d"(d[1]), "+d"(d[2]), "+d"(d[3])
                     : "d"(a[0]), "d"(a[1]), "d"(a[2]), "d"(a[3]), "d"(a[4]), "d"(a[5]),
                       "d"(a[6]), "d"(a[7]), "d"(b[0]), "d"(b[1]), "d"(b[2]), "d"(b[3]));
#else
        (void)d; (void)a; (void)b;
#endif
    }
};

} // namespace nvidia
} // namespace arch
AACO_NAMESPACE_END
