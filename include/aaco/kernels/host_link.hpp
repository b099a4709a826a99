/// \file kernels/host_link.hpp
/// \brief Host-link bandwidth: pinned host <-> device copies ("memory.h2d.copy",
/// "memory.d2h.copy"). The figure is the pinned copy itself, through the runtime's async copy
/// (the DMA engines), which is what an application's transfers get.
///
/// Bytes counted per copy = the copy size (once: the link carries each byte once).
/// Verification: the source holds word i = i mod 1021; after the copies the destination must
/// hold exactly that (device-wide sum for host-to-device, a word-by-word host check for
/// device-to-host). verify() then clears the destination, so the next verify() only passes if
/// later copies wrote it again.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/units.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP
#include <aaco/backend/backend.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {

namespace detail {
/// Target copy size. H200 over PCIe 5.0 x16 (2026-11-26): 64 MiB and 256 MiB copies both moved
/// 55.4-55.5 GB/s in each direction (~1.2 ms per copy, long against the ~10 us per-copy setup),
/// and 256 MiB cost ~0.5 s per direction in a full calibration.
inline constexpr std::uint64_t host_link_target_bytes = 64 * mib;
/// Smallest copy size worth measuring. Untuned: at 1 MiB setup costs are still a few percent.
inline constexpr std::uint64_t host_link_min_bytes = 1 * mib;
/// Modulus of the source pattern: word i = i mod 1021.
inline constexpr std::uint32_t host_link_pattern_modulus = 1021;
} // namespace detail

/// Bytes per host-link copy: 256 MiB, or half of the free device memory above a 256 MiB
/// reserve when that is less; 0 when not even 1 MiB fits.
inline std::uint64_t host_link_bytes(std::uint64_t free_device_bytes) {
    const std::uint64_t reserve = 256 * mib;
    const std::uint64_t usable = free_device_bytes > reserve ? (free_device_bytes - reserve) / 2 : 0;
    const std::uint64_t b = std::min(detail::host_link_target_bytes, usable) / mib * mib;
    return b >= detail::host_link_min_bytes ? b : 0;
}

#if AACO_BACKEND_CUDA || AACO_BACKEND_HIP

/// Runner of pinned copies in one direction (`level` is host_to_device or device_to_host).
class host_link_runner final : public runner {
public:
    /// `dev` is accepted for symmetry with the other runners; a copy needs nothing from it.
    host_link_runner(memory_level level, std::uint64_t bytes, const device_info& dev)
        : level_(level), words_(bytes / 4) {
        (void)dev;
        if (level != memory_level::host_to_device && level != memory_level::device_to_host)
            throw invalid_argument("host_link_runner: level must be h2d or d2h, got " +
                                   std::string(to_string(level)));
        if (words_ == 0) throw invalid_argument("host_link_runner: copy size must be >= 4 bytes");
    }

    std::string key() const override { return "memory." + std::string(to_string(level_)) + ".copy"; }

    std::string method() const override {
        return std::string(h2d() ? "pinned host -> device" : "device -> pinned host") + " async copy (" +
               std::string(backend::name) + " runtime, DMA engine), " + std::to_string(bytes() / mib) +
               " MiB per copy";
    }

    void prepare() override {
        host_ = backend::pinned_buffer<std::uint32_t>(words_);
        device_ = backend::device_buffer<std::uint32_t>(words_);
        for (std::size_t i = 0; i < words_; ++i)
            host_[i] = static_cast<std::uint32_t>(i % detail::host_link_pattern_modulus);
        if (h2d()) {
            device_.zero(nullptr);
            backend::synchronize();
        } else {
            device_.copy_from_host(host_.data(), words_);
            std::memset(host_.data(), 0, bytes());
        }
    }

    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        if (device_.empty()) throw invalid_argument(key() + ": enqueue before prepare");
        const auto s = static_cast<backend::native_stream>(stream);
        const std::uint64_t n = repeats > 0 ? repeats : 1;
        for (std::uint64_t r = 0; r < n; ++r) {
            if (h2d())
                backend::memcpy_async(device_.data(), host_.data(), bytes(), s);
            else
                backend::memcpy_async(host_.data(), device_.data(), bytes(), s);
        }
        ++launches_;
        launch_work w;
        w.bytes = static_cast<double>(bytes()) * static_cast<double>(n);
        return w;
    }

    std::string verify(void* stream) override {
        if (device_.empty()) return "verify before prepare";
        if (launches_ == 0) enqueue(stream, 1);
        const auto s = static_cast<backend::native_stream>(stream);
        std::string why;
        if (h2d()) {
            std::uint64_t want = 0;
            for (std::size_t i = 0; i < words_; ++i) want += host_[i];
            const std::uint64_t got = backend::device_sum(device_.data(), words_, s);
            if (got != want)
                why = key() + ": device copy sums to " + std::to_string(got) + ", expected " + std::to_string(want);
            device_.zero(s);
            backend::synchronize();
        } else {
            backend::synchronize();
            std::size_t bad = 0, first = 0;
            for (std::size_t i = 0; i < words_; ++i)
                if (host_[i] != static_cast<std::uint32_t>(i % detail::host_link_pattern_modulus) && bad++ == 0)
                    first = i;
            if (bad != 0)
                why = key() + ": " + std::to_string(bad) + " of " + std::to_string(words_) +
                      " host words differ from the device source, first at word " + std::to_string(first);
            std::memset(host_.data(), 0, bytes());
        }
        launches_ = 0;
        return why;
    }

    /// Bytes per copy.
    std::uint64_t bytes() const { return words_ * 4; }

private:
    bool h2d() const { return level_ == memory_level::host_to_device; }

    memory_level level_;
    std::size_t words_;
    backend::pinned_buffer<std::uint32_t> host_;
    backend::device_buffer<std::uint32_t> device_;
    std::uint64_t launches_ = 0;
};

/// The pinned-copy runner for `level` (host_to_device or device_to_host). `bytes` per copy; 0 =
/// host_link_bytes(free device memory now).
inline std::unique_ptr<runner> make_host_link_runner(memory_level level, std::uint64_t bytes, const device_info& dev) {
    if (bytes == 0) {
        bytes = host_link_bytes(backend::device_memory().free_bytes);
        if (bytes == 0)
            throw runtime_error("memory." + std::string(to_string(level)) +
                                    ".copy: not enough free device memory for a 1 MiB copy",
                                0);
    }
    return std::make_unique<host_link_runner>(level, bytes, dev);
}

#else // AACO_BACKEND_NONE

/// Host-only build: there is no GPU runtime; always throws unsupported_arch_error.
inline std::unique_ptr<runner> make_host_link_runner(memory_level level, std::uint64_t bytes, const device_info& dev) {
    (void)level, (void)bytes, (void)dev;
    throw unsupported_arch_error("aaco was built without a GPU backend; no host-link copies");
}

#endif

} // namespace kernels
AACO_NAMESPACE_END
