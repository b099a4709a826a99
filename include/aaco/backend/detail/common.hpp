/// \file backend/detail/common.hpp
/// \brief Vendor-neutral pieces of the backend: message building, formatting of what the
/// runtimes report, and the plain data types the vendor tables fill. Host-only standard C++; no
/// runtime call lives here, so both vendor tables share it and the GPU test suite can check it
/// without a device.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

/// Checks a runtime call: throws aaco::runtime_error naming the call text and its file:line
/// (aaco::unsupported_arch_error when the device has no code in this binary). Variadic so that
/// template arguments with commas inside the call need no extra parentheses.
#define AACO_BACKEND_CHECK(...) \
    ::aaco::backend::check((__VA_ARGS__), #__VA_ARGS__, __FILE__, __LINE__)
/// Checks the launch just enqueued with <<<...>>> (configuration errors, missing kernel image).
/// Asynchronous faults inside the kernel surface at the next synchronizing call instead.
#define AACO_BACKEND_CHECK_LAUNCH(kernel_name) \
    ::aaco::backend::check_last_launch((kernel_name), __FILE__, __LINE__)

AACO_NAMESPACE_BEGIN
namespace backend {

/// What the runtime says about the ordered device pair src -> dst (backend::query_peer).
struct peer_info {
    bool access = false;       ///< src can map dst's memory (cudaDeviceCanAccessPeer / hipDeviceCanAccessPeer)
    /// The link kind: "xgmi", "pcie", ... on HIP (hipExtGetLinkTypeAndHopCount); empty on CUDA,
    /// whose runtime does not tell NVLink from PCIe (NVML does), and where unknown.
    std::string link;
    int hops = -1;             ///< HIP: hop count; -1 unknown (always on CUDA)
    /// CUDA: cudaDevP2PAttrPerformanceRank, relative link performance, lower is better; -1
    /// unknown (always on HIP).
    int performance_rank = -1;
};

namespace detail {

/// What an unsupported_arch_error says about the device: its arch ("" when unknown) and the
/// build flag that adds code for it.
struct rebuild_advice {
    std::string arch;
    std::string rebuild_hint;
};

/// "<call> failed: <what> (code N) at file:line on device D"; the device part is left out when
/// the runtime could not say which device was current (device < 0).
inline std::string failure_message(std::string_view call, std::string_view what, int code,
                                   std::string_view file, int line, int device) {
    std::string m;
    m.append(call).append(" failed: ").append(what);
    m.append(" (code ").append(std::to_string(code)).append(")");
    m.append(" at ").append(file).append(":").append(std::to_string(line));
    if (device >= 0) m.append(" on device ").append(std::to_string(device));
    return m;
}

/// The message of an unsupported_arch_error: which device, which arch, and how to rebuild.
/// `rebuild_hint` is vendor-specific, e.g. "-DCMAKE_CUDA_ARCHITECTURES=90a-real".
inline std::string unsupported_arch_message(std::string_view call, std::string_view what,
                                            int code, std::string_view file, int line,
                                            int device, std::string_view arch,
                                            std::string_view rebuild_hint) {
    std::string m = failure_message(call, what, code, file, line, device);
    m.append(": this binary has no GPU code for ");
    m.append(arch.empty() ? std::string_view("the current device's architecture") : arch);
    m.append("; rebuild aaco's GPU code for it with ").append(rebuild_hint);
    return m;
}

/// The no_device_error for an id outside [0, count).
inline std::string bad_device_message(int id, int count) {
    return "device " + std::to_string(id) + " does not exist (" + std::to_string(count) +
           " visible)";
}

/// Renders a byte count with a binary-prefixed figure beside it: "1073741824 bytes (1.00 GiB)".
inline std::string bytes_text(std::uint64_t bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " (%.2f GiB)", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return std::to_string(bytes) + " bytes" + buf;
}

/// The runtime_error message of a failed device allocation.
inline std::string allocation_message(std::string_view call, std::string_view what,
                                      std::uint64_t bytes, std::size_t count,
                                      std::size_t element_size, int device,
                                      std::uint64_t free_bytes, std::uint64_t total_bytes) {
    std::string m = "cannot allocate " + bytes_text(bytes) + " = " + std::to_string(count) +
                    " elements x " + std::to_string(element_size) + " bytes";
    if (device >= 0) m += " on device " + std::to_string(device);
    if (total_bytes > 0)
        m += " (" + bytes_text(free_bytes) + " free of " + std::to_string(total_bytes) + " bytes)";
    m.append(": ").append(call).append(" failed: ").append(what);
    return m;
}

/// 16 raw UUID bytes as NVIDIA tools print them: "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
inline std::string format_uuid(const unsigned char (&b)[16]) {
    char buf[48];
    std::snprintf(buf, sizeof buf,
                  "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                  b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                  b[13], b[14], b[15]);
    return buf;
}

/// A UUID as AMD's runtime hands it over. ROCm fills the 16 bytes with the ASCII characters of
/// the agent's unique id (what rocminfo prints after "GPU-"); when all 16 are printable that
/// text is kept as "GPU-<text>", otherwise the bytes are rendered as hex like NVIDIA's. An all
/// zero id (the runtime knows none) gives "".
inline std::string format_amd_uuid(const unsigned char (&b)[16]) {
    bool printable = true;
    bool zero = true;
    for (unsigned char c : b) {
        printable = printable && c > 0x20 && c < 0x7f;
        zero = zero && c == 0;
    }
    if (zero) return {};
    if (printable) return "GPU-" + std::string(reinterpret_cast<const char*>(b), 16);
    return format_uuid(b);
}

/// PCI address in the sysfs form "dddd:bb:dd.0" (function 0: one GPU per function).
inline std::string format_pci_bus_id(int domain, int bus, int device) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.0", static_cast<unsigned>(domain) & 0xffffu,
                  static_cast<unsigned>(bus) & 0xffu, static_cast<unsigned>(device) & 0xffu);
    return buf;
}

/// "sm_90" from compute capability 9.0; "sm_100" from 10.0.
inline std::string nvidia_arch(int major, int minor) {
    return "sm_" + std::to_string(major * 10 + minor);
}

/// How to rebuild for an NVIDIA compute capability. Hopper (9.0) gets the arch-specific 90a
/// target because aaco's wgmma path only exists there.
inline std::string nvidia_rebuild_hint(int major, int minor) {
    const int cc = major * 10 + minor;
    const std::string target = std::to_string(cc) + (cc == 90 ? "a" : "");
    return "-DCMAKE_CUDA_ARCHITECTURES=" + target + "-real (nvcc: -gencode=arch=compute_" +
           target + ",code=sm_" + target + ")";
}

/// "gfx90a" from "gfx90a:sramecc+:xnack-": drops the target-feature suffix.
inline std::string amd_arch(std::string_view gcn_arch_name) {
    return std::string(gcn_arch_name.substr(0, gcn_arch_name.find(':')));
}

/// How to rebuild for an AMD target.
inline std::string amd_rebuild_hint(std::string_view arch) {
    const std::string a = arch.empty() ? std::string("<gfx target>") : std::string(arch);
    return "-DGPU_TARGETS=" + a + " (hipcc: --offload-arch=" + a + ")";
}

/// Last-level cache behind L2 (MALL / Infinity Cache) for AMD targets, 0 where none or unknown.
/// HIP 5.2 has no query for it, so it comes from the CDNA3/CDNA4 white papers: MI300A, MI300X,
/// MI325X (gfx940/941/942) and MI350X/MI355X (gfx950) carry 256 MiB of Infinity Cache.
inline std::uint64_t amd_llc_bytes(std::string_view arch) {
    if (arch == "gfx940" || arch == "gfx941" || arch == "gfx942" || arch == "gfx950")
        return std::uint64_t{256} << 20;
    return 0;
}

/// Number of elements one device-reduce pass takes at most. Kept below 2^31 so that the count
/// fits the `int` item count of older CUB releases and rocPRIM's 32-bit paths; longer inputs
/// are summed in chunks whose partial sums are added on the host.
/// Untuned: chosen for correctness on every library version, not measured for speed (2^30
/// elements is >= 4 GiB per pass, so the host-side work is negligible).
inline constexpr std::size_t reduce_chunk_elements = std::size_t{1} << 30;

/// Number of chunks of at most `chunk` elements needed for `n` elements.
inline constexpr std::size_t chunk_count(std::size_t n, std::size_t chunk) {
    return chunk == 0 ? 0 : n / chunk + (n % chunk != 0 ? 1 : 0);
}

/// Binary sum that converts both sides to `Acc` first, so a device reduce over `float` input
/// accumulates in `double` (and `uint32_t` in `uint64_t`). CUB and rocPRIM both derive their
/// accumulator type from the operator's result type.
template <class Acc>
struct sum_as {
    template <class A, class B>
    AACO_HOST_DEVICE Acc operator()(const A& a, const B& b) const {
        return static_cast<Acc>(a) + static_cast<Acc>(b);
    }
};

} // namespace detail
} // namespace backend
AACO_NAMESPACE_END
