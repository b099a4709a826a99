// A kernel above the roof: which roof it exceeds and what that implies; HEU's one text format
// (aaco/model/roofline.hpp; issue 10, items 10 and 12).
#include <aaco/model/profiles.hpp>
#include <aaco/model/roofline.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <locale>
#include <string>

namespace {
bool has(std::string_view s, const char* part) { return s.find(part) != std::string_view::npos; }
struct comma_numpunct : std::numpunct<char> {
    char do_decimal_point() const override { return ','; }
};
} // namespace

// At 1000 FLOP/byte against 163.4 TFLOP/s and 5324.8 GB/s the kernel is compute-bound: 2000
// TFLOP/s beats the compute ceiling itself, whatever its bytes.
static_assert(aaco::heu(2000, 1000, 163.4, 5324.8).above_compute_roof, "above the compute roof");
// 800 at 150 FLOP/byte: memory-bound (roof 798.7), under the compute roof.
static_assert(aaco::heu(800, 150, 1307.4, 5324.8).above_roof &&
                  !aaco::heu(800, 150, 1307.4, 5324.8).above_compute_roof,
              "above the memory roof only");
// Memory-bound but faster than the compute ceiling too: the compute roof is the one exceeded.
static_assert(aaco::heu(200, 10, 163.4, 5324.8).above_compute_roof, "beats both roofs");
static_assert(!aaco::heu(100, 1000, 163.4, 5324.8).above_compute_roof, "under the roof");

TEST_SUITE("model.above_roof") {

TEST_CASE("above the compute roof blames the FLOP count or precision, not a cache") {
    const aaco::envelope mi300 = aaco::datasheet_envelope("mi300x");
    const aaco::heu_result r = aaco::heu(mi300, 2000, 1000, aaco::precision::fp64);
    CHECK(r.b == aaco::bound::compute);
    CHECK(r.above_roof);
    CHECK(r.above_compute_roof);
    const std::string_view m = aaco::above_roof_meaning(r);
    CHECK(has(m, "above the compute roof"));
    CHECK(has(m, "FLOP count or the precision is wrong, or the ceiling is"));
    CHECK_FALSE(has(m, "cache"));
}

TEST_CASE("above the memory roof blames a cache or the byte count") {
    const aaco::envelope mi300 = aaco::datasheet_envelope("mi300x");
    const aaco::heu_result r = aaco::heu(mi300, 800, 10, aaco::precision::fp16);
    CHECK(r.b == aaco::bound::memory);
    CHECK(r.above_roof);
    CHECK_FALSE(r.above_compute_roof);
    const std::string_view m = aaco::above_roof_meaning(r);
    CHECK(has(m, "above the memory roof"));
    CHECK(has(m, "cache"));
    CHECK(has(m, "byte count is wrong"));
    // Under the roof: nothing to explain.
    CHECK(aaco::above_roof_meaning(aaco::heu(mi300, 10, 10, aaco::precision::fp16)).empty());
    // The roofline class reports the same.
    const aaco::heu_result via_class =
        aaco::make_roofline(mi300).heu(2000, 1000, aaco::precision::fp64);
    CHECK(via_class.above_compute_roof);
}

TEST_CASE("HEU text: one decimal, scientific for absurd values, n/a for non-finite") {
    CHECK(aaco::heu_percent_text(0.8) == "80.0%");
    CHECK(aaco::heu_percent_text(1.00237) == "100.2%");
    CHECK(aaco::heu_percent_text(0) == "0.0%");
    CHECK(aaco::heu_percent_text(9999.99) == "999999.0%");
    CHECK(aaco::heu_percent_text(7.6e304) == "7.6e+306%");
    CHECK(aaco::heu_percent_text(std::numeric_limits<double>::infinity()) == "n/a");
    CHECK(aaco::heu_percent_text(std::nan("")) == "n/a");
    const std::locale previous =
        std::locale::global(std::locale(std::locale::classic(), new comma_numpunct));
    const std::string under_comma_locale = aaco::heu_percent_text(0.875);
    std::locale::global(previous);
    CHECK(under_comma_locale == "87.5%");
}

} // TEST_SUITE
