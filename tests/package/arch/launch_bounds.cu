// Checks AACO_CUDA_MAX_THREADS_PER_SM (config.hpp) against ptxas for one arch: `fits` asks for
// as many 256-thread blocks as the macro allows and must compile without a warning; `one_more`
// asks for one block more and must make ptxas warn that it ignores the minimum (so the macro is
// not lower than the arch's limit either). Compiled by check_launch_bounds.cmake.
#include <aaco/config.hpp>

__global__ void __launch_bounds__(256, AACO_CUDA_MIN_BLOCKS(256, 8)) fits(int* p) {
    p[threadIdx.x] = 1;
}

__global__ void __launch_bounds__(256, AACO_CUDA_MAX_THREADS_PER_SM / 256 + 1) one_more(int* p) {
    p[threadIdx.x] = 2;
}
