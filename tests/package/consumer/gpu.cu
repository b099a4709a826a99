// CUDA consumer: the whole library, kernels included, compiled by nvcc through aaco::cuda.
#include <aaco/aaco.hpp>

#include <cstdio>

int main() {
    std::printf("consumer_cuda: backend %s, %d device(s)\n",
                std::string(aaco::backend::name).c_str(), aaco::backend::device_count());
    return 0;
}
