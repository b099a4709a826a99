/// \file fleet/markdown.hpp
/// \brief The fleet report as markdown: the median envelope with its spread, the outliers (host,
/// device, UUID, the ceiling that failed) and the failed ranks. Every text from a record is
/// escaped, numbers use the "C" locale, unknown figures print as "n/a".
#pragma once
#include <aaco/config.hpp>
#include <aaco/fleet/analysis.hpp>
#include <aaco/fleet/record.hpp>
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

} // namespace md

/// The fleet report `rep` of the `n` records as a markdown document.
inline std::string to_markdown(const fleet_record* records, std::size_t n, const fleet_report& rep) {
    using md_detail::header;
    using md_detail::num;
    using md_detail::row;
    std::string out = "# Fleet calibration\n\n";
    out += std::to_string(rep.records) + " GPUs: " + std::to_string(rep.ok) + " calibrated, " +
           std::to_string(rep.failed) + " failed, " + std::to_string(rep.outliers.size()) +
           " outlying ceilings (rule: shortfall > max(" + num(rep.config.k) + " x MAD, " +
           num(rep.config.min_percent) + "% of the median)).\n\n";
    out += "## Median envelope\n\n";
    out += header({"ceiling", "unit", "GPUs", "median", "MAD", "min", "max", "threshold"});
    for (const ceiling_summary& s : rep.ceilings) {
        if (s.count == 0) continue;
        out += row({std::string(to_string(s.which)), std::string(traits(s.which).unit),
                    std::to_string(s.count), num(s.median), num(s.mad), num(s.min), num(s.max),
                    num(s.threshold)});
    }
    out += "\n## Outliers\n\n";
    if (rep.outliers.empty()) {
        out += "None.\n";
    } else {
        out += header({"rank", "host", "device", "UUID", "name", "ceiling", "value", "median",
                       "shortfall"});
        for (const outlier& o : rep.outliers) {
            if (o.index >= n) continue;  // a report of other records: nothing to name
            const fleet_record& r = records[o.index];
            out += row({std::to_string(r.rank), md::cell(text_of(r.host)), std::to_string(r.device_id),
                        md::cell(text_of(r.uuid)), md::cell(text_of(r.device_name)),
                        std::string(to_string(o.which)),
                        num(o.value) + " " + std::string(traits(o.which).unit), num(o.median),
                        md_detail::fixed(o.shortfall_percent, 1) + "%"});
        }
    }
    out += "\n## Failed ranks\n\n";
    if (rep.failed_indices.empty()) {
        out += "None.\n";
    } else {
        out += header({"rank", "host", "device", "error"});
        for (std::size_t i : rep.failed_indices) {
            if (i >= n) continue;
            const fleet_record& r = records[i];
            out += row({std::to_string(r.rank), md::cell(text_of(r.host)), std::to_string(r.device_id),
                        md::cell(text_of(r.error))});
        }
    }
    return out;
}

inline std::string to_markdown(const std::vector<fleet_record>& records, const fleet_report& rep) {
    return to_markdown(records.data(), records.size(), rep);
}

} // namespace fleet
AACO_PORTABLE_NAMESPACE_END
