/// \file backend/detail/reduce.hpp
/// \brief Device-wide sums, written once over the vendor's reduce (CUB's cub::DeviceReduce in
/// backend/cuda/reduce.hpp, rocPRIM's rocprim::reduce in backend/hip/reduce.hpp), used to verify
/// what the memory and compute kernels wrote. Include <aaco/backend/backend.hpp>, not this file.
///
/// In a host-only build this header is empty.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/cuda/reduce.hpp>
#elif AACO_BACKEND_HIP
#include <aaco/backend/hip/reduce.hpp>
#endif

#if !AACO_BACKEND_NONE
#include <aaco/backend/detail/common.hpp>
#include <aaco/backend/detail/runtime.hpp>
#include <aaco/error.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace detail {

/// Sums `n` elements of `d` on `s` into an `Acc`, in chunks of at most `chunk` elements (see
/// reduce_chunk_elements). Temporary storage is allocated here and freed before returning; the
/// stream is synchronized. Exposed with its chunk size so that tests can force several chunks.
template <class Acc, class T>
Acc device_sum_chunked(const T* d, std::size_t n, native_stream s, std::size_t chunk) {
    if (n == 0) return Acc{};
    if (d == nullptr) throw invalid_argument("device_sum: null input with a non-zero count");
    if (chunk == 0 || chunk > reduce_chunk_elements)
        throw invalid_argument("device_sum: chunk size must be in [1, 2^30]");
    const std::size_t chunks = chunk_count(n, chunk);
    const std::size_t first = n < chunk ? n : chunk;

    // The first chunk is the longest, so its temporary size serves every chunk.
    std::size_t temp_bytes = 0;
    AACO_BACKEND_CHECK(vendor::device_reduce(nullptr, temp_bytes, d, static_cast<Acc*>(nullptr),
                                             first, sum_as<Acc>{}, Acc{}, s));
    // At least one byte: a null temporary pointer would turn the reduce into a size query.
    device_buffer<unsigned char> temp(temp_bytes > 0 ? temp_bytes : 1);
    device_buffer<Acc> partial(chunks);
    for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t begin = c * chunk;
        const std::size_t count = n - begin < chunk ? n - begin : chunk;
        std::size_t bytes = temp_bytes;
        AACO_BACKEND_CHECK(vendor::device_reduce(temp.data(), bytes, d + begin, partial.data() + c,
                                                 count, sum_as<Acc>{}, Acc{}, s));
        AACO_BACKEND_CHECK_LAUNCH(vendor::reduce_name);
    }
    std::vector<Acc> host(chunks);
    memcpy_async(host.data(), partial.data(), chunks * sizeof(Acc), s);
    AACO_BACKEND_CHECK(vendor::stream_synchronize(s));
    Acc total{};
    for (const Acc& v : host) total += v;
    return total;
}

} // namespace detail

/// Sum of `n` floats on the device, accumulated in double. Synchronizes `s`.
inline double device_sum(const float* d, std::size_t n, native_stream s) {
    return detail::device_sum_chunked<double>(d, n, s, detail::reduce_chunk_elements);
}
/// Sum of `n` doubles on the device. Synchronizes `s`.
inline double device_sum(const double* d, std::size_t n, native_stream s) {
    return detail::device_sum_chunked<double>(d, n, s, detail::reduce_chunk_elements);
}
/// Sum of `n` 32-bit unsigned integers on the device, accumulated in 64 bits (exact for any
/// n < 2^32). Synchronizes `s`.
inline std::uint64_t device_sum(const std::uint32_t* d, std::size_t n, native_stream s) {
    return detail::device_sum_chunked<std::uint64_t>(d, n, s, detail::reduce_chunk_elements);
}

} // namespace backend
AACO_NAMESPACE_END
#endif // !AACO_BACKEND_NONE
