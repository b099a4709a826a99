// The ceiling invariant of aaco_bench_compute (benchmarks/bench_common.hpp): a library figure
// above aaco's ceiling of its precision is reported loudly; one at or below it, or a missing
// figure, is not. The benchmark itself needs a GPU; this is its decision, checked on the host.
#include "../../benchmarks/bench_common.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <string>

TEST_CASE("ceiling invariant: a library figure above the ceiling is a loud violation") {
    const std::string line = aaco_bench::ceiling_violation(
        "bf16", 812.0, "cuBLASLt bf16 16384 x 16384 x 8192 (round 2)", 800.0, "with wgmma (round 1)");
    REQUIRE_FALSE(line.empty());
    CHECK(line.rfind("CEILING VIOLATED: bf16: ", 0) == 0);
    CHECK(line.find("812.0 TFLOP/s") != std::string::npos);
    CHECK(line.find("800.0 TFLOP/s") != std::string::npos);
    CHECK(line.find("HEU 101.5%") != std::string::npos);
    CHECK(line.find("16384 x 16384 x 8192 (round 2)") != std::string::npos);
    CHECK(line.find("not an upper bound") != std::string::npos);
    // Any excess counts, however small: an upper bound has no tolerance.
    CHECK_FALSE(aaco_bench::ceiling_violation("fp8", 1600.0001, "x", 1600.0, "y").empty());
}

TEST_CASE("ceiling invariant: at or below the ceiling, or with a figure missing, it holds") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(aaco_bench::ceiling_violation("fp16", 700.0, "x", 800.0, "y").empty());
    CHECK(aaco_bench::ceiling_violation("fp16", 800.0, "x", 800.0, "y").empty());  // HEU = 100%
    CHECK(aaco_bench::ceiling_violation("fp16", nan, "x", 800.0, "y").empty());    // library failed
    CHECK(aaco_bench::ceiling_violation("fp16", 700.0, "x", nan, "y").empty());    // no ceiling
    CHECK(aaco_bench::ceiling_violation("fp16", 700.0, "x", 0.0, "y").empty());
}
