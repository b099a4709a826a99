# aaco::cuda = aaco::aaco + CUDA::cudart + CCCL::CUB
# aaco::hip  = aaco::aaco + hip::host + roc::rocprim
# Shared by the build tree and by the installed aacoConfig.cmake, which includes this file too.
#
# A GPU toolkit is looked for only when asked, so that a host-only consumer's configure never
# searches for (or caches) CUDA or HIP:
#   aaco::cuda: aaco's own CUDA build (AACO_BACKEND_RESOLVED), find_package(aaco COMPONENTS cuda),
#               or a project that enabled the CUDA language before finding or adding aaco
#               (whatever AACO_BACKEND says for aaco's own targets);
#   aaco::hip:  aaco's own HIP build, COMPONENTS hip, or a project whose C++ compiler is hipcc.
# At the end of the consumer's directory, _aaco_check_gpu_consumers() looks at every target that
# links aaco::cuda or aaco::hip: one that links a target that was not made fails with the way to
# ask for it, and one that compiles CUDA without sm_90a gets a warning naming
# CMAKE_CUDA_ARCHITECTURES (it would measure no Hopper matrix-core peak).
#
# Inputs: AACO_BACKEND_RESOLVED (build tree only), aaco_FIND_COMPONENTS (package only).

get_filename_component(_aaco_cxx_name "${CMAKE_CXX_COMPILER}" NAME)
get_property(_aaco_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
set(_aaco_want_cuda OFF)
set(_aaco_want_hip OFF)
if(AACO_BACKEND_RESOLVED STREQUAL "cuda" OR "cuda" IN_LIST aaco_FIND_COMPONENTS OR
   "CUDA" IN_LIST _aaco_languages)
  set(_aaco_want_cuda ON)
endif()
if(AACO_BACKEND_RESOLVED STREQUAL "hip" OR "hip" IN_LIST aaco_FIND_COMPONENTS OR
   _aaco_cxx_name MATCHES "^hipcc")
  set(_aaco_want_hip ON)
endif()

# _aaco_make_gpu_target(<name> <dependencies...>): aaco::<name> linking aaco::aaco and the
# dependencies; an ALIAS of a real target in the build tree, an IMPORTED one in a package.
function(_aaco_make_gpu_target name)
  if(TARGET aaco)  # the build tree (aaco itself, or add_subdirectory)
    add_library(aaco_${name} INTERFACE)
    add_library(aaco::${name} ALIAS aaco_${name})
    target_link_libraries(aaco_${name} INTERFACE aaco::aaco ${ARGN})
  else()
    add_library(aaco::${name} INTERFACE IMPORTED)
    set_property(TARGET aaco::${name} PROPERTY INTERFACE_LINK_LIBRARIES aaco::aaco ${ARGN})
  endif()
endfunction()

set(aaco_cuda_FOUND FALSE)
if(_aaco_want_cuda AND NOT TARGET aaco::cuda)
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
    _aaco_make_gpu_target(cuda CUDA::cudart CCCL::CUB)
  endif()
endif()
if(TARGET aaco::cuda)
  set(aaco_cuda_FOUND TRUE)
endif()

set(aaco_hip_FOUND FALSE)
if(_aaco_want_hip AND NOT TARGET aaco::hip AND _aaco_cxx_name MATCHES "^hipcc")
  find_package(hip CONFIG QUIET)
  find_package(rocprim CONFIG QUIET)
  if(TARGET hip::host AND TARGET roc::rocprim)
    _aaco_make_gpu_target(hip hip::host roc::rocprim)
  endif()
endif()
if(TARGET aaco::hip)
  set(aaco_hip_FOUND TRUE)
endif()

if(AACO_BACKEND_RESOLVED STREQUAL "cuda" AND NOT TARGET aaco::cuda)
  message(FATAL_ERROR "CUDA backend: CUDA::cudart or CCCL::CUB not found (find_package(CUDAToolkit), find_package(CCCL CONFIG)).")
endif()
if(AACO_BACKEND_RESOLVED STREQUAL "hip" AND NOT TARGET aaco::hip)
  message(FATAL_ERROR "HIP backend: hip::host or roc::rocprim not found. Debian: apt-get install libamdhip64-dev librocprim-dev rocm-device-libs")
endif()
if("cuda" IN_LIST aaco_FIND_COMPONENTS AND NOT aaco_cuda_FOUND)
  set(aaco_NOT_FOUND_MESSAGE "aaco component cuda: CUDA::cudart or CCCL::CUB not found "
                             "(find_package(CUDAToolkit), find_package(CCCL CONFIG))")
endif()
if("hip" IN_LIST aaco_FIND_COMPONENTS AND NOT aaco_hip_FOUND)
  set(aaco_NOT_FOUND_MESSAGE "aaco component hip: needs hipcc as the C++ compiler, hip::host and "
                             "roc::rocprim (Debian: libamdhip64-dev librocprim-dev)")
endif()

# ---- the end-of-configure check of the consumer's targets ---------------------------------------

# _aaco_targets_under(<dir> <out>): every buildsystem target of <dir> and its subdirectories.
function(_aaco_targets_under dir out)
  get_property(found DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _aaco_targets_under("${sub}" more)
    list(APPEND found ${more})
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

# _aaco_links(<target> <name> <out>): whether <target> links aaco::<name> (directly, as usage
# requirement, or inside a generator expression).
function(_aaco_links target name out)
  get_target_property(direct ${target} LINK_LIBRARIES)
  get_target_property(usage ${target} INTERFACE_LINK_LIBRARIES)
  set(${out} OFF PARENT_SCOPE)
  if("${direct};${usage}" MATCHES "(^|[^A-Za-z0-9_])aaco(::|_)${name}([^A-Za-z0-9_]|$)")
    set(${out} ON PARENT_SCOPE)
  endif()
endfunction()

# _aaco_cuda_architectures_hint(<target>): the warning for a CUDA target without sm_90a.
function(_aaco_cuda_architectures_hint target)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    return()  # compiles nothing itself; the targets that link it are checked
  endif()
  if(NOT "CUDA" IN_LIST _aaco_languages_now)
    return()
  endif()
  get_target_property(archs ${target} CUDA_ARCHITECTURES)
  if(archs STREQUAL "OFF")
    return()  # the target passes its own -arch flags
  endif()
  # Only targets that compile CUDA sources build aaco's kernels.
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(compiles_cuda OFF)
  foreach(source IN LISTS sources)
    if(source MATCHES "\\.cu$")
      set(compiles_cuda ON)
    elseif(NOT source MATCHES "^\\$<")
      get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${source_dir}")
      get_source_file_property(language "${path}" TARGET_DIRECTORY ${target} LANGUAGE)
      if(language STREQUAL "CUDA")
        set(compiles_cuda ON)
      endif()
    endif()
  endforeach()
  if(NOT compiles_cuda)
    return()
  endif()
  if(NOT archs MATCHES "(^|;)90a")
    message(WARNING "aaco: target '${target}' links aaco::cuda but compiles CUDA for "
      "'${archs}' (its CUDA_ARCHITECTURES, taken from CMAKE_CUDA_ARCHITECTURES), which has no "
      "sm_90a code: on Hopper (H100, H200) aaco's wgmma matrix-core probes cannot run and are "
      "reported as failed. Set CMAKE_CUDA_ARCHITECTURES to 90a-real;80-real (sm_90a: wgmma on "
      "Hopper; sm_80: mma.sync on Ampere and later) before the target is created, e.g. "
      "-DCMAKE_CUDA_ARCHITECTURES=\"90a-real;80-real\", or add 90a-real to the target's "
      "CUDA_ARCHITECTURES.")
  endif()
endfunction()

function(_aaco_check_gpu_consumers)
  get_property(_aaco_languages_now GLOBAL PROPERTY ENABLED_LANGUAGES)
  _aaco_targets_under("${CMAKE_CURRENT_SOURCE_DIR}" targets)
  foreach(target IN LISTS targets)
    _aaco_links(${target} cuda links_cuda)
    if(links_cuda AND NOT TARGET aaco::cuda)
      message(FATAL_ERROR "aaco: target '${target}' links aaco::cuda, which was not made: aaco "
        "looks for the CUDA toolkit and CUB only when asked. Use find_package(aaco COMPONENTS "
        "cuda), or enable the CUDA language (project(... LANGUAGES CXX CUDA)) before "
        "find_package(aaco) or add_subdirectory(aaco) (or set AACO_BACKEND=cuda for the latter).")
    elseif(links_cuda)
      _aaco_cuda_architectures_hint(${target})
    endif()
    _aaco_links(${target} hip links_hip)
    if(links_hip AND NOT TARGET aaco::hip)
      message(FATAL_ERROR "aaco: target '${target}' links aaco::hip, which was not made: it needs "
        "hipcc as the C++ compiler (-DCMAKE_CXX_COMPILER=hipcc) and hip::host and roc::rocprim "
        "(find_package(aaco COMPONENTS hip) says which is missing).")
    endif()
  endforeach()
endfunction()

# Once per directory: the build tree checks the whole project (aaco may be a subdirectory of it);
# a package checks the directory that found it, where its imported targets are visible.
if(TARGET aaco)
  set(_aaco_check_dir "${CMAKE_SOURCE_DIR}")
else()
  set(_aaco_check_dir "${CMAKE_CURRENT_SOURCE_DIR}")
endif()
get_property(_aaco_checked DIRECTORY "${_aaco_check_dir}" PROPERTY AACO_GPU_CONSUMERS_CHECKED)
if(NOT _aaco_checked)
  set_property(DIRECTORY "${_aaco_check_dir}" PROPERTY AACO_GPU_CONSUMERS_CHECKED ON)
  cmake_language(DEFER DIRECTORY "${_aaco_check_dir}" CALL _aaco_check_gpu_consumers)
endif()
