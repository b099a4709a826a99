/// \file backend/hip/mapped.hpp
/// \brief HIP entry points of backend::mapped_buffer (backend/detail/mapped.hpp): page-locked
/// host memory mapped into the device's address space. Include <aaco/backend/backend.hpp>.
///
/// Every entry point returns the runtime's status unchecked; the shared class checks it. The CUDA
/// twin (backend/cuda/mapped.hpp) has the same names. Empty outside a HIP compilation.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_HIP
#include <hip/hip_runtime.h>

#include <cstddef>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace vendor {

inline constexpr const char* malloc_mapped_name = "hipHostMalloc(hipHostMallocMapped | hipHostMallocCoherent)";
/// Host memory the device reads and writes directly while kernels run. Coherent (fine-grained)
/// is asked for explicitly: hipHostMalloc's default coherence follows HIP_HOST_COHERENT, and with
/// non-coherent (coarse-grained) memory a running kernel need not see the host's stores until it
/// ends.
inline hipError_t malloc_mapped(void** p, std::size_t bytes) {
    return hipHostMalloc(p, bytes, hipHostMallocMapped | hipHostMallocCoherent);
}
inline hipError_t free_mapped(void* p) { return hipHostFree(p); }
/// The device's address of mapped host memory.
inline hipError_t mapped_device_pointer(void** device, void* host) {
    return hipHostGetDevicePointer(device, host, 0);
}

/// Clears the thread's "last error" after a failed call whose status was already handled (the
/// destructor's free), so that the next launch check does not report it.
inline void clear_mapped_error() noexcept { (void)hipGetLastError(); }

} // namespace vendor
} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_HIP
