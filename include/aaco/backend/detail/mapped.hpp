/// \file backend/detail/mapped.hpp
/// \brief backend::mapped_buffer: page-locked host memory that a running kernel reads and writes
/// directly over the host link: the gate flag of the device launch floor (kernels/empty.hpp) and
/// the pointer chain of the latency ladder's host rung (kernels/latency.hpp). Written once over
/// the vendor entry points of backend/cuda/mapped.hpp and backend/hip/mapped.hpp. Include
/// <aaco/backend/backend.hpp>, not this file.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP
#include <aaco/backend/detail/common.hpp>
#include <aaco/backend/detail/runtime.hpp>
#include <aaco/error.hpp>
#if AACO_BACKEND_CUDA
#include <aaco/backend/cuda/mapped.hpp>
#else
#include <aaco/backend/hip/mapped.hpp>
#endif

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

AACO_NAMESPACE_BEGIN
namespace backend {

/// Page-locked host memory for `count` elements of `T`, mapped into the current device's address
/// space and coherent while kernels run: the host writes through host(), a kernel polls through
/// device() with volatile loads and sees the store without the kernel ending. Every access from
/// the device crosses the host link: use it for flags, or for data whose path over the link is
/// what is measured. Move-only; zero-filled.
template <class T>
class mapped_buffer {
    static_assert(std::is_trivially_copyable_v<T>, "mapped_buffer holds trivially copyable types");

public:
    mapped_buffer() noexcept = default;
    /// Allocates and zero-fills `count` (>= 1) elements; throws runtime_error naming the call and
    /// the bytes asked for.
    explicit mapped_buffer(std::size_t count) : size_(count) {
        if (count == 0 || count > std::numeric_limits<std::size_t>::max() / sizeof(T))
            throw invalid_argument("mapped_buffer: count must be in [1, SIZE_MAX / " +
                                   std::to_string(sizeof(T)) + "], got " + std::to_string(count));
        void* p = nullptr;
        const std::string call = std::string(vendor::malloc_mapped_name) + " of " +
                                 std::to_string(count * sizeof(T)) + " bytes";
        backend::check(vendor::malloc_mapped(&p, count * sizeof(T)), call.c_str(), __FILE__, __LINE__);
        host_ = static_cast<T*>(p);
        for (std::size_t i = 0; i < count; ++i) host_[i] = T{};
        void* d = nullptr;
        try {
            AACO_BACKEND_CHECK(vendor::mapped_device_pointer(&d, p));
        } catch (...) {
            release();
            throw;
        }
        device_ = static_cast<T*>(d);
    }
    mapped_buffer(const mapped_buffer&) = delete;
    mapped_buffer& operator=(const mapped_buffer&) = delete;
    mapped_buffer(mapped_buffer&& o) noexcept
        : host_(std::exchange(o.host_, nullptr)), device_(std::exchange(o.device_, nullptr)),
          size_(std::exchange(o.size_, 0)) {}
    mapped_buffer& operator=(mapped_buffer&& o) noexcept {
        if (this != &o) {
            release();
            host_ = std::exchange(o.host_, nullptr);
            device_ = std::exchange(o.device_, nullptr);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }
    ~mapped_buffer() { release(); }

    /// The host's view. Write flags through a volatile access so the store is not elided.
    T* host() noexcept { return host_; }
    const T* host() const noexcept { return host_; }
    /// The device's address of the same memory, for kernel arguments.
    T* device() const noexcept { return device_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t bytes() const noexcept { return size_ * sizeof(T); }

private:
    void release() noexcept {
        // Errors are ignored: a destructor must not throw, and at process exit the runtime may
        // already be unloading.
        if (host_ && static_cast<int>(vendor::free_mapped(host_)) != 0) vendor::clear_mapped_error();
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
#endif // AACO_BACKEND_CUDA || AACO_BACKEND_HIP
