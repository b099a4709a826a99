// calibration_options (sustained seconds), the probes' sampling configurations and the
// operand distribution a compute figure records: the host-side parts of issue 9's probes.
#include <aaco/calibration_options.hpp>
#include <aaco/calibrator.hpp>
#include <aaco/probes/compute.hpp>
#include <aaco/probes/sampler.hpp>

#include <doctest/doctest.h>

#include <limits>
#include <string>

using namespace aaco;

namespace {
std::string what_of(double seconds, bool zero_means_off) {
    try {
        calibration_options::check_sustained_seconds(seconds, zero_means_off);
    } catch (const aaco::invalid_argument& e) {
        return e.what();
    }
    return "<no exception>";
}
} // namespace

TEST_SUITE("calibration_options") {

TEST_CASE("sustained seconds: finite, > 0, at most 600; 0 means off in the library") {
    calibration_options o;
    CHECK(o.sustained_seconds == 0);
    CHECK_NOTHROW(o.validate());
    o.sustained_seconds = 60;
    CHECK_NOTHROW(o.validate());
    o.sustained_seconds = calibration_options::max_sustained_seconds;
    CHECK_NOTHROW(o.validate());
    for (double bad : {-1.0, 600.5, 1e9, std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::infinity()}) {
        o.sustained_seconds = bad;
        CHECK_THROWS_AS(o.validate(), aaco::invalid_argument);
    }
    // The CLI's --sustained has no "off" value: 0 is an error there.
    CHECK(what_of(0, false).find("sustained seconds must be a finite number > 0 and <= 600") !=
          std::string::npos);
    CHECK(what_of(0, true) == "<no exception>");
    CHECK(what_of(-3, true).find("got -3") != std::string::npos);
}

TEST_CASE("without a GPU backend, a bad option is still an invalid argument, not 'no GPU'") {
    // calibrate_device validates before anything else; here only the validation can be shown.
    calibration_options o;
    o.sustained_seconds = -1;
    CHECK_THROWS_AS(o.validate(), aaco::invalid_argument);
}

TEST_CASE("sampling configurations leave room for a stable figure") {
    for (const probes::sampling_config& c :
         {probes::sampling_config::full(), probes::sampling_config::quick()}) {
        CHECK_NOTHROW(c.rule.validate());
        CHECK(c.rule.min_samples >= stats::min_stable_samples);
        CHECK(c.telemetry == nullptr);
        // 10 samples plus the smallest confirmation window fit in the cap at the compute
        // launch length (launches are sized to 0.5-1x the target).
        const double needed = static_cast<double>(c.rule.min_samples +
                                                  c.rule.confirmation_samples(c.rule.min_samples)) *
                              c.compute_launch_ms * 1e-3;
        CHECK(needed <= c.rule.timeout_seconds);
        CHECK(c.stable_cov == 0.01);
    }
    CHECK(probes::sampling_config::quick().rule.timeout_seconds <
          probes::sampling_config::full().rule.timeout_seconds);
}

TEST_CASE("a compute figure records the runner's distribution, else the precision's") {
    kernels::compute_kernel_desc d;
    d.prec = precision::int8;
    d.operands = operand_mode::random;
    CHECK(probes::operand_distribution_of(d) == "uniform int8 [-128, 127]");
    d.prec = precision::bf16;
    CHECK(probes::operand_distribution_of(d) == "uniform [-1, 1]");
    d.operands = operand_mode::zero;
    CHECK(probes::operand_distribution_of(d) == "zero");
    d.operand_distribution = "uniform [-1, 1], rounded to bf16";
    CHECK(probes::operand_distribution_of(d) == "uniform [-1, 1], rounded to bf16");
}

} // TEST_SUITE
