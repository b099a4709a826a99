/// \file arch/nvidia/wgmma.hpp
/// \brief Hopper (sm_90a) warpgroup MMA wrappers: shared-memory matrix descriptors, the
/// wgmma.fence / commit_group / wait_group protocol, and `wgmma.mma_async` with both operands
/// read from shared memory ("SS") or A from registers ("RS"), for fp16, bf16, tf32, fp8 (e4m3)
/// and int8 (s8).
///
/// Facts used here (PTX ISA, "Asynchronous Warpgroup Level Matrix Multiply-Accumulate"):
/// - A warpgroup is 4 consecutive warps (128 threads) starting at a warp index divisible by 4;
///   all 128 threads execute every wgmma instruction (`.sync.aligned`).
/// - Shapes: m64nNk16 (f16, bf16), m64nNk8 (tf32), m64nNk32 (e4m3, s8); A is 64 x K, B is K x N.
///   In every case one K step of one row is 32 bytes.
/// - Accumulator D (f32 or s32): N/2 registers per thread. Warp w of the warpgroup owns rows
///   16w..16w+15; in lane l, register i holds
///     row = 16w + l/4 + 8*((i/2) % 2),  col = 8*(i/4) + 2*(l%4) + (i%2)
///   (the mma.sync m16n8 C layout repeated every 8 columns). See wgmma_accumulator_row/col.
/// - A in registers (RS): four 32-bit registers per thread; per warp the mma.sync m16n8k{16,8,32}
///   A layout, warp w covering rows 16w..16w+15 (wgmma_a_fragment_row/col).
/// - tf32, e4m3 and s8 accept only K-major A and B in shared memory; f16/bf16 use K-major too
///   here (imm-trans-a = imm-trans-b = 0).
/// - Descriptor (64 bit): bits 0-13 start address >> 4, 16-29 leading-dimension byte offset >> 4,
///   32-45 stride-dimension byte offset >> 4, 49-51 base offset, 62-63 swizzle mode
///   (0 none/interleave, 1 128B, 2 64B, 3 32B). For K-major operands: LBO = bytes between the
///   two 16-byte core-matrix columns of one K step (unused, 1, when swizzled), SBO = bytes
///   between groups of 8 rows.
///
/// The descriptor encoder, the accumulator layout and wgmma_traits are constexpr and compile with
/// a plain C++ compiler too (host references and host tests use them). The device wrappers exist
/// only in CUDA compilations, and every PTX statement only in the sm_90a device pass
/// (AACO_ARCH_SM90A_ENABLED); other passes (sm_80, plain sm_90, host) get empty bodies, so
/// callers must check at run time that the sm_90a body ran (the kernels record a "compiled
/// path" code for that).
#pragma once
#include <aaco/config.hpp>
#include <aaco/model/precision.hpp>

#include <cstdint>
#include <string>

AACO_NAMESPACE_BEGIN
namespace arch::nvidia {

/// Swizzle field of a wgmma shared-memory descriptor (bits 62-63).
enum class wgmma_swizzle : std::uint32_t { none = 0, b128 = 1, b64 = 2, b32 = 3 };

/// The 64-bit wgmma shared-memory matrix descriptor. `smem_addr`, `lbo` and `sbo` are byte
/// values (shared-window address and offsets, multiples of 16); `base_offset` is 0 when the
/// swizzle pattern starts on its natural boundary (1024 B for 128B swizzle).
AACO_HOST_DEVICE constexpr std::uint64_t make_wgmma_desc(std::uint32_t smem_addr, std::uint32_t lbo,
                                                         std::uint32_t sbo, wgmma_swizzle swizzle,
                                                         std::uint32_t base_offset = 0) {
    // matrix-descriptor-encode(x) = (x & 0x3FFFF) >> 4, 14 bits per field.
    return (static_cast<std::uint64_t>((smem_addr & 0x3FFFFu) >> 4)) |
           (static_cast<std::uint64_t>((lbo & 0x3FFFFu) >> 4) << 16) |
           (static_cast<std::uint64_t>((sbo & 0x3FFFFu) >> 4) << 32) |
           (static_cast<std::uint64_t>(base_offset & 7u) << 49) |
           (static_cast<std::uint64_t>(swizzle) << 62);
}

/// Row of the 64 x N accumulator held by register `i` of thread `t` (0..127) of a warpgroup.
AACO_HOST_DEVICE constexpr int wgmma_accumulator_row(int t, int i) {
    return 16 * (t / 32) + (t % 32) / 4 + 8 * ((i / 2) % 2);
}
/// Column of the 64 x N accumulator held by register `i` of thread `t` of a warpgroup.
AACO_HOST_DEVICE constexpr int wgmma_accumulator_col(int t, int i) {
    return 8 * (i / 4) + 2 * (t % 4) + (i % 2);
}

/// Row of the 64 x K A tile held by 32-bit register `r` (0..3) of thread `t` (0..127) in the RS
/// form. Per warp this is the mma.sync m16n8k{8,16,32} A layout, warp w covering rows 16w..16w+15.
AACO_HOST_DEVICE constexpr int wgmma_a_fragment_row(int t, int r) {
    return 16 * (t / 32) + (t % 32) / 4 + 8 * (r % 2);
}
/// Column (K index) of element `j` (0..per-1, low to high bits) of register `r` of thread `t`,
/// with `per` elements per register: 2 for f16/bf16, 1 for tf32, 4 for e4m3/s8.
AACO_HOST_DEVICE constexpr int wgmma_a_fragment_col(int t, int r, int j, int per) {
    return (t % 4) * per + j + 4 * per * (r / 2);
}

/// Static facts of the wgmma form aaco uses for a precision.
template <precision P> struct wgmma_traits;
template <> struct wgmma_traits<precision::fp16> {
    using accumulator = float;
    static constexpr int k = 16;              ///< K per instruction
    static constexpr int element_bytes = 2;
    static constexpr const char* types = "f32.f16.f16"; ///< .dtype.atype.btype
};
template <> struct wgmma_traits<precision::bf16> {
    using accumulator = float;
    static constexpr int k = 16;
    static constexpr int element_bytes = 2;
    static constexpr const char* types = "f32.bf16.bf16";
};
template <> struct wgmma_traits<precision::tf32> {
    using accumulator = float;
    static constexpr int k = 8;
    static constexpr int element_bytes = 4;   ///< fp32 container; the unit reads 19 bits
    static constexpr const char* types = "f32.tf32.tf32";
};
template <> struct wgmma_traits<precision::fp8> {
    using accumulator = float;
    static constexpr int k = 32;
    static constexpr int element_bytes = 1;
    static constexpr const char* types = "f32.e4m3.e4m3";
};
template <> struct wgmma_traits<precision::int8> {
    using accumulator = std::int32_t;
    static constexpr int k = 32;
    static constexpr int element_bytes = 1;
    static constexpr const char* types = "s32.s8.s8";
};

/// True for the precisions that have a wgmma form here.
constexpr bool has_wgmma(precision p) {
    return p == precision::fp16 || p == precision::bf16 || p == precision::tf32 ||
           p == precision::fp8 || p == precision::int8;
}

/// The PTX instruction aaco issues for P and width n, e.g.
/// "wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16".
template <precision P>
inline std::string wgmma_instruction(int n) {
    return "wgmma.mma_async.sync.aligned.m64n" + std::to_string(n) + "k" +
           std::to_string(wgmma_traits<P>::k) + "." + wgmma_traits<P>::types;
}

} // namespace arch::nvidia
AACO_NAMESPACE_END

// ---------------------------------------------------------------------------------------------
// Device wrappers: CUDA compilations only.
// ---------------------------------------------------------------------------------------------
#if AACO_BACKEND_CUDA
AACO_NAMESPACE_BEGIN
namespace arch::nvidia {

/// Shared-window (32-bit) address of a pointer into shared memory.
AACO_DEVICE inline std::uint32_t smem_address(const void* p) {
#if AACO_ARCH_SM90A_ENABLED
    return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
#else
    (void)p;
    return 0;
#endif
}

/// wgmma.fence: orders earlier register accesses of this warpgroup before the wgmma that
/// follows. Needed before the first wgmma that reads accumulators written by ordinary code.
AACO_DEVICE inline void wgmma_fence() {
#if AACO_ARCH_SM90A_ENABLED
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#endif
}

/// wgmma.commit_group: closes the group of wgmma issued since the last commit.
AACO_DEVICE inline void wgmma_commit_group() {
#if AACO_ARCH_SM90A_ENABLED
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
#endif
}

/// wgmma.wait_group: waits until at most `Pending` committed groups are still in flight.
template <int Pending>
AACO_DEVICE inline void wgmma_wait_group() {
    static_assert(Pending >= 0 && Pending <= 7, "wgmma.wait_group takes 0..7");
#if AACO_ARCH_SM90A_ENABLED
    asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(Pending) : "memory");
#endif
}

/// Makes ordinary (generic-proxy) shared-memory stores of this thread visible to the async
/// proxy that wgmma reads operands through. Each writing thread runs it before the barrier
/// that precedes the first wgmma.
AACO_DEVICE inline void fence_proxy_async_shared() {
#if AACO_ARCH_SM90A_ENABLED
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
#endif
}

/// Compiler-only fence on an accumulator register: the compiler may not move reads or writes
/// of `r` across it. Used around wait_group so accumulators are not read before they are final.
AACO_DEVICE inline void fence_operand(float& r) {
#if AACO_ARCH_SM90A_ENABLED
    asm volatile("" : "+f"(r)::"memory");
#else
    (void)r;
#endif
}
AACO_DEVICE inline void fence_operand(std::int32_t& r) {
#if AACO_ARCH_SM90A_ENABLED
    asm volatile("" : "+r"(r)::"memory");
#else
    (void)r;
#endif
}

/// `wgmma.mma_async` m64nNk*, A and B from shared memory: D = A*B + (scale_d ? D : 0).
/// Specialised below for N in {64, 128, 192, 256} and the five precisions of wgmma_traits.
template <precision P, int N> struct wgmma_ss;

/// Issues one `wgmma.mma_async` (SS form) for precision P and width N. All 128 threads of the
/// warpgroup must call it with the same descriptors.
template <precision P, int N>
AACO_DEVICE inline void wgmma_ss_mma(typename wgmma_traits<P>::accumulator (&d)[N / 2],
                                     std::uint64_t desc_a, std::uint64_t desc_b, int scale_d) {
    wgmma_ss<P, N>::mma(d, desc_a, desc_b, scale_d);
}

/// `wgmma.mma_async` m64nNk*, A from registers (four 32-bit registers per thread, laid out as
/// wgmma_a_fragment_row/col say), B from shared memory: D = A*B + (scale_d ? D : 0).
template <precision P, int N> struct wgmma_rs;

/// Issues one `wgmma.mma_async` (RS form). The A registers must not change while it is in
/// flight, and a wgmma_fence() must separate their last ordinary write from it.
template <precision P, int N>
AACO_DEVICE inline void wgmma_rs_mma(typename wgmma_traits<P>::accumulator (&d)[N / 2],
                                     const std::uint32_t (&a)[4], std::uint64_t desc_b,
                                     int scale_d) {
    wgmma_rs<P, N>::mma(d, a, desc_b, scale_d);
}

// ---------------------------------------------------------------------------------------------
// Operand lists for the inline PTX. nvcc supports no named asm operands, so the accumulator
// registers are %0..%(N/2-1); SS: the two descriptors follow, then scale-d; RS: the four A
// registers, the B descriptor, then scale-d. Generated, not edited by hand; all #undef'd at the
// end of this file.
// ---------------------------------------------------------------------------------------------
#define AACO_WGMMA_D64 \
    "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
    "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}"
#define AACO_WGMMA_AB64 "%32, %33"
#define AACO_WGMMA_SD64 "%34"
#define AACO_WGMMA_RSA64 "{%32, %33, %34, %35}"
#define AACO_WGMMA_RSB64 "%36"
#define AACO_WGMMA_RSSD64 "%37"
#define AACO_WGMMA_ACC64(C, d) \
    C(d[0]), C(d[1]), C(d[2]), C(d[3]), C(d[4]), C(d[5]), C(d[6]), C(d[7]), \
    C(d[8]), C(d[9]), C(d[10]), C(d[11]), C(d[12]), C(d[13]), C(d[14]), C(d[15]), \
    C(d[16]), C(d[17]), C(d[18]), C(d[19]), C(d[20]), C(d[21]), C(d[22]), C(d[23]), \
    C(d[24]), C(d[25]), C(d[26]), C(d[27]), C(d[28]), C(d[29]), C(d[30]), C(d[31])
#define AACO_WGMMA_D128 \
    "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
    "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
    "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
    "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}"
#define AACO_WGMMA_AB128 "%64, %65"
#define AACO_WGMMA_SD128 "%66"
#define AACO_WGMMA_RSA128 "{%64, %65, %66, %67}"
#define AACO_WGMMA_RSB128 "%68"
#define AACO_WGMMA_RSSD128 "%69"
#define AACO_WGMMA_ACC128(C, d) \
    C(d[0]), C(d[1]), C(d[2]), C(d[3]), C(d[4]), C(d[5]), C(d[6]), C(d[7]), \
    C(d[8]), C(d[9]), C(d[10]), C(d[11]), C(d[12]), C(d[13]), C(d[14]), C(d[15]), \
    C(d[16]), C(d[17]), C(d[18]), C(d[19]), C(d[20]), C(d[21]), C(d[22]), C(d[23]), \
    C(d[24]), C(d[25]), C(d[26]), C(d[27]), C(d[28]), C(d[29]), C(d[30]), C(d[31]), \
    C(d[32]), C(d[33]), C(d[34]), C(d[35]), C(d[36]), C(d[37]), C(d[38]), C(d[39]), \
    C(d[40]), C(d[41]), C(d[42]), C(d[43]), C(d[44]), C(d[45]), C(d[46]), C(d[47]), \
    C(d[48]), C(d[49]), C(d[50]), C(d[51]), C(d[52]), C(d[53]), C(d[54]), C(d[55]), \
    C(d[56]), C(d[57]), C(d[58]), C(d[59]), C(d[60]), C(d[61]), C(d[62]), C(d[63])
#define AACO_WGMMA_D192 \
    "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
    "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
    "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
    "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, " \
    "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, " \
    "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95}"
#define AACO_WGMMA_AB192 "%96, %97"
#define AACO_WGMMA_SD192 "%98"
#define AACO_WGMMA_RSA192 "{%96, %97, %98, %99}"
#define AACO_WGMMA_RSB192 "%100"
#define AACO_WGMMA_RSSD192 "%101"
#define AACO_WGMMA_ACC192(C, d) \
    C(d[0]), C(d[1]), C(d[2]), C(d[3]), C(d[4]), C(d[5]), C(d[6]), C(d[7]), \
    C(d[8]), C(d[9]), C(d[10]), C(d[11]), C(d[12]), C(d[13]), C(d[14]), C(d[15]), \
    C(d[16]), C(d[17]), C(d[18]), C(d[19]), C(d[20]), C(d[21]), C(d[22]), C(d[23]), \
    C(d[24]), C(d[25]), C(d[26]), C(d[27]), C(d[28]), C(d[29]), C(d[30]), C(d[31]), \
    C(d[32]), C(d[33]), C(d[34]), C(d[35]), C(d[36]), C(d[37]), C(d[38]), C(d[39]), \
    C(d[40]), C(d[41]), C(d[42]), C(d[43]), C(d[44]), C(d[45]), C(d[46]), C(d[47]), \
    C(d[48]), C(d[49]), C(d[50]), C(d[51]), C(d[52]), C(d[53]), C(d[54]), C(d[55]), \
    C(d[56]), C(d[57]), C(d[58]), C(d[59]), C(d[60]), C(d[61]), C(d[62]), C(d[63]), \
    C(d[64]), C(d[65]), C(d[66]), C(d[67]), C(d[68]), C(d[69]), C(d[70]), C(d[71]), \
    C(d[72]), C(d[73]), C(d[74]), C(d[75]), C(d[76]), C(d[77]), C(d[78]), C(d[79]), \
    C(d[80]), C(d[81]), C(d[82]), C(d[83]), C(d[84]), C(d[85]), C(d[86]), C(d[87]), \
    C(d[88]), C(d[89]), C(d[90]), C(d[91]), C(d[92]), C(d[93]), C(d[94]), C(d[95])
#define AACO_WGMMA_D256 \
    "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
    "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
    "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
    "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, " \
    "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, " \
    "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, " \
    "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, " \
    "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127}"
#define AACO_WGMMA_AB256 "%128, %129"
#define AACO_WGMMA_SD256 "%130"
#define AACO_WGMMA_RSA256 "{%128, %129, %130, %131}"
#define AACO_WGMMA_RSB256 "%132"
#define AACO_WGMMA_RSSD256 "%133"
#define AACO_WGMMA_ACC256(C, d) \
    C(d[0]), C(d[1]), C(d[2]), C(d[3]), C(d[4]), C(d[5]), C(d[6]), C(d[7]), \
    C(d[8]), C(d[9]), C(d[10]), C(d[11]), C(d[12]), C(d[13]), C(d[14]), C(d[15]), \
    C(d[16]), C(d[17]), C(d[18]), C(d[19]), C(d[20]), C(d[21]), C(d[22]), C(d[23]), \
    C(d[24]), C(d[25]), C(d[26]), C(d[27]), C(d[28]), C(d[29]), C(d[30]), C(d[31]), \
    C(d[32]), C(d[33]), C(d[34]), C(d[35]), C(d[36]), C(d[37]), C(d[38]), C(d[39]), \
    C(d[40]), C(d[41]), C(d[42]), C(d[43]), C(d[44]), C(d[45]), C(d[46]), C(d[47]), \
    C(d[48]), C(d[49]), C(d[50]), C(d[51]), C(d[52]), C(d[53]), C(d[54]), C(d[55]), \
    C(d[56]), C(d[57]), C(d[58]), C(d[59]), C(d[60]), C(d[61]), C(d[62]), C(d[63]), \
    C(d[64]), C(d[65]), C(d[66]), C(d[67]), C(d[68]), C(d[69]), C(d[70]), C(d[71]), \
    C(d[72]), C(d[73]), C(d[74]), C(d[75]), C(d[76]), C(d[77]), C(d[78]), C(d[79]), \
    C(d[80]), C(d[81]), C(d[82]), C(d[83]), C(d[84]), C(d[85]), C(d[86]), C(d[87]), \
    C(d[88]), C(d[89]), C(d[90]), C(d[91]), C(d[92]), C(d[93]), C(d[94]), C(d[95]), \
    C(d[96]), C(d[97]), C(d[98]), C(d[99]), C(d[100]), C(d[101]), C(d[102]), C(d[103]), \
    C(d[104]), C(d[105]), C(d[106]), C(d[107]), C(d[108]), C(d[109]), C(d[110]), C(d[111]), \
    C(d[112]), C(d[113]), C(d[114]), C(d[115]), C(d[116]), C(d[117]), C(d[118]), C(d[119]), \
    C(d[120]), C(d[121]), C(d[122]), C(d[123]), C(d[124]), C(d[125]), C(d[126]), C(d[127])

#if AACO_ARCH_SM90A_ENABLED
// scale-d is a predicate operand: set it from the integer argument inside the asm block.
#  define AACO_WGMMA_ASM(N, SHAPE_TYPES, TAIL, CONSTRAINT)                                     \
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, " AACO_WGMMA_SD##N ", 0;\n"                 \
                 "wgmma.mma_async.sync.aligned.m64n" #N SHAPE_TYPES " " AACO_WGMMA_D##N        \
                 ", " AACO_WGMMA_AB##N TAIL "\n}\n"                                            \
                 : AACO_WGMMA_ACC##N(CONSTRAINT, d)                                           \
                 : "l"(desc_a), "l"(desc_b), "r"(scale_d))
#else
#  define AACO_WGMMA_ASM(N, SHAPE_TYPES, TAIL, CONSTRAINT)                                     \
    ((void)d, (void)desc_a, (void)desc_b, (void)scale_d)
#endif

// Immediates after scale-d: imm-scale-a = imm-scale-b = 1 (no negation); for f16/bf16 also
// imm-trans-a = imm-trans-b = 0 (both K-major). tf32/e4m3 have no transpose operands; s8 has
// neither (and no .satfinite here: s32 wraps, which a throughput loop does not mind).
#define AACO_WGMMA_SS_DEFINE(N)                                                                \
    template <> struct wgmma_ss<precision::fp16, N> {                                          \
        AACO_DEVICE static void mma(float (&d)[N / 2], std::uint64_t desc_a,                   \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_ASM(N, "k16.f32.f16.f16", ", p, 1, 1, 0, 0;", "+f");                    \
        }                                                                                      \
    };                                                                                         \
    template <> struct wgmma_ss<precision::bf16, N> {                                          \
        AACO_DEVICE static void mma(float (&d)[N / 2], std::uint64_t desc_a,                   \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_ASM(N, "k16.f32.bf16.bf16", ", p, 1, 1, 0, 0;", "+f");                  \
        }                                                                                      \
    };                                                                                         \
    template <> struct wgmma_ss<precision::tf32, N> {                                          \
        AACO_DEVICE static void mma(float (&d)[N / 2], std::uint64_t desc_a,                   \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_ASM(N, "k8.f32.tf32.tf32", ", p, 1, 1;", "+f");                         \
        }                                                                                      \
    };                                                                                         \
    template <> struct wgmma_ss<precision::fp8, N> {                                           \
        AACO_DEVICE static void mma(float (&d)[N / 2], std::uint64_t desc_a,                   \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_ASM(N, "k32.f32.e4m3.e4m3", ", p, 1, 1;", "+f");                        \
        }                                                                                      \
    };                                                                                         \
    template <> struct wgmma_ss<precision::int8, N> {                                          \
        AACO_DEVICE static void mma(std::int32_t (&d)[N / 2], std::uint64_t desc_a,            \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_ASM(N, "k32.s32.s8.s8", ", p;", "+r");                                  \
        }                                                                                      \
    };

AACO_WGMMA_SS_DEFINE(64)
AACO_WGMMA_SS_DEFINE(128)
AACO_WGMMA_SS_DEFINE(192)
AACO_WGMMA_SS_DEFINE(256)

// RS form: A from four 32-bit registers per thread (wgmma_a_fragment_row/col), B by descriptor.
#if AACO_ARCH_SM90A_ENABLED
#  define AACO_WGMMA_RS_ASM(N, SHAPE_TYPES, TAIL, CONSTRAINT)                                  \
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, " AACO_WGMMA_RSSD##N ", 0;\n"               \
                 "wgmma.mma_async.sync.aligned.m64n" #N SHAPE_TYPES " " AACO_WGMMA_D##N        \
                 ", " AACO_WGMMA_RSA##N ", " AACO_WGMMA_RSB##N TAIL "\n}\n"                  \
                 : AACO_WGMMA_ACC##N(CONSTRAINT, d)                                           \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc_b), "r"(scale_d))
#else
#  define AACO_WGMMA_RS_ASM(N, SHAPE_TYPES, TAIL, CONSTRAINT)                                  \
    ((void)d, (void)a, (void)desc_b, (void)scale_d)
#endif

// Immediates: as the SS form, but only imm-trans-b exists (A in registers has no transpose).
#define AACO_WGMMA_RS_DEFINE(N)                                                                \
    template <> struct wgmma_rs<precision::fp16, N> {                                          \
        AACO_DEVICE static void mma(float (&d)[N / 2], const std::uint32_t (&a)[4],            \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_RS_ASM(N, "k16.f32.f16.f16", ", p, 1, 1, 0;", "+f");                    \
        }                                                                                      \
    };                                                                                         \
    template <> struct wgmma_rs<precision::bf16, N> {                                          \
        AACO_DEVICE static void mma(float (&d)[N / 2], const std::uint32_t (&a)[4],            \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_RS_ASM(N, "k16.f32.bf16.bf16", ", p, 1, 1, 0;", "+f");                  \
        }                                                                                      \
    };                                                                                         \
    template <> struct wgmma_rs<precision::tf32, N> {                                          \
        AACO_DEVICE static void mma(float (&d)[N / 2], const std::uint32_t (&a)[4],            \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_RS_ASM(N, "k8.f32.tf32.tf32", ", p, 1, 1;", "+f");                      \
        }                                                                                      \
    };                                                                                         \
    template <> struct wgmma_rs<precision::fp8, N> {                                           \
        AACO_DEVICE static void mma(float (&d)[N / 2], const std::uint32_t (&a)[4],            \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_RS_ASM(N, "k32.f32.e4m3.e4m3", ", p, 1, 1;", "+f");                     \
        }                                                                                      \
    };                                                                                         \
    template <> struct wgmma_rs<precision::int8, N> {                                          \
        AACO_DEVICE static void mma(std::int32_t (&d)[N / 2], const std::uint32_t (&a)[4],     \
                                    std::uint64_t desc_b, int scale_d) {                       \
            AACO_WGMMA_RS_ASM(N, "k32.s32.s8.s8", ", p;", "+r");                               \
        }                                                                                      \
    };

AACO_WGMMA_RS_DEFINE(64)
AACO_WGMMA_RS_DEFINE(128)
AACO_WGMMA_RS_DEFINE(192)
AACO_WGMMA_RS_DEFINE(256)

#undef AACO_WGMMA_SS_DEFINE
#undef AACO_WGMMA_RS_DEFINE
#undef AACO_WGMMA_ASM
#undef AACO_WGMMA_RS_ASM
#undef AACO_WGMMA_D64
#undef AACO_WGMMA_AB64
#undef AACO_WGMMA_SD64
#undef AACO_WGMMA_ACC64
#undef AACO_WGMMA_RSA64
#undef AACO_WGMMA_RSB64
#undef AACO_WGMMA_RSSD64
#undef AACO_WGMMA_D128
#undef AACO_WGMMA_AB128
#undef AACO_WGMMA_SD128
#undef AACO_WGMMA_ACC128
#undef AACO_WGMMA_RSA128
#undef AACO_WGMMA_RSB128
#undef AACO_WGMMA_RSSD128
#undef AACO_WGMMA_D192
#undef AACO_WGMMA_AB192
#undef AACO_WGMMA_SD192
#undef AACO_WGMMA_ACC192
#undef AACO_WGMMA_RSA192
#undef AACO_WGMMA_RSB192
#undef AACO_WGMMA_RSSD192
#undef AACO_WGMMA_D256
#undef AACO_WGMMA_AB256
#undef AACO_WGMMA_SD256
#undef AACO_WGMMA_ACC256
#undef AACO_WGMMA_RSA256
#undef AACO_WGMMA_RSB256
#undef AACO_WGMMA_RSSD256

} // namespace arch::nvidia
AACO_NAMESPACE_END

#endif // AACO_BACKEND_CUDA
