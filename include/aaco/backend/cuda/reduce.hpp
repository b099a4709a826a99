/// \file backend/cuda/reduce.hpp
/// \brief CUB's entry in the vendor table: the device-wide reduce behind backend::device_sum
/// (backend/detail/reduce.hpp). Include <aaco/backend/backend.hpp>, not this file.
///
/// Outside a CUDA compilation this header is empty.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/cuda/runtime.hpp>

#include <cub/device/device_reduce.cuh>

#include <cstddef>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace vendor {

/// How launch checks name the reduce.
inline constexpr const char* reduce_name = "cub::DeviceReduce::Reduce";

/// cub::DeviceReduce::Reduce of `count` elements (<= 2^30, so the int item count of older CUB
/// releases holds it). With `temp` null it only sets `temp_bytes`.
template <class T, class Acc, class Op>
error_t device_reduce(void* temp, std::size_t& temp_bytes, const T* in, Acc* out, std::size_t count,
                      Op op, Acc init, stream_t s) {
    return cub::DeviceReduce::Reduce(temp, temp_bytes, in, out, static_cast<int>(count), op, init, s);
}

} // namespace vendor
} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_CUDA
