// The functions each object of the mixed-compiler program exports. host_side.cpp is compiled by
// the host C++ compiler (no GPU backend), gpu_side.cpp by nvcc or hipcc; main.cpp checks both.
#pragma once
#include <aaco/model.hpp>

#include <string>

/// What one object's calibrator path did with device 0: "opened <name>" or
/// "<exception type>: <message>", once through probes::open_device and once through
/// hardware_calibrator. `backend` is aaco::backend::name as that object saw it.
struct side_report {
    std::string backend;
    std::string open_device;
    std::string calibrator;
};

side_report host_side_report();
side_report gpu_side_report();

/// Portable types cross between the objects: each side builds a datasheet envelope and hands it,
/// by reference, to a function the other compiler built (a link error if aaco::envelope were a
/// different type under each compiler).
double host_side_hbm_gbps(const aaco::envelope& env);
double gpu_side_hbm_gbps(const aaco::envelope& env);
double host_side_asks_gpu_side(const char* profile);
double gpu_side_asks_host_side(const char* profile);
