// doctest main shared by aaco's test executables.
//
// GPU tests call aaco::test::skip("why") when the machine cannot run them (no device, wrong
// arch) and return early. Skips are counted here; when the run had no failure but at least one
// skip, the process exits with 77, which CTest maps to "Skipped" (SKIP_RETURN_CODE 77), so a
// GPU-less CI shows the GPU suite as skipped rather than passed. doctest's own skip()
// decorator is not used: it is evaluated at start-up and would hide the tests entirely.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "skip.hpp"

#include <cstdio>

namespace aaco::test {
int& skip_count() {
    static int count = 0;
    return count;
}
void skip(const std::string& reason) {
    ++skip_count();
    std::printf("[skipped] %s\n", reason.c_str());
    MESSAGE("skipped: " << reason);
}
} // namespace aaco::test

int main(int argc, char** argv) {
    doctest::Context context;
    context.applyCommandLine(argc, argv);
    const int result = context.run();
    if (context.shouldExit() || result != 0) return result;
    if (aaco::test::skip_count() > 0) {
        std::printf("%d test(s) skipped; exiting with 77 so CTest reports a skip\n",
                    aaco::test::skip_count());
        return 77;
    }
    return 0;
}
