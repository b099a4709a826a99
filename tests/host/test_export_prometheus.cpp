// Prometheus text exposition: golden files sample by sample, HELP/TYPE of every family, every
// figure present in base units, label escaping, no timestamps, partial and datasheet envelopes.
// (`promtool check metrics` runs on the same output in tests/prometheus.)
#include "test_export_support.hpp"

#include <aaco/io/export_prometheus.hpp>
#include <aaco/model/profiles.hpp>

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using aaco_test_export::close;
using aaco_test_export::fixture;
using aaco_test_export::read_text;

struct sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
    std::size_t tokens_after_labels = 0;  ///< 1 = value only (no timestamp)
};

/// Parses one sample line (label values may hold escaped quotes, commas and spaces).
sample parse_sample(const std::string& line) {
    sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
    if (i < line.size() && line[i] == '{') {
        ++i;
        while (line[i] != '}') {
            std::string k, v;
            while (line[i] != '=') k += line[i++];
            i += 2;  // ="
            while (line[i] != '"') {
                if (line[i] == '\\') {
                    ++i;
                    v += line[i] == 'n' ? '\n' : line[i];
                } else {
                    v += line[i];
                }
                ++i;
            }
            ++i;  // closing quote
            if (line[i] == ',') ++i;
            s.labels[k] = v;
        }
        ++i;
    }
    std::istringstream rest(line.substr(i));
    std::string tok;
    std::vector<std::string> toks;
    while (rest >> tok) toks.push_back(tok);
    s.tokens_after_labels = toks.size();
    if (!toks.empty()) s.value = std::stod(toks[0]);
    return s;
}

struct exposition {
    std::map<std::string, std::string> help, type;
    std::vector<sample> samples;
};

exposition parse(const std::string& text) {
    exposition e;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("# HELP ", 0) == 0) {
            const std::string rest = line.substr(7);
            e.help[rest.substr(0, rest.find(' '))] = rest.substr(rest.find(' ') + 1);
        } else if (line.rfind("# TYPE ", 0) == 0) {
            const std::string rest = line.substr(7);
            e.type[rest.substr(0, rest.find(' '))] = rest.substr(rest.find(' ') + 1);
        } else if (!line.empty() && line[0] != '#') {
            e.samples.push_back(parse_sample(line));
        }
    }
    return e;
}

std::string key_of(const sample& s) {
    std::string k = s.name + "{";
    for (const auto& [n, v] : s.labels) k += n + "=" + v + ",";
    return k + "}";
}

void check_against_golden(const std::string& produced, const std::string& golden_file) {
    const exposition got = parse(produced), want = parse(read_text(fixture(golden_file)));
    CHECK(got.help == want.help);
    CHECK(got.type == want.type);
    std::map<std::string, double> g, w;
    for (const sample& s : got.samples) g[key_of(s)] = s.value;
    for (const sample& s : want.samples) w[key_of(s)] = s.value;
    CHECK(g.size() == got.samples.size());  // no series twice
    CHECK(g.size() == w.size());
    for (const auto& kv : w) {
        INFO(golden_file << ": " << kv.first);
        REQUIRE(g.count(kv.first) == 1);
        CHECK(close(g[kv.first], kv.second));
    }
}

const sample* find(const exposition& e, const std::string& name, const std::map<std::string, std::string>& with) {
    for (const sample& s : e.samples) {
        if (s.name != name) continue;
        bool all = true;
        for (const auto& [k, v] : with) all = all && s.labels.count(k) && s.labels.at(k) == v;
        if (all) return &s;
    }
    return nullptr;
}

aaco::prometheus_options on_host() {
    aaco::prometheus_options o;
    o.host = "node-a";
    return o;
}

} // namespace

TEST_CASE("prometheus: the measured envelope matches its golden file sample by sample") {
    check_against_golden(aaco::to_prometheus(aaco_test_export::synthetic_h200(), on_host()),
                         "export/synthetic_h200.prom");
}

TEST_CASE("prometheus: the datasheet envelope matches its golden file") {
    check_against_golden(aaco::to_prometheus(aaco::datasheet_envelope("mi300x"), on_host()), "export/mi300x.prom");
}

TEST_CASE("prometheus: one gauge per figure, in base units, with HELP and TYPE") {
    const aaco::envelope e = aaco_test_export::synthetic_h200();
    const exposition x = parse(aaco::to_prometheus(e, on_host()));
    for (const auto& [name, t] : x.type) {
        CHECK(t == "gauge");
        CHECK(x.help.count(name) == 1);
    }
    std::map<std::string, std::size_t> count;
    for (const sample& s : x.samples) {
        ++count[s.name];
        CHECK(x.type.count(s.name) == 1);
        CHECK(s.tokens_after_labels == 1);  // no timestamp: the textfile collector refuses them
        CHECK(s.labels.at("host") == "node-a");
        CHECK(s.labels.at("gpu") == "0");
        CHECK(s.labels.at("uuid") == "GPU-5f1c0000-0000-4000-8000-000000000001");
        CHECK(s.labels.at("model") == "NVIDIA H200");
    }
    CHECK(count["aaco_compute_ceiling_ops_per_second"] == e.compute.size());
    CHECK(count["aaco_memory_bandwidth_bytes_per_second"] == e.memory.size());
    CHECK(count["aaco_launch_overhead_seconds"] == e.launch.size());
    CHECK(count["aaco_memory_latency_seconds"] == e.latency.size());
    CHECK(count["aaco_compute_sustained_ops_per_second"] == 2);
    CHECK(count["aaco_memory_capacity_bytes"] == 2);
    CHECK(count["aaco_compute_power_watts"] == 1);  // only fp16 had telemetry
    auto value = [&](const std::string& n, const std::map<std::string, std::string>& l) {
        const sample* s = find(x, n, l);
        REQUIRE(s);
        return s->value;
    };
    CHECK(close(value("aaco_compute_ceiling_ops_per_second", {{"precision", "fp16"}, {"unit", "matrix"}}), 829e12));
    CHECK(close(value("aaco_compute_ceiling_ops_per_second", {{"precision", "fp64"}, {"operands", "zero"}}), 30.8e12));
    CHECK(close(value("aaco_memory_bandwidth_bytes_per_second", {{"level", "hbm"}, {"op", "read"}}), 4732e9));
    CHECK(close(value("aaco_memory_bandwidth_bytes_per_second", {{"level", "l2"}, {"scope", "whole"}}), 9800e9));
    CHECK(close(value("aaco_launch_overhead_seconds", {{"mode", "device"}}), 2.1e-6));
    CHECK(close(value("aaco_launch_overhead_seconds", {{"mode", "graph"}}), 0.677e-6));
    CHECK(close(value("aaco_memory_latency_seconds", {{"level", "l2"}, {"scope", "near"}}), 262.5e-9));
    CHECK(close(value("aaco_memory_latency_seconds", {{"level", "l1"}}), 35.2e-9));
    CHECK(close(value("aaco_compute_clock_hertz", {{"precision", "fp16"}}), 1600e6));
    CHECK(close(value("aaco_compute_clock_adjusted_efficiency_ratio", {{"precision", "fp16"}}), 0.99));
    CHECK(value("aaco_memory_capacity_bytes", {{"bound", "upper"}}) == 64.0 * 1024 * 1024);
    CHECK(value("aaco_calibration_timestamp_seconds", {}) == 1796162400);
    CHECK(value("aaco_calibration_failed_figures", {}) == 1);
    CHECK(value("aaco_envelope_info", {{"arch", "sm_90"}, {"profile", "h200-sxm"}}) == 1);
    CHECK(find(x, "aaco_compute_ceiling_ops_per_second", {{"stable", "true"}}));
    // Metric names carry base units only (Prometheus' naming rules; promtool lints the rest).
    for (const auto& [name, t] : x.type)
        for (const char* bad : {"_tflops", "_gbps", "_us", "_ns", "_mhz", "_ms"})
            CHECK(name.find(bad) == std::string::npos);
}

TEST_CASE("prometheus: a datasheet envelope states no statistics, operands or ops") {
    const exposition x = parse(aaco::to_prometheus(aaco::datasheet_envelope("mi300x")));
    const sample* fp16 = find(x, "aaco_compute_ceiling_ops_per_second", {{"precision", "fp16"}});
    REQUIRE(fp16);
    CHECK(fp16->labels.at("stable") == "unknown");
    CHECK(fp16->labels.count("operands") == 0);
    CHECK(fp16->labels.count("gpu") == 0);   // no runtime index
    CHECK(fp16->labels.count("host") == 0);  // no host given
    CHECK(fp16->labels.at("source") == "datasheet");
    const sample* hbm = find(x, "aaco_memory_bandwidth_bytes_per_second", {{"level", "hbm"}});
    REQUIRE(hbm);
    CHECK(hbm->labels.count("op") == 0);
    CHECK(close(hbm->value, 5324.8e9));
    CHECK(x.type.count("aaco_calibration_failed_figures") == 0);
    CHECK(x.type.count("aaco_launch_overhead_seconds") == 0);  // no launch figure in a datasheet
}

TEST_CASE("prometheus: unmeasured values are left out, label values are escaped") {
    aaco::envelope e;
    e.device.name = "GPU \"x\"\\y\nz";
    aaco::compute_figure f;
    f.prec = aaco::precision::fp32;
    f.tflops = 10;  // clock_mhz stays NaN: no clock gauge
    e.compute.push_back(f);
    aaco::launch_figure l;
    l.us = std::numeric_limits<double>::quiet_NaN();  // unknown: no sample, never a 0
    e.launch.push_back(l);
    const std::string text = aaco::to_prometheus(e);
    CHECK(text.find("model=\"GPU \\\"x\\\"\\\\y\\nz\"") != std::string::npos);
    const exposition x = parse(text);
    CHECK(x.type.count("aaco_compute_clock_hertz") == 0);
    CHECK(x.type.count("aaco_launch_overhead_seconds") == 0);
    CHECK(find(x, "aaco_compute_ceiling_ops_per_second", {})->labels.at("model") == "GPU \"x\"\\y\nz");
    CHECK(x.samples.size() == 3);  // info, failed_figures, the one compute figure
    // An empty envelope still says what it is, and nothing else.
    const exposition empty = parse(aaco::to_prometheus(aaco::envelope{}));
    CHECK(empty.type.size() == 2);
}

TEST_CASE("prometheus writer: families stay together, names are checked, duplicates left out") {
    aaco::prometheus::writer w;
    w.gauge("a_bytes", "A", {{"k", "1"}}, 1);
    w.gauge("b_seconds", "B", {}, 2);
    w.gauge("a_bytes", "A", {{"k", "2"}}, 3);
    w.gauge("a_bytes", "A", {{"k", "2"}}, 4);  // the same series again
    const std::string out = w.str();
    CHECK(out.find("# TYPE a_bytes gauge\na_bytes{k=\"1\"} 1\na_bytes{k=\"2\"} 3\n# aaco:") != std::string::npos);
    CHECK(out.find(" 4\n") == std::string::npos);
    CHECK_THROWS_AS(w.gauge("9bad", "x", {}, 1), aaco::invalid_argument);
    CHECK_THROWS_AS(w.gauge("ok", "x", {{"bad-label", "v"}}, 1), aaco::invalid_argument);
    CHECK_THROWS_AS(w.gauge("ok", "x", {{"__reserved", "v"}}, 1), aaco::invalid_argument);
}
