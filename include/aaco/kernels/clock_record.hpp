/// \file kernels/clock_record.hpp
/// \brief The per-block clock record of aaco's timed kernels, one definition for every kernel
/// family (NVIDIA mma.sync / wgmma / vector FMA, AMD MFMA / vector FMA, the LDS loop): what the
/// first thread of a block writes around its loop, and the host reduction to a clock_reading.
///
/// Plain C++: the record and the reduction build under any compiler; kernels take the stamps
/// with arch/clock.hpp's stamp_start() / stamp_end() in GPU builds.
#pragma once
#include <aaco/config.hpp>
#include <aaco/arch/clock.hpp>
#include <aaco/kernels/runner.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace kernels {

/// One block's clock record: cycles and wall time at the start and end of its timed region,
/// and the "compiled path" of the body that ran (a kernel family's own code for the arch it was
/// compiled for; 0 when the arch-specific body was compiled out of the code that ran).
struct block_clock_record {
    std::uint64_t start_cycles = 0;
    std::uint64_t end_cycles = 0;
    std::uint64_t start_ns = 0;
    std::uint64_t end_ns = 0;
    std::uint32_t path = 0;
    std::uint32_t reserved = 0;
};

/// The record of a timed region from its two stamps (arch::stamp_start() / stamp_end()) and
/// the path of the body that ran.
AACO_HOST_DEVICE constexpr block_clock_record make_clock_record(arch::clock_stamp start,
                                                                arch::clock_stamp end,
                                                                std::uint32_t path) {
    block_clock_record r;
    r.start_cycles = start.cycles;
    r.end_cycles = end.cycles;
    r.start_ns = start.ns;
    r.end_ns = end.ns;
    r.path = path;
    return r;
}

/// The clock of the block that ran longest (by wall time), runner.hpp's clock_reading
/// contract. Records with no elapsed time or no elapsed cycles (never written, compiled-out
/// bodies, a stopped counter) are skipped; empty when none is left.
inline clock_reading longest_block(const block_clock_record* records, std::size_t n) {
    clock_reading best;
    for (std::size_t i = 0; i < n; ++i) {
        const block_clock_record& r = records[i];
        if (r.end_ns <= r.start_ns || r.end_cycles <= r.start_cycles) continue;
        const double ns = static_cast<double>(r.end_ns - r.start_ns);
        if (ns > best.nanoseconds) {
            best.nanoseconds = ns;
            best.cycles = static_cast<double>(r.end_cycles - r.start_cycles);
        }
    }
    return best;
}

inline clock_reading longest_block(const std::vector<block_clock_record>& records) {
    return longest_block(records.data(), records.size());
}

/// The smallest compiled-path code over all blocks: 0 when some block ran a body that was
/// compiled out (or nothing was recorded).
inline std::uint32_t common_path(const std::vector<block_clock_record>& records) {
    std::uint32_t path = records.empty() ? 0u : records.front().path;
    for (const block_clock_record& r : records)
        if (r.path < path) path = r.path;
    return path;
}

} // namespace kernels
AACO_NAMESPACE_END
