# Configures tests/package/side_effects for MODE (subdir | find_package) and CASE, checking the
# outcome (see side_effects/CMakeLists.txt). CASE cuda_app runs once per value of ARCHS_LIST
# ("unset" or a CMAKE_CUDA_ARCHITECTURES value with "," for ";", "|" between values): every value
# without 90a
# must warn naming CMAKE_CUDA_ARCHITECTURES and the value to set; 90a-real;80-real must not.
# Inputs: MODE, CASE, AACO_SOURCE_DIR, AACO_BINARY_DIR, WORK_DIR, CXX, CUDA_COMPILER, GENERATOR.
cmake_minimum_required(VERSION 3.25)

function(configure out_rc out_text)
  file(REMOVE_RECURSE "${WORK_DIR}")
  set(args -S "${AACO_SOURCE_DIR}/tests/package/side_effects" -B "${WORK_DIR}" -G "${GENERATOR}"
           -DCMAKE_CXX_COMPILER=${CXX} -DMODE=${MODE} -DCASE=${CASE} ${ARGN})
  if(MODE STREQUAL "subdir")
    list(APPEND args -DAACO_SOURCE_DIR=${AACO_SOURCE_DIR})
  else()
    list(APPEND args -Daaco_DIR=${AACO_BINARY_DIR})
  endif()
  if(CASE STREQUAL "cuda_app")
    list(APPEND args -DCMAKE_CUDA_COMPILER=${CUDA_COMPILER})
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  string(REGEX REPLACE "[ \n]+" " " text "${out}${err}")  # CMake wraps long messages
  message(STATUS "configure ${ARGN}: exit ${rc}\n${out}${err}")
  set(${out_rc} "${rc}" PARENT_SCOPE)
  set(${out_text} "${text}" PARENT_SCOPE)
endfunction()

if(CASE STREQUAL "host_only")
  configure(rc text)
  if(NOT rc EQUAL 0 OR NOT text MATCHES "side effects: none")
    message(FATAL_ERROR "the host-only consumer's configure failed or aaco changed its languages or cache")
  endif()
elseif(CASE STREQUAL "cuda_not_asked")
  configure(rc text)
  if(rc EQUAL 0 OR NOT text MATCHES "links aaco::cuda, which was not made" OR
     NOT text MATCHES "COMPONENTS cuda")
    message(FATAL_ERROR "linking aaco::cuda without asking for it must fail and say how to ask")
  endif()
elseif(CASE STREQUAL "cuda_component")
  configure(rc text)
  if(NOT rc EQUAL 0 OR NOT text MATCHES "aaco::cuda made on request")
    message(FATAL_ERROR "find_package(aaco COMPONENTS cuda) must make aaco::cuda")
  endif()
elseif(CASE STREQUAL "cuda_app")
  string(REPLACE "|" ";" values "${ARCHS_LIST}")
  foreach(value IN LISTS values)
    if(value STREQUAL "unset")
      configure(rc text)
    else()
      string(REPLACE "," ";" value "${value}")
      file(WRITE "${WORK_DIR}.init.cmake" "set(CMAKE_CUDA_ARCHITECTURES \"${value}\" CACHE STRING \"\")\n")
      configure(rc text -C "${WORK_DIR}.init.cmake")
    endif()
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "the CUDA consumer's configure failed (CMAKE_CUDA_ARCHITECTURES ${value})")
    endif()
    set(warned OFF)
    if(text MATCHES "target 'cuda_app' links aaco::cuda but compiles CUDA for" AND
       text MATCHES "Set CMAKE_CUDA_ARCHITECTURES to 90a-real;80-real")
      set(warned ON)
    endif()
    if(value MATCHES "90a" AND warned)
      message(FATAL_ERROR "CMAKE_CUDA_ARCHITECTURES=${value} has sm_90a, yet aaco warned")
    elseif(NOT value MATCHES "90a" AND NOT warned)
      message(FATAL_ERROR "CMAKE_CUDA_ARCHITECTURES ${value}: no sm_90a code, and aaco did not say so")
    endif()
  endforeach()
endif()
