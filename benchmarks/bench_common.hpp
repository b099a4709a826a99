/// \file bench_common.hpp
/// \brief Pieces shared by the vendor-comparison benchmarks (compute.cpp, memory.cpp): argument
/// parsing, random operands, timing of a vendor call with device events, table cells and the
/// JSON dump.
///
/// time_vendor() times a vendor call the plain way a user would: a warm-up of at least
/// `warm_ms`, then `runs` launches each bracketed by its own pair of events, summarized by
/// aaco::stats::summarize. aaco_bench_memory uses it for its references; aaco_bench_compute uses
/// it only to pick the fastest cuBLASLt algorithm, and times the chosen GEMM through
/// aaco::measure, the same sampler as aaco's own figures.
#pragma once
#include <aaco/backend/backend.hpp>
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model.hpp>
#include <aaco/stats.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace aaco_bench {

inline constexpr double no_value = std::numeric_limits<double>::quiet_NaN();

/// 64 random bits from an element index and a seed (splitmix64 finalizer): reproducible and
/// cheap to generate on the device.
AACO_HOST_DEVICE inline std::uint64_t hash_bits(std::uint64_t i, std::uint64_t seed) {
    std::uint64_t x = i + seed * 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/// Uniform in [-1, 1) (53 random bits, as kernels/operand_fill.hpp draws aaco's own operands):
/// aaco::random_operand_distribution of the floating types, "uniform [-1, 1]", before rounding
/// to the operand type. All 53 bits matter: fp64 operands with zero low mantissa bits would
/// toggle less, draw less power and flatter the library under a power cap.
AACO_HOST_DEVICE inline double hash_uniform(std::uint64_t i, std::uint64_t seed) {
    return static_cast<double>(hash_bits(i, seed) >> 11) * 0x1.0p-52 - 1.0;
}

/// Uniform over the whole int8 range [-128, 127] (the top 8 random bits):
/// aaco::random_operand_distribution of int8, "uniform int8 [-128, 127]".
AACO_HOST_DEVICE inline std::int8_t hash_int8(std::uint64_t i, std::uint64_t seed) {
    return static_cast<std::int8_t>(static_cast<int>(hash_bits(i, seed) >> 56) - 128);
}

/// Command line shared by both benchmarks.
struct options {
    int device = 0;
    bool cold = false;        ///< zero operands (compute only)
    bool quick = false;       ///< aaco's quick sampling instead of the full one
    std::string json_path;    ///< empty: no JSON
    int runs = 20;            ///< timed vendor runs, median of these (memory only)
    int rounds = 2;           ///< A B rounds of the interleaved comparison (compute only)
};

/// Parses the shared flags; returns false (after printing usage) on anything unknown. `compute`
/// selects aaco_bench_compute's flags (--cold, --rounds) instead of aaco_bench_memory's (--runs).
inline bool parse_options(int argc, char** argv, options& o, bool compute) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--device" && i + 1 < argc) {
            o.device = std::atoi(argv[++i]);
        } else if (arg == "--json" && i + 1 < argc) {
            o.json_path = argv[++i];
        } else if (!compute && arg == "--runs" && i + 1 < argc) {
            o.runs = std::atoi(argv[++i]);
        } else if (compute && arg == "--rounds" && i + 1 < argc) {
            o.rounds = std::atoi(argv[++i]);
        } else if (arg == "--quick") {
            o.quick = true;
        } else if (compute && arg == "--cold") {
            o.cold = true;
        } else {
            std::fprintf(stderr, "usage: %s [--device N] [--quick]%s [--json FILE]\n", argv[0],
                         compute ? " [--cold] [--rounds N]" : " [--runs N]");
            return false;
        }
    }
    if (o.runs < 10) {
        std::fprintf(stderr, "--runs must be >= 10 (a median of fewer runs is too noisy), got %d\n", o.runs);
        return false;
    }
    if (o.rounds < 2) {
        std::fprintf(stderr, "--rounds must be >= 2 (A B A B: each side measured twice), got %d\n", o.rounds);
        return false;
    }
    return true;
}

/// a / b, NaN when either is missing or b is 0.
inline double ratio(double a, double b) {
    return (std::isfinite(a) && std::isfinite(b) && b != 0) ? a / b : no_value;
}

/// The ceiling invariant of aaco_bench_compute: no library figure may exceed aaco's ceiling of
/// the same precision (HEU = library / ceiling <= 100%). Returns the loud line to print when
/// `library_tflops` is above `ceiling_tflops`, "" when the invariant holds or either figure is
/// missing (NaN: nothing to compare). `library_what` and `ceiling_what` say where each figure came
/// from (shape and round; kernel and round).
inline std::string ceiling_violation(const std::string& precision, double library_tflops,
                                     const std::string& library_what, double ceiling_tflops,
                                     const std::string& ceiling_what) {
    if (!(std::isfinite(library_tflops) && std::isfinite(ceiling_tflops) && ceiling_tflops > 0)) return {};
    if (!(library_tflops > ceiling_tflops)) return {};
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.1f TFLOP/s, above aaco's ceiling of %.1f TFLOP/s (HEU %.1f%%)",
                  library_tflops, ceiling_tflops, library_tflops / ceiling_tflops * 100.0);
    return "CEILING VIOLATED: " + precision + ": " + library_what + " reached " + buf + ", measured " +
           ceiling_what + ". aaco's " + precision + " ceiling is not an upper bound.";
}

/// A right-aligned table cell: `value` with `decimals`, or "-" when NaN; `percent` scales by 100
/// and appends '%'.
inline std::string cell(double value, int decimals, bool percent = false) {
    if (!std::isfinite(value)) return "-";
    char buf[48];
    std::snprintf(buf, sizeof buf, percent ? "%.*f%%" : "%.*f", decimals,
                  percent ? value * 100.0 : value);
    return buf;
}

/// JSON number or null.
inline nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

/// Device description for the JSON header.
inline nlohmann::json device_json(const aaco::device_info& d) {
    return {{"name", d.name},           {"arch", d.arch},
            {"compute_units", d.compute_units}, {"max_clock_mhz", d.max_clock_mhz},
            {"uuid", d.uuid},           {"driver_version", d.driver_version},
            {"runtime_version", d.runtime_version}, {"ecc", d.ecc.value_or(false)}};
}

/// Writes `j` to `path` (pretty-printed); throws aaco::error on I/O failure.
inline void write_json(const std::string& path, const nlohmann::json& j) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw aaco::error("cannot open '" + path + "' for writing");
    f << j.dump(2) << '\n';
    if (!f) throw aaco::error("cannot write '" + path + "'");
}

/// The samples behind a vendor figure, in the figure's unit (TFLOP/s or GB/s).
struct vendor_timing {
    aaco::stats::summary rate;  ///< per-run rates
    double median_ms = 0;       ///< median milliseconds per run
};

#if !AACO_BACKEND_NONE
/// Times `call(stream)`: warm-up until `warm_ms` of device time and at least 3 calls, then
/// `runs` calls, each between its own two events. `work` is FLOPs or bytes per call; the
/// rates are `work` / time x `unit_scale` (1e-12 for TFLOP/s, 1e-9 for GB/s).
template <class Call>
vendor_timing time_vendor(aaco::backend::stream& s, Call&& call, double work, double unit_scale,
                          int runs, double warm_ms = 200.0) {
    aaco::backend::event start, stop;
    double warmed = 0;
    for (int i = 0; i < 3 || warmed < warm_ms; ++i) {
        start.record(s.get());
        call(s.get());
        stop.record(s.get());
        stop.synchronize();
        warmed += stop.elapsed_ms_since(start);
        if (i > 10000) break;  // a call that takes no measurable time; stop warming
    }
    std::vector<double> rates, ms;
    for (int i = 0; i < runs; ++i) {
        start.record(s.get());
        call(s.get());
        stop.record(s.get());
        stop.synchronize();
        const double t = stop.elapsed_ms_since(start);
        ms.push_back(t);
        rates.push_back(work / (t * 1e-3) * unit_scale);
    }
    vendor_timing out;
    out.rate = aaco::stats::summarize(rates);
    out.median_ms = aaco::stats::summarize(ms).median;
    return out;
}
#endif

} // namespace aaco_bench
