// aaco example: place a kernel of your own on the calibrated roofline.
//
// The kernel is the STREAM triad, a[i] = b[i] + s * c[i] in float: 2 FLOPs and 12 bytes
// (two 4-byte loads, one 4-byte store) per element, so its arithmetic intensity is 1/6
// FLOP/byte and it is memory-bound on every GPU. aaco::measure() times it with the probes'
// method (device events, warm-up, stopping rule) and reports its HEU against a quick
// calibration of the fp32 roof and the HBM slope.
//
// Usage: aaco_heu_stream [--device N] [--elements N] [--quick]
// Exit codes: 0 ok; 1 error (including a wrong triad result); 2 no usable GPU or bad arguments.
#include <aaco/aaco.hpp>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

// The kernels are outside the anonymous namespace: AACO_KERNEL gives them hidden visibility,
// which needs external linkage.
namespace example {

/// a[i] = b[i] + s * c[i], grid-stride so that any grid covers any n.
template <class T>
AACO_KERNEL void triad(T* __restrict__ a, const T* __restrict__ b, const T* __restrict__ c, T s,
                       std::size_t n) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += stride)
        a[i] = b[i] + s * c[i];
}

/// x[i] = value.
template <class T>
AACO_KERNEL void fill(T* x, T value, std::size_t n) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += stride)
        x[i] = value;
}

} // namespace example

namespace {

using example::fill;
using example::triad;

constexpr int threads_per_block = 256;
/// 256 Mi elements: 1 GiB per array, 3 GiB in all, far beyond any GPU's L2 (50 MB on H100)
/// or Infinity Cache (256 MB on MI300X), so the triad streams from HBM.
constexpr std::size_t default_elements = std::size_t(256) << 20;

/// `wanted`, halved until the three arrays take at most half the free device memory.
std::size_t fit_elements(std::size_t wanted) {
    const std::size_t free_bytes = aaco::backend::device_memory().free_bytes;
    std::size_t n = wanted;
    while (n > (std::size_t(1) << 20) && 3 * n * sizeof(float) > free_bytes / 2) n /= 2;
    return n;
}

int run(int argc, char** argv) {
    int device = 0;
    std::size_t wanted = default_elements;
    aaco::measure_options measure_opt;  // --quick: the probes' quick sampling for the triad too
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--device" && i + 1 < argc) {
            device = std::atoi(argv[++i]);
        } else if (arg == "--quick") {
            measure_opt.quick = true;
        } else if (arg == "--elements" && i + 1 < argc) {
            wanted = std::strtoull(argv[++i], nullptr, 10);
        } else {
            std::fprintf(stderr, "usage: %s [--device N] [--elements N] [--quick]\n", argv[0]);
            return 2;
        }
    }
    if (wanted == 0) {
        std::fprintf(stderr, "--elements must be > 0\n");
        return 2;
    }

    // 1. A quick calibration of just the two roofs this kernel is judged against.
    aaco::hardware_calibrator calibrator{device};
    aaco::calibration_options options;
    options.quick = true;
    options.precisions = {aaco::precision::fp32};
    options.levels = {aaco::memory_level::hbm};
    options.launch = false;  // the triad's launches last milliseconds; the floor does not matter
    std::printf("Calibrating fp32 and HBM on %s (quick)...\n", calibrator.device().name.c_str());
    const aaco::envelope envelope = calibrator.calibrate(options);
    for (const aaco::failure& f : envelope.failures)
        std::printf("  not measured: %s: %s\n", f.key.c_str(), f.reason.c_str());
    std::printf("  fp32 roof %.1f TFLOP/s, HBM roof %.0f GB/s\n",
                envelope.compute_tflops(aaco::precision::fp32),
                envelope.memory_gbps(aaco::memory_level::hbm));

    // 2. The user's data and launch configuration.
    const std::size_t n = fit_elements(wanted);
    if (n != wanted)
        std::printf("  %zu elements do not fit comfortably in free memory; using %zu\n", wanted, n);
    aaco::backend::device_buffer<float> a(n), b(n), c(n);
    aaco::backend::stream s;
    const int blocks_per_unit =
        aaco::backend::max_active_blocks_per_unit(triad<float>, threads_per_block, 0);
    const unsigned grid = static_cast<unsigned>(blocks_per_unit * calibrator.device().compute_units);
    fill<float><<<grid, threads_per_block, 0, s.get()>>>(b.data(), 1.0f, n);
    AACO_BACKEND_CHECK_LAUNCH("fill");
    fill<float><<<grid, threads_per_block, 0, s.get()>>>(c.data(), 2.0f, n);
    AACO_BACKEND_CHECK_LAUNCH("fill");
    // aaco::measure() runs on a stream of its own; let the fills finish first.
    s.synchronize();
    const float scalar = 3.0f;

    // 3. Measure: one call of the lambda = one launch of the kernel on the stream it is given.
    auto launch = [&](aaco::backend::native_stream stream) {
        triad<float><<<grid, threads_per_block, 0, stream>>>(a.data(), b.data(), c.data(), scalar, n);
    };
    const double flops = 2.0 * static_cast<double>(n);
    const double bytes = 3.0 * sizeof(float) * static_cast<double>(n);
    const aaco::measurement_result r =
        aaco::measure(envelope, launch, flops, bytes, aaco::precision::fp32, measure_opt);

    // 4. Check the result: every a[i] must be 1 + 3 * 2 = 7, so the sum is 7 n (exact in double
    //    for any n that fits a GPU).
    const double sum = aaco::backend::device_sum(a.data(), n, s.get());
    const double expected = 7.0 * static_cast<double>(n);
    if (sum != expected) {
        std::fprintf(stderr, "triad result is wrong: sum %.17g, expected %.17g\n", sum, expected);
        return 1;
    }

    std::printf("Triad a = b + s*c over %zu floats (%.2f GiB moved per launch):\n", n,
                bytes / (1024.0 * 1024.0 * 1024.0));
    std::printf("  time per launch   %10.3f ms (median of %zu samples, CoV %.2f%%)\n",
                r.seconds_per_launch * 1e3, r.stats.samples, r.stats.cov * 100.0);
    std::printf("  achieved          %10.1f GB/s\n", r.achieved_gbps);
    std::printf("  achieved          %10.4f TFLOP/s\n", r.achieved_tflops);
    std::printf("  intensity         %10.4f FLOP/byte\n", r.arithmetic_intensity);
    std::printf("  attainable        %10.4f TFLOP/s at that intensity\n", r.heu.attainable_tflops);
    std::printf("  HEU               %10.1f %%  (%s-bound; binding ceiling: %s)\n",
                r.heu.value * 100.0, std::string(aaco::to_string(r.heu.b)).c_str(),
                r.heu.binding_ceiling.c_str());
    if (r.above_hbm_roof)
        std::printf("  note: above the HBM roof; part of the traffic was served by a cache\n");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const aaco::no_device_error& e) {
        std::fprintf(stderr, "aaco_heu_stream: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco_heu_stream: error: %s\n", e.what());
        return 1;
    }
}
