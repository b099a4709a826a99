/// \file backend/hip/runtime.hpp
/// \brief The HIP runtime's vendor table for aaco::backend (AMD GPUs): the types, constants and
/// entry points that backend/detail/runtime.hpp is written over, and the two things that really
/// differ from CUDA: how a device without code in this binary is named (gfx target, rebuild
/// flag), and how hipDeviceProp_t maps to device_info. Include <aaco/backend/backend.hpp>, not
/// this file.
///
/// Every entry point returns the runtime's status unchecked; the shared code checks it. The
/// CUDA table (backend/cuda/runtime.hpp) has the same names. Written against HIP 5.2 (Debian 12);
/// every call used here also exists in later releases. Outside a HIP compilation this header is
/// empty, so it can be compiled on its own anywhere.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_HIP
#include <aaco/backend/detail/common.hpp>
#include <aaco/model/envelope.hpp>

#if defined(__HIP_PLATFORM_NVIDIA__) || defined(__HIP_PLATFORM_NVCC__)
// HIP 5.2's NVIDIA headers do not compile against CUDA 13; aaco has its own CUDA backend.
#error "aaco: build for NVIDIA GPUs with nvcc (the CUDA backend), not hipcc on the NVIDIA platform"
#endif
#include <hip/hip_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace vendor {

/// Which runtime: "hip" (backend::name).
inline constexpr std::string_view name = "hip";
/// How messages name the runtime.
inline constexpr const char* runtime_label = "the HIP runtime";

using error_t = hipError_t;
using stream_t = hipStream_t;
using event_t = hipEvent_t;
using graph_t = hipGraph_t;
using graph_exec_t = hipGraphExec_t;
using device_properties = hipDeviceProp_t;

inline constexpr error_t success = hipSuccess;
/// The code a refused allocation (byte count overflow) is reported with.
inline constexpr error_t out_of_memory = hipErrorOutOfMemory;
/// The device-count statuses backend::diagnose tells apart.
inline constexpr error_t no_device = hipErrorNoDevice;
inline constexpr error_t insufficient_driver = hipErrorInsufficientDriver;
inline constexpr error_t peer_access_already_enabled = hipErrorPeerAccessAlreadyEnabled;

/// True when `e` says this binary has no code for the device: hipErrorNoBinaryForGpu, or
/// hipErrorInvalidDeviceFunction, which HIP returns at launch when the kernel's code object
/// lacks the device's target.
constexpr bool is_missing_code(error_t e) {
    return e == hipErrorNoBinaryForGpu || e == hipErrorInvalidDeviceFunction;
}

// ---- errors and devices ----
inline const char* error_string(error_t e) { return hipGetErrorString(e); }
inline error_t get_last_error() { return hipGetLastError(); }
inline error_t get_device(int* device) { return hipGetDevice(device); }
inline error_t set_device(int device) { return hipSetDevice(device); }
inline error_t get_device_count(int* count) { return hipGetDeviceCount(count); }
inline error_t get_device_properties(device_properties* p, int device) {
    return hipGetDeviceProperties(p, device);
}
inline error_t driver_version(int* v) { return hipDriverGetVersion(v); }
inline error_t runtime_version(int* v) { return hipRuntimeGetVersion(v); }
inline error_t mem_get_info(std::size_t* free_bytes, std::size_t* total_bytes) {
    return hipMemGetInfo(free_bytes, total_bytes);
}
inline error_t device_synchronize() { return hipDeviceSynchronize(); }

// ---- memory ----
inline constexpr const char* malloc_device_name = "hipMalloc";
inline error_t malloc_device(void** p, std::size_t bytes) { return hipMalloc(p, bytes); }
inline error_t free_device(void* p) { return hipFree(p); }
inline constexpr const char* malloc_pinned_name = "hipHostMalloc";
inline error_t malloc_pinned(void** p, std::size_t bytes) {
    return hipHostMalloc(p, bytes, hipHostMallocDefault);
}
inline error_t free_pinned(void* p) { return hipHostFree(p); }
inline error_t memset_async(void* p, int value, std::size_t bytes, stream_t s) {
    return hipMemsetAsync(p, value, bytes, s);
}
inline error_t copy_to_device(void* dst, const void* src, std::size_t bytes) {
    return hipMemcpy(dst, src, bytes, hipMemcpyHostToDevice);
}
inline error_t copy_to_host(void* dst, const void* src, std::size_t bytes) {
    return hipMemcpy(dst, src, bytes, hipMemcpyDeviceToHost);
}
/// Direction from the pointers (unified addressing).
inline error_t copy_async(void* dst, const void* src, std::size_t bytes, stream_t s) {
    return hipMemcpyAsync(dst, src, bytes, hipMemcpyDefault, s);
}
inline error_t copy_peer_async(void* dst, int dst_device, const void* src, int src_device,
                               std::size_t bytes, stream_t s) {
    return hipMemcpyPeerAsync(dst, dst_device, src, src_device, bytes, s);
}

// ---- streams and events ----
/// A stream that does not synchronize with the legacy default stream.
inline error_t stream_create_non_blocking(stream_t* s) {
    return hipStreamCreateWithFlags(s, hipStreamNonBlocking);
}
inline error_t stream_destroy(stream_t s) { return hipStreamDestroy(s); }
inline error_t stream_synchronize(stream_t s) { return hipStreamSynchronize(s); }
inline error_t stream_wait_event(stream_t s, event_t e) { return hipStreamWaitEvent(s, e, 0); }
inline error_t event_create(event_t* e) { return hipEventCreate(e); }
inline error_t event_destroy(event_t e) { return hipEventDestroy(e); }
inline error_t event_record(event_t e, stream_t s) { return hipEventRecord(e, s); }
inline error_t event_synchronize(event_t e) { return hipEventSynchronize(e); }
inline error_t event_elapsed_ms(float* ms, event_t start, event_t stop) {
    return hipEventElapsedTime(ms, start, stop);
}

// ---- graphs ("beta" in HIP 5.2) ----
/// Thread-local capture: other host threads may keep making unsafe calls (hipMalloc, ...).
inline error_t begin_capture(stream_t s) {
    return hipStreamBeginCapture(s, hipStreamCaptureModeThreadLocal);
}
inline error_t end_capture(stream_t s, graph_t* g) { return hipStreamEndCapture(s, g); }
inline error_t graph_destroy(graph_t g) { return hipGraphDestroy(g); }
inline error_t graph_instantiate(graph_exec_t* exec, graph_t g) {
    return hipGraphInstantiateWithFlags(exec, g, 0);
}
inline error_t graph_launch(graph_exec_t exec, stream_t s) { return hipGraphLaunch(exec, s); }
inline error_t graph_exec_destroy(graph_exec_t exec) { return hipGraphExecDestroy(exec); }

// ---- kernels ----
/// HIP allows a kernel the whole LDS without it; kept so that the shared code is the same.
inline error_t set_max_dynamic_shared(const void* kernel, int bytes) {
    return hipFuncSetAttribute(kernel, hipFuncAttributeMaxDynamicSharedMemorySize, bytes);
}
inline error_t max_active_blocks_per_unit(int* blocks, const void* kernel, int threads,
                                          std::size_t dyn_smem) {
    return hipOccupancyMaxActiveBlocksPerMultiprocessor(blocks, kernel, threads, dyn_smem);
}

// ---- peers ----
inline error_t can_access_peer(int* can, int src, int dst) { return hipDeviceCanAccessPeer(can, src, dst); }
inline error_t enable_peer_access(int peer) { return hipDeviceEnablePeerAccess(peer, 0); }
inline error_t disable_peer_access(int peer) { return hipDeviceDisablePeerAccess(peer); }

// ---- what differs from CUDA ----

/// The gfx target of `device` ("gfx942"), "" when it cannot be read.
inline std::string device_arch_or_empty(int device) noexcept {
    if (device < 0) return {};
    hipDeviceProp_t p{};
    if (hipGetDeviceProperties(&p, device) != hipSuccess) {
        (void)hipGetLastError();
        return {};
    }
    try {
        return detail::amd_arch(p.gcnArchName);
    } catch (...) { // allocation failure while already reporting an error: say less
        return {};
    }
}

/// The gfx target of `device` ("" when unknown) and the flag to rebuild for it, for an
/// unsupported_arch_error.
inline detail::rebuild_advice missing_code_advice(int device) {
    std::string arch = device_arch_or_empty(device);
    std::string hint = detail::amd_rebuild_hint(arch);
    return {std::move(arch), std::move(hint)};
}

/// The engine clock in kHz, as hipDeviceProp_t has it.
inline error_t clock_rate_khz(int* khz, int, const device_properties& p) {
    *khz = p.clockRate;
    return hipSuccess;
}

/// The device's UUID ("GPU-<unique id>"), "" when the runtime has none (hipDeviceGetUuid fails
/// on some driver and device combinations; the UUID is informational, so that is not an error).
inline std::string uuid_or_empty(int device) {
    hipDevice_t dev{};
    hipUUID uuid{};
    if (hipDeviceGet(&dev, device) != hipSuccess || hipDeviceGetUuid(&uuid, dev) != hipSuccess) {
        (void)hipGetLastError();
        return {};
    }
    unsigned char bytes[16];
    for (int i = 0; i < 16; ++i) bytes[i] = static_cast<unsigned char>(uuid.bytes[i]);
    return detail::format_amd_uuid(bytes);
}

/// device_info from hipDeviceProp_t of `device`: every field but id, the clock and the
/// versions, which the shared query fills.
inline device_info describe(const device_properties& p, int device) {
    device_info info;
    info.vendor = "AMD";
    info.arch = detail::amd_arch(p.gcnArchName);
    info.name = p.name[0] != '\0' ? std::string(p.name) : "AMD " + info.arch;
    info.compute_units = p.multiProcessorCount;
    // On MI300 (gfx94x) this is the L2 of one XCD (4 MiB), not the sum over the package.
    info.l2_bytes = static_cast<std::uint64_t>(p.l2CacheSize);
    // HIP 5.2 has no query for the Infinity Cache (MALL); it comes from a per-arch table.
    info.llc_bytes = detail::amd_llc_bytes(info.arch);
    info.memory_bytes = static_cast<std::uint64_t>(p.totalGlobalMem);
    info.shared_bytes_per_unit = static_cast<std::uint64_t>(p.maxSharedMemoryPerMultiProcessor);
    info.uuid = uuid_or_empty(device);
    info.pci_bus_id = detail::format_pci_bus_id(p.pciDomainID, p.pciBusID, p.pciDeviceID);
    info.ecc = p.ECCEnabled != 0;
    return info;
}

} // namespace vendor
} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_HIP
