/// \file arch/chase_load.hpp
/// \brief The dependent loads of the pointer-chase latency probe (kernels/latency.hpp), per
/// vendor: one 8-byte global load whose address is the value the previous one returned, with a
/// cache policy, and one 4-byte shared-memory (LDS) load of the same kind.
///
/// | policy    | used for                     | NVIDIA (inline PTX)        | AMD gfx90a                 | AMD gfx942 / gfx950          |
/// |-----------|------------------------------|----------------------------|----------------------------|------------------------------|
/// | l1        | L1 / vector cache hits       | ld.global.ca.u64           | global_load_dwordx2        | global_load_dwordx2          |
/// | l2        | L2, LLC, HBM (L1 bypassed)   | ld.global.cg.u64           | global_load_dwordx2 ... glc| global_load_dwordx2 ... sc1  |
/// | system    | mapped pinned host memory    | ld.global.cv.u64           | global_load_dwordx2 ... glc| global_load_dwordx2 ... sc0 sc1 |
/// | (shared)  | shared memory / LDS          | ld.shared.u32              | ds_read_b32                | ds_read_b32                  |
///
/// NVIDIA: `.ca` caches at all levels (L1 included), `.cg` caches in L2 only, `.cv` treats a
/// cached line as stale and fetches it again, which is what a load of host memory over the link
/// must do on every hop (PTX ISA, "Cache Operators").
///
/// AMD has no cache-operator builtins; the bits come from the memory model of a relaxed atomic
/// load of the given scope (LLVM AMDGPU "Memory Model"): wavefront scope needs no coherence, so
/// the load is a plain vector load cached in the CU's L1; agent scope must see other CUs' writes,
/// so it misses the L1 (gfx90a: glc; gfx94x/gfx950: sc1); system scope must also see the host's
/// (gfx94x/gfx950: sc0 sc1). Using an atomic also keeps the compiler from turning a load whose
/// address it can prove wave-uniform into a scalar (s_load) load through the scalar cache, which
/// a plain load of a uniform pointer becomes. tests/isa/isa_amd_latency.sh checks the bits.
///
/// Device functions exist only in GPU compilations; the enum and its names are host-usable
/// everywhere.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <cstdint>
#include <string_view>

AACO_NAMESPACE_BEGIN
namespace arch {

/// Cache policy of a pointer-chase load (see the table in this file's header).
enum class chase_policy {
    l1,     ///< cached in L1 (NVIDIA .ca; AMD plain vector load)
    l2,     ///< L1 bypassed, cached in L2 (NVIDIA .cg; AMD agent scope)
    system, ///< fetched again on every load: mapped host memory (NVIDIA .cv; AMD system scope)
};

/// Short name of a chase policy ("l1", "l2", "system").
constexpr std::string_view to_string(chase_policy p) {
    switch (p) {
    case chase_policy::l1: return "l1";
    case chase_policy::l2: return "l2";
    case chase_policy::system: return "system";
    }
    throw invalid_argument("aaco::arch::to_string: unknown chase_policy value");
}

/// The instruction a chase policy compiles to on the backend being compiled, for method strings.
constexpr std::string_view chase_instruction(chase_policy p) {
#if AACO_BACKEND_HIP
    switch (p) {
    case chase_policy::l1: return "global_load_dwordx2";
    case chase_policy::l2: return "global_load_dwordx2 (agent scope: glc / sc1)";
    case chase_policy::system: return "global_load_dwordx2 (system scope: glc / sc0 sc1)";
    }
#else
    switch (p) {
    case chase_policy::l1: return "ld.global.ca.u64";
    case chase_policy::l2: return "ld.global.cg.u64";
    case chase_policy::system: return "ld.global.cv.u64";
    }
#endif
    throw invalid_argument("aaco::arch::chase_instruction: unknown chase_policy value");
}

/// The shared-memory chase instruction of the backend being compiled.
constexpr std::string_view shared_chase_instruction() {
#if AACO_BACKEND_HIP
    return "ds_read_b32";
#else
    return "ld.shared.u32";
#endif
}

#if AACO_BACKEND_CUDA

/// One chase step in global memory: returns the 8-byte value at address `p` (the next address),
/// loaded with policy `P`. volatile: every step executes, in order with the clock reads.
template <chase_policy P>
AACO_DEVICE inline std::uint64_t chase_load(std::uint64_t p) {
    std::uint64_t v = 0;
#if AACO_DEVICE_PASS
    if constexpr (P == chase_policy::l1)
        asm volatile("ld.global.ca.u64 %0, [%1];" : "=l"(v) : "l"(p));
    else if constexpr (P == chase_policy::l2)
        asm volatile("ld.global.cg.u64 %0, [%1];" : "=l"(v) : "l"(p));
    else
        asm volatile("ld.global.cv.u64 %0, [%1];" : "=l"(v) : "l"(p));
#else
    (void)p;
#endif
    return v;
}

/// One chase step in shared memory: the 4-byte value at shared-window address `a`.
AACO_DEVICE inline std::uint32_t chase_load_shared(std::uint32_t a) {
    std::uint32_t v = 0;
#if AACO_DEVICE_PASS
    asm volatile("ld.shared.u32 %0, [%1];" : "=r"(v) : "r"(a));
#else
    (void)a;
#endif
    return v;
}

/// The shared-window address of `p`, which points into __shared__ memory.
AACO_DEVICE inline std::uint32_t shared_address(const void* p) {
#if AACO_DEVICE_PASS
    return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
#else
    (void)p;
    return 0;
#endif
}

#elif AACO_BACKEND_HIP

namespace detail {
/// A global (address space 1) and an LDS (address space 3) pointer: loads through them are
/// global_load / ds_read, never flat_load.
typedef const __attribute__((address_space(1))) std::uint64_t* global_u64_ptr;
typedef const __attribute__((address_space(3))) std::uint32_t* lds_u32_ptr;
typedef const __attribute__((address_space(3))) void* lds_void_ptr;
} // namespace detail

/// One chase step in global memory: returns the 8-byte value at address `p` (the next address),
/// loaded as a relaxed atomic of the scope that gives policy `P` its cache bits.
template <chase_policy P>
AACO_DEVICE inline std::uint64_t chase_load(std::uint64_t p) {
    const auto q = reinterpret_cast<detail::global_u64_ptr>(static_cast<std::uintptr_t>(p));
    if constexpr (P == chase_policy::l1)
        return __hip_atomic_load(q, __ATOMIC_RELAXED, __HIP_MEMORY_SCOPE_WAVEFRONT);
    else if constexpr (P == chase_policy::l2)
        return __hip_atomic_load(q, __ATOMIC_RELAXED, __HIP_MEMORY_SCOPE_AGENT);
    else
        return __hip_atomic_load(q, __ATOMIC_RELAXED, __HIP_MEMORY_SCOPE_SYSTEM);
}

/// One chase step in LDS: the 4-byte value at LDS address `a` (ds_read_b32).
AACO_DEVICE inline std::uint32_t chase_load_shared(std::uint32_t a) {
    return *reinterpret_cast<detail::lds_u32_ptr>(static_cast<std::uintptr_t>(a));
}

/// The LDS address of `p`, which points into __shared__ memory.
AACO_DEVICE inline std::uint32_t shared_address(const void* p) {
    return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>((detail::lds_void_ptr)p));
}

#endif

} // namespace arch
AACO_NAMESPACE_END
