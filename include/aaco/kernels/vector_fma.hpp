/// \file vector_fma.hpp
/// \brief Vector-ALU peak: a loop of fused multiply-adds (fp32, fp64, packed fp16x2).
///
/// Each thread keeps `Chains` independent accumulators x_j and runs x_j = x_j * a + b_j, so
/// consecutive FMAs of one thread never depend on each other and the FMA latency (about 4
/// cycles on sm_80/sm_90 for FFMA) is hidden inside one warp; several warps per SM
/// sub-partition hide the rest. The operands come from device tables: random finite values by
/// default (|a| <= 15/16 so the chains stay bounded; per-chain b_j so that consecutive
/// instructions see different data), zeros in the "cold" mode.
///
/// The kernel is plain C++ arithmetic (fma(), __hfma2) and builds with nvcc and hipcc alike;
/// the NVIDIA factory with its per-arch rates sits behind AACO_BACKEND_CUDA at the end. Under a
/// plain C++ compiler only the host helpers (exact fp16/bf16 encoders, clock-record reduction,
/// the NVIDIA rate table) are available.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/precision.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
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

/// What thread 0 of each CTA records: cycles and wall time around the CTA's work, and the
/// "compiled path" (the arch the body was compiled for; 0 when the arch-specific body was
/// compiled out of the code that ran).
struct cta_record {
    std::uint64_t start_cycles;
    std::uint64_t end_cycles;
    std::uint64_t start_ns;
    std::uint64_t end_ns;
    std::uint32_t path;
    std::uint32_t reserved;
};

/// The clock of the CTA that ran longest (by wall time); empty when nothing was recorded.
inline clock_reading longest_cta(const std::vector<cta_record>& records) {
    clock_reading best{};
    for (const cta_record& r : records) {
        if (r.end_ns <= r.start_ns || r.end_cycles < r.start_cycles) continue;
        const double ns = static_cast<double>(r.end_ns - r.start_ns);
        if (ns > best.nanoseconds) {
            best.nanoseconds = ns;
            best.cycles = static_cast<double>(r.end_cycles - r.start_cycles);
        }
    }
    return best;
}

/// The smallest non-zero compiled-path code over all CTAs, 0 when some CTA ran a body that
/// was compiled out (or nothing was recorded).
inline std::uint32_t common_path(const std::vector<cta_record>& records) {
    std::uint32_t path = records.empty() ? 0u : records.front().path;
    for (const cta_record& r : records)
        if (r.path < path) path = r.path;
    return path;
}

/// IEEE binary16 bits of `v`, which must be zero or a normal half exactly (all values aaco
/// feeds to fp16 units are chosen so; anything else is a bug and throws).
inline std::uint16_t half_bits_exact(double v) {
    if (v == 0) return std::signbit(v) ? 0x8000u : 0u;
    const std::uint16_t sign = v < 0 ? 0x8000u : 0u;
    int e = 0;
    const double f = std::frexp(std::fabs(v), &e); // |v| = f * 2^e, f in [0.5, 1)
    const int exponent = e - 1;                     // |v| = 1.m * 2^exponent
    const double mantissa = (2 * f - 1) * 1024;     // 10 fraction bits
    if (exponent < -14 || exponent > 15 || mantissa != std::floor(mantissa))
        throw invalid_argument("half_bits_exact: " + std::to_string(v) +
                               " is not exactly representable as a normal fp16");
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

#if !AACO_BACKEND_NONE
// =============================================================================================
// Device code (CUDA and HIP).
// =============================================================================================

/// Per-type facts of the vector FMA loop: storage in the operand tables, the FMA itself, FLOPs
/// per FMA, the PTX/SASS it should become (checked by tests/isa).
template <class T>
struct vector_fma_traits;

template <>
struct vector_fma_traits<float> {
    using storage = float;
    static constexpr precision prec = precision::fp32;
    static constexpr int flops_per_fma = 2;
    static constexpr const char* instruction = "fma.rn.f32 (FFMA)";
    AACO_DEVICE static float load(storage s) { return s; }
    AACO_DEVICE static storage store(float x) { return x; }
    AACO_DEVICE static float fma(float x, float a, float b) { return fmaf(x, a, b); }
    AACO_DEVICE static double sum(float x) { return x; }
};

template <>
struct vector_fma_traits<double> {
    using storage = double;
    static constexpr precision prec = precision::fp64;
    static constexpr int flops_per_fma = 2;
    static constexpr const char* instruction = "fma.rn.f64 (DFMA)";
    AACO_DEVICE static double load(storage s) { return s; }
    AACO_DEVICE static storage store(double x) { return x; }
    AACO_DEVICE static double fma(double x, double a, double b) { return ::fma(x, a, b); }
    AACO_DEVICE static double sum(double x) { return x; }
};

/// Packed half2: one HFMA2 = two fp16 FMAs = 4 FLOPs. Stored as the 32-bit pattern (low half =
/// .x), so the host fills the tables without fp16 host types.
template <>
struct vector_fma_traits<__half2> {
    using storage = std::uint32_t;
    static constexpr precision prec = precision::fp16;
    static constexpr int flops_per_fma = 4;
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

/// Launch shape of the vector FMA loop.
struct vector_fma_config {
    /// untuned: 8 warps per block, 2 per SM sub-partition; chosen because it divides every
    /// SM/CU's thread limit and needs no tail handling.
    int threads = 256;
    /// untuned: up to 2048 threads per SM (the sm_80/sm_90 limit); the occupancy query lowers it.
    int max_blocks_per_unit = 8;
    /// Operand table entries (power of two); threads index them modulo this size.
    std::uint32_t table_size = 4096;
};
inline constexpr vector_fma_config default_vector_fma_config{};

/// Independent accumulators per thread. untuned: 8 covers the 4-cycle FFMA/HFMA2 latency
/// from a single warp with margin while leaving registers for full occupancy.
inline constexpr int vector_fma_chains = 8;
/// FMAs per chain per loop trip. untuned: 32 x 8 = 256 FMAs per trip keeps the loop's own
/// 2-3 instructions below ~1% of issue slots.
inline constexpr int vector_fma_unroll = 32;

template <class T>
struct vector_fma_params {
    using storage = typename vector_fma_traits<T>::storage;
    const storage* x0;   ///< table of initial accumulators
    const storage* a;    ///< table of multipliers (one per thread)
    const storage* b;    ///< table of addends (one per chain)
    storage* out;        ///< write_all: threads x Chains; else threads (sentinel writes)
    detail_compute::cta_record* records; ///< one per CTA
    std::uint64_t repeats; ///< loop trips; each does Unroll x Chains FMAs per thread
    std::uint32_t table_mask;
    int write_all;       ///< verify mode: write every accumulator
    double sentinel;     ///< consume: write only when the accumulator sum equals this
};

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

/// x_j = x_j * a + b_j, `repeats` x `Unroll` times per chain, `Chains` chains per thread.
template <class T, int Chains, int Unroll>
AACO_KERNEL void vector_fma_kernel(vector_fma_params<T> p) {
    using traits = vector_fma_traits<T>;
    std::uint64_t start_cycles = 0, start_ns = 0;
    if (threadIdx.x == 0) {
        start_cycles = arch::sm_cycles();
        start_ns = arch::global_ns();
    }
    const std::uint32_t tid = blockIdx.x * blockDim.x + threadIdx.x;
    const T a = traits::load(p.a[tid & p.table_mask]);
    T x[Chains];
    T b[Chains];
#pragma unroll
    for (int j = 0; j < Chains; ++j) {
        const std::uint32_t idx = (tid * Chains + j) & p.table_mask;
        x[j] = traits::load(p.x0[idx]);
        b[j] = traits::load(p.b[idx]);
    }
    // One trip is already Unroll x Chains FMAs; unrolling the trips too only bloats the code
    // (nvcc unrolled the HFMA2 loop 4x + remainder: 1280 FMAs, ~20 KB of SASS to stream
    // through the instruction cache).
#pragma unroll 1
    for (std::uint64_t r = 0; r < p.repeats; ++r) {
#pragma unroll
        for (int u = 0; u < Unroll; ++u) {
#pragma unroll
            for (int j = 0; j < Chains; ++j) x[j] = traits::fma(x[j], a, b[j]);
        }
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        detail_compute::cta_record rec;
        rec.start_cycles = start_cycles;
        rec.start_ns = start_ns;
        rec.end_cycles = arch::sm_cycles();
        rec.end_ns = arch::global_ns();
        rec.path = vector_fma_compiled_path();
        rec.reserved = 0;
        p.records[blockIdx.x] = rec;
    }
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

/// Runner of the vector FMA loop for element type T (float, double, __half2).
template <class T, int Chains = vector_fma_chains, int Unroll = vector_fma_unroll>
class vector_fma_runner final : public compute_runner {
    using traits = vector_fma_traits<T>;
    using storage = typename traits::storage;

public:
    /// `flops_per_clock_per_unit`: the arch's vector rate (0 = unknown); `method` is reported.
    vector_fma_runner(const device_info& dev, operand_mode mode, double flops_per_clock_per_unit,
                      std::string method, vector_fma_config cfg = default_vector_fma_config)
        : dev_(dev), cfg_(cfg), method_(std::move(method)) {
        desc_.prec = traits::prec;
        desc_.unit = compute_unit::vector;
        desc_.flops_per_clock_per_unit = flops_per_clock_per_unit;
        desc_.operands = mode;
        if (cfg_.table_size == 0 || (cfg_.table_size & (cfg_.table_size - 1)) != 0)
            throw invalid_argument("vector_fma_config::table_size must be a power of two, got " +
                                   std::to_string(cfg_.table_size));
        if (cfg_.threads < 32 || cfg_.threads > 1024 || cfg_.max_blocks_per_unit < 1)
            throw invalid_argument("vector_fma_config: threads must be in [32, 1024] and "
                                   "max_blocks_per_unit >= 1");
    }

    std::string key() const override {
        return "compute." + std::string(to_string(traits::prec)) + ".vector";
    }
    std::string method() const override { return method_; }
    compute_kernel_desc desc() const override { return desc_; }

    void prepare() override {
        const std::uint32_t n = cfg_.table_size;
        std::vector<storage> x0(n), a(n), b(n);
        if (desc_.operands == operand_mode::random) {
            std::mt19937_64 rng(0x5eed0f3aULL); // fixed seed: runs are comparable
            for (std::uint32_t i = 0; i < n; ++i) {
                x0[i] = random_value(rng, 1.0);
                a[i] = random_value(rng, 15.0 / 16.0); // |a| < 1: bounded chains
                b[i] = random_value(rng, 1.0);
            }
        } else {
            x0.assign(n, encode(0.0, 0.0));
            a.assign(n, encode(0.0, 0.0));
            b.assign(n, encode(0.0, 0.0));
        }
        x0_ = std::make_unique<backend::device_buffer<storage>>(n);
        a_ = std::make_unique<backend::device_buffer<storage>>(n);
        b_ = std::make_unique<backend::device_buffer<storage>>(n);
        x0_->copy_from_host(x0.data(), n);
        a_->copy_from_host(a.data(), n);
        b_->copy_from_host(b.data(), n);

        const int occupancy = backend::max_active_blocks_per_unit(
            &vector_fma_kernel<T, Chains, Unroll>, cfg_.threads, 0);
        if (occupancy < 1)
            throw runtime_error(key() + ": kernel cannot be resident with " +
                                    std::to_string(cfg_.threads) + " threads per block", 0);
        const int per_unit = occupancy < cfg_.max_blocks_per_unit ? occupancy : cfg_.max_blocks_per_unit;
        const int units = dev_.compute_units > 0 ? dev_.compute_units : 1;
        blocks_ = units * per_unit;
        out_ = std::make_unique<backend::device_buffer<storage>>(
            static_cast<std::size_t>(blocks_) * cfg_.threads);
        records_ = std::make_unique<backend::device_buffer<detail_compute::cta_record>>(blocks_);

        // One tiny launch to learn which body this binary runs on the device.
        launch(nullptr, 1, *out_, *records_, 0, false);
        std::vector<detail_compute::cta_record> rec(1);
        copy_back(nullptr, rec, *records_);
        if (detail_compute::common_path(rec) == 0)
            throw unsupported_arch_error(key() + ": this binary has no " + traits::instruction +
                                         " code for " + dev_.arch + "; rebuild for it (e.g. "
                                         "-DCMAKE_CUDA_ARCHITECTURES=" + rebuild_arch() + ")");
    }

    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        if (!out_) throw invalid_argument(key() + ": enqueue() before prepare()");
        launch(static_cast<backend::native_stream>(stream), blocks_, *out_, *records_, repeats, false);
        launch_work w;
        w.flops = static_cast<double>(blocks_) * cfg_.threads * static_cast<double>(repeats) *
                  Unroll * Chains * traits::flops_per_fma;
        return w;
    }

    clock_reading last_clock(void* stream) override {
        if (!records_) return {};
        std::vector<detail_compute::cta_record> rec(static_cast<std::size_t>(blocks_));
        copy_back(static_cast<backend::native_stream>(stream), rec, *records_);
        return detail_compute::longest_cta(rec);
    }

    /// Runs 2 blocks on exact inputs (a = 1, small integer x0 and b) and checks that every
    /// chain of every thread ends at x0 + n*b, n = trips x Unroll: each counted FMA happened.
    std::string verify(void* stream) override {
        const auto s = static_cast<backend::native_stream>(stream);
        const std::uint32_t n = cfg_.table_size;
        // Enough blocks that the threads' chains cover the table once (2 with the defaults).
        const std::uint32_t per_block = static_cast<std::uint32_t>(cfg_.threads) * Chains;
        const int blocks = n >= per_block ? static_cast<int>(n / per_block) : 1;
        constexpr std::uint64_t trips = 2; // n = 64 steps: fp16 results stay below 2048 (exact)
        const double steps = static_cast<double>(trips) * Unroll;
        std::vector<storage> x0(n), a(n), b(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            x0[i] = encode(static_cast<double>(i % 61), static_cast<double>((i * 7) % 53));
            a[i] = encode(1.0, 1.0);
            b[i] = encode(static_cast<double>(i % 5 + 1), static_cast<double>((i * 3) % 4 + 1));
        }
        backend::device_buffer<storage> dx0(n), da(n), db(n);
        dx0.copy_from_host(x0.data(), n);
        da.copy_from_host(a.data(), n);
        db.copy_from_host(b.data(), n);
        const std::size_t threads = static_cast<std::size_t>(blocks) * cfg_.threads;
        backend::device_buffer<storage> out(threads * Chains);
        backend::device_buffer<detail_compute::cta_record> records(static_cast<std::size_t>(blocks));

        vector_fma_params<T> p = params(dx0.data(), da.data(), db.data(), out.data(), records.data(), trips, true);
        vector_fma_kernel<T, Chains, Unroll><<<blocks, cfg_.threads, 0, s>>>(p);
        AACO_BACKEND_CHECK_LAUNCH("vector_fma_kernel (verify)");
        std::vector<storage> got(threads * Chains);
        std::vector<detail_compute::cta_record> rec(static_cast<std::size_t>(blocks));
        copy_back(s, got, out);
        copy_back(s, rec, records);
        if (detail_compute::common_path(rec) == 0)
            return key() + ": kernel body not compiled for " + dev_.arch;

        std::size_t wrong = 0;
        std::string first;
        for (std::size_t t = 0; t < threads; ++t)
            for (int j = 0; j < Chains; ++j) {
                const std::size_t idx = (t * Chains + static_cast<std::size_t>(j)) & (n - 1);
                const storage expect = advance(x0[idx], b[idx], steps);
                if (got[t * Chains + static_cast<std::size_t>(j)] == expect) continue;
                if (wrong++ == 0)
                    first = "thread " + std::to_string(t) + " chain " + std::to_string(j) +
                            ": got " + show(got[t * Chains + static_cast<std::size_t>(j)]) +
                            ", expected " + show(expect);
            }
        if (wrong == 0) return {};
        return key() + " verify: " + std::to_string(wrong) + " of " +
               std::to_string(threads * Chains) + " accumulators wrong; first: " + first;
    }

private:
    vector_fma_params<T> params(const storage* x0, const storage* a, const storage* b, storage* out,
                                detail_compute::cta_record* rec, std::uint64_t repeats,
                                bool write_all) const {
        vector_fma_params<T> p;
        p.x0 = x0;
        p.a = a;
        p.b = b;
        p.out = out;
        p.records = rec;
        p.repeats = repeats;
        p.table_mask = cfg_.table_size - 1;
        p.write_all = write_all ? 1 : 0;
        p.sentinel = -1.0e300; // never an accumulator sum here, but unknown to the compiler
        return p;
    }

    void launch(backend::native_stream s, int blocks, backend::device_buffer<storage>& out,
                backend::device_buffer<detail_compute::cta_record>& rec, std::uint64_t repeats,
                bool write_all) {
        vector_fma_params<T> p = params(x0_->data(), a_->data(), b_->data(), out.data(), rec.data(),
                                        repeats, write_all);
        vector_fma_kernel<T, Chains, Unroll><<<blocks, cfg_.threads, 0, s>>>(p);
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

    // ---- host-side values per element type ------------------------------------------------
    /// Storage of (lo, hi); for scalar types only `lo` is used.
    static storage encode(double lo, double hi) {
        if constexpr (std::is_same_v<T, __half2>) {
            return static_cast<storage>(detail_compute::half_bits_exact(lo)) |
                   (static_cast<storage>(detail_compute::half_bits_exact(hi)) << 16);
        } else {
            (void)hi;
            return static_cast<storage>(lo);
        }
    }
    /// Uniform in [-limit, limit]; for fp16 a multiple of 2^-10 so that it is an exact normal
    /// half (or zero).
    static storage random_value(std::mt19937_64& rng, double limit) {
        if constexpr (std::is_same_v<T, __half2>) {
            const int n = static_cast<int>(limit * 1024);
            std::uniform_int_distribution<int> d(-n, n);
            return encode(d(rng) / 1024.0, d(rng) / 1024.0);
        } else {
            std::uniform_real_distribution<double> d(-limit, limit);
            return encode(d(rng), 0.0);
        }
    }
    /// x0 + steps * b, per half for fp16 (exact for the small integers verify() uses).
    static storage advance(storage x0, storage b, double steps) {
        if constexpr (std::is_same_v<T, __half2>) {
            const double lo = detail_compute::half_value(static_cast<std::uint16_t>(x0 & 0xffffu)) +
                              steps * detail_compute::half_value(static_cast<std::uint16_t>(b & 0xffffu));
            const double hi = detail_compute::half_value(static_cast<std::uint16_t>(x0 >> 16)) +
                              steps * detail_compute::half_value(static_cast<std::uint16_t>(b >> 16));
            return encode(lo, hi);
        } else {
            return static_cast<storage>(static_cast<double>(x0) + steps * static_cast<double>(b));
        }
    }
    static std::string show(storage v) {
        if constexpr (std::is_same_v<T, __half2>)
            return "(" + std::to_string(detail_compute::half_value(static_cast<std::uint16_t>(v & 0xffffu))) +
                   ", " + std::to_string(detail_compute::half_value(static_cast<std::uint16_t>(v >> 16))) + ")";
        else
            return std::to_string(v);
    }

    device_info dev_;
    vector_fma_config cfg_;
    std::string method_;
    compute_kernel_desc desc_{};
    int blocks_ = 0;
    std::unique_ptr<backend::device_buffer<storage>> x0_, a_, b_, out_;
    std::unique_ptr<backend::device_buffer<detail_compute::cta_record>> records_;
};

#endif // !AACO_BACKEND_NONE

#if AACO_BACKEND_CUDA
namespace nvidia {

/// The vector-FMA runner for `p` on an NVIDIA device: fp32 (FFMA), fp64 (DFMA), fp16 (packed
/// HFMA2); nullptr for the other precisions (tf32/bf16/fp8/int8 have no vector figure here).
inline std::unique_ptr<compute_runner> make_vector_fma_runner(precision p, const device_info& dev,
                                                              operand_mode mode) {
    const double rate = vector_flops_per_clock(p, dev.arch);
    const std::string shape = ", " + std::to_string(vector_fma_chains) + " chains x " +
                              std::to_string(vector_fma_unroll) + " unrolled per thread";
    switch (p) {
    case precision::fp32:
        return std::make_unique<vector_fma_runner<float>>(
            dev, mode, rate, std::string(vector_fma_traits<float>::instruction) + shape);
    case precision::fp64:
        return std::make_unique<vector_fma_runner<double>>(
            dev, mode, rate, std::string(vector_fma_traits<double>::instruction) + shape);
    case precision::fp16:
        if (detail_compute::parse_sm(dev.arch) < 53) return nullptr; // HFMA2 needs sm_53+
        return std::make_unique<vector_fma_runner<__half2>>(
            dev, mode, rate, std::string(vector_fma_traits<__half2>::instruction) + shape);
    default:
        return nullptr;
    }
}

} // namespace nvidia
#endif // AACO_BACKEND_CUDA

} // namespace kernels
AACO_NAMESPACE_END
