/// \file backend/detail/peer.hpp
/// \brief Peer-to-peer access between devices, written once for both vendors: query,
/// enable/disable, peer copies, and a cross-stream wait (for timing two concurrent copies with
/// one pair of events). Include <aaco/backend/backend.hpp>, not this file.
///
/// The link facts beyond access come from the vendor's describe_link (backend/cuda/peer.hpp:
/// performance rank; backend/hip/peer.hpp: xGMI/PCIe kind and hops). In a host-only build
/// this header is empty.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/cuda/peer.hpp>
#elif AACO_BACKEND_HIP
#include <aaco/backend/hip/peer.hpp>
#endif

#if !AACO_BACKEND_NONE
#include <aaco/backend/detail/common.hpp>
#include <aaco/backend/detail/runtime.hpp>
#include <aaco/error.hpp>

#include <cstddef>
#include <string>

AACO_NAMESPACE_BEGIN
namespace backend {

/// Peer facts of src -> dst (both must exist; src != dst).
inline peer_info query_peer(int src, int dst) {
    detail::require_device(src);
    detail::require_device(dst);
    if (src == dst) throw invalid_argument("query_peer: src and dst are both device " + std::to_string(src));
    peer_info info;
    int can = 0;
    AACO_BACKEND_CHECK(vendor::can_access_peer(&can, src, dst));
    info.access = can != 0;
    vendor::describe_link(src, dst, info);
    return info;
}

/// Lets `device` access `peer`'s memory. Returns true when this call enabled it, false when it
/// was already enabled (by the application: then leave it enabled). Restores the current device.
inline bool enable_peer_access(int device, int peer) {
    const int previous = detail::current_device_or_unknown();
    set_device(device);
    const native_error e = vendor::enable_peer_access(peer);
    const bool already_enabled = e == vendor::peer_access_already_enabled;
    if (already_enabled) (void)vendor::get_last_error();
    if (previous >= 0) (void)vendor::set_device(previous);
    if (!already_enabled) AACO_BACKEND_CHECK(e);
    return !already_enabled;
}

/// Undoes enable_peer_access(device, peer). Restores the current device.
inline void disable_peer_access(int device, int peer) {
    const int previous = detail::current_device_or_unknown();
    set_device(device);
    const native_error e = vendor::disable_peer_access(peer);
    if (previous >= 0) (void)vendor::set_device(previous);
    AACO_BACKEND_CHECK(e);
}

/// Asynchronous copy of `bytes` from `src` on `src_device` to `dst` on `dst_device`, on `s`.
inline void memcpy_peer_async(void* dst, int dst_device, const void* src, int src_device,
                              std::size_t bytes, native_stream s) {
    if (bytes != 0)
        AACO_BACKEND_CHECK(vendor::copy_peer_async(dst, dst_device, src, src_device, bytes, s));
}

/// Work enqueued on `s` after this call waits until `e` (recorded on any stream of any device)
/// has completed.
inline void stream_wait_event(native_stream s, const event& e) {
    AACO_BACKEND_CHECK(vendor::stream_wait_event(s, e.get()));
}

} // namespace backend
AACO_NAMESPACE_END
#endif // !AACO_BACKEND_NONE
