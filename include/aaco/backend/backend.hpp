/// \file backend/backend.hpp
/// \brief The GPU runtime layer: this header only routes. The API of aaco::backend is written
/// once, in backend/detail/ (runtime.hpp, peer.hpp, reduce.hpp), over a thin vendor table,
/// `aaco::backend::vendor`, that the compiler selects: backend/cuda/ (CUDA runtime + CUB) under
/// nvcc, backend/hip/ (HIP runtime + rocPRIM) under hipcc. The vendor files hold only what
/// really differs: types, constants, entry points, and how each runtime names a device. No other
/// layer calls cuda*/hip*.
///
/// In a host-only build (AACO_BACKEND_NONE) only `available` (false) and `name` ("none")
/// exist, so host code can ask whether a GPU runtime is compiled in.
#pragma once
#include <aaco/config.hpp>

#if !AACO_BACKEND_NONE
#include <aaco/backend/detail/peer.hpp>
#include <aaco/backend/detail/reduce.hpp>
#include <aaco/backend/detail/runtime.hpp>
#include <aaco/backend/detail/mapped.hpp>
#else
#include <string_view>

AACO_NAMESPACE_BEGIN
namespace backend {
/// False: this translation unit is compiled without a GPU runtime.
inline constexpr bool available = false;
/// Which runtime: "none".
inline constexpr std::string_view name = "none";
} // namespace backend
AACO_NAMESPACE_END
#endif
