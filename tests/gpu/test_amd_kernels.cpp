// Tests of aaco's AMD compute-peak kernels (kernels/amd/mfma_peak.hpp, vector_peak.hpp).
//
// On a CDNA device, verify() runs every MFMA and vector-FMA precision on small-integer operands
// and compares every accumulator with a host reference (the MFMA one through the modelled
// A/B/D register layouts), so each counted instruction must have done its math. Without a HIP
// device (or in a CUDA build) those cases record a skip. The instruction table, the register
// layouts and the operand encoders are checked on the host in every build.
#include <aaco/config.hpp>
#include <aaco/arch/amd/mfma.hpp>
#include <aaco/kernels/amd/detail/common.hpp>
#include <aaco/kernels/amd/mfma_peak.hpp>   // host helpers in every build; runners under HIP
#include <aaco/kernels/amd/vector_peak.hpp>

#include <doctest/doctest.h>

#include "skip.hpp"

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include <vector>

#if AACO_BACKEND_HIP
#include <aaco/backend/backend.hpp>
#endif

namespace {
using namespace aaco;
using arch::amd::gfx_family;

constexpr gfx_family all_families[] = {gfx_family::gfx908, gfx_family::gfx90a, gfx_family::gfx94x,
                                       gfx_family::gfx950};
} // namespace

TEST_CASE("AMD MFMA table: support matrix, names and rates (no device needed)") {
    using arch::amd::mfma_table;
    CHECK(arch::amd::parse_gfx_family("gfx90a:sramecc+:xnack-") == gfx_family::gfx90a);
    CHECK(arch::amd::parse_gfx_family("gfx941") == gfx_family::gfx94x);
    CHECK(arch::amd::parse_gfx_family("gfx1100") == gfx_family::unknown);
    CHECK(arch::amd::parse_gfx_family("sm_90") == gfx_family::unknown);

    CHECK_FALSE(mfma_table(precision::fp8, gfx_family::gfx908).supported);
    CHECK_FALSE(mfma_table(precision::fp8, gfx_family::gfx90a).supported);
    CHECK_FALSE(mfma_table(precision::tf32, gfx_family::gfx90a).supported);
    CHECK_FALSE(mfma_table(precision::fp64, gfx_family::gfx908).supported);
    CHECK_FALSE(mfma_table(precision::tf32, gfx_family::gfx950).supported);
    CHECK(mfma_table(precision::fp16, gfx_family::gfx90a).mnemonic == "v_mfma_f32_32x32x8f16");
    CHECK(mfma_table(precision::fp16, gfx_family::gfx94x).mnemonic == "v_mfma_f32_32x32x8_f16");
    CHECK(mfma_table(precision::bf16, gfx_family::gfx908).mnemonic == "v_mfma_f32_32x32x4bf16");
    CHECK(mfma_table(precision::bf16, gfx_family::gfx90a).mnemonic == "v_mfma_f32_32x32x8bf16_1k");
    CHECK(mfma_table(precision::int8, gfx_family::gfx94x).mnemonic == "v_mfma_i32_32x32x16_i8");
    CHECK(mfma_table(precision::fp8, gfx_family::gfx94x).flops_per_instruction() == 32768);
    CHECK(mfma_table(precision::fp8, gfx_family::gfx950).flops_per_instruction() == 131072);
    CHECK(mfma_table(precision::tf32, gfx_family::gfx94x).flops_per_clock_per_cu() == 1024);
    CHECK(mfma_table(precision::fp64, gfx_family::gfx950).flops_per_clock_per_cu() == 128);

    for (gfx_family f : all_families)
        for (precision p : all_precisions) {
            const arch::amd::mfma_instruction i = mfma_table(p, f);
            if (!i.supported) continue;
            CAPTURE(i.mnemonic);
            CHECK(i.flops_per_instruction() == 2.0 * i.m * i.n * i.k);
            const std::size_t lane_bytes = static_cast<std::size_t>(i.operand_items()) * arch::amd::element_bytes(i.in);
            CHECK((lane_bytes == 4 || lane_bytes == 8 || lane_bytes == 16 || lane_bytes == 32));
            CHECK(i.accumulator_items() * arch::amd::wave_lanes == i.m * i.n);
        }
}

TEST_CASE("AMD MFMA register layouts are bijections onto A, B and D (no device needed)") {
    for (gfx_family f : all_families)
        for (precision p : all_precisions) {
            const arch::amd::mfma_instruction i = arch::amd::mfma_table(p, f);
            if (!i.supported) continue;
            CAPTURE(i.mnemonic);
            std::set<std::pair<int, int>> a, b, d;
            for (int lane = 0; lane < arch::amd::wave_lanes; ++lane) {
                for (int j = 0; j < i.operand_items(); ++j) {
                    const arch::amd::matrix_coord ca = arch::amd::a_element(i, lane, j);
                    const arch::amd::matrix_coord cb = arch::amd::b_element(i, lane, j);
                    CHECK((ca.row >= 0 && ca.row < i.m && ca.col >= 0 && ca.col < i.k));
                    CHECK((cb.row >= 0 && cb.row < i.k && cb.col >= 0 && cb.col < i.n));
                    a.insert({ca.row, ca.col});
                    b.insert({cb.row, cb.col});
                }
                for (int v = 0; v < i.accumulator_items(); ++v) {
                    const arch::amd::matrix_coord cd = arch::amd::d_element(i, lane, v);
                    CHECK((cd.row >= 0 && cd.row < i.m && cd.col >= 0 && cd.col < i.n));
                    d.insert({cd.row, cd.col});
                }
            }
            CHECK(a.size() == static_cast<std::size_t>(i.m * i.k));
            CHECK(b.size() == static_cast<std::size_t>(i.k * i.n));
            CHECK(d.size() == static_cast<std::size_t>(i.m * i.n));
        }
    // Spot values from AMD's matrix instruction calculator (gfx9 layouts).
    const arch::amd::mfma_instruction f16 = arch::amd::mfma_table(precision::fp16, gfx_family::gfx90a);
    CHECK(arch::amd::a_element(f16, 37, 2).row == 5);
    CHECK(arch::amd::a_element(f16, 37, 2).col == 6);
    CHECK(arch::amd::d_element(f16, 40, 6).row == 14); // 8*(6/4) + 4*(40/32) + 6%4
    CHECK(arch::amd::d_element(f16, 40, 6).col == 8);
    const arch::amd::mfma_instruction f64 = arch::amd::mfma_table(precision::fp64, gfx_family::gfx94x);
    CHECK(arch::amd::b_element(f64, 50, 0).row == 3);
    CHECK(arch::amd::b_element(f64, 50, 0).col == 2);
    CHECK(arch::amd::d_element(f64, 50, 3).row == 15); // 4*3 + 50/16
}

TEST_CASE("AMD operand encoders: fp16, bf16, fp8 e4m3 FNUZ and OCP (no device needed)") {
    using namespace kernels::amd::detail;
    CHECK(half_bits(1.0) == 0x3c00);
    CHECK(half_bits(-2.0) == 0xc000);
    CHECK(half_bits(65504.0) == 0x7bff);
    CHECK(half_bits(1.0e6) == 0x7c00);
    CHECK(half_bits(std::ldexp(1.0, -24)) == 0x0001);
    CHECK(half_bits(1.0 + std::ldexp(1.0, -11)) == 0x3c00);     // tie -> even
    CHECK(half_bits(1.0 + 3 * std::ldexp(1.0, -11)) == 0x3c02); // tie -> even (up)
    CHECK(half_value(half_bits(-0.375)) == -0.375);
    CHECK(bf16_bits(1.0) == 0x3f80);
    CHECK(bf16_bits(-0.5) == 0xbf00);
    CHECK(bf16_value(bf16_bits(3.0)) == 3.0);
    CHECK(fp8_bits(1.0, true) == 0x40);   // FNUZ: bias 8
    CHECK(fp8_bits(1.0, false) == 0x38);  // OCP: bias 7
    CHECK(fp8_bits(-2.0, true) == 0xc8);
    CHECK(fp8_value(0x7f, true) == 240.0);
    CHECK(fp8_value(0x7e, false) == 448.0);
    CHECK(std::isnan(fp8_value(0x80, true)));
    CHECK(fp8_value(0x80, false) == 0.0); // OCP -0
    for (int c = 0; c < 256; ++c)
        for (bool fnuz : {true, false}) {
            const double v = fp8_value(static_cast<std::uint8_t>(c), fnuz);
            if (std::isnan(v) || v == 0) continue;
            CHECK(fp8_value(fp8_bits(v, fnuz), fnuz) == v);
        }
    kernels::operand_rng rng(42);
    for (int i = 0; i < 1000; ++i) {
        const double u = rng.uniform();
        CHECK((u >= -1.0 && u <= 1.0));
    }
}

TEST_CASE("AMD MFMA verify reference agrees with an emulated MFMA on the packed operands (no device needed)") {
    // Emulates what verify() expects the device to do: read A and B back out of the packed
    // operand bytes through the register layouts, multiply, and scatter D through the D layout.
    // Catches packing/reference mismatches (slice, row/column swaps, byte offsets) on the host.
    namespace d = kernels::amd::detail;
    const int slices = 3, n = 5;
    for (gfx_family f : all_families)
        for (precision p : all_precisions) {
            const arch::amd::mfma_instruction i = arch::amd::mfma_table(p, f);
            if (!i.supported) continue;
            CAPTURE(i.mnemonic);
            const std::vector<unsigned char> a = d::pack_known(i, slices, true);
            const std::vector<unsigned char> b = d::pack_known(i, slices, false);
            const std::size_t eb = arch::amd::element_bytes(i.in);
            const int items = i.operand_items();
            for (int s = 0; s < slices; ++s) {
                std::vector<double> am(static_cast<std::size_t>(i.m * i.k)), bm(static_cast<std::size_t>(i.k * i.n));
                for (int lane = 0; lane < arch::amd::wave_lanes; ++lane)
                    for (int j = 0; j < items; ++j) {
                        const std::size_t at = ((static_cast<std::size_t>(s) * arch::amd::wave_lanes + lane) * items + j) * eb;
                        const arch::amd::matrix_coord ca = arch::amd::a_element(i, lane, j);
                        const arch::amd::matrix_coord cb = arch::amd::b_element(i, lane, j);
                        am[static_cast<std::size_t>(ca.row * i.k + ca.col)] = d::decode_element(i.in, &a[at]);
                        bm[static_cast<std::size_t>(cb.row * i.n + cb.col)] = d::decode_element(i.in, &b[at]);
                    }
                int wrong = 0;
                for (int lane = 0; lane < arch::amd::wave_lanes; ++lane)
                    for (int v = 0; v < i.accumulator_items(); ++v) {
                        const arch::amd::matrix_coord cd = arch::amd::d_element(i, lane, v);
                        double dot = 0;
                        for (int k = 0; k < i.k; ++k)
                            dot += am[static_cast<std::size_t>(cd.row * i.k + k)] * bm[static_cast<std::size_t>(k * i.n + cd.col)];
                        for (int chain = 0; chain < 2; ++chain)
                            if (d::mfma_expected(i, s, lane, chain, v, n) != chain + n * dot) ++wrong;
                    }
                CHECK(wrong == 0);
            }
        }
}

#if AACO_BACKEND_HIP

TEST_CASE("AMD factories: nullptr, keys, methods, rates (no device needed)") {
    device_info mi300x;
    mi300x.arch = "gfx942:sramecc+:xnack-";
    mi300x.compute_units = 304;
    device_info mi210 = mi300x;
    mi210.arch = "gfx90a";
    device_info mi100 = mi300x;
    mi100.arch = "gfx908";
    device_info mi355 = mi300x;
    mi355.arch = "gfx950";
    using kernels::amd::make_mfma_runner;
    using kernels::amd::make_vector_fma_runner;

    CHECK(make_mfma_runner(precision::fp8, mi210) == nullptr);
    CHECK(make_mfma_runner(precision::tf32, mi210) == nullptr);
    CHECK(make_mfma_runner(precision::fp64, mi100) == nullptr);
    CHECK(make_mfma_runner(precision::tf32, mi355) == nullptr);
    auto f16 = make_mfma_runner(precision::fp16, mi300x);
    REQUIRE(f16 != nullptr);
    CHECK(f16->key() == "compute.fp16.matrix");
    CHECK(f16->method() == "v_mfma_f32_32x32x8_f16");
    CHECK(f16->desc().flops_per_clock_per_unit == 2048);
    CHECK(f16->desc().unit == compute_unit::matrix);
    auto xf32 = make_mfma_runner(precision::tf32, mi300x, operand_mode::zero);
    REQUIRE(xf32 != nullptr);
    CHECK(xf32->method() == "v_mfma_f32_32x32x4_xf32");
    CHECK(xf32->desc().operands == operand_mode::zero);
    CHECK(make_mfma_runner(precision::bf16, mi100)->desc().flops_per_clock_per_unit == 512);
    CHECK(make_mfma_runner(precision::fp8, mi355)->method() == "v_mfma_scale_f32_32x32x64_f8f6f4");

    CHECK(make_vector_fma_runner(precision::bf16, mi300x) == nullptr);
    CHECK(make_vector_fma_runner(precision::int8, mi300x) == nullptr);
    auto v32 = make_vector_fma_runner(precision::fp32, mi210);
    REQUIRE(v32 != nullptr);
    CHECK(v32->key() == "compute.fp32.vector");
    CHECK(v32->method() == "v_pk_fma_f32");
    CHECK(v32->desc().flops_per_clock_per_unit == 256);
    CHECK(make_vector_fma_runner(precision::fp32, mi100)->method() == "v_fma_f32");
    CHECK(make_vector_fma_runner(precision::fp64, mi100)->desc().flops_per_clock_per_unit == 64);
    CHECK(make_vector_fma_runner(precision::fp16, mi300x)->method() == "v_pk_fma_f16");

    device_info rdna = mi300x;
    rdna.arch = "gfx1100";
    CHECK_THROWS_AS(make_mfma_runner(precision::fp16, rdna), unsupported_arch_error);
    CHECK_THROWS_AS(make_vector_fma_runner(precision::fp32, rdna), unsupported_arch_error);
}

namespace {

/// The current device when it is a CDNA GPU; records a skip and returns false otherwise.
bool cdna_device(device_info& dev) {
    if (backend::device_count() == 0) {
        aaco::test::skip("AMD kernels: no HIP device");
        return false;
    }
    dev = backend::query_device(backend::current_device());
    if (arch::amd::parse_gfx_family(dev.arch) == gfx_family::unknown) {
        aaco::test::skip("AMD kernels: device " + dev.arch + " is not a CDNA GPU");
        return false;
    }
    return true;
}

/// prepare, a short timed launch, verify, and the in-kernel clock.
void exercise(kernels::compute_runner& r) {
    CAPTURE(r.key());
    CAPTURE(r.method());
    r.prepare();
    backend::stream s;
    const kernels::launch_work w = r.enqueue(s.get(), 64);
    CHECK(w.flops > 0);
    const kernels::clock_reading clock = r.last_clock(s.get());
    CHECK(clock.nanoseconds > 0);
    CHECK(clock.cycles > 0);
    CHECK(r.verify(s.get()) == "");
}

} // namespace

TEST_CASE("AMD MFMA peak: verify every supported precision on the device") {
    device_info dev;
    if (!cdna_device(dev)) return;
    int ran = 0;
    for (precision p : all_precisions)
        for (operand_mode m : {operand_mode::random, operand_mode::zero}) {
            auto r = kernels::amd::make_mfma_runner(p, dev, m);
            if (!r) continue;
            exercise(*r);
            ++ran;
        }
    CHECK(ran >= 8); // at least fp16, bf16, int8 and fp32 in both modes on any CDNA
}

TEST_CASE("AMD vector FMA peak: verify fp32, fp64 and fp16 on the device") {
    device_info dev;
    if (!cdna_device(dev)) return;
    for (precision p : {precision::fp32, precision::fp64, precision::fp16})
        for (operand_mode m : {operand_mode::random, operand_mode::zero}) {
            auto r = kernels::amd::make_vector_fma_runner(p, dev, m);
            REQUIRE(r != nullptr);
            exercise(*r);
        }
}

#else

TEST_CASE("AMD kernels") {
    aaco::test::skip("AMD kernels: HIP build only");
}

#endif
