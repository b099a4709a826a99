/// \file backend/cuda/runtime.hpp
/// \brief The CUDA runtime's vendor table for aaco::backend: the types, constants and entry
/// points that backend/detail/runtime.hpp is written over, and the two things that really differ
/// from HIP: how a device without code in this binary is named (compute capability, rebuild
/// flag), and how cudaDeviceProp maps to device_info. Include <aaco/backend/backend.hpp>, not
/// this file.
///
/// Every entry point returns the runtime's status unchecked; the shared code checks it. The
/// HIP table (backend/hip/runtime.hpp) has the same names. Outside a CUDA compilation this header
/// is empty, so it can be compiled on its own anywhere.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/detail/common.hpp>
#include <aaco/model/envelope.hpp>

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace vendor {

/// Which runtime: "cuda" (backend::name).
inline constexpr std::string_view name = "cuda";
/// How messages name the runtime.
inline constexpr const char* runtime_label = "the CUDA runtime";

using error_t = cudaError_t;
using stream_t = cudaStream_t;
using event_t = cudaEvent_t;
using graph_t = cudaGraph_t;
using graph_exec_t = cudaGraphExec_t;
using device_properties = cudaDeviceProp;

inline constexpr error_t success = cudaSuccess;
/// The code a refused allocation (byte count overflow) is reported with.
inline constexpr error_t out_of_memory = cudaErrorMemoryAllocation;
/// The device-count statuses backend::diagnose tells apart.
inline constexpr error_t no_device = cudaErrorNoDevice;
inline constexpr error_t insufficient_driver = cudaErrorInsufficientDriver;
inline constexpr error_t peer_access_already_enabled = cudaErrorPeerAccessAlreadyEnabled;

/// True when `e` says this binary has no code for the device.
constexpr bool is_missing_code(error_t e) { return e == cudaErrorNoKernelImageForDevice; }

// ---- errors and devices ----
inline const char* error_string(error_t e) { return cudaGetErrorString(e); }
inline error_t get_last_error() { return cudaGetLastError(); }
inline error_t get_device(int* device) { return cudaGetDevice(device); }
inline error_t set_device(int device) { return cudaSetDevice(device); }
inline error_t get_device_count(int* count) { return cudaGetDeviceCount(count); }
inline error_t get_device_properties(device_properties* p, int device) {
    return cudaGetDeviceProperties(p, device);
}
inline error_t driver_version(int* v) { return cudaDriverGetVersion(v); }
inline error_t runtime_version(int* v) { return cudaRuntimeGetVersion(v); }
inline error_t mem_get_info(std::size_t* free_bytes, std::size_t* total_bytes) {
    return cudaMemGetInfo(free_bytes, total_bytes);
}
inline error_t device_synchronize() { return cudaDeviceSynchronize(); }

// ---- memory ----
inline constexpr const char* malloc_device_name = "cudaMalloc";
inline error_t malloc_device(void** p, std::size_t bytes) { return cudaMalloc(p, bytes); }
inline error_t free_device(void* p) { return cudaFree(p); }
inline constexpr const char* malloc_pinned_name = "cudaMallocHost";
inline error_t malloc_pinned(void** p, std::size_t bytes) { return cudaMallocHost(p, bytes); }
inline error_t free_pinned(void* p) { return cudaFreeHost(p); }
inline error_t memset_async(void* p, int value, std::size_t bytes, stream_t s) {
    return cudaMemsetAsync(p, value, bytes, s);
}
inline error_t copy_to_device(void* dst, const void* src, std::size_t bytes) {
    return cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice);
}
inline error_t copy_to_host(void* dst, const void* src, std::size_t bytes) {
    return cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost);
}
/// Direction from the pointers (unified addressing).
inline error_t copy_async(void* dst, const void* src, std::size_t bytes, stream_t s) {
    return cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, s);
}
inline error_t copy_peer_async(void* dst, int dst_device, const void* src, int src_device,
                               std::size_t bytes, stream_t s) {
    return cudaMemcpyPeerAsync(dst, dst_device, src, src_device, bytes, s);
}

// ---- streams and events ----
/// A stream that does not synchronize with the legacy default stream.
inline error_t stream_create_non_blocking(stream_t* s) {
    return cudaStreamCreateWithFlags(s, cudaStreamNonBlocking);
}
inline error_t stream_destroy(stream_t s) { return cudaStreamDestroy(s); }
inline error_t stream_synchronize(stream_t s) { return cudaStreamSynchronize(s); }
inline error_t stream_wait_event(stream_t s, event_t e) { return cudaStreamWaitEvent(s, e, 0); }
inline error_t event_create(event_t* e) { return cudaEventCreate(e); }
inline error_t event_destroy(event_t e) { return cudaEventDestroy(e); }
inline error_t event_record(event_t e, stream_t s) { return cudaEventRecord(e, s); }
inline error_t event_synchronize(event_t e) { return cudaEventSynchronize(e); }
inline error_t event_elapsed_ms(float* ms, event_t start, event_t stop) {
    return cudaEventElapsedTime(ms, start, stop);
}

// ---- graphs ----
/// Thread-local capture: other host threads may keep making unsafe calls (cudaMalloc, ...).
inline error_t begin_capture(stream_t s) {
    return cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal);
}
inline error_t end_capture(stream_t s, graph_t* g) { return cudaStreamEndCapture(s, g); }
inline error_t graph_destroy(graph_t g) { return cudaGraphDestroy(g); }
inline error_t graph_instantiate(graph_exec_t* exec, graph_t g) {
    return cudaGraphInstantiateWithFlags(exec, g, 0);
}
inline error_t graph_launch(graph_exec_t exec, stream_t s) { return cudaGraphLaunch(exec, s); }
inline error_t graph_exec_destroy(graph_exec_t exec) { return cudaGraphExecDestroy(exec); }

// ---- kernels ----
inline error_t set_max_dynamic_shared(const void* kernel, int bytes) {
    return cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
}
inline error_t max_active_blocks_per_unit(int* blocks, const void* kernel, int threads,
                                          std::size_t dyn_smem) {
    return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocks, kernel, threads, dyn_smem);
}

// ---- peers ----
inline error_t can_access_peer(int* can, int src, int dst) { return cudaDeviceCanAccessPeer(can, src, dst); }
inline error_t enable_peer_access(int peer) { return cudaDeviceEnablePeerAccess(peer, 0); }
inline error_t disable_peer_access(int peer) { return cudaDeviceDisablePeerAccess(peer); }

// ---- what differs from HIP ----

/// Compute capability of `device` as {major, minor}, {0, 0} when it cannot be read.
inline std::pair<int, int> compute_capability(int device) noexcept {
    int major = 0, minor = 0;
    if (device < 0 ||
        cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess ||
        cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess) {
        (void)cudaGetLastError();
        return {0, 0};
    }
    return {major, minor};
}

/// The arch of `device` ("sm_90", "" when unknown) and the flag to rebuild for it, for an
/// unsupported_arch_error.
inline detail::rebuild_advice missing_code_advice(int device) {
    const auto [major, minor] = compute_capability(device);
    if (major <= 0) return {std::string(), "-DCMAKE_CUDA_ARCHITECTURES=<cc>-real"};
    return {detail::nvidia_arch(major, minor), detail::nvidia_rebuild_hint(major, minor)};
}

/// The engine clock in kHz. cudaDeviceProp::clockRate was removed in CUDA 13; the attribute
/// exists in every version.
inline error_t clock_rate_khz(int* khz, int device, const device_properties&) {
    return cudaDeviceGetAttribute(khz, cudaDevAttrClockRate, device);
}

/// device_info from cudaDeviceProp: every field but id, the clock and the versions, which the
/// shared query fills.
inline device_info describe(const device_properties& p, int /*device*/) {
    device_info info;
    info.name = p.name;
    info.vendor = "NVIDIA";
    info.arch = detail::nvidia_arch(p.major, p.minor);
    info.compute_units = p.multiProcessorCount;
    info.l2_bytes = static_cast<std::uint64_t>(p.l2CacheSize);
    info.llc_bytes = 0; // NVIDIA parts have no cache level behind L2
    info.memory_bytes = static_cast<std::uint64_t>(p.totalGlobalMem);
    info.shared_bytes_per_unit = static_cast<std::uint64_t>(p.sharedMemPerMultiprocessor);
    unsigned char uuid[16];
    for (int i = 0; i < 16; ++i) uuid[i] = static_cast<unsigned char>(p.uuid.bytes[i]);
    info.uuid = detail::format_uuid(uuid);
    info.pci_bus_id = detail::format_pci_bus_id(p.pciDomainID, p.pciBusID, p.pciDeviceID);
    info.ecc = p.ECCEnabled != 0;
    return info;
}

} // namespace vendor
} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_CUDA
