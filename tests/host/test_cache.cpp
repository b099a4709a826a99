// The envelope cache's rules (aaco/cache.hpp): when a cached file may stand for a device, and
// that a missing, corrupt, foreign, stale or datasheet file is never trusted.
#include <aaco/cache.hpp>
#include <aaco/model/profiles.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>

#include <sys/stat.h>  // mkfifo (POSIX): a FIFO for the loader to refuse

namespace {

namespace fs = std::filesystem;

/// 2026-02-15T12:00:00Z as seconds since the epoch (checked against Python's calendar.timegm).
constexpr std::int64_t reference_epoch = 1771156800;
const std::time_t reference_now = static_cast<std::time_t>(reference_epoch);

aaco::device_info test_device() {
    aaco::device_info d;
    d.id = 0;
    d.name = "NVIDIA H100 80GB HBM3";
    d.vendor = "NVIDIA";
    d.arch = "sm_90";
    d.compute_units = 132;
    d.uuid = "GPU-8f6f7c1e-0000-1111-2222-333344445555";
    d.driver_version = 13000;
    d.runtime_version = 12080;
    return d;
}

/// A measured envelope of test_device(), written at `timestamp`, with one figure of each kind.
aaco::envelope measured_envelope(const std::string& timestamp = "2026-02-15T11:00:00Z") {
    using namespace aaco;
    envelope e;
    e.source = envelope_source::measured;
    e.calibration_timestamp = timestamp;
    e.profile_key = "h100-sxm";
    e.device = test_device();
    compute_figure c;
    c.prec = precision::fp16;
    c.unit = compute_unit::matrix;
    c.tflops = 812.5;
    c.stats.samples = 9;
    c.stats.median = 812.5;
    c.stats.cov = 0.002;
    c.stats.iterations = 4000;
    c.stats.stable = true;
    e.compute.push_back(c);
    memory_figure m;
    m.level = memory_level::hbm;
    m.op = stream_op::read;
    m.gbps = 3012.5;
    m.stats.samples = 9;
    m.stats.median = 3012.5;
    m.stats.cov = 0.001;
    m.stats.stable = true;
    m.working_set_bytes = 4294967296ull;
    e.memory.push_back(m);
    launch_figure l;
    l.us = 2.25;
    l.stats.samples = 9;
    l.stats.median = 2.25;
    l.stats.stable = true;
    e.launch.push_back(l);
    return e;
}

/// A fresh, empty scratch directory for one test case; removed when the case ends.
struct scratch_dir {
    fs::path path;
    scratch_dir() {
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path = fs::temp_directory_path() /
               ("aaco_test_cache_" + std::to_string(stamp) + "_" + std::to_string(++counter()));
        fs::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    std::string file(const char* name) const { return (path / name).string(); }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

void write_text(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    REQUIRE(f.good());
}

std::string mismatch(const aaco::envelope& e, const aaco::cache_policy& policy = {}) {
    return aaco::cache_mismatch(e, test_device(), policy, reference_now);
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("cache: the timestamp reader is portable and exact") {
    using aaco::cache_detail::days_from_civil;
    using aaco::cache_detail::parse_utc_timestamp;
    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(1969, 12, 31) == -1);
    CHECK(days_from_civil(2000, 3, 1) == 11017);
    // Reference values from Python's calendar.timegm.
    CHECK(parse_utc_timestamp("1970-01-01T00:00:00Z") == std::int64_t{0});
    CHECK(parse_utc_timestamp("2000-02-29T23:59:59Z") == std::int64_t{951868799});
    CHECK(parse_utc_timestamp("2026-02-15T12:00:00Z") == reference_epoch);
    CHECK(parse_utc_timestamp("2100-03-01T00:00:00Z") == std::int64_t{4107542400});
    CHECK(parse_utc_timestamp("2024-12-31T23:59:60Z") == std::int64_t{1735689600});  // leap second
    CHECK(parse_utc_timestamp("2026-02-15T12:00:00.250Z") == reference_epoch);
    // Not readable: the cache is then unusable, never guessed at.
    for (const char* bad : {"", "2026-02-15", "2026-02-15T12:00:00", "2026-02-15T12:00:00+01:00",
                            "2026-02-15 12:00:00Z", "2026-02-15T12:00:00ZZ", "2026-02-30T12:00:00Z",
                            "2100-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                            "2026-02-15T24:00:00Z", "2026-02-15T12:60:00Z", "2026-02-15T12:00:61Z",
                            "2026-02-15T12:00:00.Z", "+026-02-15T12:00:00Z", " 2026-02-15T12:00:00Z",
                            "2026-2-15T12:00:00Z", "yesterday"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_utc_timestamp(bad).has_value());
    }
}

TEST_CASE("cache: a fresh envelope of this device, driver and aaco version is reusable") {
    CHECK(mismatch(measured_envelope()).empty());
    CHECK(mismatch(measured_envelope("2026-02-15T12:00:00Z")).empty());  // written this second
}

TEST_CASE("cache: every mismatch reason is reported") {
    SUBCASE("a datasheet envelope is never a cache") {
        aaco::envelope e = measured_envelope();
        e.source = aaco::envelope_source::datasheet;
        CHECK(mismatch(e) == "not a measured envelope");
    }
    SUBCASE("another device (UUID)") {
        aaco::envelope e = measured_envelope();
        e.device.uuid = "GPU-00000000-0000-0000-0000-000000000000";
        const std::string why = mismatch(e);
        CHECK(contains(why, "device changed"));
        CHECK(contains(why, "GPU-00000000-0000-0000-0000-000000000000"));
        CHECK(contains(why, "GPU-8f6f7c1e-0000-1111-2222-333344445555"));
    }
    SUBCASE("no UUID in the cache: the device cannot be identified") {
        aaco::envelope e = measured_envelope();
        e.device.uuid.clear();
        CHECK(contains(mismatch(e), "device changed"));
    }
    SUBCASE("no UUID on either side is still not a match") {
        aaco::envelope e = measured_envelope();
        e.device.uuid.clear();
        aaco::device_info current = test_device();
        current.uuid.clear();
        CHECK(contains(aaco::cache_mismatch(e, current, {}, reference_now), "device changed"));
    }
    SUBCASE("same name, same arch, different UUID: still another device") {
        aaco::envelope e = measured_envelope();
        aaco::device_info current = test_device();
        current.uuid = "GPU-8f6f7c1e-0000-1111-2222-333344445556";
        CHECK(contains(aaco::cache_mismatch(e, current, {}, reference_now), "device changed"));
    }
    SUBCASE("another driver") {
        aaco::envelope e = measured_envelope();
        e.device.driver_version = 12090;
        CHECK(contains(mismatch(e), "driver or runtime version changed"));
    }
    SUBCASE("another runtime") {
        aaco::envelope e = measured_envelope();
        e.device.runtime_version = 12060;
        CHECK(contains(mismatch(e), "driver or runtime version changed"));
    }
    SUBCASE("another aaco version") {
        aaco::envelope e = measured_envelope();
        e.aaco_version = "0.0.9";
        const std::string why = mismatch(e);
        CHECK(contains(why, "aaco version changed"));
        CHECK(contains(why, "0.0.9"));
        CHECK(contains(why, AACO_VERSION_STRING));
    }
    SUBCASE("an unknown writer (seed-format file: no aaco version)") {
        aaco::envelope e = measured_envelope();
        e.aaco_version.clear();
        CHECK(contains(mismatch(e), "aaco version changed"));
    }
    SUBCASE("unreadable timestamp") {
        aaco::envelope e = measured_envelope("last tuesday");
        CHECK(contains(mismatch(e), "unreadable or future calibration_timestamp"));
        e.calibration_timestamp.clear();
        CHECK(contains(mismatch(e), "unreadable or future calibration_timestamp"));
    }
    SUBCASE("future timestamp") {
        aaco::envelope e = measured_envelope("2026-02-15T12:00:01Z");  // one second ahead
        CHECK(contains(mismatch(e), "unreadable or future calibration_timestamp"));
        e.calibration_timestamp = "2027-01-01T00:00:00Z";
        CHECK(contains(mismatch(e), "unreadable or future calibration_timestamp"));
    }
}

TEST_CASE("cache: stale by the policy's maximum age") {
    aaco::cache_policy day;  // default: 24 h
    CHECK(day.max_age_hours == doctest::Approx(24.0));
    CHECK(mismatch(measured_envelope("2026-02-14T12:00:00Z"), day).empty());  // exactly 24 h
    const std::string why = mismatch(measured_envelope("2026-02-14T11:59:59Z"), day);
    CHECK(contains(why, "stale"));
    CHECK(contains(why, "24.000"));
    CHECK(contains(mismatch(measured_envelope("2025-02-15T12:00:00Z"), day), "stale"));

    aaco::cache_policy hour;
    hour.max_age_hours = 1;
    CHECK(mismatch(measured_envelope("2026-02-15T11:00:00Z"), hour).empty());
    CHECK(contains(mismatch(measured_envelope("2026-02-15T10:59:00Z"), hour), "stale"));

    aaco::cache_policy none;
    none.max_age_hours = 0;  // only an envelope of this very second
    CHECK(mismatch(measured_envelope("2026-02-15T12:00:00Z"), none).empty());
    CHECK(contains(mismatch(measured_envelope("2026-02-15T11:59:59Z"), none), "stale"));

    aaco::cache_policy nan_limit;
    nan_limit.max_age_hours = std::numeric_limits<double>::quiet_NaN();
    CHECK(contains(mismatch(measured_envelope(), nan_limit), "stale"));
}

TEST_CASE("cache: the default `now` is the real clock") {
    // A timestamp of one hour ago, formatted as aaco writes it.
    const std::time_t hour_ago = std::time(nullptr) - 3600;
    char buf[32] = {};
    REQUIRE(std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&hour_ago)) == 20);
    CHECK(aaco::cache_mismatch(measured_envelope(buf), test_device(), {}).empty());
    aaco::cache_policy half_hour;
    half_hour.max_age_hours = 0.5;
    CHECK(contains(aaco::cache_mismatch(measured_envelope(buf), test_device(), half_hour), "stale"));
}

TEST_CASE("cache: try_load_cache hits on a matching file") {
    scratch_dir dir;
    const std::string path = dir.file("envelope.json");
    aaco::save_envelope(measured_envelope(), path);
    aaco::cache_outcome out;
    const std::optional<aaco::envelope> got =
        aaco::try_load_cache(path, test_device(), {}, out, reference_now);
    REQUIRE(got.has_value());
    CHECK(out.hit);
    CHECK(out.reason == "hit");
    CHECK(got->device.uuid == test_device().uuid);
    CHECK(got->compute_tflops(aaco::precision::fp16) == doctest::Approx(812.5));
    CHECK(got->memory_gbps(aaco::memory_level::hbm) == doctest::Approx(3012.5));
}

TEST_CASE("cache: try_load_cache reports a missing file") {
    scratch_dir dir;
    aaco::cache_outcome out;
    out.hit = true;  // stale state from a previous call must be cleared
    out.reason = "hit";
    CHECK_FALSE(aaco::try_load_cache(dir.file("nope.json"), test_device(), {}, out, reference_now));
    CHECK_FALSE(out.hit);
    CHECK(out.reason == "missing");
}

TEST_CASE("cache: try_load_cache passes on the mismatch reason") {
    scratch_dir dir;
    const std::string path = dir.file("envelope.json");
    aaco::envelope other = measured_envelope();
    other.device.uuid = "GPU-ffffffff-0000-0000-0000-000000000000";
    aaco::save_envelope(other, path);
    aaco::cache_outcome out;
    CHECK_FALSE(aaco::try_load_cache(path, test_device(), {}, out, reference_now));
    CHECK_FALSE(out.hit);
    CHECK(contains(out.reason, "device changed"));

    aaco::save_envelope(measured_envelope("2026-02-10T12:00:00Z"), path);
    CHECK_FALSE(aaco::try_load_cache(path, test_device(), {}, out, reference_now));
    CHECK(contains(out.reason, "stale"));
}

TEST_CASE("cache: a corrupt file is reported as corrupt and never trusted") {
    scratch_dir dir;
    const std::string path = dir.file("envelope.json");
    const std::string full = aaco::to_json(measured_envelope());
    struct corrupt_case {
        const char* name;
        std::string text;
    };
    const corrupt_case cases[] = {
        {"garbage", std::string("\x7f" "ELF\x01\x02\x03 not json at all \xff\xfe", 27)},
        {"truncated JSON", full.substr(0, full.size() / 2)},
        {"truncated by one byte", full.substr(0, full.size() - 1)},
        {"a foreign JSON object", R"({"name": "my-app", "version": "1.2.3", "dependencies": {}})"},
        {"a JSON array", "[1, 2, 3]"},
        {"an empty file", ""},
        {"only whitespace", " \n\t\n"},
    };
    for (const corrupt_case& c : cases) {
        CAPTURE(c.name);
        write_text(path, c.text);
        aaco::cache_outcome out;
        const std::optional<aaco::envelope> got =
            aaco::try_load_cache(path, test_device(), {}, out, reference_now);
        CHECK_FALSE(got.has_value());
        CHECK_FALSE(out.hit);
        CHECK(out.reason.rfind("corrupt: ", 0) == 0);
        CHECK(out.reason.size() > std::string("corrupt: ").size());  // says what is wrong
    }
}

TEST_CASE("cache: a directory where the file should be is corrupt, not missing") {
    scratch_dir dir;
    fs::create_directory(dir.path / "envelope.json");
    aaco::cache_outcome out;
    CHECK_FALSE(aaco::try_load_cache(dir.file("envelope.json"), test_device(), {}, out, reference_now));
    CHECK(out.reason.rfind("corrupt: ", 0) == 0);
}

TEST_CASE("cache: save_envelope atomically replaces an existing cache file") {
    scratch_dir dir;
    const std::string path = dir.file("envelope.json");
    aaco::envelope first = measured_envelope("2026-02-15T10:00:00Z");
    aaco::save_envelope(first, path);
    aaco::envelope second = measured_envelope("2026-02-15T11:30:00Z");
    second.compute[0].tflops = 900.25;
    second.compute[0].stats.median = 900.25;
    aaco::save_envelope(second, path);

    aaco::cache_outcome out;
    const std::optional<aaco::envelope> got =
        aaco::try_load_cache(path, test_device(), {}, out, reference_now);
    REQUIRE(got.has_value());
    CHECK(got->calibration_timestamp == "2026-02-15T11:30:00Z");
    CHECK(got->compute_tflops(aaco::precision::fp16) == doctest::Approx(900.25));
    // No temporary file is left next to the target.
    int entries = 0;
    for (const auto& entry : fs::directory_iterator(dir.path)) {
        CAPTURE(entry.path().string());
        CHECK(entry.path().filename() == "envelope.json");
        ++entries;
    }
    CHECK(entries == 1);

    // Replacing a corrupt file heals the cache.
    write_text(path, "{ torn");
    CHECK_FALSE(aaco::try_load_cache(path, test_device(), {}, out, reference_now));
    aaco::save_envelope(second, path);
    CHECK(aaco::try_load_cache(path, test_device(), {}, out, reference_now).has_value());
    CHECK(out.hit);
}

TEST_CASE("cache: a datasheet envelope on disk is never accepted as a cache") {
    scratch_dir dir;
    const std::string path = dir.file("envelope.json");
    aaco::envelope sheet = aaco::datasheet_envelope("h100-sxm");
    // Even dressed up as this device, written now, by this aaco version.
    sheet.device.uuid = test_device().uuid;
    sheet.device.driver_version = test_device().driver_version;
    sheet.device.runtime_version = test_device().runtime_version;
    sheet.calibration_timestamp = "2026-02-15T11:00:00Z";
    REQUIRE(sheet.source == aaco::envelope_source::datasheet);
    aaco::save_envelope(sheet, path);
    aaco::cache_outcome out;
    CHECK_FALSE(aaco::try_load_cache(path, test_device(), {}, out, reference_now));
    CHECK_FALSE(out.hit);
    CHECK(out.reason == "not a measured envelope");
}

// ---- issue 10, item 7: special files, symbolic links, and the path check before measuring ----

TEST_CASE("cache: a FIFO is refused before it is opened (opening one would block)") {
    scratch_dir dir;
    const std::string fifo = dir.file("fifo.json");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // Without the check this call blocks forever: open() on a FIFO waits for a writer.
    CHECK_THROWS_WITH_AS(aaco::load_envelope(fifo), doctest::Contains("not a regular file (a FIFO)"),
                         aaco::parse_error);
    CHECK(aaco::cache_path_problem(fifo) == "not a regular file (a FIFO)");
    aaco::cache_outcome out;
    CHECK_FALSE(aaco::try_load_cache(fifo, test_device(), {}, out, reference_now));
    CHECK(contains(out.reason, "not a regular file"));
}

TEST_CASE("cache: cache_path_problem reports what a save would fail on, before measuring") {
    scratch_dir dir;
    CHECK(aaco::cache_path_problem(dir.file("new.json")) == "");  // absent, in a directory: fine
    CHECK(aaco::cache_path_problem(dir.path.string()) == "is a directory");
    CHECK(contains(aaco::cache_path_problem(dir.file("missing/new.json")), "does not exist"));
    write_text(dir.file("plain"), "x");
    CHECK(contains(aaco::cache_path_problem(dir.file("plain/new.json")), "is not a directory"));
    CHECK(aaco::cache_path_problem("") == "the path is empty");
    // The probe file it creates to test writability is removed again.
    int entries = 0;
    for (const auto& entry : fs::directory_iterator(dir.path)) {
        CAPTURE(entry.path().string());
        ++entries;
    }
    CHECK(entries == 1);  // "plain" only
}

TEST_CASE("cache: a symbolic link is written through to its target, and stays a link") {
    scratch_dir dir;
    const std::string target = dir.file("real.json");
    const std::string link = dir.file("link.json");
    aaco::save_envelope(measured_envelope("2026-02-15T10:00:00Z"), target);
    fs::create_symlink("real.json", link);  // relative, as `ln -s real.json link.json`
    aaco::envelope fresh = measured_envelope("2026-02-15T11:30:00Z");
    aaco::save_envelope(fresh, link);
    CHECK(fs::is_symlink(fs::symlink_status(link)));
    CHECK(aaco::load_envelope(target).calibration_timestamp == "2026-02-15T11:30:00Z");
    CHECK(aaco::cache_path_problem(link) == "");

    // A dangling link: the save creates its target.
    const std::string dangling = dir.file("dangling.json");
    fs::create_symlink(dir.file("later.json"), dangling);
    aaco::save_envelope(fresh, dangling);
    CHECK(fs::is_symlink(fs::symlink_status(dangling)));
    CHECK(fs::is_regular_file(dir.file("later.json")));

    // A link to a directory is refused, naming the target.
    fs::create_directory(dir.path / "sub");
    const std::string to_dir = dir.file("to_dir.json");
    fs::create_symlink(dir.path / "sub", to_dir);
    CHECK(contains(aaco::cache_path_problem(to_dir), "is a directory (the link's target"));
}
