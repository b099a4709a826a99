/// \file fleet/json.hpp
/// \brief The fleet JSON document (cohorts, verdicts, records): write it, and read its records
/// back (defensively).
///
///     { "aaco_fleet": { "schema_version": 2, "aaco_version": "0.1.0" },
///       "config":  { "k": 5, "min_percent": 5, "min_peers": 3 },
///       "summary": { "records": N, "ok": N, "failed": N, "cohorts": N, "outliers": N,
///                    "findings": N, "verdict": "PASS"|"WARN"|"FAIL" },
///       "split":   { "by": ["model", "driver", ...], "description": "2 cohorts (split by ...): ..." },
///       "cohorts": [ { "id", "description", "gpus", "judged", "ranks": [..],
///                      "key": { "model", "arch", "driver_version", "power_limit_w",
///                               "compute_units", "memory_bytes", "ecc" },
///                      "median_envelope": { "fp64_tflops": .., ..., "launch_us": .. },
///                      "ceilings": [ { "ceiling", "unit", "count", "median", "mad", "min",
///                                      "max", "threshold" } ] } ],
///       "verdicts": { "overall": "FAIL",
///                     "nodes": [ { "host", "verdict", "reason", "gpus", "figure", "unit",
///                                  "value", "cohort_median", "threshold", "detail" } ],
///                     "gpus": [ { "rank", "host", "device_id", "uuid", "device_name",
///                                 "verdict", "reason", "cohort" } ],
///                     "findings": [ { "rank", "host", "device_id", "uuid", "device_name",
///                                     "verdict", "reason", "figure", "unit", "value",
///                                     "cohort_median", "threshold", "shortfall_percent",
///                                     "remeasured", "confirmation", "cohort", "detail" } ] },
///       "failures": [ { "rank", "host", "local_rank", "device_id", "error" } ],
///       "records":  [ { "rank", "local_rank", "host", "device_id", "uuid", "device_name",
///                       "arch", "status": "ok"|"failed", "error", "driver_version",
///                       "compute_units", "memory_bytes", "power_limit_w", "ecc", "unstable",
///                       "fp64_tflops", ... } ] }
///
/// Units are in the field names, or in `unit` where one field holds several ceilings
/// ("tflops", "gbps", "us"); a value that is not known is `null` (a node that passes has a null
/// `figure`). The reason codes and verdicts are fleet/verdict.hpp's. Reading takes only
/// `aaco_fleet`, `config` and `records` (schema 1 files too: their records lack the cohort
/// fields, which read as unknown); everything derived is recomputed, never trusted. Input is
/// untrusted: size, depth, string lengths (a string must fit its record field) and the record
/// count are capped, and every value must be physically plausible.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/fleet/analysis.hpp>
#include <aaco/fleet/cohort.hpp>
#include <aaco/fleet/record.hpp>
#include <aaco/fleet/verdict.hpp>
#include <aaco/io/json.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace fleet {

/// Version of the fleet document. Bumped on any incompatible change.
/// 2: cohorts, verdicts and the cohort fields of each record.
inline constexpr int fleet_schema_version = 2;

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
    std::size_t min_peers = cohort_config{}.min_peers;
    std::vector<fleet_record> records;
    /// The cohort configuration of the document (config + min_peers).
    cohort_config cohorts() const { return cohort_config{config, min_peers}; }
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
    j["driver_version"] = io_detail::count_or_null(r.driver_version);
    j["compute_units"] = io_detail::count_or_null(r.compute_units);
    j["memory_bytes"] = io_detail::count_or_null(r.memory_bytes);
    j["power_limit_w"] = io_detail::number_or_null(r.power_limit_w);
    j["ecc"] = r.ecc < 0 ? ordered_json(nullptr) : ordered_json(r.ecc == 1);
    j["unstable"] = ordered_json::array();
    for (ceiling c : all_ceilings)
        if (r.is_unstable(c)) j["unstable"].push_back(str(to_string(c)));
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
    // Cohort fields (schema 2; absent or null = unknown).
    r.driver_version = io_detail::read_int(obj, p, "driver_version", 0, 1 << 30, false, 0);
    r.compute_units = io_detail::read_int(obj, p, "compute_units", 0, 1 << 20, false, 0);
    r.memory_bytes = io_detail::read_uint(obj, p, "memory_bytes", envelope_json_bounds::max_bytes, false, 0);
    r.power_limit_w = io_detail::read_number(obj, p, "power_limit_w", 0, 1e5, "W", false);
    if (const json* e = io_detail::find_field(obj, p, "ecc", false); e && !e->is_null()) {
        if (!e->is_boolean()) io_detail::fail(io_detail::pointer_append(p, "ecc"), "expected true, false or null");
        r.ecc = e->get<bool>() ? 1 : 0;
    }
    if (const json* u = io_detail::read_container(obj, p, "unstable", false, true))
        for (std::size_t i = 0; i < u->size(); ++i) {
            const std::string pi = io_detail::pointer_append(io_detail::pointer_append(p, "unstable"), i);
            if (!(*u)[i].is_string()) io_detail::fail(pi, "expected a ceiling name");
            try {
                r.set_unstable(parse_ceiling((*u)[i].get<std::string>()), true);
            } catch (const invalid_argument& ex) {
                io_detail::fail(pi, ex.what());
            }
        }
    return r;
}

inline outlier_config read_config(const json& doc) {
    outlier_config cfg;
    if (const json* c = io_detail::read_container(doc, "", "config", false, false)) {
        cfg.k = io_detail::read_number(*c, "/config", "k", 0, 1e9, "", false, cfg.k);
        cfg.min_percent =
            io_detail::read_number(*c, "/config", "min_percent", 0, 100, "%", false, cfg.min_percent);
        if (std::isnan(cfg.k) || std::isnan(cfg.min_percent))
            io_detail::fail("/config", "k and min_percent must be numbers");
        try {
            cfg.validate();
        } catch (const invalid_argument& e) {
            io_detail::fail("/config", e.what());
        }
    }
    return cfg;
}

} // namespace json_detail

namespace json_detail {

inline ordered_json write_cohort(const cohort& c, std::size_t id, const fleet_record* records) {
    using io_detail::number_or_null;
    ordered_json j;
    j["id"] = id;
    j["description"] = c.key.describe();
    j["gpus"] = c.members.size();
    j["judged"] = c.judged;
    j["ranks"] = ordered_json::array();
    for (std::size_t i : c.members) j["ranks"].push_back(records[i].rank);
    ordered_json& k = j["key"];
    k["model"] = c.key.model;
    k["arch"] = c.key.arch;
    k["driver_version"] = io_detail::count_or_null(c.key.driver_version);
    k["power_limit_w"] = number_or_null(c.key.power_limit_w);
    k["compute_units"] = io_detail::count_or_null(c.key.compute_units);
    k["memory_bytes"] = io_detail::count_or_null(c.key.memory_bytes);
    k["ecc"] = c.key.ecc < 0 ? ordered_json(nullptr) : ordered_json(c.key.ecc == 1);
    ordered_json& med = j["median_envelope"];
    med = ordered_json::object();
    for (ceiling cl : all_ceilings) med[field_name(cl)] = number_or_null(c.report.summary(cl).median);
    j["ceilings"] = ordered_json::array();
    for (const ceiling_summary& s : c.report.ceilings)
        if (s.count > 0) j["ceilings"].push_back(write_summary(s));
    return j;
}

/// The identity of a record: rank, host, device, UUID, name.
inline void write_identity(ordered_json& j, const fleet_record& r) {
    j["rank"] = r.rank;
    j["host"] = str(text_of(r.host));
    j["device_id"] = r.device_id;
    j["uuid"] = str(text_of(r.uuid));
    j["device_name"] = str(text_of(r.device_name));
}

inline ordered_json write_finding(const finding& f, const fleet_record& r) {
    using io_detail::number_or_null;
    ordered_json j;
    write_identity(j, r);
    j["verdict"] = str(to_string(f.level));
    j["reason"] = str(to_string(f.code));
    j["figure"] = f.has_figure ? ordered_json(str(to_string(f.figure))) : ordered_json(nullptr);
    j["unit"] = f.has_figure ? ordered_json(str(traits(f.figure).unit)) : ordered_json(nullptr);
    j["value"] = number_or_null(f.value);
    j["cohort_median"] = number_or_null(f.cohort_median);
    j["threshold"] = number_or_null(f.threshold);
    j["shortfall_percent"] = number_or_null(f.shortfall_percent);
    j["remeasured"] = number_or_null(f.remeasured);
    j["confirmation"] = io_detail::string_or_null(f.confirmation);
    j["cohort"] = f.cohort >= 0 ? ordered_json(f.cohort) : ordered_json(nullptr);
    j["detail"] = f.detail;
    return j;
}

inline ordered_json write_node(const node_verdict& n, const fleet_verdicts& v) {
    using io_detail::number_or_null;
    ordered_json j;
    j["host"] = n.host;
    j["verdict"] = str(to_string(n.level));
    j["reason"] = str(to_string(n.code));
    j["gpus"] = n.gpus;
    const finding* w = v.worst(n);
    const bool fig = w && w->has_figure;
    j["figure"] = fig ? ordered_json(str(to_string(w->figure))) : ordered_json(nullptr);
    j["unit"] = fig ? ordered_json(str(traits(w->figure).unit)) : ordered_json(nullptr);
    j["value"] = fig ? number_or_null(w->value) : ordered_json(nullptr);
    j["cohort_median"] = fig ? number_or_null(w->cohort_median) : ordered_json(nullptr);
    j["threshold"] = fig ? number_or_null(w->threshold) : ordered_json(nullptr);
    j["detail"] = w ? ordered_json(w->detail) : ordered_json(nullptr);
    return j;
}

} // namespace json_detail

/// The fleet document of `records` judged as `v` (see the top of this file).
inline nlohmann::ordered_json to_json_value(const fleet_record* records, std::size_t n, const fleet_verdicts& v) {
    using namespace json_detail;
    const cohort_report& rep = v.cohorts;
    ordered_json j;
    j["aaco_fleet"] = {{"schema_version", fleet_schema_version}, {"aaco_version", AACO_VERSION_STRING}};
    j["config"] = {{"k", rep.config.outliers.k},
                   {"min_percent", rep.config.outliers.min_percent},
                   {"min_peers", rep.config.min_peers}};
    j["summary"] = {{"records", rep.records}, {"ok", rep.records - rep.failed.size()},
                    {"failed", rep.failed.size()}, {"cohorts", rep.cohorts.size()},
                    {"outliers", v.outliers}, {"findings", v.findings.size()},
                    {"verdict", str(to_string(v.overall()))}};
    j["split"]["by"] = rep.split_by;
    j["split"]["description"] = rep.describe();
    j["cohorts"] = ordered_json::array();
    for (std::size_t c = 0; c < rep.cohorts.size(); ++c) j["cohorts"].push_back(write_cohort(rep.cohorts[c], c, records));
    ordered_json& verdicts = j["verdicts"];
    verdicts["overall"] = str(to_string(v.overall()));
    verdicts["nodes"] = ordered_json::array();
    for (const node_verdict& node : v.nodes) verdicts["nodes"].push_back(write_node(node, v));
    verdicts["gpus"] = ordered_json::array();
    for (std::size_t i = 0; i < n && i < v.gpu_levels.size(); ++i) {
        ordered_json g;
        write_identity(g, records[i]);
        g["verdict"] = str(to_string(v.gpu_levels[i]));
        g["reason"] = str(to_string(v.gpu_reasons[i]));
        g["cohort"] = v.gpu_cohorts[i] >= 0 ? ordered_json(v.gpu_cohorts[i]) : ordered_json(nullptr);
        verdicts["gpus"].push_back(g);
    }
    verdicts["findings"] = ordered_json::array();
    for (const finding& f : v.findings)
        if (f.record < n) verdicts["findings"].push_back(write_finding(f, records[f.record]));
    j["failures"] = ordered_json::array();
    for (std::size_t i : rep.failed) {
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
inline std::string to_json(const std::vector<fleet_record>& records, const fleet_verdicts& v, int indent = 2) {
    return to_json_value(records.data(), records.size(), v)
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
    if (const json* c = io_detail::read_container(doc, "", "config", false, false))
        out.min_peers = static_cast<std::size_t>(
            io_detail::read_int(*c, "/config", "min_peers", 2, 1 << 20, false, static_cast<int>(out.min_peers)));
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
