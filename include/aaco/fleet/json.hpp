/// \file fleet/json.hpp
/// \brief The fleet JSON document: write it, and read its records back (defensively).
///
///     { "aaco_fleet": { "schema_version": 1, "aaco_version": "0.1.0" },
///       "config":  { "k": 5, "min_percent": 5 },
///       "summary": { "records": N, "ok": N, "failed": N, "outliers": N },
///       "median_envelope": { "fp64_tflops": .., ..., "launch_us": .. },
///       "ceilings": [ { "ceiling", "unit", "count", "median", "mad", "min", "max", "threshold" } ],
///       "outliers": [ { "rank", "host", "device_id", "uuid", "device_name", "ceiling", "unit",
///                       "value", "median", "threshold", "shortfall_percent" } ],
///       "failures": [ { "rank", "host", "local_rank", "device_id", "error" } ],
///       "records":  [ { "rank", "local_rank", "host", "device_id", "uuid", "device_name",
///                       "arch", "status": "ok"|"failed", "error", "fp64_tflops", ... } ] }
///
/// Units are in the field names; a ceiling that was not measured is `null`. Reading takes only
/// `aaco_fleet`, `config` and `records`; everything derived is recomputed by analyze(), never
/// trusted. Input is untrusted: size, depth, string lengths (a string must fit its record
/// field) and the record count are capped, and every value must be physically plausible.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/fleet/analysis.hpp>
#include <aaco/fleet/record.hpp>
#include <aaco/io/json.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace fleet {

/// Version of the fleet document. Bumped on any incompatible change.
inline constexpr int fleet_schema_version = 1;

/// Caps on an untrusted fleet document.
struct fleet_json_limits {
    /// Untuned: a record is ~600 bytes of JSON, so 1 GiB holds well over a million GPUs.
    static constexpr std::size_t max_input_bytes = std::size_t{1} << 30;
    /// Untuned: chosen as 100x the 10,000-rank scale the issue asks for.
    static constexpr std::size_t max_records = 1000000;
};

/// What a fleet document holds that is not derived: the outlier rule and the records.
struct fleet_document {
    outlier_config config;
    std::vector<fleet_record> records;
};

namespace json_detail {

using ordered_json = nlohmann::ordered_json;
using json = nlohmann::json;

/// Upper plausibility bound of a ceiling's unit (the envelope reader's bounds).
inline double max_value(ceiling c) {
    using b = envelope_json_bounds;
    const std::string_view u = traits(c).unit;
    return u == "tflops" ? b::max_tflops : u == "gbps" ? b::max_gbps : b::max_us;
}

inline std::string str(std::string_view s) { return std::string(s); }

inline ordered_json write_record(const fleet_record& r) {
    ordered_json j;
    j["rank"] = r.rank;
    j["local_rank"] = r.local_rank;
    j["host"] = str(text_of(r.host));
    j["device_id"] = r.device_id;
    j["uuid"] = str(text_of(r.uuid));
    j["device_name"] = str(text_of(r.device_name));
    j["arch"] = str(text_of(r.arch));
    j["status"] = r.ok() ? "ok" : "failed";
    j["error"] = str(text_of(r.error));
    for (ceiling c : all_ceilings) j[field_name(c)] = io_detail::number_or_null(r.value(c));
    return j;
}

inline ordered_json write_summary(const ceiling_summary& s) {
    using io_detail::number_or_null;
    ordered_json j;
    j["ceiling"] = str(to_string(s.which));
    j["unit"] = str(traits(s.which).unit);
    j["count"] = s.count;
    j["median"] = number_or_null(s.median);
    j["mad"] = number_or_null(s.mad);
    j["min"] = number_or_null(s.min);
    j["max"] = number_or_null(s.max);
    j["threshold"] = number_or_null(s.threshold);
    return j;
}

/// Reads a string that must fit the record field `dst` (N-1 bytes).
template <std::size_t N>
void read_text(const json& obj, const std::string& p, const char* key, char (&dst)[N]) {
    const std::string s = io_detail::read_string(obj, p, key, false);
    if (s.size() > N - 1)
        io_detail::fail(io_detail::pointer_append(p, key),
                        "string of " + std::to_string(s.size()) + " bytes exceeds the " +
                            std::to_string(N - 1) + " bytes of the record field");
    set_text(dst, s);
}

inline record_status parse_status(std::string_view s) {
    if (s == "ok") return record_status::ok;
    if (s == "failed") return record_status::failed;
    throw invalid_argument("unknown record status '" + std::string(s) + "' (known: ok, failed)");
}

inline fleet_record read_record(const json& obj, const std::string& p) {
    using io_detail::fail;
    if (!obj.is_object()) fail(p, "expected an object, got " + io_detail::describe(obj));
    constexpr int max_rank = 1 << 30;
    fleet_record r;
    r.rank = io_detail::read_int(obj, p, "rank", -1, max_rank, true);
    r.local_rank = io_detail::read_int(obj, p, "local_rank", -1, max_rank, false, -1);
    r.device_id = io_detail::read_int(obj, p, "device_id", -1, 1000000, false, -1);
    r.status = io_detail::read_enum(obj, p, "status", true, parse_status, record_status::failed);
    read_text(obj, p, "host", r.host);
    read_text(obj, p, "uuid", r.uuid);
    read_text(obj, p, "device_name", r.device_name);
    read_text(obj, p, "arch", r.arch);
    read_text(obj, p, "error", r.error);
    for (ceiling c : all_ceilings) {
        const std::string key = field_name(c);
        r.set(c, io_detail::read_number(obj, p, key.c_str(), 0, max_value(c),
                                        str(traits(c).unit).c_str(), false));
    }
    return r;
}

inline outlier_config read_config(const json& doc) {
    outlier_config cfg;
    if (const json* c = io_detail::read_container(doc, "", "config", false, false)) {
        cfg.k = io_detail::read_number(*c, "/config", "k", 0, 1e9, "", false, cfg.k);
        cfg.min_percent =
            io_detail::read_number(*c, "/config", "min_percent", 0, 100, "%", false, cfg.min_percent);
        try {
            cfg.validate();
        } catch (const invalid_argument& e) {
            io_detail::fail("/config", e.what());
        }
    }
    return cfg;
}

} // namespace json_detail

/// The fleet document of `records` analysed as `rep`.
inline nlohmann::ordered_json to_json_value(const fleet_record* records, std::size_t n,
                                            const fleet_report& rep) {
    using namespace json_detail;
    using io_detail::number_or_null;
    ordered_json j;
    j["aaco_fleet"] = {{"schema_version", fleet_schema_version}, {"aaco_version", AACO_VERSION_STRING}};
    j["config"] = {{"k", rep.config.k}, {"min_percent", rep.config.min_percent}};
    j["summary"] = {{"records", rep.records}, {"ok", rep.ok}, {"failed", rep.failed},
                    {"outliers", rep.outliers.size()}};
    ordered_json& med = j["median_envelope"];
    med = ordered_json::object();
    for (ceiling c : all_ceilings) med[field_name(c)] = number_or_null(rep.summary(c).median);
    j["ceilings"] = ordered_json::array();
    for (const ceiling_summary& s : rep.ceilings) j["ceilings"].push_back(write_summary(s));
    j["outliers"] = ordered_json::array();
    for (const outlier& o : rep.outliers) {
        if (o.index >= n) continue;  // a report of other records: nothing to name
        const fleet_record& r = records[o.index];
        j["outliers"].push_back({{"rank", r.rank},
                                 {"host", str(text_of(r.host))},
                                 {"device_id", r.device_id},
                                 {"uuid", str(text_of(r.uuid))},
                                 {"device_name", str(text_of(r.device_name))},
                                 {"ceiling", str(to_string(o.which))},
                                 {"unit", str(traits(o.which).unit)},
                                 {"value", number_or_null(o.value)},
                                 {"median", number_or_null(o.median)},
                                 {"threshold", number_or_null(o.threshold)},
                                 {"shortfall_percent", number_or_null(o.shortfall_percent)}});
    }
    j["failures"] = ordered_json::array();
    for (std::size_t i : rep.failed_indices) {
        if (i >= n) continue;
        const fleet_record& r = records[i];
        j["failures"].push_back({{"rank", r.rank},
                                 {"host", str(text_of(r.host))},
                                 {"local_rank", r.local_rank},
                                 {"device_id", r.device_id},
                                 {"error", str(text_of(r.error))}});
    }
    j["records"] = ordered_json::array();
    for (std::size_t i = 0; i < n; ++i) j["records"].push_back(write_record(records[i]));
    return j;
}

/// The fleet document as text; `indent` < 0 gives one line. Invalid UTF-8 becomes U+FFFD.
inline std::string to_json(const std::vector<fleet_record>& records, const fleet_report& rep,
                           int indent = 2) {
    return to_json_value(records.data(), records.size(), rep)
        .dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

/// Reads a fleet document's config and records. Throws aaco::parse_error naming the problem
/// and its JSON pointer (e.g. `/records/3/hbm_gbps`).
inline fleet_document fleet_from_json(std::string_view text) {
    using namespace json_detail;
    using io_detail::fail;
    if (text.size() > fleet_json_limits::max_input_bytes)
        fail("", "input of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                     std::to_string(fleet_json_limits::max_input_bytes) + " bytes");
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        fail("", "empty input (expected a JSON object)");
    io_detail::prescan(text);  // depth, NaN literals, numeral length
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        // nlohmann's byte counter is 1-based and points past the end when input ran out.
        if (e.byte > text.size())
            fail("", "truncated JSON: the input ends (after " + std::to_string(text.size()) +
                         " bytes) before the document is complete");
        fail("", std::string("not valid JSON: ") + io_detail::parser_message(e.what()));
    } catch (const json::exception& e) {
        fail("", std::string("not valid JSON: ") + io_detail::parser_message(e.what()));
    }
    if (!doc.is_object()) fail("", "expected a JSON object, got " + io_detail::describe(doc));
    io_detail::check_tree(doc, "", 0);
    const json* head = io_detail::read_container(doc, "", "aaco_fleet", true, false);
    const int version = io_detail::read_int(*head, "/aaco_fleet", "schema_version", 1, 1 << 20, true);
    if (version > fleet_schema_version)
        fail("/aaco_fleet/schema_version",
             "schema_version " + std::to_string(version) + " is newer than this aaco reads (" +
                 std::to_string(fleet_schema_version) + ")");
    fleet_document out;
    out.config = read_config(doc);
    const auto it = doc.find("records");
    if (it == doc.end()) fail("/records", "missing required field");
    if (!it->is_array()) fail("/records", "expected an array, got " + io_detail::describe(*it));
    if (it->size() > fleet_json_limits::max_records)
        fail("/records", "list of " + std::to_string(it->size()) + " records exceeds the limit of " +
                             std::to_string(fleet_json_limits::max_records));
    out.records.reserve(it->size());
    for (std::size_t i = 0; i < it->size(); ++i)
        out.records.push_back(read_record((*it)[i], io_detail::pointer_append("/records", i)));
    return out;
}

} // namespace fleet
AACO_PORTABLE_NAMESPACE_END
