/// \file arch/cache_hints.hpp
/// \brief 16-byte global loads and stores with a cache policy, and the 16-byte shared-memory
/// (LDS) load, per vendor. The stream and shared-memory kernels are written against these.
///
/// Instruction forms (PTX ISA "ld", "st"; AMD CDNA2/CDNA3 ISA guides):
///
/// | policy                       | NVIDIA (inline PTX)                         | AMD (clang builtin)                |
/// |------------------------------|---------------------------------------------|------------------------------------|
/// | load plain                   | ld.global.v4.u32                            | global_load_dwordx4                |
/// | load streaming               | ld.global.cs.v4.u32 (evict-first, L1+L2)    | __builtin_nontemporal_load (slc/nt)|
/// | load last_use                | ld.global.lu.v4.u32                         | -                                  |
/// | load l2_only                 | ld.global.cg.v4.u32 (cached in L2, not L1)  | -                                  |
/// | load no_allocate             | ld.global.nc.L1::no_allocate.v4.u32         | -                                  |
/// | load no_allocate_l2_prefetch | ld.global.nc.L1::no_allocate.L2::256B.v4.u32| -                                  |
/// | store plain                  | st.global.v4.u32                            | global_store_dwordx4               |
/// | store streaming              | st.global.cs.v4.u32 (evict-first)           | __builtin_nontemporal_store        |
///
/// A policy marked "-" does not exist on that vendor; `available(policy)` says so at compile
/// time and instantiating it is a compile error, so a measurement never silently runs a
/// different instruction than the one its method string names.
///
/// The `.nc` forms read through the read-only (texture) path: only for data that no thread
/// writes during the kernel.
///
/// Device functions exist only in GPU compilations; the enums and their names are host-usable
/// everywhere.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <cstdint>
#include <string_view>

AACO_NAMESPACE_BEGIN
namespace arch {

/// Cache policy of a 16-byte global load.
enum class load_policy {
    plain,                   ///< default caching
    streaming,               ///< evict-first / nontemporal: data read once
    last_use,                ///< NVIDIA .lu: the line may be dropped after this read
    l2_only,                 ///< NVIDIA .cg: cached in L2 only, bypasses L1
    no_allocate,             ///< NVIDIA .nc.L1::no_allocate: read-only path, no L1 allocation
    no_allocate_l2_prefetch, ///< as no_allocate, plus an L2 256-byte prefetch hint (sm_80+)
};

/// Cache policy of a 16-byte global store.
enum class store_policy {
    plain,     ///< default (write-back)
    streaming, ///< evict-first (.cs) / nontemporal: data not re-read soon
};

/// Every load policy, for sweeps.
inline constexpr load_policy all_load_policies[] = {
    load_policy::plain,   load_policy::streaming,   load_policy::last_use,
    load_policy::l2_only, load_policy::no_allocate, load_policy::no_allocate_l2_prefetch};
/// Every store policy, for sweeps.
inline constexpr store_policy all_store_policies[] = {store_policy::plain, store_policy::streaming};

/// Short name of a load policy ("plain", "streaming", ...).
constexpr std::string_view to_string(load_policy p) {
    switch (p) {
    case load_policy::plain: return "plain";
    case load_policy::streaming: return "streaming";
    case load_policy::last_use: return "last_use";
    case load_policy::l2_only: return "l2_only";
    case load_policy::no_allocate: return "no_allocate";
    case load_policy::no_allocate_l2_prefetch: return "no_allocate_l2_prefetch";
    }
    throw invalid_argument("aaco::arch::to_string: unknown load_policy value");
}

/// Short name of a store policy ("plain", "streaming").
constexpr std::string_view to_string(store_policy p) {
    return p == store_policy::plain ? "plain" : "streaming";
}

/// Whether the backend being compiled has an instruction for load policy `p` (see the table in
/// this file's header). A host-only build has none.
constexpr bool available(load_policy p) {
#if AACO_BACKEND_CUDA
    (void)p;
    return true;
#elif AACO_BACKEND_HIP
    return p == load_policy::plain || p == load_policy::streaming;
#else
    (void)p;
    return false;
#endif
}

/// Whether the backend being compiled has an instruction for store policy `p`.
constexpr bool available(store_policy p) {
    (void)p;
#if AACO_BACKEND_NONE
    return false;
#else
    return true;
#endif
}

/// The instruction a load policy compiles to on the backend being compiled, for method strings.
constexpr std::string_view instruction(load_policy p) {
#if AACO_BACKEND_HIP
    return p == load_policy::plain ? "global_load_dwordx4" : "global_load_dwordx4 nontemporal";
#else
    switch (p) {
    case load_policy::plain: return "ld.global.v4.u32";
    case load_policy::streaming: return "ld.global.cs.v4.u32";
    case load_policy::last_use: return "ld.global.lu.v4.u32";
    case load_policy::l2_only: return "ld.global.cg.v4.u32";
    case load_policy::no_allocate: return "ld.global.nc.L1::no_allocate.v4.u32";
    case load_policy::no_allocate_l2_prefetch: return "ld.global.nc.L1::no_allocate.L2::256B.v4.u32";
    }
    throw invalid_argument("aaco::arch::instruction: unknown load_policy value");
#endif
}

/// The instruction a store policy compiles to on the backend being compiled.
constexpr std::string_view instruction(store_policy p) {
#if AACO_BACKEND_HIP
    return p == store_policy::plain ? "global_store_dwordx4" : "global_store_dwordx4 nontemporal";
#else
    return p == store_policy::plain ? "st.global.v4.u32" : "st.global.cs.v4.u32";
#endif
}

/// The 16-byte shared-memory load instruction of the backend being compiled.
constexpr std::string_view shared_load_instruction() {
#if AACO_BACKEND_HIP
    return "ds_read_b128";
#else
    return "ld.shared.v4.u32";
#endif
}

/// Four 32-bit words moved as one 16-byte access. Pointers passed to load16/store16 must be
/// 16-byte aligned.
struct alignas(16) u32x4 {
    std::uint32_t x, y, z, w;
};

#if AACO_BACKEND_CUDA

/// 16-byte global load with policy `P`.
template <load_policy P>
AACO_DEVICE inline u32x4 load16(const void* p) {
    u32x4 v{};
#if AACO_DEVICE_PASS
    // volatile: every counted access is executed, even where the compiler could prove that a
    // value is not needed.
    if constexpr (P == load_policy::plain) {
        asm volatile("ld.global.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    } else if constexpr (P == load_policy::streaming) {
        asm volatile("ld.global.cs.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    } else if constexpr (P == load_policy::last_use) {
        asm volatile("ld.global.lu.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    } else if constexpr (P == load_policy::l2_only) {
        asm volatile("ld.global.cg.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    } else if constexpr (P == load_policy::no_allocate) {
#if __CUDA_ARCH__ >= 700
        asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
#else
        asm volatile("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
#endif
    } else {
        static_assert(P == load_policy::no_allocate_l2_prefetch, "unknown load_policy");
#if __CUDA_ARCH__ >= 800
        asm volatile("ld.global.nc.L1::no_allocate.L2::256B.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
#else
        asm volatile("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
#endif
    }
#else
    (void)p;
#endif
    return v;
}

/// 16-byte global store with policy `P`.
template <store_policy P>
AACO_DEVICE inline void store16(void* p, const u32x4& v) {
#if AACO_DEVICE_PASS
    // "memory": the compiler must not move other memory accesses across the store.
    if constexpr (P == store_policy::plain) {
        asm volatile("st.global.v4.u32 [%0], {%1, %2, %3, %4};"
                     :: "l"(p), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w) : "memory");
    } else {
        asm volatile("st.global.cs.v4.u32 [%0], {%1, %2, %3, %4};"
                     :: "l"(p), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w) : "memory");
    }
#else
    (void)p, (void)v;
#endif
}

/// 16-byte shared-memory load (ld.shared.v4.u32). `p` points into __shared__ memory.
AACO_DEVICE inline u32x4 load_shared16(const void* p) {
    u32x4 v{};
#if AACO_DEVICE_PASS
    const auto addr = static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
    asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "r"(addr));
#else
    (void)p;
#endif
    return v;
}

#elif AACO_BACKEND_HIP

namespace detail {
/// clang's native 4 x 32-bit vector: what global_load_dwordx4 / ds_read_b128 produce.
typedef std::uint32_t native_u32x4 __attribute__((ext_vector_type(4)));
} // namespace detail

/// 16-byte global load with policy `P` (plain or streaming on AMD).
template <load_policy P>
AACO_DEVICE inline u32x4 load16(const void* p) {
    static_assert(P == load_policy::plain || P == load_policy::streaming,
                  "AMD has only the plain and streaming (nontemporal) load policies");
    const auto* q = static_cast<const detail::native_u32x4*>(p);
    detail::native_u32x4 n;
    if constexpr (P == load_policy::plain)
        n = *q;
    else
        n = __builtin_nontemporal_load(q);
    return u32x4{n.x, n.y, n.z, n.w};
}

/// 16-byte global store with policy `P`.
template <store_policy P>
AACO_DEVICE inline void store16(void* p, const u32x4& v) {
    auto* q = static_cast<detail::native_u32x4*>(p);
    const detail::native_u32x4 n = {v.x, v.y, v.z, v.w};
    if constexpr (P == store_policy::plain)
        *q = n;
    else
        __builtin_nontemporal_store(n, q);
}

/// 16-byte LDS load (ds_read_b128 once the compiler sees the address is in LDS, which it does
/// after inlining into a kernel that indexes a __shared__ array).
AACO_DEVICE inline u32x4 load_shared16(const void* p) {
    const detail::native_u32x4 n = *static_cast<const detail::native_u32x4*>(p);
    return u32x4{n.x, n.y, n.z, n.w};
}

#endif

} // namespace arch
AACO_NAMESPACE_END
