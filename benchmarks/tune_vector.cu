// tune_vector: sweeps the shape of aaco's vector FMA peak loop (FFMA, DFMA, HFMA2, and HFMA2.BF16
// for comparison) and prints the rate of every shape and the best one per precision, as lines to
// paste into kernels::vector_fma_tuning<P> (include/aaco/kernels/vector_fma.hpp).
//
// Build: the CMake target aaco_tune_vector (CUDA builds), or by hand (one line):
//   nvcc -std=c++17 -O3 -Iinclude -gencode=arch=compute_90a,code=sm_90a
//        -gencode=arch=compute_80,code=sm_80 benchmarks/tune_vector.cu -o tune_vector
// Run:  ./tune_vector [--device N] [--precision fp32|fp64|fp16|bf16] [--zero]
//
// Method: 200 ms of warm-up once at the start (clocks ramp), then per shape: verify() (every
// accumulator of a short launch on exact inputs against a host reference), two calibration
// launches that size `repeats` for ~3 ms, and 15 timed launches (device events around each).
// Reported per shape: median TFLOP/s and min..max, the in-kernel sustained SM clock (median over
// the timed launches; cycles / %globaltimer of the longest CTA), the median clock-adjusted
// efficiency against the ISA rate (FLOP/clk/SM x SMs x that clock) and the efficiency against
// the rate at the 1980 MHz behind the H100/H200 vector datasheet figures.
// About 110 shapes (29 fp32, 27 fp64, 29 fp16, 9 bf16): ~10 s on an H100/H200 (not yet run: written on a machine without a GPU).
//
// Knobs, each a separate kernel instantiation (vector_fma_shape<Chains, Unroll, Threads,
// BlocksPerUnit, Operands>): chains 4..16, unroll 16..128, threads 128..1024, blocks per SM 2..16
// (also the __launch_bounds__ minimum: it caps the registers per thread), operands per-chain
// (x_j = x_j*a + b_j) or shared (x_j = x_j*a + b, both sources in the operand reuse cache).
// Shapes whose register estimate exceeds that cap (they would spill) are left out at compile time.
#include <aaco/backend/backend.hpp>
#include <aaco/kernels/vector_fma.hpp>

#include <cuda_bf16.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

// ---- bf16x2 for comparison with fp16x2 (aaco has no bf16 vector figure; sweep only) ----------
AACO_NAMESPACE_BEGIN
namespace kernels {

/// bfloat16 for vector_fma_packed16_host.
struct tune_bf16_format {
    static constexpr double quantum = 1.0 / 128; // 7 fraction bits: multiples in [-1, 1] are exact
    static std::uint16_t bits(double v) { return detail_compute::bf16_bits_exact(v); }
    static double value(std::uint16_t h) {
        const std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
        float f = 0;
        std::memcpy(&f, &bits, sizeof f);
        return f;
    }
};

/// Packed bf16x2: fma.rn.bf16x2 (sm_80+), 4 FLOPs.
template <>
struct vector_fma_traits<__nv_bfloat162> : vector_fma_packed16_host<tune_bf16_format> {
    static constexpr precision prec = precision::bf16;
    static constexpr int flops_per_fma = 4;
    static constexpr double exact_limit = 256.0; // 8 significant bits
    static constexpr const char* instruction = "fma.rn.bf16x2 (HFMA2.BF16)";
    __device__ static __nv_bfloat162 load(storage s) {
        __nv_bfloat162 h;
        __builtin_memcpy(&h, &s, sizeof h);
        return h;
    }
    __device__ static storage store(__nv_bfloat162 x) {
        storage s;
        __builtin_memcpy(&s, &x, sizeof s);
        return s;
    }
    __device__ static __nv_bfloat162 fma(__nv_bfloat162 x, __nv_bfloat162 a, __nv_bfloat162 b) {
        return __hfma2(x, a, b);
    }
    __device__ static double sum(__nv_bfloat162 x) {
        return static_cast<double>(__low2float(x)) + static_cast<double>(__high2float(x));
    }
};

} // namespace kernels
AACO_NAMESPACE_END

namespace {

using aaco::operand_mode;
using aaco::precision;
namespace kk = aaco::kernels;
namespace backend = aaco::backend;
using ops = kk::vector_fma_operands;
constexpr ops P = ops::per_chain;
constexpr ops S = ops::shared;

constexpr int timed_launches = 15;
constexpr double target_launch_ms = 3.0;
constexpr double warmup_ms = 200.0;
constexpr double datasheet_mhz = 1980.0; // clock behind the H100/H200 SXM vector datasheet peaks

struct result {
    precision prec = precision::fp32;
    std::string label;   // "C8 U64 T256 B8 shared"
    std::string paste;   // "vector_fma_shape<8, 64, 256, 8, vector_fma_operands::shared>"
    std::string status;  // empty when timed
    int resident = 0;    // blocks per SM actually launched
    double tflops = 0, tflops_min = 0, tflops_max = 0, mhz = NAN, clock_eff = NAN, datasheet_eff = NAN;
};

template <class T>
double rate_per_clock(const aaco::device_info& dev) {
    // bf16 has no entry in aaco's table; the H100 white paper lists bf16 non-tensor = fp16's.
    const precision p = kk::vector_fma_traits<T>::prec == precision::bf16 ? precision::fp16
                                                                         : kk::vector_fma_traits<T>::prec;
    return kk::nvidia::vector_flops_per_clock(p, dev.arch);
}

double elapsed_ms(backend::native_stream s, kk::compute_runner& r, std::uint64_t repeats, double* flops) {
    backend::event start, stop;
    start.record(s);
    const auto w = r.enqueue(s, repeats);
    stop.record(s);
    stop.synchronize();
    if (flops) *flops = w.flops;
    return stop.elapsed_ms_since(start);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? NAN : v[v.size() / 2];
}

template <class T, class Shape>
result run_shape(const aaco::device_info& dev, operand_mode mode, backend::native_stream s) {
    result res;
    res.prec = kk::vector_fma_traits<T>::prec;
    res.label = "C" + std::to_string(Shape::chains) + " U" + std::to_string(Shape::unroll) + " T" +
                std::to_string(Shape::threads) + " B" + std::to_string(Shape::blocks_per_unit) + " " +
                std::string(kk::to_string(Shape::operands));
    res.paste = "vector_fma_shape<" + std::to_string(Shape::chains) + ", " + std::to_string(Shape::unroll) + ", " +
                std::to_string(Shape::threads) + ", " + std::to_string(Shape::blocks_per_unit) +
                ", vector_fma_operands::" + (Shape::operands == S ? "shared" : "per_chain") + ">";
    try {
        const double per_clock = rate_per_clock<T>(dev);
        kk::vector_fma_runner<T, Shape> r(dev, mode, per_clock, kk::vector_fma_traits<T>::instruction);
        r.prepare();
        res.resident = r.blocks_per_unit();
        if (std::string why = r.verify(s); !why.empty()) {
            res.status = "VERIFY FAILED: " + why;
            return res;
        }
        std::uint64_t repeats = 64;
        for (int pass = 0; pass < 2; ++pass) {
            const double ms = elapsed_ms(s, r, repeats, nullptr);
            const double scale = target_launch_ms / std::max(ms, 1e-3);
            repeats = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(static_cast<double>(repeats) * scale));
        }
        std::vector<double> rates, clocks, effs;
        for (int i = 0; i < timed_launches; ++i) {
            double flops = 0;
            const double ms = elapsed_ms(s, r, repeats, &flops);
            const double tflops = flops / (ms * 1e-3) / 1e12;
            const double mhz = r.last_clock(s).mhz();
            rates.push_back(tflops);
            clocks.push_back(mhz);
            effs.push_back(tflops * 1e12 / (per_clock * dev.compute_units * mhz * 1e6));
        }
        res.tflops = median(rates);
        res.tflops_min = *std::min_element(rates.begin(), rates.end());
        res.tflops_max = *std::max_element(rates.begin(), rates.end());
        res.mhz = median(clocks);
        res.clock_eff = median(effs);
        res.datasheet_eff = res.tflops * 1e12 / (per_clock * dev.compute_units * datasheet_mhz * 1e6);
    } catch (const std::exception& e) {
        res.status = std::string("skipped: ") + e.what();
    }
    return res;
}

using job_list = std::vector<std::function<result()>>;

/// Registers a shape when it fits the register cap (no spill) and its unroll keeps verify() exact.
template <class T, int C, int U, int Th, int B, ops O>
void add(job_list& jobs, const aaco::device_info& dev, operand_mode mode, backend::native_stream s) {
    using shape = kk::vector_fma_shape<C, U, Th, B, O>;
    using traits = kk::vector_fma_traits<T>;
    if constexpr (shape::fits(traits::words) && 61.0 + 2.0 * U <= traits::exact_limit) {
        jobs.push_back([&dev, mode, s] { return run_shape<T, shape>(dev, mode, s); });
    }
}

/// ~30 shapes around the defaults; the same list for every type (ones that do not fit drop out).
template <class T>
void add_sweep(job_list& jobs, const aaco::device_info& dev, operand_mode mode, backend::native_stream s) {
    // Chains x operand reuse, 32 unrolled, full occupancy (C8 U32 P at B8 would spill: see B6 below).
    add<T, 4, 32, 256, 8, P>(jobs, dev, mode, s);
    add<T, 4, 32, 256, 8, S>(jobs, dev, mode, s);
    add<T, 8, 32, 256, 8, P>(jobs, dev, mode, s);
    add<T, 8, 32, 256, 8, S>(jobs, dev, mode, s);
    add<T, 12, 32, 256, 8, P>(jobs, dev, mode, s);
    add<T, 12, 32, 256, 8, S>(jobs, dev, mode, s);
    add<T, 16, 32, 256, 8, S>(jobs, dev, mode, s);
    // Unroll (loop overhead per FMA) x operand reuse.
    add<T, 8, 16, 256, 8, P>(jobs, dev, mode, s);
    add<T, 8, 16, 256, 8, S>(jobs, dev, mode, s);
    add<T, 8, 64, 256, 8, P>(jobs, dev, mode, s);
    add<T, 8, 64, 256, 8, S>(jobs, dev, mode, s);
    add<T, 8, 128, 256, 8, S>(jobs, dev, mode, s);
    add<T, 4, 128, 256, 8, S>(jobs, dev, mode, s);
    // Fewer blocks per SM (more registers per thread, fewer warps).
    add<T, 8, 32, 256, 6, P>(jobs, dev, mode, s); // ~ the first H200 run (no min-blocks bound, 40 regs)
    add<T, 8, 64, 256, 6, P>(jobs, dev, mode, s);
    add<T, 8, 32, 256, 4, P>(jobs, dev, mode, s);
    add<T, 8, 32, 256, 4, S>(jobs, dev, mode, s);
    add<T, 8, 64, 256, 4, S>(jobs, dev, mode, s);
    add<T, 8, 64, 256, 2, S>(jobs, dev, mode, s);
    add<T, 4, 32, 256, 4, S>(jobs, dev, mode, s);
    add<T, 12, 32, 256, 4, P>(jobs, dev, mode, s);
    add<T, 12, 32, 256, 4, S>(jobs, dev, mode, s);
    add<T, 16, 32, 256, 4, P>(jobs, dev, mode, s);
    add<T, 16, 32, 256, 4, S>(jobs, dev, mode, s);
    add<T, 16, 64, 256, 4, S>(jobs, dev, mode, s);
    add<T, 16, 32, 256, 2, S>(jobs, dev, mode, s);
    // Threads per block.
    add<T, 8, 64, 128, 16, S>(jobs, dev, mode, s);
    add<T, 8, 64, 128, 8, S>(jobs, dev, mode, s);
    add<T, 8, 32, 128, 8, P>(jobs, dev, mode, s);
    add<T, 8, 64, 512, 4, S>(jobs, dev, mode, s);
    add<T, 8, 64, 512, 2, S>(jobs, dev, mode, s);
    add<T, 8, 32, 512, 2, P>(jobs, dev, mode, s);
    add<T, 8, 64, 1024, 2, S>(jobs, dev, mode, s);
    add<T, 8, 64, 1024, 1, S>(jobs, dev, mode, s);
    if constexpr (std::is_same_v<T, double>) {
        // DFMA's 64-bit registers halve what fits at 8 blocks/SM: more shapes at 6, 4 and 2.
        add<T, 8, 32, 256, 6, S>(jobs, dev, mode, s);
        add<T, 8, 64, 256, 6, S>(jobs, dev, mode, s);
        add<T, 4, 32, 256, 6, P>(jobs, dev, mode, s);
        add<T, 4, 64, 256, 8, S>(jobs, dev, mode, s);
        add<T, 8, 16, 256, 4, S>(jobs, dev, mode, s);
        add<T, 8, 64, 256, 4, P>(jobs, dev, mode, s);
        add<T, 8, 32, 128, 8, S>(jobs, dev, mode, s);
        add<T, 16, 32, 128, 4, P>(jobs, dev, mode, s);
        add<T, 12, 32, 256, 2, P>(jobs, dev, mode, s);
        add<T, 16, 32, 256, 2, P>(jobs, dev, mode, s);
        add<T, 16, 16, 256, 4, S>(jobs, dev, mode, s);
    }
}

/// A short list for bf16x2 (unroll <= 97 keeps verify() exact): is bf16 faster than fp16?
void add_bf16(job_list& jobs, const aaco::device_info& dev, operand_mode mode, backend::native_stream s) {
    using T = __nv_bfloat162;
    add<T, 8, 32, 256, 6, P>(jobs, dev, mode, s);
    add<T, 8, 32, 256, 8, S>(jobs, dev, mode, s);
    add<T, 8, 64, 256, 6, P>(jobs, dev, mode, s);
    add<T, 8, 64, 256, 8, S>(jobs, dev, mode, s);
    add<T, 4, 64, 256, 8, S>(jobs, dev, mode, s);
    add<T, 12, 32, 256, 8, S>(jobs, dev, mode, s);
    add<T, 16, 32, 256, 4, S>(jobs, dev, mode, s);
    add<T, 8, 64, 128, 16, S>(jobs, dev, mode, s);
    add<T, 8, 64, 512, 4, S>(jobs, dev, mode, s);
}

void warm_up(const aaco::device_info& dev, operand_mode mode, backend::native_stream s) {
    kk::vector_fma_runner<float> warm(dev, mode, 0, "warm-up");
    warm.prepare();
    double spent = 0;
    std::uint64_t repeats = 256;
    while (spent < warmup_ms) {
        const double ms = elapsed_ms(s, warm, repeats, nullptr);
        spent += ms;
        if (ms < 5) repeats *= 2;
    }
}

void print_best(const std::vector<result>& all, const aaco::device_info& dev) {
    std::printf("\nbest per precision by clock-adjusted efficiency (paste into vector_fma_tuning<P> in "
                "include/aaco/kernels/vector_fma.hpp):\n");
    for (precision p : {precision::fp32, precision::fp64, precision::fp16, precision::bf16}) {
        const result* best = nullptr;
        for (const auto& r : all)
            if (r.prec == p && r.status.empty() && (!best || r.clock_eff > best->clock_eff)) best = &r;
        if (!best) continue;
        const std::string prec(aaco::to_string(p));
        std::printf("/// %s: measured by benchmarks/tune_vector.cu on %s (%s, %d SMs): %.2f TFLOP/s at %.0f MHz "
                    "= %.1f%% of the clock-adjusted peak (%d blocks/SM resident).\n",
                    prec.c_str(), dev.name.c_str(), dev.arch.c_str(), dev.compute_units, best->tflops, best->mhz,
                    100 * best->clock_eff, best->resident);
        if (p == precision::bf16)
            std::printf("///   (bf16 has no vector figure in aaco: compare with fp16 only)\n");
        else
            std::printf("template <>\nstruct vector_fma_tuning<precision::%s> : %s {};\n", prec.c_str(),
                        best->paste.c_str());
    }
}

void usage() {
    std::fprintf(stderr, "usage: tune_vector [--device N] [--precision fp32|fp64|fp16|bf16] [--zero]\n");
}

} // namespace

int main(int argc, char** argv) {
    int device = 0;
    bool only = false;
    precision only_prec = precision::fp32;
    operand_mode mode = operand_mode::random;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--device") && i + 1 < argc) {
            device = std::atoi(argv[++i]);
        } else if (!std::strcmp(argv[i], "--precision") && i + 1 < argc) {
            only = true;
            only_prec = aaco::parse_precision(argv[++i]);
        } else if (!std::strcmp(argv[i], "--zero")) {
            mode = operand_mode::zero;
        } else {
            usage();
            return 2;
        }
    }
    try {
        backend::set_device(device);
        const aaco::device_info dev = backend::query_device(device);
        std::printf("device %d: %s (%s, %d SMs, max clock %.0f MHz), operands %s\n", device, dev.name.c_str(),
                    dev.arch.c_str(), dev.compute_units, dev.max_clock_mhz, std::string(aaco::to_string(mode)).c_str());
        if (kk::nvidia::vector_flops_per_clock(precision::fp32, dev.arch) == 0) {
            std::printf("aaco has no vector rates for %s (sm_80 and sm_90 only); nothing to tune\n", dev.arch.c_str());
            return 77;
        }
        backend::stream stream;
        const auto s = stream.get();

        job_list jobs;
        auto want = [&](precision p) { return !only || only_prec == p; };
        if (want(precision::fp32)) add_sweep<float>(jobs, dev, mode, s);
        if (want(precision::fp64)) add_sweep<double>(jobs, dev, mode, s);
        if (want(precision::fp16)) add_sweep<__half2>(jobs, dev, mode, s);
        if (want(precision::bf16)) add_bf16(jobs, dev, mode, s);

        warm_up(dev, mode, s);

        std::printf("%-5s %-24s %4s %9s %17s %7s %8s %9s\n", "prec", "shape", "res", "TFLOP/s", "min..max", "MHz",
                    "eff@clk", "eff@1980");
        std::vector<result> all;
        for (auto& job : jobs) {
            result r = job();
            const std::string prec(aaco::to_string(r.prec));
            if (!r.status.empty())
                std::printf("%-5s %-24s %s\n", prec.c_str(), r.label.c_str(), r.status.c_str());
            else
                std::printf("%-5s %-24s %4d %9.2f %8.2f..%-8.2f %7.0f %7.1f%% %8.1f%%\n", prec.c_str(), r.label.c_str(),
                            r.resident, r.tflops, r.tflops_min, r.tflops_max, r.mhz, 100 * r.clock_eff,
                            100 * r.datasheet_eff);
            std::fflush(stdout);
            all.push_back(std::move(r));
        }
        print_best(all, dev);
    } catch (const aaco::no_device_error& e) {
        std::fprintf(stderr, "tune_vector: %s\n", e.what());
        return 77;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tune_vector: %s\n", e.what());
        return 1;
    }
    return 0;
}
