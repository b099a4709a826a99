# Builds tests/package/mixed as a user's mixed program would be: host_side.cpp and main.cpp with the
# host C++ compiler, gpu_side.cpp with nvcc or hipcc, all including aaco; links the objects in
# both orders and runs each program (main.cpp checks which calibrator path each object took).
# Inputs: SOURCE_DIR (tests/package/mixed), AACO_INCLUDE, WORK_DIR, CXX, GPU_KIND (cuda | hip),
# GPU_COMPILER, GPU_FLAGS (;-list: the arch flags).
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${WORK_DIR}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "$ ${ARGN}\n${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc})")
  endif()
endfunction()

# No -O: at -O0 nothing is inlined, so every aaco inline function is a weak symbol that the linker
# resolves once for the whole program; this is where the backends' bodies would collide.
set(common -std=c++17 -I${AACO_INCLUDE} -I${SOURCE_DIR})
run(${CXX} ${common} -Wall -Wextra -Werror -c ${SOURCE_DIR}/host_side.cpp -o host_side.o)
run(${CXX} ${common} -Wall -Wextra -Werror -c ${SOURCE_DIR}/main.cpp -o main.o)
if(GPU_KIND STREQUAL "cuda")
  run(${GPU_COMPILER} ${common} ${GPU_FLAGS} -x cu -c ${SOURCE_DIR}/gpu_side.cpp -o gpu_side.o)
else()
  run(${GPU_COMPILER} ${common} ${GPU_FLAGS} -c ${SOURCE_DIR}/gpu_side.cpp -o gpu_side.o)
endif()

# The GPU compiler drives the link so its runtime library comes along.
run(${GPU_COMPILER} host_side.o gpu_side.o main.o -o host_first)
run(${GPU_COMPILER} gpu_side.o host_side.o main.o -o gpu_first)
set(failed "")
foreach(program host_first gpu_first)
  execute_process(COMMAND "${WORK_DIR}/${program}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "$ ${program}\n${out}${err}")
  if(NOT rc EQUAL 0)
    list(APPEND failed ${program})
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "wrong calibrator path in: ${failed}")
endif()
