// Host tests of the stream kernels' sizing rules and verification arithmetic (no GPU needed).
#include <aaco/kernels/stream.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>

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
    CHECK(l2.bytes > h100.l2_bytes / 8);
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

