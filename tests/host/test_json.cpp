// Envelope JSON: round trips, the seed format, save/load.
#include <aaco/io/json.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

/// The seed card's "Calibration Output" example, verbatim.
constexpr const char* seed_card_example = R"({
  "device": "AMD Instinct MI300X",
  "calibration_timestamp": "2026-02-15T12:00:00Z",
  "envelope": {
    "compute_ceiling_fp16_tflops": 1307.0,
    "compute_ceiling_fp32_tflops": 653.0,
    "memory_bandwidth_gbps": 5300.0,
    "launch_overhead_us": 2.5,
    "l2_bandwidth_gbps": 8000.0
  },
  "validation": {
    "iterations": 1000,
    "cov": 0.02,
    "stable": true
  }
})";

aaco::sample_stats stats_of(double median, double cov, std::uint64_t iterations, bool stable) {
    aaco::sample_stats s;
    s.samples = 17;
    s.median = median;
    s.min = median * 0.99;
    s.max = median * 1.01;
    s.mean = median * 1.001;
    s.stdev = median * cov;
    s.cov = cov;
    s.iqr = median * 0.004;
    s.measured_seconds = 0.3125;
    s.iterations = iterations;
    s.stable = stable;
    return s;
}

aaco::compute_figure compute(aaco::precision p, aaco::compute_unit u, double tflops,
                             double datasheet) {
    aaco::compute_figure f;
    f.prec = p;
    f.unit = u;
    f.tflops = tflops;
    f.stats = stats_of(tflops, 0.0021, 4000, true);
    f.clock_mhz = 1755.5;
    f.datasheet_tflops = datasheet;
    f.clock_adjusted_peak_tflops = datasheet * 0.93;
    f.instruction = "wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16";
    return f;
}

/// An envelope with every field set to something other than its default, and a few NaNs.
aaco::envelope full_envelope() {
    using namespace aaco;
    envelope e;
    e.source = envelope_source::measured;
    e.aaco_version = "0.1.0";
    e.calibration_timestamp = "2026-02-15T12:00:00Z";
    e.profile_key = "h100-sxm";
    e.calibration_wall_seconds = 41.25;
    e.device.id = 3;
    e.device.name = "NVIDIA H100 80GB HBM3 \"SXM5\" \\ <test> \xC3\xA9";
    e.device.vendor = "NVIDIA";
    e.device.arch = "sm_90";
    e.device.compute_units = 132;
    e.device.max_clock_mhz = 1980;
    e.device.l2_bytes = 52428800;
    e.device.llc_bytes = 0;
    e.device.memory_bytes = 85520809984ull;
    e.device.shared_bytes_per_unit = 233472;
    e.device.uuid = "GPU-8f6f7c1e-0000-1111-2222-333344445555";
    e.device.pci_bus_id = "0000:19:00.0";
    e.device.driver_version = 13000;
    e.device.runtime_version = 12080;
    e.device.ecc = true;
    e.compute.push_back(compute(precision::fp16, compute_unit::matrix, 812.5, 989.4));
    e.compute.push_back(compute(precision::fp16, compute_unit::vector, 120.25, nan_v));
    e.compute.push_back(compute(precision::fp32, compute_unit::vector, 51.75, 67.0));
    compute_figure odd = compute(precision::fp64, compute_unit::matrix, 0.1 + 0.2, 67.0);
    odd.clock_mhz = nan_v;  // clock unknown
    odd.operands = operand_mode::zero;
    odd.stats.median = nan_v;
    e.compute.push_back(odd);
    compute_figure unknown = compute(precision::int8, compute_unit::matrix, nan_v, 1978.9);
    e.compute.push_back(unknown);
    memory_figure hbm_read;
    hbm_read.level = memory_level::hbm;
    hbm_read.op = stream_op::read;
    hbm_read.gbps = 3012.5;
    hbm_read.stats = stats_of(3012.5, 0.0012, 900, true);
    hbm_read.working_set_bytes = 4294967296ull;
    hbm_read.datasheet_gbps = 3352;
    hbm_read.method = "ld.global.v4 x4 in flight";
    memory_figure hbm_copy = hbm_read;
    hbm_copy.op = stream_op::copy;
    hbm_copy.gbps = 2950.125;  // slower than read: the HBM roof is the read figure
    hbm_copy.stats = stats_of(2950.125, 0.0093, 800, false);
    memory_figure l2 = hbm_read;
    l2.level = memory_level::l2;
    l2.gbps = 9100;
    l2.working_set_bytes = 16777216;
    l2.datasheet_gbps = nan_v;
    l2.stats = stats_of(9100, 0.003, 1200, true);
    e.memory = {hbm_read, hbm_copy, l2};
    launch_figure async;
    async.mode = launch_mode::async;
    async.us = 2.125;
    async.stats = stats_of(2.125, 0.01, 100000, true);
    launch_figure graph = async;
    graph.mode = launch_mode::graph;
    graph.us = 1.0625;
    e.launch = {async, graph};
    e.failures.push_back({"compute.fp8.matrix", "kernel not built for sm_90 (\"wgmma\" fp8)"});
    e.failures.push_back({"memory.llc.read", "no last-level cache"});
    return e;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void check_same_stats(const aaco::sample_stats& a, const aaco::sample_stats& b) {
    CHECK(a.samples == b.samples);
    CHECK(same(a.median, b.median));
    CHECK(same(a.min, b.min));
    CHECK(same(a.max, b.max));
    CHECK(same(a.mean, b.mean));
    CHECK(same(a.stdev, b.stdev));
    CHECK(same(a.cov, b.cov));
    CHECK(same(a.iqr, b.iqr));
    CHECK(same(a.measured_seconds, b.measured_seconds));
    CHECK(a.iterations == b.iterations);
    CHECK(a.stable == b.stable);
}

void check_same(const aaco::envelope& a, const aaco::envelope& b) {
    CHECK(a.source == b.source);
    CHECK(a.aaco_version == b.aaco_version);
    CHECK(a.calibration_timestamp == b.calibration_timestamp);
    CHECK(a.profile_key == b.profile_key);
    CHECK(same(a.calibration_wall_seconds, b.calibration_wall_seconds));
    CHECK(a.device.id == b.device.id);
    CHECK(a.device.name == b.device.name);
    CHECK(a.device.vendor == b.device.vendor);
    CHECK(a.device.arch == b.device.arch);
    CHECK(a.device.compute_units == b.device.compute_units);
    CHECK(same(a.device.max_clock_mhz, b.device.max_clock_mhz));
    CHECK(a.device.l2_bytes == b.device.l2_bytes);
    CHECK(a.device.llc_bytes == b.device.llc_bytes);
    CHECK(a.device.memory_bytes == b.device.memory_bytes);
    CHECK(a.device.shared_bytes_per_unit == b.device.shared_bytes_per_unit);
    CHECK(a.device.uuid == b.device.uuid);
    CHECK(a.device.pci_bus_id == b.device.pci_bus_id);
    CHECK(a.device.driver_version == b.device.driver_version);
    CHECK(a.device.runtime_version == b.device.runtime_version);
    CHECK(a.device.ecc == b.device.ecc);
    REQUIRE(a.compute.size() == b.compute.size());
    for (std::size_t i = 0; i < a.compute.size(); ++i) {
        const auto &x = a.compute[i], &y = b.compute[i];
        CHECK(x.prec == y.prec);
        CHECK(x.unit == y.unit);
        CHECK(same(x.tflops, y.tflops));
        CHECK(x.operands == y.operands);
        CHECK(same(x.clock_mhz, y.clock_mhz));
        CHECK(same(x.datasheet_tflops, y.datasheet_tflops));
        CHECK(same(x.clock_adjusted_peak_tflops, y.clock_adjusted_peak_tflops));
        CHECK(x.instruction == y.instruction);
        check_same_stats(x.stats, y.stats);
    }
    REQUIRE(a.memory.size() == b.memory.size());
    for (std::size_t i = 0; i < a.memory.size(); ++i) {
        const auto &x = a.memory[i], &y = b.memory[i];
        CHECK(x.level == y.level);
        CHECK(x.op == y.op);
        CHECK(same(x.gbps, y.gbps));
        CHECK(x.working_set_bytes == y.working_set_bytes);
        CHECK(same(x.datasheet_gbps, y.datasheet_gbps));
        CHECK(x.method == y.method);
        check_same_stats(x.stats, y.stats);
    }
    REQUIRE(a.launch.size() == b.launch.size());
    for (std::size_t i = 0; i < a.launch.size(); ++i) {
        CHECK(a.launch[i].mode == b.launch[i].mode);
        CHECK(same(a.launch[i].us, b.launch[i].us));
        check_same_stats(a.launch[i].stats, b.launch[i].stats);
    }
    REQUIRE(a.failures.size() == b.failures.size());
    for (std::size_t i = 0; i < a.failures.size(); ++i) {
        CHECK(a.failures[i].key == b.failures[i].key);
        CHECK(a.failures[i].reason == b.failures[i].reason);
    }
}

/// A fresh empty directory under the system temp dir, removed by the destructor.
struct temp_dir {
    std::filesystem::path path;
    explicit temp_dir(const std::string& name) {
        path = std::filesystem::temp_directory_path() /
               ("aaco_test_" + name + "_" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& d : std::filesystem::directory_iterator(path))
            names.push_back(d.path().filename().string());
        return names;
    }
};

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

TEST_SUITE("io.json") {

TEST_CASE("round trip keeps every field, NaN included") {
    const aaco::envelope e = full_envelope();
    for (int indent : {2, -1, 0}) {
        CAPTURE(indent);
        const std::string text = aaco::to_json(e, indent);
        const aaco::envelope back = aaco::envelope_from_json(text);
        check_same(e, back);
        CHECK(std::isnan(back.compute[3].clock_mhz));
        CHECK(std::isnan(back.compute[3].stats.median));
        CHECK(std::isnan(back.compute[4].tflops));
        CHECK(std::isnan(back.compute[1].datasheet_tflops));
        // Writing again gives the same bytes: nothing drifts through a round trip.
        CHECK(aaco::to_json(back, indent) == text);
    }
}

TEST_CASE("doubles round-trip bit-exactly") {
    aaco::envelope e = full_envelope();
    e.compute[0].tflops = 812.3456789012345;
    e.memory[0].gbps = 3012.000000000001;
    e.launch[0].us = 1.0 / 3.0;
    const aaco::envelope back = aaco::envelope_from_json(aaco::to_json(e));
    CHECK(back.compute[0].tflops == e.compute[0].tflops);
    CHECK(back.memory[0].gbps == e.memory[0].gbps);
    CHECK(back.launch[0].us == e.launch[0].us);
    CHECK(back.compute[3].tflops == 0.1 + 0.2);
}

TEST_CASE("top level is the seed format, keys in the seed's order") {
    const aaco::envelope e = full_envelope();
    const nlohmann::ordered_json j = nlohmann::ordered_json::parse(aaco::to_json(e));
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"device", "calibration_timestamp", "envelope",
                                           "validation", "aaco"});
    CHECK(j["device"] == e.device.name);
    CHECK(j["calibration_timestamp"] == "2026-02-15T12:00:00Z");
    const auto& env = j["envelope"];
    std::vector<std::string> env_keys;
    for (auto it = env.begin(); it != env.end(); ++it) env_keys.push_back(it.key());
    CHECK(env_keys == std::vector<std::string>{"compute_ceiling_fp16_tflops",
                                               "compute_ceiling_fp32_tflops",
                                               "memory_bandwidth_gbps", "launch_overhead_us",
                                               "l2_bandwidth_gbps"});
    CHECK(env["compute_ceiling_fp16_tflops"].get<double>() == 812.5);  // the faster unit
    CHECK(env["compute_ceiling_fp32_tflops"].get<double>() == 51.75);  // real fp32, not fp16/2
    CHECK(env["memory_bandwidth_gbps"].get<double>() == 3012.5);       // HBM: fastest op
    CHECK(env["launch_overhead_us"].get<double>() == 2.125);           // async, not graph
    CHECK(env["l2_bandwidth_gbps"].get<double>() == 9100.0);
    const aaco::validation_summary v = e.validation();
    CHECK(j["validation"]["iterations"].get<std::uint64_t>() == v.iterations);
    CHECK(j["validation"]["cov"].get<double>() == v.cov);
    CHECK(j["validation"]["stable"].get<bool>() == false);  // hbm copy is unstable
    CHECK(j["aaco"]["schema_version"] == aaco::envelope_schema_version);
    CHECK(j["aaco"]["source"] == "measured");
    CHECK(j["aaco"]["compute"].size() == 5);
    CHECK(j["aaco"]["compute"][3]["clock_mhz"].is_null());
    CHECK(j["aaco"]["compute"][0]["stats"]["samples"] == 17);
    CHECK(j["aaco"]["memory"][1]["op"] == "copy");
    CHECK(j["aaco"]["launch"][1]["mode"] == "graph");
    CHECK(j["aaco"]["failures"][0]["key"] == "compute.fp8.matrix");
    CHECK(j["aaco"]["device"]["compute_units"] == 132);
}

TEST_CASE("a figure that was not measured is written as null") {
    aaco::envelope e;
    e.device.name = "partial";
    aaco::compute_figure f;
    f.prec = aaco::precision::fp16;
    f.unit = aaco::compute_unit::matrix;
    f.tflops = 700;
    e.compute.push_back(f);
    const nlohmann::json j = nlohmann::json::parse(aaco::to_json(e));
    CHECK(j["envelope"]["compute_ceiling_fp16_tflops"].get<double>() == 700.0);
    CHECK(j["envelope"]["compute_ceiling_fp32_tflops"].is_null());
    CHECK(j["envelope"]["memory_bandwidth_gbps"].is_null());
    CHECK(j["envelope"]["launch_overhead_us"].is_null());
    CHECK(j["envelope"]["l2_bandwidth_gbps"].is_null());
    const aaco::envelope back = aaco::envelope_from_json(j.dump());
    CHECK_FALSE(back.has_compute(aaco::precision::fp32));
    CHECK_FALSE(back.has_memory(aaco::memory_level::hbm));
    CHECK(back.compute_tflops(aaco::precision::fp16) == 700.0);
}

TEST_CASE("the seed card's example output parses") {
    const aaco::envelope e = aaco::envelope_from_json(seed_card_example);
    CHECK(e.device.name == "AMD Instinct MI300X");
    CHECK(e.calibration_timestamp == "2026-02-15T12:00:00Z");
    CHECK(e.source == aaco::envelope_source::measured);
    CHECK(e.aaco_version.empty());  // unknown writer: not invented
    REQUIRE(e.compute.size() == 2);
    CHECK(e.compute[0].prec == aaco::precision::fp16);
    CHECK(e.compute[0].unit == aaco::compute_unit::matrix);
    CHECK(e.compute[1].prec == aaco::precision::fp32);
    CHECK(e.compute[1].unit == aaco::compute_unit::vector);
    CHECK(e.compute_tflops(aaco::precision::fp16) == 1307.0);
    CHECK(e.compute_tflops(aaco::precision::fp32) == 653.0);  // kept as the file says
    REQUIRE(e.memory.size() == 2);
    CHECK(e.memory[0].op == aaco::stream_op::read);
    CHECK(e.memory_gbps(aaco::memory_level::hbm) == 5300.0);
    CHECK(e.memory_gbps(aaco::memory_level::l2) == 8000.0);
    CHECK(e.launch_us() == 2.5);
    const aaco::validation_summary v = e.validation();
    CHECK(v.iterations == 1000);
    CHECK(v.cov == doctest::Approx(0.02));
    CHECK(v.stable);
}

TEST_CASE("seed-format input written back keeps the seed block") {
    const aaco::envelope e = aaco::envelope_from_json(seed_card_example);
    const nlohmann::json out = nlohmann::json::parse(aaco::to_json(e));
    const nlohmann::json in = nlohmann::json::parse(seed_card_example);
    CHECK(out["device"] == in["device"]);
    CHECK(out["calibration_timestamp"] == in["calibration_timestamp"]);
    CHECK(out["envelope"] == in["envelope"]);
    CHECK(out["validation"] == in["validation"]);
    CHECK(out["aaco"]["source"] == "measured");
    // And the full file it became reads back the same.
    check_same(e, aaco::envelope_from_json(out.dump()));
}

TEST_CASE("seed-format file with null figures and an unstable validation") {
    const aaco::envelope e = aaco::envelope_from_json(R"({"device": "X", "calibration_timestamp": "",
        "envelope": {"compute_ceiling_fp16_tflops": null, "compute_ceiling_fp32_tflops": 10,
                     "memory_bandwidth_gbps": null, "launch_overhead_us": null,
                     "l2_bandwidth_gbps": null},
        "validation": {"iterations": 5, "cov": 0.5, "stable": false}})");
    CHECK_FALSE(e.has_compute(aaco::precision::fp16));
    CHECK(e.compute_tflops(aaco::precision::fp32) == 10.0);
    CHECK(e.memory.empty());
    CHECK(e.launch.empty());
    CHECK_THROWS_AS(e.launch_us(), aaco::invalid_argument);
    CHECK(e.validation().iterations == 5);
    CHECK(e.validation().cov == 0.5);
    CHECK_FALSE(e.validation().stable);
}

TEST_CASE("datasheet source survives") {
    aaco::envelope e = full_envelope();
    e.source = aaco::envelope_source::datasheet;
    const aaco::envelope back = aaco::envelope_from_json(aaco::to_json(e));
    CHECK(back.source == aaco::envelope_source::datasheet);
    CHECK_FALSE(back.validation().stable);  // a datasheet is never "stable"
}

TEST_CASE("a hand edit that makes the seed block disagree with /aaco is reported") {
    nlohmann::json j = nlohmann::json::parse(aaco::to_json(full_envelope()));
    j["envelope"]["compute_ceiling_fp16_tflops"] = 1000.0;
    try {
        (void)aaco::envelope_from_json(j.dump());
        FAIL("expected parse_error");
    } catch (const aaco::parse_error& err) {
        const std::string m = err.what();
        CHECK(m.find("/envelope/compute_ceiling_fp16_tflops") != std::string::npos);
        CHECK(m.find("derived from /aaco") != std::string::npos);
    }
    j = nlohmann::json::parse(aaco::to_json(full_envelope()));
    j["device"] = "renamed";
    CHECK_THROWS_WITH_AS((void)aaco::envelope_from_json(j.dump()),
                         doctest::Contains("/aaco/device/name"), aaco::parse_error);
    // Removing /aaco turns it into a plain seed file, which is accepted.
    j.erase("aaco");
    CHECK(aaco::envelope_from_json(j.dump()).device.name == "renamed");
}

TEST_CASE("invalid UTF-8 in a name does not stop the write") {
    aaco::envelope e;
    e.device.name = "bad \xFF\xFE name";
    std::string text;
    REQUIRE_NOTHROW(text = aaco::to_json(e));
    const aaco::envelope back = aaco::envelope_from_json(text);
    CHECK(back.device.name.find("bad ") == 0);
    CHECK(back.device.name.find("\xEF\xBF\xBD") != std::string::npos);  // U+FFFD
}

TEST_CASE("nlohmann ADL conversions") {
    const aaco::envelope e = full_envelope();
    const nlohmann::json j = e;
    CHECK(j.contains("aaco"));
    check_same(e, j.get<aaco::envelope>());
    const nlohmann::json from_value = aaco::to_json_value(e);
    CHECK(from_value == j);
}

TEST_CASE("save is atomic and replaces; load reads it back") {
    temp_dir dir("save");
    const std::string path = (dir.path / "envelope.json").string();
    aaco::envelope e = full_envelope();
    aaco::save_envelope(e, path);
    CHECK(dir.entries() == std::vector<std::string>{"envelope.json"});  // no temp left
    check_same(e, aaco::load_envelope(path));
    CHECK(read_file(path) == aaco::to_json(e) + "\n");

    e.device.name = "second";
    e.compute.clear();
    aaco::save_envelope(e, path);  // replaces the existing file
    CHECK(dir.entries() == std::vector<std::string>{"envelope.json"});
    const aaco::envelope second = aaco::load_envelope(path);
    CHECK(second.device.name == "second");
    CHECK(second.compute.empty());
}

TEST_CASE("save into a missing directory fails cleanly") {
    temp_dir dir("save_missing");
    const std::string path = (dir.path / "no" / "such" / "dir" / "e.json").string();
    CHECK_THROWS_WITH_AS(aaco::save_envelope(full_envelope(), path), doctest::Contains(path.c_str()),
                         aaco::error);
    CHECK(dir.entries().empty());
    // A directory in the way of the target: the rename fails, the temp file is removed.
    std::filesystem::create_directory(dir.path / "taken");
    CHECK_THROWS_AS(aaco::save_envelope(full_envelope(), (dir.path / "taken").string()),
                    aaco::error);
    CHECK(dir.entries() == std::vector<std::string>{"taken"});
}

TEST_CASE("load errors name the file and the reason") {
    temp_dir dir("load");
    const std::string missing = (dir.path / "missing.json").string();
    try {
        (void)aaco::load_envelope(missing);
        FAIL("expected parse_error");
    } catch (const aaco::parse_error& err) {
        const std::string m = err.what();
        CHECK(m.find(missing) != std::string::npos);
        CHECK(m.find("No such file") != std::string::npos);
    }
    CHECK_THROWS_WITH_AS((void)aaco::load_envelope(dir.path.string()),
                         doctest::Contains("directory"), aaco::parse_error);
    const auto bad = dir.path / "bad.json";
    std::ofstream(bad) << "{\"device\": 42}";
    try {
        (void)aaco::load_envelope(bad.string());
        FAIL("expected parse_error");
    } catch (const aaco::parse_error& err) {
        const std::string m = err.what();
        CHECK(m.find(bad.string()) != std::string::npos);
        CHECK(m.find("/device") != std::string::npos);
        CHECK(m.find("expected a string") != std::string::npos);
    }
}

TEST_CASE("load refuses a file over the size limit without parsing it") {
    temp_dir dir("big");
    const auto big = dir.path / "big.json";
    {
        std::ofstream out(big, std::ios::binary);
        const std::string chunk(1 << 20, ' ');
        for (int i = 0; i < 17; ++i) out << chunk;
    }
    CHECK_THROWS_WITH_AS((void)aaco::load_envelope(big.string()),
                         doctest::Contains("larger than the limit"), aaco::parse_error);
}

} // TEST_SUITE
