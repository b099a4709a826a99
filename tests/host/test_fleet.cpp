// Fleet layer: fixed-size records, fleet statistics, the outlier rule, fleet JSON and markdown,
// the node report. Host-only.
#include <aaco/fleet.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using aaco::fleet::ceiling;
using aaco::fleet::fleet_record;

/// A healthy record with every ceiling set: value = base x scale.
fleet_record healthy(int rank, double scale = 1.0) {
    fleet_record r;
    r.rank = rank;
    r.device_id = rank % 8;
    r.local_rank = rank % 8;
    const double base[] = {60, 55, 380, 760, 760, 1480, 1500, 3000, 9800, 2.0};
    for (std::size_t i = 0; i < aaco::fleet::ceiling_count; ++i) r.values[i] = base[i] * scale;
    aaco::fleet::set_text(r.host, "node" + std::to_string(rank / 8));
    aaco::fleet::set_text(r.uuid, "GPU-" + std::to_string(1000 + rank));
    aaco::fleet::set_text(r.device_name, "NVIDIA H100 80GB HBM3");
    aaco::fleet::set_text(r.arch, "sm_90");
    return r;
}

aaco::envelope small_envelope() {
    aaco::envelope e;
    e.device.id = 3;
    e.device.name = "NVIDIA H100 80GB HBM3";
    e.device.arch = "sm_90";
    e.device.uuid = "GPU-12345678-aaaa-bbbb-cccc-1234567890ab";
    aaco::compute_figure m;
    m.prec = aaco::precision::fp16;
    m.unit = aaco::compute_unit::matrix;
    m.tflops = 760;
    aaco::compute_figure v = m;
    v.unit = aaco::compute_unit::vector;
    v.tflops = 120;
    e.compute = {v, m};
    aaco::memory_figure r;
    r.level = aaco::memory_level::hbm;
    r.op = aaco::stream_op::read;
    r.gbps = 3000;
    aaco::memory_figure c = r;
    c.op = aaco::stream_op::copy;
    c.gbps = 3100;
    e.memory = {r, c};
    aaco::launch_figure a;
    a.mode = aaco::launch_mode::async;
    a.us = 2.5;
    aaco::launch_figure g = a;
    g.mode = aaco::launch_mode::graph;
    g.us = 1.0;
    e.launch = {g, a};
    return e;
}

} // namespace

TEST_CASE("fleet: make_record keeps the roofs of an envelope") {
    const fleet_record r = aaco::fleet::make_record(small_envelope(), "host-a", 7, 2);
    CHECK(r.ok());
    CHECK(r.rank == 7);
    CHECK(r.local_rank == 2);
    CHECK(r.device_id == 3);
    CHECK(r.value(ceiling::fp16) == 760);      // the faster unit
    CHECK(r.value(ceiling::hbm) == 3100);      // the fastest op
    CHECK(r.value(ceiling::launch) == 2.5);    // async, not graph
    CHECK(std::isnan(r.value(ceiling::fp64))); // not measured
    CHECK(std::isnan(r.value(ceiling::l2)));
    CHECK(aaco::fleet::text_of(r.host) == "host-a");
    CHECK(aaco::fleet::text_of(r.uuid) == "GPU-12345678-aaaa-bbbb-cccc-1234567890ab");
    CHECK(aaco::fleet::text_of(r.arch) == "sm_90");
}

TEST_CASE("fleet: fixed-size strings are cut, terminated and survive a byte round trip") {
    fleet_record r = healthy(0);
    const std::string long_host(500, 'h');
    aaco::fleet::set_text(r.host, long_host);
    CHECK(aaco::fleet::text_of(r.host).size() == sizeof r.host - 1);
    // A cut never splits a UTF-8 sequence: 62 ASCII bytes + a 2-byte character needs 64 bytes.
    aaco::fleet::set_text(r.host, std::string(62, 'a') + "\xC3\xA9");
    CHECK(aaco::fleet::text_of(r.host) == std::string(62, 'a'));

    // Raw bytes (what MPI_Gather moves) give back the same record.
    unsigned char bytes[sizeof(fleet_record)];
    std::memcpy(bytes, &r, sizeof r);
    fleet_record back;
    std::memcpy(&back, bytes, sizeof back);
    CHECK(aaco::fleet::sanitize(back));
    CHECK(std::memcmp(&back, &r, sizeof r) == 0);

    // Hostile bytes: no terminator, negative and infinite values, unknown status.
    std::memset(back.uuid, 'x', sizeof back.uuid);
    back.values[0] = -1;
    back.values[1] = std::numeric_limits<double>::infinity();
    back.status = static_cast<aaco::fleet::record_status>(42);
    CHECK_FALSE(aaco::fleet::sanitize(back));
    CHECK(aaco::fleet::text_of(back.uuid).size() == sizeof back.uuid - 1);
    CHECK(std::isnan(back.values[0]));
    CHECK(std::isnan(back.values[1]));
    CHECK_FALSE(back.ok());
    CHECK(aaco::fleet::text_of(back.error).find("unknown status") != std::string_view::npos);
}

TEST_CASE("fleet: median and MAD") {
    CHECK(aaco::fleet::median({3, 1, 2}) == 2);
    CHECK(aaco::fleet::median({4, 1, 3, 2}) == 2.5);
    CHECK(std::isnan(aaco::fleet::median({})));
    std::vector<fleet_record> rs;
    const double hbm[] = {100, 102, 98, 101, 99, 50};
    for (int i = 0; i < 6; ++i) {
        rs.push_back(healthy(i));
        rs.back().set(ceiling::hbm, hbm[i]);
    }
    const auto rep = aaco::fleet::analyze(rs);
    const auto& s = rep.summary(ceiling::hbm);
    CHECK(s.count == 6);
    CHECK(s.median == doctest::Approx(99.5));
    // |x - 99.5| = 0.5 2.5 1.5 1.5 0.5 49.5 -> median 1.5
    CHECK(s.mad == doctest::Approx(1.5));
    CHECK(s.min == 50);
    CHECK(s.max == 102);
    CHECK(s.threshold == doctest::Approx(std::max(5 * 1.5, 0.05 * 99.5)));
    REQUIRE(rep.outliers.size() == 1);
    CHECK(rep.outliers[0].index == 5);
    CHECK(rep.outliers[0].which == ceiling::hbm);
    CHECK(rep.outliers[0].shortfall_percent == doctest::Approx(100.0 * 49.5 / 99.5));
}

TEST_CASE("fleet: outliers are flagged only on the bad side, and launch is lower-is-better") {
    std::vector<fleet_record> rs;
    for (int i = 0; i < 9; ++i) rs.push_back(healthy(i, 1.0 + 0.001 * i));
    rs[2].set(ceiling::fp16, 760 * 1.5);   // faster: not a fault
    rs[4].set(ceiling::launch, 2.0 * 0.5); // faster launches: not a fault
    rs[6].set(ceiling::launch, 2.0 * 1.5); // slower launches: flagged
    rs[7].set(ceiling::fp8, 1480 * 0.8);   // 20% short: flagged
    const auto rep = aaco::fleet::analyze(rs);
    REQUIRE(rep.outliers.size() == 2);
    CHECK(rep.outliers[0].index == 6);
    CHECK(rep.outliers[0].which == ceiling::launch);
    CHECK(rep.outliers[1].index == 7);
    CHECK(rep.outliers[1].which == ceiling::fp8);
    CHECK(rep.ok == 9);
    CHECK(rep.clean() == false);
}

TEST_CASE("fleet: the percentage floor and k x MAD both have to be exceeded") {
    std::vector<fleet_record> rs;
    for (int i = 0; i < 5; ++i) rs.push_back(healthy(i));
    rs[3].set(ceiling::hbm, 3000 * 0.97);  // 3% short, MAD 0: below the 5% floor
    CHECK(aaco::fleet::analyze(rs).outliers.empty());
    aaco::fleet::outlier_config strict;
    strict.min_percent = 2;
    auto rep = aaco::fleet::analyze(rs, strict);
    REQUIRE(rep.outliers.size() == 1);
    CHECK(rep.outliers[0].index == 3);

    // A noisy fleet: 10% spread everywhere; a card 12% short is inside k x MAD.
    std::vector<fleet_record> noisy;
    const double scale[] = {0.90, 1.10, 0.95, 1.05, 1.00, 0.92, 1.08, 0.88};
    for (int i = 0; i < 8; ++i) noisy.push_back(healthy(i, scale[i]));
    CHECK(aaco::fleet::analyze(noisy).outliers.empty());
    aaco::fleet::outlier_config tight;
    tight.k = 1;
    CHECK_FALSE(aaco::fleet::analyze(noisy, tight).outliers.empty());
}

TEST_CASE("fleet: two GPUs never flag each other; failed and unmeasured are left out") {
    std::vector<fleet_record> rs = {healthy(0), healthy(1, 0.5)};
    auto rep = aaco::fleet::analyze(rs);
    CHECK(rep.outliers.empty());
    CHECK(rep.summary(ceiling::hbm).median == doctest::Approx(2250));

    rs.push_back(aaco::fleet::make_failed_record("h", 2, 0, 1, "boom"));
    rs.push_back(healthy(3));
    rs[3].set(ceiling::fp8, std::numeric_limits<double>::quiet_NaN());
    rep = aaco::fleet::analyze(rs);
    CHECK(rep.failed == 1);
    CHECK(rep.ok == 3);
    REQUIRE(rep.failed_indices.size() == 1);
    CHECK(rep.failed_indices[0] == 2);
    CHECK(rep.summary(ceiling::fp8).count == 2);
    CHECK(rep.summary(ceiling::hbm).count == 3);

    const std::vector<fleet_record> none;
    rep = aaco::fleet::analyze(none);
    CHECK(rep.records == 0);
    CHECK(rep.summary(ceiling::fp16).count == 0);
    CHECK(std::isnan(rep.summary(ceiling::fp16).median));
    CHECK(rep.clean());
}

TEST_CASE("fleet: outlier_config validation") {
    aaco::fleet::outlier_config c;
    CHECK_NOTHROW(c.validate());
    c.k = 0;
    CHECK_THROWS_AS(c.validate(), aaco::invalid_argument);
    c.k = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(c.validate(), aaco::invalid_argument);
    c.k = 3;
    c.min_percent = -1;
    CHECK_THROWS_AS(c.validate(), aaco::invalid_argument);
    c.min_percent = 100;
    CHECK_THROWS_AS(c.validate(), aaco::invalid_argument);
    c.min_percent = 0;
    CHECK_NOTHROW(c.validate());
    aaco::fleet::outlier_config bad;
    bad.k = -2;
    CHECK_THROWS_WITH_AS(aaco::fleet::analyze(std::vector<fleet_record>{healthy(0)}, bad),
                         doctest::Contains("k must be"), aaco::invalid_argument);
}

TEST_CASE("fleet: 10,000 synthetic GPUs with planted outliers") {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(1.0, 0.004);
    std::vector<fleet_record> rs;
    rs.reserve(10000);
    for (int i = 0; i < 10000; ++i) {
        fleet_record r = healthy(i);
        for (double& v : r.values) v *= noise(rng);
        if (i % 1000 == 123) r.set(ceiling::hbm, r.value(ceiling::hbm) * 0.85);
        if (i == 4242) r.set(ceiling::launch, r.value(ceiling::launch) * 1.3);
        if (i % 2500 == 7) r = aaco::fleet::make_failed_record("nodeX", i, 0, 0, "no GPU");
        rs.push_back(r);
    }
    const auto rep = aaco::fleet::analyze(rs);
    CHECK(rep.records == 10000);
    CHECK(rep.failed == 4);
    CHECK(rep.ok == 9996);
    REQUIRE(rep.outliers.size() == 11);
    for (const auto& o : rep.outliers) {
        if (o.which == ceiling::hbm) {
            CHECK(o.index % 1000 == 123);
            CHECK(o.shortfall_percent == doctest::Approx(15).epsilon(0.1));
        } else {
            CHECK(o.which == ceiling::launch);
            CHECK(o.index == 4242);
        }
    }
    CHECK(rep.summary(ceiling::hbm).median == doctest::Approx(3000).epsilon(0.002));
    CHECK(rep.summary(ceiling::hbm).count == 9996);
    const fleet_record med = aaco::fleet::median_record(rep);
    CHECK(med.value(ceiling::fp16) == doctest::Approx(760).epsilon(0.002));
}

TEST_CASE("fleet: JSON round trip") {
    std::vector<fleet_record> rs;
    for (int i = 0; i < 6; ++i) rs.push_back(healthy(i));
    rs[1].set(ceiling::hbm, 2000);
    rs[2].set(ceiling::fp8, std::numeric_limits<double>::quiet_NaN());
    rs.push_back(aaco::fleet::make_failed_record("node9", 6, 2, 5, "cannot load \"x\" | bad"));
    aaco::fleet::outlier_config cfg;
    cfg.k = 4;
    cfg.min_percent = 7.5;
    const auto rep = aaco::fleet::analyze(rs, cfg);
    aaco::fleet::cohort_config ccfg{cfg, 4};
    const std::string text =
        aaco::fleet::to_json(rs, aaco::fleet::judge(rs, aaco::fleet::split_into_cohorts(rs, ccfg), nullptr));
    CHECK(text.find("\"median_envelope\"") != std::string::npos);
    CHECK(text.find("\"fp8_tflops\": null") != std::string::npos);
    const auto doc = aaco::fleet::fleet_from_json(text);
    CHECK(doc.config.k == 4);
    CHECK(doc.config.min_percent == 7.5);
    CHECK(doc.min_peers == 4);
    REQUIRE(doc.records.size() == rs.size());
    for (std::size_t i = 0; i < rs.size(); ++i) {
        CHECK(doc.records[i].rank == rs[i].rank);
        CHECK(doc.records[i].local_rank == rs[i].local_rank);
        CHECK(doc.records[i].device_id == rs[i].device_id);
        CHECK(doc.records[i].status == rs[i].status);
        CHECK(aaco::fleet::text_of(doc.records[i].host) == aaco::fleet::text_of(rs[i].host));
        CHECK(aaco::fleet::text_of(doc.records[i].uuid) == aaco::fleet::text_of(rs[i].uuid));
        CHECK(aaco::fleet::text_of(doc.records[i].error) == aaco::fleet::text_of(rs[i].error));
        for (ceiling c : aaco::fleet::all_ceilings) {
            const double a = rs[i].value(c), b = doc.records[i].value(c);
            CHECK(((std::isnan(a) && std::isnan(b)) || a == b));
        }
    }
    const auto again = aaco::fleet::analyze(doc.records, doc.config);
    REQUIRE(again.outliers.size() == rep.outliers.size());
    CHECK(again.outliers[0].index == 1);
    CHECK(again.failed == 1);
}

TEST_CASE("fleet: the JSON reader refuses hostile input with a pointer") {
    auto refuses = [](const std::string& text, const std::string& needle) {
        try {
            (void)aaco::fleet::fleet_from_json(text);
        } catch (const aaco::parse_error& e) {
            const std::string what = e.what();
            INFO(what);
            CHECK(what.find(needle) != std::string::npos);
            return;
        }
        FAIL("accepted: " << text);
    };
    const std::string head = R"({"aaco_fleet": {"schema_version": 1}, )";
    refuses("", "empty input");
    refuses("[1,2]", "expected a JSON object");
    refuses(R"({"records": []})", "/aaco_fleet");
    refuses(R"({"aaco_fleet": {"schema_version": 99}, "records": []})", "newer");
    refuses(head + R"("records": 5})", "/records");
    refuses(head + R"("records": [{"status": "ok"}]})", "/records/0/rank");
    refuses(head + R"("records": [{"rank": 0, "status": "maybe"}]})", "/records/0/status");
    refuses(head + R"("records": [{"rank": 0, "status": "ok", "hbm_gbps": -3}]})", "/records/0/hbm_gbps");
    refuses(head + R"("records": [{"rank": 0, "status": "ok", "fp16_tflops": 1e300}]})", "/records/0/fp16_tflops");
    refuses(head + R"("records": [{"rank": 0, "status": "ok", "host": ")" + std::string(200, 'h') + R"("}]})",
            "/records/0/host");
    refuses(head + R"("config": {"k": 0}, "records": []})", "/config");
    refuses(head + R"("records": [)" + std::string(100, '[') + std::string(100, ']') + "]}", "nest");
    refuses(head + R"("records": [{"rank": 0, "status": "ok", "hbm_gbps": NaN}]})", "NaN");
    refuses(head + R"("records": [{"rank": 0)", "truncated");
    // Minimal valid document.
    const auto doc = aaco::fleet::fleet_from_json(head + R"("records": [{"rank": 3, "status": "failed"}]})");
    REQUIRE(doc.records.size() == 1);
    CHECK(doc.records[0].rank == 3);
    CHECK_FALSE(doc.records[0].ok());
    CHECK(std::isnan(doc.records[0].value(ceiling::hbm)));
}

TEST_CASE("fleet: markdown names outliers and failed ranks, escaped") {
    std::vector<fleet_record> rs;
    for (int i = 0; i < 5; ++i) rs.push_back(healthy(i));
    rs[4].set(ceiling::l2, 5000);
    aaco::fleet::set_text(rs[4].host, "evil|host<b>");
    rs.push_back(aaco::fleet::make_failed_record("node7", 5, 1, 1, "driver | gone"));
    const std::string md = aaco::fleet::to_markdown(rs, aaco::fleet::judge_fleet(rs));
    CHECK(md.find("| 4 | evil\\|host\\<b\\> | 4 | GPU-1004 | NVIDIA H100 80GB HBM3 | FAIL | below_cohort | l2 |") !=
          std::string::npos);
    CHECK(md.find("| 5 | node7 | 1 | driver \\| gone |") != std::string::npos);
    CHECK(md.find("6 GPUs on 3 node(s): 5 calibrated, 1 failed, 1 outlying figures. Verdict: **FAIL**") !=
          std::string::npos);
}

TEST_CASE("fleet: node summary and P2P matrix") {
    aaco::fleet::node_report node;
    node.host = "box";
    for (int i = 0; i < 3; ++i) {
        aaco::envelope e = small_envelope();
        e.device.id = i;
        e.device.uuid = "GPU-" + std::to_string(i);
        if (i == 2) e.memory[0].gbps = e.memory[1].gbps = 2000;  // the slow one
        node.devices.push_back(e);
    }
    node.failures.push_back({"device.3", "no kernel image"});
    node.failures.push_back({"p2p", "not a device"});
    node.p2p.devices = {0, 1, 2};
    for (int s = 0; s < 3; ++s)
        for (int d = 0; d < 3; ++d) {
            if (s == d) continue;
            aaco::fleet::p2p_cell c;
            c.src = s;
            c.dst = d;
            c.peer_access = !(s == 2 || d == 2);
            if (c.peer_access) {
                c.unidirectional_gbps = 380.5;
                c.bidirectional_gbps = 700.25;
                c.link = "xgmi";
                c.hops = 1;
            }
            node.p2p.cells.push_back(c);
        }
    const auto records = aaco::fleet::node_records(node);
    REQUIRE(records.size() == 4);  // 3 devices + device.3; "p2p" is not a device
    CHECK(records[3].device_id == 3);
    CHECK_FALSE(records[3].ok());

    const std::string md = aaco::fleet::node_summary_markdown(node);
    CHECK(md.find("| 2 | NVIDIA H100 80GB HBM3 | GPU-2 | FAIL |") != std::string::npos);
    CHECK(md.find("2000.0 (-35.5%) (!)") != std::string::npos);
    CHECK(md.find("3100.0 (+0.0%) |") != std::string::npos);
    CHECK(md.find("| 3 | n/a | n/a | FAIL | failed |") != std::string::npos);
    CHECK(md.find("Verdict: **FAIL** (calibration_failed: no kernel image)") != std::string::npos);

    const std::string p2p = aaco::fleet::p2p_markdown(node.p2p);
    CHECK(p2p.find("| 0 | - | 380.5 | no peer |") != std::string::npos);
    CHECK(p2p.find("| 0 | - | 700.2 | no peer |") != std::string::npos);  // 700.25 -> 700.2 (round-half-even)
    CHECK(p2p.find("0-1 xgmi (1 hops)") != std::string::npos);

    const auto j = aaco::fleet::to_json_value(node);
    CHECK(j["devices"].size() == 3);
    CHECK(j["p2p"]["pairs"].size() == 6);
    CHECK(j["p2p"]["pairs"][0]["unidirectional_gbps"] == 380.5);
    CHECK(j["p2p"]["pairs"][1]["unidirectional_gbps"].is_null());
    CHECK(j["summary"]["summary"]["outliers"] == 1);
    CHECK(j["summary"]["summary"]["failed"] == 1);
    CHECK(j["verdict"]["verdict"] == "FAIL");
    CHECK(j["verdict"]["reason"] == "calibration_failed");
    CHECK(j["aaco_node"]["schema_version"] == 2);
    // Each device entry is a full envelope the envelope reader accepts.
    const aaco::envelope back = aaco::envelope_from_json_value(nlohmann::json(j["devices"][2]));
    CHECK(back.device.uuid == "GPU-2");
}
