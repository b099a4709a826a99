/// \file runner_common.hpp
/// \brief Host-side pieces shared by the AMD compute runners (MFMA and vector FMA): stream
/// waits, arch checks with their rebuild hints, grid sizing and the verify report.
#pragma once
#include <aaco/config.hpp>
#include <aaco/arch/amd/mfma.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/amd/detail/common.hpp>
#include <aaco/model/envelope.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#if AACO_BACKEND_HIP
#  include <aaco/backend/backend.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {
namespace amd {
namespace detail {

/// "gfx90a:sramecc+:xnack-" -> "gfx90a": what -DGPU_TARGETS / --offload-arch take.
inline std::string base_arch(std::string_view arch) {
    const std::size_t colon = arch.find(':');
    return std::string(colon == std::string_view::npos ? arch : arch.substr(0, colon));
}

/// The CDNA family of `dev`; throws unsupported_arch_error for anything else (RDNA, NVIDIA),
/// since aaco has no AMD compute kernels for it.
inline arch::amd::gfx_family require_cdna(const device_info& dev, std::string_view what) {
    const arch::amd::gfx_family f = arch::amd::parse_gfx_family(dev.arch);
    if (f == arch::amd::gfx_family::unknown)
        throw unsupported_arch_error(std::string(what) + ": device arch '" + dev.arch +
                                     "' is not one aaco has AMD kernels for (gfx908, gfx90a, "
                                     "gfx940/gfx941/gfx942, gfx950)");
    return f;
}

/// Throws unsupported_arch_error unless the code that ran reported `family`'s path.
inline void require_path(std::uint32_t got, arch::amd::gfx_family family, const device_info& dev,
                         std::string_view key) {
    if (got == static_cast<std::uint32_t>(path_of(family))) return;
    throw unsupported_arch_error(
        std::string(key) + ": this binary has no " + std::string(arch::amd::to_string(family)) +
        " code path for device arch '" + dev.arch + "' (the code that ran reported path " +
        std::to_string(got) + ", 0 = compiled without an aaco path); rebuild with -DGPU_TARGETS=" +
        base_arch(dev.arch));
}

/// Formats "n of m values wrong; first: ..." for a verify() failure (empty when n == 0).
inline std::string verify_report(std::string_view key, std::size_t wrong, std::size_t total,
                                 const std::string& first) {
    if (wrong == 0) return {};
    return std::string(key) + " verify: " + std::to_string(wrong) + " of " + std::to_string(total) +
           " accumulator values differ from the host reference; first: " + first;
}

#if AACO_BACKEND_HIP

/// Blocks until everything enqueued on `stream` so far has finished (an event, since the stream
/// may be non-blocking and so unordered with the synchronous copies).
inline void wait_for(void* stream) {
    backend::event done;
    done.record(static_cast<backend::native_stream>(stream));
    done.synchronize();
}

/// Copies `n` elements of `src` to a host vector once `stream` is idle.
template <class T>
std::vector<T> copy_back(void* stream, const backend::device_buffer<T>& src, std::size_t n) {
    wait_for(stream);
    std::vector<T> host(n);
    src.copy_to_host(host.data(), n);
    return host;
}

/// Blocks per CU: the tuning value, capped by what fits on a CU at once.
template <class Kernel>
int resident_blocks_per_cu(Kernel* kernel, int threads, int wanted, std::string_view key) {
    const int fit = backend::max_active_blocks_per_unit(kernel, threads, 0);
    if (fit < 1)
        throw runtime_error(std::string(key) + ": kernel cannot be resident with " +
                                std::to_string(threads) + " threads per block",
                            0);
    return fit < wanted ? fit : wanted;
}

#endif // AACO_BACKEND_HIP

} // namespace detail
} // namespace amd
} // namespace kernels
AACO_NAMESPACE_END
