// Host tests of the one random operand fill of the compute kernels (kernels/operand_fill.hpp):
// the distribution of every precision, its rounding into each format, determinism, and the
// encodings a vendor baseline uploads.
#include <aaco/kernels/operand_fill.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace kernels = aaco::kernels;
using aaco::precision;

namespace {

/// Pearson's chi-square statistic of `counts` against equal expected counts.
double chi_square(const std::vector<double>& counts) {
    double total = 0;
    for (double c : counts) total += c;
    const double expected = total / static_cast<double>(counts.size());
    double chi = 0;
    for (double c : counts) chi += (c - expected) * (c - expected) / expected;
    return chi;
}

/// Every finite value of OCP E4M3 (E4M3FN: bias 7; S.1111.111 is NaN).
std::vector<double> e4m3_values() {
    std::vector<double> v;
    for (int c = 0; c < 256; ++c) {
        const int e = (c >> 3) & 0xf, m = c & 7;
        if (e == 15 && m == 7) continue;
        const double mag = e == 0 ? std::ldexp(m, -9) : std::ldexp(8 + m, e - 10);
        v.push_back((c & 0x80) ? -mag : mag);
    }
    return v;
}

constexpr precision float_precisions[] = {precision::fp64, precision::fp32, precision::tf32,
                                          precision::fp16, precision::bf16, precision::fp8};

} // namespace

TEST_CASE("operand fill: int8 covers the full range [-128, 127] uniformly") {
    constexpr int per_value = 2000;
    kernels::operand_rng rng(0x1234);
    std::vector<double> counts(256, 0);
    int lo = 0, hi = 0;
    for (int i = 0; i < 256 * per_value; ++i) {
        const double v = kernels::random_operand_value(precision::int8, rng);
        REQUIRE(v == std::floor(v));
        REQUIRE(v >= -128);
        REQUIRE(v <= 127);
        lo = std::min(lo, static_cast<int>(v));
        hi = std::max(hi, static_cast<int>(v));
        counts[static_cast<std::size_t>(v + 128)] += 1;
    }
    CHECK(lo == -128);
    CHECK(hi == 127);
    for (double c : counts) CHECK(c > per_value / 2); // every value, none rare
    // 255 degrees of freedom: P(chi^2 > 330.5) = 0.001 for a uniform source
    const double chi = chi_square(counts);
    CAPTURE(chi);
    CHECK(chi < 330.5);
    // the old low-entropy ranges would fail the same test: [-8, 8] leaves 239 values empty
    std::vector<double> narrow(256, 0);
    for (int i = 0; i < 256 * per_value; ++i) narrow[static_cast<std::size_t>(rng.next() % 17 + 120)] += 1;
    CHECK(chi_square(narrow) > 330.5);
}

TEST_CASE("operand fill: floating types are finite, in [-1, 1], exact in their format and uniform") {
    for (precision p : float_precisions) {
        CAPTURE(aaco::to_string(p));
        kernels::operand_rng rng(0xf111 + static_cast<unsigned>(p));
        kernels::operand_rng raw(0xf111 + static_cast<unsigned>(p)); // the same draws, unrounded
        constexpr int n = 200000;
        std::vector<double> buckets(8, 0); // [-1, -0.75), ..., [0.75, 1]: edges on every format's grid
        double sum = 0;
        bool exact = true, same = true, finite = true, inside = true;
        for (int i = 0; i < n; ++i) {
            const double v = kernels::random_operand_value(p, rng);
            const double u = raw.uniform();
            finite = finite && std::isfinite(v);
            inside = inside && v >= -1 && v <= 1;
            exact = exact && kernels::round_operand(p, v) == v;
            same = same && v == kernels::round_operand(p, u);
            sum += v;
            // the raw uniform fills the buckets: rounding moves mass across bucket edges by up
            // to half a grid step, which the coarse formats (fp8) would show
            buckets[static_cast<std::size_t>(std::min(7.0, std::floor((u + 1) * 4)))] += 1;
        }
        CHECK(finite);
        CHECK(inside);
        CHECK(exact);
        CHECK(same); // each value is the rounded uniform of its draw
        CHECK(std::fabs(sum / n) < 0.01);
        CHECK(chi_square(buckets) < 24.3); // 7 degrees of freedom, P = 0.001
    }
}

TEST_CASE("operand fill: rounding is to nearest, ties to even, onto each format's grid") {
    // fp8: against every E4M3 value
    const std::vector<double> e4m3 = e4m3_values();
    kernels::operand_rng rng(7);
    for (int i = 0; i < 20000; ++i) {
        const double u = rng.uniform();
        const double r = kernels::round_operand(precision::fp8, u);
        double best = 1e9;
        for (double x : e4m3) best = std::min(best, std::fabs(x - u));
        CHECK(std::fabs(r - u) == best);
        CHECK(std::find(e4m3.begin(), e4m3.end(), r) != e4m3.end());
    }
    // ties go to the even mantissa
    CHECK(kernels::round_operand(precision::fp8, 1.0 + 1.0 / 16) == 1.0);    // between 1 and 1.125
    CHECK(kernels::round_operand(precision::fp8, 1.0 + 3.0 / 16) == 1.25);   // between 1.125 and 1.25
    CHECK(kernels::round_operand(precision::fp8, 0x1.0p-10) == 0);           // half the smallest subnormal
    CHECK(kernels::round_operand(precision::fp8, 0x1.8p-9) == 0x1.0p-8);     // 1.5 steps -> 2
    CHECK(kernels::round_operand(precision::fp16, 1 + 0x1.0p-11) == 1);
    CHECK(kernels::round_operand(precision::fp16, 1 + 0x1.8p-10) == 1 + 0x1.0p-9);
    CHECK(kernels::round_operand(precision::fp16, 0x1.0p-25) == 0);
    CHECK(kernels::round_operand(precision::fp16, 0x1.8p-24) == 0x1.0p-23); // subnormal tie
    CHECK(kernels::round_operand(precision::bf16, 1 + 0x1.0p-8) == 1);
    CHECK(kernels::round_operand(precision::bf16, 1 + 0x1.8p-7) == 1 + 0x1.0p-6);
    CHECK(kernels::round_operand(precision::tf32, 1 + 0x1.0p-11) == 1);
    CHECK(kernels::round_operand(precision::fp32, 1 + 0x1.0p-24) == 1);
    CHECK(kernels::round_operand(precision::fp32, 0.1) == static_cast<double>(0.1f));
    CHECK(kernels::round_operand(precision::fp64, 0.1) == 0.1);
    CHECK(kernels::round_operand(precision::fp16, -0.3) == -kernels::round_operand(precision::fp16, 0.3));
    CHECK(kernels::round_operand(precision::int8, 2.5) == 2);
    CHECK(kernels::round_operand(precision::int8, 300) == 127);
    // values just below 1 that round up to 1 exist (so chained multipliers must be redrawn)
    CHECK(kernels::round_operand(precision::bf16, 1 - 0x1.0p-10) == 1);
}

TEST_CASE("operand fill: the same seed gives the same operands, another seed others") {
    for (precision p : {precision::int8, precision::fp8, precision::bf16, precision::fp64}) {
        CAPTURE(aaco::to_string(p));
        const auto a = kernels::random_operand_values(p, 4096, 42);
        const auto b = kernels::random_operand_values(p, 4096, 42);
        const auto c = kernels::random_operand_values(p, 4096, 43);
        CHECK(a == b);
        CHECK(a != c);
        CHECK(kernels::random_operand_bytes(p, 4096, 42) == kernels::random_operand_bytes(p, 4096, 42));
    }
}

TEST_CASE("operand fill: chained-FMA multipliers are never +-1") {
    for (precision p : {precision::bf16, precision::fp16, precision::fp32, precision::fp64}) {
        CAPTURE(aaco::to_string(p));
        kernels::operand_rng rng(99);
        double largest = 0;
        for (int i = 0; i < 100000; ++i) {
            const double a = kernels::random_multiplier_value(p, rng);
            CHECK(std::fabs(a) < 1);
            CHECK(kernels::round_operand(p, a) == a);
            largest = std::max(largest, std::fabs(a));
        }
        CHECK(largest > 0.99); // still spans the whole range
    }
    kernels::operand_rng rng(1);
    CHECK_THROWS_AS(kernels::random_multiplier_value(precision::int8, rng), aaco::invalid_argument);
}

TEST_CASE("operand fill: encodings of exact values") {
    unsigned char b[8] = {};
    auto u16 = [&] { std::uint16_t h; std::memcpy(&h, b, 2); return h; };
    kernels::encode_operand(precision::fp16, 1.0, b);
    CHECK(u16() == 0x3c00);
    kernels::encode_operand(precision::fp16, -0.5, b);
    CHECK(u16() == 0xb800);
    kernels::encode_operand(precision::fp16, 0x1.0p-24, b); // smallest subnormal
    CHECK(u16() == 0x0001);
    kernels::encode_operand(precision::fp16, 0x1.ffcp-1, b); // largest below 1
    CHECK(u16() == 0x3bff);
    kernels::encode_operand(precision::bf16, -1.0, b);
    CHECK(u16() == 0xbf80);
    kernels::encode_operand(precision::fp8, 1.0, b);
    CHECK(b[0] == 0x38);
    kernels::encode_operand(precision::fp8, -0.0625, b); // -2^-4
    CHECK(b[0] == 0x98); // sign, exponent field 3 (= -4 + 7), fraction 0
    kernels::encode_operand(precision::fp8, 0x1.0p-9, b); // smallest subnormal
    CHECK(b[0] == 0x01);
    kernels::encode_operand(precision::fp8, 0.875 * 0x1.0p-6, b); // largest subnormal 7 x 2^-9
    CHECK(b[0] == 0x07);
    kernels::encode_operand(precision::int8, -128, b);
    CHECK(static_cast<std::int8_t>(b[0]) == -128);
    kernels::encode_operand(precision::tf32, 0.75, b);
    float f;
    std::memcpy(&f, b, 4);
    CHECK(f == 0.75f);
    // every E4M3 value in [-1, 1] round-trips through its code
    for (double v : e4m3_values()) {
        if (std::fabs(v) > 1) continue;
        kernels::encode_operand(precision::fp8, v, b);
        const int e = (b[0] >> 3) & 0xf, m = b[0] & 7;
        const double mag = e == 0 ? std::ldexp(m, -9) : std::ldexp(8 + m, e - 10);
        CHECK(((b[0] & 0x80) ? -mag : mag) == v);
    }
    // not exact, or outside [-1, 1] for a narrow float: refused
    CHECK_THROWS_AS(kernels::encode_operand(precision::fp16, 0.1, b), aaco::invalid_argument);
    CHECK_THROWS_AS(kernels::encode_operand(precision::fp8, 2.0, b), aaco::invalid_argument);
    CHECK_THROWS_AS(kernels::encode_operand(precision::int8, 0.5, b), aaco::invalid_argument);
    CHECK(kernels::operand_bytes(precision::tf32) == 4);
    CHECK(kernels::random_operand_bytes(precision::bf16, 10, 1).size() == 20);
    // the distribution strings a runner reports
    CHECK(kernels::operand_distribution(precision::int8, aaco::operand_mode::random) == "uniform int8 [-128, 127]");
    CHECK(kernels::operand_distribution(precision::fp8, aaco::operand_mode::random) == "uniform [-1, 1]");
    CHECK(kernels::operand_distribution(precision::fp8, aaco::operand_mode::zero) == "zero");
}
