// Datasheet profiles and FLOPs-per-clock tables (model/profiles.hpp).
//
// The central check: every printed peak of every row equals CUs x FLOPs/clock x clock within
// 1%, using the clock that figure assumes. A wrong rate, CU count, clock or figure fails it.
#include <aaco/model/profiles.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace aaco;

namespace {
template <class Fn>
std::string what_of(Fn&& fn) {
    try {
        fn();
    } catch (const aaco::invalid_argument& e) {
        return e.what();
    }
    return "<no exception>";
}
} // namespace

// ---- compile-time checks --------------------------------------------------------------------
static_assert(list_profiles().size() == 11, "every row of design.md section 5");
static_assert(find_profile("mi300x").compute_units() == 304, "MI300X CUs");
static_assert(find_profile("MI300X").tflops(precision::fp32) == 163.4, "MI300X FP32 is 163.4, not 653");
static_assert(find_profile("mi300x").tflops(precision::tf32, compute_unit::matrix) == 653.7,
              "653.7 is MI300X's XF32 rate");
static_assert(find_profile("mi210").tflops(precision::fp16, compute_unit::matrix) == 181.0,
              "MI210 FP16 is 181, not 362");
static_assert(find_profile("mi250x").package_tflops(precision::fp16, compute_unit::matrix) == 383.0,
              "MI250X FP16 is 383, not 762");
static_assert(find_profile("mi250x").compute_units() == 110, "one GCD = 110 CUs");
static_assert(find_profile("NVIDIA H100 80GB HBM3").key == "h100-sxm", "runtime name");
static_assert(find_profile("h100").key == "h100-sxm", "short alias");
static_assert(find_profile("NVIDIA H200").key == "h200-sxm", "runtime name");
static_assert(try_find_profile("NVIDIA H100 NVL") == nullptr, "NVL is not the SXM part");
static_assert(flops_per_clock("gfx942", precision::fp16, compute_unit::matrix) == 2048, "CDNA3 FP16");
static_assert(flops_per_clock("gfx942:sramecc+:xnack-", precision::fp8, compute_unit::matrix) == 4096,
              "target features ignored");
static_assert(flops_per_clock("gfx908", precision::fp64, compute_unit::matrix) == 0, "no FP64 MFMA on CDNA1");
static_assert(flops_per_clock("sm_90a", precision::fp8, compute_unit::matrix) == 8192, "Hopper FP8");
static_assert(flops_per_clock("sm_80", precision::fp8, compute_unit::matrix) == 0, "no FP8 on Ampere");
static_assert(unpacked_flops_per_clock("gfx90a", precision::fp32) == 128, "v_fma_f32 without packing");
static_assert(arch_family("GFX941") == "gfx94x" && arch_family("9.0") == "sm_90", "arch families");
static_assert(arch_family("gfx1100").empty() && !is_known_arch("sm_86"), "unknown arches");
static_assert(best_mfma("gfx90a", precision::fp64)->cycles == 32, "f64_16x16x4f64 on CDNA2");
static_assert(best_mfma("sm_90", precision::fp16) == nullptr, "MFMA is AMD only");

TEST_CASE("profiles: every printed peak = CUs x FLOPs/clock x clock within 1%") {
    int checked = 0;
    for (const profile& p : list_profiles()) {
        REQUIRE(p.figure_count <= max_peak_figures);
        for (std::size_t i = 0; i < p.figure_count; ++i) {
            const peak_figure& f = p.figures[i];
            const bool plain_vector = f.unit == compute_unit::vector && !f.packed;
            const double rate = plain_vector ? unpacked_flops_per_clock(p.arch, f.prec)
                                             : flops_per_clock(p.arch, f.prec, f.unit);
            INFO(p.key, " ", to_string(f.prec), ".", to_string(f.unit), f.packed ? " packed" : "",
                 " printed ", f.tflops, " rate ", rate, " clock ", f.clock_mhz);
            REQUIRE(rate > 0);
            const double package = tflops_from_clock(rate, p.package_compute_units, f.clock_mhz);
            CHECK(relative_difference(package, f.tflops) <= 0.01);
            // The same per runtime device (MI250X: one GCD, half of everything).
            const double device = tflops_from_clock(rate, p.compute_units(), f.clock_mhz);
            CHECK(relative_difference(device, f.tflops / p.devices_per_package) <= 0.01);
            ++checked;
        }
    }
    CHECK(checked == 6 + 8 + 8 + 10 + 10 + 10 + 9 + 7 + 8 + 8 + 8);
}

TEST_CASE("profiles: the hardware units each row lists match the arch table") {
    // A profile lists a figure exactly where its arch has a unit, so neither table drops one.
    for (const profile& p : list_profiles())
        for (precision prec : all_precisions)
            for (compute_unit u : {compute_unit::matrix, compute_unit::vector}) {
                INFO(p.key, " ", to_string(prec), ".", to_string(u));
                CHECK((p.best(prec, u) != nullptr) == (flops_per_clock(p.arch, prec, u) > 0));
            }
}

TEST_CASE("profiles: design.md section 5 figures, as printed") {
    struct row {
        const char* key;
        precision prec;
        compute_unit unit;
        double package_tflops;
    };
    // The design table's cells (vector figures are best-form: packed where printed so).
    const row rows[] = {
        {"mi100", precision::fp64, compute_unit::vector, 11.5},
        {"mi100", precision::fp32, compute_unit::vector, 23.1},
        {"mi100", precision::fp32, compute_unit::matrix, 46.1},
        {"mi100", precision::fp16, compute_unit::matrix, 184.6},
        {"mi100", precision::bf16, compute_unit::matrix, 92.3},
        {"mi100", precision::int8, compute_unit::matrix, 184.6},
        {"mi210", precision::fp64, compute_unit::vector, 22.6},
        {"mi210", precision::fp64, compute_unit::matrix, 45.3},
        {"mi210", precision::fp32, compute_unit::vector, 45.3},
        {"mi210", precision::fp16, compute_unit::matrix, 181.0},
        {"mi210", precision::int8, compute_unit::matrix, 181.0},
        {"mi250x", precision::fp64, compute_unit::vector, 47.9},
        {"mi250x", precision::fp64, compute_unit::matrix, 95.7},
        {"mi250x", precision::fp32, compute_unit::vector, 95.7},
        {"mi250x", precision::bf16, compute_unit::matrix, 383.0},
        {"mi300a", precision::fp64, compute_unit::vector, 61.3},
        {"mi300a", precision::fp64, compute_unit::matrix, 122.6},
        {"mi300a", precision::tf32, compute_unit::matrix, 490.3},
        {"mi300a", precision::fp16, compute_unit::matrix, 980.6},
        {"mi300a", precision::fp8, compute_unit::matrix, 1961.2},
        {"mi300x", precision::fp64, compute_unit::vector, 81.7},
        {"mi300x", precision::fp64, compute_unit::matrix, 163.4},
        {"mi300x", precision::fp32, compute_unit::vector, 163.4},
        {"mi300x", precision::fp32, compute_unit::matrix, 163.4},
        {"mi300x", precision::tf32, compute_unit::matrix, 653.7},
        {"mi300x", precision::bf16, compute_unit::matrix, 1307.4},
        {"mi300x", precision::int8, compute_unit::matrix, 2614.9},
        {"mi325x", precision::fp16, compute_unit::matrix, 1307.4},
        {"mi355x", precision::fp64, compute_unit::matrix, 78.6},
        {"mi355x", precision::fp32, compute_unit::vector, 157.3},
        {"mi355x", precision::fp16, compute_unit::matrix, 2500},
        {"mi355x", precision::fp8, compute_unit::matrix, 5000},
        {"a100-sxm", precision::fp64, compute_unit::vector, 9.7},
        {"a100-sxm", precision::fp64, compute_unit::matrix, 19.5},
        {"a100-sxm", precision::tf32, compute_unit::matrix, 156},
        {"a100-sxm", precision::fp16, compute_unit::matrix, 312},
        {"a100-sxm", precision::int8, compute_unit::matrix, 624},
        {"h100-sxm", precision::tf32, compute_unit::matrix, 494.7},
        {"h100-sxm", precision::fp16, compute_unit::matrix, 989.4},
        {"h100-sxm", precision::fp8, compute_unit::matrix, 1978.9},
        {"h100-pcie", precision::tf32, compute_unit::matrix, 378},
        {"h100-pcie", precision::fp16, compute_unit::matrix, 756.5},
        {"h100-pcie", precision::int8, compute_unit::matrix, 1513},
        {"h200-sxm", precision::bf16, compute_unit::matrix, 989.4},
    };
    for (const row& r : rows) {
        INFO(r.key, " ", to_string(r.prec), ".", to_string(r.unit));
        CHECK(find_profile(r.key).package_tflops(r.prec, r.unit) == doctest::Approx(r.package_tflops));
    }
    // NVIDIA's datasheets round FP64/FP32 to whole TFLOP/s; the rows keep the white papers'
    // unrounded figures, which agree within 2%.
    const row rounded[] = {
        {"h100-sxm", precision::fp64, compute_unit::vector, 34},
        {"h100-sxm", precision::fp64, compute_unit::matrix, 67},
        {"h100-sxm", precision::fp32, compute_unit::vector, 67},
        {"h200-sxm", precision::fp64, compute_unit::vector, 34},
        {"h100-pcie", precision::fp64, compute_unit::vector, 26},
        {"h100-pcie", precision::fp64, compute_unit::matrix, 51},
        {"h100-pcie", precision::fp32, compute_unit::vector, 51},
    };
    for (const row& r : rounded) {
        INFO(r.key, " ", to_string(r.prec), ".", to_string(r.unit));
        CHECK(relative_difference(find_profile(r.key).package_tflops(r.prec, r.unit),
                                  r.package_tflops) <= 0.02);
    }
}

TEST_CASE("profiles: memory, caches, units and clocks") {
    CHECK(find_profile("mi100").hbm_gbps == 1228.8);
    CHECK(find_profile("mi210").hbm_gbps == 1638.4);
    CHECK(find_profile("mi250x").hbm_gbps == 3276.8);
    CHECK(find_profile("mi250x").device_hbm_gbps() == doctest::Approx(1638.4));
    CHECK(find_profile("mi300a").hbm_gbps == 5324.8);
    CHECK(find_profile("mi300x").hbm_gbps == 5324.8);
    CHECK(find_profile("mi325x").hbm_gbps == 6000);
    CHECK(find_profile("mi355x").hbm_gbps == 8000);
    CHECK(find_profile("a100").hbm_gbps == 2039);
    CHECK(find_profile("h100").hbm_gbps == 3352);
    CHECK(find_profile("h100-pcie").hbm_gbps == 2039);
    CHECK(find_profile("h200").hbm_gbps == 4800);
    // L2 per device: 4 MB per XCD on CDNA3/4, 8 MB per GCD on CDNA1/2.
    CHECK(find_profile("mi300x").l2_bytes == 8 * 4 * mib);
    CHECK(find_profile("mi300x").l2_bytes / find_profile("mi300x").l2_partitions == 4 * mib);
    CHECK(find_profile("mi300a").l2_bytes / find_profile("mi300a").l2_partitions == 4 * mib);
    CHECK(find_profile("mi355x").l2_bytes / find_profile("mi355x").l2_partitions == 4 * mib);
    CHECK(find_profile("mi250x").l2_bytes == 8 * mib);
    CHECK(find_profile("a100").l2_bytes == 40 * mib);
    CHECK(find_profile("h100").l2_bytes == 50 * mib);
    CHECK(find_profile("h200").l2_bytes == 60 * mib); // what the runtime reports on the H200
    for (const char* k : {"mi300a", "mi300x", "mi325x", "mi355x"}) CHECK(find_profile(k).llc_bytes == 256 * mib);
    for (const char* k : {"mi100", "mi210", "mi250x", "a100", "h100", "h100-pcie", "h200"})
        CHECK(find_profile(k).llc_bytes == 0);
    // Units and clocks of the design table.
    struct uc { const char* key; int cus; double mhz; };
    for (const uc& x : {uc{"mi100", 120, 1502}, uc{"mi210", 104, 1700}, uc{"mi250x", 220, 1700},
                        uc{"mi300a", 228, 2100}, uc{"mi300x", 304, 2100}, uc{"mi325x", 304, 2100},
                        uc{"mi355x", 256, 2400}, uc{"a100", 108, 1410}, uc{"h100", 132, 1980},
                        uc{"h100-pcie", 114, 1755}, uc{"h200", 132, 1980}}) {
        INFO(x.key);
        CHECK(find_profile(x.key).package_compute_units == x.cus);
        CHECK(find_profile(x.key).clock_mhz == x.mhz);
    }
}

TEST_CASE("profiles: Hopper tensor peaks assume 1830 MHz, vector peaks 1980 MHz") {
    const profile& h = find_profile("h100-sxm");
    CHECK(h.best(precision::fp16, compute_unit::matrix)->clock_mhz == 1830);
    CHECK(h.best(precision::fp8, compute_unit::matrix)->clock_mhz == 1830);
    CHECK(h.best(precision::fp32, compute_unit::vector)->clock_mhz == 1980);
    CHECK(h.best(precision::fp64, compute_unit::matrix)->clock_mhz == 1980);
    // At the boost clock the FP16 tensor peak would be 8% above the datasheet: the datasheet
    // figure cannot be recomputed from the max clock alone.
    const double at_boost = tflops_from_clock(4096, 132, 1980);
    CHECK(relative_difference(at_boost, 989.4) > 0.05);
    CHECK(relative_difference(tflops_from_clock(4096, 132, 1830), 989.4) < 0.001);
    CHECK(find_profile("h100-pcie").best(precision::tf32, compute_unit::matrix)->clock_mhz == 1620);
}

TEST_CASE("profiles: packed FP32 on CDNA2/3/4") {
    for (const char* k : {"mi210", "mi250x", "mi300a", "mi300x", "mi325x", "mi355x"}) {
        const profile& p = find_profile(k);
        INFO(k);
        REQUIRE(p.find(precision::fp32, compute_unit::vector, true) != nullptr);
        REQUIRE(p.find(precision::fp32, compute_unit::vector, false) != nullptr);
        CHECK(p.find(precision::fp32, compute_unit::vector, true)->tflops ==
              doctest::Approx(2 * p.find(precision::fp32, compute_unit::vector, false)->tflops).epsilon(0.01));
        CHECK(p.best(precision::fp32, compute_unit::vector)->packed);
    }
    CHECK(find_profile("mi100").find(precision::fp32, compute_unit::vector, true) == nullptr);
    CHECK(find_profile("h100").find(precision::fp32, compute_unit::vector, true) == nullptr);
    CHECK(find_profile("mi300x").find(precision::fp32, compute_unit::vector)->tflops == 81.7);
}

TEST_CASE("profiles: MI250X is seen per GCD") {
    const profile& p = find_profile("mi250x");
    CHECK(p.devices_per_package == 2);
    CHECK(p.compute_units() == 110);
    CHECK(p.tflops(precision::fp64, compute_unit::matrix) == doctest::Approx(47.85));
    CHECK(p.tflops(precision::fp16, compute_unit::matrix) == doctest::Approx(191.5));
    CHECK(p.tflops(precision::fp32) == doctest::Approx(47.85));
    for (const profile& q : list_profiles())
        if (q.key != "mi250x") CHECK(q.devices_per_package == 1);
}

TEST_CASE("profiles: lookup by key, alias and runtime name") {
    struct nm { const char* name; const char* key; };
    for (const nm& x : {nm{"mi300x", "mi300x"}, nm{"MI300X", "mi300x"}, nm{"AMD Instinct MI300X", "mi300x"},
                        nm{"AMD Instinct MI300X VF", "mi300x"}, nm{"amd instinct mi300a", "mi300a"},
                        nm{"AMD Instinct MI325X", "mi325x"}, nm{"AMD Instinct MI355X", "mi355x"},
                        nm{"AMD Instinct MI250X/MI250", "mi250x"}, nm{"AMD Instinct MI210", "mi210"},
                        nm{"AMD Instinct MI100", "mi100"}, nm{"a100", "a100-sxm"},
                        nm{"NVIDIA A100-SXM4-80GB", "a100-sxm"}, nm{"h100", "h100-sxm"},
                        nm{"H100-SXM", "h100-sxm"}, nm{"NVIDIA H100 80GB HBM3", "h100-sxm"},
                        nm{"NVIDIA H100 PCIe", "h100-pcie"}, nm{"h100-pcie", "h100-pcie"},
                        nm{"h200", "h200-sxm"}, nm{"NVIDIA H200", "h200-sxm"}, nm{"h200-sxm", "h200-sxm"}}) {
        INFO(x.name);
        CHECK(find_profile(x.name).key == x.key);
    }
    // Parts with other clocks or bandwidth get no profile rather than a wrong one.
    for (const char* other : {"NVIDIA A100-SXM4-40GB", "NVIDIA A100 80GB PCIe", "NVIDIA H100 NVL",
                              "NVIDIA H200 NVL", "NVIDIA GH200 480GB", "AMD Instinct MI250",
                              "AMD Instinct MI300", "Radeon RX 7900 XTX", "", "mi3000x"}) {
        INFO(other);
        CHECK(try_find_profile(other) == nullptr);
    }
    const std::string w = what_of([] { (void)find_profile("B200"); });
    CHECK(w.find("'B200'") != std::string::npos);
    for (const profile& p : list_profiles()) CHECK(w.find(std::string(p.key)) != std::string::npos);
    // Keys are unique and each finds its own row.
    std::set<std::string> keys;
    for (const profile& p : list_profiles()) {
        keys.insert(std::string(p.key));
        CHECK(&find_profile(p.key) == &p);
        CHECK(&find_profile(p.name) == &p);  // the stored runtime name finds the row too
        CHECK(!p.source.empty());
        CHECK((p.vendor == "AMD" || p.vendor == "NVIDIA"));
        CHECK(is_known_arch(p.arch));
    }
    CHECK(keys.size() == list_profiles().size());
}

TEST_CASE("profiles: match_profile checks arch and CU count") {
    device_info d;
    d.name = "AMD Instinct MI300X";
    d.arch = "gfx942:sramecc+:xnack-";
    d.compute_units = 304;
    REQUIRE(match_profile(d) != nullptr);
    CHECK(match_profile(d)->key == "mi300x");
    d.compute_units = 38;  // CPX partition: one XCD
    CHECK(match_profile(d) == nullptr);
    d.compute_units = 0;   // not reported: name and arch decide
    CHECK(match_profile(d) != nullptr);
    d.arch = "gfx90a";
    CHECK(match_profile(d) == nullptr);
    device_info g;
    g.name = "AMD Instinct MI250X/MI250";
    g.arch = "gfx90a";
    g.compute_units = 110;
    CHECK(match_profile(g) == &find_profile("mi250x"));
    g.compute_units = 104;  // an MI250 GCD
    CHECK(match_profile(g) == nullptr);
    device_info h;
    h.name = "NVIDIA H100 80GB HBM3";
    h.arch = "sm_90";
    h.compute_units = 132;
    CHECK(match_profile(h) == &find_profile("h100-sxm"));
}

TEST_CASE("profiles_for_arch") {
    const auto gfx942 = profiles_for_arch("gfx942");
    REQUIRE(gfx942.size() == 3);
    CHECK(gfx942[0]->key == "mi300a");
    CHECK(gfx942[1]->key == "mi300x");
    CHECK(gfx942[2]->key == "mi325x");
    CHECK(profiles_for_arch("gfx90a").size() == 2);
    CHECK(profiles_for_arch("gfx908").size() == 1);
    CHECK(profiles_for_arch("gfx950").size() == 1);
    CHECK(profiles_for_arch("sm_90").size() == 3);
    CHECK(profiles_for_arch("sm_90a").size() == 3);
    CHECK(profiles_for_arch("sm_80").size() == 1);
    CHECK(profiles_for_arch("gfx1100").empty());
    std::size_t total = 0;
    for (const char* a : {"gfx908", "gfx90a", "gfx94x", "gfx950", "sm_80", "sm_90"}) total += profiles_for_arch(a).size();
    CHECK(total == list_profiles().size());
}

TEST_CASE("flops_per_clock: design.md section 5 table") {
    struct fr { const char* arch; precision p; compute_unit u; double rate; };
    const compute_unit M = compute_unit::matrix, V = compute_unit::vector;
    const fr rows[] = {
        {"gfx908", precision::fp64, V, 64},    {"gfx908", precision::fp64, M, 0},
        {"gfx908", precision::fp32, V, 128},   {"gfx908", precision::fp32, M, 256},
        {"gfx908", precision::fp16, M, 1024},  {"gfx908", precision::bf16, M, 512},
        {"gfx908", precision::int8, M, 1024},  {"gfx908", precision::fp8, M, 0},
        {"gfx908", precision::tf32, M, 0},
        {"gfx90a", precision::fp64, V, 128},   {"gfx90a", precision::fp64, M, 256},
        {"gfx90a", precision::fp32, V, 256},   {"gfx90a", precision::fp32, M, 256},
        {"gfx90a", precision::fp16, M, 1024},  {"gfx90a", precision::bf16, M, 1024},
        {"gfx90a", precision::int8, M, 1024},  {"gfx90a", precision::fp8, M, 0},
        {"gfx942", precision::fp64, V, 128},   {"gfx942", precision::fp64, M, 256},
        {"gfx942", precision::fp32, V, 256},   {"gfx942", precision::fp32, M, 256},
        {"gfx942", precision::tf32, M, 1024},  {"gfx942", precision::fp16, M, 2048},
        {"gfx942", precision::bf16, M, 2048},  {"gfx942", precision::int8, M, 4096},
        {"gfx942", precision::fp8, M, 4096},
        {"gfx950", precision::fp64, V, 128},   {"gfx950", precision::fp64, M, 128},
        {"gfx950", precision::fp32, V, 256},   {"gfx950", precision::fp32, M, 256},
        {"gfx950", precision::tf32, M, 0},     {"gfx950", precision::fp16, M, 4096},
        {"gfx950", precision::bf16, M, 4096},  {"gfx950", precision::int8, M, 8192},
        {"gfx950", precision::fp8, M, 8192},
        {"sm_80", precision::fp64, V, 64},     {"sm_80", precision::fp64, M, 128},
        {"sm_80", precision::fp32, V, 128},    {"sm_80", precision::fp32, M, 0},
        {"sm_80", precision::tf32, M, 1024},   {"sm_80", precision::fp16, M, 2048},
        {"sm_80", precision::bf16, M, 2048},   {"sm_80", precision::int8, M, 4096},
        {"sm_90", precision::fp64, V, 128},    {"sm_90", precision::fp64, M, 256},
        {"sm_90", precision::fp32, V, 256},    {"sm_90", precision::fp32, M, 0},
        {"sm_90", precision::tf32, M, 2048},   {"sm_90", precision::fp16, M, 4096},
        {"sm_90", precision::bf16, M, 4096},   {"sm_90", precision::int8, M, 8192},
        {"sm_90", precision::fp8, M, 8192},    {"sm_90", precision::fp16, V, 0},
    };
    for (const fr& r : rows) {
        INFO(r.arch, " ", to_string(r.p), ".", to_string(r.u));
        CHECK(flops_per_clock(r.arch, r.p, r.u) == r.rate);
    }
    // Packing: CDNA2+ FP32 vector doubles with v_pk_fma_f32; NVIDIA and CDNA1 have no packing.
    CHECK(unpacked_flops_per_clock("gfx942", precision::fp32) == 128);
    CHECK(unpacked_flops_per_clock("gfx950", precision::fp32) == 128);
    CHECK(unpacked_flops_per_clock("gfx908", precision::fp32) == 128);
    CHECK(unpacked_flops_per_clock("sm_90", precision::fp32) == 256);
    CHECK(unpacked_flops_per_clock("sm_90", precision::fp16) == 0);
    CHECK_THROWS_WITH_AS(flops_per_clock("gfx1030", precision::fp16, compute_unit::matrix),
                         doctest::Contains("gfx1030"), aaco::invalid_argument);
    CHECK_THROWS_AS(unpacked_flops_per_clock("sm_75", precision::fp32), aaco::invalid_argument);
}

TEST_CASE("mfma table: FLOPs = 2mnk, and FLOPs / cycles x 4 SIMDs = the arch rate") {
    std::set<std::string> seen;
    for (const mfma_instruction& i : mfma_table) {
        INFO(i.arch, " ", i.builtin, " -> ", i.mnemonic);
        CHECK(i.flops == 2.0 * i.m * i.n * i.k);
        CHECK(i.flops / i.cycles * simds_per_cu == flops_per_clock(i.arch, i.prec, compute_unit::matrix));
        CHECK(seen.insert(std::string(i.arch) + "/" + std::string(to_string(i.prec))).second);
    }
    // Every AMD matrix unit in the arch table has its best MFMA.
    for (const arch_rate& r : arch_rate_table)
        if (r.unit == compute_unit::matrix && r.arch.substr(0, 3) == "gfx") {
            INFO(r.arch, " ", to_string(r.prec));
            CHECK(best_mfma(r.arch, r.prec) != nullptr);
        }
    CHECK(best_mfma("gfx942", precision::fp8)->builtin == "__builtin_amdgcn_mfma_f32_32x32x16_fp8_fp8");
    CHECK(best_mfma("gfx950", precision::fp8)->cycles == 64);
    CHECK(best_mfma("gfx908", precision::fp64) == nullptr);
    CHECK_THROWS_AS(best_mfma("gfx1200", precision::fp16), aaco::invalid_argument);
}

TEST_CASE("mfma table: each row names the builtin called and the mnemonic emitted") {
    for (const mfma_instruction& i : mfma_table) {
        INFO(i.arch, " ", to_string(i.prec));
        CHECK(i.builtin.substr(0, 22) == "__builtin_amdgcn_mfma_");
        CHECK(i.mnemonic.substr(0, 7) == "v_mfma_");
    }
    // Where the builtin and the mnemonic differ (as tests/isa/isa_amd_mfma.sh reads them from
    // hipcc's and clang-22's assembly).
    const mfma_instruction* f16_94 = best_mfma("gfx942", precision::fp16);
    CHECK(f16_94->builtin == "__builtin_amdgcn_mfma_f32_32x32x8f16");
    CHECK(f16_94->mnemonic == "v_mfma_f32_32x32x8_f16");
    const mfma_instruction* bf16_94 = best_mfma("gfx940", precision::bf16);
    CHECK(bf16_94->builtin == "__builtin_amdgcn_mfma_f32_32x32x8bf16_1k");
    CHECK(bf16_94->mnemonic == "v_mfma_f32_32x32x8_bf16");
    CHECK(best_mfma("gfx90a", precision::bf16)->mnemonic == "v_mfma_f32_32x32x8bf16_1k");
    CHECK(best_mfma("gfx950", precision::fp32)->mnemonic == "v_mfma_f32_32x32x2_f32");
    CHECK(best_mfma("gfx90a", precision::fp64)->mnemonic == "v_mfma_f64_16x16x4f64");
    CHECK(best_mfma("gfx950", precision::fp64)->mnemonic == "v_mfma_f64_16x16x4_f64");
    // gfx950 fp8 runs the scaled f8f6f4 form (unit scales), not the plain one.
    const mfma_instruction* fp8_950 = best_mfma("gfx950", precision::fp8);
    CHECK(fp8_950->builtin == "__builtin_amdgcn_mfma_scale_f32_32x32x64_f8f6f4");
    CHECK(fp8_950->mnemonic == "v_mfma_scale_f32_32x32x64_f8f6f4");
}

TEST_CASE("theoretical_peak_tflops") {
    device_info d;
    d.arch = "gfx942";
    d.compute_units = 304;
    d.max_clock_mhz = 2100;
    CHECK(theoretical_peak_tflops(d, precision::fp16, compute_unit::matrix) == doctest::Approx(1307.4).epsilon(1e-4));
    CHECK(theoretical_peak_tflops(d, precision::fp32, compute_unit::vector) == doctest::Approx(163.4).epsilon(1e-3));
    CHECK(theoretical_peak_tflops(d, precision::fp8, compute_unit::vector) == 0);
    // A sustained clock below the max lowers the peak proportionally.
    d.max_clock_mhz = 1050;
    CHECK(theoretical_peak_tflops(d, precision::fp16, compute_unit::matrix) == doctest::Approx(1307.4 / 2).epsilon(1e-4));
    device_info h;
    h.arch = "sm_90";
    h.compute_units = 132;
    h.max_clock_mhz = 1830;
    CHECK(theoretical_peak_tflops(h, precision::bf16, compute_unit::matrix) == doctest::Approx(989.4).epsilon(1e-3));
    h.arch = "sm_75";
    CHECK_THROWS_AS(theoretical_peak_tflops(h, precision::fp16, compute_unit::matrix), aaco::invalid_argument);
    h.arch = "sm_90";
    h.compute_units = 0;
    CHECK_THROWS_WITH_AS(theoretical_peak_tflops(h, precision::fp16, compute_unit::matrix),
                         doctest::Contains("compute_units"), aaco::invalid_argument);
    h.compute_units = 132;
    h.max_clock_mhz = 0;
    CHECK_THROWS_WITH_AS(theoretical_peak_tflops(h, precision::fp16, compute_unit::matrix),
                         doctest::Contains("clock_mhz"), aaco::invalid_argument);
}

TEST_CASE("datasheet_envelope") {
    for (const profile& p : list_profiles()) {
        INFO(p.key);
        const envelope e = datasheet_envelope(p);
        CHECK(e.source == envelope_source::datasheet);
        CHECK(e.profile_key == p.key);
        CHECK(e.device.name == p.name);
        CHECK(e.device.arch == p.arch);
        CHECK(e.device.compute_units == p.compute_units());
        CHECK(e.device.max_clock_mhz == p.clock_mhz);
        CHECK(e.device.l2_bytes == p.l2_bytes);
        CHECK(e.launch.empty());
        CHECK(e.memory_gbps() == doctest::Approx(p.device_hbm_gbps()));
        CHECK_FALSE(e.validation().stable);
        for (const compute_figure& f : e.compute) {
            CHECK(f.tflops == doctest::Approx(p.tflops(f.prec, f.unit)));
            CHECK(f.datasheet_tflops == f.tflops);
            CHECK(relative_difference(f.clock_adjusted_peak_tflops, f.tflops) <= 0.01);
            CHECK(f.stats.samples == 0);
        }
        for (precision prec : all_precisions)
            CHECK(e.has_compute(prec) == (p.tflops(prec) > 0));
    }
    const envelope x = datasheet_envelope("AMD Instinct MI300X");
    CHECK(x.compute_tflops(precision::fp32) == doctest::Approx(163.4));
    CHECK(x.compute_tflops(precision::fp16) == doctest::Approx(1307.4));
    CHECK(x.device.llc_bytes == 256 * mib);
    const envelope g = datasheet_envelope("mi250x");
    CHECK(g.compute_tflops(precision::fp64) == doctest::Approx(47.85));
    CHECK(g.memory_gbps() == doctest::Approx(1638.4));
    CHECK_THROWS_AS(datasheet_envelope("rtx4090"), aaco::invalid_argument);
}
