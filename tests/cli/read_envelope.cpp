// Test helper: reads an envelope JSON file with aaco::load_envelope, the library's own defensive
// reader, and prints a few fields, so the CLI tests can check that aaco-calibrate's JSON output
// reads back. Exit 0 when the file reads, 1 (with the parse error) when it does not.
#include <aaco/io/json.hpp>
#include <aaco/model/envelope.hpp>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: read_envelope FILE\n");
        return 1;
    }
    try {
        const aaco::envelope e = aaco::load_envelope(argv[1]);
        std::printf("device: %s\n", e.device.name.c_str());
        std::printf("source: %s\n", std::string(to_string(e.source)).c_str());
        std::printf("profile: %s\n", e.profile_key.c_str());
        std::printf("compute figures: %zu\n", e.compute.size());
        std::printf("fp16_tflops: %.1f\n", e.compute_tflops(aaco::precision::fp16));
        std::printf("hbm_gbps: %.1f\n", e.memory_gbps(aaco::memory_level::hbm));
        return 0;
    } catch (const std::exception& ex) {
        std::fprintf(stderr, "read_envelope: %s\n", ex.what());
        return 1;
    }
}
