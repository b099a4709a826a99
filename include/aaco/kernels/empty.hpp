/// \file kernels/empty.hpp
/// \brief The empty kernel and the launch-floor measurements: microseconds per launch of a
/// kernel that does nothing, three ways:
/// - async: N back-to-back launches on one stream between two events (the rate at which the
///   host can feed the GPU; envelope::launch_us() reports this one);
/// - sync: N round trips of launch + device synchronize, timed on the host with steady_clock
///   (what a launch costs a program that waits for each kernel);
/// - graph: N launches captured into one graph, replayed between two events (what is left
///   once the host-side launch cost is taken away).
/// Each function returns one figure per sample (microseconds per launch, the mean over that
/// sample's N launches); statistics across samples are the probe's job.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP
#include <aaco/backend/backend.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP

/// A kernel with no parameters and no body, launched as one block of one thread.
template <int Tag = 0>
AACO_KERNEL void empty_kernel() {}

namespace launch_floor {
namespace detail {

inline void require_counts(const char* fn, int launches, int samples) {
    if (launches < 1 || samples < 1)
        throw invalid_argument(std::string("launch_floor::") + fn +
                               ": launches and samples must be >= 1, got " + std::to_string(launches) +
                               " and " + std::to_string(samples));
}

/// `n` empty launches on `s`. Errors are checked once afterwards, not per launch, to keep the
/// timed loop down to the launches themselves (a launch error stays pending until checked).
inline void launch_empty(backend::native_stream s, int n) {
    for (int i = 0; i < n; ++i) empty_kernel<><<<1, 1, 0, s>>>();
    AACO_BACKEND_CHECK_LAUNCH("empty_kernel");
}

/// The caller's stream, or a stream of our own when the caller passed none (graph capture
/// needs a created stream, and the legacy default stream would serialize with other work).
class stream_ref {
public:
    explicit stream_ref(void* s) {
        if (s == nullptr) own_.emplace();
        s_ = own_ ? own_->get() : static_cast<backend::native_stream>(s);
    }
    backend::native_stream get() const { return s_; }

private:
    std::optional<backend::stream> own_;
    backend::native_stream s_ = nullptr;
};

/// Microseconds per launch when `launches` took `ms` in all.
inline double us_per_launch(double ms, int launches) { return ms * 1e3 / launches; }

} // namespace detail

/// Async launch floor: per sample, `launches` back-to-back empty launches between two events
/// on `stream` (nullptr: a stream of its own). One untimed batch warms up first.
inline std::vector<double> async_us(void* stream, int launches, int samples) {
    detail::require_counts("async_us", launches, samples);
    const detail::stream_ref s(stream);
    backend::event start, stop;
    detail::launch_empty(s.get(), launches); // warm-up: module load, first-launch costs
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(samples));
    for (int k = 0; k < samples; ++k) {
        start.record(s.get());
        detail::launch_empty(s.get(), launches);
        stop.record(s.get());
        stop.synchronize();
        out.push_back(detail::us_per_launch(stop.elapsed_ms_since(start), launches));
    }
    return out;
}

/// Synchronous launch floor: per sample, `launches` round trips of one empty launch followed by
/// a device-wide synchronize, timed on the host with std::chrono::steady_clock.
inline std::vector<double> sync_us(void* stream, int launches, int samples) {
    detail::require_counts("sync_us", launches, samples);
    const detail::stream_ref s(stream);
    detail::launch_empty(s.get(), 1);
    backend::synchronize();
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(samples));
    for (int k = 0; k < samples; ++k) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < launches; ++i) {
            empty_kernel<><<<1, 1, 0, s.get()>>>();
            backend::synchronize();
        }
        const auto t1 = std::chrono::steady_clock::now();
        AACO_BACKEND_CHECK_LAUNCH("empty_kernel");
        out.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / launches);
    }
    return out;
}

/// Graph launch floor: `launches` empty launches captured into one graph; per sample, one
/// replay between two events, divided by `launches`. One untimed replay warms up first.
inline std::vector<double> graph_us(void* stream, int launches, int samples) {
    detail::require_counts("graph_us", launches, samples);
    const detail::stream_ref s(stream);
    const backend::graph g = backend::graph::capture(
        s.get(), [launches](backend::native_stream cs) { detail::launch_empty(cs, launches); });
    backend::event start, stop;
    g.launch(s.get());
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(samples));
    for (int k = 0; k < samples; ++k) {
        start.record(s.get());
        g.launch(s.get());
        stop.record(s.get());
        stop.synchronize();
        out.push_back(detail::us_per_launch(stop.elapsed_ms_since(start), launches));
    }
    return out;
}

} // namespace launch_floor

#else // AACO_BACKEND_NONE

namespace launch_floor {
/// Host-only build: no GPU runtime; the launch-floor functions throw unsupported_arch_error.
inline std::vector<double> async_us(void*, int, int) {
    throw unsupported_arch_error("aaco was built without a GPU backend; no launch floor");
}
inline std::vector<double> sync_us(void*, int, int) {
    throw unsupported_arch_error("aaco was built without a GPU backend; no launch floor");
}
inline std::vector<double> graph_us(void*, int, int) {
    throw unsupported_arch_error("aaco was built without a GPU backend; no launch floor");
}
} // namespace launch_floor

#endif

} // namespace kernels
AACO_NAMESPACE_END
