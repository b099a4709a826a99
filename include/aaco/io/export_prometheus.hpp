/// \file export_prometheus.hpp
/// \brief The envelope as Prometheus gauges in the text exposition format, for node_exporter's
/// textfile collector (`--collector.textfile.directory`, files named `*.prom`).
///
/// One gauge per figure, each family with its `# HELP` and `# TYPE ... gauge` lines, values in
/// base units as Prometheus names them (`_ops_per_second`, `_bytes_per_second`, `_seconds`,
/// `_bytes`, `_hertz`, `_watts`, `_ratio`). No timestamps: the textfile collector refuses them,
/// and the calibration time is its own gauge. Every sample carries the device labels
///
///     host, gpu (runtime index), uuid, model (device name), source (measured | datasheet)
///
/// (a label whose value is unknown is left out) plus the figure's own: `precision`, `unit`,
/// `operands` for compute; `level`, `op`, `scope` for memory; `mode` for launch floors; `level`,
/// `scope` for latencies; and `stable` ("true" | "false"; "unknown" for a figure without
/// samples). Families:
///
///     aaco_envelope_info                              1, with arch, vendor, profile, aaco_version
///     aaco_calibration_timestamp_seconds              Unix time of the calibration
///     aaco_calibration_failed_figures                 sub-measurements that produced no figure
///     aaco_compute_ceiling_ops_per_second             FLOP/s (int8: integer op/s), burst median
///     aaco_compute_sustained_ops_per_second           the sustained (held for seconds) figure
///     aaco_compute_clock_adjusted_efficiency_ratio    median per-launch efficiency at its clock
///     aaco_compute_clock_hertz                        SM/CU clock measured in the kernel
///     aaco_compute_power_watts                        mean board power while the figure ran
///     aaco_memory_bandwidth_bytes_per_second          bytes read + written per second
///     aaco_launch_overhead_seconds                    per empty-kernel launch
///     aaco_memory_latency_seconds, _cycles            load-to-use latency
///     aaco_memory_capacity_bytes                      capacity knee, bound="lower"|"upper"
///
/// A figure that was not measured produces no sample (never a 0). Label values are escaped
/// (backslash, double quote, line feed) as the format requires; the output passes
/// `promtool check metrics` (tests/prometheus).
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/io/export_detail.hpp>
#include <aaco/model/envelope.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace prometheus {

/// Label name/value pairs of one sample, in the order written.
using labels = std::vector<std::pair<std::string, std::string>>;

namespace detail {

inline bool valid_name(std::string_view n, bool metric) {
    if (n.empty()) return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const char c = n[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                           (metric && c == ':');
        const bool digit = c >= '0' && c <= '9';
        if (!(alpha || (i > 0 && digit))) return false;
    }
    return metric || n.substr(0, 2) != "__";  // "__" label names are reserved
}

/// Escapes a label value: backslash, double quote and line feed (the format's rule).
inline std::string escape_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

/// Escapes HELP text: backslash and line feed.
inline std::string escape_help(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

} // namespace detail

/// Collects gauge samples and writes them grouped by family (all samples of a metric name
/// together, after its HELP and TYPE lines), families in the order first used.
class writer {
public:
    /// Adds one sample. A non-finite `value` is not written (an unknown figure has no sample).
    /// An empty label value leaves the label out. Throws invalid_argument for a metric or label
    /// name outside the format's character set (a bug in the caller, not bad input).
    void gauge(const std::string& name, const std::string& help, const labels& ls, double value) {
        if (!detail::valid_name(name, true))
            throw invalid_argument("prometheus: invalid metric name '" + name + "'");
        if (!std::isfinite(value)) return;
        family& f = family_of(name, help);
        std::string line = name;
        std::string set;
        for (const auto& [k, v] : ls) {
            if (!detail::valid_name(k, false))
                throw invalid_argument("prometheus: invalid label name '" + k + "'");
            if (v.empty()) continue;
            set += (set.empty() ? "" : ",") + k + "=\"" + detail::escape_value(v) + "\"";
        }
        if (!set.empty()) line += "{" + set + "}";
        if (!f.seen.insert(set).second) {
            // Two figures with the same labels (a hand-edited file): keep the first, say so.
            f.samples.push_back("# aaco: a second sample with the labels {" + set + "} was left out");
            return;
        }
        f.samples.push_back(line + " " + export_detail::number(value, 15));
    }

    /// The exposition text ("" when nothing was added).
    std::string str() const {
        std::string out;
        for (const family& f : families_) {
            out += "# HELP " + f.name + " " + detail::escape_help(f.help) + "\n";
            out += "# TYPE " + f.name + " gauge\n";
            for (const std::string& s : f.samples) out += s + "\n";
        }
        return out;
    }

private:
    struct family {
        std::string name;
        std::string help;
        std::vector<std::string> samples;
        std::set<std::string> seen;
    };
    family& family_of(const std::string& name, const std::string& help) {
        for (family& f : families_)
            if (f.name == name) return f;
        families_.push_back({name, help, {}, {}});
        return families_.back();
    }
    std::vector<family> families_;
};

} // namespace prometheus

/// Options of to_prometheus.
struct prometheus_options {
    /// The `host` label (e.g. gethostname()); left out when empty. node_exporter adds its own
    /// `instance` label on scrape; `host` keeps the node in files gathered elsewhere.
    std::string host;
};

namespace prometheus_detail {

inline prometheus::labels device_labels(const envelope& e, const prometheus_options& o) {
    return {{"host", o.host},
            {"gpu", e.device.id >= 0 ? std::to_string(e.device.id) : std::string()},
            {"uuid", e.device.uuid},
            {"model", e.device.name},
            {"source", std::string(to_string(e.source))}};
}

inline std::string stable_label(const sample_stats& s) {
    return s.measured() ? (s.stable ? "true" : "false") : "unknown";
}

inline prometheus::labels with(prometheus::labels base, const prometheus::labels& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
}

inline void add_compute(prometheus::writer& w, const envelope& e, const prometheus::labels& dev) {
    const bool datasheet = e.source == envelope_source::datasheet;
    for (const compute_figure& f : e.compute) {
        const prometheus::labels id =
            with(dev, {{"precision", std::string(to_string(f.prec))},
                       {"unit", std::string(to_string(f.unit))},
                       {"operands", datasheet ? std::string() : std::string(to_string(f.operands))}});
        w.gauge("aaco_compute_ceiling_ops_per_second",
                "Compute ceiling: median FLOP/s (integer op/s for int8) of the burst samples",
                with(id, {{"stable", stable_label(f.stats)}}), f.tflops * 1e12);
        if (f.sustained)
            w.gauge("aaco_compute_sustained_ops_per_second",
                    "Compute ceiling held under load for seconds (--sustained): median FLOP/s",
                    with(id, {{"stable", stable_label(f.sustained->stats)}}), f.sustained->tflops * 1e12);
        if (f.clock_adjusted_efficiency.measured())
            w.gauge("aaco_compute_clock_adjusted_efficiency_ratio",
                    "Median per-launch rate over the peak at that launch's own measured clock",
                    id, f.clock_adjusted_efficiency.median);
        w.gauge("aaco_compute_clock_hertz",
                "SM/CU clock: measured inside the compute kernel (source=measured), or the one "
                "the printed figure assumes (source=datasheet)",
                id, f.clock_mhz * 1e6);
        if (f.telemetry.available())
            w.gauge("aaco_compute_power_watts", "Mean board power read while the figure was sampled",
                    id, f.telemetry.power_mean_w);
    }
}

inline void add_memory(prometheus::writer& w, const envelope& e, const prometheus::labels& dev) {
    // A datasheet states one bandwidth per level, not per op (it is filed under "read").
    const bool datasheet = e.source == envelope_source::datasheet;
    for (const memory_figure& f : e.memory)
        w.gauge("aaco_memory_bandwidth_bytes_per_second",
                "Memory ceiling: median bytes read + written per second",
                with(dev, {{"level", std::string(to_string(f.level))},
                           {"op", datasheet ? std::string() : std::string(to_string(f.op))},
                           {"scope", std::string(to_string(f.scope))},
                           {"stable", stable_label(f.stats)}}),
                f.gbps * 1e9);
    for (const launch_figure& f : e.launch)
        w.gauge("aaco_launch_overhead_seconds", "Median time per empty-kernel launch",
                with(dev, {{"mode", std::string(to_string(f.mode))}, {"stable", stable_label(f.stats)}}),
                f.us * 1e-6);
    for (const latency_figure& f : e.latency) {
        const prometheus::labels id =
            with(dev, {{"level", std::string(to_string(f.level))}, {"scope", f.scope},
                       {"stable", stable_label(f.stats)}});
        w.gauge("aaco_memory_latency_seconds", "Median load-to-use latency of a dependent chase",
                id, f.ns * 1e-9);
        w.gauge("aaco_memory_latency_cycles", "Median load-to-use latency in SM/CU cycles", id, f.cycles);
    }
    for (const capacity_figure& f : e.capacities)
        for (const auto& [bound, bytes] : {std::pair<const char*, std::uint64_t>{"lower", f.low_bytes},
                                           std::pair<const char*, std::uint64_t>{"upper", f.high_bytes}})
            if (bytes > 0)
                w.gauge("aaco_memory_capacity_bytes",
                        "Capacity knee of a sweep: the level ends between the lower and upper bound",
                        with(dev, {{"level", std::string(to_string(f.level))}, {"bound", bound},
                                   {"method", f.method}}),
                        static_cast<double>(bytes));
}

} // namespace prometheus_detail

/// Adds the gauges of `e` to `w` (several envelopes, e.g. every GPU of a node, share one writer).
inline void add_prometheus(prometheus::writer& w, const envelope& e, const prometheus_options& o = {}) {
    using namespace prometheus_detail;
    const prometheus::labels dev = device_labels(e, o);
    w.gauge("aaco_envelope_info", "aaco envelope of a GPU; the value is always 1",
            with(dev, {{"arch", e.device.arch}, {"vendor", e.device.vendor},
                       {"profile", e.profile_key}, {"aaco_version", e.aaco_version}}),
            1.0);
    if (const auto t = export_detail::epoch_seconds(e.calibration_timestamp))
        w.gauge("aaco_calibration_timestamp_seconds", "Unix time at which the envelope was measured",
                dev, static_cast<double>(*t));
    if (e.source == envelope_source::measured)
        w.gauge("aaco_calibration_failed_figures",
                "Sub-measurements of the calibration that produced no figure", dev,
                static_cast<double>(e.failures.size()));
    add_compute(w, e, dev);
    add_memory(w, e, dev);
}

/// The envelope as Prometheus text (see the file comment).
inline std::string to_prometheus(const envelope& e, const prometheus_options& o = {}) {
    prometheus::writer w;
    add_prometheus(w, e, o);
    return w.str();
}

AACO_PORTABLE_NAMESPACE_END
