// Hardware Envelope Utilization (model/roofline.hpp): HEU = achieved / attainable.
#include <aaco/model/profiles.hpp>
#include <aaco/model/roofline.hpp>

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

/// A small measured envelope: fp16 matrix 800, fp32 vector 60 and matrix 100, hbm 4000 GB/s
/// (read) and 3600 (copy), l2 12000.
envelope sample_envelope() {
    envelope env;
    auto add_c = [&](precision p, compute_unit u, double tf) {
        compute_figure f;
        f.prec = p;
        f.unit = u;
        f.tflops = tf;
        env.compute.push_back(f);
    };
    auto add_m = [&](memory_level l, stream_op op, double gbps) {
        memory_figure f;
        f.level = l;
        f.op = op;
        f.gbps = gbps;
        env.memory.push_back(f);
    };
    add_c(precision::fp16, compute_unit::matrix, 800);
    add_c(precision::fp32, compute_unit::vector, 60);
    add_c(precision::fp32, compute_unit::matrix, 100);
    add_m(memory_level::hbm, stream_op::read, 4000);
    add_m(memory_level::hbm, stream_op::copy, 3600);
    add_m(memory_level::l2, stream_op::read, 12000);
    env.failures.push_back({"compute.fp8.matrix", "no FP8 kernel for this arch"});
    return env;
}
} // namespace

// ---- compile-time checks --------------------------------------------------------------------
// The seed's example: 800 TFLOP/s against a 1000 TFLOP/s ceiling is 80% when compute-bound.
static_assert(near(heu(800, 1000, 1000, 5300).value, 0.8), "seed example, compute-bound");
static_assert(heu(800, 1000, 1000, 5300).b == bound::compute, "AI 1000 > ridge 188.7");
static_assert(!heu(800, 1000, 1000, 5300).above_roof, "80% is under the roof");
// ...but at the seed's own AI of 150 FLOP/B with 5300 GB/s the roof is 795: memory-bound, and
// 800 is above it -> the bytes it was charged for must have come from a cache.
static_assert(near(heu(800, 150, 1000, 5300).attainable_tflops, 795.0), "150 x 5.3");
static_assert(heu(800, 150, 1000, 5300).b == bound::memory, "left of the ridge");
static_assert(heu(800, 150, 1000, 5300).above_roof, "above the memory roof");
static_assert(heu(0, 10, 1000, 5300).value == 0.0, "idle kernel");
static_assert(near(heu(26.5, 10, 1000, 5300).value, 0.5), "half the memory roof");
static_assert(heu(795, 150, 1000, 5300).value == 1.0 && !heu(795, 150, 1000, 5300).above_roof,
              "exactly on the roof is not above it");

TEST_CASE("heu on plain numbers") {
    const heu_point a = heu(400, 1000, 1000, 5000);
    CHECK(a.value == doctest::Approx(0.4));
    CHECK(a.b == bound::compute);
    CHECK(a.attainable_tflops == doctest::Approx(1000));
    CHECK_FALSE(a.above_roof);

    const heu_point m = heu(100, 50, 1000, 5000);  // roof = 250
    CHECK(m.value == doctest::Approx(0.4));
    CHECK(m.b == bound::memory);
    CHECK(m.attainable_tflops == doctest::Approx(250));

    const heu_point over = heu(300, 50, 1000, 5000);
    CHECK(over.above_roof);
    CHECK(over.value == doctest::Approx(1.2));

    // HEU is linear in achieved and inversely proportional to the roof.
    for (double achieved : {1.0, 10.0, 100.0, 500.0})
        CHECK(heu(achieved, 1e4, 1000, 5000).value == doctest::Approx(achieved / 1000));
    for (double ai : {1.0, 2.0, 4.0, 8.0})
        CHECK(heu(1, ai, 1000, 5000).value == doctest::Approx(1 / (ai * 5)));
}

TEST_CASE("heu: invalid input throws invalid_argument naming argument and value") {
    CHECK_THROWS_AS(heu(-1, 10, 1000, 5000), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(nan_v, 10, 1000, 5000), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(inf_v, 10, 1000, 5000), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(1, 0, 1000, 5000), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(1, -10, 1000, 5000), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(1, nan_v, 1000, 5000), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(1, inf_v, 1000, 5000), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(1, 10, 0, 5000), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(1, 10, -1000, 5000), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(1, 10, 1000, 0), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(1, 10, 1000, nan_v), aaco::invalid_argument);
    const std::string w = what_of([] { (void)heu(-3, 10, 1000, 5000); });
    CHECK(w.find("achieved_tflops") != std::string::npos);
    CHECK(w.find("-3") != std::string::npos);
    const std::string wi = what_of([] { (void)heu(3, inf_v, 1000, 5000); });
    CHECK(wi.find("ai_flop_per_byte") != std::string::npos);
    CHECK(wi.find("inf") != std::string::npos);
    const std::string wp = what_of([] { (void)heu(3, 1, 0, 5000); });
    CHECK(wp.find("peak_tflops") != std::string::npos);
}

TEST_CASE("heu against an envelope names the binding ceiling") {
    const envelope env = sample_envelope();
    // fp16 at AI 1000: roof = min(800, 4000) -> compute-bound on fp16.matrix.
    const heu_result c = heu(env, 400, 1000, precision::fp16);
    CHECK(c.value == doctest::Approx(0.5));
    CHECK(c.binding_ceiling == "fp16.matrix");
    CHECK(c.b == bound::compute);
    CHECK(c.attainable_tflops == doctest::Approx(800));
    CHECK_FALSE(c.above_roof);
    // fp16 at AI 10: roof = 40 TFLOP/s from the fastest hbm op (read, 4000 GB/s).
    const heu_result m = heu(env, 30, 10, precision::fp16);
    CHECK(m.value == doctest::Approx(0.75));
    CHECK(m.binding_ceiling == "hbm");
    CHECK(m.b == bound::memory);
    CHECK(m.attainable_tflops == doctest::Approx(40));
    // Same kernel judged against L2: roof 120.
    const heu_result ml2 = heu(env, 30, 10, precision::fp16, memory_level::l2);
    CHECK(ml2.value == doctest::Approx(0.25));
    CHECK(ml2.binding_ceiling == "l2");
    // fp32 takes its faster unit (matrix, 100).
    const heu_result f32 = heu(env, 50, 1000, precision::fp32);
    CHECK(f32.binding_ceiling == "fp32.matrix");
    CHECK(f32.value == doctest::Approx(0.5));
    // Above the roof: more than hbm allows at this AI.
    const heu_result over = heu(env, 60, 10, precision::fp16);
    CHECK(over.above_roof);
    CHECK(over.value == doctest::Approx(1.5));
}

TEST_CASE("heu against an envelope: missing ceilings and bad input") {
    const envelope env = sample_envelope();
    // fp8 failed during calibration: the message names the precision and the recorded reason.
    const std::string w = what_of([&] { (void)heu(env, 10, 100, precision::fp8); });
    CHECK(w.find("fp8") != std::string::npos);
    CHECK(w.find("no FP8 kernel") != std::string::npos);
    // bf16 was never measured.
    const std::string wb = what_of([&] { (void)heu(env, 10, 100, precision::bf16); });
    CHECK(wb.find("bf16") != std::string::npos);
    CHECK(wb.find("not measured") != std::string::npos);
    CHECK_THROWS_AS(heu(env, 10, 100, precision::fp16, memory_level::llc), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(env, 10, 0, precision::fp16), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(env, -1, 10, precision::fp16), aaco::invalid_argument);
    CHECK_THROWS_AS(heu(env, 1, nan_v, precision::fp16), aaco::invalid_argument);
}

TEST_CASE("heu through a roofline matches heu through the envelope") {
    const envelope env = sample_envelope();
    const roofline r = make_roofline(env);
    for (double ai : {0.5, 5.0, 50.0, 200.0, 500.0, 5000.0})
        for (precision p : {precision::fp16, precision::fp32}) {
            const heu_result a = heu(env, 20, ai, p);
            const heu_result b = r.heu(20, ai, p);
            CHECK(a.value == doctest::Approx(b.value));
            CHECK(a.binding_ceiling == b.binding_ceiling);
            CHECK(a.b == b.b);
        }
    // A unit chosen explicitly.
    const heu_result v = r.heu(30, 1000, precision::fp32, compute_unit::vector, memory_level::hbm);
    CHECK(v.binding_ceiling == "fp32.vector");
    CHECK(v.value == doctest::Approx(0.5));
}

TEST_CASE("heu against datasheet envelopes") {
    // MI300X: FP16 1307.4, HBM 5324.8 -> ridge 245.5 FLOP/B.
    const envelope mi300x = datasheet_envelope(find_profile("mi300x"));
    const heu_result gemm = heu(mi300x, 653.7, 1000, precision::fp16);
    CHECK(gemm.value == doctest::Approx(0.5));
    CHECK(gemm.binding_ceiling == "fp16.matrix");
    const heu_result stream = heu(mi300x, 0.5 * 5.3248 / 8, 1.0 / 8, precision::fp64);
    CHECK(stream.b == bound::memory);
    CHECK(stream.value == doctest::Approx(0.5));
    // H100 SXM: the datasheet FP32 ceiling is the vector unit (no FP32 matrix on NVIDIA).
    const envelope h100 = datasheet_envelope(find_profile("h100"));
    const heu_result sgemm = heu(h100, 33.45, 1000, precision::fp32);
    CHECK(sgemm.binding_ceiling == "fp32.vector");
    CHECK(sgemm.value == doctest::Approx(0.5));
    // A100 has no FP8 at all.
    CHECK_THROWS_AS(heu(datasheet_envelope(find_profile("a100")), 1, 100, precision::fp8),
                    aaco::invalid_argument);
}
