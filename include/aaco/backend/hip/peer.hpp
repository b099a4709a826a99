/// \file backend/hip/peer.hpp
/// \brief Peer-to-peer access between HIP devices: query (with the xGMI/PCIe link kind and hop
/// count), enable/disable, peer copies, and a cross-stream wait (for timing two concurrent
/// copies with one pair of events). Include <aaco/backend/backend.hpp>, not this file.
///
/// The CUDA twin (backend/cuda/peer.hpp) has the same API. Outside a HIP compilation this header
/// is empty.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_HIP
#include <aaco/backend/hip/runtime.hpp>

#include <hip/hip_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

AACO_NAMESPACE_BEGIN
namespace backend {

/// What the runtime says about the ordered pair src -> dst.
struct peer_info {
    bool access = false;   ///< src can map dst's memory (hipDeviceCanAccessPeer)
    std::string link;      ///< "xgmi", "pcie", ... from hipExtGetLinkTypeAndHopCount; "" unknown
    int hops = -1;         ///< -1: unknown
    int performance_rank = -1; ///< CUDA only; -1 here
};

namespace detail {
/// Name of an HSA link type (hsa_amd_link_info_type_t; hsa_ext_amd.h numbers them 0..4).
inline std::string link_type_name(std::uint32_t t) {
    switch (t) {
    case 0: return "hypertransport";
    case 1: return "qpi";
    case 2: return "pcie";
    case 3: return "infiniband";
    case 4: return "xgmi";
    default: return "link type " + std::to_string(t);
    }
}
} // namespace detail

/// Peer facts of src -> dst (both must exist; src != dst).
inline peer_info query_peer(int src, int dst) {
    detail::require_device(src);
    detail::require_device(dst);
    if (src == dst) throw invalid_argument("query_peer: src and dst are both device " + std::to_string(src));
    peer_info info;
    int can = 0;
    AACO_BACKEND_CHECK(hipDeviceCanAccessPeer(&can, src, dst));
    info.access = can != 0;
    std::uint32_t type = 0, hops = 0;
    if (hipExtGetLinkTypeAndHopCount(src, dst, &type, &hops) == hipSuccess) {
        info.link = detail::link_type_name(type);
        info.hops = static_cast<int>(hops);
    } else {
        (void)hipGetLastError();  // informational only
    }
    return info;
}

/// Lets `device` access `peer`'s memory. Returns true when this call enabled it, false when it
/// was already enabled (by the application: then leave it enabled). Restores the current device.
inline bool enable_peer_access(int device, int peer) {
    const int previous = detail::current_device_or_unknown();
    set_device(device);
    const hipError_t e = hipDeviceEnablePeerAccess(peer, 0);
    bool enabled = true;
    if (e == hipErrorPeerAccessAlreadyEnabled) {
        (void)hipGetLastError();
        enabled = false;
    }
    if (previous >= 0) (void)hipSetDevice(previous);
    if (e != hipErrorPeerAccessAlreadyEnabled) AACO_BACKEND_CHECK(e);
    return enabled;
}

/// Undoes enable_peer_access(device, peer). Restores the current device.
inline void disable_peer_access(int device, int peer) {
    const int previous = detail::current_device_or_unknown();
    set_device(device);
    const hipError_t e = hipDeviceDisablePeerAccess(peer);
    if (previous >= 0) (void)hipSetDevice(previous);
    AACO_BACKEND_CHECK(e);
}

/// Asynchronous copy of `bytes` from `src` on `src_device` to `dst` on `dst_device`, on `s`.
inline void memcpy_peer_async(void* dst, int dst_device, const void* src, int src_device,
                              std::size_t bytes, native_stream s) {
    if (bytes != 0)
        AACO_BACKEND_CHECK(hipMemcpyPeerAsync(dst, dst_device, src, src_device, bytes, s));
}

/// Work enqueued on `s` after this call waits until `e` (recorded on any stream of any device)
/// has completed.
inline void stream_wait_event(native_stream s, const event& e) {
    AACO_BACKEND_CHECK(hipStreamWaitEvent(s, e.get(), 0));
}

} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_HIP
