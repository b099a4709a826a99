/// \file config.hpp
/// \brief Version, the versioned ABI namespaces, backend and architecture macros.
///
/// Every macro that aaco defines lives here, is prefixed `AACO_`, and is always defined
/// (backend/arch switches are 0 or 1), so code tests them with `#if`, never `#ifdef`.
#pragma once

#define AACO_VERSION_MAJOR 0
#define AACO_VERSION_MINOR 1
#define AACO_VERSION_PATCH 0
#define AACO_VERSION_STRING "0.1.0"

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

// ---------------------------------------------------------------------------------------------
// ABI namespaces. Users write aaco::name; the inline namespace underneath is part of every
// mangled name. A future ABI break bumps v0 to v1 in both.
//
// Code whose body depends on the backend (backend/, arch/, kernels/, probes/, calibrator, measure,
// ...) lives in aaco::v0_cuda, aaco::v0_hip or aaco::v0_none, chosen by the compiler of each
// translation unit. A program that mixes g++ objects with nvcc or hipcc objects, all including
// aaco, then links each object to the inline functions its own compiler built: without this,
// e.g. probes::open_device had one mangled name with two bodies (an ODR violation), and the
// linker kept whichever object came first.
//
// The host-only layers (config, error, model, stats, io, cache, calibration_options, fleet) are
// the same under every compiler and live in aaco::v0, so an aaco::envelope made in an nvcc
// object can be passed to a function compiled by g++. A header may open the portable namespace
// only if it uses no backend macro and includes only portable headers; the package test
// package_portable_abi checks that.
// ---------------------------------------------------------------------------------------------
#if AACO_BACKEND_CUDA
#  define AACO_ABI_NAMESPACE v0_cuda
#elif AACO_BACKEND_HIP
#  define AACO_ABI_NAMESPACE v0_hip
#else
#  define AACO_ABI_NAMESPACE v0_none
#endif
/// Opens/closes the backend's ABI namespace (the default for aaco code).
#define AACO_NAMESPACE_BEGIN namespace aaco { inline namespace AACO_ABI_NAMESPACE {
#define AACO_NAMESPACE_END } }
/// Opens/closes the portable ABI namespace of the host-only layers (same for every compiler).
#define AACO_PORTABLE_NAMESPACE_BEGIN namespace aaco { inline namespace v0 {
#define AACO_PORTABLE_NAMESPACE_END } }

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

/// Resident threads per SM of the arch the current CUDA device pass compiles for, as ptxas (CUDA
/// 13.0) enforces them: 1024 on sm_75; 1536 on sm_86, sm_87, sm_88, sm_89, sm_110, sm_120 and
/// sm_121; 2048 on sm_80, sm_90, sm_100 and sm_103 (package_cuda_launch_bounds checks each arch
/// the installed nvcc lists). 2048 on the host pass and for HIP. ptxas ignores, with a warning, a
/// __launch_bounds__ minimum of blocks per SM that needs more threads than this.
#if AACO_BACKEND_CUDA && defined(__CUDA_ARCH__) && (__CUDA_ARCH__ == 750)
#  define AACO_CUDA_MAX_THREADS_PER_SM 1024
#elif AACO_BACKEND_CUDA && defined(__CUDA_ARCH__) &&                                             \
    (__CUDA_ARCH__ == 860 || __CUDA_ARCH__ == 870 || __CUDA_ARCH__ == 880 ||                     \
     __CUDA_ARCH__ == 890 || __CUDA_ARCH__ == 1100 || __CUDA_ARCH__ == 1200 || __CUDA_ARCH__ == 1210)
#  define AACO_CUDA_MAX_THREADS_PER_SM 1536
#else
#  define AACO_CUDA_MAX_THREADS_PER_SM 2048
#endif
/// The blocks-per-SM minimum for __launch_bounds__(threads, ...): `blocks`, lowered to as many
/// blocks of `threads` as one SM of the compiled arch holds. A kernel tuned for 8 x 256 threads on
/// sm_80/sm_90 then compiles warning-free for sm_75 (4 blocks) and sm_89 (6 blocks), where it
/// keeps the register cap that the SM's own occupancy limit gives.
#define AACO_CUDA_MIN_BLOCKS(threads, blocks)                                                     \
    ((threads) * (blocks) <= AACO_CUDA_MAX_THREADS_PER_SM ? (blocks)                             \
                                                          : AACO_CUDA_MAX_THREADS_PER_SM / (threads))

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
