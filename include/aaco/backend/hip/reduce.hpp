/// \file backend/hip/reduce.hpp
/// \brief rocPRIM's entry in the vendor table: the device-wide reduce behind backend::device_sum
/// (backend/detail/reduce.hpp). Include <aaco/backend/backend.hpp>, not this file.
///
/// Outside a HIP compilation this header is empty.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_HIP
#include <aaco/backend/hip/runtime.hpp>

// The umbrella header: rocPRIM 5.3's device_reduce.hpp is not self-contained (needs <iostream>).
#include <rocprim/rocprim.hpp>

#include <cstddef>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace vendor {

/// How launch checks name the reduce.
inline constexpr const char* reduce_name = "rocprim::reduce";

/// rocprim::reduce of `count` elements. With `temp` null it only sets `temp_bytes`.
template <class T, class Acc, class Op>
error_t device_reduce(void* temp, std::size_t& temp_bytes, const T* in, Acc* out, std::size_t count,
                      Op op, Acc init, stream_t s) {
    return rocprim::reduce(temp, temp_bytes, in, out, init, count, op, s);
}

} // namespace vendor
} // namespace backend
AACO_NAMESPACE_END
#endif // AACO_BACKEND_HIP
