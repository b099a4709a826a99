/// \file fleet/node.hpp
/// \brief One node's calibration: the envelope of every GPU, a node summary (each GPU against
/// the node median) and the peer-to-peer bandwidth matrix. Host-only data and reports; the
/// measuring lives in probes/node.hpp and probes/peer.hpp.
///
/// Node JSON:
///
///     { "aaco_node": { "schema_version": 2, "aaco_version": "0.1.0", "host": "..." },
///       "verdict": { "verdict": "PASS"|"WARN"|"FAIL", "reason", "figure", "value",
///                    "cohort_median", "threshold", "detail" },
///       "devices": [ <envelope JSON (io/json.hpp)>, ... ],
///       "failures": [ { "device_id", "error" } ],
///       "summary": <fleet document of the node's GPUs, cohorts and verdicts (fleet/json.hpp)>,
///       "p2p": { "devices": [0, 1, ...], "bytes_per_copy": N, "copies_per_sample": N,
///                "pairs": [ { "src", "dst", "peer_access", "link", "hops",
///                             "unidirectional_gbps", "bidirectional_gbps",
///                             "unidirectional_stats", "bidirectional_stats", "error" } ] } }
#pragma once
#include <aaco/config.hpp>
#include <aaco/fleet/analysis.hpp>
#include <aaco/fleet/cohort.hpp>
#include <aaco/fleet/json.hpp>
#include <aaco/fleet/markdown.hpp>
#include <aaco/fleet/record.hpp>
#include <aaco/fleet/verdict.hpp>
#include <aaco/io/json.hpp>
#include <aaco/io/markdown.hpp>
#include <aaco/model/envelope.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace fleet {

/// Version of the node document. 2: the node verdict; the summary is a schema 2 fleet document.
inline constexpr int node_schema_version = 2;

/// One ordered pair (src -> dst) of the peer-to-peer matrix.
struct p2p_cell {
    int src = -1;
    int dst = -1;
    bool peer_access = false;   ///< src can access dst directly (NVLink / xGMI / PCIe P2P)
    std::string link;           ///< "xgmi", "pcie", "nvlink"... or "" when the runtime cannot tell
    int hops = -1;              ///< link hops where the runtime says, else -1
    /// src -> dst alone, GB/s (1e9 bytes/s); NaN when not measured.
    double unidirectional_gbps = std::numeric_limits<double>::quiet_NaN();
    /// src -> dst and dst -> src at once, bytes of both directions per second; NaN if not measured.
    double bidirectional_gbps = std::numeric_limits<double>::quiet_NaN();
    sample_stats unidirectional_stats{};
    sample_stats bidirectional_stats{};
    std::string error;          ///< why this pair was not measured, if it was attempted
};

/// The peer-to-peer bandwidth matrix of a node: cells of every ordered pair (src != dst).
struct p2p_matrix {
    std::vector<int> devices;
    std::uint64_t bytes_per_copy = 0;
    int copies_per_sample = 0;
    std::vector<p2p_cell> cells;

    const p2p_cell* find(int src, int dst) const {
        for (const p2p_cell& c : cells)
            if (c.src == src && c.dst == dst) return &c;
        return nullptr;
    }
};

/// The calibration of every GPU of one node.
struct node_report {
    std::string host;
    std::vector<envelope> devices;        ///< one per device that calibrated
    std::vector<failure> failures;        ///< key "device.N": a device that could not be calibrated
    p2p_matrix p2p;                       ///< empty with fewer than 2 devices
};

/// The node's GPUs as fleet records (rank = position), failed devices ("device.N") included.
inline std::vector<fleet_record> node_records(const node_report& node) {
    std::vector<fleet_record> out;
    int i = 0;
    for (const envelope& e : node.devices) out.push_back(make_record(e, node.host, i++, -1));
    for (const failure& f : node.failures) {
        if (f.key.rfind("device.", 0) != 0) continue;  // e.g. "p2p": not a device
        int id = -1;
        try {
            id = std::stoi(f.key.substr(7));
        } catch (const std::exception&) {
            id = -1;
        }
        out.push_back(make_failed_record(node.host, i++, -1, id, f.reason));
    }
    return out;
}

namespace node_detail {

inline nlohmann::ordered_json write_p2p(const p2p_matrix& m) {
    using io_detail::number_or_null;
    nlohmann::ordered_json j;
    j["devices"] = m.devices;
    j["bytes_per_copy"] = m.bytes_per_copy;
    j["copies_per_sample"] = m.copies_per_sample;
    j["pairs"] = nlohmann::ordered_json::array();
    for (const p2p_cell& c : m.cells) {
        nlohmann::ordered_json p;
        p["src"] = c.src;
        p["dst"] = c.dst;
        p["peer_access"] = c.peer_access;
        p["link"] = c.link;
        p["hops"] = c.hops;
        p["unidirectional_gbps"] = number_or_null(c.unidirectional_gbps);
        p["bidirectional_gbps"] = number_or_null(c.bidirectional_gbps);
        p["unidirectional_stats"] = io_detail::write_stats(c.unidirectional_stats);
        p["bidirectional_stats"] = io_detail::write_stats(c.bidirectional_stats);
        p["error"] = c.error;
        j["pairs"].push_back(std::move(p));
    }
    return j;
}

} // namespace node_detail

/// The verdicts of a node's GPUs, judged within their cohorts (a node may hold two models)
/// without re-measurement. A caller that measured the node passes its own (judge_fleet() with a
/// re-measure hook) to the functions below instead.
inline fleet_verdicts node_verdicts(const node_report& node, const cohort_config& config = {}) {
    return judge_fleet(node_records(node), config);
}

/// The node document (see the top of this file). `verdicts`: judged by the caller (with
/// re-measurement), or nullptr to judge here without it.
inline nlohmann::ordered_json to_json_value(const node_report& node, const cohort_config& config = {},
                                            const fleet_verdicts* verdicts = nullptr) {
    const std::vector<fleet_record> records = node_records(node);
    const fleet_verdicts local = verdicts ? fleet_verdicts{} : judge_fleet(records, config);
    const fleet_verdicts& v = verdicts ? *verdicts : local;
    nlohmann::ordered_json j;
    j["aaco_node"] = {{"schema_version", node_schema_version}, {"aaco_version", AACO_VERSION_STRING},
                      {"host", node.host}};
    nlohmann::ordered_json summary = to_json_value(records.data(), records.size(), v);
    j["verdict"] = v.nodes.empty() ? nlohmann::ordered_json{{"verdict", "PASS"}, {"reason", "ok"}}
                                   : summary["verdicts"]["nodes"][0];
    j["verdict"].erase("host");
    j["devices"] = nlohmann::ordered_json::array();
    for (const envelope& e : node.devices) j["devices"].push_back(::aaco::to_json_value(e));
    j["failures"] = nlohmann::ordered_json::array();
    for (const failure& f : node.failures) j["failures"].push_back({{"device", f.key}, {"error", f.reason}});
    j["summary"] = std::move(summary);
    j["p2p"] = node_detail::write_p2p(node.p2p);
    return j;
}

inline std::string to_json(const node_report& node, const cohort_config& config = {},
                           const fleet_verdicts* verdicts = nullptr, int indent = 2) {
    return to_json_value(node, config, verdicts)
        .dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

/// The node summary: the node's verdict, then one row per GPU (id, name, UUID, verdict) and per
/// key ceiling the figure with its deviation from its cohort's median; "(!)" marks a figure
/// flagged below its cohort, "(?)" one that was short but not confirmed.
inline std::string node_summary_markdown(const node_report& node, const cohort_config& config = {},
                                         const fleet_verdicts* verdicts = nullptr) {
    using md_detail::num;
    const std::vector<fleet_record> records = node_records(node);
    const fleet_verdicts local = verdicts ? fleet_verdicts{} : judge_fleet(records, config);
    const fleet_verdicts& v = verdicts ? *verdicts : local;
    const cohort_report& rep = v.cohorts;
    std::string out = "# Node summary" + (node.host.empty() ? std::string() : ": " + md_detail::escape(node.host)) +
                      "\n\n" + std::to_string(rep.records - rep.failed.size()) + " GPUs calibrated, " +
                      std::to_string(rep.failed.size()) + " failed. Verdict: **" + std::string(to_string(v.overall())) +
                      "**";
    if (!v.nodes.empty() && v.worst(v.nodes.front()))
        out += " (" + std::string(to_string(v.nodes.front().code)) + ": " +
               md_detail::escape(v.worst(v.nodes.front())->detail) + ")";
    out += ". " + md_detail::escape(rep.describe()) + ". Each figure: value (deviation from its cohort's median); "
           "(!) = short of it by more than max(" + num(rep.config.outliers.k) + " x MAD, " +
           num(rep.config.outliers.min_percent) + "%), (?) = short at first, not confirmed.\n\n";
    std::vector<ceiling> shown;
    for (ceiling c : all_ceilings) {
        bool any = false;
        for (const cohort& co : rep.cohorts) any = any || co.report.summary(c).count > 0;
        if (any) shown.push_back(c);
    }
    std::string head = "| device | name | UUID | verdict |";
    std::string rule = "|---|---|---|---|";
    for (ceiling c : shown) {
        head += " " + field_name(c) + " |";
        rule += "---:|";
    }
    out += head + "\n" + rule + "\n";
    for (std::size_t i = 0; i < records.size(); ++i) {
        const fleet_record& r = records[i];
        std::string line = "| " + std::to_string(r.device_id) + " | " + md::cell(text_of(r.device_name)) + " | " +
                           md::cell(text_of(r.uuid)) + " | " + std::string(to_string(v.gpu_levels[i])) + " |";
        const cohort* co = v.gpu_cohorts[i] >= 0 ? &rep.cohorts[static_cast<std::size_t>(v.gpu_cohorts[i])] : nullptr;
        for (ceiling c : shown) {
            if (!r.ok() || !co) {
                line += " failed |";
                continue;
            }
            std::string mark;
            for (const finding& f : v.findings)
                if (f.record == i && f.has_figure && f.figure == c)
                    mark = f.code == reason::below_cohort ? " (!)" : f.code == reason::not_confirmed ? " (?)" : mark;
            line += " " + num(r.value(c)) + " (" + md::deviation(r.value(c), co->report.summary(c).median) + ")" +
                    mark + " |";
        }
        out += line + "\n";
    }
    for (std::size_t c = 0; c < rep.cohorts.size(); ++c) {
        std::string median_line = "| median" + (rep.cohorts.size() > 1 ? " (cohort " + std::to_string(c) + ")" : std::string()) +
                                  " | | | |";
        for (ceiling cl : shown) median_line += " " + num(rep.cohorts[c].report.summary(cl).median) + " |";
        out += median_line + "\n";
    }
    for (const failure& f : node.failures)
        out += "\n" + md_detail::escape(f.key) + " failed: " + md_detail::escape(f.reason) + "\n";
    return out;
}

/// The P2P matrices: unidirectional and bidirectional GB/s, rows = source, columns = destination.
/// "-" on the diagonal, "no peer" where the pair has no peer access, "failed" where it had but
/// the copy failed.
inline std::string p2p_markdown(const p2p_matrix& m) {
    auto table = [&](const char* title, double p2p_cell::*field) {
        std::string out = std::string("## ") + title + "\n\n| src \\ dst |";
        std::string rule = "|---|";
        for (int d : m.devices) {
            out += " " + std::to_string(d) + " |";
            rule += "---:|";
        }
        out += "\n" + rule + "\n";
        for (int s : m.devices) {
            out += "| " + std::to_string(s) + " |";
            for (int d : m.devices) {
                const p2p_cell* c = m.find(s, d);
                std::string v = "-";
                if (s != d) {
                    if (!c || !c->peer_access)
                        v = "no peer";
                    else if (std::isfinite(c->*field))
                        v = md_detail::fixed(c->*field, 1);
                    else
                        v = "failed";
                }
                out += " " + v + " |";
            }
            out += "\n";
        }
        return out + "\n";
    };
    std::string out = "# Peer-to-peer bandwidth (GB/s)\n\n";
    if (m.devices.size() < 2) return out + "Fewer than 2 devices: nothing to measure.\n";
    out += table("Unidirectional (src -> dst)", &p2p_cell::unidirectional_gbps);
    out += table("Bidirectional (src <-> dst, both directions summed)", &p2p_cell::bidirectional_gbps);
    bool any_link = false;
    for (const p2p_cell& c : m.cells) any_link = any_link || !c.link.empty();
    if (any_link) {
        out += "Links:";
        for (const p2p_cell& c : m.cells)
            if (c.src < c.dst && !c.link.empty())
                out += " " + std::to_string(c.src) + "-" + std::to_string(c.dst) + " " +
                       md_detail::escape(c.link) + (c.hops >= 0 ? " (" + std::to_string(c.hops) + " hops)" : "") + ";";
        out += "\n\n";
    }
    for (const p2p_cell& c : m.cells)
        if (!c.error.empty())
            out += std::to_string(c.src) + " -> " + std::to_string(c.dst) + ": " + md_detail::escape(c.error) + "\n";
    return out;
}

} // namespace fleet
AACO_PORTABLE_NAMESPACE_END
