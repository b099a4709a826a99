/// \file arch/clock.hpp
/// \brief Device-side clocks for the in-kernel sustained-clock measurement: SM/CU cycles and a
/// wall clock in nanoseconds, and the stamp pair (both, read in a fixed order) that every timed
/// kernel takes at the start and end of its loop. Sustained MHz = elapsed cycles / elapsed ns x
/// 1000; kernels/clock_record.hpp keeps one record per block and reduces them on the host.
///
/// These are instructions, not runtime calls. Functions exist only in GPU compilations
/// (AACO_BACKEND_CUDA or AACO_BACKEND_HIP); a host-only build sees only the clock_stamp type.
#pragma once
#include <aaco/config.hpp>

#include <cstdint>

AACO_NAMESPACE_BEGIN
namespace arch {
/// Both clocks, read together at one end of a timed region.
struct clock_stamp {
    std::uint64_t cycles = 0;
    std::uint64_t ns = 0;
};
} // namespace arch
AACO_NAMESPACE_END

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP
AACO_NAMESPACE_BEGIN
namespace arch {

#if AACO_BACKEND_CUDA

/// Cycles of this SM's clock (clock64: a per-SM counter at the SM clock).
AACO_DEVICE inline std::uint64_t sm_cycles() {
    return static_cast<std::uint64_t>(clock64());
}

/// Nanoseconds of the GPU global timer (%globaltimer). It may advance in steps much coarser than
/// 1 ns (up to about a microsecond, depending on GPU and driver), so time intervals of >= 100 us
/// with it.
AACO_DEVICE inline std::uint64_t global_ns() {
    std::uint64_t t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}

#else // AACO_BACKEND_HIP

/// Cycles of this CU's shader clock (s_memtime, the counter HIP's clock64() reads on gfx9).
/// Not verified on AMD hardware (none was reachable when this was written): a caller should
/// compare the resulting MHz with the runtime's max_clock_mhz before trusting it.
AACO_DEVICE inline std::uint64_t sm_cycles() {
    return static_cast<std::uint64_t>(__builtin_amdgcn_s_memtime());
}

/// Nanoseconds of the constant-rate real-time counter (s_memrealtime). It ticks at 100 MHz on
/// CDNA parts (HIP reports hipDeviceAttributeWallClockRate = 100000 kHz), so 1 tick = 10 ns.
AACO_DEVICE inline std::uint64_t global_ns() {
    constexpr std::uint64_t ns_per_tick = 10; // 100 MHz
    return static_cast<std::uint64_t>(__builtin_amdgcn_s_memrealtime()) * ns_per_tick;
}

#endif

// The two reads are nested so that the cycle interval encloses the wall-time interval: cycles
// first at the start, last at the end. The measured MHz can then only come out a few cycles
// high, never low, so a clock-adjusted efficiency errs low, never above the truth.

/// The stamp at the start of a timed region: cycles, then wall time.
AACO_DEVICE inline clock_stamp stamp_start() {
    const std::uint64_t cycles = sm_cycles();
    const std::uint64_t ns = global_ns();
    return {cycles, ns};
}

/// The stamp at the end of a timed region: wall time, then cycles.
AACO_DEVICE inline clock_stamp stamp_end() {
    const std::uint64_t ns = global_ns();
    const std::uint64_t cycles = sm_cycles();
    return {cycles, ns};
}

} // namespace arch
AACO_NAMESPACE_END
#endif // AACO_BACKEND_CUDA || AACO_BACKEND_HIP
