// aaco_bench_compute: a controlled comparison of aaco's compute ceilings with the vendor's best
// large GEMMs, on one card, in one process, and a check that every ceiling is an upper bound.
//
// Per precision, in rounds A B A B (--rounds, default 2):
//   A  aaco's ceiling: probes::measure_compute on every unit the device has for that precision
//      (wgmma on Hopper, mma.sync on Ampere, MFMA on CDNA, vector FMA loops), verified first.
//   B  the library (cuBLASLt on CUDA): each of at least 4 large shapes, timed through
//      aaco::measure, i.e. the same device events, sample length, sampler and stopping rule as A.
// The card is warmed once (200 ms of aaco's kernel) before the first figure; afterwards each side
// follows the other, so both are measured on the same warm card. The library's fastest algorithm
// is picked (and its result checked on 8 entries against a host reference) before round 1.
// One library sample enqueues several GEMMs back to back, so that a sample lasts as long as one
// of aaco's (compute_launch_ms, 20 ms; 8 ms with --quick); only the first call's host cost (~10
// us) can fall inside the events.
//
// Reported per precision: aaco's ceiling (best round) with its in-kernel clock, the library's
// best (over shapes and rounds), their ratio (HEU = library / ceiling), and the ratio at equal
// clocks: board telemetry (NVML / AMD SMI) is polled the same way around every figure of both
// sides, and HEU x aaco's board clock / the library's board clock takes the clock difference
// out ("n/a" without telemetry).
// THE INVARIANT: no library figure may exceed aaco's ceiling of the same precision. A violation
// prints "CEILING VIOLATED: ..." and the program exits 3.
//
// Operands: aaco::random_operand_distribution(p) on both sides: uniform [-1, 1] rounded to the
// type for floating types, uniform over [-128, 127] for int8; --cold: zeros on both sides.
//   fp16, bf16       in and out, fp32 accumulate
//   tf32             fp32 in/out, CUBLAS_COMPUTE_32F_FAST_TF32
//   fp32             plain SGEMM, CUBLAS_COMPUTE_32F
//   fp8 e4m3         out bf16, fast accumulation
//   int8             out int32, CUBLAS_COMPUTE_32I
//   fp64             DGEMM, CUBLAS_COMPUTE_64F
// HIP builds have no hipBLASLt (Debian 12 ships no development package): they print aaco's side
// only. On sm_90 the mma.sync legacy-path figures are listed too (not ceilings; no comparison).
//
// Usage: aaco_bench_compute [--device N] [--cold] [--quick] [--rounds N] [--json FILE]
// Exit codes: 0 ok; 1 error; 2 no usable GPU or bad arguments; 3 a ceiling was violated.
#include "bench_common.hpp"

#if AACO_BACKEND_NONE
#  error "aaco_bench_compute needs a GPU backend (nvcc or hipcc)"
#endif

#include <aaco/measure.hpp>
#include <aaco/probes/compute.hpp>
#include <aaco/probes/memory.hpp>

#if AACO_BACKEND_CUDA && defined(AACO_BENCH_HAVE_CUBLASLT)
#  define AACO_BENCH_CUBLASLT 1
#  include <cublasLt.h>
#  include <cuda_bf16.h>
#  include <cuda_fp16.h>
#  include <cuda_fp8.h>
#else
#  define AACO_BENCH_CUBLASLT 0
#endif

// Board telemetry (NVML / AMD SMI via dlopen) where this tree has it: the library's clock and
// power, read the same way around both sides.
#if __has_include(<aaco/backend/telemetry.hpp>)
#  define AACO_BENCH_TELEMETRY 1
#  include <aaco/backend/telemetry.hpp>
#else
#  define AACO_BENCH_TELEMETRY 0
#endif

#if AACO_BACKEND_CUDA && __has_include(<aaco/kernels/nvidia/mma_sync_peak.hpp>)
#  define AACO_BENCH_MMA_SYNC 1
#  include <aaco/kernels/nvidia/mma_sync_peak.hpp>
#else
#  define AACO_BENCH_MMA_SYNC 0
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
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
/// The library's operands, drawn like aaco's (aaco::random_operand_distribution): floating types
/// a 53-bit uniform double in [-1, 1) rounded to nearest into T, int8 uniform over [-128, 127].
/// Generated on the device: a host-side generator (such as kernels/operand_fill.hpp, where the
/// tree has it) would take seconds per 16384^2 operand; the distribution and rounding are the
/// same.
template <class T>
AACO_KERNEL void fill_operand(T* x, std::size_t n, std::uint64_t seed) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += stride) {
        if constexpr (std::is_same_v<T, std::int8_t>)
            x[i] = aaco_bench::hash_int8(i, seed);
        else
            x[i] = T(aaco_bench::hash_uniform(i, seed));
    }
}
} // namespace aaco_bench
#endif

namespace {

using aaco_bench::no_value;

/// Board telemetry polled around each figure of either side, so both are read the same way.
/// Without the library (or without telemetry in this tree) every summary is empty and the
/// clocks read "n/a".
class board_telemetry {
public:
    explicit board_telemetry([[maybe_unused]] const aaco::device_info& dev) {
#if AACO_BENCH_TELEMETRY
        source_ = aaco::backend::open_telemetry(dev, note_);
#else
        note_ = "no board telemetry in this build";
#endif
    }
    /// Runs `fn` while polling; returns what was read (empty without a source).
    template <class Fn>
    aaco::telemetry_summary around(Fn&& fn) {
#if AACO_BENCH_TELEMETRY
        aaco::backend::telemetry_scope scope(source_.get());
        fn();
        return scope.finish();
#else
        fn();
        return {};
#endif
    }
    bool available() const {
#if AACO_BENCH_TELEMETRY
        return source_ != nullptr;
#else
        return false;
#endif
    }
    const std::string& note() const { return note_; }

private:
#if AACO_BENCH_TELEMETRY
    std::unique_ptr<aaco::backend::telemetry_source> source_;
#endif
    std::string note_;
};

/// The mean SM clock a telemetry summary read, NaN when none.
double telemetry_clock(const aaco::telemetry_summary& t) {
    return t.available() ? t.sm_clock_mean_mhz : no_value;
}

// ---- aaco side --------------------------------------------------------------------------------

/// One round of aaco's figures for a precision: every unit the device has.
struct aaco_round {
    std::vector<aaco::compute_figure> figures;
    std::vector<std::string> errors;  ///< "fp8.vector: why"

    /// The ceiling of the precision: the faster unit, or nullptr when none was measured.
    const aaco::compute_figure* best() const {
        const aaco::compute_figure* b = nullptr;
        for (const auto& f : figures)
            if (!b || f.tflops > b->tflops) b = &f;
        return b;
    }
};

aaco_round measure_aaco(const aaco::device_info& dev, aaco::precision p, aaco::operand_mode mode,
                        const aaco::probes::sampling_config& cfg, aaco::backend::stream& s,
                        bool& warmed, board_telemetry& telemetry) {
    aaco_round r;
    for (aaco::compute_unit u : {aaco::compute_unit::matrix, aaco::compute_unit::vector}) {
        const std::string name = aaco::ceiling_name(p, u);
        try {
            // The first kernel of the run also warms the GPU up (clocks ramp over ~100 ms).
            std::optional<aaco::compute_figure> f;
            const aaco::telemetry_summary t = telemetry.around([&] {
                f = aaco::probes::measure_compute(dev, p, u, mode, true, cfg, s, warmed ? 0.0 : 0.2);
            });
            if (!f) continue;  // no such unit on this device
            if (!f->telemetry.available()) f->telemetry = t;  // the probe may read its own
            warmed = true;
            std::printf("    A  aaco %-22s %9.1f TFLOP/s  CoV %5.2f%%  clock %s MHz%s\n", name.c_str(),
                        f->tflops, f->stats.cov * 100, aaco_bench::cell(f->clock_mhz, 0).c_str(),
                        f->stats.stable ? "" : "  (unstable)");
            r.figures.push_back(std::move(*f));
        } catch (const std::exception& e) {
            r.errors.push_back(name + ": " + e.what());
            std::printf("    A  aaco %-22s failed: %s\n", name.c_str(), e.what());
        }
    }
    return r;
}

/// One row of the Hopper mma.sync legacy table (not a ceiling; shown for how far it stays below).
struct legacy_row {
    std::string figure;
    std::optional<aaco::compute_figure> fig;
    std::string error;
};

/// The mma.sync figures of Hopper (sm_90 only: on sm_80 mma.sync already is the main path, and
/// Hopper's fp64 DMMA is an mma.sync form measured as the fp64 ceiling).
std::vector<legacy_row> measure_legacy(const aaco::device_info& dev, aaco::operand_mode mode,
                                       const aaco::probes::sampling_config& cfg, aaco::backend::stream& s) {
    std::vector<legacy_row> rows;
#if AACO_BENCH_MMA_SYNC
    if (dev.arch != "sm_90") return rows;
    for (aaco::precision p : {aaco::precision::fp16, aaco::precision::bf16, aaco::precision::tf32,
                              aaco::precision::int8}) {
        legacy_row r;
        r.figure = aaco::ceiling_name(p, aaco::compute_unit::matrix) + " (mma.sync)";
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
            aaco::probes::sampling_config compute_cfg = cfg;
            compute_cfg.target_launch_ms = cfg.compute_launch_ms;
            const aaco::probes::sampled out = aaco::probes::sample_runner(
                *runner, s, compute_cfg,
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
    (void)dev, (void)mode, (void)cfg, (void)s;
#endif
    return rows;
}

// ---- library side -------------------------------------------------------------------------------

/// One GEMM shape, D (M x N) = A (M x K) x B (K x N).
struct gemm_shape {
    int m = 0, n = 0, k = 0;
    std::string text() const {
        return std::to_string(m) + " x " + std::to_string(n) + " x " + std::to_string(k);
    }
};

/// One library measurement: a shape in one round.
struct lib_sample {
    int round = 0;
    double tflops = no_value;
    aaco::sample_stats stats{};  ///< seconds per sample call (several GEMMs)
    double heu = no_value;       ///< against this round's aaco ceiling (aaco::measure's HEU)
    aaco::telemetry_summary telemetry{};  ///< board telemetry while it was sampled
    std::string error;
};

/// One library GEMM (a shape) over all rounds.
struct lib_entry {
    gemm_shape shape;
    std::string label;
    int algorithms_tried = 0;
    double gemm_ms = no_value;  ///< per GEMM, from the algorithm pick
    int gemms_per_sample = 1;
    std::string check;          ///< "ok (8 entries)" or what differed
    std::string error;          ///< why it could not be prepared
    std::vector<lib_sample> samples;
};

/// Everything measured for one precision.
struct precision_run {
    aaco::precision prec = aaco::precision::fp32;
    std::vector<aaco_round> aaco_rounds;
    std::vector<lib_entry> library;
    std::string library_note;  ///< why there is no library side
};

/// The summary of one precision: best against best.
struct verdict {
    const aaco::compute_figure* ceiling = nullptr;  ///< aaco's best round
    int ceiling_round = -1;
    const lib_entry* best_entry = nullptr;
    const lib_sample* best_sample = nullptr;
    double heu = no_value;               ///< library best / aaco ceiling
    double aaco_board_clock_mhz = no_value;    ///< board telemetry during aaco's best round
    double library_clock_mhz = no_value;       ///< board telemetry during the library's best
    double heu_equal_clock = no_value;   ///< heu x aaco board clock / library board clock
    bool violated = false;
};

verdict judge(const precision_run& r) {
    verdict v;
    for (std::size_t i = 0; i < r.aaco_rounds.size(); ++i)
        if (const auto* f = r.aaco_rounds[i].best(); f && (!v.ceiling || f->tflops > v.ceiling->tflops)) {
            v.ceiling = f;
            v.ceiling_round = static_cast<int>(i);
        }
    for (const lib_entry& e : r.library)
        for (const lib_sample& s : e.samples)
            if (std::isfinite(s.tflops) && (!v.best_sample || s.tflops > v.best_sample->tflops)) {
                v.best_entry = &e;
                v.best_sample = &s;
            }
    if (v.ceiling && v.best_sample) {
        v.heu = aaco_bench::ratio(v.best_sample->tflops, v.ceiling->tflops);
        // Both clocks from the same source (board telemetry), so the ratio compares like with
        // like; aaco's in-kernel clock is reported beside it. n/a without telemetry, not guessed.
        v.aaco_board_clock_mhz = telemetry_clock(v.ceiling->telemetry);
        v.library_clock_mhz = telemetry_clock(v.best_sample->telemetry);
        v.heu_equal_clock = aaco_bench::ratio(v.heu * v.aaco_board_clock_mhz, v.library_clock_mhz);
        v.violated = !aaco_bench::ceiling_violation(std::string(aaco::to_string(r.prec)), v.best_sample->tflops,
                                                    "", v.ceiling->tflops, "").empty();
    }
    return v;
}

#if AACO_BENCH_CUBLASLT

/// The shapes of a precision. untuned: large shapes, so the library is at its best (its peak
/// comes from large tiles; small shapes lose to tails and launch cost). Every shape lasts
/// milliseconds at the H200's rate: the fast precisions (fp16/bf16/tf32/fp8/int8) go to 16384^3,
/// fp32 and fp64 (~50-70 TFLOP/s) stop at 8192^3 (~20 ms per GEMM) so a sample stays short.
std::vector<gemm_shape> shapes_for(aaco::precision p) {
    if (p == aaco::precision::fp32 || p == aaco::precision::fp64)
        return {{4096, 4096, 4096}, {4096, 4096, 16384}, {8192, 8192, 4096}, {8192, 8192, 8192}};
    return {{8192, 8192, 8192},
            {12288, 12288, 12288},
            {16384, 16384, 8192},
            {8192, 8192, 16384},
            {16384, 16384, 16384}};
}

/// One library GEMM type (a precision's data types and compute mode).
struct gemm_type {
    aaco::precision prec;
    const char* label;
    cudaDataType_t ab;        ///< A and B
    cudaDataType_t cd;        ///< C and D
    cublasComputeType_t compute;
    cudaDataType_t scale;     ///< alpha and beta
    double out_rel;           ///< tolerance: relative to |reference| (output rounding)
    double in_rel;            ///< tolerance: relative to sum |a b| (input rounding, accumulation)
};

const gemm_type gemm_types[] = {
    {aaco::precision::fp16, "cuBLASLt fp16 -> fp16, fp32 accumulate", CUDA_R_16F, CUDA_R_16F,
     CUBLAS_COMPUTE_32F, CUDA_R_32F, 1.0 / 512, 1e-5},
    {aaco::precision::bf16, "cuBLASLt bf16 -> bf16, fp32 accumulate", CUDA_R_16BF, CUDA_R_16BF,
     CUBLAS_COMPUTE_32F, CUDA_R_32F, 1.0 / 64, 1e-5},
    {aaco::precision::tf32, "cuBLASLt fp32 -> fp32, COMPUTE_32F_FAST_TF32", CUDA_R_32F, CUDA_R_32F,
     CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F, 1e-6, 2e-3},
    {aaco::precision::fp32, "cuBLASLt SGEMM fp32, COMPUTE_32F", CUDA_R_32F, CUDA_R_32F,
     CUBLAS_COMPUTE_32F, CUDA_R_32F, 1e-6, 1e-5},
    {aaco::precision::fp8, "cuBLASLt fp8 e4m3 -> bf16, fast accumulate", CUDA_R_8F_E4M3, CUDA_R_16BF,
     CUBLAS_COMPUTE_32F, CUDA_R_32F, 1.0 / 64, 2e-3},
    {aaco::precision::int8, "cuBLASLt int8 -> int32, COMPUTE_32I", CUDA_R_8I, CUDA_R_32I,
     CUBLAS_COMPUTE_32I, CUDA_R_32I, 0, 0},
    {aaco::precision::fp64, "cuBLASLt DGEMM fp64, COMPUTE_64F", CUDA_R_64F, CUDA_R_64F,
     CUBLAS_COMPUTE_64F, CUDA_R_64F, 1e-14, 1e-13},
};

const gemm_type* gemm_type_for(aaco::precision p) {
    for (const gemm_type& g : gemm_types)
        if (g.prec == p) return &g;
    return nullptr;
}

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

/// RAII cuBLASLt plan of one type and shape, with up to `max_algos` heuristic candidates.
class lt_plan {
public:
    static constexpr int max_algos = 8;

    lt_plan(cublasLtHandle_t h, const gemm_type& g, const gemm_shape& sh, std::size_t workspace)
        : h_(h), g_(g) {
        try {
            create(sh, workspace);
        } catch (...) {
            destroy();
            throw;
        }
    }
    ~lt_plan() { destroy(); }
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
    void create(const gemm_shape& sh, std::size_t workspace) {
        lt_check(cublasLtMatmulDescCreate(&op_, g_.compute, g_.scale), "cublasLtMatmulDescCreate");
        // TN: the layout cuBLASLt requires for fp8 and int8, used for all for uniformity.
        const cublasOperation_t t = CUBLAS_OP_T, nt = CUBLAS_OP_N;
        lt_check(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t), "TRANSA");
        lt_check(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSB, &nt, sizeof nt), "TRANSB");
        if (g_.ab == CUDA_R_8F_E4M3) {
            // Fast accumulation: the setting inference stacks use for peak fp8 throughput.
            const std::int8_t fast = 1;
            lt_check(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast),
                     "FAST_ACCUM");
        }
        lt_check(cublasLtMatrixLayoutCreate(&a_, g_.ab, sh.k, sh.m, sh.k), "layout A");
        lt_check(cublasLtMatrixLayoutCreate(&b_, g_.ab, sh.k, sh.n, sh.k), "layout B");
        lt_check(cublasLtMatrixLayoutCreate(&d_, g_.cd, sh.m, sh.n, sh.m), "layout D");
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
    void destroy() noexcept {
        if (pref_) cublasLtMatmulPreferenceDestroy(pref_);
        if (d_) cublasLtMatrixLayoutDestroy(d_);
        if (b_) cublasLtMatrixLayoutDestroy(b_);
        if (a_) cublasLtMatrixLayoutDestroy(a_);
        if (op_) cublasLtMatmulDescDestroy(op_);
        pref_ = nullptr;
        d_ = b_ = a_ = nullptr;
        op_ = nullptr;
    }

    cublasLtHandle_t h_;
    gemm_type g_;
    cublasLtMatmulDesc_t op_ = nullptr;
    cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, d_ = nullptr;
    cublasLtMatmulPreference_t pref_ = nullptr;
    std::vector<cublasLtMatmulHeuristicResult_t> algos_;
    double one_f64_ = 1, zero_f64_ = 0;
    float one_f32_ = 1, zero_f32_ = 0;
    std::int32_t one_i32_ = 1, zero_i32_ = 0;
};

/// Compares 8 entries of D with a double host reference computed from the device's operands.
std::string check_gemm(const gemm_type& g, const gemm_shape& sh, const unsigned char* a,
                       const unsigned char* b, const unsigned char* d) {
    const std::size_t ab = type_bytes(g.ab), cd = type_bytes(g.cd);
    std::vector<unsigned char> arow(static_cast<std::size_t>(sh.k) * ab), brow(arow.size());
    for (int t = 0; t < 8; ++t) {
        const int i = static_cast<int>((static_cast<long long>(t) * 7919 + 17) % sh.m);
        const int j = static_cast<int>((static_cast<long long>(t) * 104729 + 3) % sh.n);
        AACO_BACKEND_CHECK(cudaMemcpy(arow.data(), a + static_cast<std::size_t>(i) * sh.k * ab, arow.size(),
                                      cudaMemcpyDeviceToHost));
        AACO_BACKEND_CHECK(cudaMemcpy(brow.data(), b + static_cast<std::size_t>(j) * sh.k * ab, brow.size(),
                                      cudaMemcpyDeviceToHost));
        unsigned char out[8];
        AACO_BACKEND_CHECK(cudaMemcpy(out, d + (static_cast<std::size_t>(j) * sh.m + i) * cd, cd,
                                      cudaMemcpyDeviceToHost));
        double ref = 0, mag = 0;
        for (int kk = 0; kk < sh.k; ++kk) {
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

/// A prepared library GEMM: operands filled, fastest algorithm picked, result checked.
class lib_gemm {
public:
    /// 32 MiB: NVIDIA's recommended cuBLASLt workspace on Hopper.
    static constexpr std::size_t workspace_bytes = std::size_t(32) << 20;

    lib_gemm(cublasLtHandle_t h, const gemm_type& g, const gemm_shape& sh, bool cold,
             double sample_ms, aaco::backend::stream& s, lib_entry& e)
        : g_(g), sh_(sh),
          a_(static_cast<std::size_t>(sh.m) * sh.k * type_bytes(g.ab)),
          b_(static_cast<std::size_t>(sh.n) * sh.k * type_bytes(g.ab)),
          d_(static_cast<std::size_t>(sh.m) * sh.n * type_bytes(g.cd)),
          ws_(workspace_bytes), plan_(h, g, sh, workspace_bytes) {
        if (cold) {
            a_.zero(s.get());
            b_.zero(s.get());
        } else {
            fill_random(a_.data(), static_cast<std::size_t>(sh.m) * sh.k, g.ab, 11, s.get());
            fill_random(b_.data(), static_cast<std::size_t>(sh.n) * sh.k, g.ab, 12, s.get());
        }
        d_.zero(s.get());
        s.synchronize();
        e.algorithms_tried = plan_.algorithm_count();
        pick_algorithm(s, e);
        e.gemms_per_sample = std::max(1, static_cast<int>(std::ceil(sample_ms / e.gemm_ms)));
        e.check = check_gemm(g_, sh_, a_.data(), b_.data(), d_.data());
    }

    /// Enqueues `count` GEMMs back to back on `st`.
    void enqueue(cudaStream_t st, int count) {
        for (int i = 0; i < count; ++i)
            plan_.run(algo_, a_.data(), b_.data(), d_.data(), ws_.data(), workspace_bytes, st);
    }
    double flops() const { return 2.0 * sh_.m * static_cast<double>(sh_.n) * sh_.k; }
    /// Compulsory traffic: A and B read once, D written once.
    double bytes() const {
        return static_cast<double>(a_.bytes()) + static_cast<double>(b_.bytes()) + static_cast<double>(d_.bytes());
    }

private:
    /// The fastest heuristic candidate by a short timing (5 runs after 20 ms of warm-up each):
    /// this picks the algorithm only; the figure comes from aaco::measure later.
    void pick_algorithm(aaco::backend::stream& s, lib_entry& e) {
        double best_ms = std::numeric_limits<double>::infinity();
        for (int algo = 0; algo < plan_.algorithm_count(); ++algo) {
            try {
                auto call = [&](cudaStream_t st) {
                    plan_.run(algo, a_.data(), b_.data(), d_.data(), ws_.data(), workspace_bytes, st);
                };
                const aaco_bench::vendor_timing t = aaco_bench::time_vendor(s, call, flops(), 1e-12, 5, 20.0);
                if (t.median_ms < best_ms) {
                    algo_ = algo;
                    best_ms = t.median_ms;
                }
            } catch (const aaco::runtime_error&) {
                // A candidate that fails to launch is skipped; the others still compete.
            }
        }
        if (!std::isfinite(best_ms)) throw aaco::runtime_error("no cuBLASLt candidate ran", 0);
        e.gemm_ms = best_ms;
        // Leave D holding the chosen algorithm's result for the check.
        enqueue(s.get(), 1);
        s.synchronize();
    }

    gemm_type g_;
    gemm_shape sh_;
    aaco::backend::device_buffer<unsigned char> a_, b_, d_, ws_;
    lt_plan plan_;
    int algo_ = 0;
};

/// The library side of one precision: prepares every shape (fills, picks, checks).
class library_side {
public:
    library_side(cublasLtHandle_t h, aaco::precision p, bool cold, double sample_ms,
                 aaco::backend::stream& s, std::vector<lib_entry>& entries) {
        const gemm_type* g = gemm_type_for(p);
        if (!g) return;
        for (const gemm_shape& sh : shapes_for(p)) {
            lib_entry e;
            e.shape = sh;
            e.label = g->label;
            std::printf("    .  prepare %-44s %-22s ", g->label, sh.text().c_str());
            std::fflush(stdout);
            try {
                gemms_.push_back(std::make_unique<lib_gemm>(h, *g, sh, cold, sample_ms, s, e));
                std::printf("%8.3f ms/GEMM, %d per sample, %d algos, check %s\n", e.gemm_ms,
                            e.gemms_per_sample, e.algorithms_tried, e.check.c_str());
            } catch (const std::exception& ex) {
                gemms_.push_back(nullptr);
                e.error = ex.what();
                std::printf("failed: %s\n", ex.what());
            }
            entries.push_back(std::move(e));
        }
    }

    /// Round `round` of the library: every prepared shape through aaco::measure, against `env`
    /// (this round's aaco ceiling and the run's HBM figure).
    void measure_round(int round, const aaco::envelope& env, aaco::precision p, bool quick,
                       board_telemetry& telemetry, std::vector<lib_entry>& entries) {
        aaco::measure_options opt;
        opt.quick = quick;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            lib_entry& e = entries[i];
            lib_gemm* g = gemms_[i].get();
            if (!g) continue;
            lib_sample x;
            x.round = round;
            try {
                const int count = e.gemms_per_sample;
                auto launch = [g, count](aaco::backend::native_stream st) { g->enqueue(st, count); };
                aaco::measurement_result r;
                x.telemetry = telemetry.around([&] {
                    r = aaco::measure(env, launch, count * g->flops(), count * g->bytes(), p, opt);
                });
                x.tflops = r.achieved_tflops;
                x.stats = r.stats;
                x.heu = r.heu.value;
                std::printf("    B  %-49s %-22s %9.1f TFLOP/s  CoV %5.2f%%  HEU %s  clock %s MHz\n",
                            e.label.c_str(), e.shape.text().c_str(), x.tflops, r.stats.cov * 100,
                            aaco_bench::cell(x.heu, 1, true).c_str(),
                            aaco_bench::cell(telemetry_clock(x.telemetry), 0).c_str());
            } catch (const std::exception& ex) {
                x.error = ex.what();
                std::printf("    B  %-49s %-22s failed: %s\n", e.label.c_str(), e.shape.text().c_str(), ex.what());
            }
            e.samples.push_back(std::move(x));
        }
    }

private:
    std::vector<std::unique_ptr<lib_gemm>> gemms_;
};

/// RAII cuBLASLt handle.
class lt_handle {
public:
    lt_handle() { lt_check(cublasLtCreate(&h_), "cublasLtCreate"); }
    ~lt_handle() { cublasLtDestroy(h_); }
    lt_handle(const lt_handle&) = delete;
    lt_handle& operator=(const lt_handle&) = delete;
    cublasLtHandle_t get() const { return h_; }

private:
    cublasLtHandle_t h_ = nullptr;
};

#endif // AACO_BENCH_CUBLASLT

std::string library_name() {
#if AACO_BENCH_CUBLASLT
    return "cuBLASLt " + std::to_string(cublasLtGetVersion());
#elif AACO_BACKEND_HIP
    return "hipBLASLt: not available in this build";
#else
    return "cuBLASLt: not available in this build";
#endif
}

#if AACO_BENCH_CUBLASLT
/// The envelope the library's HEU is taken against: the run's HBM figure and one round's aaco
/// figures of the precision.
aaco::envelope round_envelope(const aaco::device_info& dev, const aaco::memory_figure& hbm,
                              const aaco_round& a) {
    aaco::envelope env;
    env.device = dev;
    env.memory.push_back(hbm);
    env.compute = a.figures;
    return env;
}
#endif

/// Runs the interleaved rounds of one precision.
precision_run run_precision(const aaco::device_info& dev, aaco::precision p, const aaco_bench::options& o,
                            const aaco::probes::sampling_config& cfg, const aaco::memory_figure& hbm,
                            aaco::backend::stream& s, bool& warmed, board_telemetry& telemetry,
                            [[maybe_unused]] void* handle) {
    precision_run run;
    run.prec = p;
    const aaco::operand_mode mode = o.cold ? aaco::operand_mode::zero : aaco::operand_mode::random;
    std::printf("\n  %s (operands: %s)\n", std::string(aaco::to_string(p)).c_str(),
                o.cold ? "zero" : std::string(aaco::random_operand_distribution(p)).c_str());
#if AACO_BENCH_CUBLASLT
    library_side lib(static_cast<cublasLtHandle_t>(handle), p, o.cold, cfg.compute_launch_ms, s, run.library);
#else
    run.library_note = library_name();
#endif
    for (int round = 0; round < o.rounds; ++round) {
        run.aaco_rounds.push_back(measure_aaco(dev, p, mode, cfg, s, warmed, telemetry));
#if AACO_BENCH_CUBLASLT
        const aaco_round& a = run.aaco_rounds.back();
        if (a.best()) lib.measure_round(round, round_envelope(dev, hbm, a), p, o.quick, telemetry, run.library);
#else
        (void)hbm;
#endif
        if (run.aaco_rounds.back().figures.empty()) break;  // no such precision here: no more rounds
    }
    return run;
}

// ---- report -----------------------------------------------------------------------------------

void print_summary(const std::vector<precision_run>& runs) {
    std::printf("\n%-6s %11s %9s %9s %11s %-22s %8s %9s %10s %9s\n", "prec", "aaco", "aaco clk", "aaco clk",
                "library", "best shape", "HEU", "lib clk", "HEU at", "datasheet");
    std::printf("%-6s %11s %9s %9s %11s %-22s %8s %9s %10s %9s\n", "", "TFLOPS", "in-kernel", "board", "TFLOPS",
                "", "", "board", "equal clk", "TFLOPS");
    for (const precision_run& r : runs) {
        const verdict v = judge(r);
        if (!v.ceiling && r.library.empty()) continue;
        std::printf("%-6s %11s %9s %9s %11s %-22s %8s %9s %10s %9s\n", std::string(aaco::to_string(r.prec)).c_str(),
                    aaco_bench::cell(v.ceiling ? v.ceiling->tflops : no_value, 1).c_str(),
                    aaco_bench::cell(v.ceiling ? v.ceiling->clock_mhz : no_value, 0).c_str(),
                    std::isfinite(v.aaco_board_clock_mhz) ? aaco_bench::cell(v.aaco_board_clock_mhz, 0).c_str() : "n/a",
                    aaco_bench::cell(v.best_sample ? v.best_sample->tflops : no_value, 1).c_str(),
                    v.best_entry ? v.best_entry->shape.text().c_str() : "-",
                    aaco_bench::cell(v.heu, 1, true).c_str(),
                    std::isfinite(v.library_clock_mhz) ? aaco_bench::cell(v.library_clock_mhz, 0).c_str() : "n/a",
                    aaco_bench::cell(v.heu_equal_clock, 1, true).c_str(),
                    aaco_bench::cell(v.ceiling ? v.ceiling->datasheet_tflops : no_value, 1).c_str());
    }
}

void print_legacy(const std::vector<legacy_row>& rows) {
    if (rows.empty()) return;
    std::printf("\nHopper mma.sync legacy path (not ceilings; the wgmma figures above are):\n");
    for (const legacy_row& r : rows)
        std::printf("  %-26s %s\n", r.figure.c_str(),
                    r.fig ? (aaco_bench::cell(r.fig->tflops, 1) + " TFLOP/s").c_str() : r.error.c_str());
}

/// Prints one loud line per violation (aaco_bench::ceiling_violation); returns how many there were.
int report_violations(const std::vector<precision_run>& runs) {
    int n = 0;
    for (const precision_run& r : runs) {
        const verdict v = judge(r);
        if (!v.violated) continue;
        const std::string prec(aaco::to_string(r.prec));
        const std::string line = aaco_bench::ceiling_violation(
            prec, v.best_sample->tflops,
            v.best_entry->label + " " + v.best_entry->shape.text() + " (round " +
                std::to_string(v.best_sample->round + 1) + ")",
            v.ceiling->tflops,
            "with " + v.ceiling->instruction + " (round " + std::to_string(v.ceiling_round + 1) + ")");
        std::printf("%s\n", line.c_str());
        ++n;
    }
    if (n == 0) std::printf("\ninvariant holds: no library figure exceeds aaco's ceiling of its precision\n");
    return n;
}

nlohmann::json stats_json(const aaco::sample_stats& s) {
    return {{"samples", s.samples},
            {"median", aaco_bench::num(s.median)},
            {"cov", aaco_bench::num(s.cov)},
            {"p2_5", aaco_bench::num(s.p2_5)},
            {"p97_5", aaco_bench::num(s.p97_5)},
            {"median_ci_low", aaco_bench::num(s.median_ci_low)},
            {"median_ci_high", aaco_bench::num(s.median_ci_high)},
            {"stable", s.stable}};
}

nlohmann::json telemetry_json(const aaco::telemetry_summary& t) {
    if (!t.available()) return nullptr;
    return {{"source", t.source},
            {"readings", t.readings},
            {"sm_clock_mean_mhz", aaco_bench::num(t.sm_clock_mean_mhz)},
            {"sm_clock_min_mhz", aaco_bench::num(t.sm_clock_min_mhz)},
            {"sm_clock_max_mhz", aaco_bench::num(t.sm_clock_max_mhz)},
            {"power_mean_w", aaco_bench::num(t.power_mean_w)},
            {"power_max_w", aaco_bench::num(t.power_max_w)},
            {"power_limit_w", aaco_bench::num(t.power_limit_w)},
            {"temperature_max_c", aaco_bench::num(t.temperature_max_c)},
            {"throttle_reasons", t.throttle_reasons}};
}

nlohmann::json aaco_row_json(aaco::precision p, int round, const aaco::compute_figure& f) {
    return {{"side", "aaco"},
            {"precision", std::string(aaco::to_string(p))},
            {"round", round + 1},
            {"figure", aaco::ceiling_name(f.prec, f.unit)},
            {"method", f.instruction},
            {"operand_distribution", f.operand_distribution},
            {"tflops", aaco_bench::num(f.tflops)},
            {"clock_mhz", aaco_bench::num(f.clock_mhz)},
            {"clock_source", "in-kernel (cycles over global timer)"},
            {"clock_adjusted_peak_tflops", aaco_bench::num(f.clock_adjusted_peak_tflops)},
            {"datasheet_tflops", aaco_bench::num(f.datasheet_tflops)},
            {"telemetry", telemetry_json(f.telemetry)},
            {"stats", stats_json(f.stats)}};
}

nlohmann::json library_row_json(aaco::precision p, const lib_entry& e, const lib_sample& x, bool cold) {
    return {{"side", "library"},
            {"precision", std::string(aaco::to_string(p))},
            {"round", x.round + 1},
            {"label", e.label},
            {"m", e.shape.m},
            {"n", e.shape.n},
            {"k", e.shape.k},
            {"operand_distribution", cold ? std::string(aaco::zero_operand_distribution)
                                          : std::string(aaco::random_operand_distribution(p))},
            {"algorithms_tried", e.algorithms_tried},
            {"gemm_ms", aaco_bench::num(e.gemm_ms)},
            {"gemms_per_sample", e.gemms_per_sample},
            {"check", e.check},
            {"tflops", aaco_bench::num(x.tflops)},
            {"heu", aaco_bench::num(x.heu)},
            {"clock_mhz", aaco_bench::num(telemetry_clock(x.telemetry))},
            {"clock_source", "board telemetry (mean SM clock while sampled); null without it"},
            {"telemetry", telemetry_json(x.telemetry)},
            {"stats_seconds_per_sample", stats_json(x.stats)},
            {"error", x.error.empty() ? e.error : x.error}};
}

nlohmann::json to_json(const aaco::device_info& dev, const aaco_bench::options& o,
                       const aaco::memory_figure& hbm, const std::string& telemetry_note,
                       const std::vector<precision_run>& runs, const std::vector<legacy_row>& legacy,
                       double wall) {
    nlohmann::json j;
    j["benchmark"] = "compute";
    j["aaco_version"] = AACO_VERSION_STRING;
    j["device"] = aaco_bench::device_json(dev);
    const aaco::profile* prof = aaco::match_profile(dev);
    j["profile"] = prof ? nlohmann::json(std::string(prof->key)) : nlohmann::json();
    j["operands"] = o.cold ? "zero" : "random";
    j["sampling"] = o.quick ? "quick" : "full";
    j["rounds"] = o.rounds;
    j["library"] = library_name();
    j["hbm_read_gbps"] = aaco_bench::num(hbm.gbps);
    j["telemetry_note"] = telemetry_note;
    j["rows"] = nlohmann::json::array();
    j["summary"] = nlohmann::json::array();
    j["violations"] = nlohmann::json::array();
    for (const precision_run& r : runs) {
        for (std::size_t i = 0; i < r.aaco_rounds.size(); ++i) {
            for (const auto& f : r.aaco_rounds[i].figures)
                j["rows"].push_back(aaco_row_json(r.prec, static_cast<int>(i), f));
            for (const auto& e : r.aaco_rounds[i].errors)
                j["rows"].push_back({{"side", "aaco"}, {"precision", std::string(aaco::to_string(r.prec))},
                                     {"round", i + 1}, {"error", e}});
        }
        for (const lib_entry& e : r.library) {
            if (e.samples.empty()) j["rows"].push_back(library_row_json(r.prec, e, lib_sample{}, o.cold));
            for (const lib_sample& x : e.samples) j["rows"].push_back(library_row_json(r.prec, e, x, o.cold));
        }
        const verdict v = judge(r);
        nlohmann::json sm = {{"precision", std::string(aaco::to_string(r.prec))},
                             {"aaco_ceiling_tflops", aaco_bench::num(v.ceiling ? v.ceiling->tflops : no_value)},
                             {"aaco_clock_mhz", aaco_bench::num(v.ceiling ? v.ceiling->clock_mhz : no_value)},
                             {"aaco_figure", v.ceiling ? aaco::ceiling_name(v.ceiling->prec, v.ceiling->unit) : ""},
                             {"library_best_tflops", aaco_bench::num(v.best_sample ? v.best_sample->tflops : no_value)},
                             {"library_best_shape", v.best_entry ? v.best_entry->shape.text() : ""},
                             {"aaco_board_clock_mhz", aaco_bench::num(v.aaco_board_clock_mhz)},
                             {"library_clock_mhz", aaco_bench::num(v.library_clock_mhz)},
                             {"heu", aaco_bench::num(v.heu)},
                             {"heu_equal_clock", aaco_bench::num(v.heu_equal_clock)},
                             {"aaco_over_library", aaco_bench::num(aaco_bench::ratio(1.0, v.heu))},
                             {"violated", v.violated},
                             {"library_note", r.library_note}};
        j["summary"].push_back(sm);
        if (v.violated) j["violations"].push_back(sm);
    }
    j["legacy_mma_sync"] = nlohmann::json::array();
    for (const legacy_row& r : legacy)
        j["legacy_mma_sync"].push_back({{"figure", r.figure},
                                        {"tflops", aaco_bench::num(r.fig ? r.fig->tflops : no_value)},
                                        {"error", r.error}});
    j["wall_seconds"] = wall;
    return j;
}

/// The HBM figure every round envelope shares (aaco::measure needs the memory slope too).
aaco::memory_figure measure_hbm(const aaco::device_info& dev, const aaco::probes::sampling_config& cfg,
                                aaco::backend::stream& s) {
    auto f = aaco::probes::measure_memory(dev, aaco::memory_level::hbm, aaco::stream_op::read, true, cfg, s);
    if (!f) throw aaco::error("the device reports no HBM level; the library's HEU needs its slope");
    std::printf("  aaco hbm.read %.0f GB/s (the slope of every round's roofline)\n", f->gbps);
    return *f;
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
    std::printf("operands: %s; sampling: %s (both sides); %d interleaved rounds A B; library: %s\n",
                o.cold ? "zero (--cold)" : "random", o.quick ? "quick" : "full", o.rounds,
                library_name().c_str());

    aaco::backend::stream s;
    const aaco::probes::sampling_config cfg =
        o.quick ? aaco::probes::sampling_config::quick() : aaco::probes::sampling_config::full();
    const aaco::memory_figure hbm = measure_hbm(dev, cfg, s);

    void* handle = nullptr;
#if AACO_BENCH_CUBLASLT
    lt_handle lt;
    handle = lt.get();
#endif
    board_telemetry telemetry(dev);
    if (!telemetry.available()) std::printf("  board telemetry: %s (clocks of the library: n/a)\n", telemetry.note().c_str());
    bool warmed = false;
    std::vector<precision_run> runs;
    for (aaco::precision p : aaco::all_precisions)
        runs.push_back(run_precision(dev, p, o, cfg, hbm, s, warmed, telemetry, handle));
    const std::vector<legacy_row> legacy =
        measure_legacy(dev, o.cold ? aaco::operand_mode::zero : aaco::operand_mode::random, cfg, s);

    print_summary(runs);
    print_legacy(legacy);
    const int violations = report_violations(runs);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("\nwall time %.1f s\n", wall);
    if (!o.json_path.empty()) {
        aaco_bench::write_json(o.json_path, to_json(dev, o, hbm, telemetry.note(), runs, legacy, wall));
        std::printf("rows written to %s\n", o.json_path.c_str());
    }
    return violations > 0 ? 3 : 0;
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
