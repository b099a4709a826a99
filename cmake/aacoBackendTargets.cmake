# aaco::cuda = aaco::aaco + CUDA::cudart + CCCL::CUB
# aaco::hip  = aaco::aaco + hip::host + roc::rocprim
# Shared by the build tree and by the installed aacoConfig.cmake, which includes this file too.
# Each target exists only where its toolchain was found.
if(NOT TARGET aaco::cuda)
  find_package(CUDAToolkit QUIET)
  if(CUDAToolkit_FOUND)
    # CCCL's package config ships with the toolkit; where it lies differs between installs
    # (lib/cmake, lib64/cmake, targets/<arch>/lib/cmake), so give CMake those places.
    find_package(CCCL CONFIG QUIET
      HINTS "${CUDAToolkit_LIBRARY_DIR}/cmake" "${CUDAToolkit_LIBRARY_ROOT}/lib/cmake"
            "${CUDAToolkit_LIBRARY_ROOT}/lib64/cmake" "${CUDAToolkit_TARGET_DIR}/lib/cmake"
            "${CUDAToolkit_TARGET_DIR}/lib64/cmake")
  endif()
  if(TARGET CUDA::cudart AND TARGET CCCL::CUB)
    add_library(aaco_cuda INTERFACE)
    add_library(aaco::cuda ALIAS aaco_cuda)
    target_link_libraries(aaco_cuda INTERFACE aaco::aaco CUDA::cudart CCCL::CUB)
  endif()
endif()
if(NOT TARGET aaco::hip)
  get_filename_component(_aaco_cxx_name "${CMAKE_CXX_COMPILER}" NAME)
  if(_aaco_cxx_name MATCHES "^hipcc")
    find_package(hip CONFIG QUIET)
    find_package(rocprim CONFIG QUIET)
    if(TARGET hip::host AND TARGET roc::rocprim)
      add_library(aaco_hip INTERFACE)
      add_library(aaco::hip ALIAS aaco_hip)
      target_link_libraries(aaco_hip INTERFACE aaco::aaco hip::host roc::rocprim)
    endif()
  endif()
endif()
if(AACO_BACKEND_RESOLVED STREQUAL "cuda" AND NOT TARGET aaco::cuda)
  message(FATAL_ERROR "CUDA backend: CUDA::cudart or CCCL::CUB not found (find_package(CUDAToolkit), find_package(CCCL CONFIG)).")
endif()
if(AACO_BACKEND_RESOLVED STREQUAL "hip" AND NOT TARGET aaco::hip)
  message(FATAL_ERROR "HIP backend: hip::host or roc::rocprim not found. Debian: apt-get install libamdhip64-dev librocprim-dev rocm-device-libs")
endif()
