/// \file kernels/latency.hpp
/// \brief The pointer-chase latency kernels and their runner ("latency.<level>"): load-to-use
/// latency of L1, shared memory / LDS, L2, the last-level cache, HBM and mapped host memory.
///
/// **Layout.** The working set is cut into slots `stride` bytes apart (128 B in global memory:
/// one L2 line on NVIDIA and AMD, and a whole L1 line on both, so no two slots share a line or a
/// sector and no load brings in a later slot's data; 4 B in shared memory, which has no lines).
/// Each slot holds the address of the next one, and the order is one random cycle through every
/// slot (chase_cycle: a Fisher-Yates shuffle of the slots, each pointing at the one after it),
/// so a walk visits every slot once per lap and the next address is never a stride or a
/// neighbour that a prefetcher could guess. Global slots hold full 8-byte addresses and shared
/// slots 4-byte shared-window addresses, so nothing but the load lies between one load and the
/// next: the address of each load is the value the previous one returned.
///
/// **Timing.** One block of `lanes` threads (1, or one warp/wavefront with every lane on its own
/// part of the cycle) walks `warm_hops` untimed hops, which leaves every slot of a working set
/// meant to hit in its level, then two timed walks of `hops` hops each: a loop of one load per
/// iteration and a loop of `Unroll` dependent loads per iteration. Thread 0 reads the SM/CU
/// cycle counter and the wall clock (arch/clock.hpp) around each. A loop iteration costs the
/// load's latency plus whatever part of the loop's own work (counter, compare, branch, and on
/// AMD the wait placement) does not overlap the outstanding load, o per iteration. The
/// one-load loop takes L + o per load, the unrolled one L + o / Unroll, so
///     o = (T1 - TU) x Unroll / (Unroll - 1),   L = T1 - o = (Unroll x TU - T1) / (Unroll - 1),
/// measured in the same launch (chase_sample_from()). The fixed cost of each timed region (the
/// clock reads, the one load still in flight when the region ends) is the same for both loops
/// and below 0.1% of either with hops >= 4096. The clock that converts cycles to nanoseconds is
/// the same launch's: cycles over wall-clock nanoseconds of both timed regions.
///
/// **Verification.** Every lane writes where its walk ended; the runner compares it with the
/// slot the host-side cycle says it must be (warm + 2 x hops hops after its start), so a chase
/// that skipped or reordered a load cannot pass, and the compiler cannot drop the walk. Each
/// launch continues where the last one stopped, so a working set meant to miss a cache is not
/// walked over the same few slots twice.
///
/// **Near and far L2 partition (H100/H200, A100).** chase_profile_kernel also times every load
/// of one more walk on its own (cycles between consecutive loads, kept in shared memory), through
/// a working set of 5/8 of L2 (larger than one partition, inside both). The per-load times split
/// into two classes (stats/latency_classes.hpp); probes/latency.hpp turns them into the "near"
/// and "far" figures.
#pragma once
#include <aaco/arch/chase_load.hpp>
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/units.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP
#include <aaco/arch/clock.hpp>
#include <aaco/backend/backend.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {

// =============================================================================================
// Host side (every build): the cycle, the plan of levels, the arithmetic of one sample
// =============================================================================================

/// Dependent loads per iteration of the unrolled timed loop. Untuned: chosen because with 8 the
/// unrolled loop carries 1/8 of the loop overhead, so the difference to the one-load loop is 7/8
/// of it, while the loop body stays small.
inline constexpr int chase_unroll = 8;
/// Distance between global-memory slots: one 128-byte L2 line (NVIDIA; AMD CDNA2/3), which also
/// covers an L1 line on both (128 B NVIDIA, 64/128 B AMD), so each load touches its own line.
inline constexpr std::uint64_t chase_line_bytes = 128;
/// Distance between shared-memory slots: one 4-byte word (shared memory has no lines to avoid).
inline constexpr std::uint64_t shared_chase_stride_bytes = 4;
/// Slots of the shared-memory chase: 8 KiB, which fits any block's static shared memory.
inline constexpr std::uint32_t shared_chase_slots = 2048;
/// Loads timed one by one per launch of chase_profile_kernel: 32 KiB of 4-byte times in shared
/// memory. Untuned: chosen because 8192 loads give each of two classes thousands of samples.
inline constexpr std::uint32_t profile_hops = 8192;
/// Fewest timed hops per loop: the fixed cost of a timed region (clock reads, the last load in
/// flight) stays below 0.1% of it.
inline constexpr std::uint64_t min_chase_hops = 4096;
/// The most hops a warm-up walks: 2^21 covers a chain of 256 MiB of 128-byte slots. Larger
/// chains (latency sweep points far past every cache) are warmed only that far. Untuned: chosen
/// because at ~1 us per load on the slowest levels it bounds a warm-up to ~2 s.
inline constexpr std::uint64_t max_warm_hops = std::uint64_t{1} << 21;
/// Chains of at most this many slots are walked once more before every launch (the L1 of an SM
/// does not keep its contents from one kernel to the next); larger ones only before the first.
inline constexpr std::uint64_t rewarm_slots = 8192;

/// Where the chain lives.
enum class chase_space {
    device,      ///< device memory (L1, L2, LLC, HBM)
    mapped_host, ///< mapped pinned host memory, read over the link
    shared,      ///< shared memory / LDS of the block
};

constexpr std::string_view to_string(chase_space s) {
    switch (s) {
    case chase_space::device: return "device";
    case chase_space::mapped_host: return "mapped_host";
    case chase_space::shared: return "shared";
    }
    throw invalid_argument("aaco::kernels::to_string: unknown chase_space value");
}

namespace detail {

/// "8.0 KiB", "6.2 MiB", "1.00 GiB".
inline std::string chase_size_text(std::uint64_t bytes) {
    char buf[48];
    if (bytes >= gib)
        std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / static_cast<double>(gib));
    else if (bytes >= mib)
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / static_cast<double>(mib));
    else
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / static_cast<double>(kib));
    return buf;
}

} // namespace detail

/// One random cycle through `slots` slots: order() lists the slots in the order a walk visits
/// them, next(s) is the slot after s, and the slot after the last of order() is its first. So a
/// walk from any slot visits every slot exactly once before it returns.
class chase_cycle {
public:
    chase_cycle() = default;
    /// A cycle through `slots` slots (1 <= slots < 2^32), shuffled by `seed`.
    chase_cycle(std::uint64_t slots, std::uint64_t seed) {
        if (slots == 0 || slots > 0xFFFFFFFFull)
            throw invalid_argument("chase_cycle: slots must be in [1, 2^32 - 1], got " + std::to_string(slots));
        const auto n = static_cast<std::uint32_t>(slots);
        order_.resize(n);
        for (std::uint32_t i = 0; i < n; ++i) order_[i] = i;
        // Fisher-Yates with the standard's fully specified 64-bit Mersenne Twister, so a seed gives
        // the same cycle with every standard library.
        std::mt19937_64 rng(seed);
        for (std::uint32_t i = n - 1; i > 0; --i) {
            const auto j = static_cast<std::uint32_t>(rng() % (static_cast<std::uint64_t>(i) + 1));
            std::swap(order_[i], order_[j]);
        }
        next_.resize(n);
        for (std::uint32_t k = 0; k < n; ++k) next_[order_[k]] = order_[k + 1 < n ? k + 1 : 0];
    }

    std::uint32_t slots() const noexcept { return static_cast<std::uint32_t>(order_.size()); }
    /// The slot at `position` of the walk (positions wrap around the cycle).
    std::uint32_t slot_at(std::uint64_t position) const { return order_.at(position % order_.size()); }
    /// The slot after `slot`.
    std::uint32_t next(std::uint32_t slot) const { return next_.at(slot); }
    /// next(s) for every slot s: what slot s holds (as an index).
    const std::vector<std::uint32_t>& next_table() const noexcept { return next_; }

private:
    std::vector<std::uint32_t> order_;
    std::vector<std::uint32_t> next_;
};

/// One latency figure to measure: a level, where its chain lives and how it is loaded.
struct latency_plan {
    memory_level level = memory_level::hbm;
    std::string scope;            ///< "", or "near"/"far" (see l2_partition_plan)
    chase_space space = chase_space::device;
    arch::chase_policy policy = arch::chase_policy::l2;
    std::uint64_t working_set_bytes = 0; ///< slots x stride
    std::uint64_t stride_bytes = chase_line_bytes;
    /// Walk the whole cycle before timing (a level meant to hit). Off for HBM and the host link,
    /// whose working sets are meant to miss every cache anyway.
    bool warm = true;
    std::string note;             ///< why the size is what it is
    /// Slots of the chain.
    std::uint64_t slots() const { return stride_bytes ? working_set_bytes / stride_bytes : 0; }
};

namespace detail {

/// L2 that one chasing thread can use: one XCD's 4 MiB on CDNA3/CDNA4 (whatever the runtime
/// reports), else the device's L2.
inline std::uint64_t chaser_l2_bytes(const device_info& dev) {
    const bool xcd = dev.vendor == "AMD" && (dev.arch.rfind("gfx94", 0) == 0 || dev.arch == "gfx950");
    return xcd ? std::min<std::uint64_t>(dev.l2_bytes, 4 * mib) : dev.l2_bytes;
}

/// `bytes` rounded down to whole slots of `stride`, at least one slot.
inline std::uint64_t whole_slots(std::uint64_t bytes, std::uint64_t stride) {
    return std::max<std::uint64_t>(bytes / stride, 1) * stride;
}

/// Free device memory the HBM chain leaves untouched (runtime, other buffers). Untuned: the
/// same 256 MiB reserve as the stream probe's.
inline constexpr std::uint64_t latency_reserve_bytes = 256 * mib;

} // namespace detail

/// Mapped host memory the host-link chase walks through: 64 MiB, more than any L2 (so even a
/// cache that kept host lines could not hold it) and small enough to pin anywhere.
inline constexpr std::uint64_t host_chase_bytes = 64 * mib;

/// The latency figures a calibration measures on `dev`, in report order, with their working
/// sets (`free_device_bytes`: free device memory now, which bounds the HBM chain):
/// - l1: 8 KiB (64 lines), well inside the smallest L1 of the parts aaco knows (16 KiB, gfx90a);
/// - shared: 8 KiB of shared memory / LDS;
/// - l2: half of the L2 one thread can use on AMD (one XCD's on MI300), an eighth of it on
///   NVIDIA (inside one of Hopper's and A100's two L2 partitions, like the bandwidth probe's L2
///   set);
/// - llc (where the device has a cache behind L2): a quarter of it, far above any one XCD's L2;
/// - hbm: 4 x (L2 + LLC), reduced to half of the free memory above a reserve when it must be;
/// - h2d: 64 MiB of mapped pinned host memory, loaded over the link.
/// A level the device lacks (no L2 size, no memory left) is left out; the note says why.
inline std::vector<latency_plan> latency_levels(const device_info& dev, std::uint64_t free_device_bytes) {
    std::vector<latency_plan> out;
    latency_plan l1;
    l1.level = memory_level::l1;
    l1.policy = arch::chase_policy::l1;
    l1.working_set_bytes = 8 * kib;
    l1.note = "8 KiB: inside the smallest L1 / vector cache (16 KiB)";
    out.push_back(l1);

    latency_plan shared;
    shared.level = memory_level::shared;
    shared.space = chase_space::shared;
    shared.stride_bytes = shared_chase_stride_bytes;
    shared.working_set_bytes = shared_chase_slots * shared_chase_stride_bytes;
    shared.note = "8 KiB of shared memory / LDS";
    out.push_back(shared);

    const std::uint64_t l2 = detail::chaser_l2_bytes(dev);
    if (l2 > 0) {
        latency_plan p;
        p.level = memory_level::l2;
        const bool amd = dev.vendor == "AMD";
        p.working_set_bytes = detail::whole_slots(amd ? l2 / 2 : l2 / 8, chase_line_bytes);
        p.note = amd ? "half of the L2 one CU uses (one XCD's on MI300)"
                     : "an eighth of L2: inside one of the two L2 partitions";
        out.push_back(p);
    }
    if (dev.llc_bytes > 0) {
        latency_plan p;
        p.level = memory_level::llc;
        p.working_set_bytes = detail::whole_slots(dev.llc_bytes / 4, chase_line_bytes);
        p.note = "a quarter of the last-level cache";
        out.push_back(p);
    }
    {
        latency_plan p;
        p.level = memory_level::hbm;
        p.warm = false;
        const std::uint64_t caches = dev.l2_bytes + dev.llc_bytes;
        const std::uint64_t target = detail::whole_slots(4 * std::max<std::uint64_t>(caches, 16 * mib), chase_line_bytes);
        const std::uint64_t usable = free_device_bytes > detail::latency_reserve_bytes
                                         ? (free_device_bytes - detail::latency_reserve_bytes) / 2
                                         : 0;
        p.working_set_bytes = std::min(target, usable / chase_line_bytes * chase_line_bytes);
        p.note = "4x (L2 + LLC)";
        if (p.working_set_bytes < target)
            p.note = "reduced from " + detail::chase_size_text(target) + " to fit half of the free device memory";
        if (p.working_set_bytes >= 2 * caches && p.working_set_bytes > 0) out.push_back(p);
    }
    latency_plan host;
    host.level = memory_level::host_to_device;
    host.space = chase_space::mapped_host;
    host.policy = arch::chase_policy::system;
    host.working_set_bytes = host_chase_bytes;
    host.warm = false;
    host.note = "64 MiB of mapped pinned host memory, every load over the host link";
    out.push_back(host);
    return out;
}

/// The per-load profile that splits L2 into its near and far partition, where the device has
/// two (NVIDIA A100 sm_80, H100/H200 sm_90): a chain through 5/8 of L2, more than one partition
/// can hold, inside both. nullopt elsewhere (AMD: one L2 per XCD, every CU at the same distance).
inline std::optional<latency_plan> l2_partition_plan(const device_info& dev) {
    if (dev.vendor != "NVIDIA" || (dev.arch != "sm_80" && dev.arch != "sm_90") || dev.l2_bytes == 0)
        return std::nullopt;
    latency_plan p;
    p.level = memory_level::l2;
    p.working_set_bytes = detail::whole_slots(dev.l2_bytes / 8 * 5, chase_line_bytes);
    p.note = "5/8 of L2: more than one of its two partitions holds, inside both";
    return p;
}

/// What thread 0 of a chase kernel records: cycles and wall-clock nanoseconds of the one-load
/// loop and of the unrolled loop.
struct chase_record {
    std::uint64_t rolled_cycles = 0, unrolled_cycles = 0;
    std::uint64_t rolled_ns = 0, unrolled_ns = 0;
};

/// One launch turned into figures.
struct chase_sample {
    double cycles = 0;          ///< load-to-use latency, loop overhead subtracted
    double ns = 0;              ///< the same in nanoseconds, at `clock_mhz`
    double clock_mhz = 0;       ///< this launch's SM/CU clock: cycles over ns of both timed loops
    double overhead_cycles = 0; ///< loop overhead per iteration that did not overlap the load
    double seconds = 0;         ///< wall time of both timed loops
};

/// The figures of one launch that timed `hops` hops in each loop, the second with `unroll`
/// loads per iteration (see the file header). Throws invalid_argument for hops == 0 or
/// unroll < 2, and aaco::error when a clock did not advance or the latency comes out <= 0
/// (a timer or kernel that did not do what it counts).
inline chase_sample chase_sample_from(const chase_record& r, std::uint64_t hops, int unroll = chase_unroll) {
    if (hops == 0) throw invalid_argument("chase_sample_from: hops must be > 0");
    if (unroll < 2) throw invalid_argument("chase_sample_from: unroll must be >= 2, got " + std::to_string(unroll));
    if (r.rolled_cycles == 0 || r.unrolled_cycles == 0 || r.rolled_ns == 0 || r.unrolled_ns == 0)
        throw error("latency chase: a clock did not advance (cycles " + std::to_string(r.rolled_cycles) + " / " +
                    std::to_string(r.unrolled_cycles) + ", ns " + std::to_string(r.rolled_ns) + " / " +
                    std::to_string(r.unrolled_ns) + ")");
    const double h = static_cast<double>(hops);
    const double u = static_cast<double>(unroll);
    const double t1 = static_cast<double>(r.rolled_cycles) / h;
    const double tu = static_cast<double>(r.unrolled_cycles) / h;
    chase_sample s;
    s.overhead_cycles = (t1 - tu) * u / (u - 1);
    s.cycles = t1 - s.overhead_cycles;
    if (!(s.cycles > 0))
        throw error("latency chase: the loop-overhead-corrected latency is not positive (" + std::to_string(t1) +
                    " cycles per load in the one-load loop, " + std::to_string(tu) + " in the unrolled one)");
    const double ns = static_cast<double>(r.rolled_ns) + static_cast<double>(r.unrolled_ns);
    s.clock_mhz = (static_cast<double>(r.rolled_cycles) + static_cast<double>(r.unrolled_cycles)) / ns * 1e3;
    s.ns = s.cycles / s.clock_mhz * 1e3;
    s.seconds = ns * 1e-9;
    return s;
}

/// Hops per timed loop so that one loop lasts about `target_seconds` at `ns_per_hop`: at least
/// min_chase_hops, a multiple of chase_unroll, at most 2^30.
inline std::uint64_t chase_hops_for(double ns_per_hop, double target_seconds) {
    if (!(ns_per_hop > 0) || !(target_seconds > 0)) return min_chase_hops;
    const double want = std::ceil(target_seconds * 1e9 / ns_per_hop);
    const double capped = std::min(want, static_cast<double>(std::uint64_t{1} << 30));
    const auto hops = std::max<std::uint64_t>(min_chase_hops, static_cast<std::uint64_t>(capped));
    return (hops + chase_unroll - 1) / chase_unroll * chase_unroll;
}

// =============================================================================================
// Device side
// =============================================================================================
#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP

namespace detail {

/// Arguments of one chase launch.
struct chase_params {
    const std::uint64_t* starts = nullptr; ///< per lane: start address (global) or slot (shared)
    std::uint64_t* finals = nullptr;       ///< per lane: where the walk ended, same kind
    chase_record* record = nullptr;        ///< written by thread 0
    std::uint64_t warm_hops = 0;           ///< untimed hops first
    std::uint64_t hops = 0;                ///< timed hops of each loop (a multiple of the unroll)
    const std::uint32_t* next = nullptr;   ///< shared chase: next slot of every slot
    std::uint32_t slots = 0;               ///< shared chase: slots of the chain
    std::uint32_t* hop_cycles = nullptr;   ///< profile: profile_hops per-load times (cycles)
};

/// A chase step through global memory with policy P.
template <arch::chase_policy P>
struct global_step {
    using address = std::uint64_t;
    static AACO_DEVICE address load(address p) { return arch::chase_load<P>(p); }
};

/// A chase step through shared memory.
struct shared_step {
    using address = std::uint32_t;
    static AACO_DEVICE address load(address a) { return arch::chase_load_shared(a); }
};

/// `hops` dependent loads, one per loop iteration (kept rolled: the ISA tests count one load in
/// this loop).
template <class Step>
AACO_DEVICE inline typename Step::address walk(typename Step::address p, std::uint64_t hops) {
#pragma unroll 1
    for (std::uint64_t k = hops; k != 0; --k) p = Step::load(p);
    return p;
}

/// `groups` x Unroll dependent loads, Unroll per loop iteration.
template <class Step, int Unroll>
AACO_DEVICE inline typename Step::address walk_unrolled(typename Step::address p, std::uint64_t groups) {
#pragma unroll 1
    for (std::uint64_t k = groups; k != 0; --k) {
#pragma unroll
        for (int u = 0; u < Unroll; ++u) p = Step::load(p);
    }
    return p;
}

/// The warm-up walk and the two timed loops (see the file header); thread 0 records the clocks.
template <class Step, int Unroll>
AACO_DEVICE inline typename Step::address timed_chase(typename Step::address p, const chase_params& prm) {
    p = walk<Step>(p, prm.warm_hops);
    const std::uint64_t c0 = arch::sm_cycles();
    const std::uint64_t t0 = arch::global_ns();
    p = walk<Step>(p, prm.hops);
    const std::uint64_t c1 = arch::sm_cycles();
    const std::uint64_t t1 = arch::global_ns();
    p = walk_unrolled<Step, Unroll>(p, prm.hops / Unroll);
    const std::uint64_t c2 = arch::sm_cycles();
    const std::uint64_t t2 = arch::global_ns();
    if (threadIdx.x == 0) {
        chase_record r;
        r.rolled_cycles = c1 - c0;
        r.unrolled_cycles = c2 - c1;
        r.rolled_ns = t1 - t0;
        r.unrolled_ns = t2 - t1;
        *prm.record = r;
    }
    return p;
}

} // namespace detail

/// Writes the chain into device memory: slot i (at base + i x stride) holds the address of slot
/// next[i]. Grid-stride over the `slots` slots.
template <class Word>
AACO_KERNEL void chase_fill_kernel(Word* base, const std::uint32_t* next, std::uint64_t slots,
                                   std::uint64_t stride_bytes) {
    const std::uint64_t stride_words = stride_bytes / sizeof(Word);
    const auto first = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const auto step = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
    const auto address = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(base));
    for (std::uint64_t i = first; i < slots; i += step)
        base[i * stride_words] = static_cast<Word>(address + static_cast<std::uint64_t>(next[i]) * stride_bytes);
}

/// Pointer chase through global memory (device or mapped host) with load policy P. Launch one
/// block of 1 to 64 lanes; lane i starts at prm.starts[i].
template <arch::chase_policy P, int Unroll>
AACO_KERNEL void chase_global_kernel(detail::chase_params prm) {
    std::uint64_t p = prm.starts[threadIdx.x];
    p = detail::timed_chase<detail::global_step<P>, Unroll>(p, prm);
    prm.finals[threadIdx.x] = p;
}

/// Pointer chase through shared memory / LDS: the block builds the chain of prm.slots 4-byte
/// slots from prm.next, then chases it. Starts and finals are slot indices.
template <int Unroll>
AACO_KERNEL void chase_shared_kernel(detail::chase_params prm) {
    __shared__ std::uint32_t slots[shared_chase_slots];
    const std::uint32_t base = arch::shared_address(slots);
    for (std::uint32_t i = threadIdx.x; i < prm.slots; i += blockDim.x)
        slots[i] = base + prm.next[i] * static_cast<std::uint32_t>(shared_chase_stride_bytes);
    __syncthreads();
    std::uint32_t a = base + static_cast<std::uint32_t>(prm.starts[threadIdx.x]) *
                                 static_cast<std::uint32_t>(shared_chase_stride_bytes);
    a = detail::timed_chase<detail::shared_step, Unroll>(a, prm);
    prm.finals[threadIdx.x] = (a - base) / static_cast<std::uint32_t>(shared_chase_stride_bytes);
}

/// As chase_global_kernel (one thread), then one more walk of profile_hops loads timed one by
/// one: the cycle counter is read after each load is issued, so the difference between two
/// readings is the time the next load waited for this one's value (its latency) plus a fixed
/// cost. The times go to shared memory during the walk (no global store competes with the
/// loads) and to prm.hop_cycles after it.
template <arch::chase_policy P, int Unroll>
AACO_KERNEL void chase_profile_kernel(detail::chase_params prm) {
    __shared__ std::uint32_t times[profile_hops];
    std::uint64_t p = prm.starts[0];
    p = detail::timed_chase<detail::global_step<P>, Unroll>(p, prm);
    std::uint64_t before = arch::sm_cycles();
#pragma unroll 1
    for (std::uint32_t k = 0; k < profile_hops; ++k) {
        p = arch::chase_load<P>(p);
        const std::uint64_t now = arch::sm_cycles();
        times[k] = static_cast<std::uint32_t>(now - before);
        before = now;
    }
    for (std::uint32_t k = 0; k < profile_hops; ++k) prm.hop_cycles[k] = times[k];
    prm.finals[0] = p;
}

/// Runs the chase of one latency_plan: builds the chain, launches, verifies every launch and
/// turns it into a chase_sample.
class chase_runner {
public:
    /// `lanes`: 1 (one thread) or up to 64 (one warp/wavefront, each lane on its own part of
    /// the cycle). `seed` shuffles the cycle.
    chase_runner(latency_plan plan, unsigned lanes, std::uint64_t seed = 0x5eed1a7e)
        : plan_(std::move(plan)), lanes_(lanes), seed_(seed) {
        if (lanes_ == 0 || lanes_ > 64)
            throw invalid_argument("chase_runner: lanes must be in [1, 64], got " + std::to_string(lanes_));
        if (plan_.space == chase_space::shared && plan_.stride_bytes != shared_chase_stride_bytes)
            throw invalid_argument("chase_runner: the shared chain's stride is " +
                                   std::to_string(shared_chase_stride_bytes) + " bytes, got " +
                                   std::to_string(plan_.stride_bytes));
        if (plan_.space != chase_space::shared && (plan_.stride_bytes == 0 || plan_.stride_bytes % 8 != 0))
            throw invalid_argument("chase_runner: a global chain's stride must be a positive multiple of 8 bytes, got " +
                                   std::to_string(plan_.stride_bytes));
        if (plan_.space == chase_space::shared && plan_.slots() > shared_chase_slots)
            throw invalid_argument("chase_runner: a shared chain holds at most " + std::to_string(shared_chase_slots) +
                                   " slots, got " + std::to_string(plan_.slots()));
        if (plan_.slots() < lanes_)
            throw invalid_argument("chase_runner: " + std::to_string(plan_.slots()) + " slots for " +
                                   std::to_string(lanes_) + " lanes; each lane needs its own");
    }

    /// "latency.l2", "latency.hbm", ...
    std::string key() const { return "latency." + std::string(to_string(plan_.level)); }
    const latency_plan& plan() const noexcept { return plan_; }
    unsigned lanes() const noexcept { return lanes_; }

    /// What is chased, for the figure's method string.
    std::string method() const {
        const std::string instr = plan_.space == chase_space::shared ? std::string(arch::shared_chase_instruction())
                                                                      : std::string(arch::chase_instruction(plan_.policy));
        std::string who = lanes_ == 1 ? "1 thread" : "1 warp of " + std::to_string(lanes_) + " lanes, one chain each";
        std::string where = plan_.space == chase_space::mapped_host ? "mapped pinned host memory"
                            : plan_.space == chase_space::shared    ? "shared memory"
                                                                    : "device memory";
        return instr + " pointer chase, " + who + ", one random cycle through " + std::to_string(plan_.slots()) +
               " slots " + std::to_string(plan_.stride_bytes) + " B apart (" +
               detail::chase_size_text(plan_.working_set_bytes) + " of " + where + ")";
    }

    /// Builds the cycle and writes the chain. Throws on allocation failure.
    void prepare() {
        const std::uint64_t n = plan_.slots();
        cycle_ = chase_cycle(n, seed_);
        lane_position_.assign(lanes_, 0);
        for (unsigned l = 0; l < lanes_; ++l) lane_position_[l] = static_cast<std::uint64_t>(l) * n / lanes_;
        starts_ = backend::device_buffer<std::uint64_t>(lanes_);
        finals_ = backend::device_buffer<std::uint64_t>(lanes_);
        record_ = backend::device_buffer<chase_record>(1);
        if (plan_.space == chase_space::shared) {
            next_ = backend::device_buffer<std::uint32_t>(n);
            next_.copy_from_host(cycle_.next_table().data(), n);
        } else if (plan_.space == chase_space::device) {
            chain_ = backend::device_buffer<std::uint64_t>(plan_.working_set_bytes / 8);
            backend::device_buffer<std::uint32_t> next(n);
            next.copy_from_host(cycle_.next_table().data(), n);
            const unsigned blocks = static_cast<unsigned>(std::min<std::uint64_t>((n + 255) / 256, 4096));
            chase_fill_kernel<std::uint64_t><<<blocks, 256>>>(chain_.data(), next.data(), n, plan_.stride_bytes);
            AACO_BACKEND_CHECK_LAUNCH("chase_fill_kernel");
            backend::synchronize();
        } else {
            host_chain_ = backend::mapped_buffer<std::uint64_t>(plan_.working_set_bytes / 8);
            const std::uint64_t base = device_base();
            const std::uint64_t words = plan_.stride_bytes / 8;
            const std::vector<std::uint32_t>& next = cycle_.next_table();
            for (std::uint64_t i = 0; i < n; ++i) host_chain_.host()[i * words] = base + next[i] * plan_.stride_bytes;
        }
        warmed_ = false;
    }

    /// One launch on `s` timing `hops` hops per loop (rounded up to a multiple of chase_unroll),
    /// verified. With `per_load` (one lane, device memory, l2 policy), runs chase_profile_kernel and
    /// returns the profile_hops per-load times in it. Throws aaco::error when a lane ended
    /// anywhere but where the cycle says.
    chase_sample launch(backend::stream& s, std::uint64_t hops, std::vector<std::uint32_t>* per_load = nullptr) {
        if (cycle_.slots() == 0) throw invalid_argument(key() + ": launch before prepare");
        hops = std::max<std::uint64_t>((hops + chase_unroll - 1) / chase_unroll * chase_unroll, chase_unroll);
        const std::uint64_t n = cycle_.slots();
        const bool rewarm = plan_.warm && (!warmed_ || n <= rewarm_slots);
        detail::chase_params prm;
        prm.warm_hops = rewarm ? std::min(n, max_warm_hops) : 0;
        prm.hops = hops;
        prm.starts = starts_.data();
        prm.finals = finals_.data();
        prm.record = record_.data();
        std::vector<std::uint64_t> starts(lanes_);
        for (unsigned l = 0; l < lanes_; ++l) starts[l] = slot_value(cycle_.slot_at(lane_position_[l]));
        starts_.copy_from_host(starts.data(), lanes_);
        const auto stream = static_cast<backend::native_stream>(s.get());
        std::uint64_t extra = 0; // hops beyond warm + 2 x hops
        if (per_load) {
            if (lanes_ != 1 || plan_.space != chase_space::device)
                throw invalid_argument(key() + ": per-load profiles need one lane in device memory");
            if (hop_cycles_.empty()) hop_cycles_ = backend::device_buffer<std::uint32_t>(profile_hops);
            prm.hop_cycles = hop_cycles_.data();
            extra = profile_hops;
            launch_profile(prm, stream);
        } else {
            launch_chase(prm, stream);
        }
        backend::synchronize(); // the copies below do not order against a non-blocking stream
        warmed_ = true;
        std::vector<std::uint64_t> finals(lanes_);
        finals_.copy_to_host(finals.data(), lanes_);
        chase_record rec;
        record_.copy_to_host(&rec, 1);
        const std::uint64_t walked = prm.warm_hops + 2 * hops + extra;
        for (unsigned l = 0; l < lanes_; ++l) {
            const std::uint32_t want_slot = cycle_.slot_at(lane_position_[l] + walked);
            if (finals[l] != slot_value(want_slot)) {
                char buf[320];
                std::snprintf(buf, sizeof buf,
                              "%s: lane %u ended at 0x%llx after %llu hops, expected slot %u (0x%llx): the chase "
                              "did not follow the chain",
                              key().c_str(), l, static_cast<unsigned long long>(finals[l]),
                              static_cast<unsigned long long>(walked), want_slot,
                              static_cast<unsigned long long>(slot_value(want_slot)));
                throw error(buf);
            }
            lane_position_[l] = (lane_position_[l] + walked) % n;
        }
        if (per_load) {
            per_load->resize(profile_hops);
            hop_cycles_.copy_to_host(per_load->data(), profile_hops);
        }
        return chase_sample_from(rec, hops);
    }

private:
    /// The device address of slot 0 of a global chain.
    std::uint64_t device_base() const {
        if (plan_.space == chase_space::mapped_host)
            return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(host_chain_.device()));
        return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(chain_.data()));
    }
    /// What a lane's pointer is when it stands on `slot`: an address, or the index (shared).
    std::uint64_t slot_value(std::uint32_t slot) const {
        if (plan_.space == chase_space::shared) return slot;
        return device_base() + static_cast<std::uint64_t>(slot) * plan_.stride_bytes;
    }

    void launch_chase(detail::chase_params& prm, backend::native_stream stream) {
        prm.next = next_.data();
        prm.slots = cycle_.slots();
        if (plan_.space == chase_space::shared) {
            chase_shared_kernel<chase_unroll><<<1, lanes_, 0, stream>>>(prm);
            AACO_BACKEND_CHECK_LAUNCH("chase_shared_kernel");
            return;
        }
        switch (plan_.policy) {
        case arch::chase_policy::l1:
            chase_global_kernel<arch::chase_policy::l1, chase_unroll><<<1, lanes_, 0, stream>>>(prm);
            break;
        case arch::chase_policy::l2:
            chase_global_kernel<arch::chase_policy::l2, chase_unroll><<<1, lanes_, 0, stream>>>(prm);
            break;
        case arch::chase_policy::system:
            chase_global_kernel<arch::chase_policy::system, chase_unroll><<<1, lanes_, 0, stream>>>(prm);
            break;
        }
        AACO_BACKEND_CHECK_LAUNCH("chase_global_kernel");
    }

    /// The per-load profile exists for L2-policy chains only (what the near/far split needs).
    void launch_profile(detail::chase_params& prm, backend::native_stream stream) {
        if (plan_.policy != arch::chase_policy::l2)
            throw invalid_argument(key() + ": per-load profiles use the l2 chase policy, got " +
                                   std::string(arch::to_string(plan_.policy)));
        chase_profile_kernel<arch::chase_policy::l2, chase_unroll><<<1, 1, 0, stream>>>(prm);
        AACO_BACKEND_CHECK_LAUNCH("chase_profile_kernel");
    }

    latency_plan plan_;
    unsigned lanes_;
    std::uint64_t seed_;
    chase_cycle cycle_;
    std::vector<std::uint64_t> lane_position_;
    bool warmed_ = false;
    backend::device_buffer<std::uint64_t> chain_;
    backend::mapped_buffer<std::uint64_t> host_chain_;
    backend::device_buffer<std::uint32_t> next_;
    backend::device_buffer<std::uint64_t> starts_, finals_;
    backend::device_buffer<chase_record> record_;
    backend::device_buffer<std::uint32_t> hop_cycles_;
};

#endif // AACO_BACKEND_CUDA || AACO_BACKEND_HIP

} // namespace kernels
AACO_NAMESPACE_END
