// Compiled by nvcc (as CUDA) or hipcc: aaco with the GPU backend.
#include "outcome.hpp"
#include "sides.hpp"

#include <aaco/backend/backend.hpp>

side_report gpu_side_report() {
    return {std::string(aaco::backend::name), open_device_outcome(), calibrator_outcome()};
}

double gpu_side_hbm_gbps(const aaco::envelope& env) {
    return env.memory_gbps(aaco::memory_level::hbm);
}

double gpu_side_asks_host_side(const char* profile) {
    return host_side_hbm_gbps(aaco::datasheet_envelope(aaco::find_profile(profile)));
}
