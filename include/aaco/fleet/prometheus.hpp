/// \file fleet/prometheus.hpp
/// \brief Fleet and node verdicts as Prometheus gauges (text exposition format), for
/// node_exporter's textfile collector: a Slurm prolog or a Kubernetes health check can drain a
/// node on `aaco_node_verdict >= 2`.
///
///     aaco_fleet_verdict{verdict}                                    0 PASS, 1 WARN, 2 FAIL
///     aaco_node_verdict{host, verdict, reason, figure}               same encoding
///     aaco_gpu_verdict{host, gpu, uuid, model, verdict, reason, cohort}
///     aaco_cohort_gpus{cohort, description}                          GPUs per cohort
///     aaco_finding_shortfall_ratio{host, gpu, uuid, model, verdict, reason, figure}
///     aaco_finding_value_<unit>, aaco_finding_cohort_median_<unit>,
///     aaco_finding_threshold_<unit>, aaco_finding_remeasured_<unit>
///
/// `<unit>` is the figure's base unit: `ops_per_second` (compute ceilings), `bytes_per_second`
/// (hbm, l2), `seconds` (launch floor); one family per unit, as Prometheus' naming asks. The
/// threshold is the allowed shortfall (fleet/analysis.hpp). Labels are those of
/// io/export_prometheus.hpp; an unknown value leaves its label out, an unknown number its sample.
#pragma once
#include <aaco/config.hpp>
#include <aaco/fleet/record.hpp>
#include <aaco/fleet/verdict.hpp>
#include <aaco/io/export_prometheus.hpp>

#include <cstddef>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace fleet {

namespace prometheus_detail {

/// The base-unit name and factor of a ceiling's unit.
struct base_unit {
    const char* suffix;
    double factor;
};

inline base_unit base_of(ceiling c) {
    const std::string_view u = traits(c).unit;
    if (u == "tflops") return {"ops_per_second", 1e12};
    if (u == "gbps") return {"bytes_per_second", 1e9};
    return {"seconds", 1e-6};  // "us"
}

inline prometheus::labels gpu_labels(const fleet_record& r) {
    return {{"host", std::string(text_of(r.host))},
            {"gpu", r.device_id >= 0 ? std::to_string(r.device_id) : std::string()},
            {"uuid", std::string(text_of(r.uuid))},
            {"model", std::string(text_of(r.device_name))}};
}

inline prometheus::labels plus(prometheus::labels a, const prometheus::labels& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

} // namespace prometheus_detail

/// Adds the verdict gauges of `v` (over `n` records) to `w`; with `only_host`, just that node's
/// (its verdict, its GPUs, its findings: the file a node's own textfile collector serves).
inline void add_prometheus(prometheus::writer& w, const fleet_record* records, std::size_t n, const fleet_verdicts& v,
                           const std::string& only_host = {}) {
    using namespace prometheus_detail;
    const char* enc = "0 = PASS, 1 = WARN, 2 = FAIL";
    auto wanted = [&](std::string_view host) { return only_host.empty() || host == only_host; };
    if (only_host.empty())
        w.gauge("aaco_fleet_verdict", std::string("Worst node verdict of the fleet: ") + enc,
                {{"verdict", std::string(to_string(v.overall()))}}, static_cast<double>(v.overall()));
    for (const node_verdict& node : v.nodes) {
        if (!wanted(node.host)) continue;
        const finding* worst = v.worst(node);
        w.gauge("aaco_node_verdict",
                std::string("Verdict of a node: the worst of its GPUs (") + enc + "), with its reason code and figure",
                {{"host", node.host}, {"verdict", std::string(to_string(node.level))},
                 {"reason", std::string(to_string(node.code))},
                 {"figure", worst && worst->has_figure ? std::string(to_string(worst->figure)) : std::string()}},
                static_cast<double>(node.level));
    }
    const cohort_report& rep = v.cohorts;
    for (std::size_t i = 0; i < n && i < v.gpu_levels.size(); ++i) {
        if (!wanted(text_of(records[i].host))) continue;
        const int c = i < v.gpu_cohorts.size() ? v.gpu_cohorts[i] : -1;
        w.gauge("aaco_gpu_verdict", std::string("Verdict of a GPU: its worst finding (") + enc + ")",
                plus(gpu_labels(records[i]),
                     {{"verdict", std::string(to_string(v.gpu_levels[i]))},
                      {"reason", std::string(to_string(v.gpu_reasons[i]))},
                      {"cohort", c >= 0 ? std::to_string(c) : std::string()}}),
                static_cast<double>(v.gpu_levels[i]));
    }
    for (std::size_t c = 0; c < rep.cohorts.size() && only_host.empty(); ++c)
        w.gauge("aaco_cohort_gpus", "Calibrated GPUs of a cohort (same model, driver, power limit, memory/partition mode)",
                {{"cohort", std::to_string(c)}, {"description", rep.cohorts[c].key.describe()}},
                static_cast<double>(rep.cohorts[c].members.size()));
    for (const finding& f : v.findings) {
        if (f.record >= n || !f.has_figure || !wanted(text_of(records[f.record].host))) continue;
        const prometheus::labels id =
            plus(gpu_labels(records[f.record]), {{"verdict", std::string(to_string(f.level))},
                                                 {"reason", std::string(to_string(f.code))},
                                                 {"figure", std::string(to_string(f.figure))}});
        const base_unit u = base_of(f.figure);
        const std::string s = u.suffix;
        w.gauge("aaco_finding_shortfall_ratio", "How much worse than its cohort median the figure is (0.15 = 15%)",
                id, f.shortfall_percent / 100.0);
        w.gauge("aaco_finding_value_" + s, "The GPU's figure behind a finding, in base units", id, f.value * u.factor);
        w.gauge("aaco_finding_cohort_median_" + s, "The cohort's median of the figure, in base units", id,
                f.cohort_median * u.factor);
        w.gauge("aaco_finding_threshold_" + s, "The shortfall the cohort allows before flagging, in base units", id,
                f.threshold * u.factor);
        w.gauge("aaco_finding_remeasured_" + s, "The figure measured again to confirm the finding, in base units", id,
                f.remeasured * u.factor);
    }
}

/// The verdict gauges as Prometheus text (of one node with `only_host`).
inline std::string to_prometheus(const std::vector<fleet_record>& records, const fleet_verdicts& v,
                                 const std::string& only_host = {}) {
    prometheus::writer w;
    add_prometheus(w, records.data(), records.size(), v, only_host);
    return w.str();
}

} // namespace fleet
AACO_PORTABLE_NAMESPACE_END
