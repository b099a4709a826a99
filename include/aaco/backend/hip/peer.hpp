/// \file backend/hip/peer.hpp
/// \brief The HIP half of backend::query_peer: what the runtime tells about a device link beyond
/// access (its xGMI/PCIe kind and hop count). The rest of the peer API is written once in
/// backend/detail/peer.hpp. Include <aaco/backend/backend.hpp>, not this file.
///
/// Outside a HIP compilation this header is empty.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_HIP
#include <aaco/backend/detail/common.hpp>
#include <aaco/backend/hip/runtime.hpp>

#include <hip/hip_runtime.h>

#include <cstdint>
#include <string>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace vendor {

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

/// Fills the link facts of src -> dst: kind and hop count from hipExtGetLinkTypeAndHopCount
/// (asked whether or not the pair has access). HIP has no performance rank, so that stays -1.
/// Informational only: a failed query leaves `link` empty and `hops` at -1.
inline void describe_link(int src, int dst, peer_info& info) {
    std::uint32_t type = 0, hops = 0;
    if (hipExtGetLinkTypeAndHopCount(src, dst, &type, &hops) == hipSuccess) {
        info.link = link_type_name(type);
        info.hops = static_cast<int>(hops);
    } else {
        (void)hipGetLastError();
    }
}

} // namespace vendor
} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_HIP
