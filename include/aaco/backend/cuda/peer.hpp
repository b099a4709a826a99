/// \file backend/cuda/peer.hpp
/// \brief Peer-to-peer access between CUDA devices: query, enable/disable, peer copies, and a
/// cross-stream wait (for timing two concurrent copies with one pair of events). Include
/// <aaco/backend/backend.hpp>, not this file.
///
/// The HIP twin (backend/hip/peer.hpp) has the same API. Outside a CUDA compilation this header
/// is empty.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/cuda/runtime.hpp>

#include <cuda_runtime.h>

#include <cstddef>
#include <string>

AACO_NAMESPACE_BEGIN
namespace backend {

/// What the runtime says about the ordered pair src -> dst.
struct peer_info {
    bool access = false;   ///< src can map dst's memory (cudaDeviceCanAccessPeer)
    /// The link kind; empty on CUDA, whose runtime does not tell NVLink from PCIe (NVML does).
    std::string link;
    int hops = -1;         ///< -1: unknown
    /// cudaDevP2PAttrPerformanceRank: relative link performance, lower is better; -1 unknown.
    int performance_rank = -1;
};

/// Peer facts of src -> dst (both must exist; src != dst).
inline peer_info query_peer(int src, int dst) {
    detail::require_device(src);
    detail::require_device(dst);
    if (src == dst) throw invalid_argument("query_peer: src and dst are both device " + std::to_string(src));
    peer_info info;
    int can = 0;
    AACO_BACKEND_CHECK(cudaDeviceCanAccessPeer(&can, src, dst));
    info.access = can != 0;
    if (info.access) {
        int rank = -1;
        if (cudaDeviceGetP2PAttribute(&rank, cudaDevP2PAttrPerformanceRank, src, dst) == cudaSuccess)
            info.performance_rank = rank;
        else
            (void)cudaGetLastError();
    }
    return info;
}

/// Lets `device` access `peer`'s memory. Returns true when this call enabled it, false when it
/// was already enabled (by the application: then leave it enabled). Restores the current device.
inline bool enable_peer_access(int device, int peer) {
    const int previous = detail::current_device_or_unknown();
    set_device(device);
    const cudaError_t e = cudaDeviceEnablePeerAccess(peer, 0);
    bool enabled = true;
    if (e == cudaErrorPeerAccessAlreadyEnabled) {
        (void)cudaGetLastError();
        enabled = false;
    }
    if (previous >= 0) (void)cudaSetDevice(previous);
    if (e != cudaErrorPeerAccessAlreadyEnabled) AACO_BACKEND_CHECK(e);
    return enabled;
}

/// Undoes enable_peer_access(device, peer). Restores the current device.
inline void disable_peer_access(int device, int peer) {
    const int previous = detail::current_device_or_unknown();
    set_device(device);
    const cudaError_t e = cudaDeviceDisablePeerAccess(peer);
    if (previous >= 0) (void)cudaSetDevice(previous);
    AACO_BACKEND_CHECK(e);
}

/// Asynchronous copy of `bytes` from `src` on `src_device` to `dst` on `dst_device`, on `s`.
inline void memcpy_peer_async(void* dst, int dst_device, const void* src, int src_device,
                              std::size_t bytes, native_stream s) {
    if (bytes != 0)
        AACO_BACKEND_CHECK(cudaMemcpyPeerAsync(dst, dst_device, src, src_device, bytes, s));
}

/// Work enqueued on `s` after this call waits until `e` (recorded on any stream of any device)
/// has completed.
inline void stream_wait_event(native_stream s, const event& e) {
    AACO_BACKEND_CHECK(cudaStreamWaitEvent(s, e.get(), 0));
}

} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_CUDA
