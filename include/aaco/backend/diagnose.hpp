/// \file backend/diagnose.hpp
/// \brief Why no GPU can be used, in words that send the user to the right fix.
///
/// A runtime's own error string misleads here: without any NVIDIA driver, cudaGetDeviceCount
/// says "CUDA driver version is insufficient for CUDA runtime version", which sends the user to
/// upgrade a driver they do not have. no_gpu_message() tells apart, from facts the backend
/// gathers when it finds no device:
///  - no driver at all (CUDA: the runtime finds no driver library, cudaDriverGetVersion gives 0;
///    no /dev/nvidia* nodes. HIP: no /dev/kfd, so the amdgpu kernel driver is not there);
///  - a kernel driver whose user-space part cannot be loaded (device nodes but no driver
///    version);
///  - a driver too old for the runtime, naming both versions;
///  - a driver that sees no device (hidden by CUDA_VISIBLE_DEVICES / HIP_VISIBLE_DEVICES, or
///    permissions on the device nodes);
///  - anything else, with the runtime's error text and code.
/// The message is a pure function of the facts (host-tested in tests/host/test_diagnose.cpp).
/// backend::detail::describe_no_gpu() (backend/detail/runtime.hpp, written once over the vendor
/// table) gathers them: the driver and runtime versions from the runtime, the device nodes from
/// the file system, the visibility variable from the environment; require_device() calls it where
/// it finds no device. This file includes no GPU header.
#pragma once
#include <aaco/config.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

AACO_NAMESPACE_BEGIN
namespace backend {
namespace diagnose {

/// Whose runtime failed to find a GPU.
enum class vendor { nvidia, amd };

/// What the device-count call returned, in vendor-neutral terms.
enum class count_status {
    ok,                   ///< the call succeeded (and reported 0 devices)
    no_device,            ///< cudaErrorNoDevice / hipErrorNoDevice
    insufficient_driver,  ///< cudaErrorInsufficientDriver / hipErrorInsufficientDriver
    other,                ///< anything else
};

/// The facts behind a "no GPU" message.
struct no_gpu_facts {
    vendor who = vendor::nvidia;
    count_status status = count_status::ok;
    int error_code = 0;           ///< the runtime's error code (0 = success)
    std::string error_text;       ///< the runtime's error string; empty on success
    /// cudaDriverGetVersion / hipDriverGetVersion: 0 when no driver could be loaded.
    int driver_version = 0;
    /// cudaRuntimeGetVersion / hipRuntimeGetVersion: the runtime this program runs on.
    int runtime_version = 0;
    /// The vendor's kernel-driver device nodes exist (/dev/nvidiactl or /dev/nvidia0; /dev/kfd).
    bool device_nodes = false;
    /// The device-visibility variable ("CUDA_VISIBLE_DEVICES=..." / "HIP_VISIBLE_DEVICES=...")
    /// when it is set, else empty.
    std::string visibility;
};

/// A runtime or driver version as people write it. CUDA encodes 1000 x major + 10 x minor
/// (12080 -> "12.8"); HIP encodes 10000000 x major + 100000 x minor + patch (50221151 ->
/// "5.2"); a smaller HIP figure is printed as is.
inline std::string version_text(vendor who, int v) {
    if (v <= 0) return "unknown";
    if (who == vendor::nvidia)
        return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
    if (v >= 10000000)
        return std::to_string(v / 10000000) + "." + std::to_string((v / 100000) % 100);
    return std::to_string(v);
}

namespace detail {

inline std::string_view vendor_name(vendor who) { return who == vendor::nvidia ? "NVIDIA" : "AMD"; }
inline std::string_view runtime_name(vendor who) { return who == vendor::nvidia ? "CUDA" : "HIP"; }
inline std::string_view nodes_text(vendor who) {
    return who == vendor::nvidia ? "/dev/nvidiactl, /dev/nvidia0" : "/dev/kfd";
}

/// " (the runtime says: <text>, code N)", or nothing when the call succeeded.
inline std::string runtime_says(const no_gpu_facts& f) {
    if (f.status == count_status::ok || f.error_text.empty()) return {};
    return " (the " + std::string(runtime_name(f.who)) + " runtime says: " + f.error_text +
           ", code " + std::to_string(f.error_code) + ")";
}

inline std::string visibility_hint(const no_gpu_facts& f) {
    if (!f.visibility.empty()) return "; " + f.visibility + " is set and may hide every device";
    return {};
}

} // namespace detail

/// The "no GPU" message for `f` (without a leading "no GPU: "; the caller adds context).
inline std::string no_gpu_message(const no_gpu_facts& f) {
    using namespace detail;
    const std::string vendor = std::string(vendor_name(f.who));
    const std::string runtime = std::string(runtime_name(f.who));
    const std::string runtime_v = version_text(f.who, f.runtime_version);
    if (f.who == vendor::nvidia && f.driver_version <= 0) {
        if (!f.device_nodes)
            return "no NVIDIA driver is installed: the CUDA runtime finds no driver library "
                   "(libcuda.so.1) and there are no device nodes (" +
                   std::string(nodes_text(f.who)) +
                   "). This machine has no usable NVIDIA GPU; if it has one, install the NVIDIA "
                   "driver" + runtime_says(f);
        return "the NVIDIA kernel driver is loaded (" + std::string(nodes_text(f.who)) +
               " exist), but the CUDA runtime cannot load its user-space library (libcuda.so.1): "
               "check the driver installation, LD_LIBRARY_PATH, or the container's GPU "
               "runtime" + runtime_says(f);
    }
    if (f.who == vendor::amd && !f.device_nodes)
        return "no AMD GPU driver: /dev/kfd does not exist, so the amdgpu kernel driver is not "
               "loaded (or a container was started without --device=/dev/kfd "
               "--device=/dev/dri)" + runtime_says(f);
    if (f.status == count_status::insufficient_driver)
        return "the " + vendor + " driver is too old for this program: it supports " + runtime +
               " " + version_text(f.who, f.driver_version) + ", and this program's " + runtime +
               " runtime is " + runtime_v + "; install a driver that supports " + runtime + " " +
               runtime_v + " or newer, or rebuild with an older toolkit" + runtime_says(f);
    if (f.status == count_status::ok || f.status == count_status::no_device)
        return "the " + vendor + " driver (" + runtime + " " +
               version_text(f.who, f.driver_version) + ") is installed, but it reports no " +
               "device" + runtime_says(f) + visibility_hint(f) +
               (f.who == vendor::amd
                    ? "; check read/write permission on /dev/kfd and /dev/dri/renderD* (groups "
                      "video, render)"
                    : "");
    return "the " + runtime + " runtime cannot list the devices (driver " + runtime + " " +
           version_text(f.who, f.driver_version) + ", runtime " + runtime_v + ")" +
           runtime_says(f) + visibility_hint(f);
}

/// Whether the vendor's kernel-driver device nodes exist. Touches only the file system.
inline bool gather_device_nodes(vendor who) {
    std::error_code ec;
    if (who == vendor::amd) return std::filesystem::exists("/dev/kfd", ec);
    return std::filesystem::exists("/dev/nvidiactl", ec) ||
           std::filesystem::exists("/dev/nvidia0", ec);
}

/// "CUDA_VISIBLE_DEVICES=<value>" (or HIP_VISIBLE_DEVICES / ROCR_VISIBLE_DEVICES) when set.
inline std::string gather_visibility(vendor who) {
    const char* names_nvidia[] = {"CUDA_VISIBLE_DEVICES"};
    const char* names_amd[] = {"HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES",
                               "CUDA_VISIBLE_DEVICES"};
    const char* const* names = who == vendor::nvidia ? names_nvidia : names_amd;
    const std::size_t count = who == vendor::nvidia ? 1 : 3;
    for (std::size_t i = 0; i < count; ++i)
        if (const char* v = std::getenv(names[i])) return std::string(names[i]) + "='" + v + "'";
    return {};
}

} // namespace diagnose
} // namespace backend
AACO_NAMESPACE_END
