/// \file runner.hpp
/// \brief The host-side interface between probes and the hand-written kernels.
///
/// Each vendor's kernel family (kernels/nvidia, kernels/amd, kernels/stream, ...) exposes its
/// kernels as `runner`s. A probe owns the timing and the statistics; a runner owns buffers,
/// launch geometry and the work count. This keeps every timing decision in one place
/// (probes/) and every launch-geometry decision next to the kernel it belongs to.
#pragma once
#include <aaco/config.hpp>
#include <aaco/model/envelope.hpp>

#include <cstdint>
#include <limits>
#include <string>

AACO_NAMESPACE_BEGIN
namespace kernels {

/// Sustained clock as seen inside a kernel: cycles of one SM/CU over wall time, taken by the
/// first thread of each block at start and end, reduced to the block that ran longest.
struct clock_reading {
    double cycles = 0;       ///< elapsed SM/CU cycles (clock64 / s_memtime)
    double nanoseconds = 0;  ///< elapsed wall time (%globaltimer / s_memrealtime at 100 MHz)
    /// Sustained clock in MHz, NaN when nothing was recorded.
    double mhz() const { return nanoseconds > 0 ? cycles / nanoseconds * 1e3 : std::numeric_limits<double>::quiet_NaN(); }
};

/// Work done by one launch, in the unit the probe reports.
struct launch_work {
    double flops = 0;  ///< FLOPs (or integer ops) for compute runners
    double bytes = 0;  ///< bytes read + bytes written for memory runners
};

/// What a probe needs from a kernel. All calls are on the current device; `stream` is the
/// backend's native stream handle (cudaStream_t / hipStream_t) passed as void*.
class runner {
public:
    virtual ~runner() = default;
    /// Short stable key, e.g. "compute.fp16.matrix", "memory.hbm.read".
    virtual std::string key() const = 0;
    /// What the kernel executes, e.g. "wgmma.mma_async.m64n256k16.f32.f16.f16".
    virtual std::string method() const = 0;
    /// Allocates and initialises inputs. Called once before any launch. Throws on failure.
    virtual void prepare() = 0;
    /// Enqueues one launch on `stream` doing `repeats` units of work; returns that launch's work.
    /// A probe picks `repeats` so that one launch lasts a few milliseconds.
    virtual launch_work enqueue(void* stream, std::uint64_t repeats) = 0;
    /// Checks on the device that the last launch did the work it counts (accumulators or
    /// outputs against a host expectation). Returns an empty string when correct, else why not.
    virtual std::string verify(void* stream) = 0;
    /// In-kernel clock of the last launch, where the kernel records one. The sampler calls it
    /// after every timed launch (outside its events) to pair that launch's rate with its clock,
    /// so it must describe exactly the last enqueue() and may synchronize `stream`.
    virtual clock_reading last_clock(void* stream) { (void)stream; return {}; }
};

/// Static description of a compute kernel, for the clock-adjusted peak and the report.
struct compute_kernel_desc {
    precision prec = precision::fp32;
    compute_unit unit = compute_unit::vector;
    /// FLOPs (int ops for int8) per clock per CU/SM at the instruction's full issue rate, from
    /// the ISA tables (design.md section 5). Clock-adjusted peak = this x units x measured MHz.
    double flops_per_clock_per_unit = 0;
    operand_mode operands = operand_mode::random;
    /// What the operands were drawn from: random_operand_distribution(prec) for random mode
    /// (every kernel of a precision must follow it), zero_operand_distribution for zero mode.
    std::string operand_distribution;
};

/// A runner for a compute-ceiling kernel.
class compute_runner : public runner {
public:
    virtual compute_kernel_desc desc() const = 0;
};

} // namespace kernels
AACO_NAMESPACE_END
