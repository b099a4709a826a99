// aaco example: the HEU of a real GEMM.
//
// D = A x B with M = N = K = 8192 (by default), random inputs in [-1, 1), measured with
// aaco::measure() against a quick calibration of the matching compute roof and the HBM slope.
//  - CUDA builds run cuBLASLt: bf16 inputs and output, fp32 accumulation (CUBLAS_COMPUTE_32F),
//    against the bf16 roof. FLOPs = 2 M N K, bytes = 2 (M K + K N + M N).
//  - HIP builds (Debian 12 has no rocBLAS development package) and `--tiled` on CUDA run this
//    file's own tiled shared-memory GEMM in fp32 against the fp32 roof; bytes = 4 (MK+KN+MN).
// The output says which GEMM ran. Sixteen entries of D are checked against a host reference.
//
// Layout (both GEMMs): A is M x K row-major, B is N x K row-major (so both are K-contiguous,
// BLAS's "TN" form), D is M x N column-major: D[j M + i] = sum_k A[i K + k] B[j K + k].
//
// Usage: aaco_heu_gemm [--device N] [--size S] [--tiled] [--quick]
// Exit codes: 0 ok; 1 error (including a wrong GEMM result); 2 no usable GPU or bad arguments.
#include <aaco/aaco.hpp>

#if AACO_BACKEND_CUDA && defined(AACO_EXAMPLE_HAVE_CUBLASLT)
#  include <cublasLt.h>
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace {

// ---- random inputs, reproducible on the host for the reference ------------------------------

AACO_HOST_DEVICE inline std::uint32_t float_bits(float f) {
#if AACO_DEVICE_PASS
    return __float_as_uint(f);
#else
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
#endif
}

AACO_HOST_DEVICE inline float bits_float(std::uint32_t u) {
#if AACO_DEVICE_PASS
    return __uint_as_float(u);
#else
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
#endif
}

/// Uniform in [-1, 1) from element index and seed (splitmix64 finalizer; 24 random bits).
AACO_HOST_DEVICE inline float hash_uniform(std::uint64_t i, std::uint64_t seed) {
    std::uint64_t x = i + seed * 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    return static_cast<float>(x >> 40) * (1.0f / 8388608.0f) - 1.0f;
}

/// bf16 bits of a finite float, round to nearest even.
AACO_HOST_DEVICE inline std::uint16_t to_bf16(float f) {
    const std::uint32_t u = float_bits(f);
    return static_cast<std::uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

AACO_HOST_DEVICE inline float from_bf16(std::uint16_t b) {
    return bits_float(static_cast<std::uint32_t>(b) << 16);
}

/// Element i of an input, as the GEMM sees it (bf16-rounded when `bf16`).
AACO_HOST_DEVICE inline float input_value(std::uint64_t i, std::uint64_t seed, bool bf16) {
    const float x = hash_uniform(i, seed);
    return bf16 ? from_bf16(to_bf16(x)) : x;
}

// ---- the example's own GEMM: fp32, shared-memory tiles, 4 x 4 outputs per thread -----------

/// Block tile 64 x 64 x 16 with 16 x 16 threads. untuned: a textbook register-blocked tiling,
/// chosen to be short and portable (CUDA and HIP); it is a user kernel, not a ceiling.
constexpr int tile_m = 64, tile_n = 64, tile_k = 16, micro = 4, tile_threads = 256;

} // namespace

// The kernels are outside the anonymous namespace: AACO_KERNEL gives them hidden visibility,
// which needs external linkage.
namespace example {

template <class T>
AACO_KERNEL void fill_uniform(T* x, std::size_t n, std::uint64_t seed) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += stride) {
        if constexpr (sizeof(T) == 2)
            x[i] = to_bf16(hash_uniform(i, seed));
        else
            x[i] = hash_uniform(i, seed);
    }
}

/// D[j M + i] = sum_k A[i K + k] B[j K + k]. M, N multiples of 64, K a multiple of 16.
AACO_KERNEL void __launch_bounds__(tile_threads)
tiled_gemm(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ d,
           int m, int n, int k) {
    (void)n;  // the grid has exactly N / 64 columns of blocks
    // Tiles stored k-major so that the inner loop reads 4 consecutive rows (columns) at once.
    __shared__ float as[tile_k][tile_m];
    __shared__ float bs[tile_k][tile_n];
    const int tx = static_cast<int>(threadIdx.x) % 16;  // rows i: D is column-major, so the
    const int ty = static_cast<int>(threadIdx.x) / 16;  // stores of neighbours coalesce
    const int m0 = static_cast<int>(blockIdx.x) * tile_m;
    const int n0 = static_cast<int>(blockIdx.y) * tile_n;
    // Loader role: each thread loads 4 consecutive k of one row of A and one row of B.
    const int lr = static_cast<int>(threadIdx.x) / 4;
    const int lk = (static_cast<int>(threadIdx.x) % 4) * 4;

    float acc[micro][micro] = {};
    for (int k0 = 0; k0 < k; k0 += tile_k) {
        const float4 va = *reinterpret_cast<const float4*>(a + static_cast<std::size_t>(m0 + lr) * k + k0 + lk);
        const float4 vb = *reinterpret_cast<const float4*>(b + static_cast<std::size_t>(n0 + lr) * k + k0 + lk);
        as[lk + 0][lr] = va.x; as[lk + 1][lr] = va.y; as[lk + 2][lr] = va.z; as[lk + 3][lr] = va.w;
        bs[lk + 0][lr] = vb.x; bs[lk + 1][lr] = vb.y; bs[lk + 2][lr] = vb.z; bs[lk + 3][lr] = vb.w;
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < tile_k; ++kk) {
            const float4 ra = *reinterpret_cast<const float4*>(&as[kk][tx * micro]);
            const float4 rb = *reinterpret_cast<const float4*>(&bs[kk][ty * micro]);
            const float av[micro] = {ra.x, ra.y, ra.z, ra.w};
            const float bv[micro] = {rb.x, rb.y, rb.z, rb.w};
#pragma unroll
            for (int i = 0; i < micro; ++i)
#pragma unroll
                for (int j = 0; j < micro; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int j = 0; j < micro; ++j) {
        const std::size_t col = static_cast<std::size_t>(n0 + ty * micro + j);
        *reinterpret_cast<float4*>(d + col * m + m0 + tx * micro) =
            make_float4(acc[0][j], acc[1][j], acc[2][j], acc[3][j]);
    }
}

} // namespace example

namespace {

template <class T>
void fill(aaco::backend::device_buffer<T>& x, std::uint64_t seed, aaco::backend::stream& s) {
    example::fill_uniform<T><<<1024, 256, 0, s.get()>>>(x.data(), x.size(), seed);
    AACO_BACKEND_CHECK_LAUNCH("fill_uniform");
}

constexpr std::uint64_t seed_a = 1, seed_b = 2;

// ---- cuBLASLt (CUDA) --------------------------------------------------------------------------

#if AACO_BACKEND_CUDA && defined(AACO_EXAMPLE_HAVE_CUBLASLT)
void lt_check(cublasStatus_t st, const char* call) {
    if (st != CUBLAS_STATUS_SUCCESS)
        throw aaco::runtime_error(std::string(call) + " failed: " + cublasLtGetStatusString(st),
                                  static_cast<int>(st));
}

/// One bf16 GEMM plan: D(bf16) = A^T(bf16) B(bf16), fp32 accumulation, the heuristic's first
/// algorithm. RAII over the cuBLASLt handles.
class lt_bf16_gemm {
public:
    lt_bf16_gemm(int m, int n, int k) : workspace_(workspace_bytes) {
        lt_check(cublasLtCreate(&handle_), "cublasLtCreate");
        lt_check(cublasLtMatmulDescCreate(&op_, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
        const cublasOperation_t t = CUBLAS_OP_T, nt = CUBLAS_OP_N;
        lt_check(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t), "set TRANSA");
        lt_check(cublasLtMatmulDescSetAttribute(op_, CUBLASLT_MATMUL_DESC_TRANSB, &nt, sizeof nt), "set TRANSB");
        // Column-major storage: A is K x M (ld K), B is K x N (ld K), D is M x N (ld M).
        lt_check(cublasLtMatrixLayoutCreate(&a_, CUDA_R_16BF, k, m, k), "layout A");
        lt_check(cublasLtMatrixLayoutCreate(&b_, CUDA_R_16BF, k, n, k), "layout B");
        lt_check(cublasLtMatrixLayoutCreate(&d_, CUDA_R_16BF, m, n, m), "layout D");
        lt_check(cublasLtMatmulPreferenceCreate(&pref_), "cublasLtMatmulPreferenceCreate");
        const std::size_t ws = workspace_bytes;
        lt_check(cublasLtMatmulPreferenceSetAttribute(pref_, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                      &ws, sizeof ws), "set workspace");
        int found = 0;
        lt_check(cublasLtMatmulAlgoGetHeuristic(handle_, op_, a_, b_, d_, d_, pref_, 1, &heuristic_, &found),
                 "cublasLtMatmulAlgoGetHeuristic");
        if (found == 0) throw aaco::runtime_error("cuBLASLt has no algorithm for this bf16 GEMM", 0);
    }
    ~lt_bf16_gemm() {
        cublasLtMatmulPreferenceDestroy(pref_);
        cublasLtMatrixLayoutDestroy(d_);
        cublasLtMatrixLayoutDestroy(b_);
        cublasLtMatrixLayoutDestroy(a_);
        cublasLtMatmulDescDestroy(op_);
        cublasLtDestroy(handle_);
    }
    lt_bf16_gemm(const lt_bf16_gemm&) = delete;
    lt_bf16_gemm& operator=(const lt_bf16_gemm&) = delete;

    void run(const std::uint16_t* a, const std::uint16_t* b, std::uint16_t* d, cudaStream_t s) {
        const float alpha = 1.0f, beta = 0.0f;
        lt_check(cublasLtMatmul(handle_, op_, &alpha, a, a_, b, b_, &beta, d, d_, d, d_,
                                &heuristic_.algo, workspace_.data(), workspace_bytes, s),
                 "cublasLtMatmul");
    }

private:
    /// 32 MiB: NVIDIA's recommended cuBLASLt workspace on Hopper.
    static constexpr std::size_t workspace_bytes = std::size_t(32) << 20;
    aaco::backend::device_buffer<unsigned char> workspace_;
    cublasLtHandle_t handle_ = nullptr;
    cublasLtMatmulDesc_t op_ = nullptr;
    cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, d_ = nullptr;
    cublasLtMatmulPreference_t pref_ = nullptr;
    cublasLtMatmulHeuristicResult_t heuristic_{};
};
#endif

// ---- checking ---------------------------------------------------------------------------------

/// Compares 16 entries of D (as floats) with a double-precision host reference. The tolerance
/// covers the output rounding (bf16: 2^-8 relative) and fp32 accumulation over K terms.
std::string check_entries(const std::vector<float>& d, int m, int n, int k, bool bf16) {
    const double rel = bf16 ? 1.0 / 128 : 1e-5;
    for (int t = 0; t < 16; ++t) {
        const int i = static_cast<int>((static_cast<long long>(t) * 7919 + 13) % m);
        const int j = static_cast<int>((static_cast<long long>(t) * 104729 + 101) % n);
        double ref = 0, mag = 0;
        for (int kk = 0; kk < k; ++kk) {
            const double x = input_value(static_cast<std::uint64_t>(i) * k + kk, seed_a, bf16);
            const double y = input_value(static_cast<std::uint64_t>(j) * k + kk, seed_b, bf16);
            ref += x * y;
            mag += std::fabs(x * y);
        }
        const double got = d[static_cast<std::size_t>(j) * m + i];
        const double tol = rel * std::fabs(ref) + 1e-4 * mag;
        if (!(std::fabs(got - ref) <= tol)) {
            char buf[160];
            std::snprintf(buf, sizeof buf, "D(%d, %d) = %.6g, host reference %.6g (tolerance %.3g)",
                          i, j, got, ref, tol);
            return buf;
        }
    }
    return {};
}

void print_result(const char* gemm, aaco::precision roof, const aaco::envelope& env,
                  const aaco::measurement_result& r) {
    std::printf("GEMM: %s\n", gemm);
    std::printf("  time per GEMM     %10.3f ms (median of %zu samples, CoV %.2f%%)\n",
                r.seconds_per_launch * 1e3, r.stats.samples, r.stats.cov * 100.0);
    std::printf("  achieved          %10.1f TFLOP/s\n", r.achieved_tflops);
    std::printf("  intensity         %10.1f FLOP/byte (compulsory traffic)\n", r.arithmetic_intensity);
    std::printf("  %s roof         %10.1f TFLOP/s (aaco, measured); HBM %.0f GB/s\n",
                std::string(aaco::to_string(roof)).c_str(), env.compute_tflops(roof),
                env.memory_gbps(aaco::memory_level::hbm));
    std::printf("  attainable        %10.1f TFLOP/s at that intensity\n", r.heu.attainable_tflops);
    std::printf("  HEU               %10.1f %%  (%s-bound; binding ceiling: %s)\n",
                r.heu.value * 100.0, std::string(aaco::to_string(r.heu.b)).c_str(),
                r.heu.binding_ceiling.c_str());
}

aaco::envelope calibrate_roofs(aaco::hardware_calibrator& calibrator, aaco::precision p) {
    aaco::calibration_options options;
    options.quick = true;
    options.precisions = {p};
    options.levels = {aaco::memory_level::hbm};
    options.launch = false;  // a GEMM launch lasts milliseconds; the launch floor does not matter
    std::printf("Calibrating %s and HBM on %s (quick)...\n",
                std::string(aaco::to_string(p)).c_str(), calibrator.device().name.c_str());
    aaco::envelope env = calibrator.calibrate(options);
    for (const aaco::failure& f : env.failures)
        std::printf("  not measured: %s: %s\n", f.key.c_str(), f.reason.c_str());
    return env;
}

int run_tiled(aaco::hardware_calibrator& calibrator, int size, const char* why,
              const aaco::measure_options& opt) {
    const aaco::envelope env = calibrate_roofs(calibrator, aaco::precision::fp32);
    const std::size_t elems = static_cast<std::size_t>(size) * size;
    aaco::backend::device_buffer<float> a(elems), b(elems), d(elems);
    aaco::backend::stream s;
    fill(a, seed_a, s);
    fill(b, seed_b, s);
    s.synchronize();  // aaco::measure() runs on a stream of its own
    const dim3 grid(static_cast<unsigned>(size / tile_m), static_cast<unsigned>(size / tile_n));
    auto launch = [&](aaco::backend::native_stream st) {
        example::tiled_gemm<<<grid, tile_threads, 0, st>>>(a.data(), b.data(), d.data(), size, size, size);
    };
    const double flops = 2.0 * size * static_cast<double>(size) * size;
    const double bytes = 4.0 * 3.0 * static_cast<double>(elems);
    const aaco::measurement_result r = aaco::measure(env, launch, flops, bytes, aaco::precision::fp32, opt);

    std::vector<float> host(elems);
    d.copy_to_host(host.data(), elems);
    const std::string bad = check_entries(host, size, size, size, false);
    if (!bad.empty()) {
        std::fprintf(stderr, "tiled GEMM result is wrong: %s\n", bad.c_str());
        return 1;
    }
    const std::string name = "aaco example's tiled shared-memory kernel, fp32 in/out/accumulate, " +
                             std::to_string(size) + "^3 (" + why + ")";
    print_result(name.c_str(), aaco::precision::fp32, env, r);
    return 0;
}

#if AACO_BACKEND_CUDA && defined(AACO_EXAMPLE_HAVE_CUBLASLT)
int run_cublaslt(aaco::hardware_calibrator& calibrator, int size, const aaco::measure_options& opt) {
    const aaco::envelope env = calibrate_roofs(calibrator, aaco::precision::bf16);
    const std::size_t elems = static_cast<std::size_t>(size) * size;
    aaco::backend::device_buffer<std::uint16_t> a(elems), b(elems), d(elems);
    aaco::backend::stream s;
    fill(a, seed_a, s);
    fill(b, seed_b, s);
    s.synchronize();  // aaco::measure() runs on a stream of its own
    lt_bf16_gemm gemm(size, size, size);
    auto launch = [&](aaco::backend::native_stream st) { gemm.run(a.data(), b.data(), d.data(), st); };
    const double flops = 2.0 * size * static_cast<double>(size) * size;
    const double bytes = 2.0 * 3.0 * static_cast<double>(elems);
    const aaco::measurement_result r = aaco::measure(env, launch, flops, bytes, aaco::precision::bf16, opt);

    std::vector<std::uint16_t> raw(elems);
    d.copy_to_host(raw.data(), elems);
    std::vector<float> host(elems);
    for (std::size_t i = 0; i < elems; ++i) host[i] = from_bf16(raw[i]);
    const std::string bad = check_entries(host, size, size, size, true);
    if (!bad.empty()) {
        std::fprintf(stderr, "cuBLASLt GEMM result is wrong: %s\n", bad.c_str());
        return 1;
    }
    const std::string name = "cuBLASLt bf16 x bf16 -> bf16, fp32 accumulate (CUBLAS_COMPUTE_32F), "
                             "TN, " + std::to_string(size) + "^3";
    print_result(name.c_str(), aaco::precision::bf16, env, r);
    return 0;
}
#endif

int run(int argc, char** argv) {
    int device = 0;
    int size = 8192;
    bool tiled = false;
    aaco::measure_options measure_opt;  // --quick: the probes' quick sampling for the GEMM too
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--device" && i + 1 < argc) {
            device = std::atoi(argv[++i]);
        } else if (arg == "--size" && i + 1 < argc) {
            size = std::atoi(argv[++i]);
        } else if (arg == "--quick") {
            measure_opt.quick = true;
        } else if (arg == "--tiled") {
            tiled = true;
        } else {
            std::fprintf(stderr, "usage: %s [--device N] [--size S] [--tiled] [--quick]\n", argv[0]);
            return 2;
        }
    }
    if (size <= 0 || size % tile_m != 0) {
        std::fprintf(stderr, "--size must be a positive multiple of %d\n", tile_m);
        return 2;
    }
    aaco::hardware_calibrator calibrator{device};
#if AACO_BACKEND_CUDA && defined(AACO_EXAMPLE_HAVE_CUBLASLT)
    if (!tiled) return run_cublaslt(calibrator, size, measure_opt);
    return run_tiled(calibrator, size, "--tiled", measure_opt);
#else
    (void)tiled;
    return run_tiled(calibrator, size, "rocBLAS/cuBLASLt not available in this build", measure_opt);
#endif
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const aaco::no_device_error& e) {
        std::fprintf(stderr, "aaco_heu_gemm: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco_heu_gemm: error: %s\n", e.what());
        return 1;
    }
}
