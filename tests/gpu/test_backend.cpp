// GPU tests of the backend layer (aaco::backend) and the device clocks (aaco::arch).
//
// Tests that need a device start by skipping when there is none. A few tests exercise what must
// also work on a machine without a GPU (error formatting, check(), device_count() and the
// no-device errors); they run everywhere, so a GPU-less build still proves them.
#include <aaco/arch/clock.hpp>
#include <aaco/backend/backend.hpp>

#include <doctest/doctest.h>

#include "skip.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace backend = aaco::backend;

namespace {
bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}
} // namespace

// Kernels live in a named namespace: AACO_KERNEL's hidden visibility needs external linkage.
// They are templates, so every translation unit gets its own instance.
namespace backend_test {

/// Spins one block until its SM/CU clock advanced by `cycles`, then records elapsed cycles and
/// nanoseconds of thread 0 into out[0], out[1].
template <int Unused = 0>
AACO_KERNEL void spin_kernel(std::uint64_t cycles, unsigned long long* out) {
    const std::uint64_t c0 = aaco::arch::sm_cycles();
    const std::uint64_t t0 = aaco::arch::global_ns();
    std::uint64_t c1 = c0;
    while (c1 - c0 < cycles) c1 = aaco::arch::sm_cycles();
    const std::uint64_t t1 = aaco::arch::global_ns();
    if (threadIdx.x == 0 && blockIdx.x == 0) {
        out[0] = static_cast<unsigned long long>(c1 - c0);
        out[1] = static_cast<unsigned long long>(t1 - t0);
    }
}

/// Every thread adds 1 to *counter.
template <int Unused = 0>
AACO_KERNEL void count_kernel(unsigned int* counter) {
    atomicAdd(counter, 1u);
}

/// Does nothing; used to probe launch checks and occupancy.
template <int Unused = 0>
AACO_KERNEL void empty_kernel() {}

} // namespace backend_test

namespace {
using backend_test::count_kernel;
using backend_test::empty_kernel;
using backend_test::spin_kernel;

/// Cycles the clock test spins: ~0.5 ms at typical 1-2 GHz clocks, long against the launch
/// overhead and the global timer's step, short for a test.
constexpr std::uint64_t spin_cycles = 1000000;

bool no_gpu(const char* what) {
    if (backend::device_count() > 0) return false;
    aaco::test::skip(std::string("no GPU: ") + what);
    return true;
}

} // namespace

TEST_SUITE("backend") {

TEST_CASE("backend: a GPU runtime is compiled in, under its own name") {
    CHECK(backend::available);
    CHECK((backend::name == "cuda" || backend::name == "hip"));
}

TEST_CASE("backend: helpers format what the runtimes report (no GPU needed)") {
    namespace d = backend::detail;
    const unsigned char raw[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
                                   0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    CHECK(d::format_uuid(raw) == "GPU-12345678-9abc-def0-0123-456789abcdef");
    // ROCm hands the unique id over as ASCII text; raw bytes fall back to NVIDIA's form.
    const unsigned char text[16] = {'8', 'a', 'f', '7', '0', '5', '2', '5',
                                    '9', '6', '8', '3', '1', '6', '1', 'c'};
    CHECK(d::format_amd_uuid(text) == "GPU-8af705259683161c");
    CHECK(d::format_amd_uuid(raw) == d::format_uuid(raw));
    const unsigned char zero[16] = {};
    CHECK(d::format_amd_uuid(zero).empty());

    CHECK(d::format_pci_bus_id(0, 0x1b, 0) == "0000:1b:00.0");
    CHECK(d::format_pci_bus_id(1, 0xc1, 2) == "0001:c1:02.0");
    CHECK(d::nvidia_arch(9, 0) == "sm_90");
    CHECK(d::nvidia_arch(8, 6) == "sm_86");
    CHECK(d::nvidia_arch(10, 0) == "sm_100");
    CHECK(contains(d::nvidia_rebuild_hint(9, 0), "CMAKE_CUDA_ARCHITECTURES=90a-real"));
    CHECK(contains(d::nvidia_rebuild_hint(8, 0), "CMAKE_CUDA_ARCHITECTURES=80-real"));
    CHECK(d::amd_arch("gfx90a:sramecc+:xnack-") == "gfx90a");
    CHECK(d::amd_arch("gfx942") == "gfx942");
    CHECK(contains(d::amd_rebuild_hint("gfx942"), "GPU_TARGETS=gfx942"));
    CHECK(d::amd_llc_bytes("gfx942") == 256ull * 1024 * 1024);
    CHECK(d::amd_llc_bytes("gfx90a") == 0);

    CHECK(d::chunk_count(0, 10) == 0);
    CHECK(d::chunk_count(10, 10) == 1);
    CHECK(d::chunk_count(11, 10) == 2);
    CHECK(d::bad_device_message(5, 1) == "device 5 does not exist (1 visible)");
    CHECK(d::failure_message("cudaMalloc(&p, n)", "out of memory", 2, "x.hpp", 12, 0) ==
          "cudaMalloc(&p, n) failed: out of memory (code 2) at x.hpp:12 on device 0");
    CHECK(d::failure_message("f()", "bad", 1, "x.hpp", 3, -1) == "f() failed: bad (code 1) at x.hpp:3");
}

TEST_CASE("backend: check() names the call and file:line (no GPU needed)") {
    // 0 is cudaSuccess / hipSuccess; 1 is cudaErrorInvalidValue / hipErrorInvalidValue.
    CHECK_NOTHROW(backend::check(static_cast<backend::native_error>(0), "fine()", "f.cpp", 1));
    bool thrown = false;
    try {
        backend::check(static_cast<backend::native_error>(1), "fake_call(1, 2)", "fake_file.cpp", 1234);
    } catch (const aaco::runtime_error& e) {
        thrown = true;
        const std::string m = e.what();
        INFO(m);
        CHECK(e.code() == 1);
        CHECK(contains(m, "fake_call(1, 2) failed: "));
        CHECK(contains(m, "fake_file.cpp:1234"));
        CHECK(contains(m, "(code 1)"));
    }
    CHECK(thrown);

    // 209 is cudaErrorNoKernelImageForDevice / hipErrorNoBinaryForGpu: the binary lacks the arch.
    thrown = false;
    try {
        backend::check(static_cast<backend::native_error>(209), "launch(k)", "k.cpp", 7);
    } catch (const aaco::unsupported_arch_error& e) {
        thrown = true;
        const std::string m = e.what();
        INFO(m);
        CHECK(contains(m, "launch(k) failed: "));
        CHECK(contains(m, "k.cpp:7"));
        CHECK(contains(m, "rebuild"));
    }
    CHECK(thrown);

    // The macro passes the expression text.
    thrown = false;
    try {
        AACO_BACKEND_CHECK(static_cast<backend::native_error>(1));
    } catch (const aaco::runtime_error& e) {
        thrown = true;
        CHECK(contains(e.what(), "static_cast<backend::native_error>(1)"));
        CHECK(contains(e.what(), "test_backend.cpp:"));
    }
    CHECK(thrown);
}

TEST_CASE("backend: set_device reports missing devices as no_device_error") {
    const int n = backend::device_count(); // must not throw, GPU or not
    CHECK(n >= 0);
    if (n == 0) {
        // Without a GPU, selecting or querying one says so.
        bool thrown = false;
        try {
            backend::set_device(0);
        } catch (const aaco::no_device_error& e) {
            thrown = true;
            CHECK(contains(e.what(), "no GPU"));
        }
        CHECK(thrown);
        CHECK_THROWS_AS(backend::query_device(0), aaco::no_device_error);
        return;
    }
    bool thrown = false;
    try {
        backend::set_device(n);
    } catch (const aaco::no_device_error& e) {
        thrown = true;
        const std::string m = e.what();
        INFO(m);
        CHECK(contains(m, "device " + std::to_string(n) + " does not exist"));
        CHECK(contains(m, "(" + std::to_string(n) + " visible)"));
    }
    CHECK(thrown);
    CHECK_THROWS_AS(backend::set_device(-1), aaco::no_device_error);
    CHECK_THROWS_AS(backend::query_device(n + 3), aaco::no_device_error);
    backend::set_device(0);
    CHECK(backend::current_device() == 0);
}

TEST_CASE("backend: device query fills every field") {
    if (no_gpu("device query")) return;
    backend::set_device(0);
    const aaco::device_info info = backend::query_device(0);
    INFO(info.name << " " << info.arch);
    CHECK(info.id == 0);
    CHECK(!info.name.empty());
    const bool cuda = backend::name == "cuda";
    CHECK(info.vendor == (cuda ? "NVIDIA" : "AMD"));
    CHECK(info.arch.rfind(cuda ? "sm_" : "gfx", 0) == 0);
    CHECK(info.arch.find(':') == std::string::npos);
    CHECK(info.compute_units > 0);
    CHECK(info.max_clock_mhz > 100);
    CHECK(info.max_clock_mhz < 5000);
    CHECK(info.memory_bytes > 0);
    CHECK(info.l2_bytes > 0);
    CHECK(info.shared_bytes_per_unit > 0);
    CHECK(!info.uuid.empty());
    CHECK(info.uuid.rfind("GPU-", 0) == 0);
    CHECK(info.pci_bus_id.size() == 12);
    CHECK(info.driver_version > 0);
    CHECK(info.runtime_version > 0);
    if (cuda) CHECK(info.llc_bytes == 0);

    const backend::memory_info mem = backend::device_memory();
    CHECK(mem.total_bytes > 0);
    CHECK(mem.free_bytes <= mem.total_bytes);
    CHECK(mem.total_bytes <= info.memory_bytes + (std::size_t{1} << 30));
}

TEST_CASE("backend: device_buffer round trip, zero and move") {
    if (no_gpu("device_buffer")) return;
    backend::set_device(0);
    constexpr std::size_t n = 1000;
    std::vector<std::uint32_t> in(n), out(n, 7);
    std::iota(in.begin(), in.end(), 1u);
    backend::device_buffer<std::uint32_t> buf(n);
    CHECK(buf.size() == n);
    CHECK(buf.bytes() == n * sizeof(std::uint32_t));
    CHECK(buf.data() != nullptr);
    buf.copy_from_host(in.data(), n);
    buf.copy_to_host(out.data(), n);
    CHECK(out == in);

    backend::device_buffer<std::uint32_t> moved(std::move(buf));
    CHECK(buf.data() == nullptr);
    CHECK(buf.size() == 0);
    CHECK(moved.size() == n);
    moved.zero();
    backend::synchronize();
    moved.copy_to_host(out.data(), n);
    CHECK(out == std::vector<std::uint32_t>(n, 0));

    CHECK_THROWS_AS(moved.copy_from_host(in.data(), n + 1), aaco::invalid_argument);
    CHECK_THROWS_AS(moved.copy_to_host(out.data(), n + 1), aaco::invalid_argument);
}

TEST_CASE("backend: an impossible allocation throws runtime_error naming the bytes") {
    if (no_gpu("allocation failure")) return;
    backend::set_device(0);
    bool thrown = false;
    try {
        backend::device_buffer<char> huge(std::size_t{1} << 60); // 1 EiB
    } catch (const aaco::runtime_error& e) {
        thrown = true;
        const std::string m = e.what();
        INFO(m);
        CHECK(contains(m, "1152921504606846976 bytes"));
        CHECK(contains(m, "free"));
        CHECK(e.code() != 0);
    }
    CHECK(thrown);
    // A byte count that overflows size_t is refused before asking the runtime.
    CHECK_THROWS_AS(backend::device_buffer<double>(std::numeric_limits<std::size_t>::max() / 2),
                    aaco::runtime_error);
    // The failure must not linger as the thread's last error and fail the next launch check.
    empty_kernel<><<<1, 1>>>();
    CHECK_NOTHROW(AACO_BACKEND_CHECK_LAUNCH("empty_kernel"));
    backend::synchronize();
}

TEST_CASE("backend: a bad launch configuration is reported with the kernel's name") {
    if (no_gpu("launch check")) return;
    backend::set_device(0);
    empty_kernel<><<<1, 4096>>>(); // above every GPU's 1024-thread block limit
    bool thrown = false;
    try {
        AACO_BACKEND_CHECK_LAUNCH("empty_kernel");
    } catch (const aaco::error& e) {
        thrown = true;
        INFO(e.what());
        CHECK(contains(e.what(), "launch of kernel 'empty_kernel' failed"));
    }
    CHECK(thrown);
    backend::synchronize();
}

TEST_CASE("backend: device_sum is exact on known data") {
    if (no_gpu("device_sum")) return;
    backend::set_device(0);
    backend::stream s;
    constexpr std::size_t n = std::size_t{1} << 20;
    // 1..n: every value exact in float (n <= 2^24); the sum n(n+1)/2 is exact in double.
    const double expected = static_cast<double>(n) * static_cast<double>(n + 1) / 2;

    std::vector<float> hf(n);
    std::iota(hf.begin(), hf.end(), 1.0f);
    backend::device_buffer<float> df(n);
    df.copy_from_host(hf.data(), n);
    CHECK(backend::device_sum(df.data(), n, s.get()) == expected);
    // Several chunks (forced small) give the same sum: the host adds the partial sums.
    CHECK(backend::detail::device_sum_chunked<double>(df.data(), n, s.get(), 1000) == expected);
    CHECK(backend::detail::device_sum_chunked<double>(df.data(), n, s.get(), n - 1) == expected);

    std::vector<double> hd(n);
    std::iota(hd.begin(), hd.end(), 1.0);
    backend::device_buffer<double> dd(n);
    dd.copy_from_host(hd.data(), n);
    CHECK(backend::device_sum(dd.data(), n, s.get()) == expected);
    CHECK(backend::device_sum(dd.data(), 10, s.get()) == 55.0);

    // uint32 values whose sum overflows 32 bits: the accumulation must be 64-bit.
    constexpr std::size_t m = (std::size_t{1} << 16) + 3;
    std::vector<std::uint32_t> hu(m, 0xffffffffu);
    backend::device_buffer<std::uint32_t> du(m);
    du.copy_from_host(hu.data(), m);
    CHECK(backend::device_sum(du.data(), m, s.get()) == std::uint64_t{m} * 0xffffffffull);

    CHECK(backend::device_sum(dd.data(), 0, s.get()) == 0.0);
    CHECK_THROWS_AS(backend::device_sum(static_cast<const float*>(nullptr), 5, s.get()),
                    aaco::invalid_argument);
}

TEST_CASE("backend: pinned buffers, async copies and streams") {
    if (no_gpu("pinned buffers")) return;
    backend::set_device(0);
    constexpr std::size_t n = 4096;
    backend::pinned_buffer<float> host(n);
    CHECK(host.size() == n);
    CHECK(host.bytes() == n * sizeof(float));
    for (std::size_t i = 0; i < n; ++i) host[i] = static_cast<float>(i) * 0.5f;
    backend::device_buffer<float> dev(n);
    backend::pinned_buffer<float> back(n);
    backend::stream s;
    backend::memcpy_async(dev.data(), host.data(), dev.bytes(), s.get());
    backend::memcpy_async(back.data(), dev.data(), dev.bytes(), s.get());
    s.synchronize();
    for (std::size_t i = 0; i < n; ++i) REQUIRE(back[i] == host[i]);
}

TEST_CASE("backend: events time a spinning kernel") {
    if (no_gpu("event timing")) return;
    backend::set_device(0);
    backend::stream s;
    backend::device_buffer<unsigned long long> out(2);
    backend::event start, stop;
    start.record(s.get());
    spin_kernel<><<<1, 32, 0, s.get()>>>(spin_cycles, out.data());
    AACO_BACKEND_CHECK_LAUNCH("spin_kernel");
    stop.record(s.get());
    stop.synchronize();
    const float ms = stop.elapsed_ms_since(start);
    unsigned long long r[2] = {};
    out.copy_to_host(r, 2);
    INFO("event ms " << ms << ", in-kernel ns " << r[1]);
    CHECK(ms > 0);
    // The events bracket the kernel, so they cannot see much less time than it measured itself.
    CHECK(static_cast<double>(ms) * 1e6 >= 0.5 * static_cast<double>(r[1]));
}

TEST_CASE("backend: a captured graph replays its kernels") {
    if (no_gpu("graph")) return;
    backend::set_device(0);
    backend::stream s;
    backend::device_buffer<unsigned int> counter(1);
    counter.zero(s.get());
    constexpr int launches_per_graph = 3;
    constexpr int threads = 64;
    backend::graph g = backend::graph::capture(s.get(), [&](backend::native_stream cs) {
        for (int i = 0; i < launches_per_graph; ++i) {
            count_kernel<><<<2, threads / 2, 0, cs>>>(counter.data());
            AACO_BACKEND_CHECK_LAUNCH("count_kernel");
        }
    });
    CHECK(!g.empty());
    s.synchronize();
    unsigned int value = 1;
    counter.copy_to_host(&value, 1);
    CHECK(value == 0); // capturing runs nothing

    constexpr int replays = 10;
    for (int r = 0; r < replays; ++r) g.launch(s.get());
    s.synchronize();
    counter.copy_to_host(&value, 1);
    CHECK(value == static_cast<unsigned int>(replays * launches_per_graph * threads));

    // A throwing enqueue ends the capture; the stream stays usable.
    CHECK_THROWS_AS(backend::graph::capture(s.get(), [] { throw aaco::invalid_argument("x"); }),
                    aaco::invalid_argument);
    count_kernel<><<<1, 1, 0, s.get()>>>(counter.data());
    AACO_BACKEND_CHECK_LAUNCH("count_kernel");
    s.synchronize();
    counter.copy_to_host(&value, 1);
    CHECK(value == static_cast<unsigned int>(replays * launches_per_graph * threads + 1));

    backend::graph empty;
    CHECK_THROWS_AS(empty.launch(s.get()), aaco::invalid_argument);
}

TEST_CASE("backend: occupancy and dynamic shared memory attributes") {
    if (no_gpu("occupancy")) return;
    backend::set_device(0);
    CHECK(backend::max_active_blocks_per_unit(empty_kernel<>, 256, 0) > 0);
    CHECK_NOTHROW(backend::set_max_dynamic_shared_bytes(empty_kernel<>, 32 * 1024));
}

TEST_CASE("arch: in-kernel clocks give a plausible sustained MHz") {
    if (no_gpu("clock intrinsics")) return;
    backend::set_device(0);
    backend::device_buffer<unsigned long long> out(2);
    out.zero();
    spin_kernel<><<<1, 32>>>(spin_cycles, out.data());
    AACO_BACKEND_CHECK_LAUNCH("spin_kernel");
    backend::synchronize();
    unsigned long long r[2] = {};
    out.copy_to_host(r, 2);
    const double cycles = static_cast<double>(r[0]);
    const double ns = static_cast<double>(r[1]);
    const double mhz = ns > 0 ? cycles / ns * 1e3 : 0;
    INFO("cycles " << cycles << ", ns " << ns << ", MHz " << mhz);
    CHECK(cycles >= static_cast<double>(spin_cycles));
    CHECK(ns > 0);
    CHECK(mhz > 100);
    CHECK(mhz < 5000);
}

} // TEST_SUITE
