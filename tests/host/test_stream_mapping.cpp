// Host tests of the stream kernels' index mapping: kernels::detail::stream_walk, the code the
// kernel itself runs, simulated for whole grids at the geometries the runners plan
// (detail::plan_stream_geometry), for every level, every tuning entry, device shapes of 1 to
// 304 SMs/CUs and array sizes that are and are not multiples of anything. Each simulation
// proves, for that geometry:
// - every vector of the array is touched exactly `passes` times (once per pass);
// - no two threads touch the same vector in the same round, a round being one call of the walk
//   (one step of InFlight accesses, or one tail access) with every thread of the grid stepping
//   together: so no access of a round can be an L2 (or L1) hit on another access of that round;
// - every access of block b stays inside its slice (b mod groups);
// - the bytes counted per array (requested_bytes_per_array) are the bytes requested.
#include <aaco/kernels/stream.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace kernels = aaco::kernels;
namespace detail = aaco::kernels::detail;
using aaco::memory_level;
using kernels::stream_mapping;

namespace {

/// What a whole-grid simulation found.
struct walk_report {
    std::uint64_t accesses = 0;     ///< vector accesses made
    std::uint64_t outside = 0;      ///< accesses outside the array or outside the block's slice
    std::uint64_t wrong_count = 0;  ///< vectors not touched exactly `passes` times
    std::uint64_t same_round = 0;   ///< accesses to a vector another thread touched in the same round
    std::uint64_t distinct_in_rounds = 0; ///< sum over rounds of the distinct vectors touched
};

/// Runs stream_walk<M, BlockThreads, InFlight> for every thread of a `grid`-block launch with
/// parameters `p`. "Same round" is checked against the vector's previous access, which is every
/// other access when p.passes <= 2 (the tests use 2 where they check rounds).
template <stream_mapping M, int BlockThreads, int InFlight>
walk_report simulate(const detail::stream_params& p, unsigned grid) {
    const std::uint32_t n = p.vectors;
    std::vector<std::uint32_t> last_round(n, 0); // round + 1 of the latest access, 0 = none
    std::vector<std::uint8_t> count(n, 0);
    walk_report r;
    for (std::uint32_t b = 0; b < grid; ++b) {
        const std::uint64_t lo = static_cast<std::uint64_t>(b % p.groups) * p.slice;
        const std::uint64_t hi = lo + p.slice;
        for (std::uint32_t t = 0; t < static_cast<std::uint32_t>(BlockThreads); ++t) {
            std::uint32_t round = 0;
            auto touch = [&](std::uint32_t v) {
                ++r.accesses;
                if (v >= n || v < lo || v >= hi) {
                    ++r.outside;
                    return;
                }
                if (count[v] > 0 && last_round[v] == round + 1) ++r.same_round;
                last_round[v] = round + 1;
                if (count[v] < 255) ++count[v];
            };
            detail::stream_walk<M, BlockThreads, InFlight>(
                p, b, t, grid,
                [&](const std::uint32_t* idx) {
                    for (int u = 0; u < InFlight; ++u) touch(idx[u]);
                    ++round;
                },
                [&](std::uint32_t i) {
                    touch(i);
                    ++round;
                });
        }
    }
    for (std::uint32_t v = 0; v < n; ++v) r.wrong_count += count[v] == p.passes ? 0 : 1;
    r.distinct_in_rounds = r.accesses - r.same_round;
    return r;
}

/// Checks one simulation's report for `p`.
void check_report(const walk_report& r, const detail::stream_params& p) {
    CHECK(r.outside == 0);
    CHECK(r.wrong_count == 0);
    CHECK(r.same_round == 0);
    CHECK(static_cast<double>(r.accesses) * 16 == detail::requested_bytes_per_array(p));
}

/// A device shape the runners may see.
struct device_shape {
    int units;           ///< SMs/CUs
    int fit;             ///< blocks of 256 threads that fit on one (occupancy)
    std::uint32_t groups; ///< slices at L2 (XCDs on multi-XCD AMD parts)
};

/// Plans `Tuning` at `level` on `d` for `vectors` per array as the runner does, simulates
/// `passes` passes and checks the report. Returns false (after checking that the planner said
/// why) when the geometry cannot exist: a slice smaller than one block's round.
template <class Tuning>
bool check_planned(memory_level level, const device_shape& d, std::uint64_t vectors, std::uint64_t passes,
                   std::uint32_t groups = 1) {
    CAPTURE(d.units);
    CAPTURE(d.fit);
    CAPTURE(vectors);
    CAPTURE(passes);
    CAPTURE(groups);
    CAPTURE(aaco::to_string(level));
    detail::stream_geometry g;
    try {
        g = detail::plan_stream_geometry(level, Tuning::mapping, Tuning::block_threads, Tuning::in_flight,
                                         Tuning::blocks_per_unit, d.fit, d.units, vectors, groups);
    } catch (const aaco::invalid_argument& e) {
        const std::string why = e.what();
        CHECK(why.find("smaller than one block's round") != std::string::npos);
        CHECK(vectors / groups < static_cast<std::uint64_t>(Tuning::block_threads) * Tuning::in_flight);
        return false;
    }
    REQUIRE(g.grid > 0);
    CHECK(g.vectors <= vectors);
    CHECK(g.vectors % groups == 0);
    CHECK(g.grid % groups == 0);
    if (Tuning::mapping == stream_mapping::one_shot) {
        // one block per tile of each slice, the last tile possibly partial
        const std::uint64_t span = static_cast<std::uint64_t>(Tuning::block_threads) * Tuning::in_flight;
        CHECK(g.grid == groups * ((g.vectors / groups + span - 1) / span));
        CHECK(g.blocks_per_unit == 0);
    } else {
        // the whole grid is resident: never more blocks per SM/CU than the tuning asks or fit
        const int most = Tuning::blocks_per_unit > 0 ? std::min(Tuning::blocks_per_unit, d.fit) : d.fit;
        CHECK(g.grid <= static_cast<unsigned>(d.units * most));
        if (g.blocks_per_unit > 0) CHECK(g.grid == static_cast<unsigned>(d.units * g.blocks_per_unit));
    }
    const detail::stream_params p =
        detail::make_stream_params(Tuning::mapping, g.vectors, passes, g.grid, Tuning::block_threads,
                                   Tuning::in_flight, Tuning::chunk_bytes, groups);
    check_report(simulate<Tuning::mapping, Tuning::block_threads, Tuning::in_flight>(p, g.grid), p);
    return true;
}

/// Device shapes: every SM/CU count from 1 to 8, then the counts of real parts (A100 108, H100
/// PCIe 114, H100/H200 132, MI210 104, MI250X GCD 110, MI100 120, MI300A 228, MI300X 304) and a
/// few odd ones between.
std::vector<int> unit_counts() {
    std::vector<int> u;
    for (int i = 1; i <= 8; ++i) u.push_back(i);
    for (int i : {13, 38, 57, 104, 108, 110, 114, 120, 127, 132, 199, 228, 304}) u.push_back(i);
    return u;
}

constexpr std::uint64_t kib_vectors = 1024 / 16;
constexpr std::uint64_t mib_vectors = (1u << 20) / 16;

} // namespace

TEST_CASE("stream mapping: the H200's HBM read reads every byte once per pass and nothing twice in a round") {
    // The geometry of issue 9's defect 1: 132 SMs x 8 blocks, block_chunks of 1 MiB, 1 GiB per
    // array. The old mapping gave 1056 blocks the 1024 chunks of a pass, and blocks b and
    // b + 1024 read the same chunk at once (requested / distinct bytes per round = 1.0304).
    using T = kernels::nvidia_hbm_read_tuning;
    const std::uint64_t vectors = (1ull << 30) / 16;
    const detail::stream_geometry g =
        detail::plan_stream_geometry(memory_level::hbm, T::mapping, T::block_threads, T::in_flight,
                                     T::blocks_per_unit, 8, 132, vectors);
    CHECK(g.grid == 1056);
    CHECK(g.vectors == vectors);
    CHECK(g.note.empty());
    const auto p = detail::make_stream_params(T::mapping, g.vectors, 2, g.grid, T::block_threads, T::in_flight,
                                              T::chunk_bytes);
    CHECK(p.rounds_per_pass == 1); // 1056 pieces of ~0.97 MiB per pass
    const walk_report r = simulate<T::mapping, T::block_threads, T::in_flight>(p, g.grid);
    check_report(r, p);
    CHECK(r.accesses == 2 * vectors);
    MESSAGE("H200 HBM read: requested / distinct bytes per round = "
            << static_cast<double>(r.accesses) / static_cast<double>(r.distinct_in_rounds));
}

TEST_CASE("stream mapping: every HBM tuning entry on every device shape") {
    // HBM runners get 1 GiB or more per array from the sizing; an explicit working set can be
    // anything, so the sizes here are small (and cheap to simulate) as well as awkward: a
    // non-multiple of every piece unit, one pass-piece per block and fewer.
    const std::uint64_t sizes[] = {1, 31, 4097, 100003, mib_vectors + 17};
    for (int units : unit_counts()) {
        for (int fit : {1, 8, 16}) {
            const device_shape d{units, fit, 1};
            for (std::uint64_t v : sizes) {
                // two passes: rounds; three: the pass boundaries inside a launch
                check_planned<kernels::nvidia_hbm_read_tuning>(memory_level::hbm, d, v, 2);
                check_planned<kernels::nvidia_hbm_write_tuning>(memory_level::hbm, d, v, 2);
                check_planned<kernels::nvidia_hbm_copy_tuning>(memory_level::hbm, d, v, 2);
                check_planned<kernels::amd_hbm_stream_tuning>(memory_level::hbm, d, v, 2);
                // one_shot: one pass per launch
                check_planned<kernels::nvidia_hbm_one_shot_tuning>(memory_level::hbm, d, v, 1);
                check_planned<kernels::amd_hbm_one_shot_tuning>(memory_level::hbm, d, v, 1);
            }
            check_planned<kernels::nvidia_hbm_read_tuning>(memory_level::hbm, d, 65537, 3);
            check_planned<kernels::nvidia_hbm_copy_tuning>(memory_level::hbm, d, 65537, 3);
        }
    }
}

TEST_CASE("stream mapping: HBM block_chunks over 64 MiB arrays (more pieces per pass than blocks, and fewer)") {
    using T = kernels::nvidia_hbm_read_tuning;
    for (int units : {1, 7, 64, 132, 228}) {
        const device_shape d{units, 8, 1};
        check_planned<T>(memory_level::hbm, d, 64 * mib_vectors, 2);
        check_planned<T>(memory_level::hbm, d, 64 * mib_vectors - 5, 1);
    }
}

TEST_CASE("stream mapping: every cache-level tuning entry at the sizes the runners pick") {
    for (int units : unit_counts()) {
        for (int fit : {2, 8}) {
            CAPTURE(units);
            CAPTURE(fit);
            // NVIDIA-like: L2 roof (4 MiB), whole L2 of an H100-sized part cut to the shape's
            // scale (the full 45 MiB is simulated below for the H200), LLC-sized arrays.
            const device_shape one{units, fit, 1};
            // (the full 4 MiB roof array is simulated below for the H200 and the H100)
            for (std::uint64_t v : {4 * mib_vectors / 3, mib_vectors + 48, 256 * kib_vectors}) {
                check_planned<kernels::nvidia_cache_stream_tuning>(memory_level::l2, one, v, 2);
                check_planned<kernels::amd_cache_stream_tuning>(memory_level::l2, one, v, 2);
                check_planned<kernels::amd_cache_stream_tuning>(memory_level::llc, one, v, 2);
            }
            // AMD multi-XCD: one slice per XCD (6 on MI300A, 8 on MI300X/MI355X)
            for (std::uint32_t xcds : {6u, 8u}) {
                if (units % static_cast<int>(xcds) != 0) continue;
                const device_shape x{units, fit, xcds};
                for (std::uint64_t per_xcd : {mib_vectors / 2, 64 * kib_vectors + 3})
                    check_planned<kernels::amd_cache_stream_tuning>(memory_level::l2, x, xcds * per_xcd, 2, xcds);
            }
        }
    }
}

TEST_CASE("stream mapping: the runners' own working sets on H200, H100 and MI300X") {
    aaco::device_info h200;
    h200.vendor = "NVIDIA";
    h200.arch = "sm_90";
    h200.name = "NVIDIA H200";
    h200.compute_units = 132;
    h200.l2_bytes = 60ull << 20; // what the runtime reports on the H200
    aaco::device_info h100 = h200;
    h100.name = "NVIDIA H100 80GB HBM3";
    h100.l2_bytes = 50ull << 20;
    aaco::device_info mi300x;
    mi300x.vendor = "AMD";
    mi300x.arch = "gfx942";
    mi300x.name = "AMD Instinct MI300X";
    mi300x.compute_units = 304;
    mi300x.l2_bytes = 4ull << 20;
    mi300x.llc_bytes = 256ull << 20;
    REQUIRE(detail::xcd_count(mi300x) == 8);

    using NC = kernels::nvidia_cache_stream_tuning;
    using AC = kernels::amd_cache_stream_tuning;
    for (const aaco::device_info* dev : {&h200, &h100}) {
        const device_shape d{dev->compute_units, 8, 1};
        CHECK(check_planned<NC>(memory_level::l2, d, kernels::l2_working_set_bytes(*dev, 1).bytes / 16, 2));
        CHECK(check_planned<NC>(memory_level::l2, d, kernels::l2_whole_working_set_bytes(*dev, 1).bytes / 16, 2));
    }
    const std::uint32_t x = detail::stream_groups(mi300x, memory_level::l2);
    const device_shape m{304, 8, x};
    CHECK(check_planned<AC>(memory_level::l2, m, kernels::l2_working_set_bytes(mi300x, 1).bytes / 16, 2, x));
    CHECK(check_planned<AC>(memory_level::l2, m, kernels::l2_whole_working_set_bytes(mi300x, 1).bytes / 16, 2, x));
    const device_shape m1{304, 8, 1};
    CHECK(check_planned<AC>(memory_level::llc, m1, kernels::llc_working_set_bytes(mi300x, 1).bytes / 16, 2));

    // The L2 roof grid is cut where a step of the tuned grid would exceed the array.
    const auto h200_roof = detail::plan_stream_geometry(memory_level::l2, NC::mapping, NC::block_threads,
                                                        NC::in_flight, NC::blocks_per_unit, 8, 132,
                                                        kernels::l2_working_set_bytes(h200, 1).bytes / 16);
    CHECK(h200_roof.blocks_per_unit == 7);
    CHECK(h200_roof.note.find("grid cut from 1056 to 924 blocks") != std::string::npos);
    const auto mi300x_roof = detail::plan_stream_geometry(memory_level::l2, AC::mapping, AC::block_threads,
                                                          AC::in_flight, AC::blocks_per_unit, 8, 304,
                                                          kernels::l2_working_set_bytes(mi300x, 1).bytes / 16, x);
    CHECK(mi300x_roof.blocks_per_unit == 3);
    CHECK(mi300x_roof.groups == 8);
}

namespace {
template <int InFlight>
void check_tune_space(int units, std::uint64_t vectors) {
    // What benchmarks/tune_stream.cu sweeps at HBM (blocks per SM 1, 2, 4 and the most that
    // fit, here up to 16; grid_stride; block_chunks of 64 KiB, 256 KiB, 1 MiB) and at L2
    // (grid_stride; configurations whose round exceeds the array are skipped there), on arrays
    // smaller than its 1 GiB, where a pass has fewer pieces than the grid has blocks.
    CAPTURE(InFlight);
    CAPTURE(units);
    constexpr int bt = 256;
    for (int bpsm : {1, 2, 4, 8, 16}) {
        CAPTURE(bpsm);
        const unsigned grid = static_cast<unsigned>(units * bpsm);
        if (static_cast<std::uint64_t>(grid) * bt * InFlight <= vectors) {
            const auto p = detail::make_stream_params(stream_mapping::grid_stride, static_cast<std::uint32_t>(vectors),
                                                      2, grid, bt, InFlight);
            check_report(simulate<stream_mapping::grid_stride, bt, InFlight>(p, grid), p);
        } else {
            CHECK_THROWS_AS(detail::make_stream_params(stream_mapping::grid_stride,
                                                       static_cast<std::uint32_t>(vectors), 2, grid, bt, InFlight),
                            aaco::invalid_argument);
        }
        for (std::uint64_t chunk : {64ull << 10, 256ull << 10, 1ull << 20}) {
            if (chunk % (16ull * bt * InFlight) != 0) continue;
            CAPTURE(chunk);
            const auto p = detail::make_stream_params(stream_mapping::block_chunks,
                                                      static_cast<std::uint32_t>(vectors), 2, grid, bt, InFlight,
                                                      chunk);
            check_report(simulate<stream_mapping::block_chunks, bt, InFlight>(p, grid), p);
        }
    }
}
} // namespace

TEST_CASE("stream mapping: the tune_stream sweep space") {
    for (int units : {1, 132, 228}) {
        const std::uint64_t v = 3 * mib_vectors + 1; // 3 MiB + 16 B
        check_tune_space<1>(units, v);
        check_tune_space<2>(units, v);
        check_tune_space<4>(units, v);
        check_tune_space<8>(units, v);
        check_tune_space<16>(units, v);
    }
}

TEST_CASE("stream mapping: make_stream_params refuses geometries that would read bytes twice at once") {
    using detail::make_stream_params;
    // 132 x 8 blocks x 256 threads x 1 in flight = 270336 vectors per round > a 4 MiB array
    try {
        make_stream_params(stream_mapping::grid_stride, 262144, 2, 1056, 256, 1);
        FAIL("accepted a round larger than the array");
    } catch (const aaco::invalid_argument& e) {
        const std::string why = e.what();
        CHECK(why.find("270336 vectors") != std::string::npos);
        CHECK(why.find("262144") != std::string::npos);
        CHECK(why.find("at most 1024 blocks") != std::string::npos);
    }
    CHECK_NOTHROW(make_stream_params(stream_mapping::grid_stride, 262144, 2, 1024, 256, 1));
    CHECK_THROWS_AS(make_stream_params(stream_mapping::grid_stride, 0, 1, 132, 256, 4), aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(stream_mapping::grid_stride, 100000, 1, 0, 256, 4), aaco::invalid_argument);
    // groups must divide the grid and the array
    CHECK_THROWS_AS(make_stream_params(stream_mapping::grid_stride, 100000, 1, 12, 256, 4, 0, 8),
                    aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(stream_mapping::grid_stride, 100004, 1, 16, 256, 1, 0, 8),
                    aaco::invalid_argument);
    // chunk_bytes: block_chunks only, a multiple of 16, at most 256 MiB
    CHECK_THROWS_AS(make_stream_params(stream_mapping::grid_stride, 1 << 20, 1, 1, 256, 4, 64 << 10),
                    aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(stream_mapping::block_chunks, 1 << 20, 1, 2, 256, 4, 0),
                    aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(stream_mapping::block_chunks, 1 << 20, 1, 2, 256, 4, 8),
                    aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(stream_mapping::block_chunks, 1 << 20, 1, 2, 256, 4, 1ull << 40),
                    aaco::invalid_argument);
    const auto p = make_stream_params(stream_mapping::block_chunks, 1000, 1, 2, 256, 4, 64ull << 10);
    CHECK(p.rounds_per_pass == 1);
    CHECK(p.piece_units * 2 + p.long_pieces == (1000 + 31) / 32);
    // the planner says why it cannot plan
    CHECK_THROWS_AS(detail::plan_stream_geometry(memory_level::l2, stream_mapping::grid_stride, 256, 4, 0, 8, 132, 1000),
                    aaco::invalid_argument);
    CHECK_THROWS_AS(detail::plan_stream_geometry(memory_level::l2, stream_mapping::grid_stride, 256, 4, 0, 0, 132, 1 << 20),
                    aaco::runtime_error);
    CHECK_THROWS_AS(detail::plan_stream_geometry(memory_level::l2, stream_mapping::grid_stride, 256, 4, 0, 8, 300,
                                                 1 << 20, 8),
                    aaco::invalid_argument);
}

TEST_CASE("stream mapping: one_shot covers a 1 GiB array once with PyTorch's grid, and refuses other geometries") {
    using T = kernels::nvidia_hbm_one_shot_tuning;
    const std::uint64_t vectors = (1ull << 30) / 16;
    const detail::stream_geometry g = detail::plan_stream_geometry(
        memory_level::hbm, T::mapping, T::block_threads, T::in_flight, T::blocks_per_unit, 16, 132, vectors);
    CHECK(g.grid == 262144); // torch.add's grid over 2^28 floats: 128 threads x 2 float4 per block
    CHECK(g.vectors == vectors);
    const auto p = detail::make_stream_params(T::mapping, g.vectors, 1, g.grid, T::block_threads, T::in_flight);
    check_report(simulate<T::mapping, T::block_threads, T::in_flight>(p, g.grid), p);
    // two groups, a partial last tile in each slice
    const auto q = detail::make_stream_params(stream_mapping::one_shot, 2 * 1000, 1, 2 * 4, 128, 2, 0, 2);
    check_report(simulate<stream_mapping::one_shot, 128, 2>(q, 8), q);
    using detail::make_stream_params;
    CHECK_THROWS_AS(make_stream_params(stream_mapping::one_shot, 1000, 2, 4, 128, 2), aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(stream_mapping::one_shot, 1000, 1, 3, 128, 2), aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(stream_mapping::one_shot, 1000, 1, 5, 128, 2), aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(stream_mapping::one_shot, 1000, 1, 4, 128, 2, 4096), aaco::invalid_argument);
    try {
        make_stream_params(stream_mapping::one_shot, 1000, 3, 4, 128, 2);
        FAIL("accepted 3 passes");
    } catch (const aaco::invalid_argument& e) {
        CHECK(std::string(e.what()).find("exactly 1 pass") != std::string::npos);
    }
    CHECK(kernels::to_string(stream_mapping::one_shot) == "one_shot");
}
