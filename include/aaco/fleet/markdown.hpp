/// \file fleet/markdown.hpp
/// \brief The fleet report as markdown: the verdict of every node (with the reason code and the
/// figure, value, cohort median and threshold behind it), every finding, how the fleet was split
/// into cohorts and each cohort's median envelope, and the failed ranks. Every text from a record
/// is escaped, numbers use the "C" locale, unknown figures print as "n/a".
#pragma once
#include <aaco/config.hpp>
#include <aaco/fleet/analysis.hpp>
#include <aaco/fleet/cohort.hpp>
#include <aaco/fleet/record.hpp>
#include <aaco/fleet/verdict.hpp>
#include <aaco/io/markdown.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace fleet {

namespace md {

inline std::string cell(std::string_view s) { return md_detail::or_na(s); }

/// "-12.3%" / "+4.0%": signed deviation of `v` from `median`.
inline std::string deviation(double v, double median) {
    if (!std::isfinite(v) || !std::isfinite(median) || median == 0) return "n/a";
    const double pct = 100.0 * (v - median) / std::fabs(median);
    return (pct >= 0 ? "+" : "") + md_detail::fixed(pct, 1) + "%";
}

/// "2561.1 gbps", or "n/a".
inline std::string with_unit(double v, ceiling c) {
    return std::isfinite(v) ? md_detail::num(v) + " " + std::string(traits(c).unit) : "n/a";
}

} // namespace md

/// The cohort table of one cohort: per ceiling, GPUs, median, MAD, range and threshold.
inline std::string cohort_markdown(const cohort& c) {
    using md_detail::num;
    std::string out = md_detail::header({"ceiling", "unit", "GPUs", "median", "MAD", "min", "max", "threshold"});
    for (const ceiling_summary& s : c.report.ceilings) {
        if (s.count == 0) continue;
        out += md_detail::row({std::string(to_string(s.which)), std::string(traits(s.which).unit),
                               std::to_string(s.count), num(s.median), num(s.mad), num(s.min), num(s.max),
                               c.judged ? num(s.threshold) : std::string("not judged")});
    }
    return out;
}

/// The fleet report of the `n` records judged as `v` as a markdown document.
inline std::string to_markdown(const fleet_record* records, std::size_t n, const fleet_verdicts& v) {
    using md_detail::num;
    const cohort_report& rep = v.cohorts;
    std::size_t pass = 0, warn = 0, fail = 0;
    for (const node_verdict& node : v.nodes) (node.level == verdict::fail ? fail : node.level == verdict::warn ? warn : pass)++;
    std::string out = "# Fleet calibration\n\n";
    out += std::to_string(rep.records) + " GPUs on " + std::to_string(v.nodes.size()) + " node(s): " +
           std::to_string(rep.records - rep.failed.size()) + " calibrated, " + std::to_string(rep.failed.size()) +
           " failed, " + std::to_string(v.outliers) + " outlying figures. Verdict: **" +
           std::string(to_string(v.overall())) + "** (" + std::to_string(fail) + " FAIL, " + std::to_string(warn) +
           " WARN, " + std::to_string(pass) + " PASS).\n\n";
    out += "Cohorts: " + md_detail::escape(rep.describe()) + ". A GPU is compared only with its cohort: "
           "flagged when worse than the cohort median by more than max(" + num(rep.config.outliers.k) + " x MAD, " +
           num(rep.config.outliers.min_percent) + "% of the median), and re-measured before it is flagged when "
           "measuring; a cohort of fewer than " + std::to_string(rep.config.min_peers) + " GPUs is not judged.\n\n";
    out += "## Node verdicts\n\n";
    out += md_detail::header({"host", "verdict", "reason", "GPUs", "figure", "value", "cohort median", "threshold", "detail"});
    for (const node_verdict& node : v.nodes) {
        const finding* w = v.worst(node);
        const bool fig = w && w->has_figure;
        out += md_detail::row({md::cell(node.host), std::string(to_string(node.level)), std::string(to_string(node.code)),
                               std::to_string(node.gpus), fig ? std::string(to_string(w->figure)) : "-",
                               fig ? md::with_unit(w->value, w->figure) : "-",
                               fig ? num(w->cohort_median) : "-", fig ? num(w->threshold) : "-",
                               w ? md_detail::escape(w->detail) : "-"});
    }
    out += "\n## Findings\n\n";
    if (v.findings.empty()) {
        out += "None.\n";
    } else {
        out += md_detail::header({"rank", "host", "device", "UUID", "name", "verdict", "reason", "figure", "value",
                                  "cohort median", "shortfall", "confirmation"});
        for (const finding& f : v.findings) {
            if (f.record >= n) continue;
            const fleet_record& r = records[f.record];
            out += md_detail::row({std::to_string(r.rank), md::cell(text_of(r.host)), std::to_string(r.device_id),
                                   md::cell(text_of(r.uuid)), md::cell(text_of(r.device_name)),
                                   std::string(to_string(f.level)), std::string(to_string(f.code)),
                                   f.has_figure ? std::string(to_string(f.figure)) : "-",
                                   f.has_figure ? md::with_unit(f.value, f.figure) : "-",
                                   f.has_figure ? num(f.cohort_median) : "-",
                                   std::isfinite(f.shortfall_percent) ? md_detail::fixed(f.shortfall_percent, 1) + "%" : "-",
                                   f.confirmation.empty() ? "-" : md_detail::escape(f.confirmation)});
        }
    }
    for (std::size_t c = 0; c < rep.cohorts.size(); ++c) {
        out += "\n## Cohort " + std::to_string(c) + ": " + md_detail::escape(rep.cohorts[c].key.describe()) + " (" +
               std::to_string(rep.cohorts[c].members.size()) + " GPUs)\n\n";
        out += cohort_markdown(rep.cohorts[c]);
    }
    out += "\n## Failed ranks\n\n";
    if (rep.failed.empty()) {
        out += "None.\n";
    } else {
        out += md_detail::header({"rank", "host", "device", "error"});
        for (std::size_t i : rep.failed) {
            if (i >= n) continue;
            const fleet_record& r = records[i];
            out += md_detail::row({std::to_string(r.rank), md::cell(text_of(r.host)), std::to_string(r.device_id),
                                   md::cell(text_of(r.error))});
        }
    }
    return out;
}

inline std::string to_markdown(const std::vector<fleet_record>& records, const fleet_verdicts& v) {
    return to_markdown(records.data(), records.size(), v);
}

} // namespace fleet
AACO_PORTABLE_NAMESPACE_END
