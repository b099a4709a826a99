/// \file backend/cuda/runtime.hpp
/// \brief The CUDA runtime behind aaco::backend: errors as exceptions, device query, RAII
/// buffers, streams, events and graphs. Include <aaco/backend/backend.hpp>, not this file.
///
/// The HIP twin (backend/hip/runtime.hpp) has the same API, name for name; keep them in step.
/// Outside a CUDA compilation this header is empty, so it can be compiled on its own anywhere.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/detail/common.hpp>
#include <aaco/backend/diagnose.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>

#include <cuda_runtime.h>

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
/// Which runtime: "cuda".
inline constexpr std::string_view name = "cuda";

using native_stream = cudaStream_t;
using native_error = cudaError_t;

namespace detail {

/// The current device, or -1 when the runtime cannot tell (no driver). Never throws; clears
/// the error it may cause so that the next launch check does not report it.
inline int current_device_or_unknown() noexcept {
    int d = -1;
    if (cudaGetDevice(&d) != cudaSuccess) {
        (void)cudaGetLastError();
        return -1;
    }
    return d;
}

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

/// cudaGetDeviceCount's status and count. The count is set to 0 first: without a driver the
/// call returns an error and leaves its output unwritten.
inline native_error device_count_status(int& count) noexcept {
    count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        count = 0;
    }
    return e;
}

} // namespace detail

/// Throws when `e` is not cudaSuccess: aaco::unsupported_arch_error for a missing kernel image
/// (naming the device's arch and the rebuild flag), aaco::runtime_error otherwise, with the
/// message "<call> failed: <what> (code N) at file:line on device D".
inline void check(native_error e, const char* call, const char* file, int line) {
    if (e == cudaSuccess) return;
    // Runtime-call errors are also recorded as the thread's "last error"; clear it so that the
    // next AACO_BACKEND_CHECK_LAUNCH does not report this failure a second time.
    (void)cudaGetLastError();
    const int device = detail::current_device_or_unknown();
    const char* what = cudaGetErrorString(e);
    if (e == cudaErrorNoKernelImageForDevice) {
        const auto [major, minor] = detail::compute_capability(device);
        const std::string arch = major > 0 ? detail::nvidia_arch(major, minor) : std::string();
        throw unsupported_arch_error(detail::unsupported_arch_message(
            call, what, static_cast<int>(e), file, line, device, arch,
            major > 0 ? detail::nvidia_rebuild_hint(major, minor)
                      : std::string("-DCMAKE_CUDA_ARCHITECTURES=<cc>-real")));
    }
    throw runtime_error(detail::failure_message(call, what, static_cast<int>(e), file, line, device),
                        static_cast<int>(e));
}

/// Checks the launch just enqueued (cudaGetLastError); `kernel` names it in the message.
inline void check_last_launch(const char* kernel, const char* file, int line) {
    const cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess) return;
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
    const cudaError_t e = device_count_status(n);
    if (n == 0) throw no_device_error("no GPU: " + diagnose::describe_no_gpu(e));
    if (id < 0 || id >= n) throw no_device_error(bad_device_message(id, n));
}
} // namespace detail

/// The device calls on this host thread go to.
inline int current_device() {
    int d = 0;
    AACO_BACKEND_CHECK(cudaGetDevice(&d));
    return d;
}

/// Makes `id` the current device. no_device_error when there is no GPU or `id` is out of range.
inline void set_device(int id) {
    detail::require_device(id);
    AACO_BACKEND_CHECK(cudaSetDevice(id));
}

/// What the runtime reports about device `id` (it need not be the current device).
inline device_info query_device(int id) {
    detail::require_device(id);
    cudaDeviceProp p{};
    AACO_BACKEND_CHECK(cudaGetDeviceProperties(&p, id));
    // cudaDeviceProp::clockRate was removed in CUDA 13; the attribute exists in every version.
    int clock_khz = 0;
    AACO_BACKEND_CHECK(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, id));
    int driver = 0, runtime = 0;
    AACO_BACKEND_CHECK(cudaDriverGetVersion(&driver));
    AACO_BACKEND_CHECK(cudaRuntimeGetVersion(&runtime));

    device_info info;
    info.id = id;
    info.name = p.name;
    info.vendor = "NVIDIA";
    info.arch = detail::nvidia_arch(p.major, p.minor);
    info.compute_units = p.multiProcessorCount;
    info.max_clock_mhz = clock_khz / 1000.0;
    info.l2_bytes = static_cast<std::uint64_t>(p.l2CacheSize);
    info.llc_bytes = 0; // NVIDIA parts have no cache level behind L2
    info.memory_bytes = static_cast<std::uint64_t>(p.totalGlobalMem);
    info.shared_bytes_per_unit = static_cast<std::uint64_t>(p.sharedMemPerMultiprocessor);
    unsigned char uuid[16];
    for (int i = 0; i < 16; ++i) uuid[i] = static_cast<unsigned char>(p.uuid.bytes[i]);
    info.uuid = detail::format_uuid(uuid);
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
    AACO_BACKEND_CHECK(cudaMemGetInfo(&m.free_bytes, &m.total_bytes));
    return m;
}

/// Waits for all work on the current device.
inline void synchronize() { AACO_BACKEND_CHECK(cudaDeviceSynchronize()); }

namespace detail {

/// cudaMalloc of `count` x `element_size` bytes; throws runtime_error naming the bytes asked
/// for and the bytes free.
inline void* device_allocate(std::size_t count, std::size_t element_size) {
    if (count == 0) return nullptr;
    if (count > std::numeric_limits<std::size_t>::max() / element_size)
        throw runtime_error("cannot allocate " + std::to_string(count) + " elements x " +
                                std::to_string(element_size) + " bytes: the byte count overflows",
                            static_cast<int>(cudaErrorMemoryAllocation));
    const std::size_t bytes = count * element_size;
    void* p = nullptr;
    const cudaError_t e = cudaMalloc(&p, bytes);
    if (e == cudaSuccess) return p;
    (void)cudaGetLastError();
    std::size_t free_bytes = 0, total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) {
        (void)cudaGetLastError();
        free_bytes = total_bytes = 0;
    }
    throw runtime_error(allocation_message("cudaMalloc", cudaGetErrorString(e), bytes, count,
                                           element_size, current_device_or_unknown(), free_bytes,
                                           total_bytes),
                        static_cast<int>(e));
}

/// cudaMallocHost (page-locked host memory), same error reporting as device_allocate.
inline void* pinned_allocate(std::size_t count, std::size_t element_size) {
    if (count == 0) return nullptr;
    if (count > std::numeric_limits<std::size_t>::max() / element_size)
        throw runtime_error("cannot allocate " + std::to_string(count) + " elements x " +
                                std::to_string(element_size) + " bytes: the byte count overflows",
                            static_cast<int>(cudaErrorMemoryAllocation));
    const std::size_t bytes = count * element_size;
    void* p = nullptr;
    const cudaError_t e = cudaMallocHost(&p, bytes);
    if (e == cudaSuccess) return p;
    (void)cudaGetLastError();
    throw runtime_error(allocation_message("cudaMallocHost", cudaGetErrorString(e), bytes, count,
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
        if (size_ != 0) AACO_BACKEND_CHECK(cudaMemsetAsync(data_, 0, bytes(), s));
    }
    /// Copies `n` elements from host memory to the front of the buffer; returns when done.
    void copy_from_host(const T* src, std::size_t n) {
        detail::require_fits("device_buffer::copy_from_host", n, size_);
        if (n != 0) AACO_BACKEND_CHECK(cudaMemcpy(data_, src, n * sizeof(T), cudaMemcpyHostToDevice));
    }
    /// Copies the first `n` elements to host memory; returns when done.
    void copy_to_host(T* dst, std::size_t n) const {
        detail::require_fits("device_buffer::copy_to_host", n, size_);
        if (n != 0) AACO_BACKEND_CHECK(cudaMemcpy(dst, data_, n * sizeof(T), cudaMemcpyDeviceToHost));
    }

private:
    void release() noexcept {
        // Errors are ignored: a destructor must not throw, and at process exit the runtime
        // may already be unloading (cudaErrorCudartUnloading).
        if (data_ && cudaFree(data_) != cudaSuccess) (void)cudaGetLastError();
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
        if (data_ && cudaFreeHost(data_) != cudaSuccess) (void)cudaGetLastError();
        data_ = nullptr;
        size_ = 0;
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// A non-blocking stream (does not synchronize with the legacy default stream). Move-only.
class stream {
public:
    stream() { AACO_BACKEND_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking)); }
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
    void synchronize() const { AACO_BACKEND_CHECK(cudaStreamSynchronize(s_)); }

private:
    void release() noexcept {
        if (s_ && cudaStreamDestroy(s_) != cudaSuccess) (void)cudaGetLastError();
        s_ = nullptr;
    }
    native_stream s_ = nullptr;
};

/// A timing event. Move-only.
class event {
public:
    event() { AACO_BACKEND_CHECK(cudaEventCreate(&e_)); }
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
    void record(native_stream s = nullptr) { AACO_BACKEND_CHECK(cudaEventRecord(e_, s)); }
    /// Waits for the event to complete.
    void synchronize() const { AACO_BACKEND_CHECK(cudaEventSynchronize(e_)); }
    /// Milliseconds between `start` and this event (both recorded, this one completed).
    float elapsed_ms_since(const event& start) const {
        float ms = 0;
        AACO_BACKEND_CHECK(cudaEventElapsedTime(&ms, start.e_, e_));
        return ms;
    }
    cudaEvent_t get() const noexcept { return e_; }

private:
    void release() noexcept {
        if (e_ && cudaEventDestroy(e_) != cudaSuccess) (void)cudaGetLastError();
        e_ = nullptr;
    }
    cudaEvent_t e_ = nullptr;
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
        // calls (cudaMalloc, ...) while this thread captures.
        AACO_BACKEND_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
        try {
            if constexpr (std::is_invocable_v<Enqueue&, native_stream>)
                enqueue(s);
            else
                enqueue();
        } catch (...) {
            cudaGraph_t g = nullptr;
            if (cudaStreamEndCapture(s, &g) != cudaSuccess) (void)cudaGetLastError();
            if (g && cudaGraphDestroy(g) != cudaSuccess) (void)cudaGetLastError();
            throw;
        }
        cudaGraph_t g = nullptr;
        AACO_BACKEND_CHECK(cudaStreamEndCapture(s, &g));
        graph out;
        const cudaError_t e = cudaGraphInstantiateWithFlags(&out.exec_, g, 0);
        // The executable graph does not need its template any more.
        if (cudaGraphDestroy(g) != cudaSuccess) (void)cudaGetLastError();
        AACO_BACKEND_CHECK(e);
        return out;
    }

    /// Launches the whole graph on `s`.
    void launch(native_stream s) const {
        if (!exec_) throw invalid_argument("graph::launch: the graph is empty (never captured)");
        AACO_BACKEND_CHECK(cudaGraphLaunch(exec_, s));
    }
    bool empty() const noexcept { return exec_ == nullptr; }

private:
    void release() noexcept {
        if (exec_ && cudaGraphExecDestroy(exec_) != cudaSuccess) (void)cudaGetLastError();
        exec_ = nullptr;
    }
    cudaGraphExec_t exec_ = nullptr;
};

/// Asynchronous copy of `bytes` on `s`; the direction comes from the pointers (unified
/// addressing). Truly asynchronous only with pinned host memory.
inline void memcpy_async(void* dst, const void* src, std::size_t bytes, native_stream s) {
    if (bytes != 0) AACO_BACKEND_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, s));
}

/// Lets kernel `k` use up to `bytes` of dynamic shared memory (needed above 48 KiB).
template <class Kernel>
void set_max_dynamic_shared_bytes(Kernel* k, int bytes) {
    static_assert(std::is_function_v<Kernel>, "pass a kernel (a __global__ function)");
    AACO_BACKEND_CHECK(cudaFuncSetAttribute(reinterpret_cast<const void*>(k),
                                            cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
}

/// Blocks of kernel `k` that fit on one SM at once with `threads` threads and `dyn_smem` bytes of
/// dynamic shared memory per block.
template <class Kernel>
int max_active_blocks_per_unit(Kernel* k, int threads, std::size_t dyn_smem) {
    static_assert(std::is_function_v<Kernel>, "pass a kernel (a __global__ function)");
    int blocks = 0;
    AACO_BACKEND_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
        &blocks, reinterpret_cast<const void*>(k), threads, dyn_smem));
    return blocks;
}

} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_CUDA
