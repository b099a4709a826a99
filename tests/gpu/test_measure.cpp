// aaco::measure on a real device: on aaco's own stream and on a stream the caller owns
// (backend::stream::borrow, measure_options::on_caller_stream), the work counted is the work done,
// enqueued on the stream that was timed, and a borrowed stream outlives the measurement.
#include <aaco/aaco.hpp>
#include <aaco/backend/backend.hpp>
#include <aaco/probes/memory.hpp>

#include <doctest/doctest.h>

#include "skip.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace measure_test {
/// y[i] = 2 x[i] + launch: each launch leaves its own mark in y, so the last one can be checked.
template <int Unused = 0>
AACO_KERNEL void scale_kernel(const float* x, float* y, std::size_t n, float launch) {
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
        y[i] = 2.0f * x[i] + launch;
}
} // namespace measure_test

namespace {

bool no_gpu(const char* what) {
    if (aaco::backend::device_count() > 0) return false;
    aaco::test::skip(std::string("no GPU: ") + what);
    return true;
}

struct scale_work {
    aaco::backend::device_buffer<float> x, y;
    std::size_t n;
    explicit scale_work(std::size_t count) : x(count), y(count), n(count) {
        std::vector<float> host(n);
        for (std::size_t i = 0; i < n; ++i) host[i] = static_cast<float>(i % 1000);
        x.copy_from_host(host.data(), n);
    }
};

} // namespace

TEST_CASE("measure: times the work on the caller's stream, and leaves that stream alive") {
    if (no_gpu("measure on a borrowed stream")) return;
    aaco::backend::set_device(0);
    const aaco::envelope env = aaco::datasheet_envelope(aaco::find_profile("h200-sxm"));
    scale_work w(1u << 22);
    aaco::backend::stream mine;  // the caller's stream
    for (const bool borrowed : {false, true}) {
        CAPTURE(borrowed);
        std::set<aaco::backend::native_stream> seen;
        int launches = 0;
        auto launch = [&](aaco::backend::native_stream s) {
            seen.insert(s);
            measure_test::scale_kernel<<<264, 256, 0, s>>>(w.x.data(), w.y.data(), w.n,
                                                            static_cast<float>(++launches));
        };
        aaco::measure_options opt;
        opt.quick = true;
        if (borrowed) {
            opt.on_caller_stream = true;
            opt.caller_stream = reinterpret_cast<void*>(mine.get());
        }
        const aaco::measurement_result r =
            aaco::measure(env, launch, 0, 8.0 * static_cast<double>(w.n), aaco::precision::fp32, opt);
        CHECK(r.stats.samples >= 10);
        CHECK(r.achieved_gbps > 0);
        REQUIRE(seen.size() == 1);
        if (borrowed) CHECK(*seen.begin() == mine.get());
        else CHECK(*seen.begin() != mine.get());
        // The last launch's mark is in y: the work counted was done.
        aaco::backend::synchronize();
        std::vector<float> y(w.n);
        w.y.copy_to_host(y.data(), w.n);
        CHECK(y[7] == 2.0f * 7.0f + static_cast<float>(launches));
    }
    // The borrowed stream still works: measure did not destroy it.
    measure_test::scale_kernel<<<1, 32, 0, mine.get()>>>(w.x.data(), w.y.data(), 32, -1.0f);
    AACO_BACKEND_CHECK_LAUNCH("scale_kernel");
    mine.synchronize();
}

TEST_CASE("measure: a borrowed stream object never destroys the caller's stream") {
    if (no_gpu("stream::borrow")) return;
    aaco::backend::set_device(0);
    aaco::backend::stream owner;
    {
        const aaco::backend::stream b = aaco::backend::stream::borrow(owner.get());
        CHECK(b.borrowed());
        CHECK(b.get() == owner.get());
        b.synchronize();
    }
    owner.synchronize();  // still valid after the borrow went out of scope
    const aaco::backend::stream legacy = aaco::backend::stream::borrow(nullptr);
    CHECK(legacy.get() == nullptr);
    legacy.synchronize();
    CHECK_FALSE(owner.borrowed());
}

// A ceiling must hold for the vendor's copy and PyTorch's elementwise shape too: the HBM copy
// and triad figures are the fastest of the tuned kernel and its alternatives (the one_shot
// kernel where the tuned one is not one_shot, the runtime's copy for copy), and the method says
// what the others reached.
TEST_CASE("measure_memory: HBM copy and triad are the fastest of the tuned kernel and the alternatives") {
    if (no_gpu("HBM copy and triad against the alternatives")) return;
    aaco::backend::set_device(0);
    const aaco::device_info dev = aaco::backend::query_device(0);
    aaco::backend::stream s;
    for (aaco::stream_op op : {aaco::stream_op::copy, aaco::stream_op::triad}) {
        CAPTURE(aaco::to_string(op));
        const std::optional<aaco::memory_figure> f = aaco::probes::measure_memory(
            dev, aaco::memory_level::hbm, op, true, aaco::probes::sampling_config::quick(), s, 256u << 20);
        REQUIRE(f);
        CHECK(f->gbps > 0);
        const std::uint64_t arrays = op == aaco::stream_op::copy ? 2 : 3;
        CHECK(f->working_set_bytes == arrays * (256ull << 20));
        const auto alternatives = aaco::probes::detail::hbm_alternatives(op, dev);
        if (op == aaco::stream_op::copy) CHECK(!alternatives.empty()); // the runtime's copy at least
        if (alternatives.empty()) {
            CHECK(f->method.find("the fastest of") == std::string::npos);
            continue;
        }
        const std::size_t n = alternatives.size() + 1;
        CHECK(f->method.find("the fastest of " + std::to_string(n) + " ways") != std::string::npos);
        // the losers are named after "the others:"; the winner's method is its own
        const std::string others = f->method.substr(f->method.find("the others: "));
        std::size_t named = others.find("aaco's tuned kernel") != std::string::npos ? 1 : 0;
        for (const auto& a : alternatives) named += others.find(a.name) != std::string::npos ? 1 : 0;
        CHECK(named == n - 1);
        CHECK(f->method.find("not measured") == std::string::npos);
    }
}
