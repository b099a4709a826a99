// Fleet verdicts: cohorts (model, driver, power limit, memory/partition mode), a mixed fleet
// split without false outliers, a planted slow GPU flagged with its reason code, confirmation by
// re-measurement, the verdict JSON schema and the Prometheus verdict gauges.
#include <aaco/fleet.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using aaco::fleet::ceiling;
using aaco::fleet::fleet_record;
using aaco::fleet::reason;
using aaco::fleet::verdict;

const double h100[] = {60, 55, 380, 760, 760, 1480, 1500, 3000, 9800, 2.0};
const double mi300x[] = {150, 140, 600, 1200, 1200, 2400, 2400, 4900, 14000, 3.5};

/// One GPU: `base` x (1 + a small, deterministic spread), on host node<rank/3>.
fleet_record gpu(int rank, const char* model, const double* base, int driver, double power_w = 700) {
    fleet_record r;
    r.rank = rank;
    r.device_id = rank % 3;
    r.local_rank = rank % 3;
    const double spread = 1.0 + 0.002 * ((rank * 7) % 5 - 2);
    for (std::size_t i = 0; i < aaco::fleet::ceiling_count; ++i) r.values[i] = base[i] * spread;
    aaco::fleet::set_text(r.host, "node" + std::to_string(rank / 3));
    aaco::fleet::set_text(r.uuid, "GPU-" + std::to_string(1000 + rank));
    aaco::fleet::set_text(r.device_name, model);
    aaco::fleet::set_text(r.arch, std::string(model).find("MI300X") != std::string::npos ? "gfx942" : "sm_90");
    r.driver_version = driver;
    r.compute_units = std::string(model).find("MI300X") != std::string::npos ? 304 : 132;
    r.memory_bytes = 80ull << 30;
    r.power_limit_w = power_w;
    r.ecc = 1;
    return r;
}

/// 18 GPUs on 6 nodes of 3: 12 H100 (drivers 55014, 56006) and 6 MI300X (60302, 60400).
std::vector<fleet_record> mixed_fleet() {
    std::vector<fleet_record> rs;
    for (int i = 0; i < 18; ++i) {
        const bool amd = i >= 12;
        rs.push_back(gpu(i, amd ? "AMD Instinct MI300X" : "NVIDIA H100 80GB HBM3", amd ? mi300x : h100,
                         amd ? (i < 15 ? 60302 : 60400) : (i < 6 ? 55014 : 56006)));
    }
    return rs;
}

const aaco::fleet::node_verdict& node(const aaco::fleet::fleet_verdicts& v, const std::string& host) {
    for (const auto& n : v.nodes)
        if (n.host == host) return n;
    FAIL("no node " << host);
    return v.nodes.front();
}

} // namespace

TEST_CASE("fleet verdicts: a mixed fleet is split into cohorts, and no GPU is a false outlier") {
    const std::vector<fleet_record> rs = mixed_fleet();
    // Compared fleet-wide, the MI300Xs' launch floor (3.5 us) is "an outlier" against the H100s'
    // median (2.0 us): that is what the cohorts prevent.
    const auto naive = aaco::fleet::analyze(rs);
    REQUIRE(naive.outliers.size() == 6);
    for (const auto& o : naive.outliers) CHECK(o.which == ceiling::launch);
    const aaco::fleet::fleet_verdicts v = aaco::fleet::judge_fleet(rs);
    const auto& rep = v.cohorts;
    REQUIRE(rep.cohorts.size() == 4);
    CHECK(rep.split_by == std::vector<std::string>{"model", "driver", "compute units"});
    CHECK(rep.cohorts[0].members.size() == 6);
    CHECK(rep.cohorts[1].members.size() == 6);
    CHECK(rep.cohorts[2].members.size() == 3);
    CHECK(rep.cohorts[3].members.size() == 3);
    for (const auto& c : rep.cohorts) CHECK(c.judged);
    CHECK(rep.cohorts[0].key.driver_version == 55014);
    CHECK(rep.cohorts[2].key.model == "AMD Instinct MI300X");
    const std::string how = rep.describe();
    CHECK(how.find("4 cohorts (split by model, driver, compute units): ") == 0);
    CHECK(how.find("AMD Instinct MI300X (gfx942), driver 60400, 700 W, 304 CUs, 80.0 GiB, ECC on x 3") != std::string::npos);
    CHECK(v.findings.empty());
    CHECK(v.outliers == 0);
    CHECK(v.overall() == verdict::pass);
    REQUIRE(v.nodes.size() == 6);
    for (const auto& n : v.nodes) {
        CHECK(n.level == verdict::pass);
        CHECK(n.code == reason::ok);
        CHECK(n.gpus == 3);
    }
}

TEST_CASE("fleet verdicts: a planted slow GPU is flagged with its reason code, figure, median and threshold") {
    std::vector<fleet_record> rs = mixed_fleet();
    rs[13].set(ceiling::hbm, mi300x[7] * 0.85);  // node4, an MI300X on driver 60302
    const aaco::fleet::fleet_verdicts v = aaco::fleet::judge_fleet(rs);
    CHECK(v.overall() == verdict::fail);
    CHECK(v.outliers == 1);
    REQUIRE(v.findings.size() == 1);
    const auto& f = v.findings[0];
    CHECK(f.record == 13);
    CHECK(f.level == verdict::fail);
    CHECK(f.code == reason::below_cohort);
    CHECK(f.has_figure);
    CHECK(f.figure == ceiling::hbm);
    CHECK(f.value == mi300x[7] * 0.85);
    CHECK(f.cohort_median == doctest::Approx(4900).epsilon(0.005));
    CHECK(f.threshold == doctest::Approx(0.05 * f.cohort_median));  // MAD tiny: the 5% floor rules
    CHECK(f.shortfall_percent == doctest::Approx(15).epsilon(0.02));
    CHECK(f.cohort == 2);
    CHECK(f.confirmation.find("not re-measured") == 0);  // loaded, not measured
    const auto& n4 = node(v, "node4");
    CHECK(n4.level == verdict::fail);
    CHECK(n4.code == reason::below_cohort);
    REQUIRE(v.worst(n4));
    CHECK(v.worst(n4)->figure == ceiling::hbm);
    for (const char* ok : {"node0", "node1", "node2", "node3", "node5"}) CHECK(node(v, ok).level == verdict::pass);
    CHECK(v.gpu_levels[13] == verdict::fail);
    CHECK(v.gpu_levels[12] == verdict::pass);
}

TEST_CASE("fleet verdicts: an outlier is re-measured before it is flagged") {
    std::vector<fleet_record> rs = mixed_fleet();
    rs[5].set(ceiling::fp16, 760 * 0.8);
    rs[9].set(ceiling::hbm, 3000 * 0.8);
    rs[14].set(ceiling::launch, 3.5 * 1.4);
    const auto rep = aaco::fleet::split_into_cohorts(rs);
    std::vector<aaco::fleet::confirmation> conf = aaco::fleet::confirmation_requests(rep);
    REQUIRE(conf.size() == 3);
    for (auto& c : conf) {
        if (c.record == 5) c.value = 758;           // back to normal: a transient
        if (c.record == 9) c.value = 3000 * 0.81;   // still slow: confirmed
        if (c.record == 14) c.error = "kernel launch failed";  // could not re-measure
    }
    const aaco::fleet::fleet_verdicts v = aaco::fleet::judge(rs, rep, &conf);
    REQUIRE(v.findings.size() == 3);
    auto of = [&](std::size_t rec) -> const aaco::fleet::finding& {
        for (const auto& f : v.findings)
            if (f.record == rec) return f;
        FAIL("no finding for " << rec);
        return v.findings.front();
    };
    CHECK(of(5).level == verdict::warn);
    CHECK(of(5).code == reason::not_confirmed);
    CHECK(of(5).remeasured == 758);
    CHECK(of(9).level == verdict::fail);
    CHECK(of(9).code == reason::below_cohort);
    CHECK(of(9).confirmation.find("confirmed: re-measured") == 0);
    CHECK(of(14).level == verdict::fail);
    CHECK(of(14).figure == ceiling::launch);
    CHECK(of(14).confirmation == "re-measurement failed: kernel launch failed");
    CHECK(node(v, "node1").level == verdict::warn);
    CHECK(node(v, "node3").level == verdict::fail);
    CHECK(node(v, "node4").level == verdict::fail);
    // The one-call form with a hook; a hook that throws counts as a failed re-measurement.
    const auto hooked = aaco::fleet::judge_fleet(rs, {}, [](const fleet_record& r, ceiling c) -> double {
        if (r.rank == 14) throw aaco::error("no GPU");
        return r.value(c) * (r.rank == 5 ? 1.25 : 1.0);
    });
    CHECK(node(hooked, "node1").level == verdict::warn);
    CHECK(node(hooked, "node1").code == reason::not_confirmed);
    CHECK(node(hooked, "node3").code == reason::below_cohort);
    CHECK(node(hooked, "node4").level == verdict::fail);
}

TEST_CASE("fleet verdicts: power limit, partition and unknown fields form their own cohorts") {
    std::vector<fleet_record> rs;
    for (int i = 0; i < 8; ++i) rs.push_back(gpu(i, "NVIDIA H100 80GB HBM3", h100, 55014));
    rs[6].power_limit_w = 500.2;                       // capped board: slower by design
    for (double& x : rs[6].values) x *= 0.8;
    rs[7].compute_units = 66;                          // a half partition (MIG): also slower
    rs[7].memory_bytes = 40ull << 30;
    for (double& x : rs[7].values) x *= 0.5;
    rs[5].power_limit_w = 699.6;                       // the same 700 W limit, read differently
    rs.push_back(gpu(8, "NVIDIA H100 80GB HBM3", h100, 55014, std::nan("")));  // no telemetry
    const aaco::fleet::fleet_verdicts v = aaco::fleet::judge_fleet(rs);
    const auto& rep = v.cohorts;
    REQUIRE(rep.cohorts.size() == 4);
    CHECK(rep.cohorts[0].members.size() == 6);
    CHECK(rep.split_by == std::vector<std::string>{"power limit", "compute units", "memory"});
    CHECK(rep.describe().find("power limit unknown") != std::string::npos);
    // No FAIL: each different GPU is alone in its cohort and only warned that it cannot be judged.
    CHECK(v.overall() == verdict::warn);
    for (std::size_t i : {6u, 7u, 8u}) {
        CHECK(v.gpu_levels[i] == verdict::warn);
        CHECK(v.gpu_reasons[i] == reason::too_few_peers);
    }
    for (std::size_t i = 0; i < 6; ++i) CHECK(v.gpu_levels[i] == verdict::pass);
    aaco::fleet::cohort_config bad;
    bad.min_peers = 1;
    CHECK_THROWS_WITH_AS(aaco::fleet::judge_fleet(rs, bad), doctest::Contains("min_peers"), aaco::invalid_argument);
}

TEST_CASE("fleet verdicts: failed ranks fail, unstable figures warn, severity orders a node") {
    std::vector<fleet_record> rs;
    for (int i = 0; i < 4; ++i) rs.push_back(gpu(i, "NVIDIA H100 80GB HBM3", h100, 55014));
    rs[1].set_unstable(ceiling::fp8, true);
    rs.push_back(aaco::fleet::make_failed_record("node0", 4, 0, 3, "cannot load envelope"));
    const auto v = aaco::fleet::judge_fleet(rs);
    CHECK(v.gpu_reasons[1] == reason::unstable_figure);
    CHECK(v.gpu_levels[1] == verdict::warn);
    CHECK(v.gpu_reasons[4] == reason::calibration_failed);
    const auto& n0 = node(v, "node0");
    CHECK(n0.level == verdict::fail);
    CHECK(n0.code == reason::calibration_failed);
    REQUIRE(n0.findings.size() == 2);
    CHECK(v.findings[n0.findings[1]].code == reason::unstable_figure);
    CHECK(v.findings[n0.findings[0]].detail == "cannot load envelope");
}

TEST_CASE("fleet verdicts: make_record carries what places a GPU in its cohort") {
    aaco::envelope e;
    e.device.id = 2;
    e.device.name = "NVIDIA H200";
    e.device.arch = "sm_90";
    e.device.driver_version = 13000;
    e.device.compute_units = 132;
    e.device.memory_bytes = 141ull << 30;
    e.device.ecc = false;
    for (double limit : {700.0, 699.0, 701.0}) {
        aaco::compute_figure f;
        f.prec = aaco::precision::fp16;
        f.unit = aaco::compute_unit::matrix;
        f.tflops = 800;
        f.stats.samples = 10;
        f.stats.stable = limit != 699.0;  // one unstable figure
        f.telemetry.readings = 3;
        f.telemetry.power_limit_w = limit;
        if (limit == 701.0) {
            f.prec = aaco::precision::bf16;
            aaco::sustained_figure s;
            s.tflops = 850;
            s.stats.samples = 5;
            s.stats.stable = true;
            f.sustained = s;
        }
        if (limit == 699.0) f.prec = aaco::precision::fp8;
        e.compute.push_back(f);
    }
    const fleet_record r = aaco::fleet::make_record(e, "h", 0, 0);
    CHECK(r.driver_version == 13000);
    CHECK(r.compute_units == 132);
    CHECK(r.memory_bytes == 141ull << 30);
    CHECK(r.ecc == 0);
    CHECK(r.power_limit_w == 700);  // median of the three readings
    CHECK(r.is_unstable(ceiling::fp8));
    CHECK_FALSE(r.is_unstable(ceiling::fp16));
    CHECK(r.value(ceiling::bf16) == 850);  // the roof: sustained above burst
    aaco::envelope none;
    const fleet_record u = aaco::fleet::make_record(none, "h");
    CHECK(std::isnan(u.power_limit_w));
    CHECK(u.ecc == -1);
    CHECK(u.driver_version == 0);
}

TEST_CASE("fleet verdicts: the verdict JSON follows its schema; records round-trip") {
    std::vector<fleet_record> rs = mixed_fleet();
    rs[13].set(ceiling::hbm, mi300x[7] * 0.85);
    rs[2].set_unstable(ceiling::l2, true);
    rs.push_back(aaco::fleet::make_failed_record("node6", 18, 0, 0, "no GPU"));
    const auto v = aaco::fleet::judge_fleet(rs);
    const nlohmann::json j = nlohmann::json::parse(aaco::fleet::to_json(rs, v));
    CHECK(j["aaco_fleet"]["schema_version"] == 2);
    CHECK(j["summary"]["verdict"] == "FAIL");
    CHECK(j["summary"]["cohorts"] == 4);
    CHECK(j["summary"]["outliers"] == 1);
    CHECK(j["summary"]["failed"] == 1);
    CHECK(j["split"]["by"] == nlohmann::json::array({"model", "driver", "compute units"}));
    const std::set<std::string> verdicts{"PASS", "WARN", "FAIL"};
    const std::set<std::string> reasons{"ok", "calibration_failed", "below_cohort", "not_confirmed",
                                        "unstable_figure", "too_few_peers"};
    auto number_or_null = [](const nlohmann::json& x) { return x.is_number() || x.is_null(); };
    auto string_or_null = [](const nlohmann::json& x) { return x.is_string() || x.is_null(); };
    REQUIRE(j["verdicts"]["nodes"].size() == 7);
    for (const auto& n : j["verdicts"]["nodes"]) {
        CHECK(n.size() == 10);
        CHECK(n["host"].is_string());
        CHECK(verdicts.count(n["verdict"].get<std::string>()));
        CHECK(reasons.count(n["reason"].get<std::string>()));
        CHECK(n["gpus"].is_number_unsigned());
        for (const char* k : {"figure", "unit", "detail"}) CHECK(string_or_null(n[k]));
        for (const char* k : {"value", "cohort_median", "threshold"}) CHECK(number_or_null(n[k]));
    }
    const auto& n3 = j["verdicts"]["nodes"][4];
    CHECK(n3["host"] == "node4");
    CHECK(n3["verdict"] == "FAIL");
    CHECK(n3["reason"] == "below_cohort");
    CHECK(n3["figure"] == "hbm");
    CHECK(n3["unit"] == "gbps");
    CHECK(n3["value"].get<double>() == doctest::Approx(rs[13].value(ceiling::hbm)));
    CHECK(n3["cohort_median"].get<double>() == doctest::Approx(4900).epsilon(0.005));
    CHECK(n3["threshold"].get<double>() > 0);
    CHECK(j["verdicts"]["nodes"][0]["verdict"] == "WARN");  // node0 holds the unstable l2
    CHECK(j["verdicts"]["nodes"][1]["figure"].is_null());   // a PASS node names no figure
    CHECK(j["verdicts"]["nodes"][6]["reason"] == "calibration_failed");
    CHECK(j["verdicts"]["gpus"].size() == rs.size());
    for (const auto& f : j["verdicts"]["findings"]) {
        CHECK(f.size() == 17);
        for (const char* k : {"rank", "device_id"}) CHECK(f[k].is_number_integer());
        for (const char* k : {"host", "uuid", "device_name", "verdict", "reason", "detail"}) CHECK(f[k].is_string());
        for (const char* k : {"figure", "unit", "confirmation"}) CHECK(string_or_null(f[k]));
        for (const char* k : {"value", "cohort_median", "threshold", "shortfall_percent", "remeasured", "cohort"})
            CHECK(number_or_null(f[k]));
    }
    const auto& c0 = j["cohorts"][0];
    for (const char* k : {"model", "arch", "driver_version", "power_limit_w", "compute_units", "memory_bytes", "ecc"})
        CHECK(c0["key"].contains(k));
    CHECK(c0["median_envelope"]["hbm_gbps"].is_number());
    CHECK(c0["ranks"] == nlohmann::json::array({0, 1, 2, 3, 4, 5}));
    // Records come back with their cohort fields, and judging them again gives the same verdicts.
    const auto doc = aaco::fleet::fleet_from_json(aaco::fleet::to_json(rs, v));
    REQUIRE(doc.records.size() == rs.size());
    CHECK(doc.records[13].driver_version == 60302);
    CHECK(doc.records[13].power_limit_w == 700);
    CHECK(doc.records[13].ecc == 1);
    CHECK(doc.records[2].is_unstable(ceiling::l2));
    const auto again = aaco::fleet::judge_fleet(doc.records, doc.cohorts());
    CHECK(again.overall() == verdict::fail);
    CHECK(again.findings.size() == v.findings.size());
    // A schema 1 document (no cohort fields) still reads: the fields are unknown.
    const auto v1 = aaco::fleet::fleet_from_json(
        R"({"aaco_fleet": {"schema_version": 1}, "records": [{"rank": 0, "status": "ok", "hbm_gbps": 100}]})");
    CHECK(v1.records[0].driver_version == 0);
    CHECK(std::isnan(v1.records[0].power_limit_w));
    CHECK(v1.records[0].ecc == -1);
    CHECK_THROWS_WITH_AS(aaco::fleet::fleet_from_json(
                             R"({"aaco_fleet": {"schema_version": 2}, "records": [{"rank": 0, "status": "ok", "unstable": ["hbm", "l9"]}]})"),
                         doctest::Contains("/records/0/unstable/1"), aaco::parse_error);
}

TEST_CASE("fleet verdicts: Prometheus gauges of nodes, GPUs and findings") {
    std::vector<fleet_record> rs = mixed_fleet();
    rs[13].set(ceiling::hbm, mi300x[7] * 0.85);
    rs[6].set(ceiling::launch, 2.0 * 1.5);
    const auto v = aaco::fleet::judge_fleet(rs);
    const std::string text = aaco::fleet::to_prometheus(rs, v);
    auto has = [&](const std::string& s) { return text.find(s) != std::string::npos; };
    CHECK(has("# TYPE aaco_node_verdict gauge\n"));
    CHECK(has("aaco_fleet_verdict{verdict=\"FAIL\"} 2\n"));
    CHECK(has("aaco_node_verdict{host=\"node4\",verdict=\"FAIL\",reason=\"below_cohort\",figure=\"hbm\"} 2\n"));
    CHECK(has("aaco_node_verdict{host=\"node0\",verdict=\"PASS\",reason=\"ok\"} 0\n"));
    CHECK(has("aaco_gpu_verdict{host=\"node4\",gpu=\"1\",uuid=\"GPU-1013\",model=\"AMD Instinct MI300X\","
              "verdict=\"FAIL\",reason=\"below_cohort\",cohort=\"2\"} 2\n"));
    CHECK(has("aaco_cohort_gpus{cohort=\"0\",description=\"NVIDIA H100 80GB HBM3 (sm_90), driver 55014, 700 W, "
              "132 CUs, 80.0 GiB, ECC on\"} 6\n"));
    // The finding's numbers in base units, one family per unit.
    std::istringstream in(text);
    std::string line;
    double value = 0, median = 0, threshold = 0, shortfall = 0, launch = 0;
    while (std::getline(in, line)) {
        auto val = [&] { return std::stod(line.substr(line.rfind(' ') + 1)); };
        if (line.rfind("aaco_finding_value_bytes_per_second{", 0) == 0) value = val();
        if (line.rfind("aaco_finding_cohort_median_bytes_per_second{", 0) == 0) median = val();
        if (line.rfind("aaco_finding_threshold_bytes_per_second{", 0) == 0) threshold = val();
        if (line.rfind("aaco_finding_shortfall_ratio{", 0) == 0 && line.find("figure=\"hbm\"") != std::string::npos)
            shortfall = val();
        if (line.rfind("aaco_finding_value_seconds{", 0) == 0) launch = val();
        if (line.rfind("aaco_finding_", 0) == 0) CHECK(line.find("figure=\"") != std::string::npos);
    }
    CHECK(value == doctest::Approx(rs[13].value(ceiling::hbm) * 1e9));
    CHECK(median == doctest::Approx(4900e9).epsilon(0.005));
    CHECK(threshold == doctest::Approx(0.05 * median));
    CHECK(shortfall == doctest::Approx(0.15).epsilon(0.02));
    CHECK(launch == doctest::Approx(3.0e-6));
    CHECK_FALSE(has("aaco_finding_remeasured_"));  // nothing was re-measured
}
