/// \file backend/detail/runtime.hpp
/// \brief aaco::backend's runtime layer, written once for both vendors: errors as exceptions,
/// device query, RAII buffers, streams, events and graphs. Include <aaco/backend/backend.hpp>,
/// not this file.
///
/// Every runtime call goes through the vendor table `backend::vendor` (backend/cuda/runtime.hpp
/// or backend/hip/runtime.hpp, chosen by the compiler): types, constants and entry points with
/// the same names on both runtimes, plus the two things that really differ (naming a device
/// without code in this binary; mapping the runtime's device properties to device_info). In a
/// host-only build (AACO_BACKEND_NONE) this header is empty.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/cuda/runtime.hpp>
#elif AACO_BACKEND_HIP
#include <aaco/backend/hip/runtime.hpp>
#endif

#if !AACO_BACKEND_NONE
#include <aaco/backend/detail/common.hpp>
#include <aaco/backend/diagnose.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>

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
/// Which runtime: "cuda" or "hip".
inline constexpr std::string_view name = vendor::name;

using native_stream = vendor::stream_t;
using native_event = vendor::event_t;
using native_error = vendor::error_t;

namespace detail {

/// The current device, or -1 when the runtime cannot tell (no driver). Never throws; clears
/// the error it may cause so that the next launch check does not report it.
inline int current_device_or_unknown() noexcept {
    int d = -1;
    if (vendor::get_device(&d) != vendor::success) {
        (void)vendor::get_last_error();
        return -1;
    }
    return d;
}

/// The device count query's status and count. The count is set to 0 first: without a driver
/// the call returns an error and leaves its output unwritten.
inline native_error device_count_status(int& count) noexcept {
    count = 0;
    const native_error e = vendor::get_device_count(&count);
    if (e != vendor::success) {
        (void)vendor::get_last_error();
        count = 0;
    }
    return e;
}

} // namespace detail

/// Throws when `e` is not success: aaco::unsupported_arch_error when the binary has no code for
/// the device (naming the device's arch and the rebuild flag), aaco::runtime_error otherwise,
/// with the message "<call> failed: <what> (code N) at file:line on device D".
inline void check(native_error e, const char* call, const char* file, int line) {
    if (e == vendor::success) return;
    // Runtime-call errors are also recorded as the thread's "last error"; clear it so that the
    // next AACO_BACKEND_CHECK_LAUNCH does not report this failure a second time.
    (void)vendor::get_last_error();
    const int device = detail::current_device_or_unknown();
    const char* what = vendor::error_string(e);
    if (vendor::is_missing_code(e)) {
        const detail::rebuild_advice advice = vendor::missing_code_advice(device);
        throw unsupported_arch_error(detail::unsupported_arch_message(
            call, what, static_cast<int>(e), file, line, device, advice.arch, advice.rebuild_hint));
    }
    throw runtime_error(detail::failure_message(call, what, static_cast<int>(e), file, line, device),
                        static_cast<int>(e));
}

/// Checks the launch just enqueued (the runtime's last error); `kernel` names it in the message.
inline void check_last_launch(const char* kernel, const char* file, int line) {
    const native_error e = vendor::get_last_error();
    if (e == vendor::success) return;
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
/// diagnose::no_gpu_message() for the status `e` of the device-count call that found no device,
/// with the driver and runtime versions read now. Never throws a runtime error of its own.
inline std::string describe_no_gpu(native_error e) {
    diagnose::no_gpu_facts f;
    f.who = name == std::string_view("hip") ? diagnose::vendor::amd : diagnose::vendor::nvidia;
    using diagnose::count_status;
    f.status = e == vendor::success               ? count_status::ok
               : e == vendor::no_device           ? count_status::no_device
               : e == vendor::insufficient_driver ? count_status::insufficient_driver
                                                  : count_status::other;
    f.error_code = static_cast<int>(e);
    if (e != vendor::success) f.error_text = vendor::error_string(e);
    // CUDA documents it: "If no driver is installed, then 0 is returned as the driver version".
    if (vendor::driver_version(&f.driver_version) != vendor::success) f.driver_version = 0;
    if (vendor::runtime_version(&f.runtime_version) != vendor::success) f.runtime_version = 0;
    (void)vendor::get_last_error();
    f.device_nodes = diagnose::gather_device_nodes(f.who);
    f.visibility = diagnose::gather_visibility(f.who);
    return diagnose::no_gpu_message(f);
}

/// Throws no_device_error unless `id` names a visible device.
inline void require_device(int id) {
    int n = 0;
    const native_error e = device_count_status(n);
    if (n == 0) throw no_device_error("no GPU: " + describe_no_gpu(e));
    if (id < 0 || id >= n) throw no_device_error(bad_device_message(id, n));
}
} // namespace detail

/// The device calls on this host thread go to.
inline int current_device() {
    int d = 0;
    AACO_BACKEND_CHECK(vendor::get_device(&d));
    return d;
}

/// Makes `id` the current device. no_device_error when there is no GPU or `id` is out of range.
inline void set_device(int id) {
    detail::require_device(id);
    AACO_BACKEND_CHECK(vendor::set_device(id));
}

/// What the runtime reports about device `id` (it need not be the current device).
inline device_info query_device(int id) {
    detail::require_device(id);
    vendor::device_properties p{};
    AACO_BACKEND_CHECK(vendor::get_device_properties(&p, id));
    int clock_khz = 0;
    AACO_BACKEND_CHECK(vendor::clock_rate_khz(&clock_khz, id, p));
    int driver = 0, runtime = 0;
    AACO_BACKEND_CHECK(vendor::driver_version(&driver));
    AACO_BACKEND_CHECK(vendor::runtime_version(&runtime));

    device_info info = vendor::describe(p, id);
    info.id = id;
    info.max_clock_mhz = clock_khz / 1000.0;
    info.driver_version = driver;
    info.runtime_version = runtime;
    return info;
}

/// Free and total device memory of the current device, in bytes.
struct memory_info {
    std::size_t free_bytes = 0;
    std::size_t total_bytes = 0;
};

inline memory_info device_memory() {
    memory_info m;
    AACO_BACKEND_CHECK(vendor::mem_get_info(&m.free_bytes, &m.total_bytes));
    return m;
}

/// Waits for all work on the current device.
inline void synchronize() { AACO_BACKEND_CHECK(vendor::device_synchronize()); }

namespace detail {

/// `count` x `element_size` bytes from `runtime_malloc` (named `runtime_name` in messages);
/// throws runtime_error naming the bytes asked for and, for device memory, the device and its
/// free bytes.
inline void* allocate(native_error (*runtime_malloc)(void**, std::size_t), const char* runtime_name,
                      bool device_memory, std::size_t count, std::size_t element_size) {
    if (count == 0) return nullptr;
    if (count > std::numeric_limits<std::size_t>::max() / element_size)
        throw runtime_error("cannot allocate " + std::to_string(count) + " elements x " +
                                std::to_string(element_size) + " bytes: the byte count overflows",
                            static_cast<int>(vendor::out_of_memory));
    const std::size_t bytes = count * element_size;
    void* p = nullptr;
    const native_error e = runtime_malloc(&p, bytes);
    if (e == vendor::success) return p;
    (void)vendor::get_last_error();
    std::size_t free_bytes = 0, total_bytes = 0;
    int device = -1;
    if (device_memory) {
        if (vendor::mem_get_info(&free_bytes, &total_bytes) != vendor::success) {
            (void)vendor::get_last_error();
            free_bytes = total_bytes = 0;
        }
        device = current_device_or_unknown();
    }
    throw runtime_error(allocation_message(runtime_name, vendor::error_string(e), bytes, count,
                                           element_size, device, free_bytes, total_bytes),
                        static_cast<int>(e));
}

/// Device memory (cudaMalloc / hipMalloc).
struct device_memory_kind {
    static void* allocate(std::size_t count, std::size_t element_size) {
        return detail::allocate(&vendor::malloc_device, vendor::malloc_device_name, true, count,
                                element_size);
    }
    static native_error release(void* p) noexcept { return vendor::free_device(p); }
};

/// Page-locked host memory (cudaMallocHost / hipHostMalloc).
struct pinned_memory_kind {
    static void* allocate(std::size_t count, std::size_t element_size) {
        return detail::allocate(&vendor::malloc_pinned, vendor::malloc_pinned_name, false, count,
                                element_size);
    }
    static native_error release(void* p) noexcept { return vendor::free_pinned(p); }
};

/// `count` elements of `T` in memory of `Kind`, freed on destruction. Move-only; a moved-from
/// array is empty.
template <class T, class Kind>
class owned_array {
    static_assert(std::is_trivially_copyable_v<T>, "aaco buffers hold trivially copyable types");

public:
    /// An empty array (no allocation); move a real one in later.
    owned_array() noexcept = default;
    /// Allocates `count` elements; throws runtime_error naming the bytes requested.
    explicit owned_array(std::size_t count)
        : data_(static_cast<T*>(Kind::allocate(count, sizeof(T)))), size_(count) {}
    owned_array(const owned_array&) = delete;
    owned_array& operator=(const owned_array&) = delete;
    owned_array(owned_array&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    owned_array& operator=(owned_array&& o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }
    ~owned_array() { release(); }

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t bytes() const noexcept { return size_ * sizeof(T); }
    bool empty() const noexcept { return size_ == 0; }

private:
    void release() noexcept {
        // Errors are ignored: a destructor must not throw, and at process exit the runtime may
        // already be unloading (cudaErrorCudartUnloading, hipErrorDeinitialized).
        if (data_ && Kind::release(data_) != vendor::success) (void)vendor::get_last_error();
        data_ = nullptr;
        size_ = 0;
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Owns one runtime handle (stream, event, graph, executable graph) and destroys it with
/// `Destroy`. Move-only; a moved-from handle is null.
template <class Handle, native_error (*Destroy)(Handle)>
class unique_handle {
public:
    unique_handle() noexcept = default;
    unique_handle(const unique_handle&) = delete;
    unique_handle& operator=(const unique_handle&) = delete;
    unique_handle(unique_handle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    unique_handle& operator=(unique_handle&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, nullptr);
        }
        return *this;
    }
    ~unique_handle() { reset(); }

    Handle get() const noexcept { return h_; }
    /// Where a create call writes the new handle; the one held before is destroyed first.
    Handle* out() noexcept {
        reset();
        return &h_;
    }
    /// Destroys the handle (errors ignored, as in any destructor) and holds null.
    void reset() noexcept {
        if (h_ && Destroy(h_) != vendor::success) (void)vendor::get_last_error();
        h_ = nullptr;
    }

private:
    Handle h_ = nullptr;
};

/// Throws invalid_argument when a copy of `n` elements does not fit a buffer of `size`.
inline void require_fits(const char* what, std::size_t n, std::size_t size) {
    if (n > size)
        throw invalid_argument(std::string(what) + ": " + std::to_string(n) +
                               " elements do not fit a buffer of " + std::to_string(size));
}

} // namespace detail

/// Device memory for `count` elements of `T` on the current device, freed on destruction.
/// Move-only. The memory is uninitialised; call zero() or copy_from_host().
template <class T>
class device_buffer : public detail::owned_array<T, detail::device_memory_kind> {
    using base = detail::owned_array<T, detail::device_memory_kind>;

public:
    /// device_buffer() is empty (no allocation); device_buffer(count) allocates and throws
    /// runtime_error naming the bytes requested and the bytes free.
    using base::base;

    /// Sets every byte to 0, asynchronously on `s` (the legacy default stream when null, which
    /// does not order against non-blocking streams: pass the stream the kernels run on).
    void zero(native_stream s = nullptr) {
        if (!this->empty()) AACO_BACKEND_CHECK(vendor::memset_async(this->data(), 0, this->bytes(), s));
    }
    /// Copies `n` elements from host memory to the front of the buffer; returns when done.
    void copy_from_host(const T* src, std::size_t n) {
        detail::require_fits("device_buffer::copy_from_host", n, this->size());
        if (n != 0) AACO_BACKEND_CHECK(vendor::copy_to_device(this->data(), src, n * sizeof(T)));
    }
    /// Copies the first `n` elements to host memory; returns when done.
    void copy_to_host(T* dst, std::size_t n) const {
        detail::require_fits("device_buffer::copy_to_host", n, this->size());
        if (n != 0) AACO_BACKEND_CHECK(vendor::copy_to_host(dst, this->data(), n * sizeof(T)));
    }
};

/// Page-locked host memory for `count` elements of `T` (fast, truly asynchronous copies).
/// Move-only.
template <class T>
class pinned_buffer : public detail::owned_array<T, detail::pinned_memory_kind> {
    using base = detail::owned_array<T, detail::pinned_memory_kind>;

public:
    using base::base;

    T& operator[](std::size_t i) noexcept { return this->data()[i]; }
    const T& operator[](std::size_t i) const noexcept { return this->data()[i]; }
};

/// A non-blocking stream (does not synchronize with the legacy default stream). Move-only.
class stream {
public:
    stream() { AACO_BACKEND_CHECK(vendor::stream_create_non_blocking(s_.out())); }

    /// A stream the caller owns and keeps (a torch or CuPy stream; nullptr is the legacy default
    /// stream): aaco enqueues and times on it, and never destroys it.
    static stream borrow(native_stream caller) noexcept { return stream(caller); }

    native_stream get() const noexcept { return borrowed_ ? caller_ : s_.get(); }
    /// True for a stream made by borrow().
    bool borrowed() const noexcept { return borrowed_; }
    /// Waits for all work enqueued on this stream.
    void synchronize() const { AACO_BACKEND_CHECK(vendor::stream_synchronize(get())); }

private:
    explicit stream(native_stream caller) noexcept : caller_(caller), borrowed_(true) {}

    detail::unique_handle<native_stream, &vendor::stream_destroy> s_;
    native_stream caller_ = nullptr;
    bool borrowed_ = false;
};

/// A timing event. Move-only.
class event {
public:
    event() { AACO_BACKEND_CHECK(vendor::event_create(e_.out())); }

    /// Records the event on `s`: it completes when the work enqueued before it has.
    void record(native_stream s = nullptr) { AACO_BACKEND_CHECK(vendor::event_record(e_.get(), s)); }
    /// Waits for the event to complete.
    void synchronize() const { AACO_BACKEND_CHECK(vendor::event_synchronize(e_.get())); }
    /// Milliseconds between `start` and this event (both recorded, this one completed).
    float elapsed_ms_since(const event& start) const {
        float ms = 0;
        AACO_BACKEND_CHECK(vendor::event_elapsed_ms(&ms, start.e_.get(), e_.get()));
        return ms;
    }
    native_event get() const noexcept { return e_.get(); }

private:
    detail::unique_handle<native_event, &vendor::event_destroy> e_;
};

/// An instantiated graph, built by capturing what a callable enqueues on a stream. Move-only.
class graph {
public:
    /// An empty graph; launch() on it throws invalid_argument.
    graph() noexcept = default;

    /// Captures the work `enqueue` puts on `s` (which must be a created stream, not the legacy
    /// default stream) and instantiates it. `enqueue` is called as `enqueue(s)` when it takes a
    /// stream, else as `enqueue()`. Nothing runs during capture. If `enqueue` throws, the
    /// capture is ended and discarded and the exception propagates.
    template <class Enqueue>
    static graph capture(native_stream s, Enqueue&& enqueue) {
        using graph_template = detail::unique_handle<vendor::graph_t, &vendor::graph_destroy>;
        AACO_BACKEND_CHECK(vendor::begin_capture(s));
        try {
            if constexpr (std::is_invocable_v<Enqueue&, native_stream>)
                enqueue(s);
            else
                enqueue();
        } catch (...) {
            graph_template discarded;
            if (vendor::end_capture(s, discarded.out()) != vendor::success) (void)vendor::get_last_error();
            throw;
        }
        // The executable graph does not need its template once instantiated.
        graph_template captured;
        AACO_BACKEND_CHECK(vendor::end_capture(s, captured.out()));
        graph out;
        AACO_BACKEND_CHECK(vendor::graph_instantiate(out.exec_.out(), captured.get()));
        return out;
    }

    /// Launches the whole graph on `s`.
    void launch(native_stream s) const {
        if (empty()) throw invalid_argument("graph::launch: the graph is empty (never captured)");
        AACO_BACKEND_CHECK(vendor::graph_launch(exec_.get(), s));
    }
    bool empty() const noexcept { return exec_.get() == nullptr; }

private:
    detail::unique_handle<vendor::graph_exec_t, &vendor::graph_exec_destroy> exec_;
};

/// Asynchronous copy of `bytes` on `s`; the direction comes from the pointers (unified
/// addressing). Truly asynchronous only with pinned host memory.
inline void memcpy_async(void* dst, const void* src, std::size_t bytes, native_stream s) {
    if (bytes != 0) AACO_BACKEND_CHECK(vendor::copy_async(dst, src, bytes, s));
}

/// Lets kernel `k` use up to `bytes` of dynamic shared memory (LDS); CUDA needs it above 48 KiB.
template <class Kernel>
void set_max_dynamic_shared_bytes(Kernel* k, int bytes) {
    static_assert(std::is_function_v<Kernel>, "pass a kernel (a __global__ function)");
    AACO_BACKEND_CHECK(vendor::set_max_dynamic_shared(reinterpret_cast<const void*>(k), bytes));
}

/// Blocks of kernel `k` that fit on one SM/CU at once with `threads` threads and `dyn_smem`
/// bytes of dynamic shared memory per block.
template <class Kernel>
int max_active_blocks_per_unit(Kernel* k, int threads, std::size_t dyn_smem) {
    static_assert(std::is_function_v<Kernel>, "pass a kernel (a __global__ function)");
    int blocks = 0;
    AACO_BACKEND_CHECK(vendor::max_active_blocks_per_unit(&blocks, reinterpret_cast<const void*>(k),
                                                          threads, dyn_smem));
    return blocks;
}

} // namespace backend
AACO_NAMESPACE_END
#endif // !AACO_BACKEND_NONE
