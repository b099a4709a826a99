// Host tests of the latency ladder: the chase's random cycle and chain layout, the arithmetic of
// one sample (loop overhead, clock), the plan of levels and sweep sizes, the knee finder on
// rising latency curves, the naming of capacities, the near/far class split, the markdown
// (bytes in flight) and the JSON round trip of latency figures and capacities.
#include <aaco/io/json.hpp>
#include <aaco/io/markdown.hpp>
#include <aaco/io/markdown_latency.hpp>
#include <aaco/kernels/latency.hpp>
#include <aaco/probes/latency.hpp>
#include <aaco/stats/knees.hpp>
#include <aaco/stats/latency_classes.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

namespace k = aaco::kernels;
using aaco::kib;
using aaco::mib;

/// Follows next() from `start` until it returns; the number of hops, or 0 if it did not return
/// within `limit` hops. `seen` gets every slot visited.
std::uint64_t cycle_length(const k::chase_cycle& c, std::uint32_t start, std::uint64_t limit, std::vector<bool>& seen) {
    std::uint32_t s = start;
    for (std::uint64_t h = 1; h <= limit; ++h) {
        seen.at(s) = true;
        s = c.next(s);
        if (s == start) return h;
    }
    return 0;
}

aaco::device_info h200() {
    aaco::device_info d;
    d.name = "NVIDIA H200";
    d.vendor = "NVIDIA";
    d.arch = "sm_90";
    d.compute_units = 132;
    d.l2_bytes = 50ull * mib;
    d.memory_bytes = 141ull << 30;
    return d;
}

aaco::device_info mi300x() {
    aaco::device_info d;
    d.name = "AMD Instinct MI300X";
    d.vendor = "AMD";
    d.arch = "gfx942";
    d.compute_units = 304;
    d.l2_bytes = 4ull * mib;
    d.llc_bytes = 256ull * mib;
    d.memory_bytes = 192ull << 30;
    return d;
}

/// A synthetic latency sweep: `levels` (capacity, ns) in increasing order; a working set is
/// served by the first level it fits, with `noise` relative jitter, and a point just past a
/// capacity (up to 1.5x) sits half-way between the two levels.
std::vector<aaco::stats::latency_point> synthetic_sweep(const std::vector<std::pair<std::uint64_t, double>>& levels,
                                                        double memory_ns, std::uint64_t top, double noise,
                                                        unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> jitter(-noise, noise);
    std::vector<aaco::stats::latency_point> out;
    for (std::uint64_t b = 4 * kib; b <= top; b *= 2)
        for (std::uint64_t ws : {b, b + b / 2}) {
            if (ws > top) continue;
            double ns = memory_ns;
            for (std::size_t i = 0; i < levels.size(); ++i) {
                if (ws <= levels[i].first) {
                    ns = levels[i].second;
                    break;
                }
                const double next = i + 1 < levels.size() ? levels[i + 1].second : memory_ns;
                if (ws <= levels[i].first + levels[i].first / 2) {
                    ns = 0.5 * (levels[i].second + next);
                    break;
                }
            }
            out.push_back({ws, ns * (1 + jitter(rng)), std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::quiet_NaN()});
        }
    return out;
}

} // namespace

TEST_SUITE("latency") {

TEST_CASE("chase_cycle: one cycle through every slot, for every size") {
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t n = 1; n <= 130; ++n) sizes.push_back(n);  // every small size, primes included
    for (std::uint64_t n : {251ull, 256ull, 1021ull, 1024ull, 4093ull, 4096ull, 65521ull, 65536ull, 65537ull,
                            (1ull << 20) - 3, 1ull << 20})
        sizes.push_back(n);
    for (std::uint64_t n : sizes) {
        CAPTURE(n);
        const k::chase_cycle c(n, 0x1234 + n);
        REQUIRE(c.slots() == n);
        std::vector<bool> seen(n, false);
        // From any slot, the walk returns after exactly n hops, having seen every slot.
        const auto start = static_cast<std::uint32_t>(n / 2);
        CHECK(cycle_length(c, start, n + 1, seen) == n);
        CHECK(std::count(seen.begin(), seen.end(), true) == static_cast<std::ptrdiff_t>(n));
        // slot_at() lists the walk in order, wrapping around.
        for (std::uint64_t p = 0; p < std::min<std::uint64_t>(n, 64); ++p) CHECK(c.next(c.slot_at(p)) == c.slot_at(p + 1));
        CHECK(c.slot_at(n) == c.slot_at(0));
    }
}

TEST_CASE("chase_cycle: the order is shuffled, and the seed decides it") {
    const k::chase_cycle a(4096, 1), b(4096, 1), c(4096, 2);
    CHECK(a.next_table() == b.next_table());
    CHECK(a.next_table() != c.next_table());
    // Not a stride: few slots point at their neighbour (a sequential chain would have 4095).
    std::size_t neighbours = 0;
    for (std::uint32_t s = 0; s + 1 < 4096; ++s) neighbours += a.next(s) == s + 1;
    CHECK(neighbours < 20);
}

TEST_CASE("chase_cycle: bad sizes are refused with the value") {
    CHECK_THROWS_WITH_AS(k::chase_cycle(0, 1), doctest::Contains("got 0"), aaco::invalid_argument);
    CHECK_THROWS_WITH_AS(k::chase_cycle(1ull << 32, 1), doctest::Contains("4294967296"), aaco::invalid_argument);
}

TEST_CASE("chain layout: slot i holds the address of next(i), stride bytes apart, for every stride") {
    // What chase_fill_kernel writes, done on the host over a fake device address, then walked by
    // address as the kernel walks it.
    for (std::uint64_t stride : {8ull, 64ull, 128ull, 256ull, 4096ull}) {
        for (std::uint64_t n : {1ull, 2ull, 7ull, 64ull, 1000ull}) {
            CAPTURE(stride);
            CAPTURE(n);
            const k::chase_cycle c(n, 7);
            const std::uint64_t base = 0x7f0000000000ull;
            std::vector<std::uint64_t> memory(n * stride / 8, 0);
            for (std::uint64_t i = 0; i < n; ++i) memory[i * stride / 8] = base + c.next_table()[i] * stride;
            std::uint64_t p = base + c.slot_at(0) * stride;
            std::set<std::uint64_t> visited;
            for (std::uint64_t h = 0; h < n; ++h) {
                CHECK((p - base) % stride == 0);
                visited.insert(p);
                p = memory[(p - base) / 8];
            }
            CHECK(visited.size() == n);
            CHECK(p == base + c.slot_at(0) * stride);
            // Where the runner expects a lane after `hops` hops.
            CHECK(c.slot_at(3 * n + 5) == c.slot_at(5));
        }
    }
}

TEST_CASE("chase_sample_from: loop overhead subtracted, the same launch's clock converts") {
    k::chase_record r;
    const std::uint64_t hops = 8192;
    const double latency = 300, overhead = 6, mhz = 1500;
    r.rolled_cycles = static_cast<std::uint64_t>((latency + overhead) * hops);
    r.unrolled_cycles = static_cast<std::uint64_t>((latency + overhead / 8) * hops);
    r.rolled_ns = static_cast<std::uint64_t>(static_cast<double>(r.rolled_cycles) / mhz * 1e3);
    r.unrolled_ns = static_cast<std::uint64_t>(static_cast<double>(r.unrolled_cycles) / mhz * 1e3);
    const k::chase_sample s = k::chase_sample_from(r, hops);
    CHECK(s.cycles == doctest::Approx(latency).epsilon(1e-6));
    CHECK(s.overhead_cycles == doctest::Approx(overhead).epsilon(1e-4));
    CHECK(s.clock_mhz == doctest::Approx(mhz).epsilon(1e-6));
    CHECK(s.ns == doctest::Approx(latency / mhz * 1e3).epsilon(1e-6));
    CHECK(s.seconds == doctest::Approx(static_cast<double>(r.rolled_ns + r.unrolled_ns) * 1e-9));
    // No overhead: both loops take the same time per load.
    k::chase_record flat = r;
    flat.unrolled_cycles = flat.rolled_cycles;
    CHECK(k::chase_sample_from(flat, hops).overhead_cycles == doctest::Approx(0));
    CHECK(k::chase_sample_from(flat, hops).cycles == doctest::Approx(static_cast<double>(r.rolled_cycles) / hops));
}

TEST_CASE("chase_sample_from: a dead clock or a non-positive latency is an error") {
    k::chase_record r{1000, 900, 0, 600};
    CHECK_THROWS_WITH_AS(k::chase_sample_from(r, 8), doctest::Contains("did not advance"), aaco::error);
    k::chase_record fast_rolled{1000, 100, 100, 100}; // the 8-load loop 10x faster per load: impossible
    CHECK_THROWS_WITH_AS(k::chase_sample_from(fast_rolled, 8), doctest::Contains("not positive"), aaco::error);
    CHECK_THROWS_AS(k::chase_sample_from(r, 0), aaco::invalid_argument);
    CHECK_THROWS_AS(k::chase_sample_from(r, 8, 1), aaco::invalid_argument);
}

TEST_CASE("chase_hops_for: at least the minimum, a multiple of the unroll, sized to the target") {
    CHECK(k::chase_hops_for(20.0, 1e-3) == 50000);  // 1 ms at 20 ns
    CHECK(k::chase_hops_for(700.0, 1e-3) == k::min_chase_hops);
    CHECK(k::chase_hops_for(3.0, 1e-3) % k::chase_unroll == 0);
    CHECK(k::chase_hops_for(0.0, 1e-3) == k::min_chase_hops);
    CHECK(k::chase_hops_for(std::nan(""), 1e-3) == k::min_chase_hops);
    CHECK(k::chase_hops_for(1e-9, 10.0) <= (1ull << 30));
}

TEST_CASE("latency_levels: every level of an H200, working sets inside or far past each cache") {
    const auto plans = k::latency_levels(h200(), 140ull << 30);
    std::vector<aaco::memory_level> levels;
    for (const auto& p : plans) levels.push_back(p.level);
    using L = aaco::memory_level;
    CHECK(levels == std::vector<L>{L::l1, L::shared, L::l2, L::hbm, L::host_to_device});
    for (const auto& p : plans) {
        CAPTURE(aaco::to_string(p.level));
        CHECK(p.slots() >= 64);
        CHECK(p.working_set_bytes % p.stride_bytes == 0);
        CHECK(p.stride_bytes >= (p.space == k::chase_space::shared ? 4u : 128u));
    }
    CHECK(plans[0].policy == aaco::arch::chase_policy::l1);
    CHECK(plans[0].working_set_bytes == 8 * kib);
    CHECK(plans[1].space == k::chase_space::shared);
    CHECK(plans[1].slots() == k::shared_chase_slots);
    CHECK(plans[2].policy == aaco::arch::chase_policy::l2);
    CHECK(plans[2].working_set_bytes <= h200().l2_bytes / 8);  // inside one partition
    CHECK(plans[3].working_set_bytes == 200 * mib);            // 4x L2
    CHECK_FALSE(plans[3].warm);
    CHECK(plans[4].space == k::chase_space::mapped_host);
    CHECK(plans[4].policy == aaco::arch::chase_policy::system);
    const auto partitions = k::l2_partition_plan(h200());
    REQUIRE(partitions.has_value());
    CHECK(partitions->working_set_bytes > h200().l2_bytes / 2);
    CHECK(partitions->working_set_bytes < h200().l2_bytes);
}

TEST_CASE("latency_levels: MI300X chases one XCD's L2 and the Infinity Cache; no partitions") {
    const auto plans = k::latency_levels(mi300x(), 190ull << 30);
    using L = aaco::memory_level;
    std::vector<L> levels;
    for (const auto& p : plans) levels.push_back(p.level);
    CHECK(levels == std::vector<L>{L::l1, L::shared, L::l2, L::llc, L::hbm, L::host_to_device});
    CHECK(plans[2].working_set_bytes == 2 * mib);    // half of one XCD's 4 MiB
    CHECK(plans[3].working_set_bytes == 64 * mib);   // a quarter of 256 MiB: far past any XCD L2
    CHECK(plans[4].working_set_bytes == 4 * (260 * mib));
    CHECK_FALSE(k::l2_partition_plan(mi300x()).has_value());
    // A runtime reporting the aggregate L2 does not make the chase's set bigger than one XCD's.
    aaco::device_info agg = mi300x();
    agg.l2_bytes = 32 * mib;
    CHECK(k::latency_levels(agg, 190ull << 30)[2].working_set_bytes == 2 * mib);
}

TEST_CASE("latency_levels: HBM shrinks to the free memory, and is left out below 2x the caches") {
    const auto small = k::latency_levels(h200(), 600 * mib); // (600 - 256) / 2 = 172 MiB usable
    REQUIRE(small.size() == 5);
    CHECK(small[3].level == aaco::memory_level::hbm);
    CHECK(small[3].working_set_bytes == 172 * mib);
    CHECK(small[3].note.find("reduced") != std::string::npos);
    const auto none = k::latency_levels(h200(), 300 * mib);
    for (const auto& p : none) CHECK(p.level != aaco::memory_level::hbm);
}

TEST_CASE("latency sweep sizes: 4 KiB to 4x the last-level cache, powers of two and halves") {
    const auto sizes = aaco::probes::latency_sweep_sizes(h200(), 140ull << 30);
    REQUIRE(sizes.size() > 20);
    CHECK(sizes[0] == 4 * kib);
    CHECK(sizes[1] == 6 * kib);
    CHECK(sizes[2] == 8 * kib);
    CHECK(sizes.back() <= 200 * mib);
    CHECK(sizes.back() * 3 / 2 > 200 * mib);
    CHECK(std::is_sorted(sizes.begin(), sizes.end()));
    CHECK(std::adjacent_find(sizes.begin(), sizes.end()) == sizes.end());
    for (std::uint64_t s : sizes) CHECK(s % k::chase_line_bytes == 0);
    CHECK(aaco::probes::latency_sweep_sizes(mi300x(), 190ull << 30).back() == 1024 * mib);
    CHECK(aaco::probes::latency_sweep_sizes(h200(), 64 * mib).back() <= 32 * mib);  // half the free memory
}

TEST_CASE("latency knees: L1 and L2 steps on an H200-like curve, with noise") {
    // L1 ~33 ns up to 192 KiB, L2 ~150 ns up to 50 MiB, HBM ~480 ns.
    for (unsigned seed = 0; seed < 20; ++seed) {
        CAPTURE(seed);
        const auto sweep = synthetic_sweep({{192 * kib, 33}, {50 * mib, 150}}, 480, 200 * mib, 0.02, seed);
        const auto knees = aaco::stats::find_latency_knees(sweep);
        REQUIRE(knees.size() == 2);
        CHECK(knees[0].last_fast_bytes == 192 * kib);
        CHECK(knees[0].first_slow_bytes == 256 * kib);
        CHECK(knees[0].plateau_ns == doctest::Approx(33).epsilon(0.03));
        CHECK(knees[0].after_ns == doctest::Approx(150).epsilon(0.03));  // the plateau, not the transition point
        CHECK(knees[1].last_fast_bytes == 48 * mib);
        CHECK(knees[1].first_slow_bytes == 64 * mib);
        CHECK(knees[1].after_ns == doctest::Approx(480).epsilon(0.03));
        const auto caps = aaco::stats::name_capacities(knees, 50 * mib, 0);
        REQUIRE(caps.size() == 2);
        CHECK(caps[0].level == aaco::memory_level::l1);
        CHECK(caps[0].queried_bytes == 0);
        CHECK(caps[1].level == aaco::memory_level::l2);
        CHECK(caps[1].low_bytes == 48 * mib);
        CHECK(caps[1].high_bytes == 64 * mib);
        CHECK(caps[1].queried_bytes == 50 * mib);
        CHECK(caps[1].method == "latency sweep");
    }
}

TEST_CASE("latency knees: MI300X-like L1, XCD L2 and Infinity Cache are all named") {
    const auto sweep = synthetic_sweep({{16 * kib, 120}, {4 * mib, 240}, {256 * mib, 500}}, 900, 1024 * mib, 0.01, 3);
    const auto knees = aaco::stats::find_latency_knees(sweep);
    REQUIRE(knees.size() == 3);
    const auto caps = aaco::stats::name_capacities(knees, 4 * mib, 256 * mib);
    REQUIRE(caps.size() == 3);
    CHECK(caps[0].level == aaco::memory_level::l1);
    CHECK(caps[0].high_bytes == 24 * kib);
    CHECK(caps[1].level == aaco::memory_level::l2);
    CHECK(caps[1].low_bytes == 4 * mib);
    CHECK(caps[2].level == aaco::memory_level::llc);
    CHECK(caps[2].low_bytes == 256 * mib);
    CHECK(caps[2].queried_bytes == 256 * mib);
}

TEST_CASE("latency knees: a gradual transition is one knee; flat noise none; a stray knee stays unnamed") {
    using P = aaco::stats::latency_point;
    // 100 -> 130 -> 170 -> 220: each step > 25%, one transition from 1 MiB on.
    const std::vector<P> gradual = {{256 * kib, 100}, {512 * kib, 101}, {1 * mib, 100}, {2 * mib, 130},
                                    {4 * mib, 170},   {8 * mib, 220},   {16 * mib, 221}, {32 * mib, 219}};
    const auto k1 = aaco::stats::find_latency_knees(gradual);
    REQUIRE(k1.size() == 1);
    CHECK(k1[0].last_fast_bytes == 1 * mib);
    CHECK(k1[0].first_slow_bytes == 2 * mib);
    CHECK(k1[0].after_ns == doctest::Approx(220));
    const std::vector<P> flat = {{4 * kib, 30}, {8 * kib, 31}, {16 * kib, 30.5}, {32 * kib, 29}, {64 * kib, 32}};
    CHECK(aaco::stats::find_latency_knees(flat).empty());
    CHECK(aaco::stats::find_latency_knees({}).empty());
    // A falling latency is never a knee.
    CHECK(aaco::stats::find_latency_knees({{4 * kib, 300}, {8 * kib, 100}, {16 * kib, 100}}).empty());
    // H200 near/far: a step at ~24 MiB and the L2 edge at 50 MiB; only the latter is L2.
    const auto two = synthetic_sweep({{192 * kib, 33}, {24 * mib, 150}, {50 * mib, 230}}, 480, 200 * mib, 0.0, 1);
    const auto k2 = aaco::stats::find_latency_knees(two);
    REQUIRE(k2.size() == 3);
    const auto caps = aaco::stats::name_capacities(k2, 50 * mib, 0);
    REQUIRE(caps.size() == 2);
    CHECK(caps[1].level == aaco::memory_level::l2);
    CHECK(caps[1].low_bytes == 48 * mib);
}

TEST_CASE("latency knees: bad input is refused") {
    using P = aaco::stats::latency_point;
    CHECK_THROWS_AS(aaco::stats::find_latency_knees({P{2 * kib, 1}, P{1 * kib, 1}}), aaco::invalid_argument);
    CHECK_THROWS_AS(aaco::stats::find_latency_knees({P{1 * kib, 0}}), aaco::invalid_argument);
    CHECK_THROWS_AS(aaco::stats::find_latency_knees({P{1 * kib, std::nan("")}}), aaco::invalid_argument);
    CHECK_THROWS_AS(aaco::stats::find_latency_knees({P{1 * kib, 1}}, 1.0), aaco::invalid_argument);
    CHECK_THROWS_AS(aaco::stats::find_latency_knees({P{1 * kib, 1}}, std::nan("")), aaco::invalid_argument);
    // The bandwidth finder is unchanged: a falling curve.
    const auto bw = aaco::stats::find_knees({{1 * mib, 14000}, {2 * mib, 13900}, {4 * mib, 4600}, {8 * mib, 4600}});
    REQUIRE(bw.size() == 1);
    CHECK(bw[0].first_slow_bytes == 4 * mib);
}

TEST_CASE("latency classes: near and far L2 loads split; one class does not") {
    std::mt19937 rng(11);
    std::normal_distribution<double> near(262, 6), far(418, 9);
    std::vector<double> mixed;
    for (int i = 0; i < 4500; ++i) mixed.push_back(near(rng));
    for (int i = 0; i < 3600; ++i) mixed.push_back(far(rng));
    for (int i = 0; i < 40; ++i) mixed.push_back(1500 + i);  // misses to memory: outliers
    std::shuffle(mixed.begin(), mixed.end(), rng);
    const auto c = aaco::stats::split_latency_classes(mixed);
    CHECK(c.split);
    CHECK(c.outliers == 40);
    CHECK(c.kept == 8100);
    CHECK(c.low_median == doctest::Approx(262).epsilon(0.01));
    CHECK(c.high_median == doctest::Approx(418).epsilon(0.01));
    CHECK(c.low_share == doctest::Approx(4500.0 / 8100).epsilon(0.01));
    CHECK(c.threshold > 270);  // the slowest near load
    CHECK(c.threshold < 390);

    std::vector<double> one;
    for (int i = 0; i < 8000; ++i) one.push_back(near(rng));
    const auto u = aaco::stats::split_latency_classes(one);
    CHECK_FALSE(u.split);
    CHECK(u.low_median == doctest::Approx(262).epsilon(0.01));
    CHECK(std::isnan(u.high_median));
    // A handful of slow loads is not a class (min_share).
    one.resize(7990);
    for (int i = 0; i < 10; ++i) one.push_back(400);
    CHECK_FALSE(aaco::stats::split_latency_classes(one).split);
    CHECK_FALSE(aaco::stats::split_latency_classes({5, 5, 5, 5}).split);
    CHECK_FALSE(aaco::stats::split_latency_classes({7}).split);
}

TEST_CASE("latency classes: bad input is refused") {
    CHECK_THROWS_AS(aaco::stats::split_latency_classes({}), aaco::invalid_argument);
    CHECK_THROWS_WITH_AS(aaco::stats::split_latency_classes({1, -2}), doctest::Contains("value 1"),
                         aaco::invalid_argument);
    CHECK_THROWS_AS(aaco::stats::split_latency_classes({1, std::nan("")}), aaco::invalid_argument);
    aaco::stats::latency_class_config bad;
    bad.min_ratio = 1.0;
    CHECK_THROWS_AS(aaco::stats::split_latency_classes({1, 2}, bad), aaco::invalid_argument);
}

TEST_CASE("markdown: latency section with bytes in flight = latency x bandwidth") {
    CHECK(aaco::bytes_in_flight(500, 4000) == doctest::Approx(2e6));  // 500 ns x 4000 GB/s = 2 MB
    CHECK(std::isnan(aaco::bytes_in_flight(500, std::nan(""))));
    CHECK(std::isnan(aaco::bytes_in_flight(0, 4000)));
    aaco::envelope e;
    e.device.name = "test card";
    e.device.compute_units = 100;
    aaco::memory_figure hbm;
    hbm.level = aaco::memory_level::hbm;
    hbm.gbps = 4096;
    hbm.stats.samples = 5;
    e.memory.push_back(hbm);
    aaco::latency_figure lh;
    lh.level = aaco::memory_level::hbm;
    lh.ns = 1024;
    lh.cycles = 1700;
    lh.clock_mhz = 1660;
    lh.working_set_bytes = 200 * mib;
    lh.stride_bytes = 128;
    lh.method = "ld.global.cg.u64 pointer chase | 1 thread";
    lh.stats.samples = 7;
    lh.stats.median = 1024;
    lh.cycle_stats.samples = 7;
    lh.cycle_stats.median = 1700;
    aaco::latency_figure l1 = lh;
    l1.level = aaco::memory_level::l1;
    l1.ns = 20;
    e.latency = {lh, l1};
    aaco::capacity_figure cap;
    cap.level = aaco::memory_level::l2;
    cap.low_bytes = 48 * mib;
    cap.high_bytes = 64 * mib;
    cap.queried_bytes = 50 * mib;
    cap.method = "latency sweep";
    e.capacities = {cap};
    const std::string md = aaco::to_markdown(e);
    CHECK(md.find("## Latency") != std::string::npos);
    // 1024 ns x 4096 GB/s = 4194304 bytes = 4.0 MiB; per SM (100) 41943 bytes = 41.0 KiB.
    CHECK(md.find("| hbm | n/a | 1024.0 | 1700.0 | 1660 | 200.0 MiB | 128 B | 4096.0 | 4.0 MiB | 41.0 KiB |") !=
          std::string::npos);
    // L1 has no bandwidth figure: no bytes in flight.
    CHECK(md.find("| l1 | n/a | 20.00 | 1700.0 | 1660 | 200.0 MiB | 128 B | n/a | n/a | n/a |") != std::string::npos);
    CHECK(md.find("1 thread") != std::string::npos);
    CHECK(md.find("pointer chase \\| 1 thread") != std::string::npos);  // method escaped
    CHECK(md.find("latency hbm (cycles)") != std::string::npos);
    CHECK(md.find("| l2 | 48.0 MiB and 64.0 MiB | 50.0 MiB | latency sweep |") != std::string::npos);
    aaco::envelope none;
    const std::string empty = aaco::to_markdown(none);
    CHECK(empty.find("No latency was measured.") != std::string::npos);
    CHECK(empty.find("No capacity was measured") != std::string::npos);
}

TEST_CASE("markdown: the latency sweep report lists points, knees and named capacities") {
    aaco::stats::latency_sweep_result r;
    r.device_name = "NVIDIA H200";
    r.arch = "sm_90";
    r.warp_lanes = 32;
    r.method = "ld.global.ca.u64 pointer chase";
    r.points = synthetic_sweep({{192 * kib, 33}, {50 * mib, 150}}, 480, 200 * mib, 0.0, 1);
    r.knees = aaco::stats::find_latency_knees(r.points);
    r.capacities = aaco::stats::name_capacities(r.knees, 50 * mib, 0);
    const std::string md = aaco::latency_sweep_markdown(r);
    CHECK(md.find("# Latency sweep: NVIDIA H200 (sm_90)") != std::string::npos);
    CHECK(md.find("| 4.0 KiB | 33.00 | n/a | n/a |") != std::string::npos);
    CHECK(md.find("1 warp (32 lanes) ns") != std::string::npos);
    CHECK(md.find("- between 192.0 KiB and 256.0 KiB: 33.00 -> 150.0 ns") != std::string::npos);
    CHECK(md.find("| l2 | 48.0 MiB and 64.0 MiB | 50.0 MiB |") != std::string::npos);
    CHECK(md.find("| l1 | 192.0 KiB and 256.0 KiB | n/a |") != std::string::npos);
}

TEST_CASE("json: latency of every level and capacities round-trip, unknowns as null") {
    aaco::envelope e;
    e.calibration_timestamp = "2026-12-01T12:00:00Z";
    using L = aaco::memory_level;
    for (L level : {L::l1, L::shared, L::l2, L::llc, L::hbm, L::host_to_device}) {
        aaco::latency_figure f;
        f.level = level;
        f.ns = 10 + static_cast<double>(e.latency.size());
        f.cycles = 17 + static_cast<double>(e.latency.size());
        f.clock_mhz = 1700;
        f.working_set_bytes = 8 * kib;
        f.stride_bytes = level == L::shared ? 4 : 128;
        f.method = "chase";
        f.stats.samples = 5;
        f.stats.median = f.ns;
        f.cycle_stats.samples = 5;
        f.cycle_stats.median = f.cycles;
        e.latency.push_back(f);
    }
    aaco::latency_figure near = e.latency[2], far = e.latency[2];
    near.scope = "near";
    far.scope = "far";
    far.ns = 99;
    far.cycles = std::numeric_limits<double>::quiet_NaN();  // unknown: null, read back as NaN
    e.latency.push_back(near);
    e.latency.push_back(far);
    aaco::capacity_figure l1;
    l1.level = L::l1;
    l1.low_bytes = 192 * kib;
    l1.high_bytes = 256 * kib;
    l1.queried_bytes = 0;  // the query reports no L1 size: null
    l1.method = "latency sweep";
    e.capacities.push_back(l1);

    const std::string text = aaco::to_json(e);
    const auto j = nlohmann::json::parse(text);
    CHECK(j["aaco"]["capacities"][0]["queried_bytes"].is_null());
    CHECK(j["aaco"]["latency"][7]["cycles"].is_null());
    CHECK(j["aaco"]["latency"][5]["level"] == "h2d");
    const aaco::envelope b = aaco::envelope_from_json(text);
    REQUIRE(b.latency.size() == e.latency.size());
    for (std::size_t i = 0; i < 6; ++i) {
        CAPTURE(i);
        CHECK(b.latency[i].level == e.latency[i].level);
        CHECK(b.latency[i].ns == e.latency[i].ns);
        CHECK(b.latency[i].cycles == e.latency[i].cycles);
        CHECK(b.latency[i].clock_mhz == e.latency[i].clock_mhz);
        CHECK(b.latency[i].working_set_bytes == e.latency[i].working_set_bytes);
        CHECK(b.latency[i].stride_bytes == e.latency[i].stride_bytes);
        CHECK(b.latency[i].method == "chase");
        CHECK(b.latency[i].stats.samples == 5);
        CHECK(b.latency[i].cycle_stats.median == e.latency[i].cycles);
    }
    CHECK(b.find_latency(L::l2, "far")->ns == 99);
    CHECK(std::isnan(b.find_latency(L::l2, "far")->cycles));
    CHECK(b.find_latency(L::l2, "near")->scope == "near");
    CHECK(b.find_latency(L::l2)->scope.empty());  // the first L2 figure
    CHECK(b.latency_ns(L::l1) == 10);
    CHECK_THROWS_WITH_AS(aaco::envelope{}.latency_ns(L::l1), doctest::Contains("no latency for l1"),
                         aaco::invalid_argument);
    REQUIRE(b.capacities.size() == 1);
    CHECK(b.capacities[0].level == L::l1);
    CHECK(b.capacities[0].queried_bytes == 0);
    CHECK(b.capacities[0].high_bytes == 256 * kib);
}

} // TEST_SUITE
