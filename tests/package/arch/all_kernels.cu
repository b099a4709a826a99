// A CUDA consumer that instantiates every kernel aaco-calibrate launches: the calibration and the
// whole-node path. tests/package compiles it (package_cuda_other_arch) for architectures aaco is
// not tuned for, sm_75 (nvcc's default) and sm_89, with -Werror=all-warnings: every kernel must
// compile cleanly there.
#include <aaco/aaco.hpp>
#include <aaco/probes/node.hpp>

#include <cstdio>

int main() {
    try {
        aaco::hardware_calibrator calibrator{0};
        const aaco::envelope env = calibrator.calibrate();
        const auto node = aaco::probes::calibrate_node({0});
        std::printf("%zu compute ceilings; node of %zu devices\n", env.compute.size(),
                    node.devices.size());
    } catch (const std::exception& e) {
        std::printf("aaco: %s\n", e.what());
    }
    return 0;
}
