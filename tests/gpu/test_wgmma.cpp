// GPU tests of the Hopper wgmma peak kernels (kernels/nvidia/wgmma_peak.hpp).
//
// On an sm_90 device each precision's runner is prepared, timed briefly, and verified: verify()
// runs the kernel over the full grid on small integers and compares every accumulator register
// of every thread with a host reference built through the wgmma accumulator layout and the
// shared-memory layouts. Non-default geometries (interleaved layout, a K extent that is not a
// whole 128-byte swizzle row, N = 64/128/192, several CTAs per SM, A from registers) are
// verified too. Elsewhere the device tests skip; the factory test needs no device. Compiled for
// CUDA only.
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/backend.hpp>
#include <aaco/kernels/nvidia/wgmma_peak.hpp>

#include <doctest/doctest.h>

#include "skip.hpp"

#include <cmath>
#include <string>

namespace {

using namespace aaco;
namespace knv = aaco::kernels::nvidia;

/// Fills `dev` with device 0 and returns true, or records a skip (no device / not Hopper).
bool hopper_device(device_info& dev) {
    if (backend::device_count() == 0) {
        test::skip("no CUDA device");
        return false;
    }
    backend::set_device(0);
    dev = backend::query_device(0);
    if (dev.arch != "sm_90") {
        test::skip("wgmma tests need sm_90 (Hopper), device is " + dev.arch);
        return false;
    }
    return true;
}

/// prepare, a short timed launch, the clock, verify. Returns false (after recording a skip)
/// when the binary has no sm_90a code.
bool run_and_verify(kernels::compute_runner& r) {
    INFO(r.method());
    try {
        r.prepare();
    } catch (const unsupported_arch_error& e) {
        test::skip(std::string("binary without sm_90a code: ") + e.what());
        return false;
    }
    backend::stream s;
    backend::event start, stop;
    start.record(s.get());
    const kernels::launch_work w = r.enqueue(s.get(), 512);
    stop.record(s.get());
    stop.synchronize();
    const double ms = stop.elapsed_ms_since(start);
    CHECK(w.flops > 0);
    CHECK(ms > 0);
    const double tflops = w.flops / (ms * 1e-3) / 1e12;
    CHECK(std::isfinite(tflops));
    CHECK(tflops > 0);
    MESSAGE(r.key() << ": " << tflops << " TFLOP/s in a " << ms << " ms launch");

    const kernels::clock_reading clk = r.last_clock(s.get());
    CHECK(clk.nanoseconds > 0);
    CHECK(clk.cycles > 0);
    // A sustained SM clock between 100 MHz and 4 GHz: catches swapped or unscaled counters.
    CHECK(clk.mhz() > 100);
    CHECK(clk.mhz() < 4000);

    CHECK(r.verify(s.get()) == "");
    return true;
}

template <precision P, class Cfg>
bool verify_geometry(const device_info& dev) {
    knv::wgmma_runner<P, Cfg> r(dev, operand_mode::random);
    return run_and_verify(r);
}

} // namespace

TEST_CASE("wgmma factory: precisions, keys, rates and arch gate (no device needed)") {
    device_info h100;
    h100.name = "H100";
    h100.arch = "sm_90";
    h100.compute_units = 132;
    h100.shared_bytes_per_unit = 228 * 1024;
    device_info a100 = h100;
    a100.arch = "sm_80";

    // fp32 and fp64 have no wgmma form: nullptr on any device.
    CHECK(knv::make_wgmma_runner(precision::fp32, h100, operand_mode::random) == nullptr);
    CHECK(knv::make_wgmma_runner(precision::fp64, a100, operand_mode::random) == nullptr);
    // wgmma exists only on sm_90a.
    CHECK_THROWS_AS(knv::make_wgmma_runner(precision::fp16, a100, operand_mode::random),
                    unsupported_arch_error);

    struct expect {
        precision p;
        const char* key;
        const char* instruction;
        double per_clock;
    };
    const expect table[] = {
        {precision::fp16, "compute.fp16.matrix", "k16.f32.f16.f16", 4096},
        {precision::bf16, "compute.bf16.matrix", "k16.f32.bf16.bf16", 4096},
        {precision::tf32, "compute.tf32.matrix", "k8.f32.tf32.tf32", 2048},
        {precision::fp8, "compute.fp8.matrix", "k32.f32.e4m3.e4m3", 8192},
        {precision::int8, "compute.int8.matrix", "k32.s32.s8.s8", 8192},
    };
    for (const expect& e : table) {
        auto r = knv::make_wgmma_runner(e.p, h100, operand_mode::zero);
        REQUIRE(r != nullptr);
        CHECK(r->key() == e.key);
        CHECK(r->method().rfind("wgmma.mma_async.sync.aligned.m64n", 0) == 0);
        CHECK(r->method().find(e.instruction) != std::string::npos);
        const kernels::compute_kernel_desc d = r->desc();
        CHECK(d.prec == e.p);
        CHECK(d.unit == compute_unit::matrix);
        CHECK(d.flops_per_clock_per_unit == e.per_clock);
        CHECK(d.operands == operand_mode::zero);
    }

    // FLOPs per commit group of the whole grid: 2*64*N*K x wgmma/group x warpgroups x CTAs.
    using cfg = knv::wgmma_config<128, 2, 1, 4>;
    knv::wgmma_runner<precision::fp8, cfg> r(h100, operand_mode::random);
    CHECK(r.grid() == 132);
    CHECK(r.flops_per_iteration() == 2.0 * 64 * 128 * 32 * 4 * 2 * 132);
    // Shared memory padded so that exactly one such CTA fits per SM.
    CHECK(r.smem_bytes() >= knv::wgmma_smem_geometry<cfg>::smem_bytes);
    CHECK(2 * (r.smem_bytes() + 1024) > h100.shared_bytes_per_unit);
}

TEST_CASE("wgmma default runners: timed launch, clock, every accumulator verified") {
    device_info dev;
    if (!hopper_device(dev)) return;
    for (precision p : {precision::fp16, precision::bf16, precision::tf32, precision::fp8, precision::int8}) {
        auto r = knv::make_wgmma_runner(p, dev, operand_mode::random);
        REQUIRE(r != nullptr);
        if (!run_and_verify(*r)) return; // binary without sm_90a: one skip is enough
    }
    // Zero ("cold") operands run the same loop.
    auto cold = knv::make_wgmma_runner(precision::fp16, dev, operand_mode::zero);
    run_and_verify(*cold);
}

TEST_CASE("wgmma other geometries and layouts verify too") {
    device_info dev;
    if (!hopper_device(dev)) return;
    using knv::wgmma_config;
    using knv::wgmma_layout;
    if (!verify_geometry<precision::fp16, wgmma_config<128, 1, 2, 4, wgmma_layout::interleave>>(dev)) return;
    // 5 K steps: the second 128-byte swizzle block is partly used.
    verify_geometry<precision::int8, wgmma_config<128, 1, 1, 5, wgmma_layout::swizzle_128b>>(dev);
    verify_geometry<precision::tf32, wgmma_config<64, 3, 1, 2, wgmma_layout::interleave>>(dev);
    verify_geometry<precision::bf16, wgmma_config<192, 2, 1, 4, wgmma_layout::swizzle_128b>>(dev);
    verify_geometry<precision::fp8, wgmma_config<256, 1, 1, 8, wgmma_layout::interleave>>(dev);
}

TEST_CASE("wgmma with A from registers (RS) verifies for every precision") {
    device_info dev;
    if (!hopper_device(dev)) return;
    using knv::wgmma_config;
    using knv::wgmma_layout;
    constexpr auto rs = knv::wgmma_a_source::registers;
    if (!verify_geometry<precision::fp16, wgmma_config<256, 2, 1, 4, wgmma_layout::swizzle_128b, rs>>(dev))
        return;
    verify_geometry<precision::bf16, wgmma_config<256, 1, 1, 2, wgmma_layout::interleave, rs>>(dev);
    verify_geometry<precision::tf32, wgmma_config<128, 1, 1, 4, wgmma_layout::interleave, rs>>(dev);
    verify_geometry<precision::fp8, wgmma_config<128, 2, 1, 5, wgmma_layout::swizzle_128b, rs>>(dev);
    verify_geometry<precision::int8, wgmma_config<64, 1, 2, 4, wgmma_layout::swizzle_128b, rs>>(dev);
}

#endif // AACO_BACKEND_CUDA
