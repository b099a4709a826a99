// Compiled by the host C++ compiler: aaco without a GPU backend.
#include "outcome.hpp"
#include "sides.hpp"

#include <aaco/backend/backend.hpp>

side_report host_side_report() {
    return {std::string(aaco::backend::name), open_device_outcome(), calibrator_outcome()};
}

double host_side_hbm_gbps(const aaco::envelope& env) {
    return env.memory_gbps(aaco::memory_level::hbm);
}

double host_side_asks_gpu_side(const char* profile) {
    return gpu_side_hbm_gbps(aaco::datasheet_envelope(aaco::find_profile(profile)));
}
