/// \file vector_fma.hpp
/// \brief Vector-ALU peak: a loop of fused multiply-adds (fp32, fp64, packed fp16x2).
///
/// Each thread keeps `Chains` independent accumulators x_j and runs x_j = x_j * a + b_j (or
/// x_j * a + b with one addend shared by all chains), so consecutive FMAs of one thread never
/// depend on each other and the FMA latency (about 4 cycles on sm_80/sm_90 for FFMA) is hidden
/// inside one warp; several warps per SM sub-partition hide the rest. The operands come from
/// device tables: random_operand_distribution's values by default (kernels/operand_fill.hpp;
/// the multipliers a are redrawn when they round to exactly +-1, so |a| < 1 keeps the chains
/// bounded), zeros in the "cold" mode. The launch shape (chains, unroll, threads, blocks per SM, operand
/// reuse) is a type, vector_fma_shape; vector_fma_tuning<P> holds the one each precision uses,
/// and benchmarks/tune_vector.cu sweeps the alternatives.
///
/// The kernel is plain C++ arithmetic (fma(), __hfma2) and builds with nvcc and hipcc alike;
/// the NVIDIA factory with its per-arch rates sits behind AACO_BACKEND_CUDA at the end. Under a
/// plain C++ compiler only the host helpers (exact fp16/bf16 encoders,
/// the NVIDIA rate table) are available.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/clock_record.hpp>
#include <aaco/kernels/operand_fill.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/precision.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if !AACO_BACKEND_NONE
#  include <aaco/arch/clock.hpp>
#  include <aaco/backend/backend.hpp>
#  if AACO_BACKEND_CUDA
#    include <cuda_fp16.h>
#  else
#    include <hip/hip_fp16.h>
#  endif
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {

// =============================================================================================
// Host helpers shared by aaco's compute kernels (plain C++; no GPU header needed).
// =============================================================================================
namespace detail_compute {

/// IEEE binary16 bits of `v`, which must be zero or a normal half exactly (all values aaco
/// feeds to fp16 units are chosen so; anything else is a bug and throws).
inline std::uint16_t half_bits_exact(double v) {
    if (v == 0) return std::signbit(v) ? 0x8000u : 0u;
    const std::uint16_t sign = v < 0 ? 0x8000u : 0u;
    // Subnormals (|v| < 2^-14) are multiples of 2^-24: the random operand fill rounds uniform
    // [-1, 1] values to fp16 and keeps the few that land there (H200 run 2026-12-01: 4.1e-5).
    if (std::fabs(v) < std::ldexp(1.0, -14)) {
        const double units = std::fabs(v) * std::ldexp(1.0, 24);
        if (units != std::floor(units))
            throw invalid_argument("half_bits_exact: " + std::to_string(v) +
                                   " is not exactly representable as an fp16 subnormal");
        return static_cast<std::uint16_t>(sign | static_cast<unsigned>(units));
    }
    int e = 0;
    const double f = std::frexp(std::fabs(v), &e); // |v| = f * 2^e, f in [0.5, 1)
    const int exponent = e - 1;                     // |v| = 1.m * 2^exponent
    const double mantissa = (2 * f - 1) * 1024;     // 10 fraction bits
    if (exponent > 15 || mantissa != std::floor(mantissa))
        throw invalid_argument("half_bits_exact: " + std::to_string(v) +
                               " is not exactly representable as an fp16");
    return static_cast<std::uint16_t>(sign | ((exponent + 15) << 10) |
                                      static_cast<unsigned>(mantissa));
}

/// bfloat16 bits of `v`, which must be exactly representable (checked, throws otherwise).
inline std::uint16_t bf16_bits_exact(double v) {
    const float f = static_cast<float>(v);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    if (static_cast<double>(f) != v || (bits & 0xffffu) != 0)
        throw invalid_argument("bf16_bits_exact: " + std::to_string(v) +
                               " is not exactly representable as bf16");
    return static_cast<std::uint16_t>(bits >> 16);
}

/// Value of IEEE binary16 bits (normal numbers and zero; enough for aaco's checks).
inline double half_value(std::uint16_t h) {
    const int exponent = (h >> 10) & 0x1f;
    const int fraction = h & 0x3ff;
    const double magnitude = exponent == 0 ? std::ldexp(fraction, -24)
                                           : std::ldexp(1024 + fraction, exponent - 25);
    return (h & 0x8000u) ? -magnitude : magnitude;
}

/// "sm_90" -> 90, "sm_80" -> 80, "sm_90a" -> 90; 0 when `arch` is not an NVIDIA SM name.
inline int parse_sm(std::string_view arch) {
    if (arch.substr(0, 3) != "sm_") return 0;
    int value = 0;
    std::size_t i = 3;
    for (; i < arch.size() && arch[i] >= '0' && arch[i] <= '9'; ++i) value = value * 10 + (arch[i] - '0');
    return i > 3 ? value : 0;
}

} // namespace detail_compute

// =============================================================================================
// NVIDIA vector rates (host facts; design.md section 5 and the vendor papers).
// =============================================================================================
namespace nvidia {

/// FLOPs per clock per SM of the vector (CUDA-core) FMA path, 0 when aaco does not know the arch.
///  - fp32 FFMA: sm_80 64 lanes -> 128, sm_90 128 lanes -> 256 (design.md section 5).
///  - fp64 DFMA: sm_80 32 lanes -> 64, sm_90 64 lanes -> 128 (design.md section 5).
///  - fp16 HFMA2 (4 FLOPs each): 512 on both. Source: A100 white paper, "Peak FP16 (non-Tensor)
///    78 TFLOPS" = 108 SMs x 512 x 1.41 GHz; H100 white paper, "Peak FP16 (non-Tensor) 133.8
///    TFLOPS" (SXM5) = 132 SMs x 512 x 1.98 GHz.
inline double vector_flops_per_clock(precision p, std::string_view arch) {
    const int sm = detail_compute::parse_sm(arch);
    const bool ampere = sm == 80, hopper = sm == 90;
    if (!ampere && !hopper) return 0;
    switch (p) {
    case precision::fp32: return hopper ? 256 : 128;
    case precision::fp64: return hopper ? 128 : 64;
    case precision::fp16: return 512;
    default: return 0;
    }
}

} // namespace nvidia

// =============================================================================================
// Launch shape and per-precision tuning (plain C++; visible in host-only builds too).
// =============================================================================================

/// Where the FMA operands other than the accumulator come from.
enum class vector_fma_operands {
    /// x_j = x_j * a + b_j: one multiplier per thread, one addend per chain, so consecutive FMAs
    /// read different addend registers.
    per_chain,
    /// x_j = x_j * a + b: the same two registers feed every chain, so consecutive FMAs can take
    /// them from the operand reuse cache and read only x_j from the register file (no register
    /// bank conflicts between the sources, fewer register-file reads per FMA).
    shared,
};

/// "per-chain" | "shared".
constexpr std::string_view to_string(vector_fma_operands o) {
    return o == vector_fma_operands::shared ? "shared" : "per-chain";
}

/// Shape of the vector FMA loop, a type so that each shape is its own kernel instantiation.
/// \tparam Chains         independent accumulators per thread (the latency each warp hides itself)
/// \tparam Unroll         FMAs per chain per loop trip (Chains x Unroll FMAs per trip amortise the
///                        loop's own 2-3 instructions)
/// \tparam Threads        threads per block (a multiple of 32)
/// \tparam BlocksPerUnit  blocks per SM: the grid is SMs x this (lowered to what the occupancy
///                        query allows) and, on NVIDIA, the __launch_bounds__ minimum, which caps
///                        the registers per thread at 64K / (Threads x BlocksPerUnit)
/// \tparam Operands       see vector_fma_operands
template <int Chains, int Unroll, int Threads, int BlocksPerUnit, vector_fma_operands Operands>
struct vector_fma_shape {
    static_assert(Chains >= 1 && Chains <= 32, "vector_fma_shape: Chains must be in [1, 32]");
    static_assert(Unroll >= 1 && Unroll <= 256, "vector_fma_shape: Unroll must be in [1, 256]");
    static_assert(Threads >= 32 && Threads <= 1024 && Threads % 32 == 0,
                  "vector_fma_shape: Threads must be a multiple of 32 in [32, 1024]");
    static_assert(BlocksPerUnit >= 1 && Threads * BlocksPerUnit <= 2048,
                  "vector_fma_shape: at most 2048 threads per SM (the sm_80/sm_90 limit)");
    static constexpr int chains = Chains;
    static constexpr int unroll = Unroll;
    static constexpr int threads = Threads;
    static constexpr int blocks_per_unit = BlocksPerUnit;
    static constexpr vector_fma_operands operands = Operands;

    /// Estimated registers per thread for elements of `words` 32-bit registers: accumulators,
    /// addends, the multiplier and 16 for indices, the 64-bit trip counter and the parameter
    /// pointers. 16, not less: with 12, ptxas (CUDA 13, sm_90a) spilled 24-40 bytes in 8-chain
    /// per-chain shapes under a 32-register cap; with 16 no shape of benchmarks/tune_vector.cu
    /// spills (ptxas -v, sm_80 and sm_90a).
    static constexpr int registers(int words) {
        return words * (Chains + (Operands == vector_fma_operands::shared ? 1 : Chains) + 1) + 16;
    }
    /// Registers per thread that __launch_bounds__(Threads, BlocksPerUnit) leaves on sm_80/sm_90:
    /// 64K per SM over all resident threads, in steps of 8, at most 255.
    static constexpr int register_cap() {
        const int cap = 65536 / (Threads * BlocksPerUnit) / 8 * 8;
        return cap > 255 ? 255 : cap;
    }
    /// True when the shape runs BlocksPerUnit blocks per SM without spilling.
    static constexpr bool fits(int words) { return registers(words) <= register_cap(); }
};

/// The shape the runner and the factories use, per precision. benchmarks/tune_vector.cu prints
/// the measured best as lines to paste here.
template <precision P>
struct vector_fma_tuning;

// Measured 2026-11-26 with benchmarks/tune_vector.cu on an NVIDIA H200 (sm_90, 132 SMs, driver
// 580.159.04), random operands; each winner is the sweep's best clock-adjusted efficiency.
//
/// fp32 (FFMA): 8 chains x 128 unrolled, 256 threads x 8 blocks/SM, shared a/b: 65.47 TFLOP/s at
/// 1973 MHz = 98.2% of 256 FLOP/clk/SM. FFMA issues one warp instruction per clock per
/// sub-partition, so a long trip keeps the loop overhead small (8 x 32 per-chain: 96.4%).
template <>
struct vector_fma_tuning<precision::fp32> : vector_fma_shape<8, 128, 256, 8, vector_fma_operands::shared> {};

/// fp64 (DFMA): 4 chains x 64 unrolled, 256 threads x 8 blocks/SM, shared a/b: 30.76 TFLOP/s at
/// 1980 MHz = 92.0% of 128 FLOP/clk/SM. Every one of the 27 shapes swept (4-16 chains, unroll
/// 32-64, 128-1024 threads, 1-8 blocks/SM, shared or per-chain operands) landed at 91.5-92.0%:
/// the ceiling is the DFMA pipe's own sustained rate on this card, not latency or occupancy.
template <>
struct vector_fma_tuning<precision::fp64> : vector_fma_shape<4, 64, 256, 8, vector_fma_operands::shared> {};

/// fp16 (packed HFMA2, 4 FLOPs each): 8 chains x 128 unrolled, 256 threads x 8 blocks/SM, shared
/// a/b: 131.47 TFLOP/s at 1972 MHz = 98.6% of 512 FLOP/clk/SM (the H100 white paper's 2x fp32
/// non-tensor rate). The first kernel (8 x 32, per-chain addends) reached only 65%: HFMA2 needs
/// the operand-reuse form to issue every clock.
template <>
struct vector_fma_tuning<precision::fp16> : vector_fma_shape<8, 128, 256, 8, vector_fma_operands::shared> {};

#if !AACO_BACKEND_NONE
// =============================================================================================
// Device code (CUDA and HIP).
// =============================================================================================

/// Per-type facts of the vector FMA loop: storage in the operand tables, the FMA itself, FLOPs
/// per FMA, the PTX/SASS it should become (checked by tests/isa), and the host-side encoding.
template <class T>
struct vector_fma_traits;

template <>
struct vector_fma_traits<float> {
    using storage = float;
    static constexpr precision prec = precision::fp32;
    static constexpr int flops_per_fma = 2;
    static constexpr int words = 1;                    ///< 32-bit registers per element
    static constexpr double exact_limit = 16777216.0;  ///< integers below this are exact (2^24)
    static constexpr const char* instruction = "fma.rn.f32 (FFMA)";
    AACO_DEVICE static float load(storage s) { return s; }
    AACO_DEVICE static storage store(float x) { return x; }
    AACO_DEVICE static float fma(float x, float a, float b) { return fmaf(x, a, b); }
    AACO_DEVICE static double sum(float x) { return x; }
    static storage encode(double lo, double) { return static_cast<storage>(lo); }
    static std::string show(storage v) { return std::to_string(v); }
};

template <>
struct vector_fma_traits<double> {
    using storage = double;
    static constexpr precision prec = precision::fp64;
    static constexpr int flops_per_fma = 2;
    static constexpr int words = 2;
    static constexpr double exact_limit = 9007199254740992.0; // 2^53
    static constexpr const char* instruction = "fma.rn.f64 (DFMA)";
    AACO_DEVICE static double load(storage s) { return s; }
    AACO_DEVICE static storage store(double x) { return x; }
    AACO_DEVICE static double fma(double x, double a, double b) { return ::fma(x, a, b); }
    AACO_DEVICE static double sum(double x) { return x; }
    static storage encode(double lo, double) { return lo; }
    static std::string show(storage v) { return std::to_string(v); }
};

/// Host side of a packed pair of 16-bit floats stored as a 32-bit pattern (low half = .x), so
/// the host fills the tables without fp16 host types. `Format` gives bits(double) (exact or
/// throws), value(bits) and the exact-integer limit.
template <class Format>
struct vector_fma_packed16_host {
    using storage = std::uint32_t;
    static constexpr int words = 1;
    static storage encode(double lo, double hi) {
        return static_cast<storage>(Format::bits(lo)) | (static_cast<storage>(Format::bits(hi)) << 16);
    }
    static double lo_value(storage s) { return Format::value(static_cast<std::uint16_t>(s & 0xffffu)); }
    static double hi_value(storage s) { return Format::value(static_cast<std::uint16_t>(s >> 16)); }
    static std::string show(storage s) {
        return "(" + std::to_string(lo_value(s)) + ", " + std::to_string(hi_value(s)) + ")";
    }
};

/// IEEE binary16 for vector_fma_packed16_host.
struct vector_fma_half_format {
    static std::uint16_t bits(double v) { return detail_compute::half_bits_exact(v); }
    static double value(std::uint16_t h) { return detail_compute::half_value(h); }
};

/// Packed half2: one HFMA2 = two fp16 FMAs = 4 FLOPs.
template <>
struct vector_fma_traits<__half2> : vector_fma_packed16_host<vector_fma_half_format> {
    static constexpr precision prec = precision::fp16;
    static constexpr int flops_per_fma = 4;
    static constexpr double exact_limit = 2048.0; // 11 significant bits
    static constexpr const char* instruction = "fma.rn.f16x2 (HFMA2)";
    AACO_DEVICE static __half2 load(storage s) {
        __half2 h;
        __builtin_memcpy(&h, &s, sizeof h); // std::memcpy is host-only under hipcc
        return h;
    }
    AACO_DEVICE static storage store(__half2 x) {
        storage s;
        __builtin_memcpy(&s, &x, sizeof s);
        return s;
    }
    AACO_DEVICE static __half2 fma(__half2 x, __half2 a, __half2 b) { return __hfma2(x, a, b); }
    AACO_DEVICE static double sum(__half2 x) {
        return static_cast<double>(__low2float(x)) + static_cast<double>(__high2float(x));
    }
};

template <class T>
struct vector_fma_params {
    using storage = typename vector_fma_traits<T>::storage;
    const storage* x0;   ///< table of initial accumulators
    const storage* a;    ///< table of multipliers (one per thread)
    const storage* b;    ///< table of addends (one per chain, or one per thread when shared)
    storage* out;        ///< write_all: threads x Chains; else threads (sentinel writes)
    block_clock_record* records; ///< one per CTA
    std::uint64_t repeats; ///< loop trips; each does Unroll x Chains FMAs per thread
    std::uint32_t table_mask;
    int write_all;       ///< verify mode: write every accumulator
    double sentinel;     ///< consume: write only when the accumulator sum equals this
};

/// Table index of chain j's addend for thread `tid` (the host reference uses the same rule).
AACO_HOST_DEVICE constexpr std::uint32_t vector_fma_addend_index(std::uint32_t tid, int chains, int j,
                                                                 vector_fma_operands ops, std::uint32_t mask) {
    return (tid * static_cast<std::uint32_t>(chains) +
            (ops == vector_fma_operands::shared ? 0u : static_cast<std::uint32_t>(j))) & mask;
}

/// The arch the current device pass compiles for (__CUDA_ARCH__, or 1 for any HIP target), 0 on
/// the host pass.
AACO_HOST_DEVICE constexpr std::uint32_t vector_fma_compiled_path() {
#if defined(__CUDA_ARCH__)
    return __CUDA_ARCH__;
#elif defined(__HIP_DEVICE_COMPILE__)
    return 1;
#else
    return 0;
#endif
}

// HIP reads __launch_bounds__'s second argument as waves per EU, not blocks per CU: give it the
// block size only. CUDA: the blocks minimum, lowered where the compiled arch's SM holds fewer
// threads (sm_75, sm_89: AACO_CUDA_MIN_BLOCKS in config.hpp).
#if AACO_BACKEND_CUDA
#  define AACO_VECTOR_FMA_BOUNDS(threads, blocks) \
      __launch_bounds__(threads, AACO_CUDA_MIN_BLOCKS(threads, blocks))
#else
#  define AACO_VECTOR_FMA_BOUNDS(threads, blocks) __launch_bounds__(threads)
#endif

/// x_j = x_j * a + b_j (or + b, shared), `repeats` x `Unroll` times per chain, `Chains` chains
/// per thread. Launch with exactly `Threads` threads per block.
template <class T, int Chains, int Unroll, int Threads, int BlocksPerUnit, vector_fma_operands Operands>
AACO_KERNEL void AACO_VECTOR_FMA_BOUNDS(Threads, BlocksPerUnit) vector_fma_kernel(vector_fma_params<T> p) {
    using traits = vector_fma_traits<T>;
    constexpr bool shared = Operands == vector_fma_operands::shared;
    constexpr int addends = shared ? 1 : Chains;
    arch::clock_stamp start{};
    if (threadIdx.x == 0) start = arch::stamp_start();
    const std::uint32_t tid = blockIdx.x * blockDim.x + threadIdx.x;
    const T a = traits::load(p.a[tid & p.table_mask]);
    T x[Chains];
    T b[addends];
#pragma unroll
    for (int j = 0; j < Chains; ++j) x[j] = traits::load(p.x0[(tid * Chains + j) & p.table_mask]);
#pragma unroll
    for (int j = 0; j < addends; ++j)
        b[j] = traits::load(p.b[vector_fma_addend_index(tid, Chains, j, Operands, p.table_mask)]);
    // One trip is already Unroll x Chains FMAs; unrolling the trips too only bloats the code
    // (nvcc unrolled the HFMA2 loop 4x + remainder: 1280 FMAs, ~20 KB of SASS to stream
    // through the instruction cache).
#pragma unroll 1
    for (std::uint64_t r = 0; r < p.repeats; ++r) {
#pragma unroll
        for (int u = 0; u < Unroll; ++u) {
#pragma unroll
            for (int j = 0; j < Chains; ++j) x[j] = traits::fma(x[j], a, b[shared ? 0 : j]);
        }
    }
    __syncthreads();
    if (threadIdx.x == 0) p.records[blockIdx.x] = make_clock_record(start, arch::stamp_end(), vector_fma_compiled_path());
    if (p.write_all) {
#pragma unroll
        for (int j = 0; j < Chains; ++j) p.out[tid * Chains + j] = traits::store(x[j]);
    } else {
        double s = 0;
#pragma unroll
        for (int j = 0; j < Chains; ++j) s += traits::sum(x[j]);
        if (s == p.sentinel) p.out[tid] = traits::store(x[0]);
    }
}

#undef AACO_VECTOR_FMA_BOUNDS

/// Runner of the vector FMA loop for element type T (float, double, __half2) with the launch
/// shape `Shape` (a vector_fma_shape; by default the precision's vector_fma_tuning).
template <class T, class Shape = vector_fma_tuning<vector_fma_traits<T>::prec>>
class vector_fma_runner final : public compute_runner {
    using traits = vector_fma_traits<T>;
    using storage = typename traits::storage;
    static constexpr int chains = Shape::chains;
    static constexpr int unroll = Shape::unroll;
    static constexpr int threads = Shape::threads;
    static constexpr vector_fma_operands operands = Shape::operands;
    static_assert(Shape::fits(traits::words),
                  "vector_fma_runner: the shape needs more registers than __launch_bounds__ leaves "
                  "(it would spill); lower chains or blocks_per_unit");
    /// verify() runs 2 trips with x0 < 61 and addends >= 1: 2 x Unroll steps must stay exact.
    static_assert(61.0 + 2.0 * Shape::unroll <= traits::exact_limit,
                  "vector_fma_runner: Unroll too large for an exact verify() in this element type");
    /// Operand table entries (power of two); threads index them modulo this size.
    static constexpr std::uint32_t table_size = 4096;

public:
    /// `flops_per_clock_per_unit`: the arch's vector rate (0 = unknown); `method` is reported.
    vector_fma_runner(const device_info& dev, operand_mode mode, double flops_per_clock_per_unit,
                      std::string method)
        : dev_(dev), method_(std::move(method)) {
        desc_.prec = traits::prec;
        desc_.unit = compute_unit::vector;
        desc_.flops_per_clock_per_unit = flops_per_clock_per_unit;
        desc_.operands = mode;
        desc_.operand_distribution = operand_distribution(traits::prec, mode);
    }

    /// ", 8 chains x 64 unrolled per thread, shared a/b, 256 threads x 8 blocks per SM".
    static std::string shape_text() {
        return ", " + std::to_string(chains) + " chains x " + std::to_string(unroll) +
               " unrolled per thread, " + std::string(to_string(operands)) + " a/b, " +
               std::to_string(threads) + " threads x " + std::to_string(Shape::blocks_per_unit) +
               " blocks per SM";
    }

    std::string key() const override {
        return "compute." + std::string(to_string(traits::prec)) + ".vector";
    }
    std::string method() const override { return method_; }
    compute_kernel_desc desc() const override { return desc_; }
    /// Blocks per SM/CU actually launched (Shape::blocks_per_unit lowered to the occupancy limit);
    /// 0 before prepare().
    int blocks_per_unit() const { return per_unit_; }

    void prepare() override {
        const std::uint32_t n = table_size;
        std::vector<storage> x0(n), a(n), b(n);
        if (desc_.operands == operand_mode::random) {
            // random_operand_distribution(P), exact in the format; a packed pair draws two. The
            // multiplier a is redrawn when it is exactly +-1, so |a| < 1: x = x a + b stays below
            // |b| / (1 - |a|) (fp16: 2048) and never overflows however long the loop runs.
            operand_rng rng(0x5eed0f3aULL); // fixed seed: runs are comparable
            auto value = [&] { return random_operand_value(traits::prec, rng); };
            auto multiplier = [&] { return random_multiplier_value(traits::prec, rng); };
            for (std::uint32_t i = 0; i < n; ++i) {
                const double x_lo = value(), x_hi = value();
                const double a_lo = multiplier(), a_hi = multiplier();
                const double b_lo = value(), b_hi = value();
                x0[i] = traits::encode(x_lo, x_hi);
                a[i] = traits::encode(a_lo, a_hi);
                b[i] = traits::encode(b_lo, b_hi);
            }
        } else {
            x0.assign(n, traits::encode(0.0, 0.0));
            a.assign(n, traits::encode(0.0, 0.0));
            b.assign(n, traits::encode(0.0, 0.0));
        }
        x0_ = std::make_unique<backend::device_buffer<storage>>(n);
        a_ = std::make_unique<backend::device_buffer<storage>>(n);
        b_ = std::make_unique<backend::device_buffer<storage>>(n);
        x0_->copy_from_host(x0.data(), n);
        a_->copy_from_host(a.data(), n);
        b_->copy_from_host(b.data(), n);

        const int occupancy = backend::max_active_blocks_per_unit(
            &vector_fma_kernel<T, chains, unroll, threads, Shape::blocks_per_unit, operands>, threads, 0);
        if (occupancy < 1)
            throw runtime_error(key() + ": kernel cannot be resident with " + std::to_string(threads) +
                                    " threads per block", 0);
        per_unit_ = occupancy < Shape::blocks_per_unit ? occupancy : Shape::blocks_per_unit;
        const int units = dev_.compute_units > 0 ? dev_.compute_units : 1;
        blocks_ = units * per_unit_;
        out_ = std::make_unique<backend::device_buffer<storage>>(static_cast<std::size_t>(blocks_) * threads);
        records_ = std::make_unique<backend::device_buffer<block_clock_record>>(blocks_);

        // One tiny launch to learn which body this binary runs on the device.
        launch(nullptr, 1, params(x0_->data(), a_->data(), b_->data(), out_->data(), records_->data(), 0, false));
        std::vector<block_clock_record> rec(1);
        copy_back(nullptr, rec, *records_);
        if (common_path(rec) == 0)
            throw unsupported_arch_error(key() + ": this binary has no " + traits::instruction +
                                         " code for " + dev_.arch + "; rebuild for it (e.g. "
                                         "-DCMAKE_CUDA_ARCHITECTURES=" + rebuild_arch() + ")");
    }

    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        if (!out_) throw invalid_argument(key() + ": enqueue() before prepare()");
        launch(static_cast<backend::native_stream>(stream), blocks_,
               params(x0_->data(), a_->data(), b_->data(), out_->data(), records_->data(), repeats, false));
        launch_work w;
        w.flops = static_cast<double>(blocks_) * threads * static_cast<double>(repeats) * unroll * chains *
                  traits::flops_per_fma;
        return w;
    }

    clock_reading last_clock(void* stream) override {
        if (!records_) return {};
        std::vector<block_clock_record> rec(static_cast<std::size_t>(blocks_));
        copy_back(static_cast<backend::native_stream>(stream), rec, *records_);
        return longest_block(rec);
    }

    /// Runs a few blocks on exact inputs (a = 1, small integer x0 and b) and checks that every
    /// chain of every thread ends at x0 + n*b, n = trips x Unroll: each counted FMA happened.
    std::string verify(void* stream) override {
        const auto s = static_cast<backend::native_stream>(stream);
        const std::uint32_t n = table_size;
        // Enough blocks that the threads' chains cover the table once (2 with 256 x 8).
        const std::uint32_t per_block = static_cast<std::uint32_t>(threads) * chains;
        const int blocks = n >= per_block ? static_cast<int>(n / per_block) : 1;
        constexpr std::uint64_t trips = 2;
        const double steps = static_cast<double>(trips) * unroll;
        // Addends in [1, b_max] keep every result an integer below the type's exact limit
        // (fp16: 2048), so the host reference is exact.
        const double room = std::floor((traits::exact_limit - 61.0) / steps);
        const std::uint32_t b_lo = room < 5 ? static_cast<std::uint32_t>(room) : 5u;
        const std::uint32_t b_hi = room < 4 ? static_cast<std::uint32_t>(room) : 4u;
        std::vector<storage> x0(n), a(n), b(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            x0[i] = traits::encode(static_cast<double>(i % 61), static_cast<double>((i * 7) % 53));
            a[i] = traits::encode(1.0, 1.0);
            b[i] = traits::encode(static_cast<double>(i % b_lo + 1), static_cast<double>((i * 3) % b_hi + 1));
        }
        backend::device_buffer<storage> dx0(n), da(n), db(n);
        dx0.copy_from_host(x0.data(), n);
        da.copy_from_host(a.data(), n);
        db.copy_from_host(b.data(), n);
        const std::size_t total = static_cast<std::size_t>(blocks) * threads;
        backend::device_buffer<storage> out(total * chains);
        backend::device_buffer<block_clock_record> records(static_cast<std::size_t>(blocks));

        launch(s, blocks, params(dx0.data(), da.data(), db.data(), out.data(), records.data(), trips, true));
        std::vector<storage> got(total * chains);
        std::vector<block_clock_record> rec(static_cast<std::size_t>(blocks));
        copy_back(s, got, out);
        copy_back(s, rec, records);
        if (common_path(rec) == 0)
            return key() + ": kernel body not compiled for " + dev_.arch;

        std::size_t wrong = 0;
        std::string first;
        for (std::size_t t = 0; t < total; ++t)
            for (int j = 0; j < chains; ++j) {
                const std::size_t idx = (t * chains + static_cast<std::size_t>(j)) & (n - 1);
                const std::uint32_t bi =
                    vector_fma_addend_index(static_cast<std::uint32_t>(t), chains, j, operands, n - 1);
                const storage expect = advance(x0[idx], b[bi], steps);
                const storage value = got[t * chains + static_cast<std::size_t>(j)];
                if (value == expect) continue;
                if (wrong++ == 0)
                    first = "thread " + std::to_string(t) + " chain " + std::to_string(j) + ": got " +
                            traits::show(value) + ", expected " + traits::show(expect);
            }
        if (wrong == 0) return {};
        return key() + " verify: " + std::to_string(wrong) + " of " + std::to_string(total * chains) +
               " accumulators wrong; first: " + first;
    }

private:
    vector_fma_params<T> params(const storage* x0, const storage* a, const storage* b, storage* out,
                                block_clock_record* rec, std::uint64_t repeats,
                                bool write_all) const {
        vector_fma_params<T> p;
        p.x0 = x0;
        p.a = a;
        p.b = b;
        p.out = out;
        p.records = rec;
        p.repeats = repeats;
        p.table_mask = table_size - 1;
        p.write_all = write_all ? 1 : 0;
        p.sentinel = -1.0e300; // never an accumulator sum here, but unknown to the compiler
        return p;
    }

    static void launch(backend::native_stream s, int blocks, const vector_fma_params<T>& p) {
        vector_fma_kernel<T, chains, unroll, threads, Shape::blocks_per_unit, operands><<<blocks, threads, 0, s>>>(p);
        AACO_BACKEND_CHECK_LAUNCH("vector_fma_kernel");
    }

    /// Copies the first host.size() elements back in stream order, then waits for them.
    template <class U>
    static void copy_back(backend::native_stream s, std::vector<U>& host, const backend::device_buffer<U>& dev) {
        backend::memcpy_async(host.data(), dev.data(), host.size() * sizeof(U), s);
        backend::synchronize();
    }

    std::string rebuild_arch() const {
        const int sm = detail_compute::parse_sm(dev_.arch);
        return sm == 90 ? "90a-real" : sm > 0 ? std::to_string(sm) + "-real" : dev_.arch;
    }

    /// x0 + steps * b, per half for packed types (exact for the small integers verify() uses).
    static storage advance(storage x0, storage b, double steps) {
        if constexpr (std::is_same_v<storage, std::uint32_t>) {
            return traits::encode(traits::lo_value(x0) + steps * traits::lo_value(b),
                                  traits::hi_value(x0) + steps * traits::hi_value(b));
        } else {
            return static_cast<storage>(static_cast<double>(x0) + steps * static_cast<double>(b));
        }
    }

    device_info dev_;
    std::string method_;
    compute_kernel_desc desc_{};
    int blocks_ = 0;
    int per_unit_ = 0;
    std::unique_ptr<backend::device_buffer<storage>> x0_, a_, b_, out_;
    std::unique_ptr<backend::device_buffer<block_clock_record>> records_;
};

#endif // !AACO_BACKEND_NONE

#if AACO_BACKEND_CUDA
namespace nvidia {

/// The vector-FMA runner for `p` on an NVIDIA device: fp32 (FFMA), fp64 (DFMA), fp16 (packed
/// HFMA2); nullptr for the other precisions (tf32/bf16/fp8/int8 have no vector figure here).
inline std::unique_ptr<compute_runner> make_vector_fma_runner(precision p, const device_info& dev,
                                                              operand_mode mode) {
    const double rate = vector_flops_per_clock(p, dev.arch);
    switch (p) {
    case precision::fp32:
        return std::make_unique<vector_fma_runner<float>>(
            dev, mode, rate, vector_fma_traits<float>::instruction + vector_fma_runner<float>::shape_text());
    case precision::fp64:
        return std::make_unique<vector_fma_runner<double>>(
            dev, mode, rate, vector_fma_traits<double>::instruction + vector_fma_runner<double>::shape_text());
    case precision::fp16:
        if (detail_compute::parse_sm(dev.arch) < 53) return nullptr; // HFMA2 needs sm_53+
        return std::make_unique<vector_fma_runner<__half2>>(
            dev, mode, rate, vector_fma_traits<__half2>::instruction + vector_fma_runner<__half2>::shape_text());
    default:
        return nullptr;
    }
}

} // namespace nvidia
#endif // AACO_BACKEND_CUDA

} // namespace kernels
AACO_NAMESPACE_END
