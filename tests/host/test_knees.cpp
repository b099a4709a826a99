// Capacity-knee detection on synthetic sweeps.
#include <aaco/stats/knees.hpp>

#include <doctest/doctest.h>

using aaco::stats::find_knees;
using aaco::stats::sweep_point;

namespace {
constexpr std::uint64_t mib = 1ull << 20;
}

TEST_CASE("knees: an L2 plateau then HBM gives one knee at the L2 edge") {
    std::vector<sweep_point> s;
    for (std::uint64_t m = 1; m <= 32; m *= 2) s.push_back({m * mib, 14000.0 + static_cast<double>(m)});
    for (std::uint64_t m = 64; m <= 1024; m *= 2) s.push_back({m * mib, 4600.0});
    const auto k = find_knees(s);
    REQUIRE(k.size() == 1);
    CHECK(k[0].last_fast_bytes == 32 * mib);
    CHECK(k[0].first_slow_bytes == 64 * mib);
    CHECK(k[0].plateau_gbps == doctest::Approx(14006.0));  // median of 14001..14032
    CHECK(k[0].after_gbps == doctest::Approx(4600.0));
}

TEST_CASE("knees: two levels give two knees; noise below the threshold gives none") {
    const std::vector<sweep_point> two = {{1 * mib, 14000}, {2 * mib, 13800}, {4 * mib, 13900},
                                          {8 * mib, 10000}, {16 * mib, 9900}, {32 * mib, 9800},
                                          {128 * mib, 4600}, {512 * mib, 4610}};
    const auto k = find_knees(two);
    REQUIRE(k.size() == 2);
    CHECK(k[0].first_slow_bytes == 8 * mib);
    CHECK(k[1].first_slow_bytes == 128 * mib);
    const std::vector<sweep_point> flat = {{1 * mib, 4600}, {2 * mib, 4500}, {4 * mib, 4700}, {8 * mib, 4650}};
    CHECK(find_knees(flat).empty());
    CHECK(find_knees({}).empty());
}

TEST_CASE("knees: bad input is refused") {
    CHECK_THROWS_AS(find_knees({{2 * mib, 1}, {1 * mib, 1}}), aaco::invalid_argument);
    CHECK_THROWS_AS(find_knees({{1 * mib, 1}, {1 * mib, 1}}), aaco::invalid_argument);
    CHECK_THROWS_AS(find_knees({{1 * mib, 0}}), aaco::invalid_argument);
    CHECK_THROWS_AS(find_knees({{1 * mib, std::nan("")}}), aaco::invalid_argument);
    CHECK_THROWS_AS(find_knees({{1 * mib, 1}}, 1.5), aaco::invalid_argument);
    CHECK_THROWS_AS(find_knees({{1 * mib, 1}}, 0.0), aaco::invalid_argument);
}
