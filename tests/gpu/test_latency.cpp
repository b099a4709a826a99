// The latency ladder on a real device: every chase verified (each lane's final pointer against
// the host's cycle, inside chase_runner::launch, which throws on a mismatch), latencies ordered
// L1 < L2 < HBM < host link and shared < L2, the warp variant, the sweep's points, and the
// near/far L2 split where the device has two partitions.
#include <aaco/backend/backend.hpp>
#include <aaco/probes/latency.hpp>

#include <doctest/doctest.h>

#include "skip.hpp"

#include <map>
#include <string>
#include <vector>

#if !AACO_BACKEND_NONE
namespace {

bool have_device(const char* what) {
    if (aaco::backend::device_count() == 0) {
        aaco::test::skip(std::string("no GPU: ") + what);
        return false;
    }
    aaco::backend::set_device(0);
    return true;
}

} // namespace

TEST_CASE("latency: every level's chase is verified and the levels are ordered") {
    if (!have_device("latency ladder")) return;
    const aaco::device_info dev = aaco::backend::query_device(0);
    aaco::backend::stream s;
    const auto cfg = aaco::probes::latency_sampling::quick();
    std::map<aaco::memory_level, aaco::latency_figure> got;
    for (const auto& plan : aaco::kernels::latency_levels(dev, aaco::backend::device_memory().free_bytes)) {
        CAPTURE(std::string(aaco::to_string(plan.level)));
        const aaco::latency_figure f = aaco::probes::measure_latency(plan, 1, cfg, s);
        MESSAGE(std::string(aaco::to_string(f.level)) << ": " << f.ns << " ns, " << f.cycles << " cycles at "
                << f.clock_mhz << " MHz; " << f.method);
        CHECK(f.ns > 0);
        CHECK(f.cycles > 1);
        CHECK(f.stats.samples >= 3);
        CHECK(f.cycle_stats.samples == f.stats.samples);
        CHECK(f.ns == doctest::Approx(f.cycles / f.clock_mhz * 1e3).epsilon(0.05));
        // The in-kernel clock is a real clock: within a wide band of the runtime's maximum.
        CHECK(f.clock_mhz > 0.2 * dev.max_clock_mhz);
        CHECK(f.clock_mhz < 1.5 * dev.max_clock_mhz);
        got[f.level] = f;
    }
    using L = aaco::memory_level;
    REQUIRE(got.count(L::l1));
    REQUIRE(got.count(L::l2));
    REQUIRE(got.count(L::hbm));
    CHECK(got[L::l1].ns < got[L::l2].ns);
    CHECK(got[L::l2].ns < got[L::hbm].ns);
    CHECK(got[L::shared].ns < got[L::l2].ns);
    if (got.count(L::llc)) {
        CHECK(got[L::l2].ns < got[L::llc].ns);
        CHECK(got[L::llc].ns < got[L::hbm].ns);
    }
    REQUIRE(got.count(L::host_to_device));
    CHECK(got[L::hbm].ns < got[L::host_to_device].ns);
}

TEST_CASE("latency: one warp/wavefront with a chain per lane is verified per lane") {
    if (!have_device("latency warp variant")) return;
    const aaco::device_info dev = aaco::backend::query_device(0);
    aaco::backend::stream s;
    const unsigned lanes = aaco::probes::warp_lanes(dev);
    for (const auto& plan : aaco::kernels::latency_levels(dev, aaco::backend::device_memory().free_bytes)) {
        if (plan.level == aaco::memory_level::host_to_device || plan.level == aaco::memory_level::hbm) continue;
        CAPTURE(std::string(aaco::to_string(plan.level)));
        aaco::kernels::chase_runner r(plan, lanes);
        r.prepare();
        for (int i = 0; i < 3; ++i) {
            const aaco::kernels::chase_sample one = r.launch(s, aaco::kernels::min_chase_hops);
            CHECK(one.cycles > 1);
        }
    }
}

TEST_CASE("latency sweep: small, L2-sized and HBM-sized working sets rise in latency") {
    if (!have_device("latency sweep")) return;
    const aaco::device_info dev = aaco::backend::query_device(0);
    aaco::backend::stream s;
    const std::vector<std::uint64_t> sizes = {8 << 10, dev.l2_bytes / 16, 8 * std::max(dev.l2_bytes, dev.llc_bytes)};
    const auto r = aaco::probes::latency_sweep(dev, sizes, aaco::probes::latency_sampling::quick(), s);
    REQUIRE(r.points.size() == 3);
    for (const auto& p : r.points) MESSAGE(p.working_set_bytes << " B: " << p.ns << " ns, warp " << p.warp_ns << " ns");
    CHECK(r.points[0].ns < r.points[1].ns);
    CHECK(r.points[1].ns < r.points[2].ns);
    CHECK(r.points[0].warp_ns > 0);
    CHECK(r.knees.size() >= 1);
}

TEST_CASE("latency: near and far L2 partition where the device has two") {
    if (!have_device("L2 partitions")) return;
    const aaco::device_info dev = aaco::backend::query_device(0);
    const auto plan = aaco::kernels::l2_partition_plan(dev);
    if (!plan) {
        aaco::test::skip("latency: " + dev.arch + " has one L2 latency class per chaser");
        return;
    }
    aaco::backend::stream s;
    std::string why;
    const auto figures = aaco::probes::measure_l2_partitions(*plan, aaco::probes::latency_sampling::quick(), s, why);
    if (figures.empty()) {
        MESSAGE("no near/far split: " << why);  // a measurement, not a failure
        CHECK_FALSE(why.empty());
        return;
    }
    REQUIRE(figures.size() == 2);
    MESSAGE("near " << figures[0].ns << " ns, far " << figures[1].ns << " ns; " << figures[1].method);
    CHECK(figures[0].scope == "near");
    CHECK(figures[1].scope == "far");
    CHECK(figures[0].ns > 0);
    CHECK(figures[0].ns < figures[1].ns);
}
#endif
