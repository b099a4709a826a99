// rocprof-compute's roofline.csv: golden files field by field, the unit and selection of every
// ceiling, rocprof-compute's row-length rule, round trip, partial and empty envelopes, the reader.
#include "test_export_support.hpp"

#include <aaco/io/export_rocprof.hpp>
#include <aaco/io/csv.hpp>
#include <aaco/model/profiles.hpp>
#include <aaco/model/roofline.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using aaco_test_export::close;
using aaco_test_export::fixture;
using aaco_test_export::read_text;

/// A roofline.csv as rows of cells.
std::vector<std::vector<std::string>> table(const std::string& text) {
    aaco::csv::reader in(text, "test");
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> r;
    while (in.next(r)) rows.push_back(r);
    return rows;
}

/// Column -> cell of the first data row.
std::map<std::string, std::string> first_row(const std::string& text) {
    const auto t = table(text);
    REQUIRE(t.size() == 2);
    REQUIRE(t[0].size() == t[1].size());
    std::map<std::string, std::string> m;
    for (std::size_t i = 0; i < t[0].size(); ++i) m[t[0][i]] = t[1][i];
    return m;
}

/// Golden and produced tables: same header, same cells (numbers within 1e-9 relative).
void check_against_golden(const std::string& produced, const std::string& golden_file) {
    const auto got = table(produced);
    const auto want = table(read_text(fixture(golden_file)));
    REQUIRE(got.size() == want.size());
    for (std::size_t r = 0; r < want.size(); ++r) {
        REQUIRE(got[r].size() == want[r].size());
        for (std::size_t c = 0; c < want[r].size(); ++c) {
            INFO(golden_file << " row " << r << " column " << want[0][c]);
            if (r == 0 || want[r][c].empty()) {
                CHECK(got[r][c] == want[r][c]);
            } else {
                CHECK(close(std::stod(got[r][c]), std::stod(want[r][c])));
            }
        }
    }
}

} // namespace

TEST_CASE("rocprof-csv: the measured envelope matches its golden file field by field") {
    check_against_golden(aaco::to_rocprof_csv(aaco_test_export::synthetic_h200()),
                         "export/synthetic_h200.roofline.csv");
}

TEST_CASE("rocprof-csv: the datasheet envelope matches its golden file; no interval is invented") {
    const std::string out = aaco::to_rocprof_csv(aaco::datasheet_envelope("mi300x"));
    check_against_golden(out, "export/mi300x.roofline.csv");
    const auto row = first_row(out);
    CHECK(row.at("HBMBw") == "5324.8");
    CHECK(row.at("HBMBwLow").empty());
    CHECK(row.at("HBMBwHigh").empty());
    CHECK(row.at("MFMAF16Flops") == "1307400");  // 1307.4 TFLOP/s in GFLOP/s
    CHECK(row.at("FP32Flops") == "163400");      // packed FP32, the best printed vector figure
    CHECK(row.at("device") == "0");              // a datasheet has no device index
}

TEST_CASE("rocprof-csv: every ceiling in GB/s or GFLOP/s, chosen as aaco's roofline chooses it") {
    const aaco::envelope e = aaco_test_export::synthetic_h200();
    const auto row = first_row(aaco::to_rocprof_csv(e));
    // Bandwidth: the fastest op of the roof working set (read 4732 beats copy/triad/write);
    // the whole-L2 figure (9800) never stands for the L2 roof.
    CHECK(std::stod(row.at("HBMBw")) == 4732);
    CHECK(std::stod(row.at("L2Bw")) == 14276);
    CHECK(std::stod(row.at("LDSBw")) == 32774);
    // Rates in GFLOP/s (GOP/s for int8): TFLOP/s x 1000.
    CHECK(close(std::stod(row.at("MFMAF16Flops")), 829.0e3));
    CHECK(close(std::stod(row.at("MFMABF16Flops")), 870.8e3));
    CHECK(close(std::stod(row.at("MFMAF8Flops")), 1712.2e3));   // burst is the roof (sustained 1650 is lower)
    CHECK(close(std::stod(row.at("MFMAI8Ops")), 1894.2e3));
    CHECK(close(std::stod(row.at("MFMAF64Flops")), 66.36e3));
    CHECK(close(std::stod(row.at("FP32Flops")), 66.2e3));       // the sustained figure is the roof here
    CHECK(close(std::stod(row.at("FP64Flops")), 30.8e3));       // the higher of the two fp64 vector figures
    const aaco::roofline r = aaco::make_roofline(e);            // ... as make_roofline picks it
    CHECK(close(std::stod(row.at("FP64Flops")), r.compute(aaco::precision::fp64, aaco::compute_unit::vector).tflops * 1e3));
    CHECK(close(std::stod(row.at("FP32Flops")), e.compute_tflops(aaco::precision::fp32) * 1e3));  // the HEU roof
    // The 95% interval: percentiles where computed, else the samples' min/max (bf16 has none).
    CHECK(close(std::stod(row.at("HBMBwLow")), 4732 * 0.985));
    CHECK(close(std::stod(row.at("HBMBwHigh")), 4732 * 1.012));
    CHECK(close(std::stod(row.at("MFMABF16FlopsLow")), 870.8e3 * 0.97));
    CHECK(close(std::stod(row.at("MFMABF16FlopsHigh")), 870.8e3 * 1.02));
    CHECK(close(std::stod(row.at("FP32FlopsLow")), 66.2e3 * 0.985));  // the sustained samples
    // Not measured, or no column for it: left out, never a 0.
    for (const char* absent : {"MALLBw", "L1Bw", "FP16Flops", "I8Ops", "MFMAF32Flops", "I32Ops"})
        CHECK(row.count(absent) == 0);
    const std::vector<std::string> left_out = aaco::rocprof_omissions(e);
    CHECK(std::find(left_out.begin(), left_out.end(), "compute.tf32.matrix") != left_out.end());
    CHECK(std::find(left_out.begin(), left_out.end(), "memory.h2d.copy") != left_out.end());
}

TEST_CASE("rocprof-csv: rocprof-compute's column order, triples and equal row lengths") {
    const auto t = table(aaco::to_rocprof_csv(aaco::datasheet_envelope("mi300x")));
    REQUIRE(t.size() == 2);
    CHECK(t[0].size() == t[1].size());  // rocprof-compute's validate_roofline_csv rule
    CHECK(t[0][0] == "device");
    CHECK((t[0].size() - 1) % 3 == 0);
    for (std::size_t i = 1; i + 2 < t[0].size(); i += 3) {
        CHECK(t[0][i + 1] == t[0][i] + "Low");
        CHECK(t[0][i + 2] == t[0][i] + "High");
    }
    // Relative order is rocprof-compute's: memory first, then vector, then MFMA columns.
    auto pos = [&](const std::string& c) { return std::find(t[0].begin(), t[0].end(), c) - t[0].begin(); };
    CHECK(pos("HBMBw") < pos("FP32Flops"));
    CHECK(pos("FP32Flops") < pos("FP64Flops"));
    CHECK(pos("FP64Flops") < pos("MFMAF8Flops"));
    CHECK(pos("MFMAF8Flops") < pos("MFMAF16Flops"));
    CHECK(pos("MFMAF16Flops") < pos("MFMABF16Flops"));
    CHECK(pos("MFMAF64Flops") < pos("MFMAI8Ops"));
}

TEST_CASE("rocprof-csv: round trip through aaco's reader") {
    const aaco::envelope e = aaco_test_export::synthetic_h200();
    const std::string text = aaco::to_rocprof_csv(e);
    const aaco::rocprof_roofline back = aaco::read_rocprof_csv(text);
    CHECK(back.device == 0);
    CHECK(back.ignored.empty());
    // Same ceilings as the original's roofs (burst or sustained, the higher).
    const aaco::roofline got = aaco::make_roofline(back.env);
    for (const auto& c : got.compute_ceilings()) {
        INFO(c.name);
        CHECK(close(c.tflops, aaco::export_detail::ceiling_figure(e, c.prec, c.unit)->roof_tflops()));
    }
    CHECK(got.compute_ceilings().size() == 7);  // the 8 (precision, unit) pairs but tf32 (no column)
    for (aaco::memory_level l : {aaco::memory_level::hbm, aaco::memory_level::l2, aaco::memory_level::shared})
        CHECK(close(got.memory(l).gbps, aaco::export_detail::ceiling_figure(e, l)->gbps));
    // The interval survives, and writing the read envelope gives the same file.
    const aaco::memory_figure* hbm = back.env.find_memory(aaco::memory_level::hbm, aaco::stream_op::read);
    REQUIRE(hbm);
    CHECK(close(hbm->stats.p2_5, 4732 * 0.985));
    CHECK(hbm->stats.samples == 0);  // the file keeps no sample count: none is invented
    check_against_golden(aaco::to_rocprof_csv(back.env), "export/synthetic_h200.roofline.csv");
}

TEST_CASE("rocprof-csv: a partial envelope writes only what was measured; an empty one is refused") {
    aaco::envelope e;
    e.device.id = 3;
    aaco::memory_figure m;
    m.level = aaco::memory_level::hbm;
    m.gbps = 1000;
    e.memory.push_back(m);
    CHECK(aaco::to_rocprof_csv(e) == "device,HBMBw,HBMBwLow,HBMBwHigh\n3,1000,,\n");
    aaco::envelope empty;
    CHECK_THROWS_WITH_AS(aaco::to_rocprof_csv(empty),
                         doctest::Contains("no figure that roofline.csv can hold"), aaco::invalid_argument);
    // A host-link figure alone has no column either.
    aaco::envelope link;
    m.level = aaco::memory_level::host_to_device;
    link.memory.push_back(m);
    CHECK_THROWS_AS(aaco::to_rocprof_csv(link), aaco::invalid_argument);
}

TEST_CASE("rocprof-csv reader: rocprof-compute's own files (spelling, zeros, extra columns, rows)") {
    // The shape of rocprof-compute's benchmark output: lower-case "hbmBwHigh" from its C++
    // benchmark, columns aaco has no figure for, 0 for a data type the GPU lacks, two devices.
    const std::string text =
        "device,HBMBw,HBMBwLow,hbmBwHigh,MALLBw,MALLBwLow,MALLBwHigh,L1Bw,L1BwLow,L1BwHigh,"
        "FP8Flops,FP8FlopsLow,FP8FlopsHigh,MFMAF16Flops,MFMAF16FlopsLow,MFMAF16FlopsHigh,"
        "MFMAI8Ops,MFMAFI8OpsLow,MFMAI8OpsHigh\r\n"
        "0,4000.5,3990.1,4010.9,11000,10900,11100,20000,19000,21000,0,0,0,900000,890000,910000,"
        "1800000,1790000,1810000\r\n"
        "1,4100,4090,4110,11100,11000,11200,20100,19100,21100,0,0,0,910000,900000,920000,"
        "1810000,1800000,1820000\r\n";
    const aaco::rocprof_roofline r0 = aaco::read_rocprof_csv(text);
    CHECK(r0.device == 0);
    CHECK(r0.env.memory_gbps(aaco::memory_level::hbm) == 4000.5);
    CHECK(r0.env.memory_gbps(aaco::memory_level::llc) == 11000);
    CHECK(close(r0.env.compute_tflops(aaco::precision::fp16), 900.0));
    const aaco::compute_figure* i8 = r0.env.find_compute(aaco::precision::int8, aaco::compute_unit::matrix);
    REQUIRE(i8);
    CHECK(close(i8->stats.p2_5, 1790.0));   // the C++ benchmark's "MFMAFI8OpsLow" spelling
    CHECK(close(i8->stats.p97_5, 1810.0));
    const aaco::memory_figure* hbm = r0.env.find_memory(aaco::memory_level::hbm, aaco::stream_op::read);
    REQUIRE(hbm);
    CHECK(hbm->stats.p97_5 == 4010.9);      // "hbmBwHigh" matched case-insensitively
    CHECK_FALSE(r0.env.has_compute(aaco::precision::fp8));  // 0 = not measured
    CHECK(r0.ignored == std::vector<std::string>{"L1Bw", "L1BwLow", "L1BwHigh"});
    const aaco::rocprof_roofline r1 = aaco::read_rocprof_csv(text, 1);
    CHECK(r1.device == 1);
    CHECK(r1.env.memory_gbps(aaco::memory_level::hbm) == 4100);
    CHECK_THROWS_WITH_AS(aaco::read_rocprof_csv(text, 5), doctest::Contains("no row for device 5"),
                         aaco::parse_error);
}

TEST_CASE("rocprof-csv reader: malformed files are refused with the line and column") {
    using aaco::parse_error;
    CHECK_THROWS_WITH_AS(aaco::read_rocprof_csv(""), doctest::Contains("empty file"), parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_rocprof_csv("gpu,HBMBw\n0,1\n"), doctest::Contains("expected 'device'"),
                         parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_rocprof_csv("device,HBMBw\n0,1,2\n"),
                         doctest::Contains("line 2: row has 3 cells, the header 2"), parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_rocprof_csv("device,HBMBw\n0,fast\n"),
                         doctest::Contains("column HBMBw: 'fast' is not a finite number"), parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_rocprof_csv("device,HBMBw\n0,nan\n"),
                         doctest::Contains("column HBMBw"), parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_rocprof_csv("device,HBMBw\n0,-5\n"), doctest::Contains("negative"),
                         parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_rocprof_csv("device,HBMBw\n"), doctest::Contains("no data row"), parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_rocprof_csv("device,HBMBw\n\"0,1\n"), doctest::Contains("never closed"),
                         parse_error);
}
