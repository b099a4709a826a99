/// \file probes/peer.hpp
/// \brief The peer-to-peer bandwidth matrix of a node: for every ordered pair of devices with
/// peer access, the unidirectional copy rate src -> dst and the bidirectional rate (src -> dst
/// and dst -> src at once, on one stream of each device), timed with device events.
///
/// A sample is `copies_per_sample` back-to-back copies of `bytes`; the figure is the median of
/// `samples` samples (after one discarded warm-up sample), with the usual statistics. Each
/// device holds one send and one receive buffer; after the unidirectional samples the first and
/// last 4 KiB of the receive buffer are read back and compared with the sender's byte pattern,
/// so a copy that silently moved nothing cannot report a rate. Peer access enabled here is
/// disabled again at the end (access the application had enabled is left alone).
#pragma once
#include <aaco/backend/backend.hpp>
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/fleet/node.hpp>
#include <aaco/stats/stopping_rule.hpp>
#include <aaco/stats/summary.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace probes {

/// How the P2P matrix is sampled.
struct p2p_config {
    /// Bytes per copy. Untuned: chosen because 64 MiB is far beyond any L2/Infinity Cache and
    /// takes ~150 us even at NVLink 4 rates (~450 GB/s), so per-copy overhead stays small.
    std::size_t bytes = std::size_t{64} << 20;
    /// Copies per timed sample. Untuned: 8 x 64 MiB = 512 MiB is >= 1 ms per sample on every
    /// link, well above event resolution.
    int copies_per_sample = 8;
    /// Timed samples per figure (median reported). Untuned.
    int samples = 10;
    /// CoV at or below which a figure counts as stable.
    double stable_cov = 0.01;

    /// Quick mode: 32 MiB x 4 copies, 5 samples.
    static p2p_config quick() {
        p2p_config c;
        c.bytes = std::size_t{32} << 20;
        c.copies_per_sample = 4;
        c.samples = 5;
        return c;
    }
};

#if !AACO_BACKEND_NONE
namespace peer_detail {

/// The byte every device's send buffer is filled with (distinct per device, never 0).
inline unsigned char pattern_of(int device) { return static_cast<unsigned char>(0x5A ^ (device + 1)); }

/// One device's share of the measurement: a stream, a send and a receive buffer.
struct device_slot {
    int id = -1;
    std::unique_ptr<backend::stream> stream;
    backend::device_buffer<unsigned char> send;
    backend::device_buffer<unsigned char> recv;
};

inline device_slot make_slot(int id, std::size_t bytes) {
    backend::set_device(id);
    device_slot s;
    s.id = id;
    s.stream = std::make_unique<backend::stream>();
    s.send = backend::device_buffer<unsigned char>(bytes);
    s.recv = backend::device_buffer<unsigned char>(bytes);
    const std::vector<unsigned char> fill(bytes, pattern_of(id));
    s.send.copy_from_host(fill.data(), bytes);
    s.recv.zero(s.stream->get());
    s.stream->synchronize();
    return s;
}

/// Peer access this probe turned on, turned off again on destruction.
class access_guard {
public:
    access_guard() = default;
    access_guard(const access_guard&) = delete;
    access_guard& operator=(const access_guard&) = delete;
    ~access_guard() {
        for (const auto& [device, peer] : enabled_) {
            try {
                backend::disable_peer_access(device, peer);
            } catch (const std::exception&) {
                // A destructor must not throw; the process keeps a harmless mapping.
            }
        }
    }
    void enable(int device, int peer) {
        if (backend::enable_peer_access(device, peer)) enabled_.emplace_back(device, peer);
    }

private:
    std::vector<std::pair<int, int>> enabled_;
};

/// GB/s of `copies` x `bytes` x `directions` moved in `ms`.
inline double gbps(std::size_t bytes, int copies, int directions, double ms) {
    return static_cast<double>(bytes) * copies * directions / (ms * 1e6);
}

/// Times src -> dst alone; returns GB/s per sample.
inline double time_unidirectional(device_slot& src, device_slot& dst, const p2p_config& cfg) {
    backend::set_device(src.id);
    backend::event start, stop;
    const backend::native_stream s = src.stream->get();
    start.record(s);
    for (int k = 0; k < cfg.copies_per_sample; ++k)
        backend::memcpy_peer_async(dst.recv.data(), dst.id, src.send.data(), src.id, cfg.bytes, s);
    stop.record(s);
    stop.synchronize();
    return gbps(cfg.bytes, cfg.copies_per_sample, 1, stop.elapsed_ms_since(start));
}

/// Times src -> dst and dst -> src at once: src's stream starts both (dst's stream waits on the
/// start event) and ends after both (it waits on dst's done event). Returns GB/s, both
/// directions' bytes summed.
inline double time_bidirectional(device_slot& a, device_slot& b, const p2p_config& cfg) {
    backend::set_device(b.id);
    backend::event b_done;
    backend::set_device(a.id);
    backend::event start, stop;
    const backend::native_stream sa = a.stream->get();
    const backend::native_stream sb = b.stream->get();
    start.record(sa);
    backend::stream_wait_event(sb, start);
    for (int k = 0; k < cfg.copies_per_sample; ++k) {
        backend::memcpy_peer_async(b.recv.data(), b.id, a.send.data(), a.id, cfg.bytes, sa);
        backend::memcpy_peer_async(a.recv.data(), a.id, b.send.data(), b.id, cfg.bytes, sb);
    }
    b_done.record(sb);
    backend::stream_wait_event(sa, b_done);
    stop.record(sa);
    stop.synchronize();
    return gbps(cfg.bytes, cfg.copies_per_sample, 2, stop.elapsed_ms_since(start));
}

/// Throws runtime_error unless the head and tail of dst's receive buffer hold src's pattern.
inline void verify_copy(const device_slot& src, const device_slot& dst, std::size_t bytes) {
    const std::size_t n = bytes < 4096 ? bytes : 4096;
    std::vector<unsigned char> head(n), tail(n);
    backend::set_device(dst.id);
    dst.recv.copy_to_host(head.data(), n);
    backend::memcpy_async(tail.data(), dst.recv.data() + (bytes - n), n, dst.stream->get());
    dst.stream->synchronize();
    for (std::size_t i = 0; i < n; ++i)
        if (head[i] != pattern_of(src.id) || tail[i] != pattern_of(src.id))
            throw runtime_error("peer copy " + std::to_string(src.id) + " -> " +
                                    std::to_string(dst.id) + " did not deliver the data (byte " +
                                    std::to_string(i) + " of the head/tail differs)",
                                0);
}

/// Median-of-N sampling of `time_one` (one warm-up sample discarded).
template <class TimeOne>
sample_stats sample(const p2p_config& cfg, TimeOne&& time_one) {
    (void)time_one();  // warm-up: first copies pay for mapping and clock ramp
    std::vector<double> v;
    for (int i = 0; i < cfg.samples; ++i) v.push_back(time_one());
    sample_stats st = stats::summarize(v).to_sample_stats(
        cfg.stable_cov, 0,
        static_cast<std::uint64_t>(cfg.samples) * static_cast<std::uint64_t>(cfg.copies_per_sample));
    st.stable = stats::figure_stable(v, cfg.stable_cov);
    return st;
}

} // namespace peer_detail

/// Measures the P2P matrix of `ids` (each pair once per direction). A pair without peer access
/// is listed with peer_access = false; a pair whose measurement fails carries the error; neither
/// stops the others. Throws only when the devices themselves cannot be set up.
inline fleet::p2p_matrix measure_p2p(const std::vector<int>& ids, const p2p_config& cfg = {}) {
    if (cfg.bytes < 4096 || cfg.copies_per_sample < 1 || cfg.samples < 1)
        throw invalid_argument("p2p_config: bytes must be >= 4096 and copies_per_sample, samples >= 1");
    fleet::p2p_matrix m;
    m.devices = ids;
    m.bytes_per_copy = cfg.bytes;
    m.copies_per_sample = cfg.copies_per_sample;
    if (ids.size() < 2) return m;
    const int previous = backend::current_device();
    std::vector<peer_detail::device_slot> slots;
    for (int id : ids) slots.push_back(peer_detail::make_slot(id, cfg.bytes));
    peer_detail::access_guard guard;
    for (std::size_t i = 0; i < slots.size(); ++i) {
        for (std::size_t j = 0; j < slots.size(); ++j) {
            if (i == j) continue;
            fleet::p2p_cell c;
            c.src = slots[i].id;
            c.dst = slots[j].id;
            try {
                const backend::peer_info info = backend::query_peer(c.src, c.dst);
                c.peer_access = info.access;
                c.link = info.link;
                c.hops = info.hops;
                if (c.peer_access) {
                    guard.enable(c.src, c.dst);
                    const bool back = backend::query_peer(c.dst, c.src).access;
                    if (back) guard.enable(c.dst, c.src);
                    c.unidirectional_stats = peer_detail::sample(cfg, [&] {
                        return peer_detail::time_unidirectional(slots[i], slots[j], cfg);
                    });
                    c.unidirectional_gbps = c.unidirectional_stats.median;
                    peer_detail::verify_copy(slots[i], slots[j], cfg.bytes);
                    if (back) {
                        c.bidirectional_stats = peer_detail::sample(cfg, [&] {
                            return peer_detail::time_bidirectional(slots[i], slots[j], cfg);
                        });
                        c.bidirectional_gbps = c.bidirectional_stats.median;
                    } else {
                        c.error = "no peer access " + std::to_string(c.dst) + " -> " +
                                  std::to_string(c.src) + ": bidirectional not measured";
                    }
                }
            } catch (const std::exception& e) {
                c.unidirectional_gbps = c.bidirectional_gbps = std::numeric_limits<double>::quiet_NaN();
                c.error = e.what();
            }
            m.cells.push_back(std::move(c));
        }
    }
    backend::set_device(previous);
    return m;
}
#endif

} // namespace probes
AACO_NAMESPACE_END
