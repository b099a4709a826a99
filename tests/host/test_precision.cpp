// Precision and memory-level tags: traits, names, parsing (model/precision.hpp,
// model/memory_level.hpp).
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace aaco;

// ---- compile-time checks --------------------------------------------------------------------
static_assert(traits(precision::fp64).operand_bytes == 8, "fp64 is 8 bytes");
static_assert(traits(precision::fp32).operand_bytes == 4, "fp32 is 4 bytes");
static_assert(traits(precision::tf32).operand_bytes == 4, "tf32 is stored as fp32");
static_assert(traits(precision::fp16).operand_bytes == 2, "fp16 is 2 bytes");
static_assert(traits(precision::bf16).operand_bytes == 2, "bf16 is 2 bytes");
static_assert(traits(precision::fp8).operand_bytes == 1, "fp8 is 1 byte");
static_assert(traits(precision::int8).operand_bytes == 1, "int8 is 1 byte");
static_assert(traits(precision::int8).is_integer, "int8 counts integer ops");
static_assert(!traits(precision::fp8).is_integer, "fp8 is a float");
static_assert(to_string(precision::tf32) == "tf32", "canonical tf32 name");
static_assert(to_string(compute_unit::matrix) == "matrix", "unit name");
static_assert(to_string(memory_level::llc) == "llc", "llc name");
static_assert(to_string(memory_level::host_to_device) == "h2d", "h2d name");
static_assert(traffic(stream_op::triad).arrays_read == 2, "triad reads b and c");
static_assert(traffic(stream_op::triad).arrays_written == 1, "triad writes a");
static_assert(traffic(stream_op::copy).arrays_read == 1 && traffic(stream_op::copy).arrays_written == 1,
              "copy reads one array and writes one");
static_assert(all_precisions.size() == 7, "seven precisions");
static_assert(all_memory_levels.size() == 7, "seven memory levels (l1: latency only)");
static_assert(bandwidth_memory_levels.size() == 6, "six levels with a bandwidth probe");

TEST_CASE("precision: every precision round-trips through its name") {
    std::set<std::string> names;
    for (precision p : all_precisions) {
        const std::string name(to_string(p));
        CHECK(parse_precision(name) == p);
        CHECK(name == traits(p).name);
        names.insert(name);
    }
    CHECK(names.size() == all_precisions.size());  // names are distinct
}

TEST_CASE("precision: aliases") {
    CHECK(parse_precision("xf32") == precision::tf32);
    CHECK(parse_precision("half") == precision::fp16);
    CHECK(parse_precision("float") == precision::fp32);
    CHECK(parse_precision("double") == precision::fp64);
    CHECK(parse_precision("e4m3") == precision::fp8);
}

TEST_CASE("precision: unknown names throw invalid_argument naming the value") {
    CHECK_THROWS_AS(parse_precision("fp4"), aaco::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_precision("fp4"), doctest::Contains("fp4"), aaco::invalid_argument);
    CHECK_THROWS_AS(parse_precision(""), aaco::invalid_argument);
    CHECK_THROWS_AS(parse_precision("FP16 "), aaco::invalid_argument);
    // invalid_argument is a std::invalid_argument, so generic handlers catch it.
    CHECK_THROWS_AS(parse_precision("int4"), std::invalid_argument);
    CHECK_THROWS_AS(parse_precision("int4"), std::logic_error);
}

TEST_CASE("precision: operand sizes are ordered as expected") {
    CHECK(traits(precision::fp64).operand_bytes > traits(precision::fp32).operand_bytes);
    CHECK(traits(precision::fp32).operand_bytes > traits(precision::fp16).operand_bytes);
    CHECK(traits(precision::fp16).operand_bytes > traits(precision::fp8).operand_bytes);
    int integers = 0;
    for (precision p : all_precisions) integers += traits(p).is_integer ? 1 : 0;
    CHECK(integers == 1);
}

TEST_CASE("memory level: names round-trip and aliases parse") {
    for (memory_level l : all_memory_levels) CHECK(parse_memory_level(to_string(l)) == l);
    CHECK(parse_memory_level("lds") == memory_level::shared);
    CHECK(parse_memory_level("infinity_cache") == memory_level::llc);
    CHECK(parse_memory_level("mall") == memory_level::llc);
    CHECK_THROWS_WITH_AS(parse_memory_level("l3"), doctest::Contains("l3"), aaco::invalid_argument);
}

TEST_CASE("stream ops: names and traffic") {
    for (stream_op op : all_stream_ops) CHECK(parse_stream_op(to_string(op)) == op);
    CHECK(traffic(stream_op::read).arrays_read == 1);
    CHECK(traffic(stream_op::read).arrays_written == 0);
    CHECK(traffic(stream_op::write).arrays_read == 0);
    CHECK(traffic(stream_op::write).arrays_written == 1);
    int total = 0;
    for (stream_op op : all_stream_ops) total += traffic(op).arrays_read + traffic(op).arrays_written;
    CHECK(total == 1 + 1 + 2 + 3);
    CHECK_THROWS_AS(parse_stream_op("scale"), aaco::invalid_argument);
}

TEST_CASE("precision: one documented operand distribution per precision") {
    for (precision p : all_precisions) {
        const std::string d(random_operand_distribution(p));
        if (traits(p).is_integer) CHECK(d == "uniform int8 [-128, 127]");
        else CHECK(d == "uniform [-1, 1]");
    }
    CHECK(zero_operand_distribution == "zero");
}
