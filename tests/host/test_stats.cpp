// Sample statistics (stats/summary.hpp).
#include <aaco/stats.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <list>
#include <string>
#include <vector>

using namespace aaco;

namespace {
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

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

TEST_CASE("summarize: 1..10") {
    const stats::summary s = stats::summarize({3, 1, 2, 10, 9, 4, 8, 5, 7, 6});  // order must not matter
    CHECK(s.samples == 10);
    CHECK(s.min == 1);
    CHECK(s.max == 10);
    CHECK(s.mean == doctest::Approx(5.5));
    CHECK(s.median == doctest::Approx(5.5));
    CHECK(s.stdev == doctest::Approx(std::sqrt(82.5 / 9)));  // sum of squares 82.5 over n - 1
    CHECK(s.cov == doctest::Approx(std::sqrt(82.5 / 9) / 5.5));
    // Type 7 quartiles: h = 9 q -> 3.25 and 7.75 (NumPy's default gives the same).
    CHECK(s.q1 == doctest::Approx(3.25));
    CHECK(s.q3 == doctest::Approx(7.75));
    CHECK(s.iqr == doctest::Approx(4.5));
}

TEST_CASE("summarize: a textbook set with a known standard deviation") {
    const stats::summary s = stats::summarize({2, 4, 4, 4, 5, 5, 7, 9});
    CHECK(s.mean == doctest::Approx(5));
    CHECK(s.stdev == doctest::Approx(std::sqrt(32.0 / 7)));  // population sd 2, sample sd sqrt(32/7)
    CHECK(s.median == doctest::Approx(4.5));
    CHECK(s.q1 == doctest::Approx(4.0));
    CHECK(s.q3 == doctest::Approx(5.5));
    CHECK(s.iqr == doctest::Approx(1.5));
    CHECK(s.cov == doctest::Approx(std::sqrt(32.0 / 7) / 5));
}

TEST_CASE("summarize: odd count, single sample, constant samples") {
    const stats::summary odd = stats::summarize({5, 1, 3});
    CHECK(odd.median == 3);
    CHECK(odd.q1 == doctest::Approx(2));
    CHECK(odd.q3 == doctest::Approx(4));
    const stats::summary one = stats::summarize({42});
    CHECK(one.samples == 1);
    CHECK(one.median == 42);
    CHECK(one.min == 42);
    CHECK(one.max == 42);
    CHECK(one.stdev == 0);
    CHECK(one.cov == 0);
    CHECK(one.iqr == 0);
    const stats::summary flat = stats::summarize(std::vector<double>(100, 7.25));
    CHECK(flat.stdev == 0);
    CHECK(flat.cov == 0);
    CHECK(flat.robust_cov == 0);
    CHECK(flat.mean == 7.25);
}

TEST_CASE("summarize: zero mean and negative values") {
    const stats::summary z = stats::summarize({-1, 1});
    CHECK(z.mean == 0);
    CHECK(std::isinf(z.cov));  // spread around a zero mean: infinitely unstable, not NaN
    const stats::summary zeros = stats::summarize({0, 0, 0});
    CHECK(zeros.cov == 0);
    const stats::summary neg = stats::summarize({-2, -4});
    CHECK(neg.cov > 0);  // CoV uses |mean|
    CHECK(neg.cov == doctest::Approx(std::sqrt(2.0) / 3));
}

TEST_CASE("summarize: iterator ranges of other containers") {
    const std::list<double> l = {1, 2, 3, 4};
    const stats::summary a = stats::summarize(l.begin(), l.end());
    const std::array<float, 4> f = {1.f, 2.f, 3.f, 4.f};
    const stats::summary b = stats::summarize(f.begin(), f.end());
    CHECK(a.mean == b.mean);
    CHECK(a.median == doctest::Approx(2.5));
    CHECK(b.iqr == doctest::Approx(1.5));
}

TEST_CASE("summarize: empty, NaN and infinite input throw") {
    CHECK_THROWS_AS(stats::summarize(std::vector<double>{}), aaco::invalid_argument);
    CHECK_THROWS_AS(stats::summarize({1, nan_v, 3}), aaco::invalid_argument);
    CHECK_THROWS_AS(stats::summarize({inf_v}), aaco::invalid_argument);
    CHECK_THROWS_AS(stats::summarize({1, -inf_v}), aaco::invalid_argument);
    const std::string w = what_of([] { (void)stats::summarize({1, 2, nan_v}); });
    CHECK(w.find("sample 2") != std::string::npos);
    CHECK(w.find("nan") != std::string::npos);
    CHECK(what_of([] { (void)stats::summarize(std::vector<double>{}); }).find("no samples") != std::string::npos);
}

TEST_CASE("quantile_sorted: type 7 interpolation and bounds") {
    const std::vector<double> x = {10, 20, 30, 40, 50};
    CHECK(stats::quantile_sorted(x, 0) == 10);
    CHECK(stats::quantile_sorted(x, 1) == 50);
    CHECK(stats::quantile_sorted(x, 0.5) == 30);
    CHECK(stats::quantile_sorted(x, 0.1) == doctest::Approx(14));
    CHECK(stats::quantile_sorted(x, 0.9) == doctest::Approx(46));
    CHECK(stats::quantile_sorted({7}, 0.3) == 7);
    CHECK_THROWS_AS(stats::quantile_sorted(x, -0.1), aaco::invalid_argument);
    CHECK_THROWS_AS(stats::quantile_sorted(x, 1.5), aaco::invalid_argument);
    CHECK_THROWS_AS(stats::quantile_sorted(x, nan_v), aaco::invalid_argument);
    CHECK_THROWS_AS(stats::quantile_sorted({}, 0.5), aaco::invalid_argument);
}

TEST_CASE("running_moments agrees with a two-pass computation on large offsets") {
    // Welford stays accurate where the naive sum-of-squares formula would cancel.
    std::vector<double> v;
    for (int i = 0; i < 1000; ++i) v.push_back(1e9 + (i % 10));
    double mean = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    const double sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
    const stats::summary s = stats::summarize(v);
    CHECK(s.mean == doctest::Approx(mean));
    CHECK(s.stdev == doctest::Approx(sd).epsilon(1e-9));
    CHECK(s.stdev == doctest::Approx(2.8737).epsilon(1e-4));
}

TEST_CASE("robust_cov: one outlier moves cov but hardly robust_cov") {
    std::vector<double> v;
    for (int i = 0; i < 99; ++i) v.push_back(100.0 + 0.01 * ((i * 37) % 11 - 5));  // +-0.05%
    v.push_back(50.0);                                                          // one bad sample
    const stats::summary s = stats::summarize(v);
    CHECK(s.cov > 0.04);           // ~ 50% / sqrt(100)
    CHECK(s.robust_cov < 0.001);
    CHECK(s.median == doctest::Approx(100.0).epsilon(1e-3));
    CHECK(s.min == 50.0);
    // For noise without outliers the two estimates agree in magnitude.
    std::vector<double> u;
    for (int i = 0; i < 1000; ++i) u.push_back(100.0 + ((i * 7919) % 1001 - 500) / 500.0);  // uniform-ish +-1
    const stats::summary t = stats::summarize(u);
    // Uniform noise: cov = 1/sqrt(3) %, robust_cov = (1 / 1.349) % -> ratio 1.28.
    CHECK(t.cov == doctest::Approx(0.01 / std::sqrt(3.0)).scale(0).epsilon(0.01));
    CHECK(t.robust_cov / t.cov == doctest::Approx(std::sqrt(3.0) / 1.349).epsilon(0.02));
}

TEST_CASE("to_sample_stats fills the envelope block") {
    const stats::summary s = stats::summarize({100, 101, 99, 100.5, 99.5});
    const sample_stats st = s.to_sample_stats(0.05, 1.25, 5000);
    CHECK(st.samples == 5);
    CHECK(st.median == 100);
    CHECK(st.min == 99);
    CHECK(st.max == 101);
    CHECK(st.mean == doctest::Approx(100));
    CHECK(st.stdev == doctest::Approx(s.stdev));
    CHECK(st.cov == doctest::Approx(s.cov));
    CHECK(st.iqr == doctest::Approx(1.0));
    CHECK(st.measured_seconds == 1.25);
    CHECK(st.iterations == 5000);
    CHECK(st.stable);                                        // cov ~0.79% <= 5%
    CHECK_FALSE(s.to_sample_stats(0.005).stable);            // but not <= 0.5%
    CHECK_FALSE(stats::summarize({1}).to_sample_stats(1).stable);  // one sample is never stable
    CHECK(stats::to_sample_stats(s, 0.05).stable);
    CHECK_THROWS_AS(s.to_sample_stats(-0.1), aaco::invalid_argument);
    CHECK_THROWS_AS(s.to_sample_stats(nan_v), aaco::invalid_argument);
}
