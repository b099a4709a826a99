/// \file kernels/stream.hpp
/// \brief Memory-ceiling stream kernels (read, write, copy, triad) for HBM, L2 and the
/// last-level cache, their runners, and the working-set sizing that picks which level a stream
/// measures. Also the router `make_stream_runner` for every memory level (shared memory and the
/// host links live in shared_memory.hpp and host_link.hpp).
///
/// How one launch works. Each array holds `n` 16-byte vectors and a launch makes `passes`
/// passes; every vector is touched exactly `passes` times per launch whatever the grid, so one
/// launch can last as long as the probe wants. Each thread keeps `InFlight` independent
/// 16-byte accesses per array in flight per step (all loads of a step are issued before any
/// store). A launch is a sequence of rounds, and within one round no two threads touch the same
/// bytes, so no access is served by a cache from another access of the same round and the bytes
/// counted are bytes the level under test really delivered. Two mappings of threads to vectors
/// (stream_mapping; detail::stream_walk is the one definition, shared by the kernel and the host
/// tests that simulate whole grids with it, tests/host/test_stream_mapping.cpp):
/// - grid_stride: a virtual index range of n x passes vectors walked grid-stride; virtual index
///   v maps to vector v mod n. A round is one step of the grid, which must not exceed the array
///   (detail::plan_stream_geometry cuts the grid where it would). The wrap-around (rather than an
///   outer pass loop) keeps every thread's loads in flight across pass boundaries.
/// - block_chunks: each pass is cut into near-equal pieces, at least one per block and at most
///   the tuning's chunk each; in every round each block streams its own piece front to back, so
///   DRAM sees fewer, longer sequential streams. For HBM only (the sweep decides whether it wins).
///
/// Slices: on AMD multi-XCD parts the L2 arrays are cut into one slice per XCD and block b walks
/// slice b mod X only (detail::xcd_count), so each XCD's L2 holds its own slice. Elsewhere there
/// is one slice.
///
/// For the cache levels the grid_stride mapping also moves each thread to different vectors
/// every step (the array length is trimmed slightly so that it does; see detail::spread_vectors),
/// so reuse that L1 could serve instead of the level under test is rare.
///
/// 16 bytes per lane is the widest global access on these GPUs (sm_90 and CDNA3 have no 32-byte
/// load); a "32 bytes per lane" variant would be two 16-byte accesses per lane, which is what
/// InFlight = 2k already issues, with every warp instruction fully coalesced, so there is none.
///
/// Tuning: one constexpr struct per vendor x level/op group (nvidia_hbm_read_tuning,
/// nvidia_hbm_write_tuning, nvidia_hbm_copy_tuning for copy and triad, nvidia_cache_stream_tuning;
/// amd_hbm_stream_tuning, amd_cache_stream_tuning). benchmarks/tune_stream prints replacements.
///
/// Verification (no result is trusted unchecked):
/// - inputs are filled on the device with word i = i mod 1021 (triad's c: i mod 509, as floats);
/// - read: every thread adds all words it loaded into a 32-bit sum and stores it; the device-wide
///   sum of those, mod 2^32, must equal passes x (sum of the array) mod 2^32;
/// - write: word i = i + seed, seed new on every launch;
/// - copy: out = in + seed (an add per word, free at these rates, so that a stale output of an
///   earlier launch is caught);
/// - triad: a = b + s x c with s = 1..8 chosen per launch; all values are small integers, so
///   the float results and their double-accumulated sum are exact.
#pragma once
#include <aaco/arch/cache_hints.hpp>
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/profiles.hpp>
#include <aaco/model/units.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP
#include <aaco/backend/backend.hpp>
#include <aaco/kernels/host_link.hpp>
#include <aaco/kernels/shared_memory.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {

// =============================================================================================
// Working-set sizing (host-only; every build)
// =============================================================================================

/// A working-set size per array, and why it is what it is when that matters.
struct working_set {
    std::uint64_t bytes = 0; ///< bytes per array (0: the level cannot be measured here)
    std::string note;        ///< empty, or why the size is not the level's target size
};

namespace detail {

/// Array sizes are multiples of this. 4 KiB: a page, and a multiple of every vector and line.
inline constexpr std::uint64_t array_granule_bytes = 4 * kib;

/// `b` rounded down to the array granule.
constexpr std::uint64_t round_to_granule(std::uint64_t b) {
    return b / array_granule_bytes * array_granule_bytes;
}

/// "512.0 MiB" / "1.50 GiB": sizes in notes and method strings.
inline std::string size_text(std::uint64_t bytes) {
    char buf[48];
    if (bytes >= gib)
        std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / static_cast<double>(gib));
    else if (bytes >= mib)
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / static_cast<double>(mib));
    else
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / static_cast<double>(kib));
    return buf;
}

inline bool is_amd(const device_info& dev) { return dev.vendor == "AMD"; }

/// True for AMD parts made of several XCDs, each with its own L2 (CDNA3 gfx94x, CDNA4 gfx950).
inline bool has_xcd_l2(const device_info& dev) {
    return is_amd(dev) && (dev.arch.rfind("gfx94", 0) == 0 || dev.arch == "gfx950");
}

/// L2 of one XCD on CDNA3/CDNA4: 4 MiB (AMD CDNA3 and CDNA4 white papers).
inline constexpr std::uint64_t cdna3_xcd_l2_bytes = 4 * mib;

/// Arrays an op touches (1 for read and write, 2 for copy, 3 for triad).
constexpr int arrays_of(stream_op op) {
    return traffic(op).arrays_read + traffic(op).arrays_written;
}

/// Free device memory aaco leaves untouched when sizing HBM arrays: room for the per-thread
/// partial sums, the reduce's temporary storage and the runtime's own needs.
/// Untuned: chosen because 256 MiB covers those (a few MiB) with a wide margin.
inline constexpr std::uint64_t hbm_reserve_bytes = 256 * mib;

/// Throws invalid_argument unless `arrays` >= 1.
inline void require_arrays(const char* function, int arrays) {
    if (arrays < 1)
        throw invalid_argument(std::string(function) + ": arrays must be >= 1, got " + std::to_string(arrays));
}

} // namespace detail

/// Per-array HBM working set: max(4 x (L2 + LLC), 1 GiB), so that caches serve a negligible
/// share of the traffic (design.md section 4), reduced to fit `arrays` arrays into
/// `free_bytes` when it must. The note says when it was reduced, and warns when the result is
/// below 4x the caches.
inline working_set hbm_working_set_bytes(const device_info& dev, std::uint64_t free_bytes,
                                         int arrays = 3) {
    detail::require_arrays("hbm_working_set_bytes", arrays);
    const std::uint64_t caches = dev.l2_bytes + dev.llc_bytes;
    const std::uint64_t target = detail::round_to_granule(std::max<std::uint64_t>(4 * caches, gib));
    const std::uint64_t reserve = detail::hbm_reserve_bytes;
    const std::uint64_t usable = free_bytes > reserve ? free_bytes - reserve : 0;
    const std::uint64_t fit = detail::round_to_granule(usable / static_cast<std::uint64_t>(arrays));
    working_set w;
    w.bytes = std::min(target, fit);
    if (w.bytes == target) return w;
    w.note = "HBM working set reduced from " + detail::size_text(target) + " to " +
             detail::size_text(w.bytes) + " per array so that " + std::to_string(arrays) +
             " array(s) fit the " + detail::size_text(free_bytes) + " of free device memory";
    if (w.bytes == 0)
        w.note += ": nothing left to measure with";
    else if (w.bytes < 4 * caches)
        w.note += "; that is below 4x the " + detail::size_text(caches) +
                  " of L2 + last-level cache, so cache hits may inflate the figure";
    return w;
}

namespace detail {

/// XCDs whose L2s a cache-level stream keeps apart on AMD multi-XCD parts: the matched datasheet
/// profile's XCD count where the device is the whole package (all its CUs: SPX mode), else 1
/// (not a multi-XCD part, or its layout is unknown: no profile matches, e.g. a CPX partition).
/// Workgroups are dispatched to the XCDs round-robin in workgroup order (ROCm composable_kernel
/// PR 3652 for MI300, iree-org/wave PR 1001 for MI350), so block b runs on XCD b mod X; a stream
/// that gives block b slice b mod X keeps each XCD's L2 to its own slice. Unverified here (no AMD
/// GPU): were the dispatch different, every XCD would see every slice, its L2 could not hold
/// them and the figure would fall, never rise.
inline std::uint32_t xcd_count(const device_info& dev) {
    if (!has_xcd_l2(dev)) return 1;
    const profile* p = match_profile(dev);
    if (!p || p->l2_partitions < 2 || dev.compute_units % p->l2_partitions != 0) return 1;
    return static_cast<std::uint32_t>(p->l2_partitions);
}

/// Slices (stream_params::groups) of a stream at `level` on `dev`: xcd_count at L2, else 1.
inline std::uint32_t stream_groups(const device_info& dev, memory_level level) {
    return level == memory_level::l2 ? xcd_count(dev) : 1;
}

/// L2 of one XCD on CDNA3/CDNA4 (the runtime reports the per-XCD size; capped at 4 MiB in case
/// a runtime reports the aggregate), else the device's L2.
inline std::uint64_t l2_instance_bytes(const device_info& dev) {
    return has_xcd_l2(dev) ? std::min(dev.l2_bytes, cdna3_xcd_l2_bytes) : dev.l2_bytes;
}

/// "memory.<level>.<op>", and "memory.l2_whole.<op>" for the whole-L2 scope.
inline std::string stream_key(memory_level level, stream_op op, memory_scope scope = memory_scope::roof) {
    return "memory." + std::string(to_string(level)) + (scope == memory_scope::whole ? "_whole" : "") + "." +
           std::string(to_string(op));
}

/// "<level> <scope>", e.g. "l2 roof", "l2 whole": how a figure's method string starts.
inline std::string scope_label(memory_level level, memory_scope scope) {
    return std::string(to_string(level)) + " " + std::string(to_string(scope));
}

} // namespace detail

/// Per-array working set of the L2 roof (memory_scope::roof): the whole working set (all
/// `arrays`) is an L2 hit at the level's best.
/// - NVIDIA: Hopper's (and A100's) L2 is two partitions; a line used by SMs on both sides can be
///   held by both, so the total is kept on the near-partition plateau: 4 MiB, at most L2 / 4.
/// - AMD multi-XCD (CDNA3/4) with a known XCD count X (detail::xcd_count): half of each XCD's L2,
///   X slices in all, each XCD's CUs reading their own (16 MiB on MI300X: 8 x 2 MiB). With X
///   unknown: half of one XCD's L2, read by every CU.
/// - AMD gfx90a/gfx908: half of the device's (GCD's) single L2.
inline working_set l2_working_set_bytes(const device_info& dev, int arrays = 3) {
    detail::require_arrays("l2_working_set_bytes", arrays);
    working_set w;
    if (dev.l2_bytes == 0) {
        w.note = "the device reports no L2 size";
        return w;
    }
    std::uint64_t total = 0;
    if (detail::is_amd(dev)) {
        const std::uint64_t l2 = detail::l2_instance_bytes(dev);
        const std::uint32_t xcds = detail::xcd_count(dev);
        total = xcds * (l2 / 2);
        if (xcds > 1)
            w.note = "L2 roof: " + detail::size_text(total) + " in all, " + detail::size_text(l2 / 2) +
                     " (half of one XCD's " + detail::size_text(l2) + " L2) in each of " + std::to_string(xcds) +
                     " XCDs, each XCD's CUs reading their own slice";
        else if (detail::has_xcd_l2(dev))
            w.note = "L2 roof: " + detail::size_text(total) + " in all, half of one XCD's " + detail::size_text(l2) +
                     " L2, read by every CU (the XCD count of this device is unknown)";
        else
            w.note = "L2 roof: " + detail::size_text(total) + " in all, half of the " + detail::size_text(l2) + " L2";
    } else {
        // Hopper/Ampere L2 is two partitions, and a line homed in the far one is also cached in
        // the near one while room allows. tune_stream on an H200 (2026-11-26, .cg loads): 13.1
        // TB/s at 3.7 MiB, 10.2 at 8 MiB, 9.9 at 15 MiB. 4 MiB in all (at most a quarter of L2)
        // is the near-partition plateau, and still 16x what one SM's L1 could hold were .cg
        // ignored.
        total = std::min<std::uint64_t>(std::uint64_t{4} << 20, dev.l2_bytes / 4);
        w.note = "L2 roof: " + detail::size_text(total) + " in all, on the near-partition plateau of the " +
                 detail::size_text(dev.l2_bytes) + " L2's two partitions";
    }
    w.bytes = detail::round_to_granule(total / static_cast<std::uint64_t>(arrays));
    return w;
}

/// Per-array working set of the whole-L2 figure (memory_scope::whole), reported beside the roof:
/// three quarters of all the L2 there is, in all `arrays`, so that the figure shows what a
/// working set spread over the whole cache gets (NVIDIA: both partitions, with the far-partition
/// traffic; AMD multi-XCD: 3/4 of each XCD's L2 in each XCD, each XCD's CUs reading their own
/// slice). Three quarters leaves room for the lines the hash places unevenly and for other
/// data (page tables, the partial sums). bytes = 0 where that cannot be measured: no L2 size,
/// or an AMD multi-XCD device whose XCD count is unknown.
inline working_set l2_whole_working_set_bytes(const device_info& dev, int arrays = 3) {
    detail::require_arrays("l2_whole_working_set_bytes", arrays);
    working_set w;
    if (dev.l2_bytes == 0) {
        w.note = "the device reports no L2 size";
        return w;
    }
    std::uint64_t total = 0;
    if (detail::has_xcd_l2(dev)) {
        const std::uint64_t l2 = detail::l2_instance_bytes(dev);
        const std::uint32_t xcds = detail::xcd_count(dev);
        if (xcds < 2) {
            w.note = "the XCD count of this device is unknown (no datasheet profile matches " + dev.name + " with " +
                     std::to_string(dev.compute_units) + " CUs), so the whole L2 cannot be split per XCD";
            return w;
        }
        total = xcds * (l2 / 4 * 3);
        w.note = "whole L2: " + detail::size_text(total) + " in all, " + detail::size_text(l2 / 4 * 3) +
                 " (3/4 of one XCD's " + detail::size_text(l2) + " L2) in each of " + std::to_string(xcds) +
                 " XCDs, each XCD's CUs reading their own slice";
    } else {
        total = dev.l2_bytes / 4 * 3;
        w.note = "whole L2: " + detail::size_text(total) + " in all, 3/4 of the " + detail::size_text(dev.l2_bytes) +
                 " L2" + (detail::is_amd(dev) ? "" : ", over both partitions");
    }
    w.bytes = detail::round_to_granule(total / static_cast<std::uint64_t>(arrays));
    return w;
}

/// Per-array working set for the last-level cache behind L2 (MI300's 256 MiB Infinity Cache):
/// half of it in all, which is 4x the aggregate L2 of an 8-XCD MI300X (32 MiB) and stays
/// resident in the LLC. bytes = 0 where the device has no such cache.
inline working_set llc_working_set_bytes(const device_info& dev, int arrays = 3) {
    detail::require_arrays("llc_working_set_bytes", arrays);
    working_set w;
    if (dev.llc_bytes == 0) {
        w.note = "no cache level behind L2 on this device";
        return w;
    }
    const std::uint64_t total = dev.llc_bytes / 2;
    w.bytes = detail::round_to_granule(total / static_cast<std::uint64_t>(arrays));
    w.note = "LLC working set: " + detail::size_text(total) + " in all, half of the " +
             detail::size_text(dev.llc_bytes) + " last-level cache";
    return w;
}

// =============================================================================================
// Host expectations of the verification (host-only; every build)
// =============================================================================================
namespace detail {

/// Modulus of the fill pattern of read/copy inputs and triad's b: word i = i mod 1021 (a prime,
/// so the pattern never lines up with power-of-two strides).
inline constexpr std::uint32_t stream_pattern_modulus = 1021;
/// Modulus of triad's c: word i = i mod 509.
inline constexpr std::uint32_t stream_pattern_modulus_c = 509;

/// Sum of (i mod m) for i in [0, words), exact (mod 2^64).
constexpr std::uint64_t pattern_sum(std::uint64_t words, std::uint32_t m) {
    const std::uint64_t q = words / m, r = words % m;
    const std::uint64_t cycle = static_cast<std::uint64_t>(m) * (m - 1) / 2;
    return q * cycle + (r == 0 ? 0 : r * (r - 1) / 2);
}

/// Sum of ((i + seed) mod 2^32) for i in [0, words), mod 2^64: what a device-wide 64-bit sum of
/// the 32-bit words `i + seed` gives.
constexpr std::uint64_t index_plus_seed_sum(std::uint64_t words, std::uint32_t seed) {
    constexpr std::uint64_t period = std::uint64_t{1} << 32;
    const std::uint64_t full = words / period, r = words % period;
    // Each full period sums to 0 + 1 + ... + (2^32 - 1) whatever the offset.
    std::uint64_t sum = full * ((period / 2) * (period - 1));
    // The last r words: r x seed + 0 + ... + (r - 1), less 2^32 for each that wrapped.
    sum += r * seed + (r == 0 ? 0 : (r % 2 == 0 ? (r / 2) * (r - 1) : r * ((r - 1) / 2)));
    const std::uint64_t no_wrap = period - seed; // i < no_wrap does not wrap
    if (r > no_wrap) sum -= (r - no_wrap) * period;
    return sum;
}

/// Picks the vector count of a cache-level array (or of one slice of it). One step of the
/// kernel advances every slot by `advance` = in_flight x the group's threads vectors, i.e. by
/// advance mod n around the slice. If that (or twice or three times it) lands near 0, a thread
/// re-reads within a few steps the vectors it just read, and its SM/CU's L1 may serve them
/// instead of the level under test. So: the largest n' in [max(n - n/8, min_vectors), n], a
/// multiple of 256 vectors (4 KiB), for which j x advance mod n' stays at least n'/8 away from 0
/// for j = 1, 2, 3; when none does, the best n' seen. Arrays not shorter than 3 x advance are
/// returned as they are (the walk never comes back within 3 steps). `min_vectors`: the runner
/// passes one round (in_flight x threads), which the slice must not fall below (stream_walk).
constexpr std::uint64_t spread_vectors(std::uint64_t n, std::uint64_t advance, std::uint64_t min_vectors = 0) {
    constexpr std::uint64_t granule = 256;
    if (n < 2 * granule || advance == 0 || n >= 3 * advance) return n;
    auto distance = [advance](std::uint64_t m) {
        std::uint64_t d = m;
        for (std::uint64_t j = 1; j <= 3; ++j) {
            const std::uint64_t r = (j * (advance % m)) % m;
            d = std::min(d, std::min(r, m - r));
        }
        return d;
    };
    std::uint64_t best = n, best_distance = distance(n);
    for (std::uint64_t m = n / granule * granule; m >= granule && m >= min_vectors && m + n / 8 >= n;
         m -= granule) {
        const std::uint64_t d = distance(m);
        if (d * 8 >= m) return m;
        if (d > best_distance) {
            best = m;
            best_distance = d;
        }
    }
    return best;
}

} // namespace detail

// =============================================================================================
// Tuning (constexpr; one struct per vendor x level/op group)
// =============================================================================================

/// How a launch's threads walk the arrays (see this file's header).
enum class stream_mapping {
    /// Every thread strides through the whole array (slice) by the grid's (group's) thread
    /// count; one step of the grid is one contiguous window, at most the array. Wraps around for
    /// passes > 1.
    grid_stride,
    /// Each pass is cut into near-equal pieces of at most `chunk_bytes`, a whole number of
    /// pieces per block; in each round every block streams its own piece front to back with its
    /// threads side by side. Fewer, longer sequential streams per DRAM page.
    block_chunks,
    /// One block per tile of block_threads x in_flight vectors, so the grid covers the array
    /// once (far more blocks than are resident); thread t of a block touches vectors t, t +
    /// block_threads, ... of its tile. The shape of PyTorch's vectorized elementwise kernels
    /// (128 threads, two float4 per thread per tensor). A launch makes exactly one pass; the
    /// runner launches once per pass.
    one_shot,
};

/// "grid_stride" / "block_chunks" / "one_shot".
constexpr std::string_view to_string(stream_mapping m) {
    switch (m) {
    case stream_mapping::grid_stride: return "grid_stride";
    case stream_mapping::block_chunks: return "block_chunks";
    case stream_mapping::one_shot: return "one_shot";
    }
    return "unknown";
}

// How to paste a tune_stream result: each struct below is one line of tune_stream's
// "paste" section (benchmarks/tune_stream.cu). Replace the values and the comment on the
// struct with what tune_stream printed (card, driver, date, GB/s). All fields must be set:
//   block_threads    threads per block
//   blocks_per_unit  blocks per SM/CU (0 = as many as fit)
//   in_flight        16-byte accesses in flight per thread per array
//   load, store      cache policies (arch/cache_hints.hpp)
//   mapping          stream_mapping
//   chunk_bytes      block_chunks only: the largest piece a block streams per round (a multiple
//                    of 16 x block_threads x in_flight); 0 for grid_stride

// The four NVIDIA structs below come from tune_stream's second run, 2026-11-26, on an NVIDIA
// H200 (132 SMs, 60 MB L2, driver 580.159.04): 2630 configurations (6 load x 2 store policies,
// 1-16 in flight, 1-8 blocks/SM, grid_stride and block_chunks of 64 KiB-1 MiB), every one
// verified; 1 GiB per array; the same run's cudaMemcpy device-to-device moved 4247.7 GB/s.
// That run used the mapping before 2026-12 rounds: its block_chunks figures (the read below)
// include ~3% of L2 re-reads (1056 blocks on the 1024 chunks of a pass, see stream_walk), and
// its L2 figures at 8 blocks/SM had grids whose step exceeded a 4 MiB array. The values stay
// until tune_stream is run again with the fixed mapping; the figures quoted are that run's.

/// NVIDIA HBM read: 4627.4 GB/s with the old mapping, inflated by its L2 re-reads (block_chunks
/// of 1 MiB, .cg, 4 in flight, 8 blocks/SM; grid_stride's best, which had none: 4583). Each
/// block streaming its own contiguous ~1 MiB keeps DRAM pages open longer than grid-striding
/// across the whole array; with 1056 blocks a 1 GiB pass is now 1056 pieces of ~0.97 MiB.
struct nvidia_hbm_read_tuning {
    static constexpr int block_threads = 256;
    static constexpr int blocks_per_unit = 8;
    static constexpr int in_flight = 4;
    static constexpr arch::load_policy load = arch::load_policy::l2_only;
    static constexpr arch::store_policy store = arch::store_policy::streaming; // unused by read
    static constexpr stream_mapping mapping = stream_mapping::block_chunks;
    static constexpr std::uint64_t chunk_bytes = 1048576;
};

/// NVIDIA HBM write, grid_stride (tune_stream's best of that mapping; since 2026-12-02 the
/// calibrator's NVIDIA write, copy and triad kernel is nvidia_hbm_one_shot_tuning, 5% faster):
/// 4472.9 GB/s (grid_stride, .cs stores, 1 in flight, 1 block/SM). Every
/// 1-block/SM configuration gave 4458-4478 against <= 4381 with more blocks: fewer
/// concurrent write streams suit the DRAM write path.
struct nvidia_hbm_write_tuning {
    static constexpr int block_threads = 256;
    static constexpr int blocks_per_unit = 1;
    static constexpr int in_flight = 1;
    static constexpr arch::load_policy load = arch::load_policy::plain; // unused by write
    static constexpr arch::store_policy store = arch::store_policy::streaming;
    static constexpr stream_mapping mapping = stream_mapping::grid_stride;
    static constexpr std::uint64_t chunk_bytes = 0;
};

/// NVIDIA HBM copy and triad, grid_stride (tune_stream's best of that mapping; not the
/// calibrator's kernel since 2026-12-02, see nvidia_hbm_one_shot_tuning): copy 4058.5 GB/s, triad 4219.1 GB/s (best mean of the two:
/// grid_stride, .cg loads, plain stores, 8 in flight, 1 block/SM). No configuration reached the
/// cudaMemcpy reference (4247.7) on copy: mixed read/write DRAM traffic, not latency (16 in
/// flight and 2-8 blocks/SM did not help), is what limits it; see benchmarks/RESULTS.md.
struct nvidia_hbm_copy_tuning {
    static constexpr int block_threads = 256;
    static constexpr int blocks_per_unit = 1;
    static constexpr int in_flight = 8;
    static constexpr arch::load_policy load = arch::load_policy::l2_only;
    static constexpr arch::store_policy store = arch::store_policy::plain;
    static constexpr stream_mapping mapping = stream_mapping::grid_stride;
    static constexpr std::uint64_t chunk_bytes = 0;
};

/// NVIDIA HBM write, copy and triad: one_shot, 256 threads x 1 x 16 B per thread per array
/// (one block per 4 KiB tile), plain loads and stores. H200, driver 580.159.04, 2026-12-02,
/// aaco_bench_bulk_copy (aaco's full sampler, 1 GiB arrays, 3 interleaved rounds): copy 4248.5
/// GB/s and triad 4386.6 against the grid_stride tuning below (nvidia_hbm_copy_tuning) 4017.7 and
/// 4206.7, cudaMemcpyAsync 4235.1, PyTorch's own shape (128 threads x 2) 4223.0 and 4375.5; best
/// of 11 one_shot shapes (128-512 threads, 1-8 in flight, .cg loads, .cs stores), where fewer
/// accesses per thread and smaller tiles won. Write in the calibrations of the same day (PyTorch's
/// shape): 4627 against the grid_stride tuning's 4406. Why the one-shot grid wins is not
/// measured; likely the block scheduler's turnover spreads the DRAM traffic more evenly than
/// 132-264 long-lived streams.
struct nvidia_hbm_one_shot_tuning {
    static constexpr int block_threads = 256;
    static constexpr int blocks_per_unit = 0; // unused by one_shot: the grid covers the array
    static constexpr int in_flight = 1;
    static constexpr arch::load_policy load = arch::load_policy::plain;
    static constexpr arch::store_policy store = arch::store_policy::plain;
    static constexpr stream_mapping mapping = stream_mapping::one_shot;
    static constexpr std::uint64_t chunk_bytes = 0;
};

/// NVIDIA L2 (and any cache level), every op: 13065.7 GB/s on a 3.7 MiB working set (.cg, 1 in
/// flight, 8 blocks/SM, grid_stride; old mapping: that grid's step of 4.1 MiB exceeded the
/// array, so some lines were read twice at once); 10226 at 8 MiB and ~9900 at 15 MiB: working
/// sets that fit twice into one partition are served from the near partition (see
/// l2_working_set_bytes). On the 4 MiB roof array the grid is now cut to 7 blocks/SM
/// (plan_stream_geometry). .cg caches in L2 only, so L1 cannot serve a read; plain stores keep
/// written lines in L2.
struct nvidia_cache_stream_tuning {
    static constexpr int block_threads = 256;
    static constexpr int blocks_per_unit = 8;
    static constexpr int in_flight = 1;
    static constexpr arch::load_policy load = arch::load_policy::l2_only;
    static constexpr arch::store_policy store = arch::store_policy::plain;
    static constexpr stream_mapping mapping = stream_mapping::grid_stride;
    static constexpr std::uint64_t chunk_bytes = 0;
};

/// AMD HBM, every op. Untuned: 256 threads = 4 wave64, one per SIMD; full occupancy; 4 x 16 B
/// per lane keeps 4 global_load_dwordx4 per wave in flight; plain loads because the HBM
/// working set is 4x the Infinity Cache and nontemporal loads are untested on MI300;
/// nontemporal stores mark written lines as not to be re-read.
struct amd_hbm_stream_tuning {
    static constexpr int block_threads = 256;
    static constexpr int blocks_per_unit = 0;
    static constexpr int in_flight = 4;
    static constexpr arch::load_policy load = arch::load_policy::plain;
    static constexpr arch::store_policy store = arch::store_policy::streaming;
    static constexpr stream_mapping mapping = stream_mapping::grid_stride;
    static constexpr std::uint64_t chunk_bytes = 0;
};

/// AMD L2 and Infinity Cache levels, every op. Untuned: as amd_hbm_stream_tuning, but plain
/// loads and stores, because nontemporal accesses may skip allocation in the cache under test.
/// On the MI300X L2 roof (a 2 MiB slice per XCD) the grid is cut to 3 blocks per CU, so that one
/// round (3 x 38 CUs x 256 threads x 4 x 16 B = 1.8 MiB per XCD) fits the slice.
struct amd_cache_stream_tuning {
    static constexpr int block_threads = 256;
    static constexpr int blocks_per_unit = 0;
    static constexpr int in_flight = 4;
    static constexpr arch::load_policy load = arch::load_policy::plain;
    static constexpr arch::store_policy store = arch::store_policy::plain;
    static constexpr stream_mapping mapping = stream_mapping::grid_stride;
    static constexpr std::uint64_t chunk_bytes = 0;
};

/// AMD HBM write, copy and triad in the one_shot shape (the counterpart of
/// nvidia_hbm_one_shot_tuning). Untuned: 256 threads = 4 wave64, 2 x 16 B per lane per array,
/// plain accesses, as PyTorch's ROCm elementwise kernels are shaped.
struct amd_hbm_one_shot_tuning {
    static constexpr int block_threads = 256;
    static constexpr int blocks_per_unit = 0;
    static constexpr int in_flight = 2;
    static constexpr arch::load_policy load = arch::load_policy::plain;
    static constexpr arch::store_policy store = arch::store_policy::plain;
    static constexpr stream_mapping mapping = stream_mapping::one_shot;
    static constexpr std::uint64_t chunk_bytes = 0;
};

#if AACO_BACKEND_HIP
using hbm_one_shot_stream_tuning = amd_hbm_one_shot_tuning; ///< one_shot HBM tuning of this build's vendor
using hbm_read_stream_tuning = amd_hbm_stream_tuning;  ///< HBM read tuning of this build's vendor
using hbm_write_stream_tuning = amd_hbm_stream_tuning; ///< HBM write tuning of this build's vendor
using hbm_copy_stream_tuning = amd_hbm_stream_tuning;  ///< HBM copy/triad tuning of this build's vendor
using cache_stream_tuning = amd_cache_stream_tuning;   ///< L2/LLC tuning of this build's vendor
#else
using hbm_one_shot_stream_tuning = nvidia_hbm_one_shot_tuning;
using hbm_read_stream_tuning = nvidia_hbm_read_tuning;
using hbm_write_stream_tuning = nvidia_hbm_one_shot_tuning;
using hbm_copy_stream_tuning = nvidia_hbm_one_shot_tuning;
using cache_stream_tuning = nvidia_cache_stream_tuning;
#endif
/// The HBM read tuning (kept for callers that predate the per-op split).
using hbm_stream_tuning = hbm_read_stream_tuning;

namespace detail {
/// Checks a tuning struct's values at compile time.
template <class Tuning>
constexpr bool valid_tuning() {
    return Tuning::block_threads > 0 && Tuning::block_threads % 64 == 0 && Tuning::blocks_per_unit >= 0 &&
           Tuning::in_flight >= 1 && Tuning::in_flight <= 16 &&
           ((Tuning::mapping != stream_mapping::block_chunks && Tuning::chunk_bytes == 0) ||
            (Tuning::mapping == stream_mapping::block_chunks && Tuning::chunk_bytes > 0 &&
             Tuning::chunk_bytes % (16ull * Tuning::block_threads * Tuning::in_flight) == 0));
}
static_assert(valid_tuning<nvidia_hbm_read_tuning>() && valid_tuning<nvidia_hbm_write_tuning>() &&
                  valid_tuning<nvidia_hbm_copy_tuning>() && valid_tuning<nvidia_cache_stream_tuning>() &&
                  valid_tuning<amd_hbm_stream_tuning>() && valid_tuning<amd_cache_stream_tuning>() &&
                  valid_tuning<nvidia_hbm_one_shot_tuning>() && valid_tuning<amd_hbm_one_shot_tuning>(),
              "a stream tuning struct has an invalid value");
} // namespace detail

// =============================================================================================
// Launch arguments and the index walk (host and device; every build)
// =============================================================================================
// Device passes unroll the walk's per-slot loops (the slots must stay in registers); host
// compilers (g++ under nvcc, or a backend-less build) do not know the pragma.
#if !AACO_DEVICE_PASS
#define AACO_STREAM_UNROLL
#define AACO_STREAM_ROLLED
#else
#define AACO_STREAM_UNROLL _Pragma("unroll")
#define AACO_STREAM_ROLLED _Pragma("unroll 1")
#endif

namespace detail {

/// Unit of the block_chunks pieces: 32 vectors = 512 bytes, one warp's 16-byte accesses of one
/// step, so every piece starts on a 512-byte boundary and each warp access stays coalesced.
inline constexpr std::uint32_t piece_unit_vectors = 32;

/// Arguments of one stream launch (by value). Made by make_stream_params, which checks them.
struct stream_params {
    const void* in0 = nullptr;        ///< read/copy: source; triad: b
    const void* in1 = nullptr;        ///< triad: c
    void* out = nullptr;              ///< write/copy/triad: destination
    std::uint32_t* partial = nullptr; ///< read: one 32-bit sum per thread (grid x block threads)
    stream_mapping mapping = stream_mapping::grid_stride; ///< the walk these parameters are for
    std::uint32_t vectors = 0;        ///< 16-byte vectors per array, n (<= 2^31)
    std::uint32_t groups = 1;         ///< G: block b works in slice b mod G only (divides grid and n)
    std::uint32_t slice = 0;          ///< vectors per slice, n / G
    // grid_stride
    std::uint32_t hop = 0;            ///< threads per group, T = (grid / G) x block threads
    std::uint32_t step = 0;           ///< InFlight x T (<= slice): one round, a slot's advance per step
    std::uint64_t per_thread = 0;     ///< (slice x passes) / T
    std::uint64_t extra = 0;          ///< (slice x passes) mod T; threads below it do one more
    // block_chunks
    std::uint32_t rounds_per_pass = 0; ///< pieces each block streams per pass
    std::uint32_t piece_units = 0;    ///< units (piece_unit_vectors each) of a short piece
    std::uint32_t long_pieces = 0;    ///< pieces 0 .. long_pieces - 1 of a pass have one unit more

    std::uint64_t passes = 0;         ///< every vector is touched this many times
    std::uint32_t seed = 0;           ///< write: word i = i + seed; copy: out = in + seed
    float scalar = 1;                 ///< triad: a = b + scalar x c
};

/// The vector indices thread `thread` of block `block` (of `grid` blocks of BlockThreads)
/// touches in one launch, in the order it touches them: `full(idx)` for each step of InFlight
/// accesses issued together (idx[0..InFlight-1]), `one(i)` for each access of a tail. The
/// kernel and the host tests (which simulate whole grids with it) share this code, so a
/// mapping bug shows up on the host.
///
/// A launch is a sequence of rounds, and the walk guarantees, for every geometry that
/// make_stream_params accepts (tests/host/test_stream_mapping.cpp checks every tuning entry
/// over many device shapes):
/// - every vector of [0, p.vectors) is touched exactly p.passes times, once per pass;
/// - within one round no two threads, of the same block or of different blocks, touch the same
///   vector, so no access of a round can be served by a cache from another access of that round
///   (the first H200 HBM read figure was inflated ~3% by exactly that: 1056 blocks on the 1024
///   chunks of a pass, blocks b and b + 1024 reading the same chunk at once);
/// - block b works in slice b mod G only: vectors [g x slice, (g + 1) x slice).
///
/// grid_stride: in each group, virtual indices t, t + T, t + 2T, ... below slice x passes (t:
/// the thread's index in its group, T: the group's threads); virtual v is vector v mod slice
/// of the slice, so pass k is virtual [k x slice, (k + 1) x slice). A round is one step: the
/// group's InFlight x T consecutive virtual indices, all distinct vectors because
/// make_stream_params requires InFlight x T <= slice. The wrap-around (rather than an outer
/// pass loop) keeps every thread's loads in flight across pass boundaries.
///
/// block_chunks: each pass over a slice is cut into rounds_per_pass x (grid / G) pieces of
/// near-equal length (whole 512-byte units, at most the tuning's chunk); in round r of a pass
/// the group's k-th block streams piece r x (grid / G) + k of that pass, front to back, with
/// the block's threads side by side. A round's pieces are disjoint and belong to one pass.
///
/// one_shot: block b of a group covers tile b of its slice, vectors [b x span, (b + 1) x span)
/// with span = BlockThreads x InFlight, and thread t touches t, t + BlockThreads, ... of it (the
/// last tile's vectors past the slice are skipped). One pass, one round per thread: every vector
/// is touched once per launch, so no access can be a cache hit on another.
template <stream_mapping M, int BlockThreads, int InFlight, class Full, class One>
AACO_HOST_DEVICE inline void stream_walk(const stream_params& p, std::uint32_t block, std::uint32_t thread,
                                         std::uint32_t grid, Full&& full, One&& one) {
    const std::uint32_t groups = p.groups;
    const std::uint32_t member = block / groups;                  // the block's index in its group
    const std::uint32_t lo = (block - member * groups) * p.slice; // its slice's first vector
    std::uint32_t idx[InFlight];
    if constexpr (M == stream_mapping::grid_stride) {
        // Per-thread counts and the slot spacing come from the host (make_stream_params): a
        // 64-bit division on NVIDIA is a call whose register saves ptxas reports as spills.
        (void)grid;
        const std::uint32_t t = member * static_cast<std::uint32_t>(BlockThreads) + thread; // < T <= slice
        const std::uint64_t count = p.per_thread + (t < p.extra ? 1 : 0);
        const std::uint32_t hi = lo + p.slice; // <= n <= 2^31
        idx[0] = lo + t;
        AACO_STREAM_UNROLL
        for (int u = 1; u < InFlight; ++u) idx[u] = idx[u - 1] + p.hop; // t + u T < InFlight T <= slice
        // Rolled: one step already has InFlight independent accesses per array in flight.
        AACO_STREAM_ROLLED
        for (std::uint64_t g = count / InFlight; g != 0; --g) {
            full(static_cast<const std::uint32_t*>(idx));
            AACO_STREAM_UNROLL
            for (int u = 0; u < InFlight; ++u) {
                idx[u] += p.step; // idx < hi <= 2^31 and step <= slice: no overflow, one wrap at most
                if (idx[u] >= hi) idx[u] -= p.slice;
            }
        }
        const auto rest = static_cast<int>(count % InFlight);
        AACO_STREAM_UNROLL
        for (int u = 0; u < InFlight; ++u)
            if (u < rest) one(idx[u]);
    } else if constexpr (M == stream_mapping::one_shot) {
        (void)grid;
        constexpr std::uint32_t span = static_cast<std::uint32_t>(BlockThreads) * InFlight;
        const std::uint32_t base = lo + member * span; // member x span < slice <= 2^31
        const std::uint32_t hi = lo + p.slice;
        AACO_STREAM_UNROLL
        for (int u = 0; u < InFlight; ++u) idx[u] = base + thread + static_cast<std::uint32_t>(u * BlockThreads);
        if (hi - base >= span) {
            full(static_cast<const std::uint32_t*>(idx));
        } else {
            AACO_STREAM_UNROLL
            for (int u = 0; u < InFlight; ++u)
                if (idx[u] < hi) one(idx[u]);
        }
    } else {
        static_assert(M == stream_mapping::block_chunks, "unknown stream_mapping");
        constexpr std::uint32_t span = static_cast<std::uint32_t>(BlockThreads) * InFlight;
        constexpr std::uint32_t unit = piece_unit_vectors;
        const std::uint32_t blocks = grid / groups; // pieces per round
        const std::uint64_t rounds = p.passes * p.rounds_per_pass;
        std::uint32_t round_in_pass = 0;
        for (std::uint64_t r = 0; r < rounds; ++r) {
            // Piece k of the pass: units [k q + min(k, long), ...), q + 1 of them for k < long.
            // k q <= the slice's units <= 2^26, and x 32 stays below 2^32.
            const std::uint32_t k = round_in_pass * blocks + member;
            const bool longer = k < p.long_pieces;
            const std::uint32_t first = k * p.piece_units + (longer ? k : p.long_pieces);
            const std::uint32_t units = p.piece_units + (longer ? 1u : 0u);
            const std::uint32_t begin = first * unit < p.slice ? first * unit : p.slice;
            const std::uint32_t end = (first + units) * unit < p.slice ? (first + units) * unit : p.slice;
            const std::uint32_t base = lo + begin;
            const std::uint32_t len = end - begin;
            std::uint32_t i = thread;
            for (; i + (InFlight - 1) * static_cast<std::uint32_t>(BlockThreads) < len; i += span) {
                AACO_STREAM_UNROLL
                for (int u = 0; u < InFlight; ++u) idx[u] = base + i + static_cast<std::uint32_t>(u * BlockThreads);
                full(static_cast<const std::uint32_t*>(idx));
            }
            AACO_STREAM_UNROLL
            for (int u = 0; u < InFlight; ++u)
                if (i + static_cast<std::uint32_t>(u * BlockThreads) < len)
                    one(base + i + static_cast<std::uint32_t>(u * BlockThreads));
            if (++round_in_pass == p.rounds_per_pass) round_in_pass = 0;
        }
    }
}

/// Largest array the kernel's 32-bit vector indices allow (2^31 vectors = 32 GiB).
inline constexpr std::uint64_t max_stream_array_bytes = (std::uint64_t{1} << 31) * 16;
/// Largest chunk of the block_chunks mapping (2^24 vectors = 256 MiB).
inline constexpr std::uint64_t max_chunk_vectors = std::uint64_t{1} << 24;

/// Most blocks a group may have under grid_stride so that one round (in_flight x the group's
/// threads) fits its slice of `slice` vectors.
constexpr std::uint64_t max_round_blocks(std::uint64_t slice, int block_threads, int in_flight) {
    return block_threads > 0 && in_flight > 0
               ? slice / (static_cast<std::uint64_t>(block_threads) * static_cast<std::uint64_t>(in_flight))
               : 0;
}

/// Tiles (blocks per group) of a one_shot launch over slices of `slice` vectors.
constexpr std::uint64_t one_shot_blocks(std::uint64_t slice, int block_threads, int in_flight) {
    const std::uint64_t span = static_cast<std::uint64_t>(block_threads) * static_cast<std::uint64_t>(in_flight);
    return span == 0 ? 0 : (slice + span - 1) / span;
}

/// Parameters of a launch of `mapping` with `grid` blocks of `block_threads` making `passes`
/// passes over `vectors` vectors in `groups` slices; `chunk_bytes`: block_chunks' largest piece
/// (must be 0 for the other mappings); one_shot: exactly 1 pass and one_shot_blocks per group. Throws invalid_argument on a geometry the walk cannot run with
/// its guarantees (see stream_walk), naming the value and what it must be.
inline stream_params make_stream_params(stream_mapping mapping, std::uint32_t vectors, std::uint64_t passes,
                                        unsigned grid, int block_threads, int in_flight,
                                        std::uint64_t chunk_bytes = 0, std::uint32_t groups = 1) {
    const std::string where = "make_stream_params(" + std::string(to_string(mapping)) + "): ";
    if (vectors == 0 || vectors > (std::uint64_t{1} << 31) || grid == 0 || block_threads <= 0 || in_flight <= 0)
        throw invalid_argument(where + "vectors must be in [1, 2^31] and grid, block_threads, in_flight > 0; got " +
                               std::to_string(vectors) + " vectors, grid " + std::to_string(grid) + ", " +
                               std::to_string(block_threads) + " threads, " + std::to_string(in_flight) +
                               " in flight");
    if (groups == 0 || grid % groups != 0 || vectors % groups != 0)
        throw invalid_argument(where + "groups (" + std::to_string(groups) + ") must divide the grid (" +
                               std::to_string(grid) + ") and the vectors (" + std::to_string(vectors) + ")");
    const std::uint64_t threads = static_cast<std::uint64_t>(grid) * static_cast<std::uint64_t>(block_threads);
    if (threads >= (std::uint64_t{1} << 32))
        throw invalid_argument(where + "grid x block_threads must be < 2^32, got " + std::to_string(threads));
    stream_params p;
    p.mapping = mapping;
    p.vectors = vectors;
    p.groups = groups;
    p.slice = vectors / groups;
    p.passes = passes;
    const std::uint64_t blocks = grid / groups;
    if (mapping != stream_mapping::block_chunks && chunk_bytes != 0)
        throw invalid_argument(where + "chunk_bytes is for block_chunks only, got " + std::to_string(chunk_bytes));
    if (mapping == stream_mapping::one_shot) {
        const std::uint64_t tiles = one_shot_blocks(p.slice, block_threads, in_flight);
        if (passes != 1 || blocks != tiles)
            throw invalid_argument(where + "a launch makes exactly 1 pass with one block per tile (" +
                                   std::to_string(tiles) + " per group); got " + std::to_string(passes) +
                                   " passes and " + std::to_string(blocks) + " blocks per group");
    } else if (mapping == stream_mapping::grid_stride) {
        const std::uint64_t group_threads = blocks * static_cast<std::uint64_t>(block_threads);
        const std::uint64_t round = group_threads * static_cast<std::uint64_t>(in_flight);
        if (round > p.slice)
            throw invalid_argument(where + "one round (" + std::to_string(in_flight) + " in flight x " +
                                   std::to_string(group_threads) + " threads per group = " + std::to_string(round) +
                                   " vectors) exceeds the " + std::to_string(p.slice) +
                                   " vectors of a slice, so two threads would read the same bytes at once; use at "
                                   "most " + std::to_string(max_round_blocks(p.slice, block_threads, in_flight)) +
                                   " blocks per group");
        p.hop = static_cast<std::uint32_t>(group_threads);
        p.step = static_cast<std::uint32_t>(round);
        const std::uint64_t total = static_cast<std::uint64_t>(p.slice) * passes;
        p.per_thread = total / group_threads;
        p.extra = total % group_threads;
    } else {
        if (chunk_bytes == 0 || chunk_bytes % 16 != 0 || chunk_bytes / 16 > max_chunk_vectors)
            throw invalid_argument(where + "chunk_bytes must be a multiple of 16 in [16 B, 256 MiB], got " +
                                   std::to_string(chunk_bytes));
        const std::uint64_t chunk = chunk_bytes / 16;
        const std::uint64_t units = (p.slice + piece_unit_vectors - 1) / piece_unit_vectors;
        const std::uint64_t rounds = (p.slice + blocks * chunk - 1) / (blocks * chunk); // >= 1
        const std::uint64_t pieces = rounds * blocks;
        if (pieces >= (std::uint64_t{1} << 32))
            throw invalid_argument(where + "too many pieces per pass (" + std::to_string(pieces) + ")");
        p.rounds_per_pass = static_cast<std::uint32_t>(rounds);
        p.piece_units = static_cast<std::uint32_t>(units / pieces);
        p.long_pieces = static_cast<std::uint32_t>(units % pieces);
    }
    return p;
}

/// Bytes a launch with `p` requests per array: every vector p.passes times (stream_walk's
/// guarantee). What the runners count as the launch's work, per array.
constexpr double requested_bytes_per_array(const stream_params& p) {
    return 16.0 * static_cast<double>(p.vectors) * static_cast<double>(p.passes);
}

/// Launch geometry of a stream runner, from plan_stream_geometry.
struct stream_geometry {
    unsigned grid = 0;         ///< blocks
    int blocks_per_unit = 0;   ///< grid / units; 0 when the grid is not whole blocks per SM/CU
    std::uint32_t vectors = 0; ///< vectors per array the launches use (<= those allocated)
    std::uint32_t groups = 1;  ///< slices (stream_params::groups)
    std::string note;          ///< why the grid is below the tuning's; "" when it is not
};

/// Plans a stream runner's launch of `mapping` with `block_threads` x `in_flight` on `units`
/// SMs/CUs in `groups` slices (the runners and tune_stream use it; tests/host/
/// test_stream_mapping.cpp simulates the walk at the geometries it plans):
/// - blocks per SM/CU: `tuned_blocks_per_unit` (0 = as many as fit) capped at `fit`, the
///   occupancy, so that the whole grid is resident; one_shot instead: one block per tile
///   (one_shot_blocks), not resident, blocks_per_unit 0;
/// - `vectors` (per array, allocated) is cut to a multiple of groups x 256 vectors (4 KiB
///   slices) when groups > 1;
/// - grid_stride only: the grid is cut so that one round fits a slice (stream_walk's guarantee
///   that no two threads read the same bytes at once), to whole blocks per SM/CU where that
///   leaves at least one, else to fewer blocks than SMs/CUs; at the cache levels (`level` !=
///   hbm) the slice is then trimmed by spread_vectors, never below one round.
/// Throws runtime_error when no block fits, invalid_argument when the geometry is impossible
/// (units not a multiple of groups, a slice smaller than one block's round).
inline stream_geometry plan_stream_geometry(memory_level level, stream_mapping mapping, int block_threads,
                                            int in_flight, int tuned_blocks_per_unit, int fit, int units,
                                            std::uint64_t vectors, std::uint32_t groups = 1) {
    if (units < 1 || block_threads < 1 || in_flight < 1 || groups < 1 || tuned_blocks_per_unit < 0)
        throw invalid_argument("plan_stream_geometry: units, block_threads, in_flight and groups must be >= 1 and "
                               "blocks per unit >= 0; got " + std::to_string(units) + ", " +
                               std::to_string(block_threads) + ", " + std::to_string(in_flight) + ", " +
                               std::to_string(groups) + ", " + std::to_string(tuned_blocks_per_unit));
    if (fit < 1) throw runtime_error("plan_stream_geometry: no block of the kernel fits on an SM/CU", 0);
    if (static_cast<std::uint64_t>(units) % groups != 0)
        throw invalid_argument("plan_stream_geometry: " + std::to_string(units) + " SMs/CUs cannot be split into " +
                               std::to_string(groups) + " equal groups");
    if (vectors > (std::uint64_t{1} << 31))
        throw invalid_argument("plan_stream_geometry: " + std::to_string(vectors) + " vectors per array, at most 2^31");
    std::uint64_t slice = vectors / groups;
    if (groups > 1 && slice >= 256) slice = slice / 256 * 256;
    if (slice == 0)
        throw invalid_argument("plan_stream_geometry: " + std::to_string(vectors) + " vectors cannot be split into " +
                               std::to_string(groups) + " slices");
    int per_unit = tuned_blocks_per_unit > 0 ? std::min(tuned_blocks_per_unit, fit) : fit;
    const std::uint64_t units_per_group = static_cast<std::uint64_t>(units) / groups;
    std::uint64_t blocks = units_per_group * static_cast<std::uint64_t>(per_unit); // per group
    stream_geometry g;
    g.groups = groups;
    if (mapping == stream_mapping::one_shot) {
        // Not resident: one block per tile, the hardware schedules them in waves.
        blocks = one_shot_blocks(slice, block_threads, in_flight);
        per_unit = 0;
        if (blocks * groups * static_cast<std::uint64_t>(block_threads) >= (std::uint64_t{1} << 32))
            throw invalid_argument("plan_stream_geometry: one_shot over " + std::to_string(slice * groups) +
                                   " vectors needs 2^32 threads or more");
    } else if (mapping == stream_mapping::grid_stride) {
        const std::uint64_t most = max_round_blocks(slice, block_threads, in_flight);
        if (most == 0)
            throw invalid_argument("plan_stream_geometry: a slice of " + std::to_string(slice) +
                                   " vectors is smaller than one block's round of " +
                                   std::to_string(block_threads * in_flight) + " vectors");
        if (blocks > most) {
            const std::uint64_t whole = most / units_per_group;
            const std::uint64_t wanted = blocks;
            blocks = whole >= 1 ? whole * units_per_group : most;
            per_unit = whole >= 1 ? static_cast<int>(whole) : 0;
            g.note = "grid cut from " + std::to_string(wanted * groups) + " to " + std::to_string(blocks * groups) +
                     " blocks so that one round (" + size_text(blocks * block_threads * in_flight * 16) +
                     (groups > 1 ? " per slice" : "") + ") fits the " + size_text(slice * 16) +
                     (groups > 1 ? " slice" : " array") + ": no two threads read the same bytes at once";
        }
        if (level != memory_level::hbm) {
            const std::uint64_t round = blocks * static_cast<std::uint64_t>(block_threads) * in_flight;
            slice = spread_vectors(slice, round, round);
        }
    }
    g.grid = static_cast<unsigned>(blocks * groups);
    g.blocks_per_unit = per_unit;
    g.vectors = static_cast<std::uint32_t>(slice * groups);
    return g;
}

} // namespace detail

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP

// =============================================================================================
// Kernels
// =============================================================================================
namespace detail {

/// One step of `N` independent accesses at vectors idx[0..N-1]: all loads issued before any
/// result is used, so they are in flight together.
template <stream_op Op, int N, arch::load_policy LP, arch::store_policy SP>
AACO_DEVICE inline void stream_step(const stream_params& p, const std::uint32_t* idx, std::uint32_t& acc) {
    const auto* in0 = static_cast<const arch::u32x4*>(p.in0);
    const auto* in1 = static_cast<const arch::u32x4*>(p.in1);
    auto* out = static_cast<arch::u32x4*>(p.out);
    if constexpr (Op == stream_op::read) {
        arch::u32x4 v[N];
#pragma unroll
        for (int u = 0; u < N; ++u) v[u] = arch::load16<LP>(in0 + idx[u]);
#pragma unroll
        for (int u = 0; u < N; ++u) acc += v[u].x + v[u].y + v[u].z + v[u].w;
    } else if constexpr (Op == stream_op::write) {
#pragma unroll
        for (int u = 0; u < N; ++u) {
            const std::uint32_t w = 4u * idx[u] + p.seed; // word index + seed
            arch::store16<SP>(out + idx[u], arch::u32x4{w, w + 1, w + 2, w + 3});
        }
    } else if constexpr (Op == stream_op::copy) {
        arch::u32x4 v[N];
#pragma unroll
        for (int u = 0; u < N; ++u) v[u] = arch::load16<LP>(in0 + idx[u]);
#pragma unroll
        for (int u = 0; u < N; ++u)
            arch::store16<SP>(out + idx[u], arch::u32x4{v[u].x + p.seed, v[u].y + p.seed,
                                                        v[u].z + p.seed, v[u].w + p.seed});
    } else {
        static_assert(Op == stream_op::triad, "unknown stream_op");
        arch::u32x4 b[N], c[N];
#pragma unroll
        for (int u = 0; u < N; ++u) {
            b[u] = arch::load16<LP>(in0 + idx[u]);
            c[u] = arch::load16<LP>(in1 + idx[u]);
        }
        const float s = p.scalar;
        auto f = [s](std::uint32_t bw, std::uint32_t cw) {
            return __float_as_uint(fmaf(s, __uint_as_float(cw), __uint_as_float(bw)));
        };
#pragma unroll
        for (int u = 0; u < N; ++u)
            arch::store16<SP>(out + idx[u], arch::u32x4{f(b[u].x, c[u].x), f(b[u].y, c[u].y),
                                                        f(b[u].z, c[u].z), f(b[u].w, c[u].w)});
    }
}

} // namespace detail

/// The stream kernel: `passes` passes of `Op` over arrays of `vectors` 16-byte vectors, with
/// `InFlight` accesses in flight per thread, loads with policy `LP`, stores with `SP`, and the
/// threads walking the arrays as mapping `M` says. Launch with exactly `BlockThreads` threads
/// per block and parameters made for `M` (detail::make_stream_params).
template <stream_op Op, int BlockThreads, int InFlight, arch::load_policy LP, arch::store_policy SP,
          stream_mapping M = stream_mapping::grid_stride>
AACO_KERNEL void __launch_bounds__(BlockThreads) stream_kernel(detail::stream_params p) {
    static_assert(InFlight >= 1 && InFlight <= 16, "1 to 16 accesses in flight per thread");
    std::uint32_t acc = 0;
    detail::stream_walk<M, BlockThreads, InFlight>(
        p, blockIdx.x, threadIdx.x, gridDim.x,
        [&](const std::uint32_t* idx) { detail::stream_step<Op, InFlight, LP, SP>(p, idx, acc); },
        [&](std::uint32_t i) { detail::stream_step<Op, 1, LP, SP>(p, &i, acc); });
    if constexpr (Op == stream_op::read)
        p.partial[static_cast<std::uint64_t>(blockIdx.x) * BlockThreads + threadIdx.x] = acc;
}

/// Fills `words` 32-bit words with word i = i mod `modulus`, as unsigned or as float.
template <bool AsFloat>
AACO_KERNEL void fill_pattern_kernel(std::uint32_t* p, std::uint64_t words, std::uint32_t modulus) {
    const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
    for (std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < words;
         i += stride) {
        const auto v = static_cast<std::uint32_t>(i % modulus);
        if constexpr (AsFloat)
            p[i] = __float_as_uint(static_cast<float>(v));
        else
            p[i] = v;
    }
}

// =============================================================================================
// Host side: launch helpers and the runner
// =============================================================================================
namespace detail {

/// Enqueues fill_pattern_kernel on `s`.
inline void fill_pattern(std::uint32_t* p, std::uint64_t words, std::uint32_t modulus, bool as_float,
                         backend::native_stream s) {
    constexpr int threads = 256;
    const std::uint64_t wanted = (words + threads - 1) / threads;
    // Untuned: 4096 blocks x 256 threads is enough to fill memory at full bandwidth (a one-off).
    const auto blocks = static_cast<unsigned>(std::min<std::uint64_t>(std::max<std::uint64_t>(wanted, 1), 4096));
    if (as_float)
        fill_pattern_kernel<true><<<blocks, threads, 0, s>>>(p, words, modulus);
    else
        fill_pattern_kernel<false><<<blocks, threads, 0, s>>>(p, words, modulus);
    AACO_BACKEND_CHECK_LAUNCH("fill_pattern_kernel");
}

inline backend::native_stream native(void* s) { return static_cast<backend::native_stream>(s); }

} // namespace detail

/// Launches stream_kernel<Op, BlockThreads, InFlight, LP, SP, M> with `grid` blocks on `s`.
template <stream_op Op, int BlockThreads, int InFlight, arch::load_policy LP, arch::store_policy SP,
          stream_mapping M = stream_mapping::grid_stride>
void launch_stream(const detail::stream_params& p, unsigned grid, backend::native_stream s) {
    if (p.mapping != M)
        throw invalid_argument("launch_stream: parameters made for " + std::string(to_string(p.mapping)) +
                               ", kernel walks " + std::string(to_string(M)));
    stream_kernel<Op, BlockThreads, InFlight, LP, SP, M><<<grid, BlockThreads, 0, s>>>(p);
    AACO_BACKEND_CHECK_LAUNCH("stream_kernel");
}

/// Blocks of stream_kernel<...> that fit on one SM/CU.
template <stream_op Op, int BlockThreads, int InFlight, arch::load_policy LP, arch::store_policy SP,
          stream_mapping M = stream_mapping::grid_stride>
int stream_blocks_per_unit() {
    return backend::max_active_blocks_per_unit(stream_kernel<Op, BlockThreads, InFlight, LP, SP, M>,
                                               BlockThreads, 0);
}

/// The arrays of one stream op, filled with the verification patterns, and the host-side
/// expectations. Shared by the runner and the tuning sweep.
class stream_arrays {
public:
    /// Allocates the arrays `op` needs, `array_bytes` each (a multiple of 16), and fills the
    /// inputs on `s`; the caller synchronizes before launching on another stream.
    stream_arrays(stream_op op, std::uint64_t array_bytes, backend::native_stream s)
        : op_(op), capacity_(array_bytes / 16), vectors_(capacity_) {
        if (array_bytes < 16 || array_bytes % 16 != 0 || array_bytes > detail::max_stream_array_bytes)
            throw invalid_argument("stream array size must be a multiple of 16 bytes in [16, 32 GiB], got " +
                                   std::to_string(array_bytes));
        const std::uint64_t words = vectors_ * 4;
        const auto t = traffic(op);
        if (t.arrays_read >= 1) {
            in0_ = backend::device_buffer<std::uint32_t>(words);
            detail::fill_pattern(in0_.data(), words, detail::stream_pattern_modulus, op == stream_op::triad, s);
        }
        if (t.arrays_read >= 2) {
            in1_ = backend::device_buffer<std::uint32_t>(words);
            detail::fill_pattern(in1_.data(), words, detail::stream_pattern_modulus_c, true, s);
        }
        if (t.arrays_written >= 1) {
            out_ = backend::device_buffer<std::uint32_t>(words);
            out_.zero(s);
        }
    }

    /// Vectors per array that launches and verification use (<= those allocated).
    std::uint32_t vectors() const { return static_cast<std::uint32_t>(vectors_); }
    /// The first input array and the output (nullptr where the op has none).
    const std::uint32_t* input() const { return in0_.data(); }
    std::uint32_t* output() { return out_.data(); }
    /// Bytes per array that launches and verification use.
    std::uint64_t array_bytes() const { return vectors_ * 16; }
    /// Restricts launches and verification to the first `n` vectors of each array (1 <= n <=
    /// the vectors allocated); see detail::spread_vectors.
    void use_vectors(std::uint64_t n) {
        if (n < 1 || n > capacity_)
            throw invalid_argument("stream_arrays::use_vectors: " + std::to_string(n) + " is not in [1, " +
                                   std::to_string(capacity_) + "]");
        vectors_ = n;
    }

    /// Launch parameters of `mapping` for `passes` passes on `grid` blocks; `partial` receives
    /// read's sums (one per thread); `seed` is the per-launch value of write/copy (triad: s =
    /// seed % 8 + 1); `chunk_bytes` for block_chunks; `groups` slices (detail::stream_walk).
    /// Throws invalid_argument on a geometry detail::make_stream_params rejects.
    detail::stream_params params(stream_mapping mapping, std::uint64_t passes, unsigned grid, int block_threads,
                                 int in_flight, std::uint32_t* partial, std::uint32_t seed,
                                 std::uint64_t chunk_bytes = 0, std::uint32_t groups = 1) {
        detail::stream_params p = detail::make_stream_params(mapping, vectors(), passes, grid, block_threads,
                                                             in_flight, chunk_bytes, groups);
        p.in0 = in0_.data();
        p.in1 = in1_.data();
        p.out = out_.data();
        p.partial = partial;
        p.seed = seed;
        p.scalar = triad_scalar(seed);
        return p;
    }

    static float triad_scalar(std::uint32_t seed) { return static_cast<float>(seed % 8 + 1); }

    /// Checks what a launch with `passes`, `seed` left behind. `partial`/`partials`: read's
    /// per-thread sums, exactly grid x block threads of them (entries beyond the launch's
    /// threads would add stale sums of an earlier, larger launch). Returns "" when correct,
    /// else what differs.
    std::string verify(std::uint64_t passes, std::uint32_t seed, const std::uint32_t* partial,
                       std::size_t partials, backend::native_stream s) const {
        const std::uint64_t words = vectors_ * 4;
        char buf[256];
        switch (op_) {
        case stream_op::read: {
            const std::uint64_t got = backend::device_sum(partial, partials, s) & 0xFFFFFFFFull;
            const std::uint64_t want =
                (passes * detail::pattern_sum(words, detail::stream_pattern_modulus)) & 0xFFFFFFFFull;
            if (got == want) return {};
            std::snprintf(buf, sizeof buf,
                          "read: per-thread sums add up to %llu (mod 2^32), expected %llu after %llu pass(es)",
                          static_cast<unsigned long long>(got), static_cast<unsigned long long>(want),
                          static_cast<unsigned long long>(passes));
            return buf;
        }
        case stream_op::write: {
            const std::uint64_t got = backend::device_sum(out_.data(), words, s);
            const std::uint64_t want = detail::index_plus_seed_sum(words, seed);
            if (got == want) return {};
            std::snprintf(buf, sizeof buf, "write: output sums to %llu, expected %llu (seed %u)",
                          static_cast<unsigned long long>(got), static_cast<unsigned long long>(want), seed);
            return buf;
        }
        case stream_op::copy: {
            const std::uint64_t got = backend::device_sum(out_.data(), words, s);
            const std::uint64_t want = detail::pattern_sum(words, detail::stream_pattern_modulus) + words * seed;
            if (got == want) return {};
            std::snprintf(buf, sizeof buf, "copy: output sums to %llu, expected %llu (seed %u)",
                          static_cast<unsigned long long>(got), static_cast<unsigned long long>(want), seed);
            return buf;
        }
        case stream_op::triad: {
            const double got = backend::device_sum(reinterpret_cast<const float*>(out_.data()), words, s);
            const double want = static_cast<double>(detail::pattern_sum(words, detail::stream_pattern_modulus)) +
                                static_cast<double>(triad_scalar(seed)) *
                                    static_cast<double>(detail::pattern_sum(words, detail::stream_pattern_modulus_c));
            if (got == want) return {};
            std::snprintf(buf, sizeof buf, "triad: output sums to %.17g, expected %.17g (s = %g)", got, want,
                          static_cast<double>(triad_scalar(seed)));
            return buf;
        }
        }
        return "unknown stream op";
    }

private:
    stream_op op_;
    std::uint64_t capacity_;
    std::uint64_t vectors_;
    backend::device_buffer<std::uint32_t> in0_, in1_, out_;
};

/// Runner of the stream kernel at one memory level under one op, with launch geometry, cache
/// policies and mapping from `Tuning` (e.g. hbm_copy_stream_tuning).
template <class Tuning>
class stream_runner final : public runner {
    static_assert(detail::valid_tuning<Tuning>(), "invalid stream tuning");
public:
    /// `array_bytes`: bytes per array (rounded down to a multiple of 16); `note`: why that size,
    /// kept for the report (see note()); `scope`: which working set of the level this is
    /// (memory_scope::whole only at L2); `groups`: slices the array is cut into, one per group of
    /// blocks (detail::stream_walk; the XCD count for AMD's multi-XCD L2, else 1).
    stream_runner(memory_level level, stream_op op, std::uint64_t array_bytes, const device_info& dev,
                  std::string note = {}, memory_scope scope = memory_scope::roof, std::uint32_t groups = 1)
        : level_(level), op_(op), scope_(scope), groups_(groups), array_bytes_(array_bytes / 16 * 16), dev_(dev),
          note_(std::move(note)) {
        if (array_bytes_ < 16 || array_bytes_ > detail::max_stream_array_bytes)
            throw invalid_argument("stream runner " + key() + ": bytes per array must be in [16, 32 GiB], got " +
                                   std::to_string(array_bytes));
        if (dev_.compute_units <= 0)
            throw invalid_argument("stream runner " + key() + ": device_info has no compute-unit count");
        if (scope_ == memory_scope::whole && level_ != memory_level::l2)
            throw invalid_argument("stream runner " + key() + ": the whole-cache scope exists for L2 only");
        // read keeps one sum per thread: under one_shot (2 vectors per thread) writing them back
        // would add 1/8 to the bytes moved, uncounted.
        if (Tuning::mapping == stream_mapping::one_shot && op_ == stream_op::read)
            throw invalid_argument("stream runner " + key() + ": the one_shot mapping does not measure read");
    }

    /// "memory.<level>.<op>"; the whole-L2 figure is "memory.l2_whole.<op>".
    std::string key() const override {
        return detail::stream_key(level_, op_, scope_);
    }

    std::string method() const override {
        const auto t = traffic(op_);
        std::string m = detail::scope_label(level_, scope_) + ": ";
        if (t.arrays_read > 0)
            m += std::string(arch::instruction(Tuning::load)) + " x" + std::to_string(Tuning::in_flight) +
                 " in flight per thread";
        if (t.arrays_written > 0) {
            if (t.arrays_read > 0) m += ", ";
            m += std::string(arch::instruction(Tuning::store)) + " x" + std::to_string(Tuning::in_flight) +
                 " per thread";
        }
        m += "; " + std::to_string(Tuning::block_threads) + " threads x ";
        const std::string unit = detail::is_amd(dev_) ? "CU" : "SM";
        if (grid_ == 0)
            m += (Tuning::blocks_per_unit > 0 ? std::to_string(Tuning::blocks_per_unit) : std::string("max-occupancy")) +
                 " blocks per " + unit;
        else if (blocks_per_unit_ > 0)
            m += std::to_string(blocks_per_unit_) + " blocks per " + unit;
        else if (Tuning::mapping == stream_mapping::one_shot)
            m += std::to_string(grid_) + " blocks";
        else
            m += std::to_string(grid_) + " blocks (fewer than the " + std::to_string(dev_.compute_units) + " " + unit +
                 "s)";
        m += "; " + std::string(to_string(Tuning::mapping));
        if (Tuning::mapping == stream_mapping::one_shot)
            m += " (one block per " + detail::size_text(16ull * Tuning::block_threads * Tuning::in_flight) +
                 " tile, one launch per pass)";
        if (Tuning::mapping == stream_mapping::block_chunks)
            m += " (pieces of at most " + detail::size_text(Tuning::chunk_bytes) + ")";
        if (groups_ > 1) m += " in " + std::to_string(groups_) + " slices, one per XCD (block b: slice b mod " +
                              std::to_string(groups_) + ")";
        m += "; working set " + detail::size_text(bytes_per_pass()) + " = " +
             std::to_string(t.arrays_read + t.arrays_written) + " x " + detail::size_text(array_bytes_);
        if (!note_.empty()) m += " (" + note_ + ")";
        if (!geometry_note_.empty()) m += " (" + geometry_note_ + ")";
        return m;
    }

    void prepare() override {
        const detail::stream_geometry g = detail::plan_stream_geometry(
            level_, Tuning::mapping, Tuning::block_threads, Tuning::in_flight, Tuning::blocks_per_unit, occupancy(),
            dev_.compute_units, array_bytes_ / 16, groups_);
        grid_ = g.grid;
        blocks_per_unit_ = g.blocks_per_unit;
        geometry_note_ = g.note;
        // Fill on the legacy default stream, then wait: the probe's stream does not order
        // against it.
        arrays_ = std::make_unique<stream_arrays>(op_, array_bytes_, nullptr);
        arrays_->use_vectors(g.vectors);
        array_bytes_ = arrays_->array_bytes();
        if (op_ == stream_op::read)
            partial_ = backend::device_buffer<std::uint32_t>(static_cast<std::size_t>(grid_) * Tuning::block_threads);
        backend::synchronize();
    }

    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        if (!arrays_) throw invalid_argument("stream runner " + key() + ": enqueue before prepare");
        const std::uint64_t passes = std::max<std::uint64_t>(repeats, 1);
        // one_shot makes one pass per launch (each launch rewrites the whole output with the
        // same seed, so the last one is what verify checks); the others one launch of `passes`.
        const bool one_shot = Tuning::mapping == stream_mapping::one_shot;
        passes_ = one_shot ? 1 : passes;
        seed_ = 1 + static_cast<std::uint32_t>(launches_++ % 65536);
        const detail::stream_params p =
            arrays_->params(Tuning::mapping, passes_, grid_, Tuning::block_threads, Tuning::in_flight,
                            partial_.data(), seed_, Tuning::chunk_bytes, groups_);
        const backend::native_stream s = detail::native(stream);
        for (std::uint64_t i = 0; i < (one_shot ? passes : 1); ++i) {
            switch (op_) {
            case stream_op::read: launch<stream_op::read>(p, s); break;
            case stream_op::write: launch<stream_op::write>(p, s); break;
            case stream_op::copy: launch<stream_op::copy>(p, s); break;
            case stream_op::triad: launch<stream_op::triad>(p, s); break;
            }
        }
        // What the walk requests: every vector of every array once per pass.
        launch_work w;
        w.bytes = detail::requested_bytes_per_array(p) * detail::arrays_of(op_) *
                  static_cast<double>(one_shot ? passes : 1);
        return w;
    }

    std::string verify(void* stream) override {
        if (!arrays_) return "verify before prepare";
        if (launches_ == 0) enqueue(stream, 1);
        const std::string why = arrays_->verify(passes_, seed_, partial_.data(), partial_.size(), detail::native(stream));
        return why.empty() ? why : key() + ": " + why;
    }

    /// Bytes read + written per pass (all arrays).
    std::uint64_t bytes_per_pass() const {
        const auto t = traffic(op_);
        return static_cast<std::uint64_t>(t.arrays_read + t.arrays_written) * array_bytes_;
    }
    std::uint64_t array_bytes() const { return array_bytes_; }
    /// Why the working set has its size ("" when it is the level's target).
    const std::string& note() const { return note_; }
    /// Blocks per SM/CU of the launches (known after prepare(); 0 when the grid is smaller
    /// than the SM/CU count).
    int blocks_per_unit() const { return blocks_per_unit_; }
    /// Blocks per launch (known after prepare()).
    unsigned grid() const { return grid_; }
    /// Which working set of the level this runner measures.
    memory_scope scope() const { return scope_; }

private:
    // one_shot never runs read (the constructor refuses it): no such kernel is instantiated.
    static constexpr bool runs(stream_op op) {
        return !(Tuning::mapping == stream_mapping::one_shot && op == stream_op::read);
    }
    template <stream_op Op>
    void launch(const detail::stream_params& p, backend::native_stream s) {
        if constexpr (runs(Op))
            launch_stream<Op, Tuning::block_threads, Tuning::in_flight, Tuning::load, Tuning::store, Tuning::mapping>(
                p, grid_, s);
        else
            (void)p, (void)s;
    }

    int occupancy() const {
        switch (op_) {
        case stream_op::read: return occupancy_of<stream_op::read>();
        case stream_op::write: return occupancy_of<stream_op::write>();
        case stream_op::copy: return occupancy_of<stream_op::copy>();
        case stream_op::triad: return occupancy_of<stream_op::triad>();
        }
        return 0;
    }
    template <stream_op Op>
    static int occupancy_of() {
        if constexpr (runs(Op))
            return stream_blocks_per_unit<Op, Tuning::block_threads, Tuning::in_flight, Tuning::load, Tuning::store,
                                          Tuning::mapping>();
        else
            return 0;
    }

    memory_level level_;
    stream_op op_;
    memory_scope scope_;
    std::uint32_t groups_;
    std::uint64_t array_bytes_;
    device_info dev_;
    std::string note_;
    std::string geometry_note_;
    int blocks_per_unit_ = 0;
    unsigned grid_ = 0;
    std::unique_ptr<stream_arrays> arrays_;
    backend::device_buffer<std::uint32_t> partial_;
    std::uint64_t launches_ = 0;
    std::uint64_t passes_ = 0;
    std::uint32_t seed_ = 0;
};

/// HBM copy by the runtime's own device-to-device copy (cudaMemcpyAsync / hipMemcpyAsync) over
/// arrays like those of aaco's copy kernel. probes::measure_memory measures it beside the kernel
/// under the same sampler and keeps the faster as the copy ceiling: a ceiling must hold for the
/// vendor's copy too. H200, 2026-12-02 (aaco_bench_bulk_copy: aaco's sampler, interleaved, 1 GiB
/// arrays): cudaMemcpyAsync 4235 GB/s, the one_shot copy kernel 4248.5, the grid_stride one 4018,
/// the bulk-copy engine 3944.
class runtime_copy_runner final : public runner {
public:
    /// `array_bytes`: bytes per array (rounded down to a multiple of 16).
    explicit runtime_copy_runner(std::uint64_t array_bytes) : array_bytes_(array_bytes / 16 * 16) {
        if (array_bytes_ < 16 || array_bytes_ > detail::max_stream_array_bytes)
            throw invalid_argument("runtime copy runner: bytes per array must be in [16, 32 GiB], got " +
                                   std::to_string(array_bytes));
    }
    std::string key() const override { return "memory.hbm.copy"; }
    std::string method() const override {
        return "hbm roof: " + call_name() + " device-to-device (the runtime's copy); working set " +
               detail::size_text(2 * array_bytes_) + " = 2 x " + detail::size_text(array_bytes_);
    }
    void prepare() override {
        arrays_ = std::make_unique<stream_arrays>(stream_op::copy, array_bytes_, nullptr);
        backend::synchronize();
    }
    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        if (!arrays_) throw invalid_argument("runtime copy runner: enqueue before prepare");
        for (std::uint64_t i = 0; i < std::max<std::uint64_t>(repeats, 1); ++i)
            backend::memcpy_async(arrays_->output(), arrays_->input(), array_bytes_, detail::native(stream));
        ++launches_;
        launch_work w;
        w.bytes = 2.0 * static_cast<double>(array_bytes_) * static_cast<double>(std::max<std::uint64_t>(repeats, 1));
        return w;
    }
    /// The output equals the input (its sum; seed 0: a copy adds nothing).
    std::string verify(void* stream) override {
        if (!arrays_) return "verify before prepare";
        if (launches_ == 0) enqueue(stream, 1);
        const std::string why = arrays_->verify(1, 0, nullptr, 0, detail::native(stream));
        return why.empty() ? why : key() + " (" + call_name() + "): " + why;
    }
    /// "cudaMemcpyAsync" or "hipMemcpyAsync".
    static std::string call_name() { return backend::name == "hip" ? "hipMemcpyAsync" : "cudaMemcpyAsync"; }

private:
    std::uint64_t array_bytes_;
    std::unique_ptr<stream_arrays> arrays_;
    std::uint64_t launches_ = 0;
};

/// The runner that measures `level` under `op` on `dev` (the current device), or nullptr when
/// that figure does not exist there: llc without a last-level cache, shared memory under any op
/// but read, the host links under any op but copy.
///
/// `working_set_bytes`: bytes per array for hbm/l2/llc, bytes per copy for the host links,
/// ignored for shared memory. 0 = size it from the device: hbm_working_set_bytes (with the free
/// memory now), l2_working_set_bytes (l2_whole_working_set_bytes for `scope` whole),
/// llc_working_set_bytes, host_link_bytes. `scope` whole exists at L2 only (invalid_argument
/// elsewhere).
inline std::unique_ptr<runner> make_stream_runner(memory_level level, stream_op op,
                                                  std::uint64_t working_set_bytes, const device_info& dev,
                                                  memory_scope scope = memory_scope::roof) {
    const int arrays = detail::arrays_of(op);
    const std::string key = detail::stream_key(level, op, scope);
    if (scope == memory_scope::whole && level != memory_level::l2)
        throw invalid_argument("make_stream_runner: " + key + ": the whole-cache scope exists for L2 only");
    // An explicit size wins; else the level's sizing rule, which must leave something to measure.
    auto pick = [&](auto&& automatic) {
        if (working_set_bytes != 0) return working_set{working_set_bytes, {}};
        working_set w = automatic();
        if (w.bytes == 0) throw runtime_error(key + ": no working set fits: " + w.note, 0);
        return w;
    };
    switch (level) {
    case memory_level::hbm: {
        const working_set w = pick([&] {
            return hbm_working_set_bytes(dev, backend::device_memory().free_bytes, arrays);
        });
        switch (op) {
        case stream_op::read: return std::make_unique<stream_runner<hbm_read_stream_tuning>>(level, op, w.bytes, dev, w.note);
        case stream_op::write:
            return std::make_unique<stream_runner<hbm_write_stream_tuning>>(level, op, w.bytes, dev, w.note);
        case stream_op::copy:
        case stream_op::triad: return std::make_unique<stream_runner<hbm_copy_stream_tuning>>(level, op, w.bytes, dev, w.note);
        }
        throw invalid_argument("make_stream_runner: unknown stream_op value");
    }
    case memory_level::l2: {
        const working_set w = pick([&] {
            return scope == memory_scope::whole ? l2_whole_working_set_bytes(dev, arrays)
                                                : l2_working_set_bytes(dev, arrays);
        });
        return std::make_unique<stream_runner<cache_stream_tuning>>(level, op, w.bytes, dev, w.note, scope,
                                                                    detail::stream_groups(dev, level));
    }
    case memory_level::llc: {
        if (dev.llc_bytes == 0) return nullptr;
        const working_set w = pick([&] { return llc_working_set_bytes(dev, arrays); });
        return std::make_unique<stream_runner<cache_stream_tuning>>(level, op, w.bytes, dev, w.note);
    }
    case memory_level::shared:
        if (op != stream_op::read) return nullptr;
        return make_shared_memory_runner(dev);
    case memory_level::host_to_device:
    case memory_level::device_to_host:
        if (op != stream_op::copy) return nullptr;
        return make_host_link_runner(level, working_set_bytes, dev);
    case memory_level::l1: return nullptr;  // latency only: no bandwidth kernel
    }
    throw invalid_argument("make_stream_runner: unknown memory_level value");
}

#else // AACO_BACKEND_NONE

/// Host-only build: there are no kernels; always throws unsupported_arch_error.
inline std::unique_ptr<runner> make_stream_runner(memory_level level, stream_op op, std::uint64_t working_set_bytes,
                                                  const device_info& dev, memory_scope scope = memory_scope::roof) {
    (void)level, (void)op, (void)working_set_bytes, (void)dev, (void)scope;
    throw unsupported_arch_error("aaco was built without a GPU backend; no memory kernels");
}

#endif

} // namespace kernels
AACO_NAMESPACE_END

#undef AACO_STREAM_UNROLL
#undef AACO_STREAM_ROLLED
