/// \file calibrator.hpp
/// \brief aaco::hardware_calibrator: the seed's API. Calibrate a GPU, cache the envelope,
///        compute HEU against it.
///
///     aaco::hardware_calibrator calibrator{0};
///     aaco::envelope envelope = calibrator.calibrate();
///     double fp16 = envelope.compute_tflops(aaco::precision::fp16);
///     aaco::heu_result h = calibrator.compute_heu(800.0, 150.0, aaco::precision::fp16);
#pragma once
#include <aaco/config.hpp>
#include <aaco/cache.hpp>
#include <aaco/calibration_options.hpp>
#include <aaco/error.hpp>
#include <aaco/io/json.hpp>
#include <aaco/model.hpp>
#include <aaco/probes/calibrate.hpp>

#include <optional>
#include <string>

AACO_NAMESPACE_BEGIN

/// Calibrates one GPU. Construction selects and queries the device; calibrate() measures.
class hardware_calibrator {
public:
    /// Throws no_device_error when aaco was built without a GPU backend, when no GPU is
    /// visible, or when `device_id` is out of range (the message says how many exist).
    explicit hardware_calibrator(int device_id = 0) : device_id_(device_id) {
        if (device_id < 0)
            throw invalid_argument("device id must be >= 0, got " + std::to_string(device_id));
        device_ = probes::open_device(device_id);
    }

    const device_info& device() const noexcept { return device_; }

    /// Runs every selected probe. A probe that fails is recorded in `envelope::failures` and the
    /// others still run; the result is also kept for compute_heu().
    envelope calibrate(const calibration_options& options = {}) {
        last_ = probes::calibrate_device(device_id_, device_, options);
        return *last_;
    }

    /// Reuses the envelope in `path` when it was measured on this very device (UUID), with the
    /// same driver/runtime and aaco version, and is younger than the policy's limit; otherwise
    /// calibrates and atomically replaces the file. A corrupt or foreign file is reported in
    /// `outcome` (if given) and replaced, never trusted.
    envelope load_or_calibrate(const std::string& path, const calibration_options& options = {},
                               const cache_policy& policy = {}, cache_outcome* outcome = nullptr) {
        cache_outcome local;
        cache_outcome& out = outcome ? *outcome : local;
        if (std::optional<envelope> cached = try_load_cache(path, device_, policy, out)) {
            last_ = std::move(*cached);
            return *last_;
        }
        envelope fresh = calibrate(options);
        save_envelope(fresh, path);
        return fresh;
    }

    /// HEU of a workload that achieved `measured_tflops` at `arithmetic_intensity` (FLOP/byte)
    /// against the last envelope's `precision` roof and HBM slope. Calibrates first (quick) if
    /// nothing was measured yet.
    heu_result compute_heu(double measured_tflops, double arithmetic_intensity,
                           precision p = precision::fp16,
                           memory_level level = memory_level::hbm) {
        if (!last_) {
            calibration_options quick;
            quick.quick = true;
            calibrate(quick);
        }
        return heu(*last_, measured_tflops, arithmetic_intensity, p, level);
    }

    /// The last envelope measured or loaded; throws if there is none yet.
    const envelope& last_envelope() const {
        if (!last_) throw error("hardware_calibrator: nothing calibrated yet");
        return *last_;
    }

    /// Checks whether `cached` may stand for this device now. Empty string = reusable; else the
    /// reason (see aaco::cache_mismatch()).
    std::string cache_mismatch(const envelope& cached, const cache_policy& policy) const {
        return ::aaco::cache_mismatch(cached, device_, policy);
    }

private:
    int device_id_;
    device_info device_;
    std::optional<envelope> last_;
};

AACO_NAMESPACE_END
