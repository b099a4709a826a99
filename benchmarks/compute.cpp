// aaco_bench_compute: aaco's compute ceilings beside the vendor's best large GEMMs, on one card,
// in one process.
//
// aaco side: probes::measure_compute for every precision x unit the device has (wgmma on
// Hopper, mma.sync on Ampere, MFMA on CDNA, vector FMA loops), each verified on known inputs
// first, then sampled under the stopping rule. On sm_90 the mma.sync "legacy path" figures are
// added, to show how far Hopper's pre-wgmma tensor path stays below the hardware.
//
// Vendor side (CUDA): cuBLASLt GEMMs, TN layout, random inputs, fp32 (int32 for int8)
// accumulation, the fastest of up to 8 heuristic algorithms, median of --runs timed runs after
// a warm-up. Each result is spot-checked against a host reference on 8 entries.
//   fp16, bf16    8192^3, out fp16/bf16           (compared with fp16/bf16.matrix)
//   tf32          8192^3, fp32 in/out, CUBLAS_COMPUTE_32F_FAST_TF32 (tf32.matrix)
//   fp32          8192^3, plain SGEMM, CUBLAS_COMPUTE_32F            (fp32.vector)
//   fp8 e4m3      16384 x 16384 x 8192, out bf16, fast accumulation (fp8.matrix)
//   int8          16384 x 16384 x 8192, out int32, CUBLAS_COMPUTE_32I (int8.matrix)
//   fp64          8192^3, CUBLAS_COMPUTE_64F                        (fp64.matrix)
// HIP builds print aaco's side only ("rocBLAS: not available in this build").
//
// Usage: aaco_bench_compute [--device N] [--cold] [--quick] [--runs N] [--json FILE]
//   --cold   zero operands on both sides (less switching power; often faster)
// Exit codes: 0 ok; 1 error; 2 no usable GPU or bad arguments.
#include "bench_common.hpp"

#if AACO_BACKEND_NONE
#  error "aaco_bench_compute needs a GPU backend (nvcc or hipcc)"
#endif

#include <aaco/probes/compute.hpp>

#if AACO_BACKEND_CUDA && defined(AACO_BENCH_HAVE_CUBLASLT)
#  define AACO_BENCH_CUBLASLT 1
#  include <cublasLt.h>
#  include <cuda_bf16.h>
#  include <cuda_fp16.h>
#  include <cuda_fp8.h>
#else
#  define AACO_BENCH_CUBLASLT 0
#endif

#if AACO_BACKEND_CUDA && __has_include(<aaco/kernels/nvidia/mma_sync_peak.hpp>)
#  define AACO_BENCH_MMA_SYNC 1
#  include <aaco/kernels/nvidia/mma_sync_peak.hpp>
#else
#  define AACO_BENCH_MMA_SYNC 0
#endif

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#if AACO_BENCH_CUBLASLT
// Kernels live outside the anonymous namespace: AACO_KERNEL gives them hidden visibility,
// which needs external linkage.
namespace aaco_bench {
/// Random operands: uniform in [-1, 1) rounded to T; int8 uniform integers in [-64, 64].
template <class T>
AACO_KERNEL void fill_operand(T* x, std::size_t n, std::uint64_t seed) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += stride) {
        const float u = aaco_bench::hash_uniform(i, seed);
        if constexpr (std::is_same_v<T, std::int8_t>)
            x[i] = static_cast<std::int8_t>(__float2int_rn(u * 64.0f));
        else
            x[i] = T(u);
    }
}

} // namespace aaco_bench
#endif

namespace {

using aaco_bench::no_value;

/// One line of the table: an aaco figure and the vendor GEMM it is compared with.
struct row {
    std::string figure;  ///< "fp16.matrix", "fp16.matrix (mma.sync)"
    aaco::precision prec = aaco::precision::fp32;
    aaco::compute_unit unit = aaco::compute_unit::vector;
    bool legacy = false;  ///< the mma.sync legacy path on sm_90
    std::optional<aaco::compute_figure> fig;
    std::string error;    ///< why aaco has no figure
    double datasheet = no_value;
};

/// One vendor GEMM.
struct vendor_result {
    aaco::precision prec = aaco::precision::fp32;
    aaco::compute_unit unit = aaco::compute_unit::matrix;
    std::string label;
    int m = 0, n = 0, k = 0;
    int algorithms_tried = 0;
    aaco_bench::vendor_timing timing{};
    bool timed = false;
    std::string check;  ///< "ok (8 entries)" or what differed
    std::string error;
};

double clock_adjusted_efficiency(const aaco::compute_figure& f) {
    return aaco_bench::ratio(f.tflops, f.clock_adjusted_peak_tflops);
}

// ---- aaco side --------------------------------------------------------------------------------

std::vector<row> measure_aaco(const aaco::device_info& dev, aaco::operand_mode mode,
                              const aaco::probes::sampling_config& cfg, aaco::backend::stream& s) {
    const aaco::profile* prof = aaco::match_profile(dev);
    std::vector<row> rows;
    bool warmed = false;
    for (aaco::precision p : aaco::all_precisions)
        for (aaco::compute_unit u : {aaco::compute_unit::matrix, aaco::compute_unit::vector}) {
            row r;
            r.figure = aaco::ceiling_name(p, u);
            r.prec = p;
            r.unit = u;
            if (prof && prof->tflops(p, u) > 0) r.datasheet = prof->tflops(p, u);
            std::printf("  aaco %-24s ", r.figure.c_str());
            std::fflush(stdout);
            try {
                // The first kernel also warms the GPU up (clocks ramp over ~100 ms).
                r.fig = aaco::probes::measure_compute(dev, p, u, mode, true, cfg, s,
                                                      warmed ? 0.0 : 0.2);
                if (!r.fig) {
                    std::printf("no such unit\n");
                    continue;
                }
                warmed = true;
                std::printf("%10.1f TFLOP/s\n", r.fig->tflops);
            } catch (const std::exception& e) {
                r.error = e.what();
                std::printf("failed: %s\n", e.what());
            }
            rows.push_back(std::move(r));
        }
    return rows;
}

/// The mma.sync figures of Hopper (sm_90 only: on sm_80 mma.sync already is the main path, and
/// Hopper's fp64 DMMA is an mma.sync form measured above).
void measure_legacy(const aaco::device_info& dev, aaco::operand_mode mode,
                    const aaco::probes::sampling_config& cfg, aaco::backend::stream& s,
                    std::vector<row>& rows) {
#if AACO_BENCH_MMA_SYNC
    if (dev.arch != "sm_90") return;
    const aaco::profile* prof = aaco::match_profile(dev);
    for (aaco::precision p : {aaco::precision::fp16, aaco::precision::bf16, aaco::precision::tf32,
                              aaco::precision::int8}) {
        row r;
        r.figure = aaco::ceiling_name(p, aaco::compute_unit::matrix) + " (mma.sync)";
        r.prec = p;
        r.unit = aaco::compute_unit::matrix;
        r.legacy = true;
        if (prof && prof->tflops(p, r.unit) > 0) r.datasheet = prof->tflops(p, r.unit);
        std::printf("  aaco %-24s ", r.figure.c_str());
        std::fflush(stdout);
        try {
            std::unique_ptr<aaco::kernels::compute_runner> runner =
                aaco::kernels::nvidia::make_mma_sync_runner(p, dev, mode);
            if (!runner) {
                std::printf("no such form\n");
                continue;
            }
            runner->prepare();
            const std::string why = runner->verify(reinterpret_cast<void*>(s.get()));
            if (!why.empty()) throw aaco::error("verification failed: " + why);
            const aaco::probes::sampled out = aaco::probes::sample_runner(
                *runner, s, cfg,
                [](const aaco::kernels::launch_work& w, double sec) { return w.flops / sec * 1e-12; });
            r.fig = aaco::probes::make_compute_figure(*runner, out, dev);
            std::printf("%10.1f TFLOP/s\n", r.fig->tflops);
        } catch (const std::exception& e) {
            r.error = e.what();
            std::printf("failed: %s\n", e.what());
        }
        rows.push_back(std::move(r));
    }
#else
    (void)dev, (void)mode, (void)cfg, (void)s, (void)rows;
#endif
}

// ---- vendor side: cuBLASLt ------------------------------------------------------------------

#if AACO_BENCH_CUBLASLT

/// One vendor GEMM configuration.
struct gemm_spec {
    aaco::precision prec;
    aaco::compute_unit unit;  ///< the aaco ceiling it is compared with
    const char* label;
    int m, n, k;
    cudaDataType_t ab;        ///< A and B
    cudaDataType_t cd;        ///< C and D
    cublasComputeType_t compute;
    cudaDataType_t scale;     ///< alpha and beta
    double out_rel;           ///< tolerance: relative to |reference| (output rounding)
    double in_rel;            ///< tolerance: relative to sum |a b| (input rounding, accumulation)
};

/// 8192^3 keeps every tile of every precision busy on 132 SMs (64 x 64 = 4096 128x128 output
/// tiles); fp8/int8 get M = N = 16384 so that a run lasts milliseconds at ~1.5 POPS.
/// untuned sizes: the common "large square GEMM" of vendor marketing, not a sweep.
const gemm_spec gemm_specs[] = {
    {aaco::precision::fp16, aaco::compute_unit::matrix, "cuBLASLt fp16 -> fp16, fp32 accumulate",
     8192, 8192, 8192, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F, CUDA_R_32F, 1.0 / 512, 1e-5},
    {aaco::precision::bf16, aaco::compute_unit::matrix, "cuBLASLt bf16 -> bf16, fp32 accumulate",
     8192, 8192, 8192, CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUDA_R_32F, 1.0 / 64, 1e-5},
    {aaco::precision::tf32, aaco::compute_unit::matrix, "cuBLASLt fp32 -> fp32, COMPUTE_32F_FAST_TF32",
     8192, 8192, 8192, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F, 1e-6, 2e-3},
    {aaco::precision::fp32, aaco::compute_unit::vector, "cuBLASLt SGEMM fp32, COMPUTE_32F",
     8192, 8192, 8192, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F, 1e-6, 1e-5},
    {aaco::precision::fp8, aaco::compute_unit::matrix, "cuBLASLt fp8 e4m3 -> bf16, fast accumulate",
     16384, 16384, 8192, CUDA_R_8F_E4M3, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUDA_R_32F, 1.0 / 64, 2e-3},
    {aaco::precision::int8, aaco::compute_unit::matrix, "cuBLASLt int8 -> int32, COMPUTE_32I",
     16384, 16384, 8192, CUDA_R_8I, CUDA_R_32I, CUBLAS_COMPUTE_32I, CUDA_R_32I, 0, 0},
    {aaco::precision::fp64, aaco::compute_unit::matrix, "cuBLASLt DGEMM fp64, COMPUTE_64F",
     8192, 8192, 8192, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F, CUDA_R_64F, 1e-14, 1e-13},
};

void lt_check(cublasStatus_t st, const char* call) {
    if (st != CUBLAS_STATUS_SUCCESS)
        throw aaco::runtime_error(std::string(call) + " failed: " + cublasLtGetStatusString(st),
                                  static_cast<int>(st));
}

std::size_t type_bytes(cudaDataType_t t) {
    switch (t) {
    case CUDA_R_8I:
    case CUDA_R_8F_E4M3: return 1;
    case CUDA_R_16F:
    case CUDA_R_16BF: return 2;
    case CUDA_R_32F:
    case CUDA_R_32I: return 4;
    case CUDA_R_64F: return 8;
    default: throw aaco::invalid_argument("unexpected cudaDataType_t " + std::to_string(int(t)));
    }
}

template <class T>
void launch_fill(void* p, std::size_t n, std::uint64_t seed, cudaStream_t s) {
    aaco_bench::fill_operand<T><<<2048, 256, 0, s>>>(static_cast<T*>(p), n, seed);
    AACO_BACKEND_CHECK_LAUNCH("fill_operand");
}

void fill_random(void* p, std::size_t n, cudaDataType_t t, std::uint64_t seed, cudaStream_t s) {
    switch (t) {
    case CUDA_R_16F: return launch_fill<__half>(p, n, seed, s);
    case CUDA_R_16BF: return launch_fill<__nv_bfloat16>(p, n, seed, s);
    case CUDA_R_8F_E4M3: return launch_fill<__nv_fp8_e4m3>(p, n, seed, s);
    case CUDA_R_8I: return launch_fill<std::int8_t>(p, n, seed, s);
    case CUDA_R_32F: return launch_fill<float>(p, n, seed, s);
    case CUDA_R_64F: return launch_fill<double>(p, n, seed, s);
    default: throw aaco::invalid_argument("no fill for cudaDataType_t " + std::to_string(int(t)));
    }
}

/// One element of type `t` at `p`, as double (host).
double decode(const unsigned char* p, cudaDataType_t t) {
    switch (t) {
    case CUDA_R_16F: {
        unsigned short u;
        std::memcpy(&u, p, 2);
        return __half2float(__ushort_as_half(u));
    }
    case CUDA_R_16BF: {
        unsigned short u;
        std::memcpy(&u, p, 2);
        return __bfloat162float(__ushort_as_bfloat16(u));
    }
    case CUDA_R_8F_E4M3:
        return __half2float(__half(__nv_cvt_fp8_to_halfraw(static_cast<__nv_fp8_storage_t>(*p), __NV_E4M3)));
    case CUDA_R_8I: return static_cast<double>(static_cast<std::int8_t>(*p));
    case CUDA_R_32I: {
        std::int32_t v;
        std::memcpy(&v, p, 4);
        return v;
    }
    case CUDA_R_32F: {
        float v;
        std::memcpy(&v, p, 4);
        return v;
    }
    case CUDA_R_64F: {
        double v;
        std::memcpy(&v, p, 8);
        return v;
    }
    default: throw aaco::invalid_argument("no decoder for cudaDataType_t " + std::to_string(int(t)));
    }
}

/// RAII cuBLASLt plan of one spec, with up to `max_algos` heuristic candidates.
class lt_plan {
public:
    static constexpr int max_algos = 8;

    lt_plan(cublasLtHandle_t h, const gemm_spec& g, std::size_t workspace) : h_(h), g_(g) {
        lt_check(cublasLtMatmulDescCreate(&op_, g.compute, g.scale), "cublasLtMatmulDescCreate");
        // TN: the layout cuBLASLt requires for fp8 and int8, used for all for uniformity.
        const cublasOperation_t t = CUBLAS_OP_T, nt = CUBLAS_OP_N;
        lt_check(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t), "TRANSA");
        lt_check(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSB, &nt, sizeof nt), "TRANSB");
        if (g.ab == CUDA_R_8F_E4M3) {
            // Fast accumulation: the setting inference stacks use for peak fp8 throughput.
            const std::int8_t fast = 1;
            lt_check(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast),
                     "FAST_ACCUM");
        }
        lt_check(cublasLtMatrixLayoutCreate(&a_, g.ab, g.k, g.m, g.k), "layout A");
        lt_check(cublasLtMatrixLayoutCreate(&b_, g.ab, g.k, g.n, g.k), "layout B");
        lt_check(cublasLtMatrixLayoutCreate(&d_, g.cd, g.m, g.n, g.m), "layout D");
        lt_check(cublasLtMatmulPreferenceCreate(&pref_), "cublasLtMatmulPreferenceCreate");
        lt_check(cublasLtMatmulPreferenceSetAttribute(pref_, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                      &workspace, sizeof workspace),
                 "MAX_WORKSPACE_BYTES");
        cublasLtMatmulHeuristicResult_t found[max_algos] = {};
        int count = 0;
        lt_check(cublasLtMatmulAlgoGetHeuristic(h_, op_, a_, b_, d_, d_, pref_, max_algos, found, &count),
                 "cublasLtMatmulAlgoGetHeuristic");
        for (int i = 0; i < count; ++i)
            if (found[i].state == CUBLAS_STATUS_SUCCESS) algos_.push_back(found[i]);
        if (algos_.empty()) throw aaco::runtime_error("cuBLASLt offers no algorithm for this GEMM", 0);
    }
    ~lt_plan() {
        cublasLtMatmulPreferenceDestroy(pref_);
        cublasLtMatrixLayoutDestroy(d_);
        cublasLtMatrixLayoutDestroy(b_);
        cublasLtMatrixLayoutDestroy(a_);
        cublasLtMatmulDescDestroy(op_);
    }
    lt_plan(const lt_plan&) = delete;
    lt_plan& operator=(const lt_plan&) = delete;

    int algorithm_count() const { return static_cast<int>(algos_.size()); }

    void run(int algo, const void* a, const void* b, void* d, void* ws, std::size_t ws_bytes,
             cudaStream_t s) const {
        const void* alpha = g_.scale == CUDA_R_64F ? static_cast<const void*>(&one_f64_)
                            : g_.scale == CUDA_R_32I ? static_cast<const void*>(&one_i32_)
                                                     : static_cast<const void*>(&one_f32_);
        const void* beta = g_.scale == CUDA_R_64F ? static_cast<const void*>(&zero_f64_)
                           : g_.scale == CUDA_R_32I ? static_cast<const void*>(&zero_i32_)
                                                    : static_cast<const void*>(&zero_f32_);
        lt_check(cublasLtMatmul(h_, op_, alpha, a, a_, b, b_, beta, d, d_, d, d_,
                                &algos_[static_cast<std::size_t>(algo)].algo, ws, ws_bytes, s),
                 "cublasLtMatmul");
    }

private:
    cublasLtHandle_t h_;
    gemm_spec g_;
    cublasLtMatmulDesc_t op_ = nullptr;
    cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, d_ = nullptr;
    cublasLtMatmulPreference_t pref_ = nullptr;
    std::vector<cublasLtMatmulHeuristicResult_t> algos_;
    double one_f64_ = 1, zero_f64_ = 0;
    float one_f32_ = 1, zero_f32_ = 0;
    std::int32_t one_i32_ = 1, zero_i32_ = 0;
};

/// Compares 8 entries of D with a double host reference computed from the device's operands.
std::string check_gemm(const gemm_spec& g, const unsigned char* a, const unsigned char* b,
                       const unsigned char* d) {
    const std::size_t ab = type_bytes(g.ab), cd = type_bytes(g.cd);
    std::vector<unsigned char> arow(static_cast<std::size_t>(g.k) * ab), brow(arow.size());
    for (int t = 0; t < 8; ++t) {
        const int i = static_cast<int>((static_cast<long long>(t) * 7919 + 17) % g.m);
        const int j = static_cast<int>((static_cast<long long>(t) * 104729 + 3) % g.n);
        AACO_BACKEND_CHECK(cudaMemcpy(arow.data(), a + static_cast<std::size_t>(i) * g.k * ab, arow.size(),
                                      cudaMemcpyDeviceToHost));
        AACO_BACKEND_CHECK(cudaMemcpy(brow.data(), b + static_cast<std::size_t>(j) * g.k * ab, brow.size(),
                                      cudaMemcpyDeviceToHost));
        unsigned char out[8];
        AACO_BACKEND_CHECK(cudaMemcpy(out, d + (static_cast<std::size_t>(j) * g.m + i) * cd, cd,
                                      cudaMemcpyDeviceToHost));
        double ref = 0, mag = 0;
        for (int kk = 0; kk < g.k; ++kk) {
            const double x = decode(arow.data() + static_cast<std::size_t>(kk) * ab, g.ab);
            const double y = decode(brow.data() + static_cast<std::size_t>(kk) * ab, g.ab);
            ref += x * y;
            mag += std::fabs(x * y);
        }
        const double got = decode(out, g.cd);
        const double tol = g.out_rel * std::fabs(ref) + g.in_rel * mag;
        if (!(std::fabs(got - ref) <= tol)) {
            char buf[160];
            std::snprintf(buf, sizeof buf, "MISMATCH D(%d,%d) = %.6g, reference %.6g, tolerance %.3g",
                          i, j, got, ref, tol);
            return buf;
        }
    }
    return "ok (8 entries)";
}

vendor_result run_vendor_gemm(cublasLtHandle_t h, const gemm_spec& g, bool cold, int runs,
                              aaco::backend::stream& s) {
    vendor_result v;
    v.prec = g.prec;
    v.unit = g.unit;
    v.label = g.label;
    v.m = g.m;
    v.n = g.n;
    v.k = g.k;
    std::printf("  %-46s %5d x %5d x %5d ", g.label, g.m, g.n, g.k);
    std::fflush(stdout);
    try {
        const std::size_t ab = type_bytes(g.ab), cd = type_bytes(g.cd);
        aaco::backend::device_buffer<unsigned char> a(static_cast<std::size_t>(g.m) * g.k * ab);
        aaco::backend::device_buffer<unsigned char> b(static_cast<std::size_t>(g.n) * g.k * ab);
        aaco::backend::device_buffer<unsigned char> d(static_cast<std::size_t>(g.m) * g.n * cd);
        /// 32 MiB: NVIDIA's recommended cuBLASLt workspace on Hopper.
        constexpr std::size_t ws_bytes = std::size_t(32) << 20;
        aaco::backend::device_buffer<unsigned char> ws(ws_bytes);
        if (cold) {
            a.zero(s.get());
            b.zero(s.get());
        } else {
            fill_random(a.data(), static_cast<std::size_t>(g.m) * g.k, g.ab, 11, s.get());
            fill_random(b.data(), static_cast<std::size_t>(g.n) * g.k, g.ab, 12, s.get());
        }
        d.zero(s.get());
        s.synchronize();

        lt_plan plan(h, g, ws_bytes);
        v.algorithms_tried = plan.algorithm_count();
        const double flops = 2.0 * g.m * static_cast<double>(g.n) * g.k;
        // Pick the fastest candidate with a short timing, then time it properly.
        int best = 0;
        double best_ms = std::numeric_limits<double>::infinity();
        for (int algo = 0; algo < plan.algorithm_count(); ++algo) {
            try {
                auto call = [&](cudaStream_t st) { plan.run(algo, a.data(), b.data(), d.data(), ws.data(), ws_bytes, st); };
                const aaco_bench::vendor_timing t = aaco_bench::time_vendor(s, call, flops, 1e-12, 10, 20.0);
                if (t.median_ms < best_ms) {
                    best = algo;
                    best_ms = t.median_ms;
                }
            } catch (const aaco::runtime_error&) {
                // A candidate that fails to launch is skipped; the others still compete.
            }
        }
        auto call = [&](cudaStream_t st) { plan.run(best, a.data(), b.data(), d.data(), ws.data(), ws_bytes, st); };
        v.timing = aaco_bench::time_vendor(s, call, flops, 1e-12, runs);
        v.timed = true;
        v.check = check_gemm(g, a.data(), b.data(), d.data());
        std::printf("%10.1f TFLOP/s  check %s\n", v.timing.rate.median, v.check.c_str());
    } catch (const std::exception& e) {
        v.error = e.what();
        std::printf("failed: %s\n", e.what());
    }
    return v;
}

std::vector<vendor_result> measure_vendor(bool cold, int runs, aaco::backend::stream& s,
                                          std::string& version) {
    cublasLtHandle_t h = nullptr;
    lt_check(cublasLtCreate(&h), "cublasLtCreate");
    version = "cuBLASLt " + std::to_string(cublasLtGetVersion());
    std::vector<vendor_result> out;
    try {
        for (const gemm_spec& g : gemm_specs) out.push_back(run_vendor_gemm(h, g, cold, runs, s));
    } catch (...) {
        cublasLtDestroy(h);
        throw;
    }
    cublasLtDestroy(h);
    return out;
}

#endif // AACO_BENCH_CUBLASLT

// ---- report -----------------------------------------------------------------------------------

const vendor_result* vendor_for(const row& r, const std::vector<vendor_result>& vendor) {
    if (r.legacy) return nullptr;
    for (const vendor_result& v : vendor)
        if (v.prec == r.prec && v.unit == r.unit && v.timed) return &v;
    return nullptr;
}

void print_table(const std::vector<row>& rows, const std::vector<vendor_result>& vendor) {
    std::printf("\n%-24s %11s %7s %9s %9s %11s %9s %10s %9s\n", "figure", "aaco TFLOPS", "CoV",
                "clock MHz", "clk-adj", "vendor", "aaco/", "datasheet", "aaco/");
    std::printf("%-24s %11s %7s %9s %9s %11s %9s %10s %9s\n", "", "", "", "", "efficiency",
                "TFLOPS", "vendor", "TFLOPS", "datasheet");
    for (const row& r : rows) {
        const double t = r.fig ? r.fig->tflops : no_value;
        const double cov = r.fig ? r.fig->stats.cov : no_value;
        const double mhz = r.fig ? r.fig->clock_mhz : no_value;
        const double eff = r.fig ? clock_adjusted_efficiency(*r.fig) : no_value;
        const vendor_result* v = vendor_for(r, vendor);
        const double vt = v ? v->timing.rate.median : no_value;
        std::printf("%-24s %11s %7s %9s %9s %11s %9s %10s %9s%s\n", r.figure.c_str(),
                    aaco_bench::cell(t, 1).c_str(), aaco_bench::cell(cov, 2, true).c_str(),
                    aaco_bench::cell(mhz, 0).c_str(), aaco_bench::cell(eff, 1, true).c_str(),
                    aaco_bench::cell(vt, 1).c_str(),
                    aaco_bench::cell(aaco_bench::ratio(t, vt), 1, true).c_str(),
                    aaco_bench::cell(r.datasheet, 1).c_str(),
                    aaco_bench::cell(aaco_bench::ratio(t, r.datasheet), 1, true).c_str(),
                    r.fig && !r.fig->stats.stable ? "  (unstable)" : "");
    }
    std::printf("\naaco methods:\n");
    for (const row& r : rows) {
        if (r.fig)
            std::printf("  %-24s %s (%s operands, %zu samples)\n", r.figure.c_str(),
                        r.fig->instruction.c_str(), std::string(aaco::to_string(r.fig->operands)).c_str(),
                        r.fig->stats.samples);
        else
            std::printf("  %-24s not measured: %s\n", r.figure.c_str(), r.error.c_str());
    }
    if (!vendor.empty()) {
        std::printf("\nvendor GEMMs (fastest of the heuristic's candidates, median of the timed runs):\n");
        for (const vendor_result& v : vendor) {
            if (v.timed)
                std::printf("  %-46s %5d x %5d x %5d  %8.3f ms  CoV %5.2f%%  %d algos  check %s\n",
                            v.label.c_str(), v.m, v.n, v.k, v.timing.median_ms,
                            v.timing.rate.cov * 100.0, v.algorithms_tried, v.check.c_str());
            else
                std::printf("  %-46s failed: %s\n", v.label.c_str(), v.error.c_str());
        }
    }
}

nlohmann::json to_json(const aaco::device_info& dev, const aaco_bench::options& o,
                       const std::string& vendor_version, const std::vector<row>& rows,
                       const std::vector<vendor_result>& vendor, double wall) {
    nlohmann::json j;
    j["benchmark"] = "compute";
    j["aaco_version"] = AACO_VERSION_STRING;
    j["device"] = aaco_bench::device_json(dev);
    const aaco::profile* prof = aaco::match_profile(dev);
    j["profile"] = prof ? nlohmann::json(std::string(prof->key)) : nlohmann::json();
    j["operands"] = o.cold ? "zero" : "random";
    j["sampling"] = o.quick ? "quick" : "full";
    j["vendor_library"] = vendor_version;
    j["rows"] = nlohmann::json::array();
    for (const row& r : rows) {
        const vendor_result* v = vendor_for(r, vendor);
        const double t = r.fig ? r.fig->tflops : no_value;
        nlohmann::json x;
        x["figure"] = r.figure;
        x["precision"] = std::string(aaco::to_string(r.prec));
        x["unit"] = std::string(aaco::to_string(r.unit));
        x["legacy_mma_sync"] = r.legacy;
        x["aaco_tflops"] = aaco_bench::num(t);
        x["aaco_cov"] = aaco_bench::num(r.fig ? r.fig->stats.cov : no_value);
        x["aaco_samples"] = r.fig ? r.fig->stats.samples : 0;
        x["aaco_stable"] = r.fig ? r.fig->stats.stable : false;
        x["aaco_method"] = r.fig ? r.fig->instruction : std::string();
        x["clock_mhz"] = aaco_bench::num(r.fig ? r.fig->clock_mhz : no_value);
        x["clock_adjusted_peak_tflops"] = aaco_bench::num(r.fig ? r.fig->clock_adjusted_peak_tflops : no_value);
        x["clock_adjusted_efficiency"] = aaco_bench::num(r.fig ? clock_adjusted_efficiency(*r.fig) : no_value);
        x["vendor_tflops"] = aaco_bench::num(v ? v->timing.rate.median : no_value);
        x["aaco_over_vendor"] = aaco_bench::num(aaco_bench::ratio(t, v ? v->timing.rate.median : no_value));
        x["datasheet_tflops"] = aaco_bench::num(r.datasheet);
        x["aaco_over_datasheet"] = aaco_bench::num(aaco_bench::ratio(t, r.datasheet));
        x["error"] = r.error;
        j["rows"].push_back(x);
    }
    j["vendor"] = nlohmann::json::array();
    for (const vendor_result& v : vendor) {
        nlohmann::json x;
        x["label"] = v.label;
        x["precision"] = std::string(aaco::to_string(v.prec));
        x["m"] = v.m;
        x["n"] = v.n;
        x["k"] = v.k;
        x["algorithms_tried"] = v.algorithms_tried;
        x["tflops"] = aaco_bench::num(v.timed ? v.timing.rate.median : no_value);
        x["tflops_min"] = aaco_bench::num(v.timed ? v.timing.rate.min : no_value);
        x["tflops_max"] = aaco_bench::num(v.timed ? v.timing.rate.max : no_value);
        x["cov"] = aaco_bench::num(v.timed ? v.timing.rate.cov : no_value);
        x["samples"] = v.timed ? v.timing.rate.samples : 0;
        x["median_ms"] = aaco_bench::num(v.timed ? v.timing.median_ms : no_value);
        x["check"] = v.check;
        x["error"] = v.error;
        j["vendor"].push_back(x);
    }
    j["wall_seconds"] = wall;
    return j;
}

int run(int argc, char** argv) {
    aaco_bench::options o;
    if (!aaco_bench::parse_options(argc, argv, o, true)) return 2;
    const auto t0 = std::chrono::steady_clock::now();
    aaco::backend::set_device(o.device);  // no_device_error when there is no such GPU
    const aaco::device_info dev = aaco::backend::query_device(o.device);
    const aaco::profile* prof = aaco::match_profile(dev);
    std::printf("aaco %s compute benchmark on %s (%s, %d SMs/CUs, %.0f MHz max), datasheet profile: %s\n",
                AACO_VERSION_STRING, dev.name.c_str(), dev.arch.c_str(), dev.compute_units,
                dev.max_clock_mhz, prof ? std::string(prof->key).c_str() : "none");
    std::printf("operands: %s; aaco sampling: %s; vendor: median of %d runs\n",
                o.cold ? "zero (--cold)" : "random", o.quick ? "quick" : "full", o.runs);

    aaco::backend::stream s;
    const aaco::operand_mode mode = o.cold ? aaco::operand_mode::zero : aaco::operand_mode::random;
    const aaco::probes::sampling_config cfg =
        o.quick ? aaco::probes::sampling_config::quick() : aaco::probes::sampling_config::full();

    std::vector<row> rows = measure_aaco(dev, mode, cfg, s);
    measure_legacy(dev, mode, cfg, s, rows);

    std::vector<vendor_result> vendor;
    std::string vendor_version;
#if AACO_BENCH_CUBLASLT
    vendor = measure_vendor(o.cold, o.runs, s, vendor_version);
#elif AACO_BACKEND_HIP
    vendor_version = "rocBLAS: not available in this build";
    std::printf("  %s\n", vendor_version.c_str());
#else
    vendor_version = "cuBLASLt: not available in this build";
    std::printf("  %s\n", vendor_version.c_str());
#endif

    print_table(rows, vendor);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("\nwall time %.1f s\n", wall);
    if (!o.json_path.empty()) {
        aaco_bench::write_json(o.json_path, to_json(dev, o, vendor_version, rows, vendor, wall));
        std::printf("rows written to %s\n", o.json_path.c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const aaco::no_device_error& e) {
        std::fprintf(stderr, "aaco_bench_compute: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco_bench_compute: error: %s\n", e.what());
        return 1;
    }
}
