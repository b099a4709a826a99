// Host tests of the stream kernels' sizing rules and verification arithmetic (no GPU needed).
#include <aaco/kernels/shared_memory.hpp>
#include <aaco/kernels/stream.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace kernels = aaco::kernels;

TEST_CASE("stream: verification expectations (host arithmetic)") {
    using kernels::detail::index_plus_seed_sum;
    using kernels::detail::pattern_sum;
    auto brute_pattern = [](std::uint64_t n, std::uint32_t m) {
        std::uint64_t s = 0;
        for (std::uint64_t i = 0; i < n; ++i) s += i % m;
        return s;
    };
    auto brute_seed = [](std::uint64_t n, std::uint32_t seed) {
        std::uint64_t s = 0;
        for (std::uint64_t i = 0; i < n; ++i) s += static_cast<std::uint32_t>(i + seed);
        return s;
    };
    for (std::uint64_t n : {0ull, 1ull, 2ull, 1020ull, 1021ull, 1022ull, 5000ull, 123457ull}) {
        CHECK(pattern_sum(n, 1021) == brute_pattern(n, 1021));
        CHECK(pattern_sum(n, 509) == brute_pattern(n, 509));
        CHECK(index_plus_seed_sum(n, 7) == brute_seed(n, 7));
        // seeds close to 2^32 make the words wrap
        CHECK(index_plus_seed_sum(n, 0xFFFFFF00u) == brute_seed(n, 0xFFFFFF00u));
    }
}

TEST_CASE("stream: working-set sizing follows the device") {
    aaco::device_info h100;
    h100.vendor = "NVIDIA";
    h100.arch = "sm_90";
    h100.l2_bytes = 50ull << 20;
    const auto hbm = kernels::hbm_working_set_bytes(h100, 80ull << 30, 3);
    CHECK(hbm.bytes == (1ull << 30));
    CHECK(hbm.note.empty());
    const auto small = kernels::hbm_working_set_bytes(h100, 1ull << 30, 3);
    CHECK(small.bytes < (1ull << 30));
    CHECK(small.bytes * 3 <= (1ull << 30));
    CHECK(!small.note.empty());
    const auto l2 = kernels::l2_working_set_bytes(h100, 1);
    CHECK(l2.bytes <= h100.l2_bytes / 4);
    CHECK(l2.bytes <= (4ull << 20));  // the near-partition plateau measured on an H200
    CHECK(l2.bytes > (4ull << 20) - (64ull << 10));
    CHECK(kernels::llc_working_set_bytes(h100).bytes == 0);

    aaco::device_info mi300x;
    mi300x.vendor = "AMD";
    mi300x.arch = "gfx942";
    mi300x.l2_bytes = 4ull << 20;
    mi300x.llc_bytes = 256ull << 20;
    CHECK(kernels::hbm_working_set_bytes(mi300x, 192ull << 30, 3).bytes == 4 * (4ull << 20) + 4 * (256ull << 20));
    CHECK(kernels::l2_working_set_bytes(mi300x, 1).bytes == (2ull << 20));
    CHECK(kernels::llc_working_set_bytes(mi300x, 2).bytes == (64ull << 20));
}

TEST_CASE("stream: cache-level arrays are trimmed so that a thread's walk does not return soon") {
    using kernels::detail::spread_vectors;
    auto distance = [](std::uint64_t m, std::uint64_t advance) {
        std::uint64_t d = m;
        for (std::uint64_t j = 1; j <= 3; ++j) {
            const std::uint64_t r = (j * (advance % m)) % m;
            d = std::min(d, std::min(r, m - r));
        }
        return d;
    };
    struct example {
        std::uint64_t n, advance;
    };
    // MI300X defaults: 2 MiB, 4 x 304 CUs x 8 x 256 threads (an exact multiple of n);
    // H100 defaults: 12.5 MiB, 4 x 132 x 8 x 256; and a few others.
    for (const example e : {example{131072, 2490368}, example{819200, 1081344}, example{262144, 262144},
                            example{100000, 123457}}) {
        CAPTURE(e.n);
        CAPTURE(e.advance);
        const std::uint64_t m = spread_vectors(e.n, e.advance);
        CHECK(m <= e.n);
        CHECK(m + e.n / 8 >= e.n);
        CHECK(distance(m, e.advance) * 8 >= m);
    }
    // long arrays (HBM) are left alone
    CHECK(spread_vectors(1ull << 26, 1081344) == (1ull << 26));
}


namespace {

/// Runs the kernel's index walk (kernels::detail::stream_walk, the code the kernel itself runs)
/// for every thread of a `grid` x 256 launch on the host and returns how often each vector
/// was touched, plus the number of full steps whose slots were not all distinct.
template <kernels::stream_mapping M, int InFlight>
std::vector<std::uint32_t> simulate(std::uint32_t vectors, std::uint64_t passes, unsigned grid,
                                    std::uint64_t chunk_bytes, std::uint64_t& bad_steps) {
    constexpr int threads = 256;
    const auto p = kernels::detail::make_stream_params(vectors, passes, grid, threads, InFlight, chunk_bytes);
    std::vector<std::uint32_t> touched(vectors, 0);
    bad_steps = 0;
    for (unsigned b = 0; b < grid; ++b)
        for (std::uint32_t t = 0; t < threads; ++t)
            kernels::detail::stream_walk<M, threads, InFlight>(
                p, b, t, grid,
                [&](const std::uint32_t* idx) {
                    for (int u = 0; u < InFlight; ++u) {
                        if (idx[u] >= vectors) {
                            ++bad_steps;
                            continue;
                        }
                        ++touched[idx[u]];
                    }
                },
                [&](std::uint32_t i) {
                    if (i >= vectors) ++bad_steps;
                    else ++touched[i];
                });
    return touched;
}

/// True when every vector was touched exactly `passes` times.
bool exactly(const std::vector<std::uint32_t>& touched, std::uint64_t passes) {
    return std::all_of(touched.begin(), touched.end(), [passes](std::uint32_t c) { return c == passes; });
}

template <int InFlight>
void check_geometry(std::uint32_t vectors, std::uint64_t passes, unsigned grid) {
    CAPTURE(vectors);
    CAPTURE(passes);
    CAPTURE(grid);
    CAPTURE(InFlight);
    std::uint64_t bad = 0;
    CHECK(exactly(simulate<kernels::stream_mapping::grid_stride, InFlight>(vectors, passes, grid, 0, bad), passes));
    CHECK(bad == 0);
    for (std::uint64_t chunk : {64ull << 10, 256ull << 10, 16ull * 256 * InFlight, 16ull * 1000}) {
        CAPTURE(chunk);
        CHECK(exactly(simulate<kernels::stream_mapping::block_chunks, InFlight>(vectors, passes, grid, chunk, bad),
                      passes));
        CHECK(bad == 0);
    }
}

} // namespace

TEST_CASE("stream: the index walk touches every vector exactly `passes` times (H200 sweep geometries)") {
    // The geometries whose L2 reads failed verification in the first H200 sweep: 132 SMs x
    // 1, 2, 4 blocks of 256 threads, 15 MiB arrays trimmed as the runner trims them. (That
    // failure was the sweep summing stale per-thread sums of earlier, larger grids; this test
    // shows the walk itself is right for those geometries and for block_chunks.)
    const std::uint32_t l2_vectors = (15u << 20) / 16;
    for (unsigned bpsm : {1u, 2u, 4u}) {
        const unsigned grid = 132 * bpsm;
        auto trimmed = [&](int in_flight) {
            return static_cast<std::uint32_t>(kernels::detail::spread_vectors(
                l2_vectors, static_cast<std::uint64_t>(in_flight) * grid * 256));
        };
        check_geometry<2>(trimmed(2), 2, grid);
        check_geometry<8>(trimmed(8), 2, grid);
    }
    check_geometry<1>((15u << 20) / 16, 3, 132);
    check_geometry<4>((15u << 20) / 16, 2, 132 * 6);
    check_geometry<16>((4u << 20) / 16, 2, 132 * 2);
}

TEST_CASE("stream: the index walk is exact for awkward sizes and many passes") {
    // Fewer vectors than threads, prime counts, chunks that do not divide the array, 127 passes
    // (as the L2 sweep), a grid larger than the chunk count.
    for (std::uint32_t vectors : {1u, 1000u, 4099u, 65537u}) {
        check_geometry<2>(vectors, 127, 132);
        check_geometry<4>(vectors, 3, 132 * 3);
        check_geometry<16>(vectors, 1, 7);
    }
    check_geometry<8>(1000003u, 2, 132 * 2);
}

TEST_CASE("stream: launch parameters reject geometries the kernel cannot run") {
    using kernels::detail::make_stream_params;
    CHECK_THROWS_AS(make_stream_params(0, 1, 132, 256, 4), aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(100, 1, 0, 256, 4), aaco::invalid_argument);
    CHECK_THROWS_AS(make_stream_params(100, 1, 132, 256, 4, 8), aaco::invalid_argument); // not a multiple of 16
    CHECK_THROWS_AS(make_stream_params(100, 1, 132, 256, 4, 1ull << 40), aaco::invalid_argument);
    const auto p = make_stream_params(1000, 1, 2, 256, 4, 64ull << 10);
    CHECK(p.chunk_vectors == 4096);
    CHECK(p.step == (4u * 2 * 256) % 1000);
}

namespace {
// Only the members valid_tuning() reads (a load/store policy would be an unused constant, which
// clang's -Wunused-const-variable rejects under -Werror).
struct bad_chunk_tuning {
    static constexpr int block_threads = 256, blocks_per_unit = 1, in_flight = 8;
    static constexpr kernels::stream_mapping mapping = kernels::stream_mapping::block_chunks;
    static constexpr std::uint64_t chunk_bytes = 1000 * 16; // not a multiple of 256 x 8 x 16
};
} // namespace

TEST_CASE("stream: tuning structs are valid and named") {
    CHECK(kernels::to_string(kernels::stream_mapping::grid_stride) == "grid_stride");
    CHECK(kernels::to_string(kernels::stream_mapping::block_chunks) == "block_chunks");
    CHECK(kernels::detail::valid_tuning<kernels::nvidia_hbm_copy_tuning>());
    CHECK_FALSE(kernels::detail::valid_tuning<bad_chunk_tuning>());
}

TEST_CASE("shared memory: expected per-block sum") {
    std::uint64_t brute = 0;
    for (std::uint32_t i = 0; i < 4 * 2048; ++i) brute += i % 1021;
    CHECK(kernels::detail::shared_buffer_sum(2048) == brute);
}
