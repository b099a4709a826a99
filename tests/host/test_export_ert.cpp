// ERT roofline.json: golden files field by field, names and units of every entry, the spec side,
// datasheet and partial envelopes, round trip, and ERT's own files.
#include "test_export_support.hpp"

#include <aaco/io/export_ert.hpp>
#include <aaco/model/profiles.hpp>
#include <aaco/model/roofline.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace {

using aaco_test_export::close;
using aaco_test_export::fixture;
using aaco_test_export::read_text;
using nlohmann::json;

/// Every leaf of `want` is in `got` at the same place; numbers within 1e-9 relative.
void same_tree(const json& got, const json& want, const std::string& at) {
    INFO("at " << at);
    if (want.is_number()) {
        REQUIRE(got.is_number());
        CHECK(close(got.get<double>(), want.get<double>()));
        return;
    }
    REQUIRE(got.type() == want.type());
    if (want.is_object()) {
        CHECK(got.size() == want.size());
        for (auto it = want.begin(); it != want.end(); ++it) {
            REQUIRE(got.contains(it.key()));
            same_tree(got[it.key()], it.value(), at + "/" + it.key());
        }
    } else if (want.is_array()) {
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i) same_tree(got[i], want[i], at + "/" + std::to_string(i));
    } else {
        CHECK(got == want);
    }
}

/// name -> value of a data list.
std::map<std::string, double> entries(const json& data) {
    std::map<std::string, double> m;
    for (const auto& e : data) m[e[0].get<std::string>()] = e[1].get<double>();
    return m;
}

} // namespace

TEST_CASE("ert-json: the measured envelope matches its golden file field by field") {
    const aaco::envelope e = aaco_test_export::synthetic_h200();
    const aaco::envelope ds = aaco::datasheet_envelope(e.profile_key);
    same_tree(json::parse(aaco::to_ert_json(e, &ds)),
              json::parse(read_text(fixture("export/synthetic_h200.roofline.json"))), "");
}

TEST_CASE("ert-json: the datasheet envelope matches its golden file; nothing is empirical") {
    const json j = json::parse(aaco::to_ert_json(aaco::datasheet_envelope("mi300x")));
    same_tree(j, json::parse(read_text(fixture("export/mi300x.roofline.json"))), "");
    CHECK(j["empirical"]["gflops"]["data"].empty());
    CHECK(j["empirical"]["gbytes"]["data"].empty());
    const auto spec = entries(j["spec"]["gflops"]["data"]);
    CHECK(spec.at("FP16 matrix GFLOPs") == doctest::Approx(1307400.0));
    CHECK(spec.at("INT8 matrix GOPs") == doctest::Approx(2614900.0));
    CHECK(entries(j["spec"]["gbytes"]["data"]).at("HBM") == doctest::Approx(5324.8));
}

TEST_CASE("ert-json: every ceiling named with its precision, unit and GFLOP/s or GB/s") {
    const aaco::envelope e = aaco_test_export::synthetic_h200();
    const json j = json::parse(aaco::to_ert_json(e));
    const auto g = entries(j["empirical"]["gflops"]["data"]);
    CHECK(g.size() == 8);  // fp64 x2, fp32, tf32, fp16, bf16, fp8, int8 (one per precision x unit)
    CHECK(close(g.at("FP16 matrix GFLOPs"), 829.0e3));
    CHECK(close(g.at("TF32 matrix GFLOPs"), 460.0e3));  // ERT has no precision column to lack
    CHECK(close(g.at("FP32 vector GFLOPs"), 66.2e3));   // the sustained roof
    CHECK(close(g.at("INT8 matrix GOPs"), 1894.2e3));
    const json& gb = j["empirical"]["gbytes"]["data"];
    REQUIRE(gb.size() == 3);  // shared, l2, hbm; host links are not roofline slopes
    // Fastest first, as ERT lists L1 before DRAM.
    CHECK(gb[0][0] == "Shared");
    CHECK(gb[1][0] == "L2");
    CHECK(gb[2][0] == "HBM");
    CHECK(gb[2][1].get<double>() == 4732);
    CHECK(gb[1][1].get<double>() == 14276);  // the roof scope, not the whole-L2 figure
    // Per-entry statistics in the metadata, in the entry's unit.
    const json& meta = j["empirical"]["gflops"]["metadata"]["FP16 matrix GFLOPs"];
    CHECK(meta["samples"] == 31);
    CHECK(meta["stable"] == true);
    CHECK(close(meta["interval_95"][0].get<double>(), 829.0e3 * 0.985));
    CHECK(meta["interval_from"] == "p2.5/p97.5");
    CHECK(j["empirical"]["gflops"]["metadata"]["BF16 matrix GFLOPs"]["interval_from"] == "min/max");
    CHECK(j["empirical"]["metadata"]["DEVICE"] == "NVIDIA H200");
    CHECK(j["empirical"]["metadata"]["TIMESTAMP_DATA"] == 1796162400);  // 2026-12-01T22:00:00Z
    // Without a datasheet envelope, spec comes from the figures' own datasheet values.
    const auto spec = entries(j["spec"]["gflops"]["data"]);
    CHECK(close(spec.at("FP16 matrix GFLOPs"), 989.4e3));
    CHECK(entries(j["spec"]["gbytes"]["data"]).at("HBM") == 4800);
    CHECK(entries(j["spec"]["gbytes"]["data"]).count("L2") == 0);  // no datasheet L2 figure
}

TEST_CASE("ert-json: partial and empty envelopes") {
    aaco::envelope e;
    aaco::compute_figure f;
    f.prec = aaco::precision::fp32;
    f.unit = aaco::compute_unit::vector;
    f.tflops = 10;
    e.compute.push_back(f);
    const json j = json::parse(aaco::to_ert_json(e));
    CHECK(j["empirical"]["gflops"]["data"].size() == 1);
    CHECK(j["empirical"]["gbytes"]["data"].empty());
    CHECK(j["spec"]["gflops"]["data"].empty());  // no datasheet figure: none invented
    CHECK_FALSE(j["empirical"]["gflops"]["metadata"]["FP32 vector GFLOPs"].contains("interval_95"));
    const json empty = json::parse(aaco::to_ert_json(aaco::envelope{}));
    CHECK(empty["empirical"]["gflops"]["data"].empty());
    CHECK(empty["spec"]["gbytes"]["data"].empty());
}

TEST_CASE("ert-json: round trip through aaco's reader") {
    const aaco::envelope e = aaco_test_export::synthetic_h200();
    const aaco::envelope ds = aaco::datasheet_envelope("h200-sxm");
    const aaco::ert_roofline back = aaco::read_ert_json(aaco::to_ert_json(e, &ds));
    CHECK(back.ignored.empty());
    CHECK(back.empirical.device.name == "NVIDIA H200");
    CHECK(back.empirical.calibration_timestamp == "2026-12-01T22:00:00Z");
    const aaco::roofline got = aaco::make_roofline(back.empirical);
    CHECK(got.compute_ceilings().size() == 8);
    for (const auto& c : got.compute_ceilings())
        CHECK(close(c.tflops, aaco::export_detail::ceiling_figure(e, c.prec, c.unit)->roof_tflops()));
    for (aaco::memory_level l : {aaco::memory_level::hbm, aaco::memory_level::l2, aaco::memory_level::shared})
        CHECK(close(got.memory(l).gbps, aaco::export_detail::ceiling_figure(e, l)->gbps));
    const aaco::compute_figure* fp16 = back.empirical.find_compute(aaco::precision::fp16, aaco::compute_unit::matrix);
    REQUIRE(fp16);
    CHECK(fp16->stats.samples == 31);
    CHECK(close(fp16->stats.p2_5, 829.0 * 0.985));
    CHECK(close(back.spec.compute_tflops(aaco::precision::fp16), 989.4));
    CHECK(close(back.spec.memory_gbps(aaco::memory_level::hbm), 4800));
    // Writing what was read gives the same empirical side.
    same_tree(json::parse(aaco::to_ert_json(back.empirical))["empirical"]["gflops"]["data"],
              json::parse(aaco::to_ert_json(e))["empirical"]["gflops"]["data"], "");
}

TEST_CASE("ert-json reader: ERT's own file shape; unknown entries listed, not guessed") {
    const std::string ert = R"({
   "empirical": {
      "metadata": {"ERT_VERSION": "1.1.0", "HOSTNAME": "n1"},
      "gflops": {"data": [["GFLOPs", 7068.9]], "metadata": {}},
      "gbytes": {"data": [["L1", 19000.2], ["L2", 4001.0], ["DRAM", 812.5]], "metadata": {}}
   },
   "spec": {"gflops": {"data": [["GFLOPs", 7800.0]]}, "gbytes": {"data": [["DRAM", 900.0]]}}
})";
    const aaco::ert_roofline r = aaco::read_ert_json(ert);
    CHECK(r.empirical.memory_gbps(aaco::memory_level::hbm) == 812.5);  // DRAM = main memory
    CHECK(r.empirical.memory_gbps(aaco::memory_level::l2) == 4001.0);
    CHECK(r.empirical.compute.empty());  // "GFLOPs" names no precision: not guessed
    CHECK(r.spec.memory_gbps(aaco::memory_level::hbm) == 900.0);
    CHECK(r.ignored == std::vector<std::string>{"empirical.gflops: GFLOPs", "empirical.gbytes: L1",
                                                "spec.gflops: GFLOPs"});
}

TEST_CASE("ert-json reader: malformed files are refused with a JSON pointer") {
    CHECK_THROWS_WITH_AS(aaco::read_ert_json("{\"x\": 1}"), doctest::Contains("not an ERT roofline.json"),
                         aaco::parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_ert_json(R"({"empirical": {"gflops": {"data": [["FP16 matrix GFLOPs"]]}}})"),
                         doctest::Contains("/empirical/gflops/data/0"), aaco::parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_ert_json(R"({"empirical": {"gbytes": {"data": [["HBM", -1]]}}})"),
                         doctest::Contains("/empirical/gbytes/data/0"), aaco::parse_error);
    CHECK_THROWS_AS(aaco::read_ert_json(R"({"empirical": {"gbytes": {"data": [["HBM", NaN]]}}})"),
                    aaco::parse_error);
    CHECK_THROWS_AS(aaco::read_ert_json("{\"empirical\": "), aaco::parse_error);
}
