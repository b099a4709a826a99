/// \file backend/hip/runtime.hpp
/// \brief The HIP runtime (AMD GPUs) behind aaco::backend: errors as exceptions, device query,
/// RAII buffers, streams, events and graphs. Include <aaco/backend/backend.hpp>, not this file.
///
/// The CUDA twin (backend/cuda/runtime.hpp) has the same API, name for name; keep them in step.
/// Outside a HIP compilation this header is empty, so it can be compiled on its own anywhere.
/// Written against HIP 5.2 (Debian 12); every call used here also exists in later releases.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_HIP
#include <aaco/backend/detail/common.hpp>
#include <aaco/backend/diagnose.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>

#if defined(__HIP_PLATFORM_NVIDIA__) || defined(__HIP_PLATFORM_NVCC__)
// HIP 5.2's NVIDIA headers do not compile against CUDA 13; aaco has its own CUDA backend.
#error "aaco: build for NVIDIA GPUs with nvcc (the CUDA backend), not hipcc on the NVIDIA platform"
#endif
#include <hip/hip_runtime.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

AACO_NAMESPACE_BEGIN
namespace backend {

/// True: a GPU runtime is compiled in.
inline constexpr bool available = true;
/// Which runtime: "hip".
inline constexpr std::string_view name = "hip";

using native_stream = hipStream_t;
using native_error = hipError_t;

namespace detail {

/// The current device, or -1 when the runtime cannot tell (no driver). Never throws; clears
/// the error it may cause so that the next launch check does not report it.
inline int current_device_or_unknown() noexcept {
    int d = -1;
    if (hipGetDevice(&d) != hipSuccess) {
        (void)hipGetLastError();
        return -1;
    }
    return d;
}

/// The gfx target of `device` ("gfx942"), "" when it cannot be read.
inline std::string device_arch_or_empty(int device) noexcept {
    if (device < 0) return {};
    hipDeviceProp_t p{};
    if (hipGetDeviceProperties(&p, device) != hipSuccess) {
        (void)hipGetLastError();
        return {};
    }
    try {
        return amd_arch(p.gcnArchName);
    } catch (...) { // allocation failure while already reporting an error: say less
        return {};
    }
}

/// hipGetDeviceCount's status and count. The count is set to 0 first: without a driver the
/// call returns an error and leaves its output unwritten.
inline native_error device_count_status(int& count) noexcept {
    count = 0;
    const hipError_t e = hipGetDeviceCount(&count);
    if (e != hipSuccess) {
        (void)hipGetLastError();
        count = 0;
    }
    return e;
}

} // namespace detail

/// Throws when `e` is not hipSuccess: aaco::unsupported_arch_error when the binary has no code
/// for the device (hipErrorNoBinaryForGpu, or hipErrorInvalidDeviceFunction, which HIP returns
/// at launch when the kernel's code object lacks the device's target), naming the device's arch
/// and the rebuild flag; aaco::runtime_error otherwise, with the message
/// "<call> failed: <what> (code N) at file:line on device D".
inline void check(native_error e, const char* call, const char* file, int line) {
    if (e == hipSuccess) return;
    // Runtime-call errors are also recorded as the thread's "last error"; clear it so that the
    // next AACO_BACKEND_CHECK_LAUNCH does not report this failure a second time.
    (void)hipGetLastError();
    const int device = detail::current_device_or_unknown();
    const char* what = hipGetErrorString(e);
    if (e == hipErrorNoBinaryForGpu || e == hipErrorInvalidDeviceFunction) {
        const std::string arch = detail::device_arch_or_empty(device);
        throw unsupported_arch_error(detail::unsupported_arch_message(
            call, what, static_cast<int>(e), file, line, device, arch,
            detail::amd_rebuild_hint(arch)));
    }
    throw runtime_error(detail::failure_message(call, what, static_cast<int>(e), file, line, device),
                        static_cast<int>(e));
}

/// Checks the launch just enqueued (hipGetLastError); `kernel` names it in the message.
inline void check_last_launch(const char* kernel, const char* file, int line) {
    const hipError_t e = hipGetLastError();
    if (e == hipSuccess) return;
    const std::string call = std::string("launch of kernel '") + kernel + "'";
    check(e, call.c_str(), file, line);
}

/// Number of visible devices; 0 when there is no driver or no device. Never throws.
inline int device_count() noexcept {
    int n = 0;
    (void)detail::device_count_status(n);
    return n;
}

namespace detail {
/// Throws no_device_error unless `id` names a visible device.
inline void require_device(int id) {
    int n = 0;
    const hipError_t e = device_count_status(n);
    if (n == 0) throw no_device_error("no GPU: " + diagnose::describe_no_gpu(e));
    if (id < 0 || id >= n) throw no_device_error(bad_device_message(id, n));
}
} // namespace detail

/// The device calls on this host thread go to.
inline int current_device() {
    int d = 0;
    AACO_BACKEND_CHECK(hipGetDevice(&d));
    return d;
}

/// Makes `id` the current device. no_device_error when there is no GPU or `id` is out of range.
inline void set_device(int id) {
    detail::require_device(id);
    AACO_BACKEND_CHECK(hipSetDevice(id));
}

namespace detail {
/// The device's UUID ("GPU-<unique id>"), "" when the runtime has none (hipDeviceGetUuid fails
/// on some driver and device combinations; the UUID is informational, so that is not an error).
inline std::string uuid_or_empty(int id) {
    hipDevice_t dev{};
    hipUUID uuid{};
    if (hipDeviceGet(&dev, id) != hipSuccess || hipDeviceGetUuid(&uuid, dev) != hipSuccess) {
        (void)hipGetLastError();
        return {};
    }
    unsigned char bytes[16];
    for (int i = 0; i < 16; ++i) bytes[i] = static_cast<unsigned char>(uuid.bytes[i]);
    return format_amd_uuid(bytes);
}
} // namespace detail

/// What the runtime reports about device `id` (it need not be the current device).
inline device_info query_device(int id) {
    detail::require_device(id);
    hipDeviceProp_t p{};
    AACO_BACKEND_CHECK(hipGetDeviceProperties(&p, id));
    int driver = 0, runtime = 0;
    AACO_BACKEND_CHECK(hipDriverGetVersion(&driver));
    AACO_BACKEND_CHECK(hipRuntimeGetVersion(&runtime));

    device_info info;
    info.id = id;
    info.vendor = "AMD";
    info.arch = detail::amd_arch(p.gcnArchName);
    info.name = p.name[0] != '\0' ? std::string(p.name) : "AMD " + info.arch;
    info.compute_units = p.multiProcessorCount;
    info.max_clock_mhz = p.clockRate / 1000.0; // kHz
    // On MI300 (gfx94x) this is the L2 of one XCD (4 MiB), not the sum over the package.
    info.l2_bytes = static_cast<std::uint64_t>(p.l2CacheSize);
    // HIP 5.2 has no query for the Infinity Cache (MALL); it comes from a per-arch table.
    info.llc_bytes = detail::amd_llc_bytes(info.arch);
    info.memory_bytes = static_cast<std::uint64_t>(p.totalGlobalMem);
    info.shared_bytes_per_unit = static_cast<std::uint64_t>(p.maxSharedMemoryPerMultiProcessor);
    info.uuid = detail::uuid_or_empty(id);
    info.pci_bus_id = detail::format_pci_bus_id(p.pciDomainID, p.pciBusID, p.pciDeviceID);
    info.driver_version = driver;
    info.runtime_version = runtime;
    info.ecc = p.ECCEnabled != 0;
    return info;
}

/// Free and total device memory of the current device, in bytes.
struct memory_info {
    std::size_t free_bytes = 0;
    std::size_t total_bytes = 0;
};

inline memory_info device_memory() {
    memory_info m;
    AACO_BACKEND_CHECK(hipMemGetInfo(&m.free_bytes, &m.total_bytes));
    return m;
}

/// Waits for all work on the current device.
inline void synchronize() { AACO_BACKEND_CHECK(hipDeviceSynchronize()); }

namespace detail {

/// hipMalloc of `count` x `element_size` bytes; throws runtime_error naming the bytes asked
/// for and the bytes free.
inline void* device_allocate(std::size_t count, std::size_t element_size) {
    if (count == 0) return nullptr;
    if (count > std::numeric_limits<std::size_t>::max() / element_size)
        throw runtime_error("cannot allocate " + std::to_string(count) + " elements x " +
                                std::to_string(element_size) + " bytes: the byte count overflows",
                            static_cast<int>(hipErrorOutOfMemory));
    const std::size_t bytes = count * element_size;
    void* p = nullptr;
    const hipError_t e = hipMalloc(&p, bytes);
    if (e == hipSuccess) return p;
    (void)hipGetLastError();
    std::size_t free_bytes = 0, total_bytes = 0;
    if (hipMemGetInfo(&free_bytes, &total_bytes) != hipSuccess) {
        (void)hipGetLastError();
        free_bytes = total_bytes = 0;
    }
    throw runtime_error(allocation_message("hipMalloc", hipGetErrorString(e), bytes, count,
                                           element_size, current_device_or_unknown(), free_bytes,
                                           total_bytes),
                        static_cast<int>(e));
}

/// hipHostMalloc (page-locked host memory), same error reporting as device_allocate.
inline void* pinned_allocate(std::size_t count, std::size_t element_size) {
    if (count == 0) return nullptr;
    if (count > std::numeric_limits<std::size_t>::max() / element_size)
        throw runtime_error("cannot allocate " + std::to_string(count) + " elements x " +
                                std::to_string(element_size) + " bytes: the byte count overflows",
                            static_cast<int>(hipErrorOutOfMemory));
    const std::size_t bytes = count * element_size;
    void* p = nullptr;
    const hipError_t e = hipHostMalloc(&p, bytes, hipHostMallocDefault);
    if (e == hipSuccess) return p;
    (void)hipGetLastError();
    throw runtime_error(allocation_message("hipHostMalloc", hipGetErrorString(e), bytes, count,
                                           element_size, -1, 0, 0),
                        static_cast<int>(e));
}

/// Throws invalid_argument when a copy of `n` elements does not fit a buffer of `size`.
inline void require_fits(const char* what, std::size_t n, std::size_t size) {
    if (n > size)
        throw invalid_argument(std::string(what) + ": " + std::to_string(n) +
                               " elements do not fit a buffer of " + std::to_string(size));
}

} // namespace detail

/// Device memory for `count` elements of `T`, freed on destruction. Move-only.
/// The memory is uninitialised; call zero() or copy_from_host().
template <class T>
class device_buffer {
    static_assert(std::is_trivially_copyable_v<T>, "device_buffer holds trivially copyable types");

public:
    /// An empty buffer (no allocation); move a real one in later.
    device_buffer() noexcept = default;
    /// Allocates `count` elements on the current device; throws runtime_error naming the bytes
    /// requested and the bytes free.
    explicit device_buffer(std::size_t count)
        : data_(static_cast<T*>(detail::device_allocate(count, sizeof(T)))), size_(count) {}
    device_buffer(const device_buffer&) = delete;
    device_buffer& operator=(const device_buffer&) = delete;
    device_buffer(device_buffer&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    device_buffer& operator=(device_buffer&& o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }
    ~device_buffer() { release(); }

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t bytes() const noexcept { return size_ * sizeof(T); }
    bool empty() const noexcept { return size_ == 0; }

    /// Sets every byte to 0, asynchronously on `s` (the legacy default stream when null, which
    /// does not order against non-blocking streams: pass the stream the kernels run on).
    void zero(native_stream s = nullptr) {
        if (size_ != 0) AACO_BACKEND_CHECK(hipMemsetAsync(data_, 0, bytes(), s));
    }
    /// Copies `n` elements from host memory to the front of the buffer; returns when done.
    void copy_from_host(const T* src, std::size_t n) {
        detail::require_fits("device_buffer::copy_from_host", n, size_);
        if (n != 0) AACO_BACKEND_CHECK(hipMemcpy(data_, src, n * sizeof(T), hipMemcpyHostToDevice));
    }
    /// Copies the first `n` elements to host memory; returns when done.
    void copy_to_host(T* dst, std::size_t n) const {
        detail::require_fits("device_buffer::copy_to_host", n, size_);
        if (n != 0) AACO_BACKEND_CHECK(hipMemcpy(dst, data_, n * sizeof(T), hipMemcpyDeviceToHost));
    }

private:
    void release() noexcept {
        // Errors are ignored: a destructor must not throw, and at process exit the runtime
        // may already be shutting down (hipErrorDeinitialized).
        if (data_ && hipFree(data_) != hipSuccess) (void)hipGetLastError();
        data_ = nullptr;
        size_ = 0;
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Page-locked host memory for `count` elements of `T` (fast, truly asynchronous copies).
template <class T>
class pinned_buffer {
    static_assert(std::is_trivially_copyable_v<T>, "pinned_buffer holds trivially copyable types");

public:
    pinned_buffer() noexcept = default;
    explicit pinned_buffer(std::size_t count)
        : data_(static_cast<T*>(detail::pinned_allocate(count, sizeof(T)))), size_(count) {}
    pinned_buffer(const pinned_buffer&) = delete;
    pinned_buffer& operator=(const pinned_buffer&) = delete;
    pinned_buffer(pinned_buffer&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    pinned_buffer& operator=(pinned_buffer&& o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }
    ~pinned_buffer() { release(); }

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t bytes() const noexcept { return size_ * sizeof(T); }
    bool empty() const noexcept { return size_ == 0; }
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }

private:
    void release() noexcept {
        if (data_ && hipHostFree(data_) != hipSuccess) (void)hipGetLastError();
        data_ = nullptr;
        size_ = 0;
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// A non-blocking stream (does not synchronize with the legacy default stream). Move-only.
class stream {
public:
    stream() { AACO_BACKEND_CHECK(hipStreamCreateWithFlags(&s_, hipStreamNonBlocking)); }
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    stream(stream&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    stream& operator=(stream&& o) noexcept {
        if (this != &o) {
            release();
            s_ = std::exchange(o.s_, nullptr);
        }
        return *this;
    }
    ~stream() { release(); }

    native_stream get() const noexcept { return s_; }
    /// Waits for all work enqueued on this stream.
    void synchronize() const { AACO_BACKEND_CHECK(hipStreamSynchronize(s_)); }

private:
    void release() noexcept {
        if (s_ && hipStreamDestroy(s_) != hipSuccess) (void)hipGetLastError();
        s_ = nullptr;
    }
    native_stream s_ = nullptr;
};

/// A timing event. Move-only.
class event {
public:
    event() { AACO_BACKEND_CHECK(hipEventCreate(&e_)); }
    event(const event&) = delete;
    event& operator=(const event&) = delete;
    event(event&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
    event& operator=(event&& o) noexcept {
        if (this != &o) {
            release();
            e_ = std::exchange(o.e_, nullptr);
        }
        return *this;
    }
    ~event() { release(); }

    /// Records the event on `s`: it completes when the work enqueued before it has.
    void record(native_stream s = nullptr) { AACO_BACKEND_CHECK(hipEventRecord(e_, s)); }
    /// Waits for the event to complete.
    void synchronize() const { AACO_BACKEND_CHECK(hipEventSynchronize(e_)); }
    /// Milliseconds between `start` and this event (both recorded, this one completed).
    float elapsed_ms_since(const event& start) const {
        float ms = 0;
        AACO_BACKEND_CHECK(hipEventElapsedTime(&ms, start.e_, e_));
        return ms;
    }
    hipEvent_t get() const noexcept { return e_; }

private:
    void release() noexcept {
        if (e_ && hipEventDestroy(e_) != hipSuccess) (void)hipGetLastError();
        e_ = nullptr;
    }
    hipEvent_t e_ = nullptr;
};

/// An instantiated graph, built by capturing what a callable enqueues on a stream. Move-only.
class graph {
public:
    /// An empty graph; launch() on it throws invalid_argument.
    graph() noexcept = default;
    graph(const graph&) = delete;
    graph& operator=(const graph&) = delete;
    graph(graph&& o) noexcept : exec_(std::exchange(o.exec_, nullptr)) {}
    graph& operator=(graph&& o) noexcept {
        if (this != &o) {
            release();
            exec_ = std::exchange(o.exec_, nullptr);
        }
        return *this;
    }
    ~graph() { release(); }

    /// Captures the work `enqueue` puts on `s` (which must be a created stream, not the legacy
    /// default stream) and instantiates it. `enqueue` is called as `enqueue(s)` when it takes a
    /// stream, else as `enqueue()`. Nothing runs during capture. If `enqueue` throws, the
    /// capture is ended and discarded and the exception propagates.
    template <class Enqueue>
    static graph capture(native_stream s, Enqueue&& enqueue) {
        // Thread-local mode: other host threads of the application may keep making unsafe
        // calls (hipMalloc, ...) while this thread captures. Graphs are "beta" in HIP 5.2.
        AACO_BACKEND_CHECK(hipStreamBeginCapture(s, hipStreamCaptureModeThreadLocal));
        try {
            if constexpr (std::is_invocable_v<Enqueue&, native_stream>)
                enqueue(s);
            else
                enqueue();
        } catch (...) {
            hipGraph_t g = nullptr;
            if (hipStreamEndCapture(s, &g) != hipSuccess) (void)hipGetLastError();
            if (g && hipGraphDestroy(g) != hipSuccess) (void)hipGetLastError();
            throw;
        }
        hipGraph_t g = nullptr;
        AACO_BACKEND_CHECK(hipStreamEndCapture(s, &g));
        graph out;
        const hipError_t e = hipGraphInstantiateWithFlags(&out.exec_, g, 0);
        // The executable graph does not need its template any more.
        if (hipGraphDestroy(g) != hipSuccess) (void)hipGetLastError();
        AACO_BACKEND_CHECK(e);
        return out;
    }

    /// Launches the whole graph on `s`.
    void launch(native_stream s) const {
        if (!exec_) throw invalid_argument("graph::launch: the graph is empty (never captured)");
        AACO_BACKEND_CHECK(hipGraphLaunch(exec_, s));
    }
    bool empty() const noexcept { return exec_ == nullptr; }

private:
    void release() noexcept {
        if (exec_ && hipGraphExecDestroy(exec_) != hipSuccess) (void)hipGetLastError();
        exec_ = nullptr;
    }
    hipGraphExec_t exec_ = nullptr;
};

/// Asynchronous copy of `bytes` on `s`; the direction comes from the pointers (unified
/// addressing). Truly asynchronous only with pinned host memory.
inline void memcpy_async(void* dst, const void* src, std::size_t bytes, native_stream s) {
    if (bytes != 0) AACO_BACKEND_CHECK(hipMemcpyAsync(dst, src, bytes, hipMemcpyDefault, s));
}

/// Lets kernel `k` use up to `bytes` of dynamic shared memory (LDS). Kept for symmetry with CUDA;
/// HIP allows a kernel the whole LDS without it.
template <class Kernel>
void set_max_dynamic_shared_bytes(Kernel* k, int bytes) {
    static_assert(std::is_function_v<Kernel>, "pass a kernel (a __global__ function)");
    AACO_BACKEND_CHECK(hipFuncSetAttribute(reinterpret_cast<const void*>(k),
                                            hipFuncAttributeMaxDynamicSharedMemorySize, bytes));
}

/// Blocks of kernel `k` that fit on one CU at once with `threads` threads and `dyn_smem` bytes of
/// dynamic shared memory per block.
template <class Kernel>
int max_active_blocks_per_unit(Kernel* k, int threads, std::size_t dyn_smem) {
    static_assert(std::is_function_v<Kernel>, "pass a kernel (a __global__ function)");
    int blocks = 0;
    AACO_BACKEND_CHECK(hipOccupancyMaxActiveBlocksPerMultiprocessor(
        &blocks, reinterpret_cast<const void*>(k), threads, dyn_smem));
    return blocks;
}

} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_HIP
