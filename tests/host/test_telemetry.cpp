// Board telemetry (backend/telemetry.hpp) against fake NVML libraries built by the test suite
// (tests/telemetry_fake/): values read and reduced, power-limited from the measurement, and the
// library-missing, symbol-missing, init-failure and device-not-found paths.
#include <aaco/backend/telemetry.hpp>
#include <aaco/io/json.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <dlfcn.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

using namespace aaco;
using backend::telemetry_reading;

namespace {

/// The scripting interface of one fake library (the same instance aaco's loader opens: dlopen
/// of one path returns one handle).
class fake_nvml {
public:
    explicit fake_nvml(const char* path) : path_(path), handle_(dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
        REQUIRE_MESSAGE(handle_ != nullptr, "cannot open the fake NVML ", path);
        reset_ = reinterpret_cast<void (*)()>(dlsym(handle_, "aaco_fake_nvml_reset"));
        set_ = reinterpret_cast<void (*)(const char*, const long long*, int)>(
            dlsym(handle_, "aaco_fake_nvml_set"));
        calls_ = reinterpret_cast<long long (*)(const char*)>(dlsym(handle_, "aaco_fake_nvml_calls"));
        const bool scripting_found = reset_ && set_ && calls_;
        REQUIRE_MESSAGE(scripting_found, "the fake NVML lacks its scripting calls");
        reset_();
    }
    ~fake_nvml() { dlclose(handle_); }
    fake_nvml(const fake_nvml&) = delete;
    fake_nvml& operator=(const fake_nvml&) = delete;

    void set(const char* key, std::vector<long long> v) {
        set_(key, v.data(), static_cast<int>(v.size()));
    }
    long long calls(const char* call) const { return calls_(call); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    void* handle_;
    void (*reset_)() = nullptr;
    void (*set_)(const char*, const long long*, int) = nullptr;
    long long (*calls_)(const char*) = nullptr;
};

device_info nvidia_device() {
    device_info d;
    d.vendor = "NVIDIA";
    d.uuid = "GPU-01234567-89ab-cdef-0123-456789abcdef";
    d.pci_bus_id = "0000:65:00.0";
    return d;
}

/// Waits until the poller has taken `n` polls (each poll reads the reasons once), so a test does
/// not depend on how fast a loaded machine schedules the poller thread. Gives up after 20 s.
void wait_for_polls(const fake_nvml& fake, long long n) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (fake.calls("nvmlDeviceGetCurrentClocksEventReasons") < n &&
           std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

constexpr unsigned long long nvml_sw_power_cap = 0x4;
constexpr unsigned long long nvml_hw_thermal = 0x40;

} // namespace

TEST_SUITE("backend.telemetry") {

TEST_CASE("NVML reason bits map to aaco's names; unknown bits are 'other'") {
    CHECK(backend::throttle_reason_list(backend::throttle_reasons_from_nvml(0)).empty());
    CHECK(backend::throttle_reason_list(backend::throttle_reasons_from_nvml(0x4)) ==
          std::vector<std::string>{"sw_power_cap"});
    CHECK(backend::throttle_reason_list(backend::throttle_reasons_from_nvml(0x1 | 0x80)) ==
          std::vector<std::string>{"hw_power_brake", "idle"});
    CHECK(backend::throttle_reason_list(backend::throttle_reasons_from_nvml(0x8 | 0x10 | 0x20 | 0x40 | 0x2)) ==
          std::vector<std::string>{"hw_slowdown", "hw_thermal", "sw_thermal", "sync_boost",
                                   "applications_clocks"});
    CHECK(backend::throttle_reason_list(backend::throttle_reasons_from_nvml(0x100)) ==
          std::vector<std::string>{"other"});
    CHECK(backend::throttle_reason_list(backend::throttle_reasons_from_nvml(1ull << 40)) ==
          std::vector<std::string>{"other"});
}

TEST_CASE("polls reduce to mean/max power, lowest limit, temperature range, clocks, reasons") {
    std::vector<telemetry_reading> polls(3);
    polls[0].power_w = 600;  polls[0].power_limit_w = 700; polls[0].temperature_c = 50;
    polls[0].sm_clock_mhz = 1500; polls[0].memory_clock_mhz = 2619;
    polls[0].reasons_read = true;
    polls[1].power_w = 690;  polls[1].power_limit_w = 700; polls[1].temperature_c = 58;
    polls[1].sm_clock_mhz = 1400; polls[1].memory_clock_mhz = 2619;
    polls[1].reasons = static_cast<std::uint32_t>(backend::throttle_reason::sw_power_cap);
    polls[1].reasons_read = true;
    polls[2].power_w = std::nan("");  // one poll without power: left out of the mean
    polls[2].power_limit_w = 650; polls[2].temperature_c = 55;
    polls[2].sm_clock_mhz = 1600; polls[2].memory_clock_mhz = 2619;
    polls[2].reasons = static_cast<std::uint32_t>(backend::throttle_reason::idle);
    polls[2].reasons_read = true;
    const telemetry_summary s = backend::summarize_telemetry(polls, "nvml");
    CHECK(s.source == "nvml");
    CHECK(s.readings == 3);
    CHECK(s.power_mean_w == doctest::Approx(645));
    CHECK(s.power_max_w == 690);
    CHECK(s.power_limit_w == 650);
    CHECK(s.temperature_min_c == 50);
    CHECK(s.temperature_max_c == 58);
    CHECK(s.sm_clock_mean_mhz == doctest::Approx(1500));
    CHECK(s.sm_clock_min_mhz == 1400);
    CHECK(s.sm_clock_max_mhz == 1600);
    CHECK(s.memory_clock_mhz == doctest::Approx(2619));
    CHECK(s.throttle_reasons == std::vector<std::string>{"sw_power_cap", "idle"});
    CHECK(s.throttle_reasons_read);
    CHECK(s.power_limited() == std::optional<bool>(true));
    CHECK(backend::summarize_telemetry({}, "nvml").readings == 0);
}

TEST_CASE("the fake NVML is read: units converted, the device found by UUID") {
    fake_nvml fake(AACO_FAKE_NVML_FULL);
    fake.set("power_mw", {412500});
    fake.set("limit_mw", {700000});
    fake.set("sm_mhz", {1755});
    fake.set("mem_mhz", {2619});
    fake.set("temp_c", {47});
    fake.set("reasons", {static_cast<long long>(nvml_sw_power_cap | nvml_hw_thermal)});
    {
        backend::nvml_source src(nvidia_device(), fake.path());
        REQUIRE(src.ok());
        CHECK(src.name() == "nvml");
        const telemetry_reading r = src.read();
        CHECK(r.power_w == doctest::Approx(412.5));
        CHECK(r.power_limit_w == doctest::Approx(700));
        CHECK(r.sm_clock_mhz == 1755);
        CHECK(r.memory_clock_mhz == 2619);
        CHECK(r.temperature_c == 47);
        CHECK(r.reasons_read);
        CHECK(backend::throttle_reason_list(r.reasons) ==
              std::vector<std::string>{"sw_power_cap", "hw_thermal"});
        CHECK(src.note().empty());
        CHECK(fake.calls("nvmlDeviceGetHandleByUUID") == 1);
        CHECK(fake.calls("nvmlDeviceGetHandleByPciBusId_v2") == 0);
    }
    CHECK(fake.calls("nvmlInit_v2") == 1);
    CHECK(fake.calls("nvmlShutdown") == 1);  // one init, one shutdown
    CHECK(fake.calls("setter") == 0);        // aaco never changes a setting
}

TEST_CASE("the poller reduces a scripted sequence; power-limited true and false from it") {
    SUBCASE("at the limit: mean power within 5% of the enforced limit") {
        fake_nvml fake(AACO_FAKE_NVML_FULL);
        fake.set("power_mw", {690000});
        fake.set("limit_mw", {700000});
        fake.set("sm_mhz", {1530});
        fake.set("reasons", {0});
        backend::nvml_source src(nvidia_device(), fake.path());
        backend::telemetry_scope scope(&src, std::chrono::milliseconds(2));
        wait_for_polls(fake, 4);
        const telemetry_summary s = scope.finish();
        CHECK(s.readings >= 2);  // one at the start, one at the end at least
        CHECK(s.power_mean_w == doctest::Approx(690));
        CHECK(s.power_limit_w == doctest::Approx(700));
        CHECK(s.throttle_reasons.empty());
        CHECK(s.throttle_reasons_read);
        CHECK(s.power_limited() == std::optional<bool>(true));
    }
    SUBCASE("well below the limit, no cap reason: not power-limited") {
        fake_nvml fake(AACO_FAKE_NVML_FULL);
        fake.set("power_mw", {300000, 420000, 400000});
        fake.set("limit_mw", {700000});
        fake.set("temp_c", {40, 44, 43});
        fake.set("reasons", {0});
        backend::nvml_source src(nvidia_device(), fake.path());
        backend::telemetry_scope scope(&src, std::chrono::milliseconds(2));
        wait_for_polls(fake, 4);
        const telemetry_summary s = scope.finish();
        REQUIRE(s.readings >= 3);
        CHECK(s.power_max_w == doctest::Approx(420));
        // 300 once, 420 once, then 400 for every later poll.
        const double n = s.readings;
        CHECK(s.power_mean_w == doctest::Approx((300 + 420 + 400 * (n - 2)) / n));
        CHECK(s.temperature_min_c == 40);
        CHECK(s.temperature_max_c == 44);
        CHECK(s.power_limited() == std::optional<bool>(false));
    }
    SUBCASE("below the limit but the driver reports the power cap: power-limited") {
        fake_nvml fake(AACO_FAKE_NVML_FULL);
        fake.set("power_mw", {500000});
        fake.set("limit_mw", {700000});
        fake.set("reasons", {0, static_cast<long long>(nvml_sw_power_cap), 0});
        backend::nvml_source src(nvidia_device(), fake.path());
        backend::telemetry_scope scope(&src, std::chrono::milliseconds(2));
        wait_for_polls(fake, 4);
        const telemetry_summary s = scope.finish();
        REQUIRE(s.readings >= 2);
        CHECK(s.throttle_reasons == std::vector<std::string>{"sw_power_cap"});
        CHECK(s.power_limited() == std::optional<bool>(true));
    }
}

TEST_CASE("library missing: no source, one note, telemetry null in the JSON") {
    const device_info dev = nvidia_device();
    backend::nvml_source src(dev, "/nonexistent/libnvidia-ml.so.1");
    CHECK_FALSE(src.ok());
    CHECK(has(src.note(), "NVML not loaded"));
    CHECK(has(src.note(), "/nonexistent/libnvidia-ml.so.1"));
    const telemetry_reading r = src.read();
    CHECK(std::isnan(r.power_w));
    CHECK_FALSE(r.reasons_read);
    // What the calibrator does: ask for the vendor's library, get nullptr and the reason.
    setenv("AACO_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1", 1);
    std::string why;
    CHECK(backend::open_telemetry(dev, why) == nullptr);
    CHECK(has(why, "NVML not loaded"));
    unsetenv("AACO_NVML_LIBRARY");
    backend::telemetry_scope scope(nullptr);
    const telemetry_summary s = scope.finish();
    CHECK_FALSE(s.available());
    CHECK_FALSE(s.power_limited().has_value());
    envelope e;
    compute_figure f;
    f.telemetry = s;
    e.compute.push_back(f);
    e.telemetry_note = why;
    const auto j = nlohmann::json::parse(to_json(e));
    CHECK(j["aaco"]["compute"][0]["telemetry"].is_null());
    CHECK(has(j["aaco"]["telemetry_note"].get<std::string>(), "NVML not loaded"));
}

TEST_CASE("AACO_NVML_LIBRARY overrides the library path") {
    setenv("AACO_NVML_LIBRARY", AACO_FAKE_NVML_FULL, 1);
    CHECK(backend::nvml_source::default_library() == AACO_FAKE_NVML_FULL);
    fake_nvml fake(AACO_FAKE_NVML_FULL);
    fake.set("power_mw", {100000});
    std::string why;
    auto src = backend::open_telemetry(nvidia_device(), why);
    REQUIRE(src != nullptr);
    CHECK(why.empty());
    CHECK(src->read().power_w == doctest::Approx(100));
    unsetenv("AACO_NVML_LIBRARY");
    CHECK(backend::nvml_source::default_library() == "libnvidia-ml.so.1");
}

TEST_CASE("one symbol missing: that field is NaN, the others read, the note names the symbol") {
    fake_nvml fake(AACO_FAKE_NVML_NO_TEMPERATURE);
    fake.set("power_mw", {250000});
    fake.set("limit_mw", {700000});
    fake.set("reasons", {0});
    backend::nvml_source src(nvidia_device(), fake.path());
    REQUIRE(src.ok());
    const telemetry_reading r = src.read();
    CHECK(std::isnan(r.temperature_c));
    CHECK(r.power_w == doctest::Approx(250));
    CHECK(has(src.note(), "temperature not read"));
    CHECK(has(src.note(), "nvmlDeviceGetTemperature"));
    const telemetry_summary s = backend::summarize_telemetry({r, src.read()}, src.name());
    CHECK(std::isnan(s.temperature_min_c));
    CHECK(std::isnan(s.temperature_max_c));
    CHECK(s.power_limited() == std::optional<bool>(false));
    const auto j = nlohmann::json::parse(to_json([&] {
        envelope e;
        compute_figure f;
        f.telemetry = s;
        e.compute.push_back(f);
        return e;
    }()));
    CHECK(j["aaco"]["compute"][0]["telemetry"]["temperature_max_c"].is_null());
    CHECK(j["aaco"]["compute"][0]["telemetry"]["power_mean_w"] == 250);
}

TEST_CASE("the pre-12.2 throttle-reason name is used where the new one is missing") {
    fake_nvml fake(AACO_FAKE_NVML_OLD_REASONS);
    fake.set("reasons", {static_cast<long long>(nvml_sw_power_cap)});
    backend::nvml_source src(nvidia_device(), fake.path());
    REQUIRE(src.ok());
    const telemetry_reading r = src.read();
    CHECK(r.reasons_read);
    CHECK(backend::throttle_reason_list(r.reasons) == std::vector<std::string>{"sw_power_cap"});
    CHECK(fake.calls("nvmlDeviceGetCurrentClocksThrottleReasons") == 1);
    CHECK(src.note().empty());
}

TEST_CASE("init failure: not ok, the note gives NVML's error") {
    fake_nvml fake(AACO_FAKE_NVML_FULL);
    fake.set("init_rc", {9});  // NVML_ERROR_DRIVER_NOT_LOADED
    backend::nvml_source src(nvidia_device(), fake.path());
    CHECK_FALSE(src.ok());
    CHECK(has(src.note(), "nvmlInit_v2 failed"));
    CHECK(has(src.note(), "Driver Not Loaded"));
    CHECK(std::isnan(src.read().power_w));
    std::string why;
    setenv("AACO_NVML_LIBRARY", AACO_FAKE_NVML_FULL, 1);
    CHECK(backend::open_telemetry(nvidia_device(), why) == nullptr);
    unsetenv("AACO_NVML_LIBRARY");
    CHECK(has(why, "nvmlInit_v2 failed"));
}

TEST_CASE("device lookup: UUID first, PCI bus id second, a note when neither finds it") {
    SUBCASE("UUID unknown to NVML, PCI bus id found") {
        fake_nvml fake(AACO_FAKE_NVML_FULL);
        fake.set("uuid_rc", {6});
        backend::nvml_source src(nvidia_device(), fake.path());
        CHECK(src.ok());
        CHECK(fake.calls("nvmlDeviceGetHandleByPciBusId_v2") == 1);
    }
    SUBCASE("neither") {
        fake_nvml fake(AACO_FAKE_NVML_FULL);
        fake.set("uuid_rc", {6});
        fake.set("pci_rc", {6});
        backend::nvml_source src(nvidia_device(), fake.path());
        CHECK_FALSE(src.ok());
        CHECK(has(src.note(), "did not find the device"));
        CHECK(has(src.note(), "GPU-01234567"));
        CHECK(has(src.note(), "0000:65:00.0"));
    }
}

TEST_CASE("a query the board does not support: NaN and a note, power_limited unknown") {
    fake_nvml fake(AACO_FAKE_NVML_FULL);
    fake.set("power_rc", {3});  // NVML_ERROR_NOT_SUPPORTED on every poll
    fake.set("limit_mw", {700000});
    backend::nvml_source src(nvidia_device(), fake.path());
    REQUIRE(src.ok());
    const telemetry_reading a = src.read(), b = src.read();
    CHECK(std::isnan(a.power_w));
    CHECK(has(src.note(), "power not read (nvmlDeviceGetPowerUsage: Not Supported (3))"));
    telemetry_summary s = backend::summarize_telemetry({a, b}, "nvml");
    CHECK(std::isnan(s.power_mean_w));
    // The reasons were read and were none, but without power the near-limit test cannot run:
    // "no cap reason" alone still says false (the driver reports the cap when it acts).
    CHECK(s.power_limited() == std::optional<bool>(false));
    s.throttle_reasons_read = false;  // neither reasons nor power: unknown, not "no"
    CHECK_FALSE(s.power_limited().has_value());
}

TEST_CASE("a query that fails only sometimes is counted in the note") {
    fake_nvml fake(AACO_FAKE_NVML_FULL);
    fake.set("power_rc", {0, 3, 0});
    fake.set("power_mw", {300000});
    backend::nvml_source src(nvidia_device(), fake.path());
    REQUIRE(src.ok());
    for (int i = 0; i < 4; ++i) src.read();
    CHECK(has(src.note(), "power failed in 1 of 4 polls"));
}

TEST_CASE("unknown vendor: no source, a note") {
    device_info d;
    d.vendor = "Acme";
    std::string why;
    CHECK(backend::open_telemetry(d, why) == nullptr);
    CHECK(has(why, "Acme"));
}

TEST_CASE("AMD SMI missing: no source, one note") {
    device_info d;
    d.vendor = "AMD";
    d.pci_bus_id = "0000:c1:00.0";
    backend::amdsmi_source src(d, "/nonexistent/libamd_smi.so");
    CHECK_FALSE(src.ok());
    CHECK(has(src.note(), "AMD SMI not loaded"));
    CHECK(std::isnan(src.read().power_w));
}

TEST_CASE("throttle reasons: null in JSON when not read, [] when read and none") {
    telemetry_summary t;
    t.source = "amdsmi";
    t.readings = 4;
    t.power_mean_w = 500;
    t.power_limit_w = 750;
    envelope e;
    compute_figure f;
    f.telemetry = t;
    e.compute.push_back(f);
    auto j = nlohmann::json::parse(to_json(e));
    CHECK(j["aaco"]["compute"][0]["telemetry"]["throttle_reasons"].is_null());
    envelope back = envelope_from_json(to_json(e));
    CHECK_FALSE(back.compute[0].telemetry.throttle_reasons_read);
    e.compute[0].telemetry.throttle_reasons_read = true;
    j = nlohmann::json::parse(to_json(e));
    CHECK(j["aaco"]["compute"][0]["telemetry"]["throttle_reasons"].is_array());
    back = envelope_from_json(to_json(e));
    CHECK(back.compute[0].telemetry.throttle_reasons_read);
}

} // TEST_SUITE
