// GPU tests of the mma.sync / DMMA peak kernels (kernels/nvidia/mma_sync_peak.hpp).
//
// Each precision's runner is prepared and launched, then verify() runs the same kernel on small
// integers and compares every accumulator element of every tile of every warp with a host
// reference built through the PTX fragment layouts. Compiled for CUDA only (HIP builds see no
// test here, so they do not report a skip for an NVIDIA-only feature).
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/backend.hpp>
#include <aaco/kernels/nvidia/mma_sync_peak.hpp>

#include <doctest/doctest.h>

#include "skip.hpp"

#include <cmath>
#include <string>

namespace {

using namespace aaco;
namespace nvarch = aaco::arch::nvidia;

/// Fills `dev` with device 0 and returns true, or records a skip (no device / pre-sm_80).
bool sm80_device(device_info& dev) {
    if (backend::device_count() == 0) {
        test::skip("no CUDA device");
        return false;
    }
    backend::set_device(0);
    dev = backend::query_device(0);
    if (kernels::detail_compute::parse_sm(dev.arch) < 80) {
        test::skip("mma.sync tests need sm_80+, device is " + dev.arch);
        return false;
    }
    return true;
}

/// prepare + one timed launch + verify for one runner; checks the clock it recorded.
void run_and_verify(kernels::compute_runner& r) {
    backend::stream s;
    r.prepare();
    // 1024 trips: >= ~0.3 ms per CTA, long against %globaltimer's up-to-1-us steps.
    const kernels::launch_work w = r.enqueue(s.get(), 1024);
    CHECK(w.flops > 0);
    s.synchronize();
    const kernels::clock_reading clk = r.last_clock(s.get());
    CHECK(clk.nanoseconds > 0);
    CHECK(clk.cycles > 0);
    // A sustained SM clock between 100 MHz and 4 GHz: catches swapped or unscaled counters.
    CHECK(clk.mhz() > 100);
    CHECK(clk.mhz() < 4000);
    CHECK(r.verify(s.get()) == "");
}

} // namespace

TEST_CASE("mma.sync rate table follows design.md section 5") {
    using kernels::nvidia::mma_sync_flops_per_clock;
    CHECK(mma_sync_flops_per_clock(precision::fp16, "sm_80") == 2048);
    CHECK(mma_sync_flops_per_clock(precision::bf16, "sm_80") == 2048);
    CHECK(mma_sync_flops_per_clock(precision::tf32, "sm_80") == 1024);
    CHECK(mma_sync_flops_per_clock(precision::int8, "sm_80") == 4096);
    CHECK(mma_sync_flops_per_clock(precision::fp64, "sm_80") == 128);
    CHECK(mma_sync_flops_per_clock(precision::fp16, "sm_90") == 4096);
    CHECK(mma_sync_flops_per_clock(precision::bf16, "sm_90") == 4096);
    CHECK(mma_sync_flops_per_clock(precision::tf32, "sm_90") == 2048);
    CHECK(mma_sync_flops_per_clock(precision::int8, "sm_90") == 8192);
    CHECK(mma_sync_flops_per_clock(precision::fp64, "sm_90") == 256);
    CHECK(mma_sync_flops_per_clock(precision::fp32, "sm_90") == 0);
    CHECK(mma_sync_flops_per_clock(precision::fp16, "sm_86") == 0);
    CHECK(mma_sync_flops_per_clock(precision::fp16, "gfx942") == 0);
}

TEST_CASE("mma.sync factory: forms, keys and nullptr cases (no device needed)") {
    device_info h100;
    h100.arch = "sm_90";
    h100.compute_units = 132;
    device_info a100;
    a100.arch = "sm_80";
    a100.compute_units = 108;
    using kernels::nvidia::make_mma_sync_runner;
    CHECK(make_mma_sync_runner(precision::fp32, h100, operand_mode::random) == nullptr);
    CHECK(make_mma_sync_runner(precision::fp8, h100, operand_mode::random) == nullptr);
    device_info turing;
    turing.arch = "sm_75";
    CHECK(make_mma_sync_runner(precision::fp16, turing, operand_mode::random) == nullptr);
    device_info amd;
    amd.arch = "gfx942";
    CHECK(make_mma_sync_runner(precision::fp16, amd, operand_mode::random) == nullptr);

    auto f16 = make_mma_sync_runner(precision::fp16, h100, operand_mode::zero);
    REQUIRE(f16);
    CHECK(f16->key() == "compute.fp16.matrix");
    CHECK(f16->method() == "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 (legacy path)");
    CHECK(f16->desc().unit == compute_unit::matrix);
    CHECK(f16->desc().operands == operand_mode::zero);
    CHECK(f16->desc().flops_per_clock_per_unit == 4096);

    auto d90 = make_mma_sync_runner(precision::fp64, h100, operand_mode::random);
    REQUIRE(d90);
    CHECK(d90->method() == "mma.sync.aligned.m16n8k16.row.col.f64.f64.f64.f64");
    CHECK(d90->desc().flops_per_clock_per_unit == 256);
    auto d80 = make_mma_sync_runner(precision::fp64, a100, operand_mode::random);
    REQUIRE(d80);
    CHECK(d80->method() == "mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64");
    CHECK(d80->desc().flops_per_clock_per_unit == 128);

    auto i8 = make_mma_sync_runner(precision::int8, a100, operand_mode::random);
    REQUIRE(i8);
    CHECK(i8->key() == "compute.int8.matrix");
    CHECK(i8->method() == "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32");
    auto t32 = make_mma_sync_runner(precision::tf32, a100, operand_mode::random);
    REQUIRE(t32);
    CHECK(t32->method() == "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32");
    auto b16 = make_mma_sync_runner(precision::bf16, h100, operand_mode::random);
    REQUIRE(b16);
    CHECK(b16->method() == "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 (legacy path)");
    // enqueue() before prepare() is a caller bug, reported before any GPU call.
    CHECK_THROWS_AS(b16->enqueue(nullptr, 1), invalid_argument);
}

TEST_CASE("fragment layouts cover each matrix exactly once") {
    // Every (row, col) of A, B and C must be held by exactly one (lane, element): a layout
    // typo that maps two lanes to one element would otherwise only show up on a GPU.
    auto check_cover = [](auto coord, int rows, int cols, int per_lane, const char* what) {
        std::vector<int> hits(static_cast<std::size_t>(rows * cols), 0);
        for (int lane = 0; lane < 32; ++lane)
            for (int i = 0; i < per_lane; ++i) {
                const nvarch::frag_coord c = coord(lane, i);
                REQUIRE(c.row >= 0);
                REQUIRE(c.row < rows);
                REQUIRE(c.col >= 0);
                REQUIRE(c.col < cols);
                ++hits[static_cast<std::size_t>(c.row * cols + c.col)];
            }
        for (int h : hits) {
            INFO(what);
            CHECK(h == 1);
        }
    };
    auto all = [&](auto op, const char* name) {
        using Op = decltype(op);
        check_cover([](int l, int i) { return Op::a_coord(l, i); }, Op::m, Op::k, Op::a_regs * Op::per_reg, name);
        check_cover([](int l, int i) { return Op::b_coord(l, i); }, Op::k, Op::n, Op::b_regs * Op::per_reg, name);
        check_cover([](int l, int i) { return Op::c_coord(l, i); }, Op::m, Op::n, Op::c_regs, name);
    };
    all(nvarch::mma_m16n8k16_f32_f16{}, "f16");
    all(nvarch::mma_m16n8k16_f32_bf16{}, "bf16");
    all(nvarch::mma_m16n8k8_f32_tf32{}, "tf32");
    all(nvarch::mma_m16n8k32_s32_s8{}, "s8");
    all(nvarch::dmma_m8n8k4{}, "dmma m8n8k4");
    all(nvarch::dmma_m16n8k4{}, "dmma m16n8k4");
    all(nvarch::dmma_m16n8k8{}, "dmma m16n8k8");
    all(nvarch::dmma_m16n8k16{}, "dmma m16n8k16");
}

TEST_CASE("mma.sync peak kernels verify on the device, every precision and operand mode") {
    device_info dev;
    if (!sm80_device(dev)) return;
    for (precision p : {precision::fp16, precision::bf16, precision::tf32, precision::int8, precision::fp64}) {
        for (operand_mode mode : {operand_mode::random, operand_mode::zero}) {
            INFO("precision ", std::string(to_string(p)), ", operands ", std::string(to_string(mode)));
            auto r = kernels::nvidia::make_mma_sync_runner(p, dev, mode);
            REQUIRE(r);
            CHECK(r->desc().prec == p);
            run_and_verify(*r);
        }
    }
}

TEST_CASE("sm_90 DMMA shapes m16n8k4 / m16n8k8 / m16n8k16 verify") {
    device_info dev;
    if (!sm80_device(dev)) return;
    if (kernels::detail_compute::parse_sm(dev.arch) < 90) {
        test::skip("the m16n8k{4,8,16} f64 shapes need sm_90, device is " + dev.arch);
        return;
    }
    using kernels::nvidia::mma_sync_runner;
    mma_sync_runner<nvarch::dmma_m16n8k4> k4(dev, operand_mode::random, 256, nvarch::dmma_m16n8k4::ptx);
    mma_sync_runner<nvarch::dmma_m16n8k8> k8(dev, operand_mode::random, 256, nvarch::dmma_m16n8k8::ptx);
    mma_sync_runner<nvarch::dmma_m16n8k16> k16(dev, operand_mode::random, 256, nvarch::dmma_m16n8k16::ptx);
    mma_sync_runner<nvarch::dmma_m8n8k4> k884(dev, operand_mode::random, 256, nvarch::dmma_m8n8k4::ptx);
    run_and_verify(k4);
    run_and_verify(k8);
    run_and_verify(k16);
    run_and_verify(k884);
}

#endif // AACO_BACKEND_CUDA
