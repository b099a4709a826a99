/// \file kernels/empty.hpp
/// \brief The empty kernel and the launch-floor measurements: microseconds per launch of a
/// kernel that does nothing, five ways:
/// - device: N launches queued behind a gate kernel that spins until the host releases it, so
///   the GPU drains a full queue at its own rate; events around the drained launches (not the
///   gate). The device-side floor: what one more kernel costs the GPU when the host is not the
///   bottleneck (envelope::launch_us() reports this one);
/// - enqueue: the host's cost per launch call, timed with steady_clock over small batches of
///   calls made while the gate holds the queue (so no call waits for the GPU);
/// - async: N back-to-back launches on one stream between two events, after a synchronized
///   warm-up (the slower of the host's enqueue rate and the device's drain rate);
/// - sync: N round trips of launch + device synchronize, timed on the host with steady_clock
///   (what a launch costs a program that waits for each kernel);
/// - graph: N launches captured into one graph, replayed between two events.
/// Each function returns one figure per sample (microseconds per launch, the mean over that
/// sample's launches); statistics across samples are the probe's job.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP
#include <aaco/arch/clock.hpp>
#include <aaco/backend/backend.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP

/// A kernel with no parameters and no body, launched as one block of one thread.
template <int Tag = 0>
AACO_KERNEL void empty_kernel() {}

/// What the gate kernel reports in word 1 of its mapped flags.
enum gate_state : std::uint32_t { gate_waiting = 0, gate_opened = 1, gate_timed_out = 2 };

/// The gate: one thread spins until the host stores a non-zero value to `flags[0]` (mapped host
/// memory, read with volatile loads so every poll goes to memory), or until `timeout_ns` of the
/// device's wall clock have passed. It writes gate_opened or gate_timed_out to `flags[1]`. The
/// timeout is the guard against a host that cannot release it: a launch call that blocks on a
/// full queue would otherwise wait forever for a gate that waits for it.
template <int Tag = 0>
AACO_KERNEL void gate_kernel(volatile std::uint32_t* flags, std::uint64_t timeout_ns) {
    const std::uint64_t t0 = arch::global_ns();
    std::uint32_t state = gate_opened;
    while (flags[0] == 0) {
        if (arch::global_ns() - t0 > timeout_ns) {
            state = gate_timed_out;
            break;
        }
    }
    flags[1] = state;
}

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

/// Microseconds of host time between two steady_clock readings.
inline double host_us(std::chrono::steady_clock::time_point t0, std::chrono::steady_clock::time_point t1) {
    return std::chrono::duration<double, std::micro>(t1 - t0).count();
}

/// A closed gate on a stream: launch() enqueues the gate kernel, open() releases it. The
/// destructor opens it too and waits for the device, so an exception between the two never
/// leaves a kernel spinning on (or reading) freed memory.
class gate {
public:
    /// untuned: 0.2 s is ~100x the host time to enqueue a full-depth round (1024 launches x a few
    /// microseconds), and short enough that a round lost to a blocked launch call costs little.
    static constexpr std::uint64_t default_timeout_ns = 200'000'000;

    gate() : flags_(2) {}
    gate(const gate&) = delete;
    gate& operator=(const gate&) = delete;
    ~gate() {
        open();
        try {
            backend::synchronize();
        } catch (...) {
            // A destructor must not throw; a device fault surfaces at the caller's next call.
        }
    }

    /// Closes the gate and enqueues the kernel that waits on it.
    void launch(backend::native_stream s, std::uint64_t timeout_ns = default_timeout_ns) {
        store(0, 0);
        store(1, gate_waiting);
        gate_kernel<><<<1, 1, 0, s>>>(flags_.device(), timeout_ns);
        AACO_BACKEND_CHECK_LAUNCH("gate_kernel");
    }
    /// Releases the gate (the kernel sees the store at its next poll).
    void open() noexcept { store(0, 1); }
    /// What the gate kernel reported; read after the stream was synchronized.
    gate_state state() const {
        return static_cast<gate_state>(static_cast<const volatile std::uint32_t*>(flags_.host())[1]);
    }

private:
    void store(std::size_t i, std::uint32_t v) noexcept {
        static_cast<volatile std::uint32_t*>(flags_.host())[i] = v;
    }
    backend::mapped_buffer<std::uint32_t> flags_;
};

/// One round behind the gate: `depth` launches enqueued in batches of `batch`, each batch timed
/// on the host; then the gate opens and the GPU drains them between two events.
struct gated_round {
    double device_us = 0;            ///< per launch, events around the drained launches
    std::vector<double> enqueue_us;  ///< per launch, one entry per batch of host calls
    bool timed_out = false;          ///< the gate opened by its timeout: the round is void
};

inline gated_round run_gated_round(backend::native_stream s, gate& g, backend::event& start,
                                   backend::event& stop, int depth, int batch,
                                   std::uint64_t timeout_ns = gate::default_timeout_ns) {
    gated_round r;
    r.enqueue_us.reserve(static_cast<std::size_t>(depth / batch + 1));
    g.launch(s, timeout_ns);
    start.record(s);
    for (int done = 0; done < depth; done += batch) {
        const int n = std::min(batch, depth - done);
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) empty_kernel<><<<1, 1, 0, s>>>();
        const auto t1 = std::chrono::steady_clock::now();
        r.enqueue_us.push_back(host_us(t0, t1) / n);
    }
    AACO_BACKEND_CHECK_LAUNCH("empty_kernel");
    stop.record(s);
    g.open();
    stop.synchronize();
    r.timed_out = g.state() != gate_opened;
    r.device_us = us_per_launch(stop.elapsed_ms_since(start), depth);
    return r;
}

/// Gated rounds until `samples` valid ones are in; a round whose gate timed out (the host was
/// blocked, most likely by a full launch queue) is dropped and the depth halved for the rest.
/// Throws runtime_error when even `min_depth` launches time out three times running.
template <class Take>
void gated_rounds(void* stream, int depth, int batch, int samples, Take&& take) {
    constexpr int min_depth = 32;  // untuned: below this a sample is too short to time with events
    const stream_ref s(stream);
    gate g;
    backend::event start, stop;
    // Warm-up: module load and first-launch costs. It also keeps module loading out of the
    // gated rounds: with CUDA's lazy loading, the first launch of a kernel while the gate spins
    // could wait for the device, i.e. for the gate.
    launch_empty(s.get(), depth);
    backend::synchronize();
    int failures_at_min = 0;
    for (int k = 0; k < samples;) {
        const gated_round r = run_gated_round(s.get(), g, start, stop, depth, batch);
        if (!r.timed_out) {
            take(r, depth);
            ++k;
            continue;
        }
        if (depth > min_depth) {
            depth = std::max(min_depth, depth / 2);
        } else if (++failures_at_min >= 3) {
            throw runtime_error("launch_floor: the gate kernel timed out 3 times with " +
                                    std::to_string(depth) +
                                    " launches queued: the device does not see the host's store "
                                    "to mapped memory, or the host cannot enqueue that many",
                                0);
        }
    }
}

} // namespace detail

/// Launches that may wait behind a closed gate without the host's launch call blocking.
/// 512 stays below the ~1000 pending launches per stream after which CUDA's launch call is
/// reported to block (NVIDIA developer forums, "CUDA stream are blocked when launch lots of
/// kernels (>1000)", 2018); launch_floor::queue_depth() measures it on the card at hand, and
/// gated_rounds halves the depth by itself if a round still times out.
inline constexpr int default_gated_depth = 512;
/// Launch calls per host-timed enqueue sample. untuned: 16 calls (~30-60 us) make steady_clock's
/// ~20 ns reading cost negligible while one descheduled call spoils only its own sample.
inline constexpr int default_enqueue_batch = 16;

/// Device-side launch floor: per sample, `launches` empty launches queued behind a closed gate
/// kernel, released once all are enqueued; the figure is the device time between an event after
/// the gate and one after the last launch, over `launches`. nullptr: a stream of its own.
inline std::vector<double> device_us(void* stream, int launches, int samples) {
    detail::require_counts("device_us", launches, samples);
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(samples));
    detail::gated_rounds(stream, launches, launches, samples,
                         [&](const detail::gated_round& r, int) { out.push_back(r.device_us); });
    return out;
}

/// Host enqueue cost: per sample, the host time of `batch` launch calls divided by `batch`,
/// timed with steady_clock while a closed gate holds the queue (`batch` x `batches_per_round`
/// launches per round, fewer than the queue holds, so no call waits for the GPU). Returns
/// `samples` figures.
inline std::vector<double> enqueue_us(void* stream, int batch, int samples,
                                      int batches_per_round = default_gated_depth / default_enqueue_batch) {
    detail::require_counts("enqueue_us", batch, samples);
    detail::require_counts("enqueue_us", batches_per_round, samples);
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(samples));
    const int rounds = (samples + batches_per_round - 1) / batches_per_round;
    detail::gated_rounds(stream, batch * batches_per_round, batch, rounds,
                         [&](const detail::gated_round& r, int) {
                             for (double us : r.enqueue_us)
                                 if (out.size() < static_cast<std::size_t>(samples)) out.push_back(us);
                         });
    return out;
}

/// What queue_depth() found.
struct queue_probe {
    int enqueued = 0;       ///< launch calls made behind the gate
    bool blocked = false;   ///< one call waited for the gate's timeout (the queue was full)
    int blocked_at = -1;    ///< index of the first call that took longer than half the timeout
    double slowest_call_us = 0;
};

/// Measures how many launches a stream takes behind a closed gate before the launch call blocks:
/// up to `max_launches` calls, each timed; a call that waits for the gate's `timeout_ns` marks
/// the limit. Costs up to `timeout_ns` when the limit is reached. For tests and documentation.
inline queue_probe queue_depth(void* stream, int max_launches,
                               std::uint64_t timeout_ns = detail::gate::default_timeout_ns) {
    detail::require_counts("queue_depth", max_launches, 1);
    const detail::stream_ref s(stream);
    detail::launch_empty(s.get(), 1);
    backend::synchronize();
    detail::gate g;
    g.launch(s.get(), timeout_ns);
    queue_probe q;
    const double threshold_us = static_cast<double>(timeout_ns) * 1e-3 / 2;
    for (int i = 0; i < max_launches; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        empty_kernel<><<<1, 1, 0, s.get()>>>();
        const double us = detail::host_us(t0, std::chrono::steady_clock::now());
        q.slowest_call_us = std::max(q.slowest_call_us, us);
        if (us > threshold_us && q.blocked_at < 0) q.blocked_at = i;
        ++q.enqueued;
    }
    AACO_BACKEND_CHECK_LAUNCH("empty_kernel");
    g.open();
    backend::synchronize();
    q.blocked = g.state() == gate_timed_out || q.blocked_at >= 0;
    return q;
}

/// Async launch floor: per sample, `launches` back-to-back empty launches between two events
/// on `stream` (nullptr: a stream of its own). One untimed batch warms up first and is waited
/// for: otherwise the first sample's launches queue behind it and the sample times the device
/// draining a backlog instead of the host feeding it.
inline std::vector<double> async_us(void* stream, int launches, int samples) {
    detail::require_counts("async_us", launches, samples);
    const detail::stream_ref s(stream);
    backend::event start, stop;
    detail::launch_empty(s.get(), launches); // warm-up: module load, first-launch costs
    backend::synchronize();
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
    backend::synchronize();  // the warm-up replay ends before the first timed one is enqueued
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
inline std::vector<double> device_us(void*, int, int) {
    throw unsupported_arch_error("aaco was built without a GPU backend; no launch floor");
}
inline std::vector<double> enqueue_us(void*, int, int, int = 32) {
    throw unsupported_arch_error("aaco was built without a GPU backend; no launch floor");
}
} // namespace launch_floor

#endif

} // namespace kernels
AACO_NAMESPACE_END
