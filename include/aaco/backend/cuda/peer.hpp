/// \file backend/cuda/peer.hpp
/// \brief The CUDA half of backend::query_peer: what the runtime tells about a device link
/// beyond access (its performance rank). The rest of the peer API is written once in
/// backend/detail/peer.hpp. Include <aaco/backend/backend.hpp>, not this file.
///
/// Outside a CUDA compilation this header is empty.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/cuda/runtime.hpp>
#include <aaco/backend/detail/common.hpp>

#include <cuda_runtime.h>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace vendor {

/// Fills the link facts of src -> dst after `info.access` is known: the performance rank
/// (cudaDevP2PAttrPerformanceRank) of an accessible pair. The CUDA runtime does not tell
/// NVLink from PCIe nor count hops, so `link` and `hops` stay unknown. Informational only:
/// a failed query leaves the field at -1.
inline void describe_link(int src, int dst, peer_info& info) {
    if (!info.access) return;
    int rank = -1;
    if (cudaDeviceGetP2PAttribute(&rank, cudaDevP2PAttrPerformanceRank, src, dst) == cudaSuccess)
        info.performance_rank = rank;
    else
        (void)cudaGetLastError();
}

} // namespace vendor
} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_CUDA
