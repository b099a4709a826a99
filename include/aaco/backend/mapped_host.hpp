/// \file backend/mapped_host.hpp
/// \brief Mapped pinned host memory: page-locked host memory that kernels load from directly,
/// over the host link (cudaHostAlloc / hipHostMalloc with the "mapped" flag, and the device
/// address of it from cudaHostGetDevicePointer / hipHostGetDevicePointer). The latency probe
/// chases pointers through it (kernels/latency.hpp).
///
/// Kept in its own file, written once over a three-call vendor table, so that it does not
/// depend on how backend/cuda and backend/hip are organised. Outside a GPU compilation this
/// header is empty.
#pragma once
#include <aaco/config.hpp>

#if !AACO_BACKEND_NONE
#include <aaco/backend/backend.hpp>
#include <aaco/error.hpp>

#if AACO_BACKEND_CUDA
#include <cuda_runtime.h>
#else
#include <hip/hip_runtime.h>
#endif

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace detail {

/// The runtime calls behind mapped_host_buffer, per vendor.
struct mapped_host_calls {
#if AACO_BACKEND_CUDA
    static constexpr const char* alloc_name = "cudaHostAlloc(cudaHostAllocMapped)";
    static native_error alloc(void** p, std::size_t bytes) { return cudaHostAlloc(p, bytes, cudaHostAllocMapped); }
    static native_error release(void* p) { return cudaFreeHost(p); }
    static native_error device_pointer(void** d, void* p) { return cudaHostGetDevicePointer(d, p, 0); }
    static const char* describe(native_error e) { return cudaGetErrorString(e); }
    static void clear_error() { (void)cudaGetLastError(); }
    static constexpr native_error success = cudaSuccess;
    static constexpr native_error out_of_memory = cudaErrorMemoryAllocation;
#else
    static constexpr const char* alloc_name = "hipHostMalloc(hipHostMallocMapped)";
    static native_error alloc(void** p, std::size_t bytes) { return hipHostMalloc(p, bytes, hipHostMallocMapped); }
    static native_error release(void* p) { return hipHostFree(p); }
    static native_error device_pointer(void** d, void* p) { return hipHostGetDevicePointer(d, p, 0); }
    static const char* describe(native_error e) { return hipGetErrorString(e); }
    static void clear_error() { (void)hipGetLastError(); }
    static constexpr native_error success = hipSuccess;
    static constexpr native_error out_of_memory = hipErrorOutOfMemory;
#endif
};

} // namespace detail

/// Mapped pinned host memory for `count` elements of `T`, freed on destruction. Move-only.
/// The host writes it through host_data(); kernels read it through device_data(), every access
/// crossing the host link. Uninitialised.
template <class T>
class mapped_host_buffer {
    static_assert(std::is_trivially_copyable_v<T>, "mapped_host_buffer holds trivially copyable types");
    using calls = detail::mapped_host_calls;

public:
    mapped_host_buffer() noexcept = default;
    /// Allocates and maps `count` elements; throws runtime_error naming the bytes asked for.
    explicit mapped_host_buffer(std::size_t count) : size_(count) {
        if (count == 0) return;
        if (count > std::numeric_limits<std::size_t>::max() / sizeof(T))
            throw runtime_error("cannot allocate " + std::to_string(count) + " elements x " +
                                    std::to_string(sizeof(T)) + " bytes of mapped host memory: the byte count overflows",
                                static_cast<int>(calls::out_of_memory));
        void* p = nullptr;
        const native_error e = calls::alloc(&p, count * sizeof(T));
        if (e != calls::success) {
            calls::clear_error();
            size_ = 0;
            throw runtime_error("cannot allocate " + std::to_string(count * sizeof(T)) +
                                    " bytes of mapped pinned host memory: " + calls::alloc_name +
                                    " failed: " + calls::describe(e),
                                static_cast<int>(e));
        }
        host_ = static_cast<T*>(p);
        void* d = nullptr;
        const native_error m = calls::device_pointer(&d, p);
        if (m != calls::success) {
            release();
            AACO_BACKEND_CHECK(m); // throws, naming the call
        }
        device_ = static_cast<T*>(d);
    }
    mapped_host_buffer(const mapped_host_buffer&) = delete;
    mapped_host_buffer& operator=(const mapped_host_buffer&) = delete;
    mapped_host_buffer(mapped_host_buffer&& o) noexcept
        : host_(std::exchange(o.host_, nullptr)), device_(std::exchange(o.device_, nullptr)),
          size_(std::exchange(o.size_, 0)) {}
    mapped_host_buffer& operator=(mapped_host_buffer&& o) noexcept {
        if (this != &o) {
            release();
            host_ = std::exchange(o.host_, nullptr);
            device_ = std::exchange(o.device_, nullptr);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }
    ~mapped_host_buffer() { release(); }

    /// The memory as the host addresses it.
    T* host_data() noexcept { return host_; }
    const T* host_data() const noexcept { return host_; }
    /// The same memory as kernels address it (equal to host_data() under unified addressing).
    T* device_data() noexcept { return device_; }
    const T* device_data() const noexcept { return device_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t bytes() const noexcept { return size_ * sizeof(T); }
    bool empty() const noexcept { return size_ == 0; }

private:
    void release() noexcept {
        // Errors are ignored: a destructor must not throw (see device_buffer).
        if (host_ && calls::release(host_) != calls::success) calls::clear_error();
        host_ = nullptr;
        device_ = nullptr;
        size_ = 0;
    }

    T* host_ = nullptr;
    T* device_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace backend
AACO_NAMESPACE_END
#endif // !AACO_BACKEND_NONE
