// Envelope JSON schema 2: telemetry, per-launch efficiency, sustained figures, memory scope,
// device/enqueue launch floors, latency, capacities, and null for what a datasheet does not say.
#include <aaco/io/json.hpp>
#include <aaco/model/profiles.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace {

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

aaco::sample_stats some_stats(double median) {
    aaco::sample_stats s;
    s.samples = 31;
    s.median = median;
    s.min = median * 0.98;
    s.max = median * 1.02;
    s.mean = median;
    s.stdev = median * 0.004;
    s.cov = 0.004;
    s.iqr = median * 0.003;
    s.measured_seconds = 0.27;
    s.iterations = 310;
    s.stable = true;
    s.p2_5 = median * 0.985;
    s.p97_5 = median * 1.015;
    s.median_ci_low = median * 0.999;
    s.median_ci_high = median * 1.001;
    return s;
}

aaco::telemetry_summary capped_telemetry() {
    aaco::telemetry_summary t;
    t.source = "nvml";
    t.readings = 12;
    t.power_mean_w = 688.5;
    t.power_max_w = 701.25;
    t.power_limit_w = 700;
    t.temperature_min_c = 41;
    t.temperature_max_c = 57;
    t.sm_clock_mean_mhz = 1605.5;
    t.sm_clock_min_mhz = 1530;
    t.sm_clock_max_mhz = 1710;
    t.memory_clock_mhz = 3201;
    t.throttle_reasons = {"sw_power_cap"};
    return t;
}

aaco::envelope v2_envelope() {
    using namespace aaco;
    envelope e;
    e.calibration_timestamp = "2026-12-01T22:00:00Z";
    e.device.name = "NVIDIA H200";
    e.device.arch = "sm_90";
    e.device.compute_units = 132;
    e.device.memory_bytes = 150ull << 30;
    e.device.l2_bytes = 60ull << 20;
    e.device.ecc = true;
    e.telemetry_note = "";
    compute_figure bf16;
    bf16.prec = precision::bf16;
    bf16.unit = compute_unit::matrix;
    bf16.tflops = 850.5;
    bf16.stats = some_stats(850.5);
    bf16.clock_mhz = 1600;
    bf16.operand_distribution = "uniform [-1, 1]";
    bf16.clock_adjusted_efficiency = some_stats(0.9975);
    bf16.telemetry = capped_telemetry();
    sustained_figure sus;
    sus.seconds = 10;
    sus.tflops = 861.25;  // steady state above the burst figure: the roof is the sustained one
    sus.stats = some_stats(861.25);
    sus.clock_mhz = 1620;
    sus.efficiency = some_stats(0.998);
    sus.telemetry = capped_telemetry();
    bf16.sustained = sus;
    e.compute.push_back(bf16);
    memory_figure l2;
    l2.level = memory_level::l2;
    l2.op = stream_op::read;
    l2.gbps = 14000;
    l2.working_set_bytes = 4ull << 20;
    l2.stats = some_stats(14000);
    memory_figure l2_whole = l2;
    l2_whole.scope = memory_scope::whole;
    l2_whole.gbps = 10100;
    l2_whole.working_set_bytes = 45ull << 20;
    l2_whole.stats = some_stats(10100);
    e.memory = {l2, l2_whole};
    launch_figure device;
    device.mode = launch_mode::device;
    device.us = 1.25;
    device.method = "4096 empty launches behind a gate kernel";
    device.stats = some_stats(1.25);
    launch_figure enqueue = device;
    enqueue.mode = launch_mode::enqueue;
    enqueue.us = 2.5;
    launch_figure async = device;
    async.mode = launch_mode::async;
    async.us = 4.0;
    e.launch = {device, enqueue, async};
    latency_figure hbm;
    hbm.level = memory_level::hbm;
    hbm.ns = 812.5;
    hbm.cycles = 1300;
    hbm.clock_mhz = 1600;
    hbm.working_set_bytes = 1ull << 30;
    hbm.stride_bytes = 128;
    hbm.method = "ld.global.cg chase";
    hbm.stats = some_stats(812.5);
    hbm.cycle_stats = some_stats(1300);
    latency_figure l2_far = hbm;
    l2_far.level = memory_level::l2;
    l2_far.scope = "far";
    l2_far.ns = 420;
    e.latency = {hbm, l2_far};
    capacity_figure cap;
    cap.level = memory_level::l2;
    cap.low_bytes = 32ull << 20;
    cap.high_bytes = 64ull << 20;
    cap.queried_bytes = 60ull << 20;
    cap.method = "latency sweep";
    e.capacities = {cap};
    return e;
}

} // namespace

TEST_SUITE("io.json.v2") {

TEST_CASE("schema 2 fields round-trip") {
    using namespace aaco;
    const envelope a = v2_envelope();
    const envelope b = envelope_from_json(to_json(a));
    REQUIRE(b.compute.size() == 1);
    const compute_figure& f = b.compute[0];
    CHECK(f.operand_distribution == "uniform [-1, 1]");
    CHECK(f.clock_adjusted_efficiency.samples == 31);
    CHECK(same(f.clock_adjusted_efficiency.median, 0.9975));
    CHECK(same(f.stats.p2_5, a.compute[0].stats.p2_5));
    CHECK(same(f.stats.median_ci_high, a.compute[0].stats.median_ci_high));
    CHECK(f.telemetry.source == "nvml");
    CHECK(f.telemetry.readings == 12);
    CHECK(same(f.telemetry.power_limit_w, 700));
    CHECK(f.telemetry.throttle_reasons == std::vector<std::string>{"sw_power_cap"});
    CHECK(f.telemetry.power_limited() == std::optional<bool>(true));
    REQUIRE(f.sustained.has_value());
    CHECK(same(f.sustained->tflops, 861.25));
    CHECK(same(f.sustained->efficiency.median, 0.998));
    CHECK(f.sustained->telemetry.readings == 12);
    // The roof is the higher of burst and sustained, everywhere it is read.
    CHECK(b.compute_tflops(precision::bf16) == doctest::Approx(861.25));
    REQUIRE(b.memory.size() == 2);
    CHECK(b.memory[1].scope == memory_scope::whole);
    CHECK(b.memory[1].working_set_bytes == (45ull << 20));
    CHECK(b.memory_gbps(memory_level::l2) == doctest::Approx(14000));
    REQUIRE(b.launch.size() == 3);
    CHECK(b.launch[0].mode == launch_mode::device);
    CHECK(b.launch[0].method == "4096 empty launches behind a gate kernel");
    CHECK(b.launch[1].mode == launch_mode::enqueue);
    REQUIRE(b.latency.size() == 2);
    CHECK(b.latency[1].scope == "far");
    CHECK(same(b.latency[0].cycles, 1300));
    CHECK(b.latency[0].stride_bytes == 128);
    CHECK(b.latency[0].cycle_stats.samples == 31);
    CHECK(b.latency_ns(memory_level::hbm) == doctest::Approx(812.5));
    REQUIRE(b.capacities.size() == 1);
    CHECK(b.capacities[0].low_bytes == (32ull << 20));
    CHECK(b.capacities[0].queried_bytes == (60ull << 20));
    CHECK(b.capacities[0].method == "latency sweep");
}

TEST_CASE("the seed's launch_overhead_us is the device-side floor when it was measured") {
    using namespace aaco;
    const envelope e = v2_envelope();
    CHECK(e.launch_us() == doctest::Approx(1.25));
    const auto j = nlohmann::json::parse(to_json(e));
    CHECK(j["envelope"]["launch_overhead_us"].get<double>() == doctest::Approx(1.25));
    envelope old = e;
    old.launch.erase(old.launch.begin(), old.launch.begin() + 2);  // only async: a schema 1 file
    CHECK(old.launch_us() == doctest::Approx(4.0));
}

TEST_CASE("telemetry: power_limited is a measurement, null without telemetry") {
    aaco::telemetry_summary t;
    CHECK_FALSE(t.power_limited().has_value());
    t.readings = 3;
    t.power_mean_w = 400;
    t.power_limit_w = 700;
    CHECK(t.power_limited() == std::optional<bool>(false));
    t.power_mean_w = 670;  // 95.7% of the limit
    CHECK(t.power_limited() == std::optional<bool>(true));
    t.power_mean_w = 400;
    t.throttle_reasons = {"sw_power_cap"};
    CHECK(t.power_limited() == std::optional<bool>(true));
    const auto j = nlohmann::json::parse(aaco::to_json(aaco::envelope{}));
    CHECK(j["aaco"]["schema_version"] == 2);
}

TEST_CASE("a figure without telemetry writes telemetry null") {
    aaco::envelope e = v2_envelope();
    e.compute[0].telemetry = {};
    const auto j = nlohmann::json::parse(aaco::to_json(e));
    CHECK(j["aaco"]["compute"][0]["telemetry"].is_null());
    CHECK(j["aaco"]["compute"][0]["telemetry"].is_null());
    CHECK_FALSE(j["aaco"]["compute"][0]["sustained"]["telemetry"].is_null());
}

TEST_CASE("a schema 1 file still reads, with the new fields unknown") {
    const char* v1 = R"({
      "device": "NVIDIA H200", "calibration_timestamp": "2026-11-26T10:00:00Z",
      "envelope": {"compute_ceiling_fp16_tflops": 829.0, "compute_ceiling_fp32_tflops": null,
                   "memory_bandwidth_gbps": 4732.0, "launch_overhead_us": 4.08,
                   "l2_bandwidth_gbps": null},
      "validation": {"iterations": 100, "cov": 0.004, "stable": true},
      "aaco": {"schema_version": 1, "aaco_version": "0.1.0", "source": "measured",
               "profile_key": "h200-sxm", "calibration_wall_seconds": 8.4,
               "device": {"id": 0, "name": "NVIDIA H200", "ecc": false},
               "compute": [{"precision": "fp16", "unit": "matrix", "tflops": 829.0,
                            "operands": "random",
                            "stats": {"samples": 20, "median": 829.0, "cov": 0.004,
                                      "iterations": 60, "stable": true}}],
               "memory": [{"level": "hbm", "op": "read", "gbps": 4732.0,
                           "stats": {"samples": 20, "median": 4732.0, "cov": 0.001,
                                     "iterations": 20, "stable": true}}],
               "launch": [{"mode": "async", "us": 4.08,
                           "stats": {"samples": 20, "median": 4.08, "cov": 0.0,
                                     "iterations": 20, "stable": true}}],
               "failures": []}})";
    const aaco::envelope e = aaco::envelope_from_json(v1);
    REQUIRE(e.compute.size() == 1);
    CHECK(e.compute[0].operand_distribution.empty());
    CHECK_FALSE(e.compute[0].telemetry.available());
    CHECK_FALSE(e.compute[0].sustained.has_value());
    CHECK(e.compute[0].clock_adjusted_efficiency.samples == 0);
    CHECK(std::isnan(e.compute[0].stats.p2_5));
    CHECK(e.memory[0].scope == aaco::memory_scope::roof);
    CHECK(e.device.ecc == std::optional<bool>(false));
    CHECK(e.launch_us() == doctest::Approx(4.08));
    CHECK(e.latency.empty());
    CHECK(e.capacities.empty());
}

TEST_CASE("a datasheet envelope writes null for everything a datasheet does not state") {
    using namespace aaco;
    const envelope e = datasheet_envelope("mi300x");
    const auto j = nlohmann::json::parse(to_json(e));
    CHECK(j["calibration_timestamp"].is_null());
    CHECK(j["validation"]["cov"].is_null());
    CHECK(j["validation"]["source"] == "datasheet");
    CHECK(j["validation"]["stable"] == false);
    CHECK(j["aaco"]["device"]["ecc"].is_null());
    CHECK(j["aaco"]["device"]["uuid"].is_null());
    CHECK(j["aaco"]["calibration_wall_seconds"].is_null());
    for (const auto& f : j["aaco"]["compute"]) {
        CHECK(f["stats"].is_null());
        CHECK(f["operands"].is_null());
        CHECK(f["telemetry"].is_null());
    }
    for (const auto& f : j["aaco"]["memory"]) CHECK(f["stats"].is_null());
    // and it reads back as the same datasheet envelope
    const envelope back = envelope_from_json(to_json(e));
    CHECK(back.source == envelope_source::datasheet);
    CHECK(back.compute.size() == e.compute.size());
    CHECK_FALSE(back.device.ecc.has_value());
    CHECK(back.calibration_timestamp.empty());
}

TEST_CASE("hostile schema 2 values are rejected with their pointer") {
    aaco::envelope e = v2_envelope();
    auto j = nlohmann::json::parse(aaco::to_json(e));
    auto bad = j;
    bad["aaco"]["compute"][0]["telemetry"]["power_mean_w"] = -5;
    CHECK_THROWS_WITH_AS(aaco::envelope_from_json(bad.dump()),
                         doctest::Contains("/aaco/compute/0/telemetry/power_mean_w"),
                         aaco::parse_error);
    bad = j;
    bad["aaco"]["capacities"][0]["high_bytes"] = 1;
    CHECK_THROWS_WITH_AS(aaco::envelope_from_json(bad.dump()),
                         doctest::Contains("/aaco/capacities/0/high_bytes"), aaco::parse_error);
    bad = j;
    bad["aaco"]["memory"][1]["scope"] = "half";
    CHECK_THROWS_WITH_AS(aaco::envelope_from_json(bad.dump()),
                         doctest::Contains("/aaco/memory/1/scope"), aaco::parse_error);
    bad = j;
    bad["aaco"]["latency"][0]["ns"] = 1e300;
    CHECK_THROWS_AS(aaco::envelope_from_json(bad.dump()), aaco::parse_error);
    bad = j;
    bad["aaco"]["compute"][0]["telemetry"]["throttle_reasons"] = {1, 2};
    CHECK_THROWS_WITH_AS(aaco::envelope_from_json(bad.dump()),
                         doctest::Contains("throttle_reasons/0"), aaco::parse_error);
    bad = j;
    bad["aaco"]["schema_version"] = 3;
    CHECK_THROWS_WITH_AS(aaco::envelope_from_json(bad.dump()), doctest::Contains("newer aaco"),
                         aaco::parse_error);
}

} // TEST_SUITE
