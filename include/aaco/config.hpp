/// \file config.hpp
/// \brief Version, the versioned inline namespace, backend and architecture macros.
///
/// Every macro that aaco defines lives here, is prefixed `AACO_`, and is always defined
/// (backend/arch switches are 0 or 1), so code tests them with `#if`, never `#ifdef`.
#pragma once

#define AACO_VERSION_MAJOR 0
#define AACO_VERSION_MINOR 1
#define AACO_VERSION_PATCH 0
#define AACO_VERSION_STRING "0.1.0"

/// Opens/closes aaco's versioned inline namespace. A future ABI break bumps v0 to v1.
#define AACO_NAMESPACE_BEGIN namespace aaco { inline namespace v0 {
#define AACO_NAMESPACE_END } }

// ---------------------------------------------------------------------------------------------
// Backend selection. A user may force one with -DAACO_FORCE_BACKEND_NONE=1; otherwise the
// compiler decides: nvcc (or clang-cuda) compiling device code -> CUDA, hipcc -> HIP,
// anything else -> NONE (host-only: model, stats, io).
// ---------------------------------------------------------------------------------------------
#if defined(AACO_FORCE_BACKEND_NONE) && AACO_FORCE_BACKEND_NONE
#  define AACO_BACKEND_HIP 0
#  define AACO_BACKEND_CUDA 0
#elif defined(__HIP__) || defined(__HIPCC__)
#  define AACO_BACKEND_HIP 1
#  define AACO_BACKEND_CUDA 0
#elif defined(__CUDACC__)
#  define AACO_BACKEND_HIP 0
#  define AACO_BACKEND_CUDA 1
#else
#  define AACO_BACKEND_HIP 0
#  define AACO_BACKEND_CUDA 0
#endif
#if AACO_BACKEND_HIP || AACO_BACKEND_CUDA
#  define AACO_BACKEND_NONE 0
#else
#  define AACO_BACKEND_NONE 1
#endif

/// 1 while the compiler runs a device pass (any GPU arch), 0 on the host pass.
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
#  define AACO_DEVICE_PASS 1
#else
#  define AACO_DEVICE_PASS 0
#endif

// ---------------------------------------------------------------------------------------------
// Architecture macros, CUTLASS-style two levels:
//   AACO_ARCH_*_SUPPORTED: the toolkit in use can build that arch (a host-side fact);
//   AACO_ARCH_*_ENABLED:   the current device pass compiles for that arch.
// ---------------------------------------------------------------------------------------------
#if AACO_BACKEND_CUDA && defined(__CUDACC_VER_MAJOR__) && (__CUDACC_VER_MAJOR__ >= 12)
#  define AACO_ARCH_SM90A_SUPPORTED 1
#else
#  define AACO_ARCH_SM90A_SUPPORTED 0
#endif
#if AACO_BACKEND_CUDA && defined(__CUDA_ARCH__) && (__CUDA_ARCH__ >= 800)
#  define AACO_ARCH_SM80_ENABLED 1
#else
#  define AACO_ARCH_SM80_ENABLED 0
#endif
// wgmma exists only in the arch-specific sm_90a target (compute_90a), which defines
// __CUDA_ARCH_FEAT_SM90_ALL; plain sm_90 must take the mma.sync path.
#if AACO_BACKEND_CUDA && defined(__CUDA_ARCH__) && (__CUDA_ARCH__ == 900) && \
    defined(__CUDA_ARCH_FEAT_SM90_ALL)
#  define AACO_ARCH_SM90A_ENABLED 1
#else
#  define AACO_ARCH_SM90A_ENABLED 0
#endif

#if AACO_BACKEND_HIP && defined(__gfx908__)
#  define AACO_ARCH_GFX908_ENABLED 1
#else
#  define AACO_ARCH_GFX908_ENABLED 0
#endif
#if AACO_BACKEND_HIP && defined(__gfx90a__)
#  define AACO_ARCH_GFX90A_ENABLED 1
#else
#  define AACO_ARCH_GFX90A_ENABLED 0
#endif
#if AACO_BACKEND_HIP && (defined(__gfx940__) || defined(__gfx941__) || defined(__gfx942__))
#  define AACO_ARCH_GFX94X_ENABLED 1
#else
#  define AACO_ARCH_GFX94X_ENABLED 0
#endif
// gfx950 (CDNA4, MI350/MI355X): hipcc 5.2 does not know it; Debian's clang-22 compiles it
// device-only, which is how the ISA checks (tests/isa) build and read this path. It has not run
// on hardware.
#if AACO_BACKEND_HIP && defined(__gfx950__)
#  define AACO_ARCH_GFX950_ENABLED 1
#else
#  define AACO_ARCH_GFX950_ENABLED 0
#endif

// ---------------------------------------------------------------------------------------------
// Function and kernel attributes.
// ---------------------------------------------------------------------------------------------
#if AACO_BACKEND_NONE
#  define AACO_HOST_DEVICE
#  define AACO_DEVICE
#else
#  define AACO_HOST_DEVICE __host__ __device__
#  define AACO_DEVICE __device__
#endif

/// Kernels get hidden visibility so that two shared libraries that both include aaco never
/// resolve each other's kernel symbols. Use as `AACO_KERNEL void name(...)`; kernels are also
/// templates or `static`, which gives each translation unit its own instance.
#if AACO_BACKEND_NONE
#  define AACO_KERNEL static
#else
#  define AACO_KERNEL __global__ __attribute__((visibility("hidden")))
#endif
