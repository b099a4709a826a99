// GPU tests of the gated launch floor (kernels/empty.hpp, probes/launch.hpp): the gate kernel
// sees the host's store to mapped memory, times out when never released, the default queue depth
// never blocks the host, and every launch mode yields a figure with its method and interval.
// Figures are printed, never asserted: performance belongs in the benchmarks.
#include <aaco/backend/backend.hpp>
#include <aaco/kernels/empty.hpp>
#include <aaco/probes/launch.hpp>
#include <aaco/stats/summary.hpp>

#include <doctest/doctest.h>

#include "skip.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace backend = aaco::backend;
namespace kernels = aaco::kernels;
namespace lf = aaco::kernels::launch_floor;

bool gpu_or_skip() {
    if (backend::device_count() == 0) {
        aaco::test::skip("no GPU device visible");
        return false;
    }
    backend::set_device(0);
    return true;
}

double median(const std::vector<double>& v) { return aaco::stats::summarize(v).median; }

} // namespace

TEST_CASE("mapped_buffer: zero-filled, with a device address") {
    if (!gpu_or_skip()) return;
    backend::mapped_buffer<std::uint32_t> m(4);
    REQUIRE(m.size() == 4);
    REQUIRE(m.host() != nullptr);
    CHECK(m.device() != nullptr);
    for (std::size_t i = 0; i < 4; ++i) CHECK(m.host()[i] == 0u);
    CHECK_THROWS_AS(backend::mapped_buffer<std::uint32_t>(0), aaco::invalid_argument);
    backend::mapped_buffer<std::uint32_t> moved(std::move(m));
    CHECK(moved.size() == 4);
    CHECK(m.size() == 0);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
}

TEST_CASE("gate kernel: opens on the host's store while it runs, times out when never opened") {
    if (!gpu_or_skip()) return;
    backend::stream s;
    {
        lf::detail::gate g;
        g.launch(s.get(), 5'000'000'000ull);  // 5 s: far longer than the test waits
        // Give the kernel time to start spinning, so the store lands while it runs.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        g.open();
        s.synchronize();
        CHECK(g.state() == kernels::gate_opened);
    }
    {
        lf::detail::gate g;
        const auto t0 = std::chrono::steady_clock::now();
        g.launch(s.get(), 20'000'000ull);  // 20 ms, never opened
        s.synchronize();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        CHECK(g.state() == kernels::gate_timed_out);
        CHECK(ms >= 15.0);  // it really waited (the device clock and the host clock roughly agree)
    }
}

TEST_CASE("launch queue: the default gated depth never blocks the host's launch call") {
    if (!gpu_or_skip()) return;
    backend::stream s;
    const lf::queue_probe at_default = lf::queue_depth(s.get(), lf::default_gated_depth + 2);
    CHECK(at_default.enqueued == lf::default_gated_depth + 2);
    CHECK_FALSE(at_default.blocked);
    // Where the limit is on this card and driver (documentation, not an assertion).
    const lf::queue_probe deep = lf::queue_depth(s.get(), 4096);
    MESSAGE("launch queue: " << (deep.blocked ? "the host blocked at launch " + std::to_string(deep.blocked_at)
                                              : std::string("no block up to 4096 launches"))
                             << ", slowest call " << deep.slowest_call_us << " us");
}

TEST_CASE("launch floor: device and enqueue give positive finite per-launch times") {
    if (!gpu_or_skip()) return;
    backend::stream s;
    const std::vector<double> d = lf::device_us(s.get(), 256, 5);
    const std::vector<double> e = lf::enqueue_us(s.get(), 16, 40);
    const std::vector<double> own = lf::device_us(nullptr, 64, 2);
    REQUIRE(d.size() == 5);
    REQUIRE(e.size() == 40);
    REQUIRE(own.size() == 2);
    for (const auto* v : {&d, &e, &own})
        for (double us : *v) {
            CHECK(std::isfinite(us));
            CHECK(us > 0);
            CHECK(us < 1e4);  // 10 ms per empty launch would mean something is badly wrong
        }
    const std::vector<double> a = lf::async_us(s.get(), 2000, 5);
    const std::vector<double> y = lf::sync_us(s.get(), 100, 5);
    MESSAGE("launch floor medians: device " << median(d) << " us, enqueue " << median(e) << " us, async "
                                            << median(a) << " us, sync " << median(y) << " us");
    CHECK_THROWS_AS(lf::device_us(s.get(), 0, 1), aaco::invalid_argument);
    CHECK_THROWS_AS(lf::enqueue_us(s.get(), 16, 0), aaco::invalid_argument);
}

TEST_CASE("measure_launch: every mode yields a figure with its method and the median's interval") {
    if (!gpu_or_skip()) return;
    backend::stream s;
    const aaco::probes::sampling_config cfg = aaco::probes::sampling_config::quick();
    for (aaco::launch_mode m : aaco::all_launch_modes) {
        CAPTURE(aaco::to_string(m));
        const aaco::launch_figure f = aaco::probes::measure_launch(m, cfg, s);
        CHECK(f.mode == m);
        CHECK(f.us > 0);
        CHECK(f.us == f.stats.median);
        CHECK_FALSE(f.method.empty());
        CHECK(f.stats.samples >= 2);
        CHECK(f.stats.median_ci_low <= f.stats.median);
        CHECK(f.stats.median <= f.stats.median_ci_high);
        CHECK(f.stats.p2_5 <= f.stats.p97_5);
        // stable follows the robust rule on the same samples' summary
        const double half = 0.5 * (f.stats.median_ci_high - f.stats.median_ci_low) / f.stats.median;
        if (f.stats.stable) CHECK(half <= cfg.stable_cov);
        MESSAGE(aaco::to_string(m) << ": " << f.us << " us, 95% interval [" << f.stats.median_ci_low << ", "
                                   << f.stats.median_ci_high << "], CoV " << f.stats.cov * 100 << "%, "
                                   << f.stats.samples << " samples, stable " << f.stats.stable);
    }
}
