# package_cuda_launch_bounds: for every real arch the installed nvcc lists (nvcc --list-gpu-code),
# compiles arch/launch_bounds.cu to a cubin and checks that ptxas accepts the blocks-per-SM
# minimum AACO_CUDA_MIN_BLOCKS gives and warns for one block more.
# Inputs: NVCC, SOURCE (launch_bounds.cu), AACO_INCLUDE, WORK_DIR.
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(COMMAND ${NVCC} --list-gpu-code OUTPUT_VARIABLE codes RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NVCC} --list-gpu-code failed (${rc})")
endif()
string(REGEX MATCHALL "sm_[0-9]+[a-z]?" codes "${codes}")
list(FILTER codes EXCLUDE REGEX "[a-z]$")  # sm_90a etc.: same limits as their base arch
set(problems "")
foreach(code IN LISTS codes)
  execute_process(COMMAND ${NVCC} -std=c++17 -I${AACO_INCLUDE} -cubin -arch=${code} ${SOURCE}
                          -o ${WORK_DIR}/launch_bounds_${code}.cubin
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(text "${out}${err}")
  message(STATUS "${code}: exit ${rc}\n${text}")
  if(NOT rc EQUAL 0)
    string(APPEND problems "  ${code}: nvcc failed (${rc})\n")
  elseif(text MATCHES "for entry [^ ]*fits")
    string(APPEND problems "  ${code}: AACO_CUDA_MAX_THREADS_PER_SM is above this arch's limit\n")
  elseif(NOT text MATCHES "for entry [^ ]*one_more[^\n]*minnctapersm will be ignored")
    string(APPEND problems "  ${code}: AACO_CUDA_MAX_THREADS_PER_SM is below this arch's limit\n")
  endif()
endforeach()
if(problems)
  message(FATAL_ERROR "AACO_CUDA_MAX_THREADS_PER_SM (include/aaco/config.hpp) disagrees with ptxas:\n${problems}")
endif()
message(STATUS "AACO_CUDA_MAX_THREADS_PER_SM matches ptxas for ${codes}")
