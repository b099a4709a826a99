// aaco_bench_fleet: how long the fleet analysis of 10,000 GPUs takes (the target: < 1 s
// for the analysis). Builds synthetic envelopes of a mixed fleet (two models on alternate nodes,
// two drivers; 0.5% noise, a planted HBM outlier every 997th GPU and a failed rank every
// 1,999th), turns them into fixed-size records, splits them into cohorts and judges them, and
// writes/reads the fleet JSON. Prints each step's time; exits 1 when the verdicts miss a planted
// outlier or flag a healthy GPU (so a wrong fast result is not reported as a success).
//
//   aaco_bench_fleet [GPUS]   (default 10000)
#include <aaco/fleet.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

aaco::envelope synthetic(std::size_t i, std::mt19937_64& rng, bool slow_hbm) {
    std::normal_distribution<double> noise(1.0, 0.005);
    aaco::envelope e;
    e.device.id = static_cast<int>(i % 8);
    // Alternate nodes hold the other model, and half of each model's nodes an older driver: a
    // fleet-wide median would flag one model against the other.
    const bool other_model = (i / 8) % 2 == 1;
    e.device.name = other_model ? "NVIDIA H200" : "NVIDIA H100 80GB HBM3";
    e.device.arch = "sm_90";
    e.device.driver_version = (i / 16) % 2 ? 12040 : 12080;
    const double model_scale = other_model ? 1.3 : 1.0;
    char uuid[48];
    std::snprintf(uuid, sizeof uuid, "GPU-%08zx-0000-0000-0000-000000000000", i);
    e.device.uuid = uuid;
    auto add = [&](aaco::precision p, aaco::compute_unit u, double t) {
        aaco::compute_figure f;
        f.prec = p;
        f.unit = u;
        f.tflops = t * model_scale * noise(rng);
        e.compute.push_back(f);
    };
    add(aaco::precision::fp64, aaco::compute_unit::matrix, 60.0);
    add(aaco::precision::fp32, aaco::compute_unit::vector, 55.0);
    add(aaco::precision::tf32, aaco::compute_unit::matrix, 380.0);
    add(aaco::precision::fp16, aaco::compute_unit::matrix, 760.0);
    add(aaco::precision::bf16, aaco::compute_unit::matrix, 760.0);
    add(aaco::precision::fp8, aaco::compute_unit::matrix, 1480.0);
    add(aaco::precision::int8, aaco::compute_unit::matrix, 1500.0);
    aaco::memory_figure hbm;
    hbm.level = aaco::memory_level::hbm;
    hbm.gbps = 3000.0 * model_scale * noise(rng) * (slow_hbm ? 0.88 : 1.0);
    e.memory.push_back(hbm);
    aaco::memory_figure l2;
    l2.level = aaco::memory_level::l2;
    l2.gbps = 9800.0 * model_scale * noise(rng);
    e.memory.push_back(l2);
    aaco::launch_figure l;
    l.us = 2.1 * noise(rng);
    e.launch.push_back(l);
    return e;
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
    if (n == 0) {
        std::fprintf(stderr, "usage: aaco_bench_fleet [GPUS > 0]\n");
        return 2;
    }
    std::mt19937_64 rng(42);
    auto t0 = clock_type::now();
    std::vector<aaco::envelope> envelopes;
    envelopes.reserve(n);
    for (std::size_t i = 0; i < n; ++i) envelopes.push_back(synthetic(i, rng, i % 997 == 500));
    const double t_build = seconds_since(t0);

    t0 = clock_type::now();
    std::vector<aaco::fleet::fleet_record> records;
    records.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 1999 == 1000)
            records.push_back(aaco::fleet::make_failed_record("node", static_cast<int>(i), 0, 0, "synthetic failure"));
        else
            records.push_back(aaco::fleet::make_record(envelopes[i], "node" + std::to_string(i / 8),
                                                       static_cast<int>(i), static_cast<int>(i % 8)));
    }
    const double t_records = seconds_since(t0);

    t0 = clock_type::now();
    const aaco::fleet::fleet_verdicts v = aaco::fleet::judge_fleet(records);
    const double t_analyze = seconds_since(t0);

    t0 = clock_type::now();
    const std::string text = aaco::fleet::to_json(records, v);
    const double t_write = seconds_since(t0);

    t0 = clock_type::now();
    const aaco::fleet::fleet_document back = aaco::fleet::fleet_from_json(text);
    const double t_read = seconds_since(t0);

    t0 = clock_type::now();
    const std::string md = aaco::fleet::to_markdown(records, v);
    const double t_md = seconds_since(t0);

    // Correctness: every planted outlier flagged on hbm, every failed rank failed, nothing else.
    std::size_t expected_outliers = 0, expected_failed = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 1999 == 1000) ++expected_failed;
        else if (i % 997 == 500) ++expected_outliers;
    }
    std::size_t below = 0, failed = 0;
    bool ok = back.records.size() == n && v.cohorts.cohorts.size() == (n > 16 ? 4u : v.cohorts.cohorts.size());
    for (const auto& f : v.findings) {
        if (f.code == aaco::fleet::reason::below_cohort) {
            ++below;
            ok = ok && f.figure == aaco::fleet::ceiling::hbm && f.record % 997 == 500;
        } else if (f.code == aaco::fleet::reason::calibration_failed) {
            ++failed;
        } else {
            ok = false;  // nothing is unstable or alone in this fleet
        }
    }
    ok = ok && below == expected_outliers && failed == expected_failed;

    std::printf("fleet of %zu GPUs (record: %zu bytes, %zu KiB gathered)\n", n,
                sizeof(aaco::fleet::fleet_record), n * sizeof(aaco::fleet::fleet_record) / 1024);
    std::printf("  synthetic envelopes   %9.3f ms\n", t_build * 1e3);
    std::printf("  make_record           %9.3f ms\n", t_records * 1e3);
    std::printf("  cohorts + verdicts    %9.3f ms   (target < 1000 ms; %s)\n", t_analyze * 1e3,
                v.cohorts.describe().substr(0, 60).c_str());
    std::printf("  fleet JSON write      %9.3f ms   (%zu bytes)\n", t_write * 1e3, text.size());
    std::printf("  fleet JSON read       %9.3f ms\n", t_read * 1e3);
    std::printf("  markdown              %9.3f ms   (%zu bytes)\n", t_md * 1e3, md.size());
    std::printf("  below cohort %zu (expected %zu), failed %zu (expected %zu): %s\n", below, expected_outliers,
                failed, expected_failed, ok ? "correct" : "WRONG");
    std::printf("  analysis %s the 1 s target\n", t_analyze < 1.0 ? "meets" : "MISSES");
    return ok ? 0 : 1;
}
