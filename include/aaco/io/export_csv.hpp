/// \file export_csv.hpp
/// \brief The envelope as one CSV table, one row per figure with its statistics and telemetry,
/// for spreadsheets and pandas (`pandas.read_csv("envelope.csv")`).
///
/// RFC 4180 (comma separator, "" inside quoted fields, LF line ends), numbers in the "C" locale.
/// Rows, in this order: every compute figure (`figure` = "compute.fp16.matrix"), its sustained
/// figure where one was measured ("compute.fp16.matrix.sustained"), every memory figure
/// ("memory.hbm.read"), launch floor ("launch.device"), latency ("latency.l2.near") and capacity
/// ("capacity.l2"). `value` is in `value_unit` (TFLOP/s, TOP/s, GB/s, us, ns, bytes); a capacity's
/// `value` and `value_high` are the two ends of its knee. An empty cell is unknown or not
/// measured (a datasheet figure has empty statistics): nothing is filled in. The columns are
/// csv_columns, in that order, always all of them.
#pragma once
#include <aaco/config.hpp>
#include <aaco/io/csv.hpp>
#include <aaco/io/export_detail.hpp>
#include <aaco/model/envelope.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// The header of to_csv(), in order.
inline constexpr std::array<std::string_view, 48> csv_columns = {{
    "figure", "kind", "precision", "unit", "level", "op", "scope", "mode",
    "value", "value_high", "value_unit", "operands", "operand_distribution",
    "samples", "median", "min", "max", "mean", "stdev", "cov", "iqr", "p2_5", "p97_5",
    "median_ci_low", "median_ci_high", "stable", "measured_seconds", "iterations",
    "clock_mhz", "clock_adjusted_efficiency", "datasheet_value", "working_set_bytes", "method",
    "telemetry_source", "telemetry_readings", "power_mean_w", "power_max_w", "power_limit_w",
    "power_limited", "temperature_max_c", "sm_clock_mean_mhz", "sm_clock_min_mhz",
    "throttle_reasons", "device", "gpu", "uuid", "source", "calibration_timestamp",
}};

namespace csv_export_detail {

/// One row as column -> cell; to_csv() lays it out in csv_columns order.
using row_cells = std::map<std::string_view, std::string>;

inline std::string num(double v) { return std::isfinite(v) ? export_detail::number(v) : std::string(); }

inline void put_stats(row_cells& r, const sample_stats& s) {
    if (!s.measured()) return;
    r["samples"] = std::to_string(s.samples);
    r["median"] = num(s.median);
    r["min"] = num(s.min);
    r["max"] = num(s.max);
    r["mean"] = num(s.mean);
    r["stdev"] = num(s.stdev);
    r["cov"] = num(s.cov);
    r["iqr"] = num(s.iqr);
    r["measured_seconds"] = num(s.measured_seconds);
    r["iterations"] = std::to_string(s.iterations);
    r["stable"] = s.stable ? "true" : "false";
    r["p2_5"] = num(s.p2_5);
    r["p97_5"] = num(s.p97_5);
    r["median_ci_low"] = num(s.median_ci_low);
    r["median_ci_high"] = num(s.median_ci_high);
}

inline void put_telemetry(row_cells& r, const telemetry_summary& t) {
    if (!t.available()) return;
    r["telemetry_source"] = t.source;
    r["telemetry_readings"] = std::to_string(t.readings);
    r["power_mean_w"] = num(t.power_mean_w);
    r["power_max_w"] = num(t.power_max_w);
    r["power_limit_w"] = num(t.power_limit_w);
    if (const auto limited = t.power_limited()) r["power_limited"] = *limited ? "true" : "false";
    r["temperature_max_c"] = num(t.temperature_max_c);
    r["sm_clock_mean_mhz"] = num(t.sm_clock_mean_mhz);
    r["sm_clock_min_mhz"] = num(t.sm_clock_min_mhz);
    std::string reasons;
    for (const std::string& x : t.throttle_reasons) reasons += (reasons.empty() ? "" : ";") + x;
    r["throttle_reasons"] = reasons;
}

inline row_cells device_cells(const envelope& e) {
    row_cells r;
    r["device"] = e.device.name;
    if (e.device.id >= 0) r["gpu"] = std::to_string(e.device.id);
    r["uuid"] = e.device.uuid;
    r["source"] = std::string(to_string(e.source));
    r["calibration_timestamp"] = e.calibration_timestamp;
    return r;
}

inline void compute_rows(std::vector<row_cells>& rows, const envelope& e) {
    for (const compute_figure& f : e.compute) {
        row_cells r = device_cells(e);
        r["figure"] = export_detail::figure_key(f);
        r["kind"] = "compute";
        r["precision"] = std::string(to_string(f.prec));
        r["unit"] = std::string(to_string(f.unit));
        r["value"] = num(f.tflops);
        r["value_unit"] = traits(f.prec).is_integer ? "TOP/s" : "TFLOP/s";
        if (e.source == envelope_source::measured) r["operands"] = std::string(to_string(f.operands));
        r["operand_distribution"] = f.operand_distribution;
        r["clock_mhz"] = num(f.clock_mhz);
        if (f.clock_adjusted_efficiency.measured())
            r["clock_adjusted_efficiency"] = num(f.clock_adjusted_efficiency.median);
        r["datasheet_value"] = num(f.datasheet_tflops);
        r["method"] = f.instruction;
        put_stats(r, f.stats);
        put_telemetry(r, f.telemetry);
        rows.push_back(r);
        if (!f.sustained) continue;
        row_cells s = r;
        for (std::string_view k : csv_columns)
            if (k != "figure" && k != "kind" && k != "precision" && k != "unit" && k != "value_unit" &&
                k != "operands" && k != "operand_distribution" && k != "method" && k != "device" &&
                k != "gpu" && k != "uuid" && k != "source" && k != "calibration_timestamp")
                s.erase(k);
        s["figure"] = r["figure"] + ".sustained";
        s["kind"] = "compute_sustained";
        s["value"] = num(f.sustained->tflops);
        s["measured_seconds"] = num(f.sustained->seconds);
        s["clock_mhz"] = num(f.sustained->clock_mhz);
        if (f.sustained->efficiency.measured())
            s["clock_adjusted_efficiency"] = num(f.sustained->efficiency.median);
        put_stats(s, f.sustained->stats);
        put_telemetry(s, f.sustained->telemetry);
        rows.push_back(s);
    }
}

inline void other_rows(std::vector<row_cells>& rows, const envelope& e) {
    for (const memory_figure& f : e.memory) {
        row_cells r = device_cells(e);
        r["figure"] = export_detail::figure_key(f);
        r["kind"] = "memory";
        r["level"] = std::string(to_string(f.level));
        r["op"] = std::string(to_string(f.op));
        r["scope"] = std::string(to_string(f.scope));
        r["value"] = num(f.gbps);
        r["value_unit"] = "GB/s";
        r["datasheet_value"] = num(f.datasheet_gbps);
        if (f.working_set_bytes > 0) r["working_set_bytes"] = std::to_string(f.working_set_bytes);
        r["method"] = f.method;
        put_stats(r, f.stats);
        put_telemetry(r, f.telemetry);
        rows.push_back(r);
    }
    for (const launch_figure& f : e.launch) {
        row_cells r = device_cells(e);
        r["figure"] = export_detail::figure_key(f);
        r["kind"] = "launch";
        r["mode"] = std::string(to_string(f.mode));
        r["value"] = num(f.us);
        r["value_unit"] = "us";
        r["method"] = f.method;
        put_stats(r, f.stats);
        put_telemetry(r, f.telemetry);
        rows.push_back(r);
    }
    for (const latency_figure& f : e.latency) {
        row_cells r = device_cells(e);
        r["figure"] = export_detail::figure_key(f);
        r["kind"] = "latency";
        r["level"] = std::string(to_string(f.level));
        r["scope"] = f.scope;
        r["value"] = num(f.ns);
        r["value_unit"] = "ns";
        r["clock_mhz"] = num(f.clock_mhz);
        if (f.working_set_bytes > 0) r["working_set_bytes"] = std::to_string(f.working_set_bytes);
        r["method"] = f.method;
        put_stats(r, f.stats);
        rows.push_back(r);
    }
    for (const capacity_figure& f : e.capacities) {
        row_cells r = device_cells(e);
        r["figure"] = "capacity." + std::string(to_string(f.level));
        r["kind"] = "capacity";
        r["level"] = std::string(to_string(f.level));
        if (f.low_bytes > 0) r["value"] = std::to_string(f.low_bytes);
        if (f.high_bytes > 0) r["value_high"] = std::to_string(f.high_bytes);
        r["value_unit"] = "bytes";
        r["method"] = f.method;
        rows.push_back(r);
    }
}

} // namespace csv_export_detail

/// The envelope as CSV (see the file comment). An envelope without figures gives the header only.
inline std::string to_csv(const envelope& e) {
    using namespace csv_export_detail;
    std::vector<row_cells> rows;
    compute_rows(rows, e);
    other_rows(rows, e);
    std::vector<std::string> header(csv_columns.begin(), csv_columns.end());
    std::string out = csv::row(header);
    for (const row_cells& r : rows) {
        std::vector<std::string> cells;
        cells.reserve(csv_columns.size());
        for (std::string_view c : csv_columns) {
            const auto it = r.find(c);
            cells.push_back(it == r.end() ? std::string() : it->second);
        }
        out += csv::row(cells);
    }
    return out;
}

AACO_PORTABLE_NAMESPACE_END
