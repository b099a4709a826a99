// Roofline math and unit helpers (model/roofline.hpp, model/units.hpp).
#include <aaco/model/roofline.hpp>
#include <aaco/model/units.hpp>

#include <doctest/doctest.h>

#include <limits>
#include <string>

using namespace aaco;

namespace {
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

constexpr bool near(double a, double b, double rel = 1e-12) {
    return (a - b <= rel * (b < 0 ? -b : b)) && (b - a <= rel * (b < 0 ? -b : b));
}

template <class Fn>
std::string what_of(Fn&& fn) {
    try {
        fn();
    } catch (const aaco::invalid_argument& e) {
        return e.what();
    }
    return "<no exception>";
}
} // namespace

// ---- compile-time checks --------------------------------------------------------------------
// Units.
static_assert(kib == 1024 && mib == 1048576 && gib == 1073741824ull, "binary capacities");
static_assert(near(tflops_from(2e12, 2.0), 1.0), "2e12 FLOP in 2 s = 1 TFLOP/s");
static_assert(near(gbps_from(5e9, 0.5), 10.0), "5 GB in 0.5 s = 10 GB/s");
static_assert(near(mhz_from(1.98e9, 1.0), 1980.0), "cycles per second -> MHz");
static_assert(near(flop_per_byte_from(1000, 250), 4.0), "AI");
static_assert(near(tflops_from_clock(4096, 132, 1830), 989.42976), "H100 FP16 dense peak");
static_assert(near(us_from_seconds(2.5e-6), 2.5), "us");
static_assert(near(relative_difference(101, 100), 0.01), "1%");
static_assert(near(relative_difference(99, 100), 0.01), "1% below is also 1%");
static_assert(near(relative_difference(-99, -100), 0.01), "negative reference");
// Roofline on plain numbers: MI300X-like card, 1307.4 TFLOP/s FP16, 5324.8 GB/s.
static_assert(near(ridge_point(1000, 5000), 200.0), "ridge = peak / bandwidth");
static_assert(near(attainable_tflops(1000, 5000, 100), 500.0), "memory-bound below the ridge");
static_assert(near(attainable_tflops(1000, 5000, 400), 1000.0), "compute-bound above the ridge");
static_assert(attainable_tflops(1000, 5000, 200) == 1000.0, "at the ridge both roofs meet");
static_assert(classify(1000, 5000, 199.9) == bound::memory, "left of the ridge");
static_assert(classify(1000, 5000, 200) == bound::compute, "the ridge itself counts as compute");
static_assert(classify(1000, 5000, 1e6) == bound::compute, "far right");
static_assert(near(memory_roof_tflops(2039, 1.0), 2.039), "1 FLOP/B on 2039 GB/s");
static_assert(to_string(bound::memory) == "memory", "bound names");

TEST_CASE("units: conversions") {
    CHECK(tflops_from(1e12, 1) == doctest::Approx(1.0));
    CHECK(gflops_from(3e9, 1.5) == doctest::Approx(2.0));
    CHECK(gbps_from(3352e9, 1) == doctest::Approx(3352.0));
    CHECK(tbps_from_gbps(5324.8) == doctest::Approx(5.3248));
    CHECK(gbps_from_tbps(17.2) == doctest::Approx(17200.0));
    CHECK(gib_from_bytes(static_cast<double>(4 * gib)) == doctest::Approx(4.0));
    CHECK(mib_from_bytes(static_cast<double>(256 * mib)) == doctest::Approx(256.0));
    CHECK(seconds_from_us(250) == doctest::Approx(2.5e-4));
    CHECK(seconds_from_ms(5) == doctest::Approx(0.005));
    CHECK(ms_from_seconds(0.25) == doctest::Approx(250.0));
    CHECK(tflops_from(0, 1) == 0.0);  // zero work is a valid measurement
}

TEST_CASE("units: invalid divisors throw, naming argument and value") {
    CHECK_THROWS_AS(tflops_from(1, 0), aaco::invalid_argument);
    CHECK_THROWS_AS(gbps_from(1, -1), aaco::invalid_argument);
    CHECK_THROWS_AS(gbps_from(-1, 1), aaco::invalid_argument);
    CHECK_THROWS_AS(mhz_from(1, nan_v), aaco::invalid_argument);
    CHECK_THROWS_AS(flop_per_byte_from(1, 0), aaco::invalid_argument);
    CHECK_THROWS_AS(relative_difference(1, 0), aaco::invalid_argument);
    const std::string w = what_of([] { (void)tflops_from(1, 0); });
    CHECK(w.find("seconds") != std::string::npos);
    CHECK(w.find("got 0") != std::string::npos);
    CHECK(w.find("aaco::tflops_from") != std::string::npos);
}

TEST_CASE("roofline: attainable is min(peak, AI x bandwidth) across a sweep") {
    const double peak = 1307.4, bw = 5324.8;
    const double ridge = ridge_point(peak, bw);
    CHECK(ridge == doctest::Approx(245.53).epsilon(1e-4));
    for (double ai : {0.01, 0.25, 1.0, 10.0, 100.0, 245.0, 246.0, 1000.0, 1e5}) {
        const double a = attainable_tflops(peak, bw, ai);
        CHECK(a <= peak);
        CHECK(a <= ai * bw / 1000 * (1 + 1e-15));
        CHECK((a == doctest::Approx(peak) || a == doctest::Approx(ai * bw / 1000)));
        CHECK((classify(peak, bw, ai) == bound::memory) == (ai < ridge));
    }
    // Monotonic non-decreasing in AI.
    double last = 0;
    for (double ai = 1; ai < 1000; ai *= 1.5) {
        const double a = attainable_tflops(peak, bw, ai);
        CHECK(a >= last);
        last = a;
    }
}

TEST_CASE("roofline: classify agrees with attainable exactly at the ridge") {
    // Values whose ridge is not exactly representable.
    const double peak = 989.4, bw = 3352;
    const double r = ridge_point(peak, bw);
    const double a = attainable_tflops(peak, bw, r);
    if (classify(peak, bw, r) == bound::compute)
        CHECK(a == peak);
    else
        CHECK(a < peak);
    CHECK(a == doctest::Approx(peak));
}

TEST_CASE("roofline: invalid arguments throw invalid_argument with name and value") {
    CHECK_THROWS_AS(attainable_tflops(1000, 5000, 0), aaco::invalid_argument);
    CHECK_THROWS_AS(attainable_tflops(1000, 5000, -1), aaco::invalid_argument);
    CHECK_THROWS_AS(attainable_tflops(1000, 5000, nan_v), aaco::invalid_argument);
    CHECK_THROWS_AS(attainable_tflops(1000, 5000, inf_v), aaco::invalid_argument);
    CHECK_THROWS_AS(attainable_tflops(0, 5000, 1), aaco::invalid_argument);
    CHECK_THROWS_AS(attainable_tflops(1000, -5000, 1), aaco::invalid_argument);
    CHECK_THROWS_AS(ridge_point(1000, 0), aaco::invalid_argument);
    CHECK_THROWS_AS(ridge_point(nan_v, 1), aaco::invalid_argument);
    CHECK_THROWS_AS(classify(1000, 5000, -3), aaco::invalid_argument);
    const std::string w = what_of([] { (void)attainable_tflops(1000, 5000, -2.5); });
    CHECK(w.find("ai_flop_per_byte") != std::string::npos);
    CHECK(w.find("-2.5") != std::string::npos);
    const std::string wn = what_of([] { (void)attainable_tflops(1000, 5000, nan_v); });
    CHECK(wn.find("nan") != std::string::npos);
    const std::string wb = what_of([] { (void)ridge_point(1000, 0); });
    CHECK(wb.find("bandwidth_gbps") != std::string::npos);
}

TEST_CASE("roofline class: several compute and memory ceilings") {
    roofline r;
    r.add_compute(precision::fp16, compute_unit::matrix, 989.4)
        .add_compute(precision::fp32, compute_unit::vector, 66.9)
        .add_compute(precision::fp64, compute_unit::vector, 33.5)
        .add_compute(precision::fp64, compute_unit::matrix, 66.9)
        .add_memory(memory_level::hbm, 3352)
        .add_memory(memory_level::l2, 10000, "l2 (near partition)");
    CHECK(r.compute_ceilings().size() == 4);
    CHECK(r.memory_ceilings().size() == 2);
    CHECK(r.compute(precision::fp16).name == "fp16.matrix");
    CHECK(r.memory(memory_level::l2).name == "l2 (near partition)");
    // fp64 by precision alone takes the faster unit.
    CHECK(r.compute(precision::fp64).unit == compute_unit::matrix);
    CHECK(r.compute(precision::fp64).tflops == doctest::Approx(66.9));
    CHECK(r.compute(precision::fp64, compute_unit::vector).tflops == doctest::Approx(33.5));
    // Level matters: same AI, faster level, higher roof.
    CHECK(r.attainable(10, precision::fp16) == doctest::Approx(33.52));
    CHECK(r.attainable(10, precision::fp16, memory_level::l2) == doctest::Approx(100.0));
    CHECK(r.attainable(10, precision::fp64, compute_unit::vector, memory_level::l2) ==
          doctest::Approx(33.5));
    CHECK(r.ridge(precision::fp16) == doctest::Approx(989.4 * 1000 / 3352));
    CHECK(r.classify(100, precision::fp16) == bound::memory);
    CHECK(r.classify(100, precision::fp32) == bound::compute);
    CHECK(r.has_compute(precision::fp16));
    CHECK_FALSE(r.has_compute(precision::fp8));
    CHECK_FALSE(r.has_compute(precision::fp16, compute_unit::vector));
    CHECK(r.has_memory(memory_level::l2));
    CHECK_FALSE(r.has_memory(memory_level::llc));
}

TEST_CASE("roofline class: replacing and rejecting ceilings") {
    roofline r;
    r.add_compute(precision::fp16, compute_unit::matrix, 500);
    r.add_compute(precision::fp16, compute_unit::matrix, 600);  // replaces
    CHECK(r.compute_ceilings().size() == 1);
    CHECK(r.compute(precision::fp16).tflops == 600);
    r.add_memory(memory_level::hbm, 1000);
    r.add_memory(memory_level::hbm, 2000);
    CHECK(r.memory_ceilings().size() == 1);
    CHECK(r.memory(memory_level::hbm).gbps == 2000);
    CHECK_THROWS_AS(r.add_compute(precision::fp32, compute_unit::vector, 0), aaco::invalid_argument);
    CHECK_THROWS_AS(r.add_compute(precision::fp32, compute_unit::vector, nan_v), aaco::invalid_argument);
    CHECK_THROWS_AS(r.add_memory(memory_level::l2, -1), aaco::invalid_argument);
    CHECK_THROWS_AS(r.add_memory(memory_level::l2, inf_v), aaco::invalid_argument);
    CHECK(r.compute_ceilings().size() == 1);  // rejected ceilings were not added
    const std::string w = what_of([&] { (void)r.attainable(1, precision::fp8); });
    CHECK(w.find("fp8") != std::string::npos);
    CHECK(w.find("fp16.matrix") != std::string::npos);  // lists what it has
    const std::string wm = what_of([&] { (void)r.attainable(1, precision::fp16, memory_level::llc); });
    CHECK(wm.find("llc") != std::string::npos);
    CHECK_THROWS_AS(r.attainable(0, precision::fp16), aaco::invalid_argument);
}

TEST_CASE("make_roofline: one ceiling per figure, fastest op per level") {
    envelope env;
    compute_figure f16;
    f16.prec = precision::fp16;
    f16.unit = compute_unit::matrix;
    f16.tflops = 700;
    compute_figure f32;
    f32.prec = precision::fp32;
    f32.unit = compute_unit::vector;
    f32.tflops = 60;
    env.compute = {f16, f32};
    memory_figure rd, cp, l2;
    rd.level = memory_level::hbm;
    rd.op = stream_op::read;
    rd.gbps = 3000;
    cp.level = memory_level::hbm;
    cp.op = stream_op::copy;
    cp.gbps = 2800;
    l2.level = memory_level::l2;
    l2.op = stream_op::read;
    l2.gbps = 9000;
    env.memory = {rd, cp, l2};
    const roofline r = make_roofline(env);
    CHECK(r.compute_ceilings().size() == 2);
    CHECK(r.memory_ceilings().size() == 2);
    CHECK(r.memory(memory_level::hbm).gbps == 3000);
    CHECK(r.attainable(1, precision::fp16) == doctest::Approx(3.0));
    CHECK(r.attainable(1000, precision::fp16) == doctest::Approx(700));

    env.compute[1].tflops = 0;  // a failed figure must not become a zero ceiling
    CHECK_THROWS_WITH_AS(make_roofline(env), doctest::Contains("fp32.vector"), aaco::invalid_argument);
    env.compute[1].tflops = 60;
    env.memory[2].gbps = nan_v;
    CHECK_THROWS_WITH_AS(make_roofline(env), doctest::Contains("l2.read"), aaco::invalid_argument);
}
