/// \file compute.hpp
/// \brief Router: the best compute-ceiling kernel for a (precision, unit) on the current device.
#pragma once
#include <aaco/config.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/model/envelope.hpp>

#include <memory>
#include <string>

#if AACO_BACKEND_CUDA
#  include <aaco/kernels/nvidia/mma_sync_peak.hpp>
#  include <aaco/kernels/nvidia/wgmma_peak.hpp>
#  include <aaco/kernels/vector_fma.hpp>
#elif AACO_BACKEND_HIP
#  include <aaco/kernels/amd/mfma_peak.hpp>
#  include <aaco/kernels/amd/vector_peak.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {

/// The kernel that measures the `p` ceiling on `u`, or nullptr when the device has no such
/// unit (fp8 on gfx90a, tf32 on the vector ALUs, ...). Throws unsupported_arch_error when the
/// device's architecture has no code in this binary.
///
/// On Hopper the matrix ceiling comes from wgmma; mma.sync tops out near 70% of peak there, so
/// it serves only sm_80/sm_89 (and fp64, whose DMMA is an mma.sync form).
inline std::unique_ptr<compute_runner> make_compute_runner(precision p, compute_unit u,
                                                           const device_info& dev,
                                                           operand_mode mode) {
#if AACO_BACKEND_CUDA
    if (u == compute_unit::vector) return nvidia::make_vector_fma_runner(p, dev, mode);
    if (dev.arch == "sm_90") {
        if (auto r = nvidia::make_wgmma_runner(p, dev, mode)) return r;
    }
    return nvidia::make_mma_sync_runner(p, dev, mode);
#elif AACO_BACKEND_HIP
    if (u == compute_unit::vector) return amd::make_vector_fma_runner(p, dev, mode);
    return amd::make_mfma_runner(p, dev, mode);
#else
    (void)p, (void)u, (void)dev, (void)mode;
    throw unsupported_arch_error("aaco was built without a GPU backend; no compute kernels");
#endif
}

} // namespace kernels
AACO_NAMESPACE_END
