// Helpers shared by the exporter tests (test_export*.cpp): fixture paths and file reading.
#pragma once
#include <aaco/io/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace aaco_test_export {

/// Absolute path of tests/fixtures/<rel>.
inline std::string fixture(const std::string& rel) {
    return std::string(AACO_TEST_SOURCE_DIR) + "/tests/fixtures/" + rel;
}

inline std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

/// The synthetic measured H200 envelope the golden files were written from (numbers are made
/// up for the tests; they are not a measurement).
inline aaco::envelope synthetic_h200() { return aaco::load_envelope(fixture("export/synthetic_h200.json")); }

/// Relative closeness for golden numbers written with 12 significant digits.
inline bool close(double a, double b, double rel = 1e-9) {
    if (a == b) return true;
    const double scale = std::max(std::fabs(a), std::fabs(b));
    return std::fabs(a - b) <= rel * scale;
}

} // namespace aaco_test_export
