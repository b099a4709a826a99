// aaco quickstart: the seed's usage in C++.
//
//     aaco::hardware_calibrator calibrator{0};
//     auto envelope = calibrator.calibrate();            // run the microbenchmarks
//     envelope.compute_tflops(aaco::precision::fp16);    // compute ceiling
//     envelope.memory_gbps(aaco::memory_level::hbm);     // memory ceiling
//     envelope.launch_us();                              // launch floor
//     calibrator.compute_heu(800, 150, aaco::precision::fp16);  // HEU of a workload
//
// Usage: aaco_quickstart [--quick] [--device N]
//   --quick   shorter sampling per figure (seconds instead of tens of seconds)
// Exit codes: 0 ok; 1 unexpected error; 2 no usable GPU (or a host-only build) or bad arguments.
#include <aaco/aaco.hpp>

#include <cstdio>
#include <exception>
#include <string>

namespace {

/// Prints one ceiling, or why the envelope has none (the lookups throw invalid_argument
/// naming the failed probe).
template <class Lookup>
void print_ceiling(const char* label, const char* unit, Lookup&& lookup) {
    try {
        std::printf("  %-28s %10.1f %s\n", label, lookup(), unit);
    } catch (const aaco::invalid_argument& e) {
        std::printf("  %-28s %10s    (%s)\n", label, "-", e.what());
    }
}

/// A device number: digits only ("0", "3"); anything else ("abc", "-5", "1x") is refused with
/// aaco::invalid_argument naming the value (atoi would have read "abc" as device 0).
int parse_device(const std::string& text) {
    const bool digits = !text.empty() && text.size() <= 6 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits)
        throw aaco::invalid_argument("--device '" + text +
                                     "': expected a device number (0, 1, ...)");
    return std::stoi(text);
}

int run(int argc, char** argv) {
    aaco::calibration_options options;
    int device = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            options.quick = true;
        } else if (arg == "--device" && i + 1 < argc) {
            device = parse_device(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: %s [--quick] [--device N]\n", argv[0]);
            return 2;
        }
    }

    aaco::hardware_calibrator calibrator{device};
    std::printf("Calibrating %s (%s, %d units)%s...\n", calibrator.device().name.c_str(),
                calibrator.device().arch.c_str(), calibrator.device().compute_units,
                options.quick ? " in quick mode" : "");

    // Run the microbenchmarks.
    const aaco::envelope envelope = calibrator.calibrate(options);

    std::printf("Hardware envelope (%.1f s of calibration):\n", envelope.calibration_wall_seconds);
    print_ceiling("Compute ceiling (fp16)", "TFLOPS",
                  [&] { return envelope.compute_tflops(aaco::precision::fp16); });
    print_ceiling("Compute ceiling (fp32)", "TFLOPS",
                  [&] { return envelope.compute_tflops(aaco::precision::fp32); });
    print_ceiling("Memory ceiling (hbm)", "GB/s",
                  [&] { return envelope.memory_gbps(aaco::memory_level::hbm); });
    print_ceiling("Launch floor", "us", [&] { return envelope.launch_us(); });

    const aaco::validation_summary v = envelope.validation();
    std::printf("Validation: %llu iterations, worst CoV %.2f%%, %s\n",
                static_cast<unsigned long long>(v.iterations), v.cov * 100.0,
                v.stable ? "stable" : "NOT stable (a figure's CoV is above the threshold)");
    for (const aaco::failure& f : envelope.failures)
        std::printf("  not measured: %s: %s\n", f.key.c_str(), f.reason.c_str());

    // HEU of a workload that achieved 800 TFLOP/s at 150 FLOP/byte, against the fp16 roof.
    try {
        const aaco::heu_result heu = calibrator.compute_heu(800.0, 150.0, aaco::precision::fp16);
        const std::string meaning(aaco::above_roof_meaning(heu));
        std::printf("HEU of 800 TFLOP/s at 150 FLOP/byte (fp16): %s of %.1f TFLOP/s "
                    "attainable, %s-bound (binding ceiling: %s)%s%s\n",
                    aaco::heu_percent_text(heu.value).c_str(), heu.attainable_tflops,
                    std::string(aaco::to_string(heu.b)).c_str(), heu.binding_ceiling.c_str(),
                    meaning.empty() ? "" : " - ", meaning.c_str());
    } catch (const aaco::invalid_argument& e) {
        std::printf("HEU: cannot be computed: %s\n", e.what());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const aaco::no_device_error& e) {
        // Also what a host-only build (no nvcc/hipcc) says: it has no GPU backend compiled in.
        std::fprintf(stderr, "aaco_quickstart: %s\n", e.what());
        return 2;
    } catch (const aaco::invalid_argument& e) {  // a bad --device
        std::fprintf(stderr, "aaco_quickstart: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco_quickstart: error: %s\n", e.what());
        return 1;
    }
}
