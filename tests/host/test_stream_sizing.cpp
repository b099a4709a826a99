// Host tests of the stream kernels' sizing rules, verification arithmetic and how memory figures are
// labelled (no GPU needed).
#include <aaco/io/markdown.hpp>
#include <aaco/kernels/shared_memory.hpp>
#include <aaco/kernels/stream.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
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

TEST_CASE("stream: the L2 roof and the whole-L2 figure are sized per partition and per XCD") {
    aaco::device_info h200;
    h200.vendor = "NVIDIA";
    h200.arch = "sm_90";
    h200.name = "NVIDIA H200";
    h200.compute_units = 132;
    h200.l2_bytes = 60ull << 20; // the runtime's figure on an H200 (KINDS.md: "60 MB of L2")
    // roof: the near-partition plateau, 4 MiB in all; whole: 3/4 of the 60 MiB = 45 MiB
    CHECK(kernels::l2_working_set_bytes(h200, 1).bytes == (4ull << 20));
    const auto whole = kernels::l2_whole_working_set_bytes(h200, 1);
    CHECK(whole.bytes == 45ull << 20);
    CHECK(whole.note.find("whole L2: 45.0 MiB in all") != std::string::npos);
    CHECK(whole.note.find("both partitions") != std::string::npos);
    CHECK(kernels::l2_whole_working_set_bytes(h200, 3).bytes == (15ull << 20));
    CHECK(kernels::l2_working_set_bytes(h200, 1).note.find("near-partition plateau") != std::string::npos);
    aaco::device_info h100 = h200;
    h100.l2_bytes = 50ull << 20;
    CHECK(kernels::l2_whole_working_set_bytes(h100, 1).bytes == (75ull << 20) / 2);

    // MI300X (SPX): 8 XCDs of 4 MiB; the runtime reports one XCD's L2
    aaco::device_info mi300x;
    mi300x.vendor = "AMD";
    mi300x.arch = "gfx942";
    mi300x.name = "AMD Instinct MI300X";
    mi300x.compute_units = 304;
    mi300x.l2_bytes = 4ull << 20;
    mi300x.llc_bytes = 256ull << 20;
    CHECK(kernels::detail::xcd_count(mi300x) == 8);
    CHECK(kernels::detail::stream_groups(mi300x, aaco::memory_level::l2) == 8);
    CHECK(kernels::detail::stream_groups(mi300x, aaco::memory_level::llc) == 1);
    CHECK(kernels::l2_working_set_bytes(mi300x, 1).bytes == (16ull << 20));   // 8 x 2 MiB
    CHECK(kernels::l2_whole_working_set_bytes(mi300x, 1).bytes == (24ull << 20)); // 8 x 3 MiB
    CHECK(kernels::l2_whole_working_set_bytes(mi300x, 1).note.find("each of 8 XCDs") != std::string::npos);
    // MI300A: 6 XCDs
    aaco::device_info mi300a = mi300x;
    mi300a.name = "AMD Instinct MI300A";
    mi300a.compute_units = 228;
    CHECK(kernels::detail::xcd_count(mi300a) == 6);
    CHECK(kernels::l2_whole_working_set_bytes(mi300a, 1).bytes == (18ull << 20));
    // a CPX partition (one XCD, 38 CUs) or an unknown part: the XCD layout is unknown, so the
    // roof is half of one XCD's L2 read by every CU and there is no whole-L2 figure
    aaco::device_info cpx = mi300x;
    cpx.compute_units = 38;
    CHECK(kernels::detail::xcd_count(cpx) == 1);
    CHECK(kernels::l2_working_set_bytes(cpx, 1).bytes == (2ull << 20));
    const auto none = kernels::l2_whole_working_set_bytes(cpx, 1);
    CHECK(none.bytes == 0);
    CHECK(none.note.find("XCD count of this device is unknown") != std::string::npos);
    // gfx90a: one L2 per GCD
    aaco::device_info mi250x;
    mi250x.vendor = "AMD";
    mi250x.arch = "gfx90a";
    mi250x.l2_bytes = 8ull << 20;
    CHECK(kernels::detail::xcd_count(mi250x) == 1);
    CHECK(kernels::l2_whole_working_set_bytes(mi250x, 1).bytes == (6ull << 20));
    // no L2 size: nothing to size
    aaco::device_info bare;
    CHECK(kernels::l2_whole_working_set_bytes(bare, 1).bytes == 0);
    CHECK_THROWS_AS(kernels::l2_whole_working_set_bytes(h200, 0), aaco::invalid_argument);

    // keys and labels of the two scopes
    CHECK(kernels::detail::stream_key(aaco::memory_level::l2, aaco::stream_op::read) == "memory.l2.read");
    CHECK(kernels::detail::stream_key(aaco::memory_level::l2, aaco::stream_op::read, aaco::memory_scope::whole) ==
          "memory.l2_whole.read");
    CHECK(kernels::detail::scope_label(aaco::memory_level::l2, aaco::memory_scope::whole) == "l2 whole");
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


// The index walk itself (every byte once per pass, nothing twice in a round, at every level and
// tuning entry) is tested in tests/host/test_stream_mapping.cpp.

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

TEST_CASE("memory report: the L2 roof and the whole-L2 figure each show their scope and working set") {
    aaco::envelope e;
    aaco::memory_figure roof;
    roof.level = aaco::memory_level::l2;
    roof.gbps = 13000;
    roof.working_set_bytes = 4ull << 20;
    roof.method = "l2 roof: ld.global.cg.v4.u32 x1 in flight per thread";
    aaco::memory_figure whole = roof;
    whole.gbps = 10000;
    whole.scope = aaco::memory_scope::whole;
    whole.working_set_bytes = 45ull << 20;
    whole.method = "l2 whole: ld.global.cg.v4.u32 x1 in flight per thread";
    e.memory = {roof, whole};
    const std::string md = aaco::to_markdown(e);
    CHECK(md.find("| scope | working set |") != std::string::npos);
    CHECK(md.find("| l2 | read | yes | 13000.0 | n/a | n/a | roof | 4.0 MiB |") != std::string::npos);
    CHECK(md.find("| l2 | read |  | 10000.0 | n/a | n/a | whole | 45.0 MiB |") != std::string::npos);
    // the roofline takes the roof figure as L2's ceiling
    CHECK(e.memory_gbps(aaco::memory_level::l2) == 13000);
}
