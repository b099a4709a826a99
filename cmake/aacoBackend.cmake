# Resolves AACO_BACKEND (auto | cuda | hip | none) into AACO_BACKEND_RESOLVED and prepares the
# toolchain.
#   aaco as the top-level project: auto = CUDA if nvcc is found, else HIP if the C++ compiler is
#     hipcc, else none; CUDA builds default to CMAKE_CUDA_ARCHITECTURES=90a-real;80-real.
#   aaco as a subproject (add_subdirectory): auto = what the consumer already compiles (CUDA if it
#     enabled the CUDA language, HIP if its C++ compiler is hipcc, else none). A vendored aaco never
#     enables a language or writes a CMake cache variable of the consumer's on its own; only an
#     explicit AACO_BACKEND=cuda enables CUDA (and sets CMAKE_CUDA_ARCHITECTURES if it is unset).
include(CheckLanguage)

function(_aaco_cxx_is_hipcc out)
  get_filename_component(_name "${CMAKE_CXX_COMPILER}" NAME)
  if(_name MATCHES "^hipcc")
    set(${out} ON PARENT_SCOPE)
  else()
    set(${out} OFF PARENT_SCOPE)
  endif()
endfunction()

_aaco_cxx_is_hipcc(_aaco_cxx_hipcc)
get_property(_aaco_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
set(AACO_BACKEND_RESOLVED none)
if(AACO_BACKEND STREQUAL "auto" AND NOT AACO_TOP_LEVEL)
  if("CUDA" IN_LIST _aaco_languages)
    set(AACO_BACKEND_RESOLVED cuda)
  elseif(_aaco_cxx_hipcc)
    set(AACO_BACKEND_RESOLVED hip)
  endif()
elseif(AACO_BACKEND STREQUAL "cuda" OR (AACO_BACKEND STREQUAL "auto" AND NOT _aaco_cxx_hipcc))
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc AND NOT DEFINED ENV{CUDACXX})
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc CACHE FILEPATH "CUDA compiler")
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(AACO_BACKEND_RESOLVED cuda)
  elseif(AACO_BACKEND STREQUAL "cuda")
    message(FATAL_ERROR "AACO_BACKEND=cuda but no CUDA compiler (nvcc) was found. "
                        "Put nvcc on PATH or pass -DCMAKE_CUDA_COMPILER=/path/to/nvcc.")
  endif()
endif()
if(AACO_BACKEND_RESOLVED STREQUAL "none" AND (AACO_BACKEND STREQUAL "hip" OR
                                              (AACO_BACKEND STREQUAL "auto" AND AACO_TOP_LEVEL)))
  if(_aaco_cxx_hipcc)
    set(AACO_BACKEND_RESOLVED hip)
  elseif(AACO_BACKEND STREQUAL "hip")
    message(FATAL_ERROR "AACO_BACKEND=hip needs hipcc as the C++ compiler "
                        "(-DCMAKE_CXX_COMPILER=hipcc; Debian: apt-get install hipcc). "
                        "CMake's HIP language does not find Debian's layout, so aaco does not use it.")
  endif()
endif()

if(AACO_BACKEND_RESOLVED STREQUAL "cuda")
  # sm_90a: wgmma (Hopper). sm_80: the mma.sync path (Ampere, and Hopper's legacy figure).
  # Never "native": build machines have no GPU.
  if(AACO_TOP_LEVEL AND (NOT DEFINED CMAKE_CUDA_ARCHITECTURES OR CMAKE_CUDA_ARCHITECTURES STREQUAL "52"))
    set(CMAKE_CUDA_ARCHITECTURES "90a-real;80-real" CACHE STRING "CUDA architectures" FORCE)
  elseif(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    # A consumer that asked for AACO_BACKEND=cuda without choosing architectures.
    set(CMAKE_CUDA_ARCHITECTURES "90a-real;80-real" CACHE STRING "CUDA architectures")
  endif()
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  if(NOT "CUDA" IN_LIST _aaco_languages)
    enable_language(CUDA)
  endif()
elseif(AACO_BACKEND_RESOLVED STREQUAL "hip")
  # GPU_TARGETS follows ROCm's convention. gfx940 carries the MI300 (gfx942) instruction set and
  # is the newest target Debian's hipcc 5.2 (LLVM 15) knows. A subproject reads the consumer's
  # GPU_TARGETS and otherwise sets aaco's own (a directory variable, not the cache).
  if(AACO_TOP_LEVEL)
    set(GPU_TARGETS "gfx908;gfx90a;gfx940" CACHE STRING "AMD GPU targets (--offload-arch)")
  elseif(NOT DEFINED GPU_TARGETS)
    set(GPU_TARGETS "gfx908;gfx90a;gfx940")
  endif()
endif()

# aaco_gpu_target(<target>): compile <target>'s C++ sources for the resolved backend.
# CUDA: sources become CUDA language; HIP: --offload-arch per GPU_TARGETS; none: plain C++.
function(aaco_gpu_target target)
  if(AACO_BACKEND_RESOLVED STREQUAL "cuda")
    get_target_property(_srcs ${target} SOURCES)
    foreach(_s IN LISTS _srcs)
      if(_s MATCHES "\\.(cpp|cu)$")
        set_source_files_properties(${_s} TARGET_DIRECTORY ${target} PROPERTIES LANGUAGE CUDA)
      endif()
    endforeach()
    target_link_libraries(${target} PRIVATE aaco::cuda)
  elseif(AACO_BACKEND_RESOLVED STREQUAL "hip")
    foreach(_arch IN LISTS GPU_TARGETS)
      target_compile_options(${target} PRIVATE --offload-arch=${_arch})
      target_link_options(${target} PRIVATE --offload-arch=${_arch})
    endforeach()
    target_link_libraries(${target} PRIVATE aaco::hip)
  else()
    target_link_libraries(${target} PRIVATE aaco::aaco)
  endif()
endfunction()

# aaco_warnings(<target>): -Wall -Wextra (and -Werror for aaco's own targets) for every compiler.
function(aaco_warnings target)
  set(_flags -Wall -Wextra)
  if(AACO_WARNINGS_AS_ERRORS)
    list(APPEND _flags -Werror)
  endif()
  string(REPLACE ";" "," _xflags "${_flags}")
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${_flags}>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=${_xflags}>)
  if(AACO_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings>)
  endif()
endfunction()
