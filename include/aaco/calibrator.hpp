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
#include <aaco/calibration_options.hpp>
#include <aaco/error.hpp>
#include <aaco/io/json.hpp>
#include <aaco/model.hpp>
#include <aaco/probes/calibrate.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

AACO_NAMESPACE_BEGIN

/// When a cached envelope may be reused by load_or_calibrate().
struct cache_policy {
    /// Older cache files are recalibrated. Clocks, drivers and co-tenants drift; a day is a
    /// sensible default for a development machine.
    double max_age_hours = 24.0;
};

/// Why load_or_calibrate() did or did not reuse the cache file.
struct cache_outcome {
    bool hit = false;
    std::string reason;  ///< "hit", "missing", "corrupt: ...", "device changed", "stale", ...
};

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
        if (std::optional<envelope> cached = try_cache(path, policy, out)) {
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

    /// Checks whether `cached` may stand for this device now. Empty string = reusable.
    std::string cache_mismatch(const envelope& cached, const cache_policy& policy) const {
        if (cached.source != envelope_source::measured) return "not a measured envelope";
        if (cached.device.uuid.empty() || cached.device.uuid != device_.uuid)
            return "device changed (cache " + cached.device.uuid + ", device " + device_.uuid + ")";
        if (cached.device.driver_version != device_.driver_version ||
            cached.device.runtime_version != device_.runtime_version)
            return "driver or runtime version changed";
        if (cached.aaco_version != AACO_VERSION_STRING)
            return "written by aaco " + cached.aaco_version + ", this is " AACO_VERSION_STRING;
        const double age_hours = hours_since(cached.calibration_timestamp);
        if (!(age_hours >= 0)) return "unreadable or future calibration_timestamp";
        if (age_hours > policy.max_age_hours)
            return "stale (" + std::to_string(age_hours) + " h old, limit " +
                   std::to_string(policy.max_age_hours) + " h)";
        return {};
    }

private:
    std::optional<envelope> try_cache(const std::string& path, const cache_policy& policy,
                                      cache_outcome& out) const {
        out = {};
        std::FILE* probe = std::fopen(path.c_str(), "rb");
        if (!probe) {
            out.reason = "missing";
            return std::nullopt;
        }
        std::fclose(probe);
        envelope cached;
        try {
            cached = load_envelope(path);
        } catch (const error& e) {
            out.reason = std::string("corrupt: ") + e.what();
            return std::nullopt;
        }
        out.reason = cache_mismatch(cached, policy);
        if (!out.reason.empty()) return std::nullopt;
        out.hit = true;
        out.reason = "hit";
        return cached;
    }

    /// Hours between an ISO-8601 UTC timestamp ("2026-02-15T12:00:00Z") and now; NaN if unreadable.
    static double hours_since(const std::string& iso) {
        std::tm tm{};
        int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
        char zone = 0;
        if (std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &year, &month, &day, &hour,
                        &minute, &second, &zone) != 7 || zone != 'Z')
            return std::numeric_limits<double>::quiet_NaN();
        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_min = minute;
        tm.tm_sec = second;
        const std::time_t then = timegm(&tm);
        const std::time_t now = std::time(nullptr);
        return std::difftime(now, then) / 3600.0;
    }

    int device_id_;
    device_info device_;
    std::optional<envelope> last_;
};

AACO_NAMESPACE_END
