/// \file backend/backend.hpp
/// \brief The GPU runtime layer, hipCUB-style: this header only routes to the implementation of
/// the backend being compiled, backend/cuda/ (CUDA runtime + CUB) or backend/hip/ (HIP runtime +
/// rocPRIM). Both provide the same API in aaco::backend; no other layer calls cuda*/hip*.
///
/// In a host-only build (AACO_BACKEND_NONE) only `available` (false) and `name` ("none")
/// exist, so host code can ask whether a GPU runtime is compiled in.
#pragma once
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/cuda/peer.hpp>
#include <aaco/backend/cuda/reduce.hpp>
#include <aaco/backend/cuda/runtime.hpp>
#include <aaco/backend/detail/mapped.hpp>
#elif AACO_BACKEND_HIP
#include <aaco/backend/hip/peer.hpp>
#include <aaco/backend/hip/reduce.hpp>
#include <aaco/backend/hip/runtime.hpp>
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
