// --compare: figures side by side with their ratio, ceilings only against roofline.csv/ERT
// files, and the loader that recognises aaco JSON, roofline.csv and roofline.json by content.
#include "test_export_support.hpp"

#include <aaco/io/compare.hpp>
#include <aaco/io/export.hpp>
#include <aaco/model/profiles.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using aaco_test_export::close;

const aaco::compare_row* row(const std::vector<aaco::compare_row>& rows, const std::string& figure) {
    for (const auto& r : rows)
        if (r.figure == figure) return &r;
    return nullptr;
}

std::string temp_file(const std::string& name, const std::string& text) {
    const auto p = std::filesystem::temp_directory_path() / ("aaco_compare_" + name);
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
}

} // namespace

TEST_CASE("compare: every shared figure side by side with other / reference") {
    const aaco::envelope today = aaco_test_export::synthetic_h200();
    aaco::envelope yesterday = today;
    for (auto& m : yesterday.memory)
        if (m.level == aaco::memory_level::hbm && m.op == aaco::stream_op::read) m.gbps *= 0.9;
    for (auto& l : yesterday.launch)
        if (l.mode == aaco::launch_mode::device) l.us = 2.52;
    yesterday.latency.pop_back();  // hbm latency not measured yesterday
    const auto rows = aaco::compare_envelopes(today, yesterday);
    const auto* read = row(rows, "memory.hbm.read");
    REQUIRE(read);
    CHECK(close(read->ratio, 0.9));
    CHECK(read->unit == "GB/s");
    CHECK_FALSE(read->ceiling);
    // The HBM ceiling is the fastest op: yesterday that was write (4417), not the slowed read.
    const auto* hbm = row(rows, "ceiling.hbm");
    REQUIRE(hbm);
    CHECK(hbm->ceiling);
    CHECK(close(hbm->other, 4417));
    CHECK(close(hbm->ratio, 4417.0 / 4732.0));
    const auto* dev = row(rows, "launch.device");
    REQUIRE(dev);
    CHECK(dev->lower_is_better);
    CHECK(close(dev->ratio, 1.2));
    CHECK(row(rows, "latency.l2.near"));
    CHECK_FALSE(row(rows, "latency.hbm"));  // only in one of them: not shared
    CHECK(row(rows, "compute.fp64.vector.zero"));
    CHECK(close(row(rows, "ceiling.fp32.vector")->reference, 66.2));  // the sustained roof
    CHECK(row(rows, "ceiling.int8.matrix")->unit == "TOP/s");
    const std::string md = aaco::compare_markdown(rows, "today.json", "yesterday.json");
    CHECK(md.find("| memory.hbm.read | GB/s | 4732.0 | 4258.8 | 0.900 |") != std::string::npos);
    CHECK(md.find("| launch.device | us (lower is better) | 2.10 | 2.52 | 1.200 |") != std::string::npos);
    CHECK(md.find("ratio (yesterday.json / today.json)") != std::string::npos);
}

TEST_CASE("compare: against a roofline.csv only ceilings; against a datasheet what it states") {
    const aaco::envelope e = aaco_test_export::synthetic_h200();
    const std::string path = temp_file("roofline.csv", aaco::to_rocprof_csv(e));
    const aaco::loaded_envelope l = aaco::load_any_envelope(path);
    std::filesystem::remove(path);
    CHECK(l.format == "rocprof-csv");
    CHECK_FALSE(l.figures_known);
    const auto rows = aaco::compare_envelopes(e, l.env, l.figures_known);
    CHECK(rows.size() == 10);  // 7 compute ceilings (no tf32 column) + hbm, l2, shared
    for (const auto& r : rows) {
        INFO(r.figure);
        CHECK(r.ceiling);
        CHECK(close(r.ratio, 1.0));
    }
    const auto ds = aaco::compare_envelopes(e, aaco::datasheet_envelope("h200-sxm"));
    CHECK(close(row(ds, "ceiling.fp16.matrix")->ratio, 989.4 / 829.0));
    CHECK_FALSE(row(ds, "launch.device"));      // a datasheet has no launch figure
    CHECK_FALSE(row(ds, "ceiling.l2"));         // nor an L2 bandwidth
    CHECK(aaco::compare_markdown({}, "a", "b").find("No figure is in both") != std::string::npos);
}

TEST_CASE("load_any_envelope: aaco JSON, roofline.csv and roofline.json by content") {
    const aaco::envelope e = aaco_test_export::synthetic_h200();
    const std::string json = temp_file("env.json", aaco::to_json(e));
    const std::string ert = temp_file("roofline.json", aaco::to_ert_json(e));
    const std::string junk = temp_file("junk.txt", "hello\n");
    const std::string bad_csv = temp_file("bad.csv", "device,HBMBw\n0,x\n");
    CHECK(aaco::load_any_envelope(json).format == "aaco-json");
    CHECK(aaco::load_any_envelope(json).figures_known);
    CHECK(aaco::load_any_envelope(json).env.launch.size() == e.launch.size());
    const aaco::loaded_envelope er = aaco::load_any_envelope(ert);
    CHECK(er.format == "ert-json");
    CHECK_FALSE(er.figures_known);
    CHECK(close(er.env.memory_gbps(aaco::memory_level::hbm), 4732));
    CHECK_THROWS_WITH_AS(aaco::load_any_envelope(junk), doctest::Contains("unknown format"), aaco::parse_error);
    CHECK_THROWS_WITH_AS(aaco::load_any_envelope(bad_csv), doctest::Contains("column HBMBw"), aaco::parse_error);
    CHECK_THROWS_WITH_AS(aaco::load_any_envelope("/nonexistent/aaco.json"), doctest::Contains("/nonexistent/aaco.json"),
                         aaco::parse_error);
    for (const auto& p : {json, ert, junk, bad_csv}) std::filesystem::remove(p);
}

TEST_CASE("export targets: FORMAT:FILE is checked before anything is measured") {
    const aaco::export_target t = aaco::parse_export_target("prometheus:-");
    CHECK(t.format == aaco::export_format::prometheus);
    CHECK(t.to_stdout());
    const auto dir = std::filesystem::temp_directory_path();
    CHECK(aaco::parse_export_target("rocprof-csv:" + (dir / "roofline.csv").string()).path ==
          (dir / "roofline.csv").string());
    CHECK(aaco::parse_export_target("csv:relative.csv").format == aaco::export_format::csv);
    CHECK_THROWS_WITH_AS(aaco::parse_export_target("rocprof:x.csv"),
                         doctest::Contains("unknown export format 'rocprof'"), aaco::invalid_argument);
    CHECK_THROWS_WITH_AS(aaco::parse_export_target("csv"), doctest::Contains("expected FORMAT:FILE"),
                         aaco::invalid_argument);
    CHECK_THROWS_WITH_AS(aaco::parse_export_target(":x"), doctest::Contains("expected FORMAT:FILE"),
                         aaco::invalid_argument);
    CHECK_THROWS_WITH_AS(aaco::parse_export_target("csv:"), doctest::Contains("FILE is empty"),
                         aaco::invalid_argument);
    CHECK_THROWS_WITH_AS(aaco::parse_export_target("csv:" + dir.string()), doctest::Contains("is a directory"),
                         aaco::invalid_argument);
    CHECK_THROWS_WITH_AS(aaco::parse_export_target("csv:/nonexistent-dir/x.csv"),
                         doctest::Contains("directory '/nonexistent-dir' does not exist"), aaco::invalid_argument);
    for (aaco::export_format f : aaco::all_export_formats)
        CHECK(aaco::parse_export_format(aaco::to_string(f)) == f);
}

TEST_CASE("export_envelope routes to each format; write_file_atomically replaces the file") {
    const aaco::envelope e = aaco::datasheet_envelope("mi300x");
    CHECK(aaco::export_envelope(e, aaco::export_format::rocprof_csv) == aaco::to_rocprof_csv(e));
    CHECK(aaco::export_envelope(e, aaco::export_format::ert_json) == aaco::to_ert_json(e));
    CHECK(aaco::export_envelope(e, aaco::export_format::csv) == aaco::to_csv(e));
    aaco::export_options o;
    o.host = "h1";
    CHECK(aaco::export_envelope(e, aaco::export_format::prometheus, o).find("host=\"h1\"") != std::string::npos);
    const auto p = (std::filesystem::temp_directory_path() /
                    ("aaco_atomic_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
                     ".prom")).string();
    aaco::write_file_atomically(p, "old\n");
    aaco::write_file_atomically(p, "new\n");
    CHECK(aaco_test_export::read_text(p) == "new\n");
    std::filesystem::remove(p);
    CHECK_THROWS_WITH_AS(aaco::write_file_atomically("/nonexistent-dir/x.prom", "x"),
                         doctest::Contains("cannot write '/nonexistent-dir/x.prom'"), aaco::error);
}
