// Checks that each object of a program mixing host-compiler and GPU-compiler objects, all
// including aaco, runs the calibrator path its own compiler built, whatever the link order.
#include "sides.hpp"

#include <cstdio>
#include <string>

namespace {

bool contains(const std::string& text, const char* part) {
    return text.find(part) != std::string::npos;
}

int failures = 0;

void expect(bool ok, const char* what, const std::string& got) {
    std::printf("%s %s: %s\n", ok ? "ok  " : "FAIL", what, got.c_str());
    if (!ok) ++failures;
}

/// The host object has no backend: both paths must throw its no_device_error.
void check_host(const side_report& r) {
    const char* host_message = "no_device_error: aaco was built without a GPU backend";
    expect(r.backend == "none", "host object: backend", r.backend);
    expect(r.open_device.rfind(host_message, 0) == 0, "host object: probes::open_device", r.open_device);
    expect(r.calibrator.rfind(host_message, 0) == 0, "host object: hardware_calibrator", r.calibrator);
}

/// The GPU object must reach its runtime: a device opened, or the runtime's own complaint (this
/// test also runs on machines without a GPU), never the host-only build's message.
bool gpu_path(const std::string& outcome) {
    const bool runtime_answer = outcome.rfind("opened ", 0) == 0 ||
                                outcome.rfind("no_device_error: ", 0) == 0 ||
                                outcome.rfind("runtime_error: ", 0) == 0;
    return runtime_answer && !contains(outcome, "built without a GPU backend");
}

void check_gpu(const side_report& r) {
    expect(r.backend == "cuda" || r.backend == "hip", "gpu object: backend", r.backend);
    expect(gpu_path(r.open_device), "gpu object: probes::open_device", r.open_device);
    expect(gpu_path(r.calibrator), "gpu object: hardware_calibrator", r.calibrator);
}

} // namespace

int main() {
    check_host(host_side_report());
    check_gpu(gpu_side_report());
    const double local =
        aaco::datasheet_envelope(aaco::find_profile("mi300x")).memory_gbps(aaco::memory_level::hbm);
    const double to_gpu = host_side_asks_gpu_side("mi300x");
    const double to_host = gpu_side_asks_host_side("mi300x");
    expect(to_gpu == local && local > 0, "envelope made in the host object, read in the gpu object",
           std::to_string(to_gpu) + " GB/s (main's own: " + std::to_string(local) + ")");
    expect(to_host == local, "envelope made in the gpu object, read in the host object",
           std::to_string(to_host) + " GB/s");
    return failures == 0 ? 0 : 1;
}
