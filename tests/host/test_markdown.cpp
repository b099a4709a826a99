// Markdown report of an envelope.
#include <aaco/io/markdown.hpp>
#include <aaco/model/profiles.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <locale>
#include <sstream>
#include <string>
#include <vector>

namespace {

aaco::envelope report_envelope() {
    using namespace aaco;
    envelope e;
    e.device.name = "NVIDIA H100 80GB HBM3";
    e.device.vendor = "NVIDIA";
    e.device.arch = "sm_90";
    e.device.compute_units = 132;
    e.device.max_clock_mhz = 1980;
    e.device.l2_bytes = 50ull << 20;
    e.device.memory_bytes = 80ull << 30;
    e.device.driver_version = 13000;
    e.device.ecc = true;
    e.calibration_timestamp = "2026-02-15T12:00:00Z";
    e.profile_key = "h100-sxm";
    e.calibration_wall_seconds = 42.5;

    compute_figure fp16;
    fp16.prec = precision::fp16;
    fp16.unit = compute_unit::matrix;
    fp16.tflops = 800;
    fp16.datasheet_tflops = 1000;
    fp16.clock_mhz = 1755;
    fp16.clock_adjusted_peak_tflops = 889;
    fp16.clock_adjusted_efficiency.samples = 21;  // per-launch efficiencies
    fp16.clock_adjusted_efficiency.median = 0.9;
    fp16.clock_adjusted_efficiency.min = 0.895;
    fp16.clock_adjusted_efficiency.max = 0.905;
    fp16.stats.cov = 0.0025;
    fp16.stats.stable = true;
    fp16.stats.samples = 21;
    fp16.stats.median = 800;
    fp16.stats.iterations = 4000;
    fp16.instruction = "wgmma.mma_async.m64n256k16.f32.f16.f16";
    compute_figure fp16v = fp16;
    fp16v.unit = compute_unit::vector;
    fp16v.tflops = 120;
    fp16v.datasheet_tflops = std::nan("");
    fp16v.operands = operand_mode::zero;
    fp16v.clock_adjusted_efficiency = {};
    compute_figure fp32 = fp16;
    fp32.prec = precision::fp32;
    fp32.unit = compute_unit::vector;
    fp32.tflops = 60;
    fp32.datasheet_tflops = 67;
    fp32.clock_adjusted_peak_tflops = std::nan("");
    fp32.clock_adjusted_efficiency = {};
    fp32.instruction = "fma.rn.f32";
    e.compute = {fp16, fp16v, fp32};

    memory_figure hbm;
    hbm.level = memory_level::hbm;
    hbm.op = stream_op::read;
    hbm.gbps = 3000;
    hbm.datasheet_gbps = 3352;
    hbm.working_set_bytes = 4ull << 30;
    hbm.method = "ld.global.v4 | 4 in flight";
    hbm.stats.cov = 0.001;
    hbm.stats.stable = true;
    hbm.stats.iterations = 100;
    e.memory = {hbm};

    launch_figure l;
    l.us = 2.25;
    l.stats.samples = 9;
    l.stats.cov = 0.02;
    l.stats.stable = false;
    l.stats.iterations = 50000;
    e.launch = {l};
    e.failures.push_back({"compute.fp8.matrix", "not built\nfor <sm_90>"});
    return e;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// Number of unescaped '|' in a line.
int pipes(const std::string& line) {
    int n = 0;
    for (std::size_t i = 0; i < line.size(); ++i)
        if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++n;
    return n;
}

/// Every table (a run of lines starting with '|') has the same cell count on every row, and a
/// separator as its second line.
void check_tables(const std::string& md) {
    std::istringstream in(md);
    std::string line;
    std::vector<std::string> table;
    auto flush = [&] {
        if (table.empty()) return;
        REQUIRE(table.size() >= 2);
        CHECK(table[1].rfind("|---|", 0) == 0);
        for (const auto& row : table) {
            CAPTURE(row);
            CHECK(pipes(row) == pipes(table[0]));
        }
        table.clear();
    };
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] == '|') table.push_back(line);
        else flush();
    }
    flush();
}

/// A numpunct that writes 1.234,5 the way a German locale would.
struct comma_numpunct : std::numpunct<char> {
    char do_decimal_point() const override { return ','; }
    char do_thousands_sep() const override { return '.'; }
    std::string do_grouping() const override { return "\3"; }
};

} // namespace

TEST_SUITE("io.markdown") {

TEST_CASE("report contains the expected rows") {
    const std::string md = aaco::to_markdown(report_envelope());
    CHECK(md.rfind("# Hardware envelope: NVIDIA H100 80GB HBM3\n", 0) == 0);
    CHECK(has(md, "| source | measured |"));
    CHECK(has(md, "| profile | h100-sxm |"));
    CHECK(has(md, "| calibration wall time | 42.5 s |"));
    CHECK(has(md, "| architecture | sm_90 |"));
    CHECK(has(md, "| compute units (CUs/SMs) | 132 |"));
    CHECK(has(md, "| L2 cache | 50.0 MiB |"));
    CHECK(has(md, "| device memory | 80.0 GiB |"));
    CHECK(has(md, "| ECC | on |"));
    // Seed figures.
    CHECK(has(md, "| FP16 compute | 800.0 TFLOP/s |"));
    CHECK(has(md, "| FP32 compute | 60.00 TFLOP/s |"));
    CHECK(has(md, "| HBM bandwidth | 3000.0 GB/s |"));
    CHECK(has(md, "| L2 bandwidth | n/a |"));
    CHECK(has(md, "| launch overhead (async) | 2.25 µs |"));
    // Compute table: measured, datasheet, ratio, clock, clock-adjusted peak, per-launch
    // efficiency (median and range), CoV, stable, operands, instruction.
    CHECK(has(md, "| fp16 | matrix | yes | 800.0 | 1000.0 | 80.0% | 1755 | 889.0 | "
                  "90.0% (89.5-90.5%) | 0.25% | yes | random | "
                  "wgmma.mma_async.m64n256k16.f32.f16.f16 |"));
    CHECK(has(md, "| fp16 | vector |  | 120.0 | n/a | n/a | 1755 | 889.0 | n/a | 0.25% | yes | "
                  "zero |"));
    CHECK(has(md, "| fp32 | vector | yes | 60.00 | 67.00 | 89.6% | 1755 | n/a | n/a |"));
    // Memory and launch tables.
    CHECK(has(md, "| hbm | read | yes | 3000.0 | 3352.0 | 89.5% | roof | 4.0 GiB | 0.10% | yes | "
                  "ld.global.v4 \\| 4 in flight |"));
    CHECK(has(md, "| async | 2.25 | 2.00% | no | 9 |"));
    // Validation summary and per-figure statistics.
    CHECK(has(md, "| iterations timed | 62100 |"));
    CHECK(has(md, "| worst CoV | 2.00% |"));
    // Its one unstable figure is launch.async, a host-side cost, which does not make the
    // envelope unstable (envelope::validation); the figure's own row above still says "no".
    CHECK(has(md, "| stable | yes |"));
    CHECK(has(md, "| compute fp16 matrix (TFLOP/s) | 21 | 800.0 |"));
    CHECK(has(md, "| launch async (µs) | 9 |"));
    // Failures: one line each, markup escaped.
    CHECK(has(md, "## Failures\n\n- compute.fp8.matrix: not built for \\<sm_90\\>\n"));
    check_tables(md);
}

TEST_CASE("text from the envelope is escaped") {
    aaco::envelope e = report_envelope();
    e.device.name = "evil | name <script>*x*\n# heading";
    e.memory[0].method = "a|b`c`";
    e.device.arch = "_x_ sm_90";  // emphasis at word edges is escaped, sm_90 stays readable
    const std::string md = aaco::to_markdown(e);
    CHECK(has(md, "# Hardware envelope: evil \\| name \\<script\\>\\*x\\* \\# heading\n"));
    CHECK_FALSE(has(md, "<script>"));
    CHECK(has(md, "a\\|b\\`c\\`"));
    CHECK(has(md, "| architecture | \\_x\\_ sm_90 |"));
    check_tables(md);
}

TEST_CASE("an empty envelope still renders, with n/a and no invented numbers") {
    aaco::envelope e;
    const std::string md = aaco::to_markdown(e);
    CHECK(has(md, "# Hardware envelope: n/a"));
    CHECK(has(md, "No compute ceiling was measured."));
    CHECK(has(md, "No memory ceiling was measured."));
    CHECK(has(md, "No launch overhead was measured."));
    CHECK(has(md, "| FP16 compute | n/a |"));
    CHECK(has(md, "| stable | no |"));
    CHECK(has(md, "## Failures\n\nNone.\n"));
    check_tables(md);
}

TEST_CASE("numbers ignore the global locale") {
    const std::locale previous =
        std::locale::global(std::locale(std::locale::classic(), new comma_numpunct));
    const std::string md = aaco::to_markdown(report_envelope());
    std::locale::global(previous);
    CHECK(has(md, "| FP16 compute | 800.0 TFLOP/s |"));
    CHECK(has(md, "| HBM bandwidth | 3000.0 GB/s |"));
    CHECK_FALSE(has(md, "800,0"));
}


TEST_CASE("telemetry beside every figure, and the sustained figure beside the burst one") {
    using namespace aaco;
    envelope e = report_envelope();
    telemetry_summary t;
    t.source = "nvml";
    t.readings = 20;
    t.power_mean_w = 690;
    t.power_max_w = 698;
    t.power_limit_w = 700;
    t.sm_clock_mean_mhz = 1600;
    t.sm_clock_min_mhz = 1500;
    t.sm_clock_max_mhz = 1700;
    t.memory_clock_mhz = 2619;
    t.temperature_min_c = 45;
    t.temperature_max_c = 60;
    t.throttle_reasons = {"sw_power_cap"};
    t.throttle_reasons_read = true;
    e.compute[0].telemetry = t;
    sustained_figure h;
    h.seconds = 60;
    h.tflops = 780;
    h.clock_mhz = 1500;
    h.stats.cov = 0.004;
    h.stats.samples = 1500;
    h.stats.stable = true;
    h.efficiency.samples = 1500;
    h.efficiency.median = 0.91;
    h.efficiency.min = 0.9;
    h.efficiency.max = 0.92;
    h.telemetry = t;
    h.telemetry.power_mean_w = 500;  // below the limit and no cap reason: not power-limited
    h.telemetry.throttle_reasons = {};
    e.compute[0].sustained = h;
    telemetry_summary cool = t;
    cool.power_mean_w = 300;
    cool.throttle_reasons = {};
    e.memory[0].telemetry = cool;
    e.telemetry_note = "NVML: temperature not read (NVML has no <x>)";
    const std::string md = to_markdown(e);
    check_tables(md);
    // The sustained row follows the burst row; the roof stays on the higher (burst) one. Its peak
    // is the burst peak scaled to the sustained clock: 889 x 1500 / 1755 = 759.8.
    CHECK(has(md, "| fp16 | matrix | yes | 800.0 |"));
    CHECK(has(md, "| fp16 | matrix, sustained 60 s |  | 780.0 | 1000.0 | 78.0% | 1500 | 759.8 | "
                  "91.0% (90.0-92.0%) | 0.40% | yes |"));
    // Telemetry: power mean / max vs the limit, power-limited, clocks, temperature, reasons.
    CHECK(has(md, "| fp16 matrix | 20 | 690 / 698 | 700 | yes | 1600 (1500-1700) | 2619 | 45-60 | "
                  "sw_power_cap |"));
    CHECK(has(md, "| fp16 matrix, sustained 60 s | 20 | 500 / 698 | 700 | no | "));
    CHECK(has(md, "| fp16 vector | 0 | n/a | n/a | n/a | n/a | n/a | n/a | n/a |"));
    CHECK(has(md, "| hbm read | 20 | 300 / 698 | 700 | no | 1600 (1500-1700) | 2619 | 45-60 | none |"));
    CHECK(has(md, "Telemetry: NVML: temperature not read (NVML has no \\<x\\>)"));
    // A sustained figure above the burst one carries the roof.
    e.compute[0].sustained->tflops = 820;
    const std::string md2 = to_markdown(e);
    CHECK(has(md2, "| fp16 | matrix |  | 800.0 |"));
    CHECK(has(md2, "| fp16 | matrix, sustained 60 s | yes | 820.0 |"));
}

TEST_CASE("no telemetry at all: one line says so") {
    aaco::envelope e = report_envelope();
    CHECK(has(aaco::to_markdown(e), "Telemetry: none recorded."));
    e.telemetry_note = "board telemetry not read: NVML not loaded (libnvidia-ml.so.1: cannot open)";
    const std::string md = aaco::to_markdown(e);
    CHECK(has(md, "Telemetry: board telemetry not read: NVML not loaded"));
    CHECK_FALSE(has(md, "Board telemetry while"));
}

TEST_CASE("a datasheet envelope shows only what the datasheet says") {
    const std::string md = aaco::to_markdown(aaco::datasheet_envelope("mi300x"));
    CAPTURE(md);
    check_tables(md);
    // The printed peaks, the clock they assume, the HBM figure.
    CHECK(has(md, "| fp16 | matrix | yes | 1307.4 | 2100 | datasheet |"));
    CHECK(has(md, "| fp32 | vector |  | 163.4 | 2100 | datasheet (packed math) |"));
    CHECK(has(md, "| hbm | 5324.8 | datasheet |"));
    CHECK(has(md, "datasheet TFLOP/s (int8: TOP/s)"));
    // Nothing a datasheet cannot say: no measured column, statistics, operands, identity.
    for (const char* absent : {"measured TFLOP/s", "measured GB/s", "measured /", "CoV", "0.00%",
                               "random", "zero", "ECC", "UUID", "device id", "driver version",
                               "calibrated |", "wall time", "| 0 | 0.0 |", "| samples |",
                               "stable", "operands", "clock-adjusted"})
        CHECK_MESSAGE(!has(md, absent), absent);
    CHECK(has(md, "| source | datasheet (the vendor's printed peaks, not measured) |"));
    CHECK(has(md, "Not measured: a datasheet envelope has no samples and no statistics."));
    CHECK(has(md, "A datasheet gives no launch overhead."));
    // Unknown stays n/a.
    CHECK(has(md, "| device memory | n/a |"));
    CHECK(has(md, "| launch overhead (async) | n/a |"));
}

TEST_CASE("precisions a card has no unit for are listed as not on this card") {
    const std::string mi100 = aaco::to_markdown(aaco::datasheet_envelope("mi100"));
    CHECK(has(mi100, "Not on this card (gfx908 has no unit for them): tf32, fp8.\n"));
    const std::string mi300 = aaco::to_markdown(aaco::datasheet_envelope("mi300x"));
    CHECK_FALSE(has(mi300, "Not on this card"));  // gfx942 has every precision
    const std::string a100 = aaco::to_markdown(aaco::datasheet_envelope("a100-sxm"));
    CHECK(has(a100, "Not on this card (sm_80 has no unit for them): fp8.\n"));
}

TEST_CASE("a measured envelope keeps its measured tables and identity") {
    const std::string md = aaco::to_markdown(report_envelope());
    CHECK(has(md, "measured TFLOP/s"));
    CHECK(has(md, "| calibrated | 2026-02-15T12:00:00Z |"));
    CHECK(has(md, "| ECC | on |"));
    CHECK_FALSE(has(md, "(datasheet)"));
    CHECK_FALSE(has(md, "Not on this card"));  // only the datasheet report lists them
}

} // TEST_SUITE
