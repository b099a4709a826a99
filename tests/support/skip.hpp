// Runtime skips for GPU tests: see test_main.cpp.
#pragma once
#include <string>

namespace aaco::test {
/// Records that the calling test could not run here, and why. The caller returns right after.
void skip(const std::string& reason);
int& skip_count();
} // namespace aaco::test
