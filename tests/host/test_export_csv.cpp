// The per-figure CSV: golden files cell by cell, one row per figure with its unit, statistics
// and telemetry, quoting, empty cells for what is unknown, partial and empty envelopes.
#include "test_export_support.hpp"

#include <aaco/io/csv.hpp>
#include <aaco/io/export_csv.hpp>
#include <aaco/model/profiles.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using aaco_test_export::close;
using aaco_test_export::fixture;
using aaco_test_export::read_text;

using table = std::vector<std::map<std::string, std::string>>;

/// Rows as column -> cell; checks every row has the header's width.
table rows_of(const std::string& text) {
    aaco::csv::reader in(text, "test");
    std::vector<std::string> header, r;
    REQUIRE(in.next(header));
    table t;
    while (in.next(r)) {
        REQUIRE(r.size() == header.size());
        std::map<std::string, std::string> m;
        for (std::size_t i = 0; i < r.size(); ++i) m[header[i]] = r[i];
        t.push_back(m);
    }
    return t;
}

const std::map<std::string, std::string>& row(const table& t, const std::string& figure) {
    for (const auto& r : t)
        if (r.at("figure") == figure) return r;
    FAIL("no row " << figure);
    return t.front();
}

bool is_number(const std::string& s) {
    try {
        std::size_t used = 0;
        std::stod(s, &used);
        return used == s.size();
    } catch (const std::exception&) {
        return false;
    }
}

void check_against_golden(const std::string& produced, const std::string& golden_file) {
    const table got = rows_of(produced), want = rows_of(read_text(fixture(golden_file)));
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
        for (const auto& entry : want[i]) {
            const std::string& col = entry.first;
            const std::string& cell = entry.second;
            INFO(golden_file << " row " << i << " (" << want[i].at("figure") << ") column " << col);
            const std::string& g = got[i].at(col);
            if (is_number(cell) && is_number(g)) CHECK(close(std::stod(g), std::stod(cell)));
            else CHECK(g == cell);
        }
}

} // namespace

TEST_CASE("csv: golden files cell by cell") {
    check_against_golden(aaco::to_csv(aaco_test_export::synthetic_h200()), "export/synthetic_h200.csv");
    check_against_golden(aaco::to_csv(aaco::datasheet_envelope("mi300x")), "export/mi300x.csv");
}

TEST_CASE("csv: the header is csv_columns; one row per figure with its value and unit") {
    const aaco::envelope e = aaco_test_export::synthetic_h200();
    const std::string text = aaco::to_csv(e);
    std::string header;
    for (std::string_view c : aaco::csv_columns) header += (header.empty() ? "" : ",") + std::string(c);
    CHECK(text.substr(0, text.find('\n')) == header);
    const table t = rows_of(text);
    CHECK(t.size() == e.compute.size() + 2 /* sustained */ + e.memory.size() + e.launch.size() +
                          e.latency.size() + e.capacities.size());
    CHECK(row(t, "compute.fp16.matrix").at("value") == "829");
    CHECK(row(t, "compute.fp16.matrix").at("value_unit") == "TFLOP/s");
    CHECK(row(t, "compute.int8.matrix").at("value_unit") == "TOP/s");
    CHECK(row(t, "compute.fp64.vector.zero").at("operands") == "zero");
    CHECK(row(t, "compute.fp32.vector.sustained").at("value") == "66.2");
    CHECK(row(t, "memory.hbm.read").at("value_unit") == "GB/s");
    CHECK(row(t, "memory.l2.read.whole").at("scope") == "whole");
    CHECK(row(t, "launch.device").at("value_unit") == "us");
    CHECK(row(t, "latency.l2.near").at("value") == "262.5");
    CHECK(row(t, "latency.l2.near").at("value_unit") == "ns");
    CHECK(row(t, "capacity.l2").at("value") == "33554432");
    CHECK(row(t, "capacity.l2").at("value_high") == "67108864");
    // Statistics and telemetry of the figure.
    const auto& fp16 = row(t, "compute.fp16.matrix");
    CHECK(fp16.at("samples") == "31");
    CHECK(fp16.at("stable") == "true");
    CHECK(close(std::stod(fp16.at("p2_5")), 829 * 0.985));
    CHECK(fp16.at("telemetry_source") == "nvml");
    CHECK(fp16.at("power_limit_w") == "700");
    CHECK(fp16.at("power_limited") == "true");
    CHECK(fp16.at("throttle_reasons") == "sw_power_cap");
    CHECK(fp16.at("operand_distribution") == "uniform [-1, 1]");  // quoted: it holds a comma
    CHECK(fp16.at("uuid") == "GPU-5f1c0000-0000-4000-8000-000000000001");
    // Unknown is empty, never 0: bf16 has no percentiles, no telemetry.
    const auto& bf16 = row(t, "compute.bf16.matrix");
    CHECK(bf16.at("p2_5").empty());
    CHECK(bf16.at("power_mean_w").empty());
    CHECK(row(t, "memory.l2.read").at("datasheet_value").empty());
}

TEST_CASE("csv: a datasheet envelope has empty statistics and operands") {
    const table t = rows_of(aaco::to_csv(aaco::datasheet_envelope("mi300x")));
    const auto& fp16 = row(t, "compute.fp16.matrix");
    CHECK(fp16.at("value") == "1307.4");
    CHECK(fp16.at("source") == "datasheet");
    for (const char* c : {"samples", "median", "stable", "cov", "operands", "gpu", "calibration_timestamp"})
        CHECK(fp16.at(c).empty());
}

TEST_CASE("csv: partial and empty envelopes; hostile text stays one cell") {
    aaco::envelope e;
    e.device.name = "a,b \"c\"\nd";
    aaco::memory_figure m;
    m.level = aaco::memory_level::hbm;
    m.gbps = 1000;
    m.method = " padded ";
    e.memory.push_back(m);
    const table t = rows_of(aaco::to_csv(e));
    REQUIRE(t.size() == 1);
    CHECK(t[0].at("device") == "a,b \"c\"\nd");
    CHECK(t[0].at("method") == " padded ");
    CHECK(t[0].at("value") == "1000");
    CHECK(t[0].at("samples").empty());
    CHECK(rows_of(aaco::to_csv(aaco::envelope{})).empty());
}
