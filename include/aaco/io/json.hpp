/// \file json.hpp
/// \brief Envelope JSON: write, read (defensively), save atomically, load.
///
/// **Format.** The top level is the seed card's calibration output, key for key:
///
///     { "device": "<name>", "calibration_timestamp": "<ISO-8601>",
///       "envelope": { "compute_ceiling_fp16_tflops", "compute_ceiling_fp32_tflops",
///                     "memory_bandwidth_gbps", "launch_overhead_us", "l2_bandwidth_gbps" },
///       "validation": { "iterations", "cov", "stable" },
///       "aaco": { ... } }
///
/// The five seed figures are the envelope's roofs: fp16 = the faster fp16 unit, fp32 = the
/// faster fp32 unit (the real fp32 roof, not the seed table's halved fp16), memory = the HBM roof
/// (fastest stream op), launch = the asynchronous launch floor, l2 = the L2 roof. A figure that
/// was not measured is `null`, never invented. `validation` is `envelope::validation()`.
///
/// The `"aaco"` object is a versioned extension that carries everything else (every figure with
/// its statistics, the device, the failures). Field names carry their unit (`_tflops`, `_gbps`,
/// `_us`, `_bytes`, `_mhz`, `_seconds`). NaN is written as `null` and read back as NaN.
///
/// **Schema 2** (envelope_schema_version) adds, per figure: `telemetry` (power, limit, clocks,
/// temperature, throttle reasons and `power_limited`, or null without a telemetry library),
/// `clock_adjusted_efficiency` (statistics of the per-launch efficiencies), `operand_distribution`,
/// `sustained` (the steady-state figure beside the burst one) and `roof_tflops`; memory `scope`
/// ("roof" or "whole"); launch modes `device` and `enqueue` with their `method`; the lists
/// `latency` and `capacities`; `telemetry_note`; and in every statistics block `p2_5`, `p97_5`,
/// `median_ci_low`, `median_ci_high`. What is unknown is `null`: a datasheet envelope writes null
/// statistics, operands, timestamp, ECC, UUID and wall time, and its seed `validation` block says
/// `"source": "datasheet"` with a null `cov`. Version 1 files are read with those fields unknown.
///
/// **Reading** accepts (a) files with an `"aaco"` object (it is authoritative; the seed block must
/// agree with it), (b) plain seed-format files without one, and rejects anything else with an
/// aaco::parse_error that says what is wrong and where (a JSON pointer such as
/// `/aaco/compute/3/tflops`). Input is untrusted: size, nesting depth, string and number lengths
/// and list lengths are capped (envelope_json_limits) so a hostile file can neither crash nor hang
/// the reader, and every number must lie in a plausible physical range.
///
/// **Seed-format files** (no `"aaco"` object) become: fp16 -> an fp16 *matrix* figure, fp32 -> an
/// fp32 *vector* figure (where the seed's own engines measured them), memory -> HBM *read*,
/// l2 -> L2 *read*, launch -> *async*. Such a file is calibration output by definition, so
/// `source` is `measured`; `aaco_version` is left empty (the writer is unknown). The validation
/// block is kept by giving every figure `stats.cov = cov` and `stats.stable = stable` and the
/// first figure `stats.iterations = iterations`, so `validation()` returns the same three values.
/// Nothing else is invented (operand mode stays the default, sample counts stay 0).
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ios>
#include <limits>
#include <locale>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// Caps the envelope reader puts on untrusted input. Exceeding any of them is a parse_error.
/// None is tuned by measurement; each is chosen far above what aaco itself writes.
struct envelope_json_limits {
    /// Untuned: a full envelope is ~20 KB; 16 MiB leaves three orders of magnitude of room.
    static constexpr std::size_t max_input_bytes = std::size_t{16} << 20;
    /// Untuned: aaco's own files nest 5 deep; 64 stays far from any parser's stack limit.
    static constexpr int max_depth = 64;
    /// Untuned: device names, instructions and failure reasons are well under 4 KiB.
    static constexpr std::size_t max_string_bytes = 4096;
    /// Untuned: a printed double is at most ~25 characters; longer numerals are hostile.
    static constexpr std::size_t max_number_chars = 256;
    /// Untuned: 7 precisions x 2 units x 2 operand modes = 28 compute figures at most.
    static constexpr std::size_t max_list_entries = 1024;
};

/// Physical plausibility bounds of the reader. A value outside is rejected as corrupt.
struct envelope_json_bounds {
    static constexpr double max_tflops = 1e6;  ///< ~200x the fastest 2025 dense FP8 rate
    static constexpr double max_gbps = 1e7;    ///< 10 PB/s; aggregate shared memory is ~1e5
    static constexpr double max_us = 1e7;      ///< 10 s per launch
    static constexpr double max_mhz = 1e5;     ///< 100 GHz
    static constexpr double max_seconds = 1e9; ///< ~30 years
    static constexpr double max_cov = 1e3;     ///< a CoV of 1000 is no longer a measurement
    static constexpr std::uint64_t max_bytes = std::uint64_t{1} << 50; ///< 1 PiB
    static constexpr std::uint64_t max_samples = std::uint64_t{1} << 40;
};

namespace io_detail {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

inline double nan_value() { return std::numeric_limits<double>::quiet_NaN(); }

/// Locale-independent short form of a double for messages ("1e+308", "989.4").
inline std::string format_number(double v) {
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s.precision(8);
    s << v;
    return s.str();
}

/// Appends one RFC 6901 reference token (`~` -> `~0`, `/` -> `~1`).
inline std::string pointer_append(const std::string& base, std::string_view token) {
    std::string p = base;
    p += '/';
    for (char c : token) {
        if (c == '~') p += "~0";
        else if (c == '/') p += "~1";
        else p += c;
    }
    return p;
}

inline std::string pointer_append(const std::string& base, std::size_t index) {
    return base + '/' + std::to_string(index);
}

/// Throws the reader's parse_error. `pointer` is a JSON pointer; "" = the text or the whole
/// document (the message then gives a line and column where one is known).
[[noreturn]] inline void fail(const std::string& pointer, const std::string& what) {
    // Keys may be up to 4 KiB; a message stays readable with the pointer clipped.
    constexpr std::size_t max_pointer_chars = 200;
    if (pointer.empty()) throw parse_error("aaco envelope: " + what);
    std::string where = pointer;
    if (where.size() > max_pointer_chars) where = where.substr(0, max_pointer_chars) + "...";
    throw parse_error("aaco envelope at " + where + ": " + what);
}

/// What a JSON value is, for messages: its type, and for scalars a clipped rendering.
inline std::string describe(const json& v) {
    if (v.is_number()) return "number " + format_number(v.get<double>());
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        return "string \"" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "\"";
    }
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    return v.type_name();
}

/// Line and column (1-based, bytes) of byte offset `pos` in `text`.
inline std::string position_of(std::string_view text, std::size_t pos) {
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < pos && i < text.size(); ++i)
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    return "line " + std::to_string(line) + ", column " + std::to_string(pos - line_start + 1);
}

inline bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '-' || c == '.' || c == '_';
}

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

/// One linear pass before the real parser: rejects nesting deeper than the limit (so no
/// recursive step that follows can run out of stack), NaN/Infinity literals (with a better
/// message than a generic syntax error) and absurdly long numerals. It tracks only string
/// state; everything else is left to the JSON parser.
inline void prescan(std::string_view text) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > envelope_json_limits::max_depth)
                fail("", "nesting deeper than " + std::to_string(envelope_json_limits::max_depth) +
                             " levels at " + position_of(text, i));
        } else if (c == ']' || c == '}') {
            if (depth > 0) --depth;
        } else if (is_word_char(c)) {
            std::size_t end = i;
            while (end < text.size() && is_word_char(text[end])) ++end;
            const std::string_view word = text.substr(i, end - i);
            for (std::string_view bad : {"nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity",
                                         "-infinity", "+infinity"})
                if (iequals(word, bad))
                    fail("", "'" + std::string(word) + "' at " + position_of(text, i) +
                                 " is not JSON: NaN and Infinity literals are not allowed "
                                 "(aaco writes a missing figure as null)");
            if (word.size() > envelope_json_limits::max_number_chars)
                fail("", "a literal of " + std::to_string(word.size()) + " characters at " +
                             position_of(text, i) + " exceeds the limit of " +
                             std::to_string(envelope_json_limits::max_number_chars));
            i = end - 1;
        }
    }
}

/// After parsing: every string and key within the length limit, every number finite, and the
/// depth bounded (a caller may pass a json value that never went through prescan).
inline void check_tree(const json& v, const std::string& pointer, int depth) {
    if (depth > envelope_json_limits::max_depth)
        fail(pointer, "nesting deeper than " + std::to_string(envelope_json_limits::max_depth) +
                          " levels");
    if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (it.key().size() > envelope_json_limits::max_string_bytes)
                fail(pointer, "an object key of " + std::to_string(it.key().size()) +
                                  " bytes exceeds the limit of " +
                                  std::to_string(envelope_json_limits::max_string_bytes));
            check_tree(it.value(), pointer_append(pointer, it.key()), depth + 1);
        }
    } else if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i)
            check_tree(v[i], pointer_append(pointer, i), depth + 1);
    } else if (v.is_string()) {
        const std::size_t n = v.get_ref<const std::string&>().size();
        if (n > envelope_json_limits::max_string_bytes)
            fail(pointer, "a string of " + std::to_string(n) + " bytes exceeds the limit of " +
                              std::to_string(envelope_json_limits::max_string_bytes));
    } else if (v.is_number_float()) {
        if (!std::isfinite(v.get<double>())) fail(pointer, "number is not finite");
    }
}

// ---- typed field readers ------------------------------------------------------------------
// Each takes the enclosing object, its pointer and the key. "required" means the key must be
// present; a number may still be null (= NaN: "not known").

inline const json* find_field(const json& obj, const std::string& pointer, const char* key,
                              bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
        if (required) fail(pointer_append(pointer, key), "missing required field");
        return nullptr;
    }
    return &*it;
}

inline double read_number(const json& obj, const std::string& pointer, const char* key,
                          double lo, double hi, const char* unit, bool required,
                          double fallback = nan_value()) {
    const json* v = find_field(obj, pointer, key, required);
    if (!v) return fallback;
    if (v->is_null()) return nan_value();
    const std::string p = pointer_append(pointer, key);
    if (!v->is_number()) fail(p, "expected a number or null, got " + describe(*v));
    const double x = v->get<double>();
    if (!std::isfinite(x) || x < lo || x > hi)
        fail(p, "value " + format_number(x) + " is outside the plausible range [" +
                    format_number(lo) + ", " + format_number(hi) + "]" +
                    (*unit ? std::string(" ") + unit : std::string()));
    return x;
}

inline std::uint64_t read_uint(const json& obj, const std::string& pointer, const char* key,
                               std::uint64_t hi, bool required, std::uint64_t fallback = 0) {
    const json* v = find_field(obj, pointer, key, required);
    if (!v || (v->is_null() && !required)) return fallback;  // null = unknown
    const std::string p = pointer_append(pointer, key);
    if (v->is_number_unsigned()) {
        const std::uint64_t x = v->get<std::uint64_t>();
        if (x > hi)
            fail(p, "value " + std::to_string(x) + " exceeds the plausible maximum " +
                        std::to_string(hi));
        return x;
    }
    fail(p, "expected a non-negative integer, got " + describe(*v));
}

inline int read_int(const json& obj, const std::string& pointer, const char* key, int lo,
                    int hi, bool required, int fallback = 0) {
    const json* v = find_field(obj, pointer, key, required);
    if (!v || (v->is_null() && !required)) return fallback;  // null = unknown
    const std::string p = pointer_append(pointer, key);
    if (!v->is_number_integer()) fail(p, "expected an integer, got " + describe(*v));
    // Compare in 64 bits before narrowing; unsigned values above INT64_MAX are out anyway.
    const bool fits = v->is_number_unsigned()
                          ? v->get<std::uint64_t>() <= static_cast<std::uint64_t>(hi)
                          : (v->get<std::int64_t>() >= lo && v->get<std::int64_t>() <= hi);
    if (!fits)
        fail(p, "value " + v->dump() + " is outside [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "]");
    return static_cast<int>(v->get<std::int64_t>());
}

inline bool read_bool(const json& obj, const std::string& pointer, const char* key,
                      bool required, bool fallback = false) {
    const json* v = find_field(obj, pointer, key, required);
    if (!v) return fallback;
    if (!v->is_boolean())
        fail(pointer_append(pointer, key), "expected true or false, got " + describe(*v));
    return v->get<bool>();
}

inline std::string read_string(const json& obj, const std::string& pointer, const char* key,
                               bool required, const std::string& fallback = {}) {
    const json* v = find_field(obj, pointer, key, required);
    if (!v || (v->is_null() && !required)) return fallback;  // null = unknown
    if (!v->is_string())
        fail(pointer_append(pointer, key), "expected a string, got " + describe(*v));
    return v->get<std::string>();
}

/// Reads an enumeration name with `parse` (which throws aaco::invalid_argument on unknown
/// names) and turns its complaint into a parse_error at the field's pointer.
template <typename Parse>
auto read_enum(const json& obj, const std::string& pointer, const char* key, bool required,
               Parse parse, decltype(parse(std::string_view{})) fallback) {
    const json* v = find_field(obj, pointer, key, required);
    if (!v) return fallback;
    const std::string p = pointer_append(pointer, key);
    if (!v->is_string()) fail(p, "expected a string, got " + describe(*v));
    try {
        return parse(std::string_view(v->get_ref<const std::string&>()));
    } catch (const invalid_argument& e) {
        fail(p, e.what());
    }
}

inline const json* read_container(const json& obj, const std::string& pointer, const char* key,
                                  bool required, bool want_array) {
    const json* v = find_field(obj, pointer, key, required);
    if (!v) return nullptr;
    const std::string p = pointer_append(pointer, key);
    if (want_array) {
        if (!v->is_array()) fail(p, "expected an array, got " + describe(*v));
        if (v->size() > envelope_json_limits::max_list_entries)
            fail(p, "list of " + std::to_string(v->size()) + " entries exceeds the limit of " +
                        std::to_string(envelope_json_limits::max_list_entries));
    } else if (!v->is_object()) {
        fail(p, "expected an object, got " + describe(*v));
    }
    return v;
}

inline compute_unit parse_compute_unit(std::string_view s) {
    if (s == "matrix") return compute_unit::matrix;
    if (s == "vector") return compute_unit::vector;
    throw invalid_argument("unknown compute unit '" + std::string(s) +
                           "' (expected matrix or vector)");
}

inline operand_mode parse_operand_mode(std::string_view s) {
    if (s == "random") return operand_mode::random;
    if (s == "zero") return operand_mode::zero;
    throw invalid_argument("unknown operand mode '" + std::string(s) +
                           "' (expected random or zero)");
}

inline launch_mode parse_launch_mode(std::string_view s) {
    for (launch_mode m : all_launch_modes)
        if (to_string(m) == s) return m;
    throw invalid_argument("unknown launch mode '" + std::string(s) +
                           "' (expected device, enqueue, async, sync or graph)");
}

inline memory_scope parse_memory_scope(std::string_view s) {
    if (s == "roof") return memory_scope::roof;
    if (s == "whole") return memory_scope::whole;
    throw invalid_argument("unknown memory scope '" + std::string(s) + "' (expected roof or whole)");
}

inline envelope_source parse_source(std::string_view s) {
    if (s == "measured") return envelope_source::measured;
    if (s == "datasheet") return envelope_source::datasheet;
    throw invalid_argument("unknown source '" + std::string(s) +
                           "' (expected measured or datasheet)");
}

// ---- writing --------------------------------------------------------------------------------

/// A finite double as a number, anything else (NaN, inf) as null.
inline ordered_json number_or_null(double v) {
    return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr);
}

/// A string, or null when empty (= unknown).
inline ordered_json string_or_null(const std::string& v) {
    return v.empty() ? ordered_json(nullptr) : ordered_json(v);
}

/// A count or size, or null when 0 (= unknown: no GPU has 0 bytes of memory or 0 SMs).
template <typename T>
ordered_json count_or_null(T v) {
    return v == 0 ? ordered_json(nullptr) : ordered_json(v);
}

inline ordered_json write_stats(const sample_stats& s) {
    ordered_json j;
    j["samples"] = static_cast<std::uint64_t>(s.samples);
    j["median"] = number_or_null(s.median);
    j["min"] = number_or_null(s.min);
    j["max"] = number_or_null(s.max);
    j["mean"] = number_or_null(s.mean);
    j["stdev"] = number_or_null(s.stdev);
    j["cov"] = number_or_null(s.cov);
    j["iqr"] = number_or_null(s.iqr);
    j["measured_seconds"] = number_or_null(s.measured_seconds);
    j["iterations"] = s.iterations;
    j["stable"] = s.stable;
    j["p2_5"] = number_or_null(s.p2_5);
    j["p97_5"] = number_or_null(s.p97_5);
    j["median_ci_low"] = number_or_null(s.median_ci_low);
    j["median_ci_high"] = number_or_null(s.median_ci_high);
    return j;
}

/// Statistics, or null for a figure that has none (a datasheet figure).
inline ordered_json write_stats_or_null(const sample_stats& s, bool datasheet) {
    return datasheet && !s.measured() ? ordered_json(nullptr) : write_stats(s);
}

inline ordered_json write_telemetry(const telemetry_summary& t) {
    if (!t.available()) return nullptr;
    ordered_json j;
    j["source"] = t.source;
    j["readings"] = t.readings;
    j["power_mean_w"] = number_or_null(t.power_mean_w);
    j["power_max_w"] = number_or_null(t.power_max_w);
    j["power_limit_w"] = number_or_null(t.power_limit_w);
    j["temperature_min_c"] = number_or_null(t.temperature_min_c);
    j["temperature_max_c"] = number_or_null(t.temperature_max_c);
    j["sm_clock_mean_mhz"] = number_or_null(t.sm_clock_mean_mhz);
    j["sm_clock_min_mhz"] = number_or_null(t.sm_clock_min_mhz);
    j["sm_clock_max_mhz"] = number_or_null(t.sm_clock_max_mhz);
    j["memory_clock_mhz"] = number_or_null(t.memory_clock_mhz);
    // null = not read (unknown), [] = read, none active.
    j["throttle_reasons"] = t.throttle_reasons_read || !t.throttle_reasons.empty()
                                ? ordered_json(t.throttle_reasons)
                                : ordered_json(nullptr);
    const std::optional<bool> limited = t.power_limited();
    j["power_limited"] = limited ? ordered_json(*limited) : ordered_json(nullptr);
    return j;
}

inline ordered_json write_sustained(const std::optional<sustained_figure>& s) {
    if (!s) return nullptr;
    ordered_json j;
    j["seconds"] = number_or_null(s->seconds);
    j["tflops"] = number_or_null(s->tflops);
    j["clock_mhz"] = number_or_null(s->clock_mhz);
    j["stats"] = write_stats(s->stats);
    j["clock_adjusted_efficiency"] = s->efficiency.measured() ? write_stats(s->efficiency)
                                                              : ordered_json(nullptr);
    j["telemetry"] = write_telemetry(s->telemetry);
    return j;
}

inline ordered_json write_latency(const latency_figure& f) {
    ordered_json j;
    j["level"] = std::string(to_string(f.level));
    j["scope"] = f.scope;
    j["ns"] = number_or_null(f.ns);
    j["cycles"] = number_or_null(f.cycles);
    j["clock_mhz"] = number_or_null(f.clock_mhz);
    j["working_set_bytes"] = f.working_set_bytes;
    j["stride_bytes"] = f.stride_bytes;
    j["method"] = f.method;
    j["stats"] = write_stats(f.stats);
    j["cycle_stats"] = write_stats(f.cycle_stats);
    return j;
}

inline ordered_json write_capacity(const capacity_figure& f) {
    ordered_json j;
    j["level"] = std::string(to_string(f.level));
    j["low_bytes"] = f.low_bytes;
    j["high_bytes"] = f.high_bytes;
    j["queried_bytes"] = count_or_null(f.queried_bytes);
    j["method"] = f.method;
    return j;
}

inline ordered_json write_device(const device_info& d) {
    ordered_json j;
    j["id"] = d.id >= 0 ? ordered_json(d.id) : ordered_json(nullptr);  // -1 = no device (datasheet)
    j["name"] = d.name;
    j["vendor"] = d.vendor;
    j["arch"] = d.arch;
    j["compute_units"] = count_or_null(d.compute_units);
    j["max_clock_mhz"] = d.max_clock_mhz > 0 ? number_or_null(d.max_clock_mhz) : ordered_json(nullptr);
    j["l2_bytes"] = count_or_null(d.l2_bytes);
    j["llc_bytes"] = d.llc_bytes;  // 0 = the device has no cache behind L2 (a known fact)
    j["memory_bytes"] = count_or_null(d.memory_bytes);
    j["shared_bytes_per_unit"] = count_or_null(d.shared_bytes_per_unit);
    j["uuid"] = string_or_null(d.uuid);
    j["pci_bus_id"] = string_or_null(d.pci_bus_id);
    j["driver_version"] = count_or_null(d.driver_version);
    j["runtime_version"] = count_or_null(d.runtime_version);
    j["ecc"] = d.ecc ? ordered_json(*d.ecc) : ordered_json(nullptr);
    return j;
}

inline ordered_json write_compute(const compute_figure& f, bool datasheet) {
    ordered_json j;
    j["precision"] = std::string(to_string(f.prec));
    j["unit"] = std::string(to_string(f.unit));
    j["tflops"] = number_or_null(f.tflops);
    j["roof_tflops"] = number_or_null(f.roof_tflops());
    j["operands"] = datasheet ? ordered_json(nullptr) : ordered_json(std::string(to_string(f.operands)));
    j["operand_distribution"] = string_or_null(f.operand_distribution);
    j["clock_mhz"] = number_or_null(f.clock_mhz);
    j["clock_adjusted_peak_tflops"] = number_or_null(f.clock_adjusted_peak_tflops);
    j["clock_adjusted_efficiency"] = f.clock_adjusted_efficiency.measured()
                                         ? write_stats(f.clock_adjusted_efficiency)
                                         : ordered_json(nullptr);
    j["datasheet_tflops"] = number_or_null(f.datasheet_tflops);
    j["instruction"] = string_or_null(f.instruction);
    j["stats"] = write_stats_or_null(f.stats, datasheet);
    j["telemetry"] = write_telemetry(f.telemetry);
    j["sustained"] = write_sustained(f.sustained);
    return j;
}

inline ordered_json write_memory(const memory_figure& f, bool datasheet) {
    ordered_json j;
    j["level"] = std::string(to_string(f.level));
    j["op"] = std::string(to_string(f.op));
    j["scope"] = std::string(to_string(f.scope));
    j["gbps"] = number_or_null(f.gbps);
    j["working_set_bytes"] = count_or_null(f.working_set_bytes);
    j["datasheet_gbps"] = number_or_null(f.datasheet_gbps);
    j["method"] = string_or_null(f.method);
    j["stats"] = write_stats_or_null(f.stats, datasheet);
    j["telemetry"] = write_telemetry(f.telemetry);
    return j;
}

inline ordered_json write_launch(const launch_figure& f, bool datasheet) {
    ordered_json j;
    j["mode"] = std::string(to_string(f.mode));
    j["us"] = number_or_null(f.us);
    j["method"] = string_or_null(f.method);
    j["stats"] = write_stats_or_null(f.stats, datasheet);
    j["telemetry"] = write_telemetry(f.telemetry);
    return j;
}

/// The seed's five figures as the envelope defines them (NaN where absent).
struct seed_figures {
    double fp16_tflops = nan_value();
    double fp32_tflops = nan_value();
    double hbm_gbps = nan_value();
    double launch_us = nan_value();
    double l2_gbps = nan_value();
};

inline seed_figures seed_of(const envelope& e) {
    seed_figures s;
    if (const auto* f = e.best_compute(precision::fp16)) s.fp16_tflops = f->roof_tflops();
    if (const auto* f = e.best_compute(precision::fp32)) s.fp32_tflops = f->roof_tflops();
    if (const auto* f = e.best_memory(memory_level::hbm)) s.hbm_gbps = f->gbps;
    if (const auto* f = e.launch_floor()) s.launch_us = f->us;
    if (const auto* f = e.best_memory(memory_level::l2)) s.l2_gbps = f->gbps;
    return s;
}

// ---- reading --------------------------------------------------------------------------------

inline sample_stats read_stats(const json& obj, const std::string& p, double max_value,
                               const char* unit) {
    using b = envelope_json_bounds;
    sample_stats s;
    s.samples = static_cast<std::size_t>(read_uint(obj, p, "samples", b::max_samples, false));
    s.median = read_number(obj, p, "median", 0, max_value, unit, false, 0);
    s.min = read_number(obj, p, "min", 0, max_value, unit, false, 0);
    s.max = read_number(obj, p, "max", 0, max_value, unit, false, 0);
    s.mean = read_number(obj, p, "mean", 0, max_value, unit, false, 0);
    s.stdev = read_number(obj, p, "stdev", 0, max_value, unit, false, 0);
    s.cov = read_number(obj, p, "cov", 0, b::max_cov, "", false, 0);
    s.iqr = read_number(obj, p, "iqr", 0, max_value, unit, false, 0);
    s.measured_seconds = read_number(obj, p, "measured_seconds", 0, b::max_seconds, "s", false, 0);
    s.iterations = read_uint(obj, p, "iterations", std::numeric_limits<std::int64_t>::max(), false);
    s.stable = read_bool(obj, p, "stable", false);
    s.p2_5 = read_number(obj, p, "p2_5", 0, max_value, unit, false);
    s.p97_5 = read_number(obj, p, "p97_5", 0, max_value, unit, false);
    s.median_ci_low = read_number(obj, p, "median_ci_low", 0, max_value, unit, false);
    s.median_ci_high = read_number(obj, p, "median_ci_high", 0, max_value, unit, false);
    return s;
}

/// True when `obj[key]` is present and null.
inline bool is_null_field(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_null();
}

/// The statistics object `key` of `obj`; absent or null gives empty statistics.
inline sample_stats read_optional_stats(const json& obj, const std::string& p, double max_value,
                                        const char* unit, const char* key = "stats") {
    if (is_null_field(obj, key)) return sample_stats{};
    const json* s = read_container(obj, p, key, false, false);
    return s ? read_stats(*s, pointer_append(p, key), max_value, unit) : sample_stats{};
}

/// Largest plausible board power and temperature; beyond them a file is corrupt.
struct telemetry_bounds {
    static constexpr double max_watts = 1e5;    ///< 100 kW: far above any accelerator board
    static constexpr double max_celsius = 1e3;
    static constexpr std::uint64_t max_readings = std::uint64_t{1} << 32;
};

inline telemetry_summary read_telemetry(const json& obj, const std::string& p) {
    using b = envelope_json_bounds;
    using t = telemetry_bounds;
    telemetry_summary s;
    if (is_null_field(obj, "telemetry")) return s;
    const json* tj = read_container(obj, p, "telemetry", false, false);
    if (!tj) return s;
    const std::string tp = pointer_append(p, "telemetry");
    s.source = read_string(*tj, tp, "source", false);
    s.readings = static_cast<std::uint32_t>(
        read_uint(*tj, tp, "readings", t::max_readings - 1, false));
    s.power_mean_w = read_number(*tj, tp, "power_mean_w", 0, t::max_watts, "W", false);
    s.power_max_w = read_number(*tj, tp, "power_max_w", 0, t::max_watts, "W", false);
    s.power_limit_w = read_number(*tj, tp, "power_limit_w", 0, t::max_watts, "W", false);
    s.temperature_min_c =
        read_number(*tj, tp, "temperature_min_c", -273.15, t::max_celsius, "C", false);
    s.temperature_max_c =
        read_number(*tj, tp, "temperature_max_c", -273.15, t::max_celsius, "C", false);
    s.sm_clock_mean_mhz = read_number(*tj, tp, "sm_clock_mean_mhz", 0, b::max_mhz, "MHz", false);
    s.sm_clock_min_mhz = read_number(*tj, tp, "sm_clock_min_mhz", 0, b::max_mhz, "MHz", false);
    s.sm_clock_max_mhz = read_number(*tj, tp, "sm_clock_max_mhz", 0, b::max_mhz, "MHz", false);
    s.memory_clock_mhz = read_number(*tj, tp, "memory_clock_mhz", 0, b::max_mhz, "MHz", false);
    const json* r = is_null_field(*tj, "throttle_reasons")
                        ? nullptr
                        : read_container(*tj, tp, "throttle_reasons", false, true);
    if (r) {
        const std::string rp = pointer_append(tp, "throttle_reasons");
        for (std::size_t i = 0; i < r->size(); ++i) {
            if (!(*r)[i].is_string())
                fail(pointer_append(rp, i), "expected a string, got " + describe((*r)[i]));
            s.throttle_reasons.push_back((*r)[i].get<std::string>());
        }
        s.throttle_reasons_read = true;
    }
    // power_limited is derived from the fields above when read back; the stored flag is for
    // readers other than aaco.
    return s;
}

inline std::optional<sustained_figure> read_sustained(const json& obj, const std::string& p) {
    using b = envelope_json_bounds;
    if (is_null_field(obj, "sustained")) return std::nullopt;
    const json* sj = read_container(obj, p, "sustained", false, false);
    if (!sj) return std::nullopt;
    const std::string sp = pointer_append(p, "sustained");
    sustained_figure s;
    s.seconds = read_number(*sj, sp, "seconds", 0, b::max_seconds, "s", true);
    s.tflops = read_number(*sj, sp, "tflops", 0, b::max_tflops, "TFLOP/s", true);
    s.clock_mhz = read_number(*sj, sp, "clock_mhz", 0, b::max_mhz, "MHz", false);
    s.stats = read_optional_stats(*sj, sp, b::max_tflops, "TFLOP/s");
    s.efficiency = read_optional_stats(*sj, sp, b::max_cov, "", "clock_adjusted_efficiency");
    s.telemetry = read_telemetry(*sj, sp);
    return s;
}

inline device_info read_device(const json& obj, const std::string& p) {
    using b = envelope_json_bounds;
    device_info d;
    d.id = read_int(obj, p, "id", -1, 1000000, false, -1);
    d.name = read_string(obj, p, "name", false);
    d.vendor = read_string(obj, p, "vendor", false);
    d.arch = read_string(obj, p, "arch", false);
    d.compute_units = read_int(obj, p, "compute_units", 0, 1000000, false);
    d.max_clock_mhz = read_number(obj, p, "max_clock_mhz", 0, b::max_mhz, "MHz", false, 0);
    if (std::isnan(d.max_clock_mhz)) d.max_clock_mhz = 0;  // null = unknown
    d.l2_bytes = read_uint(obj, p, "l2_bytes", b::max_bytes, false);
    d.llc_bytes = read_uint(obj, p, "llc_bytes", b::max_bytes, false);
    d.memory_bytes = read_uint(obj, p, "memory_bytes", b::max_bytes, false);
    d.shared_bytes_per_unit = read_uint(obj, p, "shared_bytes_per_unit", b::max_bytes, false);
    d.uuid = read_string(obj, p, "uuid", false);
    d.pci_bus_id = read_string(obj, p, "pci_bus_id", false);
    d.driver_version = read_int(obj, p, "driver_version", 0, std::numeric_limits<int>::max(), false);
    d.runtime_version =
        read_int(obj, p, "runtime_version", 0, std::numeric_limits<int>::max(), false);
    if (!is_null_field(obj, "ecc") && obj.contains("ecc")) d.ecc = read_bool(obj, p, "ecc", false);
    return d;
}

inline compute_figure read_compute(const json& obj, const std::string& p) {
    using b = envelope_json_bounds;
    compute_figure f;
    f.prec = read_enum(obj, p, "precision", true, parse_precision, precision::fp32);
    f.unit = read_enum(obj, p, "unit", true, parse_compute_unit, compute_unit::vector);
    f.tflops = read_number(obj, p, "tflops", 0, b::max_tflops, "TFLOP/s", true);
    if (!is_null_field(obj, "operands"))
        f.operands = read_enum(obj, p, "operands", false, parse_operand_mode, operand_mode::random);
    f.operand_distribution = read_string(obj, p, "operand_distribution", false);
    f.clock_mhz = read_number(obj, p, "clock_mhz", 0, b::max_mhz, "MHz", false);
    f.clock_adjusted_peak_tflops =
        read_number(obj, p, "clock_adjusted_peak_tflops", 0, b::max_tflops, "TFLOP/s", false);
    f.clock_adjusted_efficiency =
        read_optional_stats(obj, p, b::max_cov, "", "clock_adjusted_efficiency");
    f.datasheet_tflops = read_number(obj, p, "datasheet_tflops", 0, b::max_tflops, "TFLOP/s", false);
    f.instruction = read_string(obj, p, "instruction", false);
    f.stats = read_optional_stats(obj, p, b::max_tflops, "TFLOP/s");
    f.telemetry = read_telemetry(obj, p);
    f.sustained = read_sustained(obj, p);
    return f;
}

inline memory_figure read_memory(const json& obj, const std::string& p) {
    using b = envelope_json_bounds;
    memory_figure f;
    f.level = read_enum(obj, p, "level", true, parse_memory_level, memory_level::hbm);
    f.op = read_enum(obj, p, "op", true, parse_stream_op, stream_op::read);
    f.gbps = read_number(obj, p, "gbps", 0, b::max_gbps, "GB/s", true);
    f.working_set_bytes = read_uint(obj, p, "working_set_bytes", b::max_bytes, false);
    f.datasheet_gbps = read_number(obj, p, "datasheet_gbps", 0, b::max_gbps, "GB/s", false);
    f.method = read_string(obj, p, "method", false);
    f.scope = read_enum(obj, p, "scope", false, parse_memory_scope, memory_scope::roof);
    f.stats = read_optional_stats(obj, p, b::max_gbps, "GB/s");
    f.telemetry = read_telemetry(obj, p);
    return f;
}

inline launch_figure read_launch(const json& obj, const std::string& p) {
    using b = envelope_json_bounds;
    launch_figure f;
    f.mode = read_enum(obj, p, "mode", true, parse_launch_mode, launch_mode::async);
    f.us = read_number(obj, p, "us", 0, b::max_us, "us", true);
    f.method = read_string(obj, p, "method", false);
    f.stats = read_optional_stats(obj, p, b::max_us, "us");
    f.telemetry = read_telemetry(obj, p);
    return f;
}

/// Latency bounds: 1 s per load is far beyond any memory (host memory over a link is ~1 us).
struct latency_bounds {
    static constexpr double max_ns = 1e9;
    static constexpr double max_cycles = 1e12;
};

inline latency_figure read_latency(const json& obj, const std::string& p) {
    using b = envelope_json_bounds;
    using l = latency_bounds;
    latency_figure f;
    f.level = read_enum(obj, p, "level", true, parse_memory_level, memory_level::hbm);
    f.scope = read_string(obj, p, "scope", false);
    f.ns = read_number(obj, p, "ns", 0, l::max_ns, "ns", true);
    f.cycles = read_number(obj, p, "cycles", 0, l::max_cycles, "cycles", false);
    f.clock_mhz = read_number(obj, p, "clock_mhz", 0, b::max_mhz, "MHz", false);
    f.working_set_bytes = read_uint(obj, p, "working_set_bytes", b::max_bytes, false);
    f.stride_bytes = read_uint(obj, p, "stride_bytes", b::max_bytes, false);
    f.method = read_string(obj, p, "method", false);
    f.stats = read_optional_stats(obj, p, l::max_ns, "ns");
    f.cycle_stats = read_optional_stats(obj, p, l::max_cycles, "cycles", "cycle_stats");
    return f;
}

inline capacity_figure read_capacity(const json& obj, const std::string& p) {
    using b = envelope_json_bounds;
    capacity_figure f;
    f.level = read_enum(obj, p, "level", true, parse_memory_level, memory_level::l2);
    f.low_bytes = read_uint(obj, p, "low_bytes", b::max_bytes, true);
    f.high_bytes = read_uint(obj, p, "high_bytes", b::max_bytes, true);
    if (f.high_bytes < f.low_bytes)
        fail(pointer_append(p, "high_bytes"), "value " + std::to_string(f.high_bytes) +
                                                  " is below low_bytes " +
                                                  std::to_string(f.low_bytes));
    f.queried_bytes = read_uint(obj, p, "queried_bytes", b::max_bytes, false);
    f.method = read_string(obj, p, "method", false);
    return f;
}

inline failure read_failure(const json& obj, const std::string& p) {
    return failure{read_string(obj, p, "key", true), read_string(obj, p, "reason", true)};
}

/// Reads the list `key` of `obj`, each entry an object handed to `read_one(entry, pointer)`.
template <typename T, typename ReadOne>
void read_list(const json& obj, const std::string& p, const char* key, std::vector<T>& out,
               ReadOne read_one) {
    const json* list = read_container(obj, p, key, false, true);
    if (!list) return;
    const std::string lp = pointer_append(p, key);
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string ep = pointer_append(lp, i);
        if (!(*list)[i].is_object()) fail(ep, "expected an object, got " + describe((*list)[i]));
        out.push_back(read_one((*list)[i], ep));
    }
}

/// The seed-format part of a document, validated.
struct seed_block {
    std::string device;
    std::string timestamp;
    seed_figures figures;
    validation_summary validation;
};

inline seed_block read_seed(const json& doc) {
    using b = envelope_json_bounds;
    seed_block s;
    s.device = read_string(doc, "", "device", true);
    // null = unknown (a datasheet envelope has no calibration time)
    if (!is_null_field(doc, "calibration_timestamp"))
        s.timestamp = read_string(doc, "", "calibration_timestamp", true);
    const json& env = *read_container(doc, "", "envelope", true, false);
    const std::string ep = "/envelope";
    s.figures.fp16_tflops =
        read_number(env, ep, "compute_ceiling_fp16_tflops", 0, b::max_tflops, "TFLOP/s", false);
    s.figures.fp32_tflops =
        read_number(env, ep, "compute_ceiling_fp32_tflops", 0, b::max_tflops, "TFLOP/s", false);
    s.figures.hbm_gbps =
        read_number(env, ep, "memory_bandwidth_gbps", 0, b::max_gbps, "GB/s", false);
    s.figures.launch_us = read_number(env, ep, "launch_overhead_us", 0, b::max_us, "us", false);
    s.figures.l2_gbps = read_number(env, ep, "l2_bandwidth_gbps", 0, b::max_gbps, "GB/s", false);
    const json& val = *read_container(doc, "", "validation", true, false);
    s.validation.iterations =
        read_uint(val, "/validation", "iterations", std::numeric_limits<std::int64_t>::max(), true);
    s.validation.cov = read_number(val, "/validation", "cov", 0, b::max_cov, "", true);
    if (const json* src = find_field(val, "/validation", "source", false)) {
        if (!src->is_string() || (*src != "measured" && *src != "datasheet"))
            fail("/validation/source", "expected \"measured\" or \"datasheet\", got " + describe(*src));
    }
    s.validation.stable = read_bool(val, "/validation", "stable", true);
    return s;
}

/// Builds an envelope from a seed-format file (see the file comment for the mapping).
inline envelope envelope_from_seed(const seed_block& s) {
    envelope e;
    e.source = envelope_source::measured;
    e.aaco_version.clear();
    e.device.name = s.device;
    e.calibration_timestamp = s.timestamp;
    auto add_compute = [&](precision p, compute_unit u, double v) {
        if (std::isnan(v)) return;
        compute_figure f;
        f.prec = p;
        f.unit = u;
        f.tflops = v;
        e.compute.push_back(f);
    };
    auto add_memory = [&](memory_level l, double v) {
        if (std::isnan(v)) return;
        memory_figure f;
        f.level = l;
        f.op = stream_op::read;
        f.gbps = v;
        e.memory.push_back(f);
    };
    add_compute(precision::fp16, compute_unit::matrix, s.figures.fp16_tflops);
    add_compute(precision::fp32, compute_unit::vector, s.figures.fp32_tflops);
    add_memory(memory_level::hbm, s.figures.hbm_gbps);
    add_memory(memory_level::l2, s.figures.l2_gbps);
    if (!std::isnan(s.figures.launch_us)) {
        launch_figure f;
        f.mode = launch_mode::async;
        f.us = s.figures.launch_us;
        e.launch.push_back(f);
    }
    bool first = true;
    auto keep_validation = [&](sample_stats& st) {
        st.cov = s.validation.cov;
        st.stable = s.validation.stable;
        st.iterations = first ? s.validation.iterations : 0;
        first = false;
    };
    for (auto& f : e.compute) keep_validation(f.stats);
    for (auto& f : e.memory) keep_validation(f.stats);
    for (auto& f : e.launch) keep_validation(f.stats);
    return e;
}

inline bool same_number(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

/// The seed block of an aaco file is derived from the "aaco" object; a mismatch means one of
/// them was edited by hand, and silently preferring either would hide that.
inline void check_consistent(const seed_block& s, const envelope& e) {
    const auto fix = std::string(" (the seed block is derived from /aaco: edit both, or remove "
                                 "/aaco to use the seed figures alone)");
    if (s.device != e.device.name)
        fail("/device", "\"" + s.device + "\" differs from /aaco/device/name \"" + e.device.name +
                            "\"" + fix);
    const seed_figures d = seed_of(e);
    auto check = [&](const char* key, double file, double derived) {
        if (!same_number(file, derived))
            fail(std::string("/envelope/") + key,
                 format_number(file) + " differs from " + format_number(derived) +
                     " derived from /aaco" + fix);
    };
    check("compute_ceiling_fp16_tflops", s.figures.fp16_tflops, d.fp16_tflops);
    check("compute_ceiling_fp32_tflops", s.figures.fp32_tflops, d.fp32_tflops);
    check("memory_bandwidth_gbps", s.figures.hbm_gbps, d.hbm_gbps);
    check("launch_overhead_us", s.figures.launch_us, d.launch_us);
    check("l2_bandwidth_gbps", s.figures.l2_gbps, d.l2_gbps);
    const validation_summary v = e.validation();
    if (s.validation.iterations != v.iterations || !same_number(s.validation.cov, v.cov) ||
        s.validation.stable != v.stable)
        fail("/validation", "{iterations " + std::to_string(s.validation.iterations) + ", cov " +
                                format_number(s.validation.cov) + ", stable " +
                                (s.validation.stable ? "true" : "false") +
                                "} differs from the values derived from /aaco {iterations " +
                                std::to_string(v.iterations) + ", cov " + format_number(v.cov) +
                                ", stable " + (v.stable ? "true" : "false") + "}" + fix);
}

/// Checks /aaco/schema_version before anything else in /aaco, so that a file from a newer aaco
/// is reported as such rather than as whatever field it happens to have changed.
inline void check_schema_version(const json& ext) {
    const std::string p = "/aaco/schema_version";
    auto it = ext.find("schema_version");
    if (it == ext.end()) fail(p, "missing required field");
    if (!it->is_number_integer()) fail(p, "expected an integer, got " + describe(*it));
    const bool too_new = it->is_number_unsigned() &&
                         it->get<std::uint64_t>() > static_cast<std::uint64_t>(envelope_schema_version);
    if (too_new)
        fail(p, "file written by a newer aaco (schema_version " + it->dump() + "; this aaco " +
                    AACO_VERSION_STRING " reads schema_version " +
                    std::to_string(envelope_schema_version) + " and older)");
    if (it->get<std::int64_t>() < 1)
        fail(p, "schema_version " + it->dump() + " is invalid (versions start at 1)");
}

inline envelope read_extension(const json& ext, const seed_block& s) {
    using b = envelope_json_bounds;
    const std::string p = "/aaco";
    envelope e;
    e.source = read_enum(ext, p, "source", true, parse_source, envelope_source::measured);
    e.aaco_version = read_string(ext, p, "aaco_version", false);
    e.profile_key = read_string(ext, p, "profile_key", false);
    e.calibration_wall_seconds =
        read_number(ext, p, "calibration_wall_seconds", 0, b::max_seconds, "s", false, 0);
    e.calibration_timestamp = s.timestamp;
    if (const json* d = read_container(ext, p, "device", false, false))
        e.device = read_device(*d, "/aaco/device");
    else
        e.device.name = s.device;
    read_list(ext, p, "compute", e.compute, read_compute);
    read_list(ext, p, "memory", e.memory, read_memory);
    read_list(ext, p, "launch", e.launch, read_launch);
    read_list(ext, p, "latency", e.latency, read_latency);
    read_list(ext, p, "capacities", e.capacities, read_capacity);
    read_list(ext, p, "failures", e.failures, read_failure);
    e.telemetry_note = read_string(ext, p, "telemetry_note", false);
    return e;
}

/// The parser's own message, clipped (it may quote the input) and reduced to printable ASCII
/// (it may quote invalid UTF-8).
inline std::string parser_message(const char* what) {
    std::string m(what);
    if (m.size() > 300) m = m.substr(0, 300) + "...";
    for (char& c : m)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    return m;
}

/// Parses text into a json value, turning every parser complaint into a parse_error.
inline json parse_text(std::string_view text) {
    if (text.size() > envelope_json_limits::max_input_bytes)
        fail("", "input of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                     std::to_string(envelope_json_limits::max_input_bytes) + " bytes");
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        fail("", "empty input (expected a JSON object)");
    prescan(text);
    try {
        return json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        // nlohmann's byte counter is 1-based and points past the end when input ran out.
        if (e.byte > text.size())
            fail("", "truncated JSON: the input ends (after " + std::to_string(text.size()) +
                         " bytes) before the document is complete");
        fail("", "not valid JSON: " + parser_message(e.what()));
    } catch (const json::exception& e) {
        fail("", "not valid JSON: " + parser_message(e.what()));  // e.g. number overflow
    }
}

} // namespace io_detail

/// The envelope as a JSON value in the format described at the top of this file. Keys keep the
/// seed's order (an ordered_json converts implicitly to nlohmann::json if a caller needs one).
inline nlohmann::ordered_json to_json_value(const envelope& e) {
    using namespace io_detail;
    const seed_figures s = seed_of(e);
    const validation_summary v = e.validation();
    ordered_json j;
    const bool datasheet = e.source == envelope_source::datasheet;
    j["device"] = e.device.name;
    j["calibration_timestamp"] = string_or_null(e.calibration_timestamp);
    ordered_json& env = j["envelope"];
    env["compute_ceiling_fp16_tflops"] = number_or_null(s.fp16_tflops);
    env["compute_ceiling_fp32_tflops"] = number_or_null(s.fp32_tflops);
    env["memory_bandwidth_gbps"] = number_or_null(s.hbm_gbps);
    env["launch_overhead_us"] = number_or_null(s.launch_us);
    env["l2_bandwidth_gbps"] = number_or_null(s.l2_gbps);
    ordered_json& val = j["validation"];
    val["iterations"] = v.iterations;
    val["cov"] = number_or_null(v.cov);
    val["stable"] = v.stable;
    // The seed's three keys, and for a datasheet envelope a fourth saying nothing was measured.
    if (datasheet) val["source"] = std::string(to_string(e.source));
    ordered_json& ext = j["aaco"];
    ext["schema_version"] = envelope_schema_version;
    ext["aaco_version"] = e.aaco_version;
    ext["source"] = std::string(to_string(e.source));
    ext["profile_key"] = string_or_null(e.profile_key);
    ext["calibration_wall_seconds"] =
        datasheet ? ordered_json(nullptr) : number_or_null(e.calibration_wall_seconds);
    ext["telemetry_note"] = string_or_null(e.telemetry_note);
    ext["device"] = write_device(e.device);
    ext["compute"] = ordered_json::array();
    for (const auto& f : e.compute) ext["compute"].push_back(write_compute(f, datasheet));
    ext["memory"] = ordered_json::array();
    for (const auto& f : e.memory) ext["memory"].push_back(write_memory(f, datasheet));
    ext["launch"] = ordered_json::array();
    for (const auto& f : e.launch) ext["launch"].push_back(write_launch(f, datasheet));
    ext["latency"] = ordered_json::array();
    for (const auto& f : e.latency) ext["latency"].push_back(write_latency(f));
    ext["capacities"] = ordered_json::array();
    for (const auto& f : e.capacities) ext["capacities"].push_back(write_capacity(f));
    ext["failures"] = ordered_json::array();
    for (const auto& f : e.failures) ext["failures"].push_back({{"key", f.key}, {"reason", f.reason}});
    return j;
}

/// The envelope as JSON text; `indent` < 0 gives one line. Invalid UTF-8 in a string (a device
/// name from a broken driver) is replaced by U+FFFD rather than failing the write.
inline std::string to_json(const envelope& e, int indent = 2) {
    return to_json_value(e).dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

/// Reads an envelope from an already parsed JSON value (same rules as envelope_from_json,
/// except the input-size and literal checks that need the text).
inline envelope envelope_from_json_value(const nlohmann::json& doc) {
    using namespace io_detail;
    if (!doc.is_object())
        fail("", "expected a JSON object at the top level, got " + describe(doc));
    const auto ext = doc.find("aaco");
    if (ext != doc.end()) {
        if (!ext->is_object()) fail("/aaco", "expected an object, got " + describe(*ext));
        check_schema_version(*ext);
    }
    check_tree(doc, "", 0);
    const bool has_seed_key = doc.contains("device") || doc.contains("envelope") ||
                              doc.contains("calibration_timestamp") || doc.contains("validation");
    if (!has_seed_key && ext == doc.end())
        fail("", "not an aaco envelope: none of the keys \"device\", \"calibration_timestamp\", "
                 "\"envelope\", \"validation\" or \"aaco\" is present");
    const seed_block seed = read_seed(doc);
    if (ext == doc.end()) return envelope_from_seed(seed);
    envelope e = read_extension(*ext, seed);
    check_consistent(seed, e);
    return e;
}

/// Reads an envelope from JSON text: a full aaco file or a plain seed-format file. Throws
/// aaco::parse_error naming the problem and its place (JSON pointer or line/column).
inline envelope envelope_from_json(std::string_view text) {
    return envelope_from_json_value(io_detail::parse_text(text));
}

namespace io_detail {

/// What a file that is not a regular file is, for messages: "a FIFO", "a socket", ...
inline std::string file_kind(const std::filesystem::file_status& st) {
    namespace fs = std::filesystem;
    switch (st.type()) {
    case fs::file_type::regular: return "a regular file";
    case fs::file_type::directory: return "a directory";
    case fs::file_type::fifo: return "a FIFO";
    case fs::file_type::socket: return "a socket";
    case fs::file_type::block: return "a block device";
    case fs::file_type::character: return "a character device";
    case fs::file_type::symlink: return "a symbolic link";
    default: return "not a regular file";
    }
}

/// `path` with every symbolic link in its last component followed (a chain of at most 40, as
/// POSIX's SYMLOOP_MAX), also when the final target does not exist yet. A cache that is a link
/// (e.g. into a shared directory) is thus written through to its target instead of being
/// replaced by a regular file, which would leave the target stale.
inline std::filesystem::path resolve_symlinks(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    fs::path p = path;
    std::error_code ec;
    for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
        const fs::path to = fs::read_symlink(p, ec);
        if (ec) break;
        p = to.is_absolute() ? to : p.parent_path() / to;
    }
    return p;
}

} // namespace io_detail

/// Writes `e` to `path` atomically: the text goes to a temporary file in the same directory,
/// which is flushed, closed and then renamed over `path`. Readers see the old file or the new
/// one, never a torn one. When `path` is a symbolic link, the file it points to is the one
/// replaced (the link stays). (No fsync: that needs POSIX calls; durability across a power cut
/// is not promised.) Throws aaco::error naming the path and the reason; the temporary is
/// removed.
inline void save_envelope(const envelope& e, const std::string& path) {
    namespace fs = std::filesystem;
    const std::string text = to_json(e) + "\n";
    const fs::path target = io_detail::resolve_symlinks(path);
    // A unique sibling name: time + a process-wide counter + this frame's address.
    static std::atomic<unsigned long> counter{0};
    const auto stamp = static_cast<unsigned long long>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    std::ostringstream suffix;
    suffix << ".aaco-tmp-" << std::hex << stamp << '-' << counter.fetch_add(1) << '-'
           << reinterpret_cast<std::uintptr_t>(&suffix);
    fs::path temp = target;
    temp += suffix.str();
    std::error_code ec;
    auto give_up = [&](const std::string& why) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw error("cannot save envelope to '" + path + "': " + why);
    };
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) give_up("cannot create temporary file '" + temp.string() + "'");
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.flush();
        if (!out) give_up("write to temporary file '" + temp.string() + "' failed");
        out.close();
        if (out.fail()) give_up("closing temporary file '" + temp.string() + "' failed");
    }
    fs::rename(temp, target, ec);  // replaces an existing file (POSIX rename, MoveFileEx)
    if (ec) give_up("renaming '" + temp.string() + "' failed: " + ec.message());
}

/// Reads the envelope stored at `path`. Throws aaco::parse_error when the file is missing, is
/// not a regular readable file, exceeds the size limit, or does not parse; the message starts
/// with the path.
inline envelope load_envelope(const std::string& path) {
    namespace fs = std::filesystem;
    const std::string prefix = "cannot load envelope from '" + path + "': ";
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (!fs::exists(st)) throw parse_error(prefix + (ec ? ec.message() : "no such file"));
    if (fs::is_directory(st)) throw parse_error(prefix + "it is a directory");
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    if (!fs::is_regular_file(st))
        throw parse_error(prefix + "not a regular file (" + io_detail::file_kind(st) + ")");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw parse_error(prefix + "the file cannot be opened for reading");
    // Read at most one byte past the limit, so a huge file is refused without reading all of it.
    constexpr std::size_t limit = envelope_json_limits::max_input_bytes;
    std::string text;
    char buffer[1 << 16];
    while (text.size() <= limit && in.read(buffer, sizeof buffer).gcount() > 0)
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (in.bad()) throw parse_error(prefix + "read error");
    if (text.size() > limit)
        throw parse_error(prefix + "file is larger than the limit of " + std::to_string(limit) +
                          " bytes");
    try {
        return envelope_from_json(text);
    } catch (const parse_error& e) {
        throw parse_error(prefix + e.what());
    }
}

/// nlohmann ADL hooks, so `nlohmann::json j = env;` and `j.get<aaco::envelope>()` work.
inline void to_json(nlohmann::json& j, const envelope& e) { j = to_json_value(e); }
inline void from_json(const nlohmann::json& j, envelope& e) { e = envelope_from_json_value(j); }

AACO_PORTABLE_NAMESPACE_END
