// The Nsight Compute reader: the documented `ncu --csv --page raw` shape, FLOPs and bytes per
// kernel, HEU on the envelope's hierarchical roofline, other ncu versions' column names, and
// hostile profiles (missing metrics, units rows, commas in names, n/a, NaN, 1e308, duplicates,
// a 100 MB file) refused or read, never read as zero.
#include "test_export_support.hpp"

#include <aaco/io/ncu.hpp>
#include <aaco/model/profiles.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using aaco_test_export::close;
using aaco_test_export::fixture;
using aaco_test_export::read_text;

aaco::ncu_profile read_fixture(const std::string& name) {
    return aaco::read_ncu_csv(read_text(fixture("ncu/" + name)), name);
}

const aaco::ncu_kernel& kernel(const aaco::ncu_profile& p, const std::string& prefix) {
    for (const auto& k : p.kernels)
        if (k.name.rfind(prefix, 0) == 0) return k;
    FAIL("no kernel " << prefix);
    return p.kernels.front();
}

const aaco::ncu_kernel_result& result(const aaco::ncu_report& r, const std::string& prefix) {
    for (const auto& k : r.kernels)
        if (k.kernel.name.rfind(prefix, 0) == 0) return k;
    FAIL("no kernel " << prefix);
    return r.kernels.front();
}

constexpr double triad_n = 268435456.0;  // 2^28 elements, as in make_fixtures.py
constexpr double gemm_flops = 2.0 * 4096 * 4096 * 4096;

/// Reading `name` throws a parse_error whose message contains every one of `parts`.
void refused(const std::string& name, std::initializer_list<const char*> parts) {
    INFO(name);
    try {
        read_fixture(name);
        FAIL("accepted " << name);
    } catch (const aaco::parse_error& e) {
        const std::string what = e.what();
        INFO(what);
        for (const char* p : parts) CHECK(what.find(p) != std::string::npos);
    }
}

} // namespace

TEST_CASE("ncu: the documented raw page is read launch by launch, kernels summed by name") {
    const aaco::ncu_profile p = read_fixture("profile.csv");
    CHECK(p.launches == 6);
    REQUIRE(p.kernels.size() == 5);
    // Kernel names with commas inside their quotes stay whole.
    const aaco::ncu_kernel& gemm = kernel(p, "void gemm_fp16<128, 256>(const __half *");
    CHECK(gemm.launches == 2);
    CHECK(gemm.first_id == "0");
    CHECK(close(gemm.seconds, 400e-6));  // 198,432 + 201,568 ns ("198,432": thousands separator)
    CHECK(gemm.flops_of(aaco::precision::fp16, aaco::compute_unit::matrix) == 2 * gemm_flops);
    CHECK(gemm.flops_of(aaco::precision::fp32, aaco::compute_unit::vector) == 2 * 2.0 * (1 << 20));  // FFMA x2
    CHECK(gemm.dram_bytes == 2 * (100663296.0 + 67108864.0));  // read + write
    CHECK(gemm.l2_bytes == 2.0 * (1 << 30));
    CHECK(gemm.l1_bytes == 2.0 * 4294967296.0);
    const aaco::ncu_kernel& triad = kernel(p, "triad");
    CHECK(triad.flops_of(aaco::precision::fp64, aaco::compute_unit::vector) == 2 * triad_n);
    CHECK(triad.dram_bytes == 24 * triad_n);
    CHECK(close(triad.seconds, 1.6e-3));
    CHECK(kernel(p, "half_axpy").flops_of(aaco::precision::fp16, aaco::compute_unit::vector) == 2e6);
    // Counted and zero is 0; not counted would be NaN: every counter here was collected.
    CHECK(kernel(p, "copy_kernel").flops_of(aaco::precision::fp8, aaco::compute_unit::matrix) == 0);
    CHECK(p.notes.size() == 1);  // the two ==PROF== log lines skipped
    CHECK(p.notes[0].find("2 ncu log line") != std::string::npos);
}

TEST_CASE("ncu: HEU of every kernel on the envelope's hierarchical roofline") {
    const aaco::envelope env = aaco_test_export::synthetic_h200();
    const aaco::ncu_report r = aaco::analyze_ncu(read_fixture("profile.csv"), env);
    REQUIRE(r.kernels.size() == 5);
    // Longest first.
    CHECK(r.kernels[0].kernel.name.rfind("triad", 0) == 0);
    CHECK(r.kernels[1].kernel.name.rfind("copy_kernel", 0) == 0);
    CHECK(r.kernels[2].kernel.name.rfind("void gemm_fp16", 0) == 0);
    CHECK(close(r.seconds, 1.6e-3 + 1e-3 + 400e-6 + 10e-6 + 5e-6));

    // GEMM: fp16 matrix, AI 819.2 at DRAM: compute-bound by the 829 TFLOP/s fp16 roof.
    const auto& gemm = result(r, "void gemm_fp16");
    REQUIRE(!gemm.parts.empty());
    CHECK(gemm.parts.front().prec == aaco::precision::fp16);
    CHECK(gemm.parts.front().unit == aaco::compute_unit::matrix);
    const double gemm_tflops = 2 * gemm_flops / 400e-6 / 1e12;
    CHECK(close(gemm.parts.front().tflops, gemm_tflops));
    CHECK(gemm.parts.size() == 2);  // and its fp32 epilogue
    CHECK(close(gemm.levels[0].ai, gemm_flops / (100663296.0 + 67108864.0)));
    CHECK(close(gemm.levels[1].ai, gemm_flops / (1 << 30)));
    CHECK(close(gemm.levels[2].ai, gemm_flops / 4294967296.0));
    CHECK(gemm.binding == "fp16.matrix");
    CHECK(gemm.b == aaco::bound::compute);
    CHECK(close(gemm.attainable_tflops, 829.0));
    CHECK(close(gemm.heu, gemm_tflops / 829.0));
    CHECK_FALSE(gemm.above_roof);

    // Triad: fp64 vector at AI 1/12: bound by HBM (4732 GB/s), not by L2 or L1.
    const auto& triad = result(r, "triad");
    const double ai = 2 * triad_n / (24 * triad_n);
    CHECK(close(triad.levels[0].ai, ai));
    CHECK(triad.binding == "hbm");
    CHECK(triad.b == aaco::bound::memory);
    CHECK(close(triad.attainable_tflops, ai * 4732 / 1000));
    const double achieved = 2 * triad_n / 1.6e-3 / 1e12;
    CHECK(close(triad.heu, achieved / (ai * 4732 / 1000)));
    CHECK(close(triad.levels[0].gbps, 24 * triad_n / 1.6e-3 / 1e9));
    CHECK(triad.levels[2].ceiling == "shared (as L1)");
    CHECK(triad.levels[2].ceiling_gbps == 32774);

    // No FLOPs: a data-movement kernel, no HEU invented.
    const auto& copy = result(r, "copy_kernel");
    CHECK(copy.parts.empty());
    CHECK(std::isnan(copy.heu));
    CHECK(std::isnan(copy.levels[0].ai));
    CHECK(copy.note.find("no FLOPs") != std::string::npos);

    // Above the compute roof: said, with what it implies.
    const auto& bogus = result(r, "bogus_kernel");
    CHECK(bogus.above_roof);
    CHECK(bogus.heu > 1);
    CHECK(bogus.note.find("above the fp32.vector roof") != std::string::npos);
    CHECK(bogus.note.find("FLOP count") != std::string::npos);

    // No fp16 vector ceiling in the envelope: achieved rate shown, no HEU.
    const auto& half = result(r, "half_axpy");
    CHECK(close(half.parts.front().tflops, 2e6 / 5e-6 / 1e12));
    CHECK(std::isnan(half.heu));
    CHECK(half.note.find("no fp16.vector ceiling") != std::string::npos);
    CHECK(std::find(r.notes.begin(), r.notes.end(),
                    "L1 roof: the shared-memory figure (L1 and shared memory are one SRAM on NVIDIA GPUs)") !=
          r.notes.end());
}

TEST_CASE("ncu: markdown lists kernels by time; SVG points one per memory level") {
    const aaco::envelope env = aaco_test_export::synthetic_h200();
    const aaco::ncu_report r = aaco::analyze_ncu(read_fixture("profile.csv"), env);
    const std::string md = aaco::ncu_markdown(r);
    const auto at = [&](const char* s) { return md.find(s); };
    CHECK(at("| triad") < at("| copy_kernel"));
    CHECK(at("| copy_kernel") < at("| void gemm_fp16"));
    CHECK(md.find("fp16.matrix 687") != std::string::npos);
    CHECK(md.find("above the fp32.vector roof") != std::string::npos);
    CHECK(md.find("5 kernels, 6 launches") != std::string::npos);
    const std::vector<aaco::svg_point> pts = aaco::ncu_svg_points(r, 6);
    // triad, gemm, bogus, half have FLOPs, 3 levels each (copy has none).
    CHECK(pts.size() == 12);
    CHECK(pts[0].label == "triad [DRAM]");
    CHECK(pts[1].label == "triad [L2]");
    CHECK(pts[2].label == "triad [L1]");
    CHECK(close(pts[0].heu, result(r, "triad").heu));
    CHECK(std::isnan(pts[1].heu));
    CHECK(pts[3].label == "void gemm_fp16 [DRAM]");
    CHECK(aaco::ncu_svg_points(r, 1).size() == 3);
    const std::string svg = aaco::to_svg(env, pts);
    CHECK(svg.find("triad [L2]") != std::string::npos);
}

TEST_CASE("ncu: other ncu versions' names and scaled units are read; absent fp8 is noted") {
    const aaco::ncu_profile p = read_fixture("other_names.csv");
    REQUIRE(p.kernels.size() == 1);
    const aaco::ncu_kernel& k = p.kernels.front();
    CHECK(k.name.rfind("triad", 0) == 0);  // from "Function Name"
    CHECK(close(k.seconds, 1.6e-3));       // "1,600.00" usecond
    CHECK(close(k.dram_bytes, 6442.45e6)); // dram__bytes.sum in Mbyte
    CHECK(k.flops_of(aaco::precision::fp64, aaco::compute_unit::vector) == 2 * triad_n);  // sm__ form
    CHECK(std::isnan(k.flops_of(aaco::precision::fp8, aaco::compute_unit::matrix)));       // not counted
    bool noted = false;
    for (const std::string& n : p.notes) noted = noted || n.rfind("fp8 matrix FLOPs not counted", 0) == 0;
    CHECK(noted);
}

TEST_CASE("ncu: hostile profiles are refused, naming the column and the line") {
    refused("missing_column.csv", {"metrics missing", "L2 bytes: needs lts__t_bytes.sum"});
    refused("old_version.csv",
            {"fp16 matrix FLOPs: needs", "sm__ops_path_tensor_src_fp16_dst_fp32.sum",
             "'sm__inst_executed_pipe_tensor_op_hmma.sum' counts tensor instructions"});
    refused("no_units_row.csv", {"line 2", "no units row"});
    refused("concatenated.csv", {"line 5", "header row repeats", "concatenated"});
    refused("duplicate_id.csv", {"ID 1 appears twice", "several passes"});
    refused("details_page.csv", {"details page", "--page raw"});
    refused("na_cell.csv", {"line 4", "column lts__t_bytes.sum (ID 1)", "'n/a' is not a number"});
    refused("nan_cell.csv", {"column smsp__sass_thread_inst_executed_op_dfma_pred_on.sum (ID 1)", "'nan'"});
    refused("huge_value.csv", {"column dram__bytes_read.sum (ID 1)", "1e308", "implausible"});
    refused("bad_separator.csv", {"column l1tex__t_bytes.sum (ID 0)", "'1,23' has misplaced thousands separators"});
    refused("empty_cell.csv", {"column sm__ops_path_tensor_src_int8.sum (ID 2)", "empty"});
    refused("negative.csv", {"column dram__bytes_write.sum (ID 3)", "negative"});
    refused("zero_time.csv", {"column gpu__time_duration.sum (ID 4)", "must be > 0"});
    refused("unknown_unit.csv", {"column lts__t_bytes.sum", "unknown unit 'furlong'"});
    refused("ncu_error.csv", {"line 1", "ncu reported an error"});
    refused("short_row.csv", {"line 4", "row has"});
    CHECK_THROWS_WITH_AS(aaco::read_ncu_csv(""), doctest::Contains("empty"), aaco::parse_error);
    CHECK_THROWS_WITH_AS(aaco::read_ncu_csv("a,b\n1,2\n"), doctest::Contains("no 'ID' column"), aaco::parse_error);
}

TEST_CASE("ncu: the number format: separators, fractions, exponents; nothing else") {
    using aaco::ncu_detail::parse_number;
    double v = 0;
    CHECK(parse_number("1,234,567", v).empty());
    CHECK(v == 1234567);
    CHECK(parse_number(" 1,600.25 ", v).empty());
    CHECK(v == 1600.25);
    CHECK(parse_number("2.5e+09", v).empty());
    CHECK(v == 2.5e9);
    CHECK(parse_number("0", v).empty());
    for (const char* bad : {"1,23", ",123", "1,2345", "12,34,567", "1.2.3", "1e", "0x10", "inf", "nan", "n/a",
                            "1 234", "", "--1", "1,000.5.6", "12abc"}) {
        INFO(bad);
        CHECK_FALSE(parse_number(bad, v).empty());
    }
}

TEST_CASE("ncu: a 100 MB profile is read in one pass") {
    // Written at test time (not committed): the fixture's six launches repeated with fresh IDs.
    const std::string base = read_text(fixture("ncu/profile.csv"));
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < base.size()) {
        const std::size_t end = base.find('\n', pos);
        lines.push_back(base.substr(pos, end - pos));
        pos = end + 1;
    }
    // lines: 2 log lines, header, units, 6 launches.
    REQUIRE(lines.size() == 10);
    // A name of this run's own: two suites (configurations) running at once must not share it.
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() /
        ("aaco_ncu_100mb_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".csv");
    std::size_t launches = 0;
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << lines[2] << '\n' << lines[3] << '\n';
        std::size_t written = 0;
        for (std::size_t id = 0; written < (std::size_t{100} << 20); ++id) {
            const std::string& l = lines[4 + id % 6];
            const std::string row = "\"" + std::to_string(id) + l.substr(l.find("\","));
            f << row << '\n';
            written += row.size() + 1;
            ++launches;
        }
    }
    const aaco::ncu_profile p = aaco::load_ncu_csv(path.string());
    std::filesystem::remove(path);
    CHECK(p.launches == launches);
    REQUIRE(p.kernels.size() == 5);
    const aaco::ncu_kernel& triad = kernel(p, "triad");
    CHECK(triad.launches == (launches + 4) / 6);
    CHECK(close(triad.flops_of(aaco::precision::fp64, aaco::compute_unit::vector),
                static_cast<double>(triad.launches) * 2 * triad_n));
}

// Real exports (benchmarks/ncu_fixtures.py under `ncu --clock-control none --profile-from-start off`
// with README's metrics, H200, 2026-12-02; columns trimmed to ID, names and the .sum counters):
// a torch.matmul (cuBLAS's nvjet kernel), torch.add as a triad, and one attention training step.
// This ncu exported no fp16 tensor counter: the reader must take the reports, say so, and count
// nothing as zero.
TEST_CASE("ncu: real H200 exports: cuBLAS GEMM, triad, attention step") {
    using aaco::compute_unit;
    using aaco::precision;
    const aaco::ncu_profile gemm = read_fixture("real_gemm.csv");
    REQUIRE(gemm.kernels.size() == 1);
    const aaco::ncu_kernel& g = kernel(gemm, "nvjet_sm90_tst_320x128");
    // 2 x 8192^3 FLOPs asked for; the 320-row tiles cover 8320 rows, 1.56% more, and the tensor
    // pipe counts what it executed.
    const double asked = 2.0 * 8192.0 * 8192.0 * 8192.0;
    CHECK(g.flops_of(precision::bf16, compute_unit::matrix) == doctest::Approx(asked * 8320 / 8192).epsilon(1e-4));
    CHECK(std::isnan(g.flops_of(precision::fp16, compute_unit::matrix)));  // not counted, not 0
    CHECK(g.flops_of(precision::fp8, compute_unit::matrix) == 0);           // counted: none
    CHECK(g.seconds == doctest::Approx(1.387456e-3));
    bool noted = false;
    for (const std::string& n : gemm.notes) noted = noted || n.rfind("fp16 matrix FLOPs not counted", 0) == 0;
    CHECK(noted);

    const aaco::ncu_profile triad = read_fixture("real_triad.csv");
    REQUIRE(triad.kernels.size() == 1);
    const aaco::ncu_kernel& t = kernel(triad, "void vectorized_elementwise_kernel<4, CUDAFunctor_add<float>");
    // a = b + 1.5 c over 2^28 floats: 2 GiB read from DRAM, 1 GiB written (less the dirty lines
    // the L2 still held when the kernel ended), one FFMA per element.
    CHECK(t.dram_bytes == doctest::Approx(3.0 * (1u << 30)).epsilon(0.01));
    CHECK(t.flops_of(precision::fp32, compute_unit::vector) == doctest::Approx(2.0 * triad_n));

    const aaco::ncu_profile attn = read_fixture("real_attn.csv");
    REQUIRE(attn.kernels.size() == 4);
    const aaco::ncu_kernel& fwd = kernel(attn, "cudnn_generated_fort_native_sdpa_sm90_flash_fprop");
    const aaco::ncu_kernel& bwd = kernel(attn, "cudnn_generated_fort_native_sdpa_sm90_flash_bprop");
    // Causal attention, batch 4, 32 heads, 4096 tokens, head dim 128: forward 2 GEMMs of
    // 2 x 4096^2 x 128 per head over the lower triangle; the backward five. The tiles along the
    // diagonal add a few percent.
    const double fwd_asked = 4.0 * 32 * 2 * (2.0 * 4096 * 4096 * 128) / 2;
    CHECK(fwd.flops_of(precision::bf16, compute_unit::matrix) / fwd_asked > 1.0);
    CHECK(fwd.flops_of(precision::bf16, compute_unit::matrix) / fwd_asked < 1.1);
    CHECK(bwd.flops_of(precision::bf16, compute_unit::matrix) / fwd_asked == doctest::Approx(2.5).epsilon(0.05));
    // The two helper kernels do no tensor math; the reader says what it could not count.
    const aaco::envelope env = aaco::datasheet_envelope(aaco::find_profile("h200-sxm"));
    const aaco::ncu_report r = aaco::analyze_ncu(attn, env);
    const aaco::ncu_kernel_result& dq = result(r, "void cudnn::convert_dq_to_16bits");
    CHECK(dq.parts.empty());
    CHECK(dq.note.find("fp16.matrix FLOPs not collected") != std::string::npos);
    CHECK(result(r, "cudnn_generated_fort_native_sdpa_sm90_flash_bprop").binding == "bf16.matrix");
}
