// Why no GPU can be used (aaco/backend/diagnose.hpp): the message follows the facts, so that a
// machine without a driver is not told to upgrade one (issue 10, item 9).
#include <aaco/backend/diagnose.hpp>

#include <doctest/doctest.h>

#include <string>

namespace {

using aaco::backend::diagnose::count_status;
using aaco::backend::diagnose::no_gpu_facts;
using aaco::backend::diagnose::no_gpu_message;
using aaco::backend::diagnose::vendor;

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

/// What CUDA 13 says on a machine with no NVIDIA driver at all: cudaGetDeviceCount returns
/// cudaErrorInsufficientDriver (35) and cudaDriverGetVersion reports 0.
no_gpu_facts cuda_without_driver() {
    no_gpu_facts f;
    f.who = vendor::nvidia;
    f.status = count_status::insufficient_driver;
    f.error_code = 35;
    f.error_text = "CUDA driver version is insufficient for CUDA runtime version";
    f.driver_version = 0;
    f.runtime_version = 13000;
    f.device_nodes = false;
    return f;
}

} // namespace

TEST_SUITE("backend.diagnose") {

TEST_CASE("no driver at all is called that, not an old driver") {
    const std::string m = no_gpu_message(cuda_without_driver());
    CAPTURE(m);
    CHECK(m.rfind("no NVIDIA driver is installed", 0) == 0);
    CHECK(has(m, "libcuda.so.1"));
    CHECK(has(m, "/dev/nvidiactl"));
    CHECK_FALSE(has(m, "too old"));
    CHECK_FALSE(has(m, "upgrade"));
    // The runtime's own words are kept, as evidence, after the diagnosis.
    CHECK(has(m, "(the CUDA runtime says: CUDA driver version is insufficient for CUDA runtime version, code 35)"));
}

TEST_CASE("a kernel driver without its user-space library") {
    no_gpu_facts f = cuda_without_driver();
    f.device_nodes = true;
    const std::string m = no_gpu_message(f);
    CHECK(has(m, "kernel driver is loaded"));
    CHECK(has(m, "cannot load its user-space library (libcuda.so.1)"));
}

TEST_CASE("a driver too old names both versions") {
    no_gpu_facts f = cuda_without_driver();
    f.driver_version = 12020;  // a driver for CUDA 12.2
    f.device_nodes = true;
    const std::string m = no_gpu_message(f);
    CAPTURE(m);
    CHECK(has(m, "the NVIDIA driver is too old for this program: it supports CUDA 12.2, and this "
                 "program's CUDA runtime is 13.0"));
    CHECK(has(m, "supports CUDA 13.0 or newer"));
}

TEST_CASE("a driver that sees no device") {
    no_gpu_facts f;
    f.who = vendor::nvidia;
    f.status = count_status::no_device;
    f.error_code = 100;
    f.error_text = "no CUDA-capable device is detected";
    f.driver_version = 12080;
    f.runtime_version = 13000;
    f.device_nodes = true;
    f.visibility = "CUDA_VISIBLE_DEVICES=''";
    const std::string m = no_gpu_message(f);
    CAPTURE(m);
    CHECK(has(m, "the NVIDIA driver (CUDA 12.8) is installed, but it reports no device"));
    CHECK(has(m, "CUDA_VISIBLE_DEVICES='' is set and may hide every device"));
    // A call that succeeded with 0 devices says so without an error text.
    f.status = count_status::ok;
    f.error_code = 0;
    f.error_text.clear();
    f.visibility.clear();
    const std::string ok = no_gpu_message(f);
    CHECK(has(ok, "reports no device"));
    CHECK_FALSE(has(ok, "the CUDA runtime says"));
}

TEST_CASE("AMD: no /dev/kfd means no driver; with it, permissions and visibility") {
    no_gpu_facts f;
    f.who = vendor::amd;
    f.status = count_status::no_device;
    f.error_code = 100;
    f.error_text = "no ROCm-capable device is detected";
    f.device_nodes = false;
    CHECK(no_gpu_message(f).rfind("no AMD GPU driver: /dev/kfd does not exist", 0) == 0);
    f.device_nodes = true;
    f.driver_version = 50221151;
    const std::string m = no_gpu_message(f);
    CAPTURE(m);
    CHECK(has(m, "the AMD driver (HIP 5.2) is installed, but it reports no device"));
    CHECK(has(m, "/dev/kfd and /dev/dri/renderD*"));
}

TEST_CASE("any other error keeps the runtime's text and both versions") {
    no_gpu_facts f;
    f.who = vendor::nvidia;
    f.status = count_status::other;
    f.error_code = 999;
    f.error_text = "unknown error";
    f.driver_version = 13000;
    f.runtime_version = 13000;
    f.device_nodes = true;
    const std::string m = no_gpu_message(f);
    CHECK(has(m, "cannot list the devices (driver CUDA 13.0, runtime 13.0)"));
    CHECK(has(m, "unknown error, code 999"));
}

TEST_CASE("version numbers as people write them") {
    using aaco::backend::diagnose::version_text;
    CHECK(version_text(vendor::nvidia, 12080) == "12.8");
    CHECK(version_text(vendor::nvidia, 13000) == "13.0");
    CHECK(version_text(vendor::nvidia, 0) == "unknown");
    CHECK(version_text(vendor::amd, 50221151) == "5.2");
    CHECK(version_text(vendor::amd, 60342134) == "6.3");
    CHECK(version_text(vendor::amd, 5) == "5");
}

} // TEST_SUITE
