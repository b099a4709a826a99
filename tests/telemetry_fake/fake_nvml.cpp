// A stand-in for libnvidia-ml.so.1, for the host tests of include/aaco/backend/telemetry.hpp.
//
// It exports the NVML calls aaco's telemetry uses, with NVML's C signatures, and returns values
// the test scripts through aaco_fake_nvml_set(). Each scripted getter returns the next value of
// its sequence and repeats the last one once the sequence is used up. CMakeLists.txt builds it
// three times: complete, without nvmlDeviceGetTemperature (a symbol missing), and with only the
// pre-12.2 name of the throttle-reason query.
//
// It also exports two setters of the real API that count their calls, so a test can show that
// aaco never changes a setting.
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

struct script {
    std::map<std::string, std::vector<long long>> values;
    std::map<std::string, std::size_t> next;
    std::map<std::string, long long> calls;
    int device_token = 0;  // the address of this is the device handle
};

script& state() {
    static script s;
    return s;
}

long long take(const std::string& key, long long fallback) {
    script& s = state();
    auto it = s.values.find(key);
    if (it == s.values.end() || it->second.empty()) return fallback;
    std::size_t& i = s.next[key];
    const long long v = it->second[i < it->second.size() ? i : it->second.size() - 1];
    if (i < it->second.size()) ++i;
    return v;
}

int rc_of(const char* key) { return static_cast<int>(take(key, 0)); }

int count(const char* call) { return static_cast<int>(++state().calls[call]); }

constexpr int not_found = 6;  // NVML_ERROR_NOT_FOUND

} // namespace

extern "C" {

// ---- scripting (not part of NVML) ----
__attribute__((visibility("default"))) void aaco_fake_nvml_reset() { state() = script{}; }

__attribute__((visibility("default"))) void aaco_fake_nvml_set(const char* key,
                                                                const long long* v, int n) {
    state().values[key].assign(v, v + n);
    state().next[key] = 0;
}

__attribute__((visibility("default"))) long long aaco_fake_nvml_calls(const char* call) {
    return state().calls[call];
}

// ---- the NVML calls aaco reads ----
__attribute__((visibility("default"))) int nvmlInit_v2() {
    count("nvmlInit_v2");
    return rc_of("init_rc");
}

__attribute__((visibility("default"))) int nvmlShutdown() {
    count("nvmlShutdown");
    return 0;
}

__attribute__((visibility("default"))) const char* nvmlErrorString(int rc) {
    switch (rc) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 3: return "Not Supported";
    case 6: return "Not Found";
    case 9: return "Driver Not Loaded";
    default: return "Unknown Error";
    }
}

__attribute__((visibility("default"))) int nvmlDeviceGetHandleByUUID(const char* uuid,
                                                                      void** device) {
    count("nvmlDeviceGetHandleByUUID");
    const int rc = rc_of("uuid_rc");
    if (rc != 0) return rc;
    if (std::strncmp(uuid, "GPU-", 4) != 0) return not_found;
    *device = &state().device_token;
    return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceGetHandleByPciBusId_v2(const char* bus,
                                                                             void** device) {
    count("nvmlDeviceGetHandleByPciBusId_v2");
    const int rc = rc_of("pci_rc");
    if (rc != 0) return rc;
    if (std::strchr(bus, ':') == nullptr) return not_found;
    *device = &state().device_token;
    return 0;
}

static bool is_ours(void* device) { return device == &state().device_token; }

__attribute__((visibility("default"))) int nvmlDeviceGetPowerUsage(void* d, unsigned int* mw) {
    if (!is_ours(d)) return not_found;
    if (const int rc = rc_of("power_rc")) return rc;
    *mw = static_cast<unsigned int>(take("power_mw", 0));
    return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceGetEnforcedPowerLimit(void* d,
                                                                            unsigned int* mw) {
    if (!is_ours(d)) return not_found;
    *mw = static_cast<unsigned int>(take("limit_mw", 0));
    return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceGetClockInfo(void* d, int type,
                                                                   unsigned int* mhz) {
    if (!is_ours(d)) return not_found;
    if (type == 1) *mhz = static_cast<unsigned int>(take("sm_mhz", 0));       // NVML_CLOCK_SM
    else if (type == 2) *mhz = static_cast<unsigned int>(take("mem_mhz", 0)); // NVML_CLOCK_MEM
    else return 2;                                                             // INVALID_ARGUMENT
    return 0;
}

#ifndef AACO_FAKE_NVML_NO_TEMPERATURE
__attribute__((visibility("default"))) int nvmlDeviceGetTemperature(void* d, int sensor,
                                                                     unsigned int* c) {
    if (!is_ours(d) || sensor != 0) return not_found;  // NVML_TEMPERATURE_GPU
    *c = static_cast<unsigned int>(take("temp_c", 0));
    return 0;
}
#endif

#ifndef AACO_FAKE_NVML_OLD_REASONS
__attribute__((visibility("default"))) int
nvmlDeviceGetCurrentClocksEventReasons(void* d, unsigned long long* reasons) {
    if (!is_ours(d)) return not_found;
    count("nvmlDeviceGetCurrentClocksEventReasons");
    *reasons = static_cast<unsigned long long>(take("reasons", 0));
    return 0;
}
#else
__attribute__((visibility("default"))) int
nvmlDeviceGetCurrentClocksThrottleReasons(void* d, unsigned long long* reasons) {
    if (!is_ours(d)) return not_found;
    count("nvmlDeviceGetCurrentClocksThrottleReasons");
    *reasons = static_cast<unsigned long long>(take("reasons", 0));
    return 0;
}
#endif

// ---- setters of the real API: aaco must never call them ----
__attribute__((visibility("default"))) int nvmlDeviceSetPowerManagementLimit(void*, unsigned int) {
    count("setter");
    return 0;
}

__attribute__((visibility("default"))) int nvmlDeviceSetApplicationsClocks(void*, unsigned int,
                                                                            unsigned int) {
    count("setter");
    return 0;
}

} // extern "C"
