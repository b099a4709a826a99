/// \file backend/cuda/mapped.hpp
/// \brief CUDA entry points of backend::mapped_buffer (backend/detail/mapped.hpp): page-locked
/// host memory mapped into the device's address space. Include <aaco/backend/backend.hpp>.
///
/// Every entry point returns the runtime's status unchecked; the shared class checks it. The HIP
/// twin (backend/hip/mapped.hpp) has the same names. Empty outside a CUDA compilation.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <cuda_runtime.h>

#include <cstddef>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace vendor {

inline constexpr const char* malloc_mapped_name = "cudaHostAlloc(cudaHostAllocMapped)";
/// Host memory the device reads and writes directly while kernels run. Pinned host memory is
/// uncached on the GPU side on every NVIDIA part aaco supports, so the host's stores become
/// visible to the device's volatile loads without any further flag.
inline cudaError_t malloc_mapped(void** p, std::size_t bytes) {
    return cudaHostAlloc(p, bytes, cudaHostAllocMapped);
}
inline cudaError_t free_mapped(void* p) { return cudaFreeHost(p); }
/// The device's address of mapped host memory (the same as the host's under unified addressing).
inline cudaError_t mapped_device_pointer(void** device, void* host) {
    return cudaHostGetDevicePointer(device, host, 0);
}

/// Clears the thread's "last error" after a failed call whose status was already handled (the
/// destructor's free), so that the next launch check does not report it.
inline void clear_mapped_error() noexcept { (void)cudaGetLastError(); }

} // namespace vendor
} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_CUDA
