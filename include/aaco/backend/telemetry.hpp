/// \file backend/telemetry.hpp
/// \brief Board telemetry read while a figure is sampled: NVML on NVIDIA, AMD SMI on AMD.
///
/// Both libraries are loaded at run time with dlopen and looked up with dlsym: aaco never links
/// to them, so it builds and runs where they are absent. aaco only *reads* (power draw, enforced
/// power limit, SM and memory clocks, temperature, throttle reasons); it calls no setter of
/// either library. Whatever cannot be read (library missing, symbol missing, init failure, a
/// query the board does not support) becomes NaN / "not read" in the reading and one sentence in
/// note(); nothing here throws into a calibration.
///
/// Host code only: this header includes no GPU header, so the host test suite compiles it and
/// tests it against a fake NVML built by the test (tests/telemetry_fake/).
///
/// Library paths can be overridden, for tests and for unusual installs, with the environment
/// variables `AACO_NVML_LIBRARY` and `AACO_AMDSMI_LIBRARY` or the sources' constructor argument.
#pragma once
#include <aaco/config.hpp>
#include <aaco/model/envelope.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if __has_include(<dlfcn.h>)
#include <dlfcn.h>
#endif

AACO_NAMESPACE_BEGIN
namespace backend {

// ---- throttle reasons in aaco's terms ----------------------------------------------------------

/// Throttle (NVML: "clock event") reasons as bits, named as in telemetry_summary::throttle_reasons.
enum class throttle_reason : std::uint32_t {
    sw_power_cap = 1u << 0,
    hw_slowdown = 1u << 1,
    hw_power_brake = 1u << 2,
    hw_thermal = 1u << 3,
    sw_thermal = 1u << 4,
    sync_boost = 1u << 5,
    applications_clocks = 1u << 6,
    idle = 1u << 7,
    other = 1u << 8,
};

/// Every reason with its name, in the order telemetry_summary lists them.
inline constexpr std::array<std::pair<throttle_reason, const char*>, 9> throttle_reason_names = {{
    {throttle_reason::sw_power_cap, "sw_power_cap"},
    {throttle_reason::hw_slowdown, "hw_slowdown"},
    {throttle_reason::hw_power_brake, "hw_power_brake"},
    {throttle_reason::hw_thermal, "hw_thermal"},
    {throttle_reason::sw_thermal, "sw_thermal"},
    {throttle_reason::sync_boost, "sync_boost"},
    {throttle_reason::applications_clocks, "applications_clocks"},
    {throttle_reason::idle, "idle"},
    {throttle_reason::other, "other"},
}};

/// The names of the reasons set in `mask`, in throttle_reason_names order.
inline std::vector<std::string> throttle_reason_list(std::uint32_t mask) {
    std::vector<std::string> out;
    for (const auto& [bit, name] : throttle_reason_names)
        if (mask & static_cast<std::uint32_t>(bit)) out.emplace_back(name);
    return out;
}

/// NVML's clock event (formerly throttle) reason bits, from nvml.h (nvmlClocksEventReason* /
/// nvmlClocksThrottleReason*; the values did not change with the rename in NVML 12.2).
struct nvml_reason_bits {
    static constexpr unsigned long long gpu_idle = 0x1ull;
    static constexpr unsigned long long applications_clocks = 0x2ull;
    static constexpr unsigned long long sw_power_cap = 0x4ull;
    static constexpr unsigned long long hw_slowdown = 0x8ull;
    static constexpr unsigned long long sync_boost = 0x10ull;
    static constexpr unsigned long long sw_thermal = 0x20ull;
    static constexpr unsigned long long hw_thermal = 0x40ull;
    static constexpr unsigned long long hw_power_brake = 0x80ull;
    // 0x100 (display clock setting) and any bit a later NVML adds map to "other".
};

/// NVML reason mask -> aaco reason mask.
inline std::uint32_t throttle_reasons_from_nvml(unsigned long long nvml) {
    using b = nvml_reason_bits;
    const std::pair<unsigned long long, throttle_reason> map[] = {
        {b::gpu_idle, throttle_reason::idle},
        {b::applications_clocks, throttle_reason::applications_clocks},
        {b::sw_power_cap, throttle_reason::sw_power_cap},
        {b::hw_slowdown, throttle_reason::hw_slowdown},
        {b::sync_boost, throttle_reason::sync_boost},
        {b::sw_thermal, throttle_reason::sw_thermal},
        {b::hw_thermal, throttle_reason::hw_thermal},
        {b::hw_power_brake, throttle_reason::hw_power_brake},
    };
    std::uint32_t out = 0;
    unsigned long long known = 0;
    for (const auto& [bit, reason] : map) {
        known |= bit;
        if (nvml & bit) out |= static_cast<std::uint32_t>(reason);
    }
    if (nvml & ~known) out |= static_cast<std::uint32_t>(throttle_reason::other);
    return out;
}

// ---- one poll, and their reduction --------------------------------------------------------------

/// One poll of the board. NaN = not read this time.
struct telemetry_reading {
    double power_w = std::numeric_limits<double>::quiet_NaN();
    double power_limit_w = std::numeric_limits<double>::quiet_NaN();
    double temperature_c = std::numeric_limits<double>::quiet_NaN();
    double sm_clock_mhz = std::numeric_limits<double>::quiet_NaN();
    double memory_clock_mhz = std::numeric_limits<double>::quiet_NaN();
    std::uint32_t reasons = 0;   ///< throttle_reason bits
    bool reasons_read = false;   ///< `reasons` was read (0 then means "none active")
};

namespace telemetry_detail {
/// Running mean / min / max of the finite values offered.
struct range {
    double sum = 0;
    std::size_t n = 0;
    double lo = std::numeric_limits<double>::quiet_NaN();
    double hi = std::numeric_limits<double>::quiet_NaN();
    void add(double v) {
        if (!std::isfinite(v)) return;
        sum += v;
        lo = n == 0 ? v : std::min(lo, v);
        hi = n == 0 ? v : std::max(hi, v);
        ++n;
    }
    double mean() const {
        return n ? sum / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
    }
};
} // namespace telemetry_detail

/// Reduces the polls taken during one figure: mean and max power, the lowest enforced limit seen
/// (the one that bound), the temperature range, mean/min/max SM clock, mean memory clock, and the
/// union of the throttle reasons. `source` names the library ("nvml", "amdsmi").
inline telemetry_summary summarize_telemetry(const std::vector<telemetry_reading>& polls,
                                             const std::string& source) {
    telemetry_summary s;
    if (polls.empty()) return s;
    s.source = source;
    s.readings = static_cast<std::uint32_t>(polls.size());
    telemetry_detail::range power, limit, temperature, sm, mem;
    std::uint32_t reasons = 0;
    for (const telemetry_reading& r : polls) {
        power.add(r.power_w);
        limit.add(r.power_limit_w);
        temperature.add(r.temperature_c);
        sm.add(r.sm_clock_mhz);
        mem.add(r.memory_clock_mhz);
        reasons |= r.reasons;
        s.throttle_reasons_read = s.throttle_reasons_read || r.reasons_read;
    }
    s.power_mean_w = power.mean();
    s.power_max_w = power.hi;
    s.power_limit_w = limit.lo;
    s.temperature_min_c = temperature.lo;
    s.temperature_max_c = temperature.hi;
    s.sm_clock_mean_mhz = sm.mean();
    s.sm_clock_min_mhz = sm.lo;
    s.sm_clock_max_mhz = sm.hi;
    s.memory_clock_mhz = mem.mean();
    s.throttle_reasons = throttle_reason_list(reasons);
    return s;
}

// ---- the sources ------------------------------------------------------------------------------

/// A telemetry library bound to one device. read() never throws; what it cannot read stays NaN
/// and is explained by note().
class telemetry_source {
public:
    virtual ~telemetry_source() = default;
    /// "nvml" or "amdsmi".
    virtual std::string name() const = 0;
    /// The library is loaded, initialised and bound to the device: read() can return values.
    virtual bool ok() const = 0;
    /// One poll. Thread-safe (the poller calls it from its own thread).
    virtual telemetry_reading read() = 0;
    /// What was not read and why, in one line; empty when everything was read.
    virtual std::string note() const = 0;
};

namespace telemetry_detail {

/// dlopen'ed library, closed on destruction.
class shared_library {
public:
    explicit shared_library(const std::string& path) {
#if __has_include(<dlfcn.h>)
        dlerror();
        handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle_) {
            const char* why = dlerror();
            error_ = why ? why : "dlopen failed";
        }
#else
        error_ = "dlopen is not available on this platform (" + path + ")";
#endif
    }
    ~shared_library() {
#if __has_include(<dlfcn.h>)
        if (handle_) dlclose(handle_);
#endif
    }
    shared_library(const shared_library&) = delete;
    shared_library& operator=(const shared_library&) = delete;

    bool loaded() const noexcept { return handle_ != nullptr; }
    const std::string& error() const noexcept { return error_; }

    /// The function `name`, or nullptr when the library does not export it.
    template <class Fn>
    Fn find(const char* name) const {
        Fn fn = nullptr;
#if __has_include(<dlfcn.h>)
        if (!handle_) return fn;
        void* p = dlsym(handle_, name);
        static_assert(sizeof(fn) == sizeof(p), "function and object pointers differ in size");
        if (p) std::memcpy(&fn, &p, sizeof p);  // object -> function pointer without a cast
#else
        (void)name;
#endif
        return fn;
    }

private:
    void* handle_ = nullptr;
    std::string error_;
};

/// How one field fared over the polls, for note().
struct field_record {
    explicit field_record(const char* name) : field(name) {}

    const char* field;        ///< "power", "temperature", ...
    std::string missing;      ///< set when the symbol is absent: never read
    std::string first_error;  ///< first failed call's error text
    std::uint64_t ok = 0, failed = 0;

    void success() { ++ok; }
    void failure(const std::string& what) {
        if (failed++ == 0) first_error = what;
    }
    /// "" when the field was read every time.
    std::string describe() const {
        if (!missing.empty()) return std::string(field) + " not read (" + missing + ")";
        if (failed == 0) return {};
        if (ok == 0) return std::string(field) + " not read (" + first_error + ")";
        return std::string(field) + " failed in " + std::to_string(failed) + " of " +
               std::to_string(failed + ok) + " polls (" + first_error + ")";
    }
};

/// Joins the non-empty parts with "; ".
inline std::string join_notes(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (p.empty()) continue;
        if (!out.empty()) out += "; ";
        out += p;
    }
    return out;
}

/// The environment variable `var` if set and non-empty, else `fallback`.
inline std::string env_or(const char* var, const char* fallback) {
    const char* v = std::getenv(var);
    return v && *v ? std::string(v) : std::string(fallback);
}

/// What every source over a vendor library shares: the dlopen'ed library, the note of what went
/// wrong while setting up, the binding of optional symbols and the bookkeeping of each query.
/// Both libraries return 0 for success (NVML_SUCCESS, AMDSMI_STATUS_SUCCESS); a derived class
/// names any other status with error_text().
class library_source : public telemetry_source {
public:
    library_source(const library_source&) = delete;
    library_source& operator=(const library_source&) = delete;

protected:
    static constexpr int success = 0;

    /// Loads `library`; `display` ("NVML", "AMD SMI") names it in every note.
    library_source(const std::string& library, const char* display) : lib_(library), display_(display) {
        if (!lib_.loaded()) setup_note_ = std::string(display_) + " not loaded (" + lib_.error() + ")";
    }

    /// The library's text for status `rc`, with the number.
    virtual std::string error_text(int rc) const = 0;

    /// Binds the optional `symbol` to `fn`; when absent, `rec` says so in the note.
    template <class Fn>
    void bind(Fn& fn, field_record& rec, const char* symbol) {
        fn = lib_.find<Fn>(symbol);
        if (!fn) rec.missing = std::string(display_) + " has no " + symbol;
    }

    /// Calls `fn(args...)` when bound; records the outcome in `rec`. True on success.
    template <class Fn, class... Args>
    bool query(Fn fn, field_record& rec, const char* symbol, Args... args) {
        if (!fn) return false;
        const int rc = fn(args...);
        if (rc == success) {
            rec.success();
            return true;
        }
        rec.failure(std::string(symbol) + ": " + error_text(rc));
        return false;
    }

    /// note(): the setup note when setup failed, else "<display>: " and what `fields` missed
    /// (with `always` appended when given); empty when every field was read every time.
    std::string fields_note(std::initializer_list<const field_record*> fields,
                            const char* always = nullptr) const {
        if (!setup_note_.empty()) return setup_note_;
        std::vector<std::string> parts;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (const field_record* f : fields) parts.push_back(f->describe());
        }
        if (always) parts.emplace_back(always);
        const std::string text = join_notes(parts);
        return text.empty() ? text : std::string(display_) + ": " + text;
    }

    shared_library lib_;
    const char* display_;
    std::string setup_note_;
    bool initialized_ = false;
    mutable std::mutex mutex_;
};

} // namespace telemetry_detail

/// NVML (libnvidia-ml.so.1). The device is found by the UUID the CUDA runtime reported (NVML
/// and CUDA number devices differently, so never by index), else by its PCI bus id.
class nvml_source final : public telemetry_detail::library_source {
public:
    /// `AACO_NVML_LIBRARY` if set, else "libnvidia-ml.so.1" (the driver's soname).
    static std::string default_library() {
        return telemetry_detail::env_or("AACO_NVML_LIBRARY", "libnvidia-ml.so.1");
    }

    explicit nvml_source(const device_info& dev, const std::string& library = default_library())
        : library_source(library, "NVML") {
        if (!lib_.loaded()) return;
        bind_symbols();
        if (!init_) {
            setup_note_ = "NVML (" + library + ") has no nvmlInit_v2";
            return;
        }
        if (const int rc = init_(); rc != success) {
            setup_note_ = "nvmlInit_v2 failed: " + error_text(rc);
            return;
        }
        initialized_ = true;
        find_device(dev);
    }
    ~nvml_source() override {
        if (initialized_ && shutdown_) shutdown_();
    }

    std::string name() const override { return "nvml"; }
    bool ok() const override { return device_ != nullptr; }

    telemetry_reading read() override {
        telemetry_reading r;
        if (!ok()) return r;
        std::lock_guard<std::mutex> lock(mutex_);
        unsigned int v = 0;
        if (query(power_usage_, power_, "nvmlDeviceGetPowerUsage", device_, &v))
            r.power_w = v * 1e-3;  // milliwatts
        if (query(power_limit_, limit_, "nvmlDeviceGetEnforcedPowerLimit", device_, &v))
            r.power_limit_w = v * 1e-3;
        if (query(clock_info_, sm_clock_, "nvmlDeviceGetClockInfo", device_, clock_sm, &v))
            r.sm_clock_mhz = v;
        if (query(clock_info_, mem_clock_, "nvmlDeviceGetClockInfo", device_, clock_mem, &v))
            r.memory_clock_mhz = v;
        if (query(temperature_, temp_, "nvmlDeviceGetTemperature", device_, temperature_gpu, &v))
            r.temperature_c = v;
        unsigned long long reasons = 0;
        if (query(reasons_, reasons_rec_, reasons_symbol_, device_, &reasons)) {
            r.reasons = throttle_reasons_from_nvml(reasons);
            r.reasons_read = true;
        }
        return r;
    }

    std::string note() const override {
        return fields_note({&power_, &limit_, &sm_clock_, &mem_clock_, &temp_, &reasons_rec_});
    }

private:
    // nvml.h: nvmlReturn_t is an enum (NVML_SUCCESS = 0), nvmlDevice_t an opaque pointer,
    // nvmlClockType_t NVML_CLOCK_SM = 1 / NVML_CLOCK_MEM = 2, nvmlTemperatureSensors_t
    // NVML_TEMPERATURE_GPU = 0.
    using device_t = void*;
    static constexpr int clock_sm = 1;
    static constexpr int clock_mem = 2;
    static constexpr int temperature_gpu = 0;
    using init_fn = int (*)();
    using shutdown_fn = int (*)();
    using error_string_fn = const char* (*)(int);
    using handle_by_string_fn = int (*)(const char*, device_t*);
    using uint_query_fn = int (*)(device_t, unsigned int*);
    using typed_uint_query_fn = int (*)(device_t, int, unsigned int*);
    using reasons_fn = int (*)(device_t, unsigned long long*);

    device_t device_ = nullptr;
    init_fn init_ = nullptr;
    shutdown_fn shutdown_ = nullptr;
    error_string_fn error_string_ = nullptr;
    handle_by_string_fn by_uuid_ = nullptr;
    handle_by_string_fn by_pci_ = nullptr;
    uint_query_fn power_usage_ = nullptr;
    uint_query_fn power_limit_ = nullptr;
    typed_uint_query_fn clock_info_ = nullptr;
    typed_uint_query_fn temperature_ = nullptr;
    reasons_fn reasons_ = nullptr;
    const char* reasons_symbol_ = "nvmlDeviceGetCurrentClocksEventReasons";
    telemetry_detail::field_record power_{"power"};
    telemetry_detail::field_record limit_{"power limit"};
    telemetry_detail::field_record sm_clock_{"SM clock"};
    telemetry_detail::field_record mem_clock_{"memory clock"};
    telemetry_detail::field_record temp_{"temperature"};
    telemetry_detail::field_record reasons_rec_{"throttle reasons"};

    void bind_symbols() {
        init_ = lib_.find<init_fn>("nvmlInit_v2");
        shutdown_ = lib_.find<shutdown_fn>("nvmlShutdown");
        error_string_ = lib_.find<error_string_fn>("nvmlErrorString");
        by_uuid_ = lib_.find<handle_by_string_fn>("nvmlDeviceGetHandleByUUID");
        by_pci_ = lib_.find<handle_by_string_fn>("nvmlDeviceGetHandleByPciBusId_v2");
        bind(power_usage_, power_, "nvmlDeviceGetPowerUsage");
        bind(power_limit_, limit_, "nvmlDeviceGetEnforcedPowerLimit");
        bind(clock_info_, sm_clock_, "nvmlDeviceGetClockInfo");
        bind(clock_info_, mem_clock_, "nvmlDeviceGetClockInfo");
        bind(temperature_, temp_, "nvmlDeviceGetTemperature");
        // NVML 12.2 renamed the throttle-reason query; drivers keep the old name as an alias.
        reasons_ = lib_.find<reasons_fn>(reasons_symbol_);
        if (!reasons_) {
            reasons_symbol_ = "nvmlDeviceGetCurrentClocksThrottleReasons";
            bind(reasons_, reasons_rec_, reasons_symbol_);
        }
    }

    void find_device(const device_info& dev) {
        std::string tried;
        if (!dev.uuid.empty() && by_uuid_) {
            const int rc = by_uuid_(dev.uuid.c_str(), &device_);
            if (rc == success) return;
            device_ = nullptr;
            tried = "UUID " + dev.uuid + ": " + error_text(rc);
        }
        if (!dev.pci_bus_id.empty() && by_pci_) {
            const int rc = by_pci_(dev.pci_bus_id.c_str(), &device_);
            if (rc == success) return;
            device_ = nullptr;
            tried += (tried.empty() ? "" : ", ") + std::string("PCI bus id ") + dev.pci_bus_id +
                     ": " + error_text(rc);
        }
        setup_note_ = tried.empty() ? "NVML: no UUID or PCI bus id to find the device by"
                                    : "NVML did not find the device (" + tried + ")";
    }

    std::string error_text(int rc) const override {
        const char* s = error_string_ ? error_string_(rc) : nullptr;
        return (s ? std::string(s) : std::string("NVML error")) + " (" + std::to_string(rc) + ")";
    }
};

/// AMD SMI (libamd_smi.so). The device is found by its PCI address (bus:device from the HIP
/// runtime). Power comes from the energy accumulator (energy difference over time difference
/// between polls: the library's power structures changed layout between ROCm releases, its
/// energy counter did not), so the first poll of a figure has no power. Throttle reasons are
/// not read: they live in amdsmi_gpu_metrics_t, whose layout also differs between releases.
/// Written against AMD SMI's public header (ROCm 6.x); not yet run on an AMD GPU.
class amdsmi_source final : public telemetry_detail::library_source {
public:
    /// `AACO_AMDSMI_LIBRARY` if set, else "libamd_smi.so".
    static std::string default_library() {
        return telemetry_detail::env_or("AACO_AMDSMI_LIBRARY", "libamd_smi.so");
    }

    explicit amdsmi_source(const device_info& dev, const std::string& library = default_library())
        : library_source(library, "AMD SMI") {
        if (!lib_.loaded()) return;
        bind_symbols();
        if (!init_ || !sockets_ || !processors_ || !bdf_) {
            setup_note_ = "AMD SMI (" + library + ") lacks amdsmi_init or the device lookup calls";
            return;
        }
        if (const int rc = init_(init_amd_gpus); rc != success) {
            setup_note_ = "amdsmi_init failed: " + error_text(rc);
            return;
        }
        initialized_ = true;
        find_device(dev);
    }
    ~amdsmi_source() override {
        if (initialized_ && shut_down_) shut_down_();
    }

    std::string name() const override { return "amdsmi"; }
    bool ok() const override { return device_ != nullptr; }

    telemetry_reading read() override {
        telemetry_reading r;
        if (!ok()) return r;
        std::lock_guard<std::mutex> lock(mutex_);
        r.power_w = power_from_energy();
        std::uint64_t cap[8] = {};  // amdsmi_power_cap_info_t: power_cap (uW) first, 8 x u64
        if (query(power_cap_, limit_, "amdsmi_get_power_cap_info", device_, 0u, cap))
            r.power_limit_w = static_cast<double>(cap[0]) * 1e-6;
        std::uint32_t clk[16] = {};  // amdsmi_clk_info_t: current clock (MHz) first
        if (query(clock_info_, sm_clock_, "amdsmi_get_clock_info", device_, clk_gfx, clk))
            r.sm_clock_mhz = clk[0];
        std::uint32_t mclk[16] = {};
        if (query(clock_info_, mem_clock_, "amdsmi_get_clock_info", device_, clk_mem, mclk))
            r.memory_clock_mhz = mclk[0];
        std::int64_t t = 0;  // degrees Celsius
        if (query(temp_metric_, temp_, "amdsmi_get_temp_metric", device_, temp_hotspot,
                  temp_current, &t))
            r.temperature_c = static_cast<double>(t);
        return r;
    }

    std::string note() const override {
        return fields_note({&power_, &limit_, &sm_clock_, &mem_clock_, &temp_},
                           "throttle reasons not read (not supported by aaco on AMD)");
    }

private:
    // amdsmi.h: amdsmi_status_t (AMDSMI_STATUS_SUCCESS = 0), opaque handles,
    // AMDSMI_INIT_AMD_GPUS = 1 << 1, AMDSMI_CLK_TYPE_GFX = 0, AMDSMI_CLK_TYPE_MEM = 4,
    // AMDSMI_TEMPERATURE_TYPE_HOTSPOT = 1 (junction), AMDSMI_TEMP_CURRENT = 0.
    using handle_t = void*;
    static constexpr std::uint64_t init_amd_gpus = 1u << 1;
    static constexpr int clk_gfx = 0;
    static constexpr int clk_mem = 4;
    static constexpr int temp_hotspot = 1;
    static constexpr int temp_current = 0;
    using init_fn = int (*)(std::uint64_t);
    using shut_down_fn = int (*)();
    using status_string_fn = int (*)(int, const char**);
    using sockets_fn = int (*)(std::uint32_t*, handle_t*);
    using processors_fn = int (*)(handle_t, std::uint32_t*, handle_t*);
    using bdf_fn = int (*)(handle_t, std::uint64_t*);  // amdsmi_bdf_t is a union with a uint64
    using energy_fn = int (*)(handle_t, std::uint64_t*, float*, std::uint64_t*);
    using power_cap_fn = int (*)(handle_t, std::uint32_t, std::uint64_t*);
    using clock_fn = int (*)(handle_t, int, std::uint32_t*);
    using temp_fn = int (*)(handle_t, int, int, std::int64_t*);

    handle_t device_ = nullptr;
    init_fn init_ = nullptr;
    shut_down_fn shut_down_ = nullptr;
    status_string_fn status_string_ = nullptr;
    sockets_fn sockets_ = nullptr;
    processors_fn processors_ = nullptr;
    bdf_fn bdf_ = nullptr;
    energy_fn energy_ = nullptr;
    power_cap_fn power_cap_ = nullptr;
    clock_fn clock_info_ = nullptr;
    temp_fn temp_metric_ = nullptr;
    double last_energy_uj_ = std::numeric_limits<double>::quiet_NaN();
    std::uint64_t last_energy_ns_ = 0;
    telemetry_detail::field_record power_{"power"};
    telemetry_detail::field_record limit_{"power limit"};
    telemetry_detail::field_record sm_clock_{"GFX clock"};
    telemetry_detail::field_record mem_clock_{"memory clock"};
    telemetry_detail::field_record temp_{"temperature"};

    void bind_symbols() {
        init_ = lib_.find<init_fn>("amdsmi_init");
        shut_down_ = lib_.find<shut_down_fn>("amdsmi_shut_down");
        status_string_ = lib_.find<status_string_fn>("amdsmi_status_code_to_string");
        sockets_ = lib_.find<sockets_fn>("amdsmi_get_socket_handles");
        processors_ = lib_.find<processors_fn>("amdsmi_get_processor_handles");
        bdf_ = lib_.find<bdf_fn>("amdsmi_get_gpu_device_bdf");
        bind(energy_, power_, "amdsmi_get_energy_count");
        bind(power_cap_, limit_, "amdsmi_get_power_cap_info");
        bind(clock_info_, sm_clock_, "amdsmi_get_clock_info");
        bind(clock_info_, mem_clock_, "amdsmi_get_clock_info");
        bind(temp_metric_, temp_, "amdsmi_get_temp_metric");
    }

    /// Matches the device by PCI domain:bus:device. amdsmi_bdf_t packs function (3 bits),
    /// device (5), bus (8) and domain (48) from the low bit up.
    void find_device(const device_info& dev) {
        unsigned domain = 0, bus = 0, device = 0, function = 0;
        if (std::sscanf(dev.pci_bus_id.c_str(), "%x:%x:%x.%x", &domain, &bus, &device,
                        &function) < 3) {
            setup_note_ = "AMD SMI: no PCI bus id to find the device by";
            return;
        }
        std::uint32_t n_sockets = 0;
        if (sockets_(&n_sockets, nullptr) != success || n_sockets == 0) {
            setup_note_ = "AMD SMI lists no sockets";
            return;
        }
        std::vector<handle_t> sockets(n_sockets);
        if (sockets_(&n_sockets, sockets.data()) != success) n_sockets = 0;
        for (std::uint32_t s = 0; s < n_sockets && !device_; ++s) {
            std::uint32_t n = 0;
            if (processors_(sockets[s], &n, nullptr) != success || n == 0) continue;
            std::vector<handle_t> procs(n);
            if (processors_(sockets[s], &n, procs.data()) != success) continue;
            for (std::uint32_t p = 0; p < n && !device_; ++p) {
                std::uint64_t b = 0;
                if (bdf_(procs[p], &b) != success) continue;
                if (((b >> 3) & 0x1f) == device && ((b >> 8) & 0xff) == bus &&
                    (b >> 16) == domain)
                    device_ = procs[p];
            }
        }
        if (!device_) setup_note_ = "AMD SMI did not find the device at PCI " + dev.pci_bus_id;
    }

    /// Average power since the previous poll from the energy accumulator; NaN on the first.
    double power_from_energy() {
        std::uint64_t counter = 0, ns = 0;
        float resolution_uj = 0;
        if (!query(energy_, power_, "amdsmi_get_energy_count", device_, &counter, &resolution_uj,
                   &ns))
            return std::numeric_limits<double>::quiet_NaN();
        const double uj = static_cast<double>(counter) * static_cast<double>(resolution_uj);
        double watts = std::numeric_limits<double>::quiet_NaN();
        if (std::isfinite(last_energy_uj_) && ns > last_energy_ns_ && uj >= last_energy_uj_)
            watts = (uj - last_energy_uj_) / static_cast<double>(ns - last_energy_ns_) * 1e3;
        last_energy_uj_ = uj;
        last_energy_ns_ = ns;
        return watts;
    }

    std::string error_text(int rc) const override {
        const char* s = nullptr;
        if (status_string_) status_string_(rc, &s);
        return (s ? std::string(s) : std::string("AMD SMI error")) + " (" + std::to_string(rc) +
               ")";
    }
};

/// The telemetry library of `dev`'s vendor, bound to it. Returns nullptr, and says why in
/// `why_not`, when none can be used (library absent, init failed, device not found); the caller
/// records that once and carries on without telemetry.
inline std::unique_ptr<telemetry_source> open_telemetry(const device_info& dev,
                                                        std::string& why_not) {
    std::unique_ptr<telemetry_source> s;
    if (dev.vendor == "NVIDIA") {
        s = std::make_unique<nvml_source>(dev);
    } else if (dev.vendor == "AMD") {
        s = std::make_unique<amdsmi_source>(dev);
    } else {
        why_not = "no telemetry library for vendor '" + dev.vendor + "'";
        return nullptr;
    }
    if (s->ok()) return s;
    why_not = s->note();
    return nullptr;
}

// ---- the poller -------------------------------------------------------------------------------

/// Polls a source on a background thread while a figure is sampled, and reduces the polls.
///
/// Period: 15 ms. A figure lasts 0.1-0.5 s (burst) or seconds (sustained), so this gives from
/// ~7 to hundreds of polls per figure: enough for a mean and a range. Under a power cap the SM
/// clock moves on a millisecond-to-tens-of-milliseconds scale (design.md section 4), which a
/// 15 ms period samples without trying to resolve single steps (NVML itself averages power over
/// a longer window on recent boards). Each poll is a handful of library calls on a CPU thread
/// of its own; the GPU does no work for it. untuned: no faster period was needed.
class telemetry_poller {
public:
    static constexpr std::chrono::milliseconds default_period{15};

    /// `source` may be null (no telemetry): then start/stop do nothing and stop() returns an
    /// empty summary. The source must outlive the poller.
    explicit telemetry_poller(telemetry_source* source,
                              std::chrono::milliseconds period = default_period)
        : source_(source), period_(period) {}
    ~telemetry_poller() { join(); }
    telemetry_poller(const telemetry_poller&) = delete;
    telemetry_poller& operator=(const telemetry_poller&) = delete;

    /// Starts polling: one poll at once, then one per period, and a last one at stop().
    void start() {
        if (!source_ || thread_.joinable()) return;
        stop_requested_ = false;
        polls_.clear();
        thread_ = std::thread([this] { run(); });
    }

    /// Stops polling and returns the reduction of the polls taken since start().
    telemetry_summary stop() {
        join();
        return source_ ? summarize_telemetry(polls_, source_->name()) : telemetry_summary{};
    }

private:
    telemetry_source* source_;
    std::chrono::milliseconds period_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_requested_ = false;
    std::vector<telemetry_reading> polls_;  // written by the thread only until join()

    void run() {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            lock.unlock();
            const telemetry_reading r = source_->read();
            lock.lock();
            polls_.push_back(r);
            if (stop_requested_) return;  // the poll just taken was the last one
            // Wakes early on stop(), then takes one last poll so the end of the figure counts.
            if (wake_.wait_for(lock, period_, [this] { return stop_requested_; })) {
                lock.unlock();
                const telemetry_reading last = source_->read();
                lock.lock();
                polls_.push_back(last);
                return;
            }
        }
    }

    void join() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_requested_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
};

/// Telemetry over a scope: polling starts at construction; finish() stops it and returns the
/// summary (empty when `source` is null). For probes that own their timing loop, e.g.
///
///     backend::telemetry_scope t(cfg.telemetry);
///     ... sample the figure ...
///     figure.telemetry = t.finish();
class telemetry_scope {
public:
    explicit telemetry_scope(telemetry_source* source,
                             std::chrono::milliseconds period = telemetry_poller::default_period)
        : poller_(source, period) {
        poller_.start();
    }
    telemetry_summary finish() { return poller_.stop(); }

private:
    telemetry_poller poller_;
};

} // namespace backend
AACO_NAMESPACE_END
