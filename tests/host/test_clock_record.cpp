// Host tests of the per-block clock record that every timed kernel family writes
// (kernels/clock_record.hpp): how the records of one launch reduce to a clock_reading and to
// the path of the code that ran. No GPU needed.
#include <aaco/kernels/clock_record.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace kernels = aaco::kernels;
using kernels::block_clock_record;

namespace {
/// A record of `cycles` cycles over `ns` nanoseconds starting at (c0, t0), with `path`.
block_clock_record region(std::uint64_t c0, std::uint64_t cycles, std::uint64_t t0, std::uint64_t ns,
                          std::uint32_t path = 1) {
    aaco::arch::clock_stamp start, end;
    start.cycles = c0;
    start.ns = t0;
    end.cycles = c0 + cycles;
    end.ns = t0 + ns;
    return kernels::make_clock_record(start, end, path);
}
} // namespace

TEST_CASE("clock record: make_clock_record keeps both stamps and the path") {
    const block_clock_record r = region(100, 2000, 5000, 1000, 90);
    CHECK(r.start_cycles == 100);
    CHECK(r.end_cycles == 2100);
    CHECK(r.start_ns == 5000);
    CHECK(r.end_ns == 6000);
    CHECK(r.path == 90);
    CHECK(r.reserved == 0);
}

TEST_CASE("clock record: the block that ran longest gives the clock") {
    // 1.5 GHz for 1 ms, 2.0 GHz for 0.5 ms, 1.8 GHz for 0.9 ms: the 1 ms block wins.
    const std::vector<block_clock_record> rs = {region(0, 1800000, 10, 1000000),
                                                region(7, 1500000, 0, 1000000 + 1),
                                                region(3, 1000000, 20, 500000)};
    const kernels::clock_reading c = kernels::longest_block(rs);
    CHECK(c.nanoseconds == 1000001.0);
    CHECK(c.cycles == 1500000.0);
    CHECK(c.mhz() == doctest::Approx(1500.0).epsilon(1e-5));
    // The pointer form reads the same records.
    CHECK(kernels::longest_block(rs.data(), rs.size()).cycles == c.cycles);
}

TEST_CASE("clock record: records that measured nothing are skipped") {
    std::vector<block_clock_record> rs = {
        block_clock_record{},                 // never written / compiled-out body
        region(50, 0, 0, 4000000),            // no cycles elapsed: a stopped counter, not 0 MHz
        region(0, 100, 900, 0),               // no time elapsed
    };
    // A backwards counter (end before start) is nonsense too.
    block_clock_record backwards = region(0, 10, 0, 10);
    backwards.end_cycles = 0;
    rs.push_back(backwards);
    const kernels::clock_reading none = kernels::longest_block(rs);
    CHECK(none.nanoseconds == 0);
    CHECK(std::isnan(none.mhz()));

    rs.push_back(region(0, 2100, 0, 1000)); // the only real measurement
    CHECK(kernels::longest_block(rs).mhz() == doctest::Approx(2100.0));
    CHECK(std::isnan(kernels::longest_block(std::vector<block_clock_record>{}).mhz()));
}

TEST_CASE("clock record: common_path is 0 when any block ran a compiled-out body") {
    CHECK(kernels::common_path({}) == 0);
    CHECK(kernels::common_path({region(0, 1, 0, 1, 90), region(0, 1, 0, 1, 90)}) == 90);
    CHECK(kernels::common_path({region(0, 1, 0, 1, 90), region(0, 1, 0, 1, 80)}) == 80);
    CHECK(kernels::common_path({region(0, 1, 0, 1, 90), block_clock_record{}}) == 0);
}
