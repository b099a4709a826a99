// tune_wgmma: sweeps the launch geometry of aaco's Hopper wgmma peak loop and prints the rate
// of every configuration and the best one per precision, to fill in
// kernels::nvidia::wgmma_tuning<P> (include/aaco/kernels/nvidia/wgmma_peak.hpp).
//
// Build (Hopper only; wgmma needs the 'a' target):
//   nvcc -std=c++17 -O3 -Iinclude -gencode=arch=compute_90a,code=sm_90a benchmarks/tune_wgmma.cu
//        -o tune_wgmma        (one line)
// Run:  ./tune_wgmma [--device N] [--precision fp16|bf16|tf32|fp8|int8] [--zero]
//
// Method: 200 ms of warm-up, then per configuration a verify() launch (every accumulator
// against a host reference), one calibration launch to size `repeats` for ~5 ms, and 20 timed
// launches (device events around each); reported: median TFLOP/s (TOP/s for int8), min..max,
// the in-kernel sustained SM clock of the last launch, the efficiency at that clock, and the
// rate against the 1830 MHz tensor-peak basis of the datasheets (989.4 fp16 on 132 SMs).
// The whole sweep (~110 configurations) should run in about half a minute on an H100 (not yet
// run: written on a machine without a GPU). Compiling it takes a few minutes (one kernel per
// configuration).
#include <aaco/backend/backend.hpp>
#include <aaco/kernels/nvidia/wgmma_peak.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

using aaco::operand_mode;
using aaco::precision;
namespace knv = aaco::kernels::nvidia;
namespace backend = aaco::backend;

constexpr int timed_launches = 20;
constexpr double target_launch_ms = 5.0;
constexpr double warmup_ms = 200.0;
constexpr double datasheet_mhz = 1830.0; // clock behind the H100/H200 tensor datasheet peaks

struct result {
    precision prec = precision::fp16;
    std::string config;  // "N=256 wg=2 cta=1 mmas=4 128B swizzle"
    std::string status;  // empty when timed
    double tflops = 0, tflops_min = 0, tflops_max = 0, mhz = NAN, clock_eff = NAN, peak1830_eff = NAN;
};

double elapsed_ms(backend::native_stream s, aaco::kernels::compute_runner& r, std::uint64_t repeats,
                  double* flops) {
    backend::event start, stop;
    start.record(s);
    const auto w = r.enqueue(s, repeats);
    stop.record(s);
    stop.synchronize();
    if (flops) *flops = w.flops;
    return stop.elapsed_ms_since(start);
}

template <precision P, class Cfg>
result run_config(const aaco::device_info& dev, operand_mode mode, backend::native_stream s) {
    result res;
    res.prec = P;
    res.config = "N=" + std::to_string(Cfg::n) + " wg=" + std::to_string(Cfg::warpgroups_per_cta) +
                 " cta=" + std::to_string(Cfg::ctas_per_sm) + " mmas=" + std::to_string(Cfg::mmas_per_group) +
                 " " + knv::to_string(Cfg::a_source) + " " + knv::to_string(Cfg::layout);
    try {
        knv::wgmma_runner<P, Cfg> r(dev, mode);
        r.prepare();
        if (std::string why = r.verify(s); !why.empty()) {
            res.status = "VERIFY FAILED: " + why;
            return res;
        }
        // Size the launch: time a short one, scale to ~5 ms (twice: the first may be off).
        std::uint64_t repeats = 64;
        for (int pass = 0; pass < 2; ++pass) {
            const double ms = elapsed_ms(s, r, repeats, nullptr);
            const double scale = target_launch_ms / std::max(ms, 1e-3);
            repeats = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(static_cast<double>(repeats) * scale));
        }
        std::vector<double> rates;
        for (int i = 0; i < timed_launches; ++i) {
            double flops = 0;
            const double ms = elapsed_ms(s, r, repeats, &flops);
            rates.push_back(flops / (ms * 1e-3) / 1e12);
        }
        std::sort(rates.begin(), rates.end());
        res.tflops = rates[rates.size() / 2];
        res.tflops_min = rates.front();
        res.tflops_max = rates.back();
        res.mhz = r.last_clock(s).mhz();
        const double per_clock = r.desc().flops_per_clock_per_unit * dev.compute_units;
        res.clock_eff = res.tflops * 1e12 / (per_clock * res.mhz * 1e6);
        res.peak1830_eff = res.tflops * 1e12 / (per_clock * datasheet_mhz * 1e6);
    } catch (const std::exception& e) {
        res.status = std::string("skipped: ") + e.what();
    }
    return res;
}

constexpr auto ss = knv::wgmma_a_source::shared;
constexpr auto rs = knv::wgmma_a_source::registers;
constexpr auto sw128 = knv::wgmma_layout::swizzle_128b;

/// Registers a configuration when its accumulators, ~32 registers of addressing and (RS) the A
/// fragments fit the register cap that __launch_bounds__ gives it (64K / (threads x CTAs/SM)).
/// ptxas confirms: every configuration listed here compiles without spills.
template <precision P, int N, int Wg, int Cta, knv::wgmma_a_source A = ss, int Mmas = 4,
          knv::wgmma_layout L = sw128>
void add(std::vector<std::function<result()>>& jobs, const aaco::device_info& dev, operand_mode mode,
         backend::native_stream s) {
    constexpr int regs = N / 2 + 32 + (A == rs ? 4 * Mmas : 0);
    if constexpr (regs * 128 * Wg * Cta <= 65536) {
        jobs.push_back([&dev, mode, s] { return run_config<P, knv::wgmma_config<N, Wg, Cta, Mmas, L, A>>(dev, mode, s); });
    }
}

template <precision P>
void add_sweep(std::vector<std::function<result()>>& jobs, const aaco::device_info& dev, operand_mode mode,
               backend::native_stream s) {
    add<P, 64, 1, 1>(jobs, dev, mode, s);
    add<P, 64, 2, 1>(jobs, dev, mode, s);
    add<P, 64, 3, 1>(jobs, dev, mode, s);
    add<P, 64, 1, 2>(jobs, dev, mode, s);
    add<P, 64, 2, 2>(jobs, dev, mode, s);
    add<P, 64, 3, 2>(jobs, dev, mode, s);
    add<P, 128, 1, 1>(jobs, dev, mode, s);
    add<P, 128, 2, 1>(jobs, dev, mode, s);
    add<P, 128, 3, 1>(jobs, dev, mode, s);
    add<P, 128, 1, 2>(jobs, dev, mode, s);
    add<P, 128, 2, 2>(jobs, dev, mode, s);
    add<P, 128, 3, 2>(jobs, dev, mode, s); // dropped at compile time: 90 regs > 85 cap
    add<P, 256, 1, 1>(jobs, dev, mode, s);
    add<P, 256, 2, 1>(jobs, dev, mode, s);
    add<P, 256, 3, 1>(jobs, dev, mode, s);
    add<P, 256, 1, 2>(jobs, dev, mode, s);
    add<P, 256, 2, 2>(jobs, dev, mode, s); // dropped: 154 regs > 128 cap
    add<P, 256, 3, 2>(jobs, dev, mode, s); // dropped
    // A from registers (RS): no A traffic on the shared-memory port.
    add<P, 128, 2, 1, rs>(jobs, dev, mode, s);
    add<P, 128, 3, 1, rs>(jobs, dev, mode, s);
    add<P, 128, 2, 2, rs>(jobs, dev, mode, s);
    add<P, 256, 1, 1, rs>(jobs, dev, mode, s);
    add<P, 256, 2, 1, rs>(jobs, dev, mode, s);
    add<P, 256, 1, 2, rs>(jobs, dev, mode, s);
    if constexpr (P == precision::fp16) {
        // The other knobs of the default shape, measured on fp16 only.
        add<P, 256, 2, 1, ss, 2>(jobs, dev, mode, s);
        add<P, 256, 2, 1, ss, 8>(jobs, dev, mode, s);
        add<P, 256, 2, 1, ss, 4, knv::wgmma_layout::interleave>(jobs, dev, mode, s);
        add<P, 256, 2, 1, rs, 4, knv::wgmma_layout::interleave>(jobs, dev, mode, s);
        add<P, 192, 2, 1>(jobs, dev, mode, s);
        add<P, 192, 2, 1, rs>(jobs, dev, mode, s);
    }
}

void usage() {
    std::fprintf(stderr, "usage: tune_wgmma [--device N] [--precision fp16|bf16|tf32|fp8|int8] [--zero]\n");
}

} // namespace

int main(int argc, char** argv) {
    int device = 0;
    bool only = false;
    precision only_prec = precision::fp16;
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
        if (dev.arch != "sm_90") {
            std::printf("wgmma needs sm_90a (Hopper); nothing to tune on %s\n", dev.arch.c_str());
            return 77;
        }
        backend::stream stream;
        const auto s = stream.get();

        std::vector<std::function<result()>> jobs;
        auto want = [&](precision p) { return !only || only_prec == p; };
        if (want(precision::fp16)) add_sweep<precision::fp16>(jobs, dev, mode, s);
        if (want(precision::bf16)) add_sweep<precision::bf16>(jobs, dev, mode, s);
        if (want(precision::tf32)) add_sweep<precision::tf32>(jobs, dev, mode, s);
        if (want(precision::fp8)) add_sweep<precision::fp8>(jobs, dev, mode, s);
        if (want(precision::int8)) add_sweep<precision::int8>(jobs, dev, mode, s);

        {   // Warm-up: clocks ramp under load.
            knv::wgmma_runner<precision::fp16> warm(dev, mode);
            warm.prepare();
            double spent = 0;
            std::uint64_t repeats = 256;
            while (spent < warmup_ms) {
                const double ms = elapsed_ms(s, warm, repeats, nullptr);
                spent += ms;
                if (ms < 5) repeats *= 2;
            }
        }

        std::printf("%-5s %-41s %9s %19s %7s %8s %9s\n", "prec", "config", "TFLOP/s", "min..max", "MHz",
                    "eff@clk", "eff@1830");
        std::vector<result> all;
        for (auto& job : jobs) {
            result r = job();
            const std::string prec(aaco::to_string(r.prec));
            if (!r.status.empty())
                std::printf("%-5s %-41s %s\n", prec.c_str(), r.config.c_str(), r.status.c_str());
            else
                std::printf("%-5s %-41s %9.1f %9.1f..%-9.1f %7.0f %7.1f%% %8.1f%%\n", prec.c_str(), r.config.c_str(),
                            r.tflops, r.tflops_min, r.tflops_max, r.mhz, 100 * r.clock_eff, 100 * r.peak1830_eff);
            std::fflush(stdout);
            all.push_back(std::move(r));
        }

        std::printf("\nbest per precision (fill in wgmma_tuning<P>):\n");
        for (precision p : {precision::fp16, precision::bf16, precision::tf32, precision::fp8, precision::int8}) {
            const result* best = nullptr;
            for (const auto& r : all)
                if (r.prec == p && r.status.empty() && (!best || r.tflops > best->tflops)) best = &r;
            if (best)
                std::printf("%-5s %-41s %9.1f TFLOP/s at %4.0f MHz: %5.1f%% at clock, %5.1f%% of 1830-MHz peak\n",
                            std::string(aaco::to_string(p)).c_str(), best->config.c_str(), best->tflops, best->mhz,
                            100 * best->clock_eff, 100 * best->peak1830_eff);
        }
    } catch (const aaco::no_device_error& e) {
        std::fprintf(stderr, "tune_wgmma: %s\n", e.what());
        return 77;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tune_wgmma: %s\n", e.what());
        return 1;
    }
    return 0;
}
