/// \file cache.hpp
/// \brief When a cached envelope file may stand for a device now. Host-only: no GPU header, so
///        the rules are testable (and tested) on machines without a GPU.
///
///     aaco::cache_outcome outcome;
///     if (auto cached = aaco::try_load_cache("envelope.json", device, {}, outcome))
///         use(*cached);          // outcome.reason == "hit"
///     else
///         log(outcome.reason);   // "missing", "corrupt: ...", "stale (...)", ...
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/io/json.hpp>
#include <aaco/model/envelope.hpp>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <system_error>

AACO_PORTABLE_NAMESPACE_BEGIN

/// When a cached envelope may be reused by hardware_calibrator::load_or_calibrate().
struct cache_policy {
    /// Older cache files are recalibrated. Clocks, drivers and co-tenants drift; a day is a
    /// sensible default for a development machine.
    double max_age_hours = 24.0;
};

/// Why a cache file was or was not reused.
struct cache_outcome {
    bool hit = false;
    std::string reason;  ///< "hit", "missing", "corrupt: ...", "device changed", "stale", ...
};

namespace cache_detail {

/// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (negative before 1970).
/// Counts in 400-year eras starting on March 1st, so the leap day is the last day of a year.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(y - era * 400);             // [0, 399]
    const unsigned month_from_march = m > 2 ? m - 3 : m + 9;                   // [0, 11]
    const unsigned day_of_year = (153 * month_from_march + 2) / 5 + d - 1;     // [0, 365]
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year; // [0, 146096]
    // 719468 = days from 0000-03-01 to 1970-01-01.
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

constexpr bool is_leap_year(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
    constexpr unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

/// Reads `count` decimal digits at `pos`; false if any is not a digit.
inline bool read_digits(const std::string& s, std::size_t pos, std::size_t count, unsigned& out) {
    if (pos + count > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return true;
}

/// Seconds since the Unix epoch of an ISO-8601 UTC timestamp as aaco writes it,
/// "2026-02-15T12:00:00Z" (fractional seconds "...:00.123Z" are accepted and dropped). Anything
/// else (another zone, an impossible date, trailing text) is nullopt: an unreadable timestamp
/// makes the cache unusable rather than guessed at. Portable: no timegm().
inline std::optional<std::int64_t> parse_utc_timestamp(const std::string& iso) {
    unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(iso, 0, 4, year) || iso.size() < 20 || iso[4] != '-' ||
        !read_digits(iso, 5, 2, month) || iso[7] != '-' || !read_digits(iso, 8, 2, day) ||
        iso[10] != 'T' || !read_digits(iso, 11, 2, hour) || iso[13] != ':' ||
        !read_digits(iso, 14, 2, minute) || iso[16] != ':' || !read_digits(iso, 17, 2, second))
        return std::nullopt;
    std::size_t pos = 19;
    if (iso[pos] == '.') {
        ++pos;
        const std::size_t first_digit = pos;
        while (pos < iso.size() && iso[pos] >= '0' && iso[pos] <= '9') ++pos;
        if (pos == first_digit) return std::nullopt;
    }
    if (pos + 1 != iso.size() || iso[pos] != 'Z') return std::nullopt;
    // 60 admits a leap second; strftime can print one.
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 60)
        return std::nullopt;
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

/// Hours from `iso` to `now`; NaN when `iso` is unreadable.
inline double hours_between(const std::string& iso, std::time_t now) {
    const std::optional<std::int64_t> then = parse_utc_timestamp(iso);
    if (!then) return std::numeric_limits<double>::quiet_NaN();
    // time_t counts seconds since the epoch on every platform aaco builds for (POSIX, Windows).
    return static_cast<double>(static_cast<std::int64_t>(now) - *then) / 3600.0;
}

inline std::string uuid_or_none(const std::string& uuid) { return uuid.empty() ? "none" : uuid; }

} // namespace cache_detail

/// Checks whether `cached` may stand for the device `current` at time `now`. Returns an empty
/// string when it may, else the first reason it may not: not a measured envelope (a datasheet is
/// never a cache), a different or unknown device (UUID), another driver or runtime version,
/// another aaco version, an unreadable or future timestamp, or an age above the policy's limit.
inline std::string cache_mismatch(const envelope& cached, const device_info& current,
                                  const cache_policy& policy,
                                  std::time_t now = std::time(nullptr)) {
    if (cached.source != envelope_source::measured) return "not a measured envelope";
    if (cached.device.uuid.empty() || cached.device.uuid != current.uuid)
        return "device changed (cache " + cache_detail::uuid_or_none(cached.device.uuid) +
               ", device " + cache_detail::uuid_or_none(current.uuid) + ")";
    if (cached.device.driver_version != current.driver_version ||
        cached.device.runtime_version != current.runtime_version)
        return "driver or runtime version changed (cache " +
               std::to_string(cached.device.driver_version) + "/" +
               std::to_string(cached.device.runtime_version) + ", device " +
               std::to_string(current.driver_version) + "/" +
               std::to_string(current.runtime_version) + ")";
    if (cached.aaco_version != AACO_VERSION_STRING)
        return "aaco version changed (written by aaco " +
               (cached.aaco_version.empty() ? std::string("of unknown version")
                                            : cached.aaco_version) +
               ", this is " AACO_VERSION_STRING ")";
    const double age_hours = cache_detail::hours_between(cached.calibration_timestamp, now);
    if (!(age_hours >= 0))
        return "unreadable or future calibration_timestamp '" + cached.calibration_timestamp + "'";
    // Written so that a NaN limit counts as "nothing is fresh enough".
    if (!(age_hours <= policy.max_age_hours))
        return "stale (" + std::to_string(age_hours) + " h old, limit " +
               std::to_string(policy.max_age_hours) + " h)";
    return {};
}

/// Why `path` cannot be used as a cache file, or an empty string when it can. Meant to run
/// before a calibration, so that a path the save would fail on is reported in seconds rather
/// than after the measurement: the path (followed through symbolic links, as save_envelope()
/// writes through them) must be absent or a regular file, never a directory, FIFO, socket or
/// device (a FIFO would block the reader forever); its directory must exist, and a file must
/// be creatable there (checked by creating and removing an empty probe file beside it).
inline std::string cache_path_problem(const std::string& path) {
    namespace fs = std::filesystem;
    if (path.empty()) return "the path is empty";
    const fs::path target = io_detail::resolve_symlinks(path);
    const std::string via = target == fs::path(path) ? "" : " (the link's target '" + target.string() + "')";
    std::error_code ec;
    const fs::file_status st = fs::status(target, ec);
    if (fs::is_directory(st)) return "is a directory" + via;
    if (fs::exists(st) && !fs::is_regular_file(st))
        return "not a regular file (" + io_detail::file_kind(st) + ")" + via;
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const fs::file_status dir_st = fs::status(dir, ec);
    if (!fs::exists(dir_st)) return "its directory '" + dir.string() + "' does not exist";
    if (!fs::is_directory(dir_st)) return "'" + dir.string() + "' is not a directory";
    // Permission bits do not tell (ACLs, read-only mounts, root): try it.
    fs::path probe = target;
    probe += ".aaco-write-probe";
    {
        std::ofstream out(probe, std::ios::binary | std::ios::trunc);
        if (!out) return "no file can be created in '" + dir.string() + "'" + via;
    }
    fs::remove(probe, ec);
    return {};
}

/// Loads the envelope cached in `path` if it may stand for `current` now; else nullopt. `out`
/// says why: "hit", "missing", "corrupt: <parse error>" (never trusted, whatever it contains) or
/// a cache_mismatch() reason.
inline std::optional<envelope> try_load_cache(const std::string& path, const device_info& current,
                                              const cache_policy& policy, cache_outcome& out,
                                              std::time_t now = std::time(nullptr)) {
    out = {};
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::status(path, ec))) {
        out.reason = "missing";
        return std::nullopt;
    }
    envelope cached;
    try {
        cached = load_envelope(path);
    } catch (const error& e) {
        out.reason = std::string("corrupt: ") + e.what();
        return std::nullopt;
    }
    out.reason = cache_mismatch(cached, current, policy, now);
    if (!out.reason.empty()) return std::nullopt;
    out.hit = true;
    out.reason = "hit";
    return cached;
}

AACO_PORTABLE_NAMESPACE_END
