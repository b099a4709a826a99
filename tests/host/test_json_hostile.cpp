// Envelope JSON reader against hostile and broken input: every case is a parse_error whose
// message says what is wrong and where; nothing crashes, hangs or escapes as another exception.
#include <aaco/io/json.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

/// A small but complete aaco file with four compute figures (so /aaco/compute/3 exists).
aaco::envelope sample() {
    using namespace aaco;
    envelope e;
    e.device.name = "NVIDIA H100 NaN Infinity edition";  // words the pre-scan must not reject
    e.device.arch = "sm_90";
    e.calibration_timestamp = "2026-02-15T12:00:00Z";
    const precision ps[] = {precision::fp16, precision::bf16, precision::fp32, precision::fp64};
    for (precision p : ps) {
        compute_figure f;
        f.prec = p;
        f.unit = p == precision::fp32 ? compute_unit::vector : compute_unit::matrix;
        f.tflops = 100;
        f.stats.cov = 0.001;
        f.stats.stable = true;
        e.compute.push_back(f);
    }
    memory_figure m;
    m.gbps = 3000;
    e.memory.push_back(m);
    launch_figure l;
    l.us = 2;
    e.launch.push_back(l);
    e.failures.push_back({"compute.fp8.matrix", "not built"});
    return e;
}

nlohmann::json sample_json() { return nlohmann::json::parse(aaco::to_json(sample())); }

/// The parse_error message for `text`, or "<accepted>" / "<other exception: ...>".
std::string error_of(std::string_view text) {
    try {
        (void)aaco::envelope_from_json(text);
        return "<accepted>";
    } catch (const aaco::parse_error& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("<other exception: ") + e.what() + ">";
    }
}

std::string error_of_json(const nlohmann::json& j) { return error_of(std::string_view(j.dump())); }

bool has(const std::string& message, const std::string& part) {
    return message.find(part) != std::string::npos;
}

} // namespace

TEST_SUITE("io.json.hostile") {

TEST_CASE("the sample itself is accepted") {
    CHECK(error_of_json(sample_json()) == "<accepted>");
}

TEST_CASE("not JSON, empty, trailing garbage") {
    std::string m = error_of("hello world");
    CHECK(has(m, "not valid JSON"));
    CHECK(has(m, "line 1"));
    CHECK(has(error_of(""), "empty input"));
    CHECK(has(error_of(" \n\t "), "empty input"));
    CHECK(has(error_of(sample_json().dump() + " x"), "not valid JSON"));
    CHECK(has(error_of("{\"device\": \"a\x01" "b\"}"), "not valid JSON"));  // raw control char
    m = error_of("{\"device\": \"\xFF\xFE\"}");  // invalid UTF-8
    CHECK(has(m, "not valid JSON"));
    for (char c : m) CHECK((c >= 0x20 && c <= 0x7e));  // the parser's quote of it is sanitized
}

TEST_CASE("truncated input, at every length") {
    const std::string full = sample_json().dump();
    CHECK(has(error_of(full.substr(0, full.size() / 2)), "truncated"));
    for (std::size_t n = 1; n < full.size(); ++n) {
        const std::string m = error_of(full.substr(0, n));
        CAPTURE(n);
        CHECK(m.rfind("aaco envelope", 0) == 0);  // a parse_error, nothing else
    }
}

TEST_CASE("wrong top-level type") {
    for (const char* text : {"[1, 2]", "42", "\"envelope\"", "null", "true"}) {
        CAPTURE(text);
        const std::string m = error_of(text);
        CHECK(has(m, "expected a JSON object at the top level"));
        CHECK(m.rfind("aaco envelope: ", 0) == 0);
    }
    CHECK(has(error_of("[1, 2]"), "got array"));
}

TEST_CASE("schema_version: newer, invalid, wrong type, missing") {
    nlohmann::json j = sample_json();
    j["aaco"]["schema_version"] = aaco::envelope_schema_version + 1;
    // The newer-version message wins even if the rest of /aaco changed shape.
    j["aaco"]["compute"] = "new layout";
    std::string m = error_of_json(j);
    CHECK(has(m, "/aaco/schema_version"));
    CHECK(has(m, "written by a newer aaco"));
    j = sample_json();
    j["aaco"]["schema_version"] = 0;
    CHECK(has(error_of_json(j), "versions start at 1"));
    j["aaco"]["schema_version"] = -3;
    CHECK(has(error_of_json(j), "versions start at 1"));
    j["aaco"]["schema_version"] = "1";
    CHECK(has(error_of_json(j), "expected an integer"));
    j["aaco"]["schema_version"] = 1.5;
    CHECK(has(error_of_json(j), "expected an integer"));
    j["aaco"].erase("schema_version");
    m = error_of_json(j);
    CHECK(has(m, "/aaco/schema_version"));
    CHECK(has(m, "missing required field"));
    j = sample_json();
    j["aaco"] = 7;
    CHECK(has(error_of_json(j), "/aaco: expected an object"));
}

TEST_CASE("foreign JSON objects") {
    std::string m = error_of(R"({"name": "my-package", "version": "1.2.3"})");
    CHECK(has(m, "not an aaco envelope"));
    CHECK(has(error_of("{}"), "not an aaco envelope"));
    // Some seed keys but not all: the first missing one is named.
    m = error_of(R"({"device": "x", "calibration_timestamp": "t"})");
    CHECK(has(m, "/envelope"));
    CHECK(has(m, "missing required field"));
    nlohmann::json j = sample_json();
    j.erase("validation");
    CHECK(has(error_of_json(j), "/validation: missing required field"));
}

TEST_CASE("wrong types name the JSON pointer") {
    nlohmann::json j = sample_json();
    j["aaco"]["compute"][3]["tflops"] = "fast";
    std::string m = error_of_json(j);
    CHECK(has(m, "/aaco/compute/3/tflops"));
    CHECK(has(m, "expected a number or null"));
    CHECK(has(m, "string \"fast\""));

    j = sample_json();
    j["device"] = 42;
    CHECK(has(error_of_json(j), "/device: expected a string, got number 42"));
    j = sample_json();
    j["validation"]["stable"] = "yes";
    CHECK(has(error_of_json(j), "/validation/stable: expected true or false"));
    j = sample_json();
    j["aaco"]["compute"] = nlohmann::json::object();
    CHECK(has(error_of_json(j), "/aaco/compute: expected an array"));
    j = sample_json();
    j["aaco"]["compute"][1] = 5;
    CHECK(has(error_of_json(j), "/aaco/compute/1: expected an object"));
    j = sample_json();
    j["aaco"]["memory"][0]["stats"] = nlohmann::json::array();
    CHECK(has(error_of_json(j), "/aaco/memory/0/stats: expected an object"));
    j = sample_json();
    j["aaco"]["device"]["compute_units"] = 13.5;
    CHECK(has(error_of_json(j), "/aaco/device/compute_units: expected an integer"));
    j = sample_json();
    j["aaco"]["failures"][0].erase("reason");
    CHECK(has(error_of_json(j), "/aaco/failures/0/reason: missing required field"));
    j = sample_json();
    j["aaco"]["compute"][0].erase("precision");
    CHECK(has(error_of_json(j), "/aaco/compute/0/precision: missing required field"));
    j = sample_json();
    j["envelope"]["launch_overhead_us"] = true;
    CHECK(has(error_of_json(j), "/envelope/launch_overhead_us: expected a number or null"));
}

TEST_CASE("NaN and Infinity literals are rejected with a hint; the words inside strings are fine") {
    const std::string base = sample_json().dump();
    const std::string needle = "\"compute_ceiling_fp16_tflops\":100.0";
    REQUIRE(base.find(needle) != std::string::npos);
    for (const char* lit : {"NaN", "nan", "Infinity", "-Infinity", "inf", "-inf"}) {
        std::string text = base;
        text.replace(text.find(needle), needle.size(),
                     std::string("\"compute_ceiling_fp16_tflops\":") + lit);
        CAPTURE(lit);
        const std::string m = error_of(text);
        CHECK(has(m, "NaN and Infinity literals are not allowed"));
        CHECK(has(m, "line 1, column"));
    }
    // The device name of the sample contains "NaN" and "Infinity" as words inside a string.
    CHECK(error_of(base) == "<accepted>");
}

TEST_CASE("negative and absurd values") {
    struct edit {
        const char* pointer;
        double value;
    };
    const edit edits[] = {
        {"/aaco/compute/0/tflops", 1e7},
        {"/aaco/compute/0/tflops", 1e308},
        {"/aaco/compute/2/tflops", -1},
        {"/aaco/memory/0/gbps", -5},
        {"/aaco/memory/0/gbps", 1e300},
        {"/aaco/launch/0/us", -0.5},
        {"/aaco/compute/0/stats/cov", -0.01},
        {"/aaco/compute/0/clock_mhz", 5e6},
        {"/aaco/memory/0/stats/median", -1},
        {"/aaco/calibration_wall_seconds", -1},
        {"/validation/cov", -0.1},
    };
    for (const edit& ed : edits) {
        nlohmann::json j = sample_json();
        j[nlohmann::json::json_pointer(ed.pointer)] = ed.value;
        CAPTURE(ed.pointer);
        CAPTURE(ed.value);
        const std::string m = error_of_json(j);
        CHECK(has(m, ed.pointer));
        CHECK(has(m, "outside the plausible range"));
    }
    // Plain seed file: negative bandwidth.
    nlohmann::json seed = sample_json();
    seed.erase("aaco");
    seed["envelope"]["memory_bandwidth_gbps"] = -5300;
    CHECK(has(error_of_json(seed), "/envelope/memory_bandwidth_gbps: value -5300"));
    // Integers: negative or fractional counts, absurd sizes.
    nlohmann::json j = sample_json();
    j["validation"]["iterations"] = -1;
    CHECK(has(error_of_json(j), "/validation/iterations: expected a non-negative integer"));
    j = sample_json();
    j["aaco"]["compute"][0]["stats"]["samples"] = 2.5;
    CHECK(has(error_of_json(j), "/aaco/compute/0/stats/samples: expected a non-negative integer"));
    j = sample_json();
    j["aaco"]["memory"][0]["working_set_bytes"] = std::uint64_t{1} << 60;
    CHECK(has(error_of_json(j), "/aaco/memory/0/working_set_bytes: value"));
    j = sample_json();
    j["aaco"]["device"]["id"] = -2;
    CHECK(has(error_of_json(j), "/aaco/device/id: value -2 is outside"));
    // A numeral that overflows a double is caught by the parser.
    std::string text = sample_json().dump();
    const std::string needle = "\"l2_bandwidth_gbps\":null";
    REQUIRE(text.find(needle) != std::string::npos);
    text.replace(text.find(needle), needle.size(), "\"l2_bandwidth_gbps\":1e400");
    CHECK(has(error_of(text), "number overflow"));
}

TEST_CASE("unknown enumeration names") {
    nlohmann::json j = sample_json();
    j["aaco"]["compute"][0]["precision"] = "fp4";
    std::string m = error_of_json(j);
    CHECK(has(m, "/aaco/compute/0/precision"));
    CHECK(has(m, "unknown precision 'fp4'"));
    j = sample_json();
    j["aaco"]["memory"][0]["level"] = "l3";
    m = error_of_json(j);
    CHECK(has(m, "/aaco/memory/0/level"));
    CHECK(has(m, "unknown memory level 'l3'"));
    j = sample_json();
    j["aaco"]["memory"][0]["op"] = "scale";
    CHECK(has(error_of_json(j), "/aaco/memory/0/op: unknown stream op 'scale'"));
    j = sample_json();
    j["aaco"]["compute"][0]["unit"] = "tensor";
    CHECK(has(error_of_json(j), "/aaco/compute/0/unit: unknown compute unit 'tensor'"));
    j = sample_json();
    j["aaco"]["launch"][0]["mode"] = "cooperative";
    CHECK(has(error_of_json(j), "/aaco/launch/0/mode: unknown launch mode 'cooperative'"));
    j = sample_json();
    j["aaco"]["source"] = "guessed";
    CHECK(has(error_of_json(j), "/aaco/source: unknown source 'guessed'"));
    // Aliases the model accepts are accepted here too.
    j = sample_json();
    j["aaco"]["compute"][3]["precision"] = "double";
    CHECK(error_of_json(j) == "<accepted>");
}

TEST_CASE("deep nesting is refused without recursion") {
    const std::string deep(100000, '[');
    std::string m = error_of(deep);
    CHECK(has(m, "nesting deeper than 64 levels"));
    std::string deep_obj;
    for (int i = 0; i < 100000; ++i) deep_obj += "{\"a\":";
    CHECK(has(error_of(deep_obj), "nesting deeper than 64"));
    // The limit is exact: 64 levels (document root included) pass, 65 do not.
    auto nested = [](int levels) {
        return "{\"x\":" + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "," +
               sample_json().dump().substr(1);
    };
    CHECK(error_of(nested(64)) == "<accepted>");
    CHECK(has(error_of(nested(65)), "nesting deeper than 64"));
    // Brackets inside strings do not count.
    nlohmann::json j = sample_json();
    j["aaco"]["failures"][0]["reason"] = std::string(2000, '[');
    CHECK(error_of_json(j) == "<accepted>");
    // A json value built in memory (no text pre-scan) is checked by the tree walk.
    nlohmann::json v = 1;
    for (int i = 0; i < 200; ++i) v = nlohmann::json::array({v});
    nlohmann::json doc = sample_json();
    doc["extra"] = v;
    CHECK_THROWS_WITH_AS((void)aaco::envelope_from_json_value(doc),
                         doctest::Contains("nesting deeper than 64"), aaco::parse_error);
}

TEST_CASE("oversized input, strings, numerals and lists") {
    std::string huge = sample_json().dump();
    huge.insert(1, "\"pad\":\"" + std::string(100u << 20, 'x') + "\",");  // ~100 MB
    const auto start = std::chrono::steady_clock::now();
    const std::string m = error_of(huge);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(has(m, "exceeds the limit of 16777216 bytes"));
    CHECK(seconds < 0.1);  // refused by its size, not parsed

    nlohmann::json j = sample_json();
    j["device"] = std::string(5000, 'n');
    CHECK(has(error_of_json(j), "/device: a string of 5000 bytes exceeds the limit of 4096"));
    j = sample_json();
    j["aaco"]["compute"][2]["instruction"] = std::string(4097, 'i');
    CHECK(has(error_of_json(j), "/aaco/compute/2/instruction: a string of 4097 bytes"));
    j = sample_json();
    j["aaco"][std::string(5000, 'k')] = 1;
    CHECK(has(error_of_json(j), "/aaco: an object key of 5000 bytes"));
    j = sample_json();
    j["aaco"]["failures"][0]["reason"] = std::string(4096, 'r');  // exactly the limit: fine
    CHECK(error_of_json(j) == "<accepted>");

    std::string text = sample_json().dump();
    const std::string needle = "\"l2_bandwidth_gbps\":null";
    text.replace(text.find(needle), needle.size(),
                 "\"l2_bandwidth_gbps\":1" + std::string(300, '0'));
    CHECK(has(error_of(text), "a literal of 301 characters"));

    j = sample_json();
    nlohmann::json many = nlohmann::json::array();
    for (int i = 0; i < 1025; ++i) many.push_back(j["aaco"]["failures"][0]);
    j["aaco"]["failures"] = many;
    CHECK(has(error_of_json(j), "/aaco/failures: list of 1025 entries exceeds the limit of 1024"));
}

TEST_CASE("random mutations never escape as anything but parse_error") {
    const std::string base = sample_json().dump();
    std::mt19937 rng(20260215);  // fixed seed: reproducible
    const std::string alphabet = "{}[]\",:0123456789.-eEtrufalsn \\/aNI";
    int accepted = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string text = base;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < edits && !text.empty(); ++k) {
            const std::size_t at = rng() % text.size();
            switch (rng() % 4) {
            case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
            case 1: text.erase(at, 1 + rng() % 8); break;
            case 2: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
            default: text[at] = static_cast<char>(rng() % 256); break;
            }
        }
        const std::string m = error_of(text);
        CAPTURE(text);
        CHECK((m == "<accepted>" || m.rfind("aaco envelope", 0) == 0));
        if (m == "<accepted>") {
            ++accepted;
            // Whatever is accepted must write back into a file that reads back the same.
            const aaco::envelope e = aaco::envelope_from_json(text);
            const std::string again = aaco::to_json(e);
            CHECK(aaco::to_json(aaco::envelope_from_json(again)) == again);
        }
    }
    MESSAGE(accepted << " of 3000 mutations were still valid envelopes");
}

} // TEST_SUITE
