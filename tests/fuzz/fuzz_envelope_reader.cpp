// libFuzzer target for the envelope reader (aaco::envelope_from_json).
//
// Properties checked on every input:
//  1. the reader either returns an envelope or throws an aaco::error; any other exception
//     escapes to libFuzzer and is reported as a crash (std::terminate via uncaught exception);
//  2. an input that is accepted writes back (to_json) into text that is accepted again and
//     writes back to the same bytes: whatever the reader lets in, aaco can save and reload.
//
// Build (Debian clang-14, libclang-rt-14-dev):
//   clang++-14 -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//       tests/fuzz/fuzz_envelope_reader.cpp -o /tmp/fuzz_envelope_reader
//   /tmp/fuzz_envelope_reader -max_total_time=20 tests/fuzz/corpus
#include <aaco/io/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    aaco::envelope e;
    try {
        e = aaco::envelope_from_json(text);
    } catch (const aaco::error&) {
        return 0;  // rejected: the expected outcome for most inputs
    }
    const std::string first = aaco::to_json(e);
    std::string second;
    try {
        second = aaco::to_json(aaco::envelope_from_json(first));
    } catch (const aaco::error& err) {
        std::fprintf(stderr, "accepted input wrote a file that does not read back: %s\n%s\n",
                     err.what(), first.c_str());
        std::abort();
    }
    if (second != first) {
        std::fprintf(stderr, "write/read/write is not stable:\n%s\n---\n%s\n", first.c_str(),
                     second.c_str());
        std::abort();
    }
    return 0;
}
