// Per-launch clock pairing (stats/clock_pairing.hpp): the clock-adjusted efficiency of a compute
// figure is the median of rate_i / peak(clock_i) over its launches (issue 9, defect 2).
#include <aaco/stats/clock_pairing.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace aaco;

namespace {
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
// H200 wgmma fp16: 4096 FLOP/clk/SM, 132 SMs.
constexpr double fpc = 4096;
constexpr int sms = 132;

double peak(double mhz) { return stats::peak_tflops_at(fpc, sms, mhz); }

/// The method issue 9 found wrong: the median rate over the peak at the last launch's clock.
double old_efficiency(const std::vector<double>& tflops, const std::vector<double>& clocks) {
    return stats::summarize(tflops).median / peak(clocks.back());
}

/// Deterministic uniform numbers in [0, 1) (xorshift64).
class uniform {
public:
    explicit uniform(std::uint64_t seed) : s_(seed) {}
    double operator()() {
        s_ ^= s_ << 13;
        s_ ^= s_ >> 7;
        s_ ^= s_ << 17;
        return static_cast<double>(s_ >> 11) / static_cast<double>(1ull << 53);
    }
private:
    std::uint64_t s_;
};
} // namespace

TEST_SUITE("stats.clock_pairing") {

TEST_CASE("peak at a clock: units x FLOPs/clk/unit x clock") {
    CHECK(stats::peak_tflops_at(4096, 132, 1830) == doctest::Approx(989.4).epsilon(0.001));
    CHECK(stats::peak_tflops_at(0, 132, 1830) == 0);
}

TEST_CASE("a power-capped sequence: the old method reads above 100%, pairing never does") {
    // The clock moves between launches, as under a power cap; every launch runs at 99% of the
    // peak at its own clock. Most launches run at 1700 MHz, the last one at 1500 MHz.
    std::vector<double> clocks, tflops;
    for (int i = 0; i < 20; ++i) clocks.push_back(i % 4 == 3 ? 1500.0 : 1700.0);
    clocks.back() = 1500;
    for (double mhz : clocks) tflops.push_back(0.99 * peak(mhz));
    // Old: median rate (at 1700) over the peak at the last clock (1500) = 0.99 x 1700 / 1500.
    CHECK(old_efficiency(tflops, clocks) == doctest::Approx(0.99 * 1700 / 1500));
    CHECK(old_efficiency(tflops, clocks) > 1.0);
    const stats::paired_efficiency p = stats::pair_launches(tflops, clocks, fpc, sms, 0.01);
    CHECK(p.efficiency.samples == 20);
    CHECK(p.efficiency.median == doctest::Approx(0.99));
    CHECK(p.efficiency.max <= 1.0);
    CHECK(p.efficiency.min == doctest::Approx(0.99));
    CHECK(p.efficiency.cov < 1e-12);
    CHECK(p.efficiency.stable);
    CHECK(p.clock_mhz == 1700);  // median of the per-launch clocks
    CHECK(p.clock_adjusted_peak_tflops == doctest::Approx(peak(1700)));
    CHECK(stats::summarize(tflops).median <= p.clock_adjusted_peak_tflops);
}

TEST_CASE("pairs with every ratio <= 1 never report an efficiency above 100%") {
    uniform u(2026);
    int old_above = 0;
    for (int trial = 0; trial < 2000; ++trial) {
        const std::size_t n = 2 + static_cast<std::size_t>(u() * 40);  // odd and even counts
        std::vector<double> clocks(n), tflops(n);
        for (std::size_t i = 0; i < n; ++i) {
            clocks[i] = 1000 + 1000 * u();            // 1.0-2.0 GHz, launch to launch
            const double ratio = 1.0 - 0.2 * u();     // (0.8, 1.0]: at most the peak
            tflops[i] = ratio * peak(clocks[i]);
        }
        if (trial % 3 == 0) tflops[0] = peak(clocks[0]);  // exactly at the peak: ratio 1
        const stats::paired_efficiency p = stats::pair_launches(tflops, clocks, fpc, sms, 0.01);
        REQUIRE(p.efficiency.samples == n);
        CHECK(p.efficiency.median <= 1.0 + 1e-12);
        CHECK(p.efficiency.max <= 1.0 + 1e-12);
        // The figure's median rate over the peak at the median clock stays <= 1 as well.
        CHECK(stats::summarize(tflops).median <= p.clock_adjusted_peak_tflops * (1 + 1e-12));
        if (old_efficiency(tflops, clocks) > 1.0) ++old_above;
    }
    // The old method exceeds 100% on a good share of the same sequences.
    CHECK(old_above > 100);
}

TEST_CASE("launches without a clock are left out; none at all gives no efficiency") {
    const std::vector<double> tflops = {800, 810, 790, 805};
    const std::vector<double> clocks = {1600, nan_v, 0, 1610};
    const stats::paired_efficiency p = stats::pair_launches(tflops, clocks, fpc, sms, 0.01);
    CHECK(p.efficiency.samples == 2);
    CHECK(p.clock_mhz == doctest::Approx(1605));
    CHECK_FALSE(p.efficiency.stable);  // 2 samples: never stable
    const stats::paired_efficiency none =
        stats::pair_launches(tflops, std::vector<double>(4, nan_v), fpc, sms, 0.01);
    CHECK(none.efficiency.samples == 0);
    CHECK_FALSE(none.efficiency.measured());
    CHECK(std::isnan(none.clock_mhz));
    CHECK(std::isnan(none.clock_adjusted_peak_tflops));
}

TEST_CASE("unknown instruction rate: the clock is kept, no efficiency") {
    const stats::paired_efficiency p =
        stats::pair_launches({1, 2, 3}, {1500, 1600, 1700}, 0, sms, 0.01);
    CHECK(p.clock_mhz == 1600);
    CHECK(std::isnan(p.clock_adjusted_peak_tflops));
    CHECK(p.efficiency.samples == 0);
}

TEST_CASE("rates and clocks must pair one to one") {
    CHECK_THROWS_AS(stats::pair_launches({1, 2}, {1500}, fpc, sms, 0.01), aaco::invalid_argument);
}

} // TEST_SUITE
