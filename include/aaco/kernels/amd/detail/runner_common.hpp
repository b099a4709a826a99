/// \file runner_common.hpp
/// \brief Host-side pieces shared by the AMD compute runners (MFMA and vector FMA): stream
/// waits, arch checks with their rebuild hints, grid sizing, the verify report, and the state
/// both runners hold (runner_state).
#pragma once
#include <aaco/config.hpp>
#include <aaco/arch/amd/mfma.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/amd/detail/common.hpp>
#include <aaco/kernels/clock_record.hpp>
#include <aaco/kernels/runner.hpp>
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

/// What the MFMA and the vector FMA runner share: the device and its family, the operands on
/// the device, the sink, one clock record per block, and the checks of the code path each block
/// ran. The runners differ only in their kernel, its parameters and their host reference.
class runner_state {
protected:
    runner_state(const device_info& dev, arch::amd::gfx_family family, operand_mode mode)
        : dev_(dev), family_(family), mode_(mode) {}

    /// Puts operands `a` and `b` on the device, with the sink and one clock record per block of
    /// a `blocks`-block launch.
    void upload(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b, int blocks) {
        blocks_ = blocks;
        a_ = backend::device_buffer<unsigned char>(a.size());
        b_ = backend::device_buffer<unsigned char>(b.size());
        a_.copy_from_host(a.data(), a.size());
        b_.copy_from_host(b.data(), b.size());
        sink_ = backend::device_buffer<double>(1);
        records_ = backend::device_buffer<block_clock_record>(static_cast<std::size_t>(blocks_));
    }

    /// One tiny launch, `probe(stream)`, to learn which body this binary runs on this device;
    /// throws unsupported_arch_error unless it is `family_`'s. The records start zeroed so that
    /// last_clock() before the first enqueue() reads no garbage.
    template <class Probe>
    void require_first_path(const std::string& key, Probe&& probe) {
        backend::stream s;
        records_.zero(s.get());
        probe(s.get());
        const std::vector<block_clock_record> rec = copy_back(s.get(), records_, 1);
        require_path(rec[0].path, family_, dev_, key);
    }

    /// "" when every block of `rec` ran `family_`'s path, else why not.
    std::string wrong_path(void* stream, const backend::device_buffer<block_clock_record>& rec,
                           const std::string& key) const {
        for (const block_clock_record& r : copy_back(stream, rec, rec.size()))
            if (r.path != static_cast<std::uint32_t>(path_of(family_)))
                return key + " verify: a block ran without the " + std::string(arch::amd::to_string(family_)) + " path";
        return {};
    }

    /// The in-kernel clock of the last launch (the block that ran longest).
    clock_reading records_clock(void* stream) const {
        if (records_.empty()) return {};
        return longest_block(copy_back(stream, records_, records_.size()));
    }

    void require_prepared(const std::string& key) const {
        if (records_.empty()) throw invalid_argument(key + ": prepare() must run before enqueue()/verify()");
    }

    device_info dev_;
    arch::amd::gfx_family family_;
    operand_mode mode_;
    int blocks_ = 0;
    backend::device_buffer<unsigned char> a_, b_;
    backend::device_buffer<double> sink_;
    backend::device_buffer<block_clock_record> records_;
};

#endif // AACO_BACKEND_HIP

} // namespace detail
} // namespace amd
} // namespace kernels
AACO_NAMESPACE_END
