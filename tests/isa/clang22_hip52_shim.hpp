// Force-included (-include) by the AMD ISA scripts into their clang-22 device-only compiles, and
// only there: it is test support, never part of aaco's headers.
//
// Debian 12's HIP 5.2 headers call __llvm_amdgcn_rcp_f16 / __llvm_amdgcn_rcp_2f16 (in
// amd_hip_fp16.h's hrcp/h2rcp). Clang's HIP wrapper declared both up to LLVM 19 (deprecated
// there, "use ((_Float16)1.0) /"); clang-22 no longer does, so any translation unit that pulls
// in <hip/hip_fp16.h> stops compiling. These two definitions are what LLVM 19's wrapper had.
// aaco's kernels never call hrcp/h2rcp, so the shim only lets the headers parse; it cannot
// change the code the ISA checks read.
#pragma once
#if defined(__clang_major__) && __clang_major__ >= 22 && defined(__HIP__)
__device__ inline _Float16 __llvm_amdgcn_rcp_f16(_Float16 x) { return static_cast<_Float16>(1.0f) / x; }
__device__ inline __2f16 __llvm_amdgcn_rcp_2f16(__2f16 x) { return static_cast<__2f16>(1.0f) / x; }
#endif
