// GPU tests of the vector FMA peak kernel (kernels/vector_fma.hpp) through its NVIDIA factory.
//
// verify() runs the kernel with a = 1 and small integer x0, b on every chain of every thread
// and checks x = x0 + n*b exactly, so each counted FMA must have executed. CUDA only: the AMD
// vector kernels have their own tests.
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/backend.hpp>
#include <aaco/kernels/vector_fma.hpp>

#include <doctest/doctest.h>

#include "skip.hpp"

#include <string>

namespace {
using namespace aaco;
} // namespace

TEST_CASE("vector FMA rate table (no device needed)") {
    using kernels::nvidia::vector_flops_per_clock;
    CHECK(vector_flops_per_clock(precision::fp32, "sm_80") == 128);
    CHECK(vector_flops_per_clock(precision::fp32, "sm_90") == 256);
    CHECK(vector_flops_per_clock(precision::fp64, "sm_80") == 64);
    CHECK(vector_flops_per_clock(precision::fp64, "sm_90") == 128);
    CHECK(vector_flops_per_clock(precision::fp16, "sm_80") == 512);
    CHECK(vector_flops_per_clock(precision::fp16, "sm_90") == 512);
    CHECK(vector_flops_per_clock(precision::bf16, "sm_90") == 0);
    CHECK(vector_flops_per_clock(precision::fp32, "sm_89") == 0);
}

TEST_CASE("exact fp16/bf16 encoders (no device needed)") {
    using namespace kernels::detail_compute;
    CHECK(half_bits_exact(1.0) == 0x3c00);
    CHECK(half_bits_exact(-2.0) == 0xc000);
    CHECK(half_bits_exact(0.5 + 1.0 / 1024) == 0x3802);
    CHECK(half_bits_exact(65504.0) == 0x7bff);
    CHECK(half_value(0x3c00) == 1.0);
    CHECK(half_value(half_bits_exact(-3.0 / 1024)) == -3.0 / 1024);
    CHECK_THROWS_AS(half_bits_exact(1.0 + 1.0 / 4096), invalid_argument);
    CHECK_THROWS_AS(half_bits_exact(1.0e6), invalid_argument);
    CHECK(bf16_bits_exact(1.0) == 0x3f80);
    CHECK(bf16_bits_exact(-0.5) == 0xbf00);
    CHECK_THROWS_AS(bf16_bits_exact(1.0 + 1.0 / 1024), invalid_argument);
    CHECK(parse_sm("sm_90") == 90);
    CHECK(parse_sm("sm_90a") == 90);
    CHECK(parse_sm("sm_80") == 80);
    CHECK(parse_sm("gfx942") == 0);
}

TEST_CASE("vector FMA factory: keys, methods, nullptr cases (no device needed)") {
    device_info h100;
    h100.arch = "sm_90";
    h100.compute_units = 132;
    using kernels::nvidia::make_vector_fma_runner;
    CHECK(make_vector_fma_runner(precision::bf16, h100, operand_mode::random) == nullptr);
    CHECK(make_vector_fma_runner(precision::tf32, h100, operand_mode::random) == nullptr);
    CHECK(make_vector_fma_runner(precision::int8, h100, operand_mode::random) == nullptr);
    auto f32 = make_vector_fma_runner(precision::fp32, h100, operand_mode::random);
    REQUIRE(f32);
    CHECK(f32->key() == "compute.fp32.vector");
    CHECK(f32->method().find("fma.rn.f32") == 0);
    CHECK(f32->desc().unit == compute_unit::vector);
    CHECK(f32->desc().flops_per_clock_per_unit == 256);
    auto f64 = make_vector_fma_runner(precision::fp64, h100, operand_mode::zero);
    REQUIRE(f64);
    CHECK(f64->key() == "compute.fp64.vector");
    CHECK(f64->desc().operands == operand_mode::zero);
    auto f16 = make_vector_fma_runner(precision::fp16, h100, operand_mode::random);
    REQUIRE(f16);
    CHECK(f16->key() == "compute.fp16.vector");
    CHECK(f16->method().find("fma.rn.f16x2") == 0);
    CHECK(f16->desc().flops_per_clock_per_unit == 512);
    CHECK_THROWS_AS(f16->enqueue(nullptr, 1), invalid_argument);
}

TEST_CASE("vector FMA tuning: shapes fit their register cap (no device needed)") {
    using namespace kernels;
    using f32 = vector_fma_tuning<precision::fp32>;
    using f64 = vector_fma_tuning<precision::fp64>;
    using f16 = vector_fma_tuning<precision::fp16>;
    CHECK(f32::fits(1));
    CHECK(f64::fits(2));
    CHECK(f16::fits(1));
    // 8 per-chain fp32 chains under the 32-register cap of 8 x 256 threads spilled (ptxas).
    CHECK_FALSE((vector_fma_shape<8, 32, 256, 8, vector_fma_operands::per_chain>::fits(1)));
    CHECK((vector_fma_shape<8, 32, 256, 6, vector_fma_operands::per_chain>::fits(1)));
    CHECK(vector_fma_shape<8, 32, 256, 4, vector_fma_operands::shared>::register_cap() == 64);
    CHECK(vector_fma_shape<8, 32, 128, 1, vector_fma_operands::shared>::register_cap() == 255);
    CHECK(vector_fma_addend_index(3, 8, 5, vector_fma_operands::per_chain, 4095) == 29);
    CHECK(vector_fma_addend_index(3, 8, 5, vector_fma_operands::shared, 4095) == 24);
    CHECK(to_string(vector_fma_operands::shared) == "shared");
    // The method names the shape the factory runs.
    device_info h100;
    h100.arch = "sm_90";
    h100.compute_units = 132;
    const std::string m = nvidia::make_vector_fma_runner(precision::fp64, h100, operand_mode::random)->method();
    CHECK(m.find(std::to_string(f64::chains) + " chains x " + std::to_string(f64::unroll) + " unrolled") !=
          std::string::npos);
    CHECK(m.find(std::to_string(f64::blocks_per_unit) + " blocks per SM") != std::string::npos);
}

TEST_CASE("vector FMA kernels verify on the device (fp32, fp64, fp16x2; both operand modes)") {
    if (backend::device_count() == 0) {
        test::skip("no CUDA device");
        return;
    }
    backend::set_device(0);
    const device_info dev = backend::query_device(0);
    for (precision p : {precision::fp32, precision::fp64, precision::fp16}) {
        for (operand_mode mode : {operand_mode::random, operand_mode::zero}) {
            INFO("precision ", std::string(to_string(p)), ", operands ", std::string(to_string(mode)));
            auto r = kernels::nvidia::make_vector_fma_runner(p, dev, mode);
            REQUIRE(r);
            backend::stream s;
            r->prepare();
            // 256 trips x 256 FMAs per thread: >= ~0.1 ms per CTA, long against %globaltimer's steps.
            const kernels::launch_work w = r->enqueue(s.get(), 256);
            CHECK(w.flops > 0);
            s.synchronize();
            const kernels::clock_reading clk = r->last_clock(s.get());
            CHECK(clk.mhz() > 100);
            CHECK(clk.mhz() < 4000);
            CHECK(r->verify(s.get()) == "");
        }
    }
}

#endif // AACO_BACKEND_CUDA
