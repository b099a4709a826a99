/// \file fleet/verdict.hpp
/// \brief Verdicts operators can act on: PASS / WARN / FAIL per GPU and per node, each with a
/// reason code and the figure, value, cohort median and threshold behind it.
///
/// **Findings** (one per GPU and figure that is not fine), by reason code:
///
/// | code                 | verdict | when |
/// |----------------------|---------|------|
/// | `calibration_failed` | FAIL    | the rank produced no envelope (the error is in `detail`) |
/// | `below_cohort`       | FAIL    | the figure is worse than its cohort's median by more than the threshold (fleet/analysis.hpp), and the re-measurement confirmed it (or the envelope was loaded, not measured, so it could not be re-measured: `confirmation` says which) |
/// | `not_confirmed`      | WARN    | the first figure was short, the re-measured one is within the threshold: a transient (co-tenant, throttling) |
/// | `unstable_figure`    | WARN    | the figure's samples were not stable (CoV above the calibration's threshold) |
/// | `too_few_peers`      | WARN    | its cohort has fewer than `min_peers` GPUs: it cannot be judged |
///
/// A GPU's verdict is its worst finding's (PASS, reason `ok`, without any); a node's is the worst
/// of its GPUs' (grouped by host name). Order of severity: FAIL > WARN > PASS; among equals the
/// finding listed first (failed rank, below cohort, not confirmed, unstable, too few peers).
///
/// **Confirmation.** When the figures were measured (not loaded from JSON), every outlier is
/// re-measured before it is flagged: confirmation_requests() lists (GPU, figure) pairs, the caller
/// re-measures each on the GPU that owns it (the only step that needs a GPU: aaco-calibrate-mpi
/// does it on the owning rank) and passes the values to judge().
#pragma once
#include <aaco/config.hpp>
#include <aaco/fleet/analysis.hpp>
#include <aaco/fleet/cohort.hpp>
#include <aaco/fleet/record.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>
#include <limits>
#include <locale>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace fleet {

/// What to do with a GPU or node.
enum class verdict { pass = 0, warn = 1, fail = 2 };

constexpr std::string_view to_string(verdict v) {
    return v == verdict::pass ? "PASS" : v == verdict::warn ? "WARN" : "FAIL";
}

/// Why (see the file comment).
enum class reason { ok, calibration_failed, below_cohort, not_confirmed, unstable_figure, too_few_peers };

constexpr std::string_view to_string(reason r) {
    switch (r) {
    case reason::ok: return "ok";
    case reason::calibration_failed: return "calibration_failed";
    case reason::below_cohort: return "below_cohort";
    case reason::not_confirmed: return "not_confirmed";
    case reason::unstable_figure: return "unstable_figure";
    case reason::too_few_peers: return "too_few_peers";
    }
    return "unknown";
}

/// One GPU and figure that is not fine.
struct finding {
    std::size_t record = 0;          ///< index into the judged records
    verdict level = verdict::warn;
    reason code = reason::ok;
    bool has_figure = false;         ///< false for calibration_failed and too_few_peers
    ceiling figure = ceiling::fp64;
    double value = std::numeric_limits<double>::quiet_NaN();          ///< the GPU's figure
    double cohort_median = std::numeric_limits<double>::quiet_NaN();
    double threshold = std::numeric_limits<double>::quiet_NaN();      ///< allowed shortfall, figure's unit
    double shortfall_percent = std::numeric_limits<double>::quiet_NaN(); ///< worse than the median by
    double remeasured = std::numeric_limits<double>::quiet_NaN();     ///< the re-measured figure
    std::string confirmation;        ///< below_cohort / not_confirmed: how it was (not) confirmed
    std::string detail;              ///< human-readable reason
    int cohort = -1;                 ///< index into cohort_report::cohorts; -1 for failed ranks
};

/// One node (host).
struct node_verdict {
    std::string host;
    verdict level = verdict::pass;
    reason code = reason::ok;
    std::size_t gpus = 0;
    std::vector<std::size_t> findings;  ///< into fleet_verdicts::findings, worst first
};

/// Everything judge() decided.
struct fleet_verdicts {
    cohort_report cohorts;
    std::vector<finding> findings;      ///< by record, then severity
    std::vector<node_verdict> nodes;    ///< in order of first appearance
    std::vector<verdict> gpu_levels;    ///< per record
    std::vector<reason> gpu_reasons;    ///< per record
    std::vector<int> gpu_cohorts;       ///< per record: index into cohorts.cohorts, -1 for a failed rank
    std::size_t outliers = 0;           ///< figures short of their cohort at first measurement

    verdict overall() const {
        verdict v = verdict::pass;
        for (const node_verdict& n : nodes)
            if (n.level > v) v = n.level;
        return v;
    }
    /// The worst finding of a node, or nullptr for a PASS node.
    const finding* worst(const node_verdict& n) const {
        return n.findings.empty() ? nullptr : &findings[n.findings.front()];
    }
};

/// A figure to re-measure before it is flagged, and what the re-measurement gave.
struct confirmation {
    std::size_t record = 0;
    ceiling figure = ceiling::fp64;
    double value = std::numeric_limits<double>::quiet_NaN();  ///< NaN: not (or not successfully) re-measured
    std::string error;                                          ///< why the re-measurement failed
};

/// The outliers of every judged cohort, as (record, figure) pairs to re-measure.
inline std::vector<confirmation> confirmation_requests(const cohort_report& rep) {
    std::vector<confirmation> out;
    for (const cohort& c : rep.cohorts)
        for (const outlier& o : c.report.outliers) out.push_back({c.members[o.index], o.which, std::nan(""), {}});
    return out;
}

namespace verdict_detail {

inline int severity(const finding& f) {
    // Higher first: verdict, then the order of the reason table.
    return static_cast<int>(f.level) * 10 + (5 - static_cast<int>(f.code));
}

inline std::string fmt(double v) {
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s.precision(6);
    s << v;
    return s.str();
}

} // namespace verdict_detail

/// Judges the records analysed in `rep` (see the file comment). `confirmed`: the re-measured
/// outliers (from confirmation_requests(), values filled in), or nullptr when the figures were
/// loaded rather than measured, so none could be re-measured.
inline fleet_verdicts judge(const fleet_record* records, std::size_t n, const cohort_report& rep,
                            const std::vector<confirmation>* confirmed) {
    using verdict_detail::fmt;
    fleet_verdicts out;
    out.cohorts = rep;
    std::vector<std::vector<finding>> per(n);
    for (std::size_t i : rep.failed) {
        finding f;
        f.record = i;
        f.level = verdict::fail;
        f.code = reason::calibration_failed;
        f.detail = std::string(text_of(records[i].error));
        per[i].push_back(f);
    }
    for (std::size_t ci = 0; ci < rep.cohorts.size(); ++ci) {
        const cohort& c = rep.cohorts[ci];
        std::vector<std::vector<bool>> flagged(c.members.size(), std::vector<bool>(ceiling_count, false));
        for (const outlier& o : c.report.outliers) {
            ++out.outliers;
            const std::size_t idx = c.members[o.index];
            flagged[o.index][static_cast<std::size_t>(o.which)] = true;
            finding f;
            f.record = idx;
            f.has_figure = true;
            f.figure = o.which;
            f.value = o.value;
            f.cohort_median = o.median;
            f.threshold = o.threshold;
            f.shortfall_percent = o.shortfall_percent;
            f.cohort = static_cast<int>(ci);
            f.level = verdict::fail;
            f.code = reason::below_cohort;
            const std::string shortfall = fmt(o.shortfall_percent) + "% worse than the cohort median " + fmt(o.median) +
                                          " " + std::string(traits(o.which).unit) + " (allowed: " + fmt(o.threshold) + ")";
            if (!confirmed) {
                f.confirmation = "not re-measured: the envelope was loaded, not measured";
                f.detail = std::string(to_string(o.which)) + " " + shortfall;
            } else {
                const confirmation* m = nullptr;
                for (const confirmation& x : *confirmed)
                    if (x.record == idx && x.figure == o.which) m = &x;
                if (m && std::isfinite(m->value)) {
                    f.remeasured = m->value;
                    const double again = detail::shortfall(o.which, m->value, o.median);
                    if (again > o.threshold) {
                        f.confirmation = "confirmed: re-measured " + fmt(m->value);
                        f.detail = std::string(to_string(o.which)) + " " + shortfall + "; re-measured " + fmt(m->value);
                    } else {
                        f.level = verdict::warn;
                        f.code = reason::not_confirmed;
                        f.confirmation = "not confirmed: re-measured " + fmt(m->value) + ", within the threshold";
                        f.detail = std::string(to_string(o.which)) + " measured " + fmt(o.value) + " first, then " +
                                   fmt(m->value) + " (cohort median " + fmt(o.median) + "): a transient";
                    }
                } else {
                    f.confirmation = "re-measurement failed" + (m && !m->error.empty() ? ": " + m->error : std::string());
                    f.detail = std::string(to_string(o.which)) + " " + shortfall + "; " + f.confirmation;
                }
            }
            per[idx].push_back(f);
        }
        for (std::size_t p = 0; p < c.members.size(); ++p) {
            const std::size_t idx = c.members[p];
            const fleet_record& r = records[idx];
            if (!c.judged) {
                finding f;
                f.record = idx;
                f.level = verdict::warn;
                f.code = reason::too_few_peers;
                f.cohort = static_cast<int>(ci);
                f.detail = "its cohort (" + c.key.describe() + ") has " + std::to_string(c.members.size()) +
                           " GPU(s); " + std::to_string(rep.config.min_peers) + " are needed to judge one";
                per[idx].push_back(f);
            }
            for (ceiling cl : all_ceilings) {
                if (!r.is_unstable(cl) || flagged[p][static_cast<std::size_t>(cl)] || !std::isfinite(r.value(cl)))
                    continue;
                finding f;
                f.record = idx;
                f.level = verdict::warn;
                f.code = reason::unstable_figure;
                f.has_figure = true;
                f.figure = cl;
                f.value = r.value(cl);
                f.cohort_median = c.report.summary(cl).median;
                f.threshold = c.report.summary(cl).threshold;
                f.cohort = static_cast<int>(ci);
                f.detail = std::string(to_string(cl)) + ": its samples were not stable (the GPU may be shared or throttling)";
                per[idx].push_back(f);
            }
        }
    }
    out.gpu_levels.assign(n, verdict::pass);
    out.gpu_reasons.assign(n, reason::ok);
    out.gpu_cohorts.assign(n, -1);
    for (std::size_t ci = 0; ci < rep.cohorts.size(); ++ci)
        for (std::size_t idx : rep.cohorts[ci].members)
            if (idx < n) out.gpu_cohorts[idx] = static_cast<int>(ci);
    for (std::size_t i = 0; i < n; ++i) {
        std::stable_sort(per[i].begin(), per[i].end(), [](const finding& a, const finding& b) {
            return verdict_detail::severity(a) > verdict_detail::severity(b);
        });
        if (!per[i].empty()) {
            out.gpu_levels[i] = per[i].front().level;
            out.gpu_reasons[i] = per[i].front().code;
        }
    }
    // Nodes, in order of first appearance; each node's findings worst first.
    for (std::size_t i = 0; i < n; ++i) {
        const std::string host(text_of(records[i].host));
        node_verdict* node = nullptr;
        for (node_verdict& x : out.nodes)
            if (x.host == host) node = &x;
        if (!node) {
            out.nodes.push_back({host, verdict::pass, reason::ok, 0, {}});
            node = &out.nodes.back();
        }
        ++node->gpus;
        for (const finding& f : per[i]) {
            node->findings.push_back(out.findings.size());
            out.findings.push_back(f);
        }
    }
    for (node_verdict& node : out.nodes) {
        std::stable_sort(node.findings.begin(), node.findings.end(), [&](std::size_t a, std::size_t b) {
            return verdict_detail::severity(out.findings[a]) > verdict_detail::severity(out.findings[b]);
        });
        if (!node.findings.empty()) {
            node.level = out.findings[node.findings.front()].level;
            node.code = out.findings[node.findings.front()].code;
        }
    }
    return out;
}

inline fleet_verdicts judge(const std::vector<fleet_record>& records, const cohort_report& rep,
                            const std::vector<confirmation>* confirmed) {
    return judge(records.data(), records.size(), rep, confirmed);
}

/// Splits, confirms and judges in one call, for a caller that can re-measure in-process (one
/// node): `remeasure(record, figure)` returns the re-measured value (NaN or a throw: failed).
/// Without `remeasure` (loaded envelopes), nothing is confirmed.
template <typename Remeasure>
fleet_verdicts judge_fleet(const std::vector<fleet_record>& records, const cohort_config& config,
                           Remeasure remeasure) {
    const cohort_report rep = split_into_cohorts(records, config);
    std::vector<confirmation> conf = confirmation_requests(rep);
    for (confirmation& c : conf) {
        try {
            c.value = remeasure(records[c.record], c.figure);
        } catch (const std::exception& e) {
            c.value = std::nan("");
            c.error = e.what();
        }
    }
    return judge(records, rep, &conf);
}

/// judge_fleet() for loaded envelopes: no re-measurement.
inline fleet_verdicts judge_fleet(const std::vector<fleet_record>& records, const cohort_config& config = {}) {
    return judge(records, split_into_cohorts(records, config), nullptr);
}

} // namespace fleet
AACO_PORTABLE_NAMESPACE_END
