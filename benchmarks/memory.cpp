// aaco_bench_memory: aaco's memory and launch figures beside the vendor's own data movers, on
// one card, in one process.
//
// aaco side: probes::measure_memory for every memory level the device has, in the working-set
// scopes (probes::scopes_for: the roof everywhere, and at L2 also the whole-L2 working set) and
// under the stream ops the calibrator measures there (probes::ops_for: every op on HBM, reads on
// L2/LLC/shared, copies on the host links), each verified; and probes::measure_launch for every
// launch floor (device, enqueue, async, sync, graph). Every aaco row names its scope and working set.
//
// Vendor side (median of --runs timed runs after a warm-up, each between its own events):
//   hbm.copy        cudaMemcpyAsync / hipMemcpyAsync device-to-device of 2 GiB; counts bytes
//                   read + bytes written = 2 x 2 GiB per copy, as aaco does
//   hbm.read        CUB DeviceReduce::Sum / rocprim::reduce over 2 GiB of floats (read-only)
//   host_to_device  pinned cudaMemcpyAsync / hipMemcpyAsync host-to-device of 256 MiB
//   device_to_host  pinned device-to-host of 256 MiB
// and the datasheet's HBM figure for the hbm rows. The 2 GiB working sets shrink (halving)
// when free device memory is short; the output says so.
//
// Usage: aaco_bench_memory [--device N] [--quick] [--runs N] [--json FILE]
// Exit codes: 0 ok; 1 error; 2 no usable GPU or bad arguments.
#include "bench_common.hpp"

#if AACO_BACKEND_NONE
#  error "aaco_bench_memory needs a GPU backend (nvcc or hipcc)"
#endif

#include <aaco/probes/launch.hpp>
#include <aaco/probes/memory.hpp>

#if AACO_BACKEND_CUDA
#  include <cub/device/device_reduce.cuh>
#elif AACO_BACKEND_HIP
#  include <rocprim/rocprim.hpp>
#endif

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

// The kernel lives outside the anonymous namespace: AACO_KERNEL gives it hidden visibility,
// which needs external linkage.
namespace aaco_bench {
/// x[i] = value.
template <class T>
AACO_KERNEL void fill_value(T* x, std::size_t n, T value) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += stride)
        x[i] = value;
}
} // namespace aaco_bench

namespace {

using aaco_bench::no_value;

constexpr std::size_t gib = std::size_t(1) << 30;
constexpr std::size_t mib = std::size_t(1) << 20;

/// One aaco memory figure (or why it is missing).
struct memory_row {
    aaco::memory_level level = aaco::memory_level::hbm;
    aaco::stream_op op = aaco::stream_op::read;
    aaco::memory_scope scope = aaco::memory_scope::roof;
    std::optional<aaco::memory_figure> fig;
    std::string error;
    double datasheet = no_value;
};

/// One vendor data mover.
struct vendor_result {
    std::string key;    ///< "hbm.copy", "hbm.read", "host_to_device", "device_to_host"
    std::string label;
    std::size_t bytes_per_call = 0;  ///< counted bytes (read + write)
    aaco_bench::vendor_timing timing{};
    bool timed = false;
    std::string note;   ///< size adjustments, checks
    std::string error;
};

/// "hbm.read", "l2.read", "l2_whole.read": the figure's step key without "memory.".
std::string figure_name(aaco::memory_level l, aaco::stream_op op,
                        aaco::memory_scope scope = aaco::memory_scope::roof) {
    return aaco::kernels::detail::stream_key(l, op, scope).substr(std::string("memory.").size());
}

/// The largest power-of-two fraction of `wanted` such that `arrays` buffers of it fit in 80% of
/// free device memory.
std::size_t fit_bytes(std::size_t wanted, int arrays) {
    const std::size_t free_bytes = aaco::backend::device_memory().free_bytes;
    std::size_t b = wanted;
    while (b > 64 * mib && static_cast<double>(b) * arrays > 0.8 * static_cast<double>(free_bytes)) b /= 2;
    return b;
}

std::string size_note(std::size_t used, std::size_t wanted) {
    char buf[96];
    if (used == wanted) std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(used) / gib);
    else
        std::snprintf(buf, sizeof buf, "%.2f GiB (shrunk from %.2f GiB: free memory)",
                      static_cast<double>(used) / gib, static_cast<double>(wanted) / gib);
    return buf;
}

// ---- aaco side --------------------------------------------------------------------------------

std::vector<memory_row> measure_aaco_memory(const aaco::device_info& dev, bool quick,
                                            const aaco::probes::sampling_config& cfg,
                                            aaco::backend::stream& s) {
    const aaco::profile* prof = aaco::match_profile(dev);
    std::vector<memory_row> rows;
    for (aaco::memory_level l : aaco::bandwidth_memory_levels) {
        // The scopes and ops the calibrator measures at this level (every op on HBM, reads on
        // the caches, copies on the host links; at L2 the roof and the whole-L2 working sets).
        for (aaco::memory_scope scope : aaco::probes::scopes_for(l, dev)) {
            for (aaco::stream_op op : aaco::probes::ops_for(l, quick)) {
                memory_row r;
                r.level = l;
                r.op = op;
                r.scope = scope;
                if (l == aaco::memory_level::hbm && prof) r.datasheet = prof->device_hbm_gbps();
                const std::string name = figure_name(l, op, scope);
                std::printf("  aaco %-26s ", name.c_str());
                std::fflush(stdout);
                try {
                    r.fig = aaco::probes::measure_memory(dev, l, op, true, cfg, s, 0, scope);
                    if (!r.fig) {
                        // No such level on this device (llc without an Infinity Cache).
                        std::printf("no such level\n");
                        continue;
                    }
                    std::printf("%10.1f GB/s\n", r.fig->gbps);
                } catch (const std::exception& e) {
                    r.error = e.what();
                    std::printf("failed: %s\n", e.what());
                }
                rows.push_back(std::move(r));
            }
        }
    }
    return rows;
}

struct launch_row {
    aaco::launch_mode mode = aaco::launch_mode::async;
    std::optional<aaco::launch_figure> fig;
    std::string error;
};

std::vector<launch_row> measure_aaco_launch(const aaco::probes::sampling_config& cfg,
                                            aaco::backend::stream& s) {
    std::vector<launch_row> rows;
    for (aaco::launch_mode m : aaco::all_launch_modes) {
        launch_row r;
        r.mode = m;
        std::printf("  aaco launch.%-19s ", std::string(aaco::to_string(m)).c_str());
        std::fflush(stdout);
        try {
            r.fig = aaco::probes::measure_launch(m, cfg, s);
            std::printf("%10.2f us\n", r.fig->us);
        } catch (const std::exception& e) {
            r.error = e.what();
            std::printf("failed: %s\n", e.what());
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

// ---- vendor side ------------------------------------------------------------------------------

/// Runs `body` and turns an exception into the result's error.
template <class Body>
vendor_result vendor_step(const char* key, const char* label, Body&& body) {
    vendor_result v;
    v.key = key;
    v.label = label;
    std::printf("  %-44s ", label);
    std::fflush(stdout);
    try {
        body(v);
        v.timed = true;
        std::printf("%10.1f GB/s  %s\n", v.timing.rate.median, v.note.c_str());
    } catch (const std::exception& e) {
        v.error = e.what();
        std::printf("failed: %s\n", e.what());
    }
    return v;
}

#if AACO_BACKEND_CUDA
constexpr const char* vendor_memcpy = "cudaMemcpyAsync";
constexpr const char* vendor_reduce = "cub::DeviceReduce::Sum";
#else
constexpr const char* vendor_memcpy = "hipMemcpyAsync";
constexpr const char* vendor_reduce = "rocprim::reduce";
#endif

/// The vendor's device-wide float sum into `out`; `temp` may be null to query its size.
void vendor_sum(void* temp, std::size_t& temp_bytes, const float* in, float* out, int n,
                aaco::backend::native_stream s) {
#if AACO_BACKEND_CUDA
    AACO_BACKEND_CHECK(cub::DeviceReduce::Sum(temp, temp_bytes, in, out, n, s));
#else
    AACO_BACKEND_CHECK(rocprim::reduce(temp, temp_bytes, in, out, 0.0f, static_cast<std::size_t>(n),
                                       rocprim::plus<float>(), s));
#endif
}

std::vector<vendor_result> measure_vendor(int runs, aaco::backend::stream& s) {
    std::vector<vendor_result> out;
    const std::string copy_label = std::string(vendor_memcpy) + " device-to-device";
    out.push_back(vendor_step("hbm.copy", copy_label.c_str(), [&](vendor_result& v) {
        const std::size_t bytes = fit_bytes(2 * gib, 2);
        aaco::backend::device_buffer<unsigned char> src(bytes), dst(bytes);
        src.zero(s.get());
        dst.zero(s.get());
        v.bytes_per_call = 2 * bytes;  // each byte is read once and written once
        v.timing = aaco_bench::time_vendor(
            s, [&](aaco::backend::native_stream st) { aaco::backend::memcpy_async(dst.data(), src.data(), bytes, st); },
            static_cast<double>(v.bytes_per_call), 1e-9, runs);
        v.note = size_note(bytes, 2 * gib) + " per buffer, read + write counted";
    }));

    const std::string reduce_label = std::string(vendor_reduce) + " (float)";
    out.push_back(vendor_step("hbm.read", reduce_label.c_str(), [&](vendor_result& v) {
        const std::size_t bytes = fit_bytes(2 * gib, 1);
        const std::size_t n = bytes / sizeof(float);  // 512 Mi floats: fits the int count
        aaco::backend::device_buffer<float> in(n), result(1);
        aaco_bench::fill_value<float><<<1024, 256, 0, s.get()>>>(in.data(), n, 1.0f);
        AACO_BACKEND_CHECK_LAUNCH("fill_value");
        std::size_t temp_bytes = 0;
        vendor_sum(nullptr, temp_bytes, in.data(), result.data(), static_cast<int>(n), s.get());
        aaco::backend::device_buffer<unsigned char> temp(temp_bytes > 0 ? temp_bytes : 1);
        v.bytes_per_call = n * sizeof(float);
        v.timing = aaco_bench::time_vendor(
            s,
            [&](aaco::backend::native_stream st) {
                std::size_t tb = temp_bytes;
                vendor_sum(temp.data(), tb, in.data(), result.data(), static_cast<int>(n), st);
            },
            static_cast<double>(v.bytes_per_call), 1e-9, runs);
        float sum = 0;
        s.synchronize();
        result.copy_to_host(&sum, 1);
        // A sum of n ones: float rounding of the partial sums may cost a few ulps, no more.
        const bool ok = std::fabs(static_cast<double>(sum) - static_cast<double>(n)) <= 1e-4 * static_cast<double>(n);
        v.note = size_note(bytes, 2 * gib) + (ok ? ", sum checked" : ", SUM WRONG: " + std::to_string(sum));
    }));

    for (const bool to_device : {true, false}) {
        const std::string label = std::string(vendor_memcpy) + (to_device ? " pinned host-to-device"
                                                                            : " pinned device-to-host");
        out.push_back(vendor_step(to_device ? "host_to_device" : "device_to_host", label.c_str(),
                                  [&](vendor_result& v) {
            const std::size_t bytes = 256 * mib;
            aaco::backend::pinned_buffer<unsigned char> host(bytes);
            aaco::backend::device_buffer<unsigned char> dev(bytes);
            dev.zero(s.get());
            for (std::size_t i = 0; i < bytes; i += 4096) host[i] = 0;  // touch every page
            v.bytes_per_call = bytes;  // one direction over the link
            v.timing = aaco_bench::time_vendor(
                s,
                [&](aaco::backend::native_stream st) {
                    if (to_device) aaco::backend::memcpy_async(dev.data(), host.data(), bytes, st);
                    else aaco::backend::memcpy_async(host.data(), dev.data(), bytes, st);
                },
                static_cast<double>(bytes), 1e-9, runs);
            v.note = "256 MiB";
        }));
    }
    return out;
}

// ---- report -----------------------------------------------------------------------------------

/// The vendor figure an aaco row is compared with.
const vendor_result* vendor_for(const memory_row& r, const std::vector<vendor_result>& vendor) {
    std::string key;
    if (r.scope != aaco::memory_scope::roof) return nullptr;
    if (r.level == aaco::memory_level::hbm && r.op == aaco::stream_op::copy) key = "hbm.copy";
    else if (r.level == aaco::memory_level::hbm && r.op == aaco::stream_op::read) key = "hbm.read";
    else if (r.level == aaco::memory_level::host_to_device) key = "host_to_device";
    else if (r.level == aaco::memory_level::device_to_host) key = "device_to_host";
    for (const vendor_result& v : vendor)
        if (v.key == key && v.timed) return &v;
    return nullptr;
}

void print_tables(const std::vector<memory_row>& rows, const std::vector<launch_row>& launches,
                  const std::vector<vendor_result>& vendor) {
    std::printf("\n%-26s %10s %7s %11s %9s %10s %9s\n", "figure", "aaco GB/s", "CoV", "vendor GB/s",
                "aaco/", "datasheet", "aaco/");
    std::printf("%-26s %10s %7s %11s %9s %10s %9s\n", "", "", "", "", "vendor", "GB/s", "datasheet");
    for (const memory_row& r : rows) {
        const double g = r.fig ? r.fig->gbps : no_value;
        const vendor_result* v = vendor_for(r, vendor);
        const double vg = v ? v->timing.rate.median : no_value;
        std::printf("%-26s %10s %7s %11s %9s %10s %9s%s\n", figure_name(r.level, r.op, r.scope).c_str(),
                    aaco_bench::cell(g, 1).c_str(),
                    aaco_bench::cell(r.fig ? r.fig->stats.cov : no_value, 2, true).c_str(),
                    aaco_bench::cell(vg, 1).c_str(),
                    aaco_bench::cell(aaco_bench::ratio(g, vg), 1, true).c_str(),
                    aaco_bench::cell(r.datasheet, 1).c_str(),
                    aaco_bench::cell(aaco_bench::ratio(g, r.datasheet), 1, true).c_str(),
                    r.fig && !r.fig->stats.stable ? "  (unstable)" : "");
    }
    std::printf("\n%-26s %10s %7s\n", "launch", "aaco us", "CoV");
    for (const launch_row& r : launches)
        std::printf("%-26s %10s %7s%s\n", ("launch." + std::string(aaco::to_string(r.mode))).c_str(),
                    aaco_bench::cell(r.fig ? r.fig->us : no_value, 2).c_str(),
                    aaco_bench::cell(r.fig ? r.fig->stats.cov : no_value, 2, true).c_str(),
                    r.fig && !r.fig->stats.stable ? "  (unstable)" : "");

    std::printf("\naaco methods:\n");
    for (const memory_row& r : rows) {
        const std::string name = figure_name(r.level, r.op, r.scope);
        if (r.fig)
            std::printf("  %-26s scope %s, working set %.1f MiB; %s; %zu samples\n", name.c_str(),
                        std::string(aaco::to_string(r.scope)).c_str(),
                        static_cast<double>(r.fig->working_set_bytes) / mib, r.fig->method.c_str(),
                        r.fig->stats.samples);
        else
            std::printf("  %-26s not measured: %s\n", name.c_str(), r.error.c_str());
    }
    for (const launch_row& r : launches)
        if (!r.fig)
            std::printf("  launch.%-19s not measured: %s\n", std::string(aaco::to_string(r.mode)).c_str(),
                        r.error.c_str());
    std::printf("\nvendor references (median of the timed runs):\n");
    for (const vendor_result& v : vendor) {
        if (v.timed)
            std::printf("  %-16s %-44s %8.3f ms  CoV %5.2f%%  %s\n", v.key.c_str(), v.label.c_str(),
                        v.timing.median_ms, v.timing.rate.cov * 100.0, v.note.c_str());
        else
            std::printf("  %-16s %-44s failed: %s\n", v.key.c_str(), v.label.c_str(), v.error.c_str());
    }
}

nlohmann::json to_json(const aaco::device_info& dev, const aaco_bench::options& o,
                       const std::vector<memory_row>& rows, const std::vector<launch_row>& launches,
                       const std::vector<vendor_result>& vendor, double wall) {
    nlohmann::json j;
    j["benchmark"] = "memory";
    j["aaco_version"] = AACO_VERSION_STRING;
    j["device"] = aaco_bench::device_json(dev);
    const aaco::profile* prof = aaco::match_profile(dev);
    j["profile"] = prof ? nlohmann::json(std::string(prof->key)) : nlohmann::json();
    j["sampling"] = o.quick ? "quick" : "full";
    j["rows"] = nlohmann::json::array();
    for (const memory_row& r : rows) {
        const vendor_result* v = vendor_for(r, vendor);
        const double g = r.fig ? r.fig->gbps : no_value;
        nlohmann::json x;
        x["figure"] = figure_name(r.level, r.op, r.scope);
        x["level"] = std::string(aaco::to_string(r.level));
        x["op"] = std::string(aaco::to_string(r.op));
        x["scope"] = std::string(aaco::to_string(r.scope));
        x["aaco_gbps"] = aaco_bench::num(g);
        x["aaco_cov"] = aaco_bench::num(r.fig ? r.fig->stats.cov : no_value);
        x["aaco_samples"] = r.fig ? r.fig->stats.samples : 0;
        x["aaco_stable"] = r.fig ? r.fig->stats.stable : false;
        x["aaco_method"] = r.fig ? r.fig->method : std::string();
        x["working_set_bytes"] = r.fig ? r.fig->working_set_bytes : 0;
        x["vendor"] = v ? v->label : std::string();
        x["vendor_gbps"] = aaco_bench::num(v ? v->timing.rate.median : no_value);
        x["aaco_over_vendor"] = aaco_bench::num(aaco_bench::ratio(g, v ? v->timing.rate.median : no_value));
        x["datasheet_gbps"] = aaco_bench::num(r.datasheet);
        x["aaco_over_datasheet"] = aaco_bench::num(aaco_bench::ratio(g, r.datasheet));
        x["error"] = r.error;
        j["rows"].push_back(x);
    }
    j["launch"] = nlohmann::json::array();
    for (const launch_row& r : launches) {
        nlohmann::json x;
        x["mode"] = std::string(aaco::to_string(r.mode));
        x["us"] = aaco_bench::num(r.fig ? r.fig->us : no_value);
        x["cov"] = aaco_bench::num(r.fig ? r.fig->stats.cov : no_value);
        x["samples"] = r.fig ? r.fig->stats.samples : 0;
        x["stable"] = r.fig ? r.fig->stats.stable : false;
        x["error"] = r.error;
        j["launch"].push_back(x);
    }
    j["vendor"] = nlohmann::json::array();
    for (const vendor_result& v : vendor) {
        nlohmann::json x;
        x["key"] = v.key;
        x["label"] = v.label;
        x["bytes_per_call"] = v.bytes_per_call;
        x["gbps"] = aaco_bench::num(v.timed ? v.timing.rate.median : no_value);
        x["gbps_min"] = aaco_bench::num(v.timed ? v.timing.rate.min : no_value);
        x["gbps_max"] = aaco_bench::num(v.timed ? v.timing.rate.max : no_value);
        x["cov"] = aaco_bench::num(v.timed ? v.timing.rate.cov : no_value);
        x["samples"] = v.timed ? v.timing.rate.samples : 0;
        x["median_ms"] = aaco_bench::num(v.timed ? v.timing.median_ms : no_value);
        x["note"] = v.note;
        x["error"] = v.error;
        j["vendor"].push_back(x);
    }
    j["wall_seconds"] = wall;
    return j;
}

int run(int argc, char** argv) {
    aaco_bench::options o;
    if (!aaco_bench::parse_options(argc, argv, o, false)) return 2;
    const auto t0 = std::chrono::steady_clock::now();
    aaco::backend::set_device(o.device);  // no_device_error when there is no such GPU
    const aaco::device_info dev = aaco::backend::query_device(o.device);
    const aaco::profile* prof = aaco::match_profile(dev);
    std::printf("aaco %s memory benchmark on %s (%s, %d SMs/CUs, L2 %.0f MiB, %.1f GiB), datasheet profile: %s\n",
                AACO_VERSION_STRING, dev.name.c_str(), dev.arch.c_str(), dev.compute_units,
                static_cast<double>(dev.l2_bytes) / mib, static_cast<double>(dev.memory_bytes) / gib,
                prof ? std::string(prof->key).c_str() : "none");
    std::printf("aaco sampling: %s; vendor: median of %d runs\n", o.quick ? "quick" : "full", o.runs);

    aaco::backend::stream s;
    const aaco::probes::sampling_config cfg =
        o.quick ? aaco::probes::sampling_config::quick() : aaco::probes::sampling_config::full();

    std::vector<memory_row> rows = measure_aaco_memory(dev, o.quick, cfg, s);
    std::vector<launch_row> launches = measure_aaco_launch(cfg, s);
    std::vector<vendor_result> vendor = measure_vendor(o.runs, s);

    print_tables(rows, launches, vendor);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("\nwall time %.1f s\n", wall);
    if (!o.json_path.empty()) {
        aaco_bench::write_json(o.json_path, to_json(dev, o, rows, launches, vendor, wall));
        std::printf("rows written to %s\n", o.json_path.c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const aaco::no_device_error& e) {
        std::fprintf(stderr, "aaco_bench_memory: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco_bench_memory: error: %s\n", e.what());
        return 1;
    }
}
