// aaco-calibrate's flow around a measurement, run in-process without a GPU: the tool's own
// source is compiled here (its main() left out) and cli_main() runs with device hooks that stand
// in for the GPU: a fake device, a fake measured envelope, a cache save that fails. This is how
// "a measurement is never lost" (issue 10, item 7) is tested on machines without a GPU, and that
// no argument error lets a device be opened (item 5).
#define AACO_CALIBRATE_NO_MAIN
#include "aaco_calibrate.cpp"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

/// A temporary directory, removed with everything in it.
struct scratch_dir {
    fs::path path;
    scratch_dir() {
        static int counter = 0;
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path = fs::temp_directory_path() /
               ("aaco_cli_flow_" + std::to_string(stamp) + "_" + std::to_string(++counter));
        fs::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    std::string file(const char* name) const { return (path / name).string(); }
};

aaco::device_info fake_device(const char* arch = "sm_90") {
    aaco::device_info d;
    d.name = "Fake GPU";
    d.vendor = "NVIDIA";
    d.arch = arch;
    d.compute_units = 132;
    d.uuid = "GPU-fake";
    d.driver_version = 13000;
    d.runtime_version = 13000;
    return d;
}

/// A small measured envelope with stable statistics (so that a clean run exits 0).
aaco::envelope fake_measurement(const aaco::device_info& dev) {
    aaco::envelope e;
    e.source = aaco::envelope_source::measured;
    e.calibration_timestamp = "2026-12-01T12:00:00Z";
    e.device = dev;
    e.device.id = 0;
    aaco::compute_figure c;
    c.prec = aaco::precision::fp16;
    c.unit = aaco::compute_unit::matrix;
    c.tflops = 800.25;
    c.stats.samples = 10;
    c.stats.median = 800.25;
    c.stats.min = c.stats.max = c.stats.mean = 800.25;
    c.stats.iterations = 1000;
    c.stats.stable = true;
    e.compute.push_back(c);
    aaco::memory_figure m;
    m.level = aaco::memory_level::hbm;
    m.gbps = 3000.5;
    m.stats = c.stats;
    m.stats.median = m.stats.min = m.stats.max = m.stats.mean = 3000.5;
    e.memory.push_back(m);
    return e;
}

/// Hooks that count what ran; `save_fails` makes every cache save throw like a full disk.
struct fake_gpu {
    int opened = 0, calibrated = 0, saved = 0;
    bool save_fails = false;
    const char* arch = "sm_90";

    device_hooks hooks() {
        device_hooks h;
        h.open = [this](int) {
            ++opened;
            return fake_device(arch);
        };
        h.calibrate = [this](int, const aaco::device_info& dev, const aaco::calibration_options&) {
            ++calibrated;
            return fake_measurement(dev);
        };
        h.save = [this](const aaco::envelope& e, const std::string& path) {
            ++saved;
            if (save_fails) throw aaco::error("cannot save envelope to '" + path + "': No space left on device");
            aaco::save_envelope(e, path);
        };
        h.visible_devices = [] { return std::vector<int>{0}; };
        return h;
    }
};

/// cli_main() with `args`, stdout and stderr captured.
struct run_result {
    int code = -1;
    std::string out, err;
};

run_result run_tool(std::vector<std::string> args, const device_hooks& hooks) {
    args.insert(args.begin(), "aaco-calibrate");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    std::ostringstream out, err;
    std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
    std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
    run_result r;
    try {
        r.code = cli_main(static_cast<int>(argv.size()), argv.data(), hooks);
    } catch (...) {
        std::cout.rdbuf(old_out);
        std::cerr.rdbuf(old_err);
        throw;
    }
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_SUITE("cli.flow") {

TEST_CASE("a clean measurement through the cache: saved, reported, exit 0") {
    scratch_dir dir;
    fake_gpu gpu;
    const run_result r = run_tool({"--no-progress", "--cache", dir.file("cache.json"),
                                   "--json", dir.file("out.json")},
                                  gpu.hooks());
    CAPTURE(r.err);
    CHECK(r.code == 0);
    CHECK(gpu.calibrated == 1);
    CHECK(gpu.saved == 1);
    CHECK(aaco::load_envelope(dir.file("cache.json")).compute_tflops(aaco::precision::fp16) ==
          doctest::Approx(800.25));
    CHECK(aaco::load_envelope(dir.file("out.json")).device.uuid == "GPU-fake");
}

TEST_CASE("a failed cache save still writes --json, then exits 1") {
    scratch_dir dir;
    fake_gpu gpu;
    gpu.save_fails = true;
    const run_result r = run_tool({"--no-progress", "--cache", dir.file("cache.json"), "--json",
                                   dir.file("out.json"), "--markdown", dir.file("out.md")},
                                  gpu.hooks());
    CAPTURE(r.err);
    CHECK(r.code == 1);
    CHECK(gpu.calibrated == 1);
    CHECK(has(r.err, "the calibration finished, but the cache save failed: cannot save envelope"));
    CHECK(has(r.err, "the measured envelope is in '" + dir.file("out.json") + "'"));
    CHECK(aaco::load_envelope(dir.file("out.json")).compute_tflops(aaco::precision::fp16) ==
          doctest::Approx(800.25));
    CHECK(fs::file_size(dir.file("out.md")) > 0);
    CHECK_FALSE(fs::exists(dir.file("cache.json")));
}

TEST_CASE("a failed cache save without --json keeps the envelope in a file it names") {
    scratch_dir dir;
    fake_gpu gpu;
    gpu.save_fails = true;
    const std::string cache = dir.file("cache.json");
    const run_result r = run_tool({"--no-progress", "--cache", cache}, gpu.hooks());
    CAPTURE(r.err);
    CHECK(r.code == 1);
    CHECK(has(r.out, "# Hardware envelope: Fake GPU"));  // the report still printed
    const std::string kept = cache + ".unsaved-2026-12-01T12-00-00Z.json";
    CHECK(has(r.err, "the measured envelope is kept in '" + kept + "'"));
    CHECK(aaco::load_envelope(kept).compute_tflops(aaco::precision::fp16) == doctest::Approx(800.25));
}

TEST_CASE("with --json -, a failed save also keeps a file: stdout is the user's pipe") {
    scratch_dir dir;
    fake_gpu gpu;
    gpu.save_fails = true;
    const std::string cache = dir.file("cache.json");
    const run_result r = run_tool({"--no-progress", "--cache", cache, "--json", "-", "--heu",
                                   "700@300:fp16"},
                                  gpu.hooks());
    CHECK(r.code == 1);
    // stdout is one JSON document that reads back; the HEU line went to stderr.
    CHECK(aaco::envelope_from_json(r.out).compute_tflops(aaco::precision::fp16) ==
          doctest::Approx(800.25));
    CHECK(has(r.err, "HEU 700@300:fp16: "));
    CHECK(fs::exists(cache + ".unsaved-2026-12-01T12-00-00Z.json"));
}

TEST_CASE("bad arguments are refused before any device is opened") {
    scratch_dir dir;
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--heu", "800@0"}, {"--heu=-1@10"}, {"--heu", "1e400@2"},
          {"--fallback-profile", "nosuch"}, {"--time-budget", "nan"}, {"--cache-max-age", "nan"},
          {"--cache", dir.path.string()}, {"--json", "-", "--markdown", "-"},
          {"--precision", "fp99"}, {"--level", "HBM9"}, {"--device", "-5"},
          {"--cache-max-age", "5"}, {"--svg", dir.path.string()},
          {"--json", dir.file("missing/out.json")}, {"--precision", "fp16", "--heu", "1@1:fp32"}}) {
        fake_gpu gpu;
        const run_result r = run_tool(args, gpu.hooks());
        CAPTURE(args.front());
        CAPTURE(r.err);
        CHECK(r.code == 2);
        CHECK(gpu.opened == 0);
        CHECK(gpu.calibrated == 0);
    }
}

TEST_CASE("a precision the device has no unit for is refused before measuring") {
    fake_gpu gpu;
    gpu.arch = "gfx908";  // MI100: no fp8
    const run_result r = run_tool({"--no-progress", "--heu", "1@1:fp8"}, gpu.hooks());
    CHECK(r.code == 2);
    CHECK(gpu.opened == 1);
    CHECK(gpu.calibrated == 0);
    CHECK(has(r.err, "--heu '1@1:fp8': not on this card (Fake GPU, gfx908, has no fp8 unit)"));

    fake_gpu again;
    again.arch = "gfx908";
    const run_result p = run_tool({"--no-progress", "--precision", "fp16,FP8"}, again.hooks());
    CHECK(p.code == 2);
    CHECK(again.calibrated == 0);
    CHECK(has(p.err, "--precision fp8: not on this card (Fake GPU, gfx908, has no fp8 unit)"));
}

TEST_CASE("--device all goes through one cache file per device") {
    scratch_dir dir;
    fake_gpu gpu;
    const std::string cache = dir.file("cache.json");
    const run_result r = run_tool({"--no-progress", "--device", "all", "--cache", cache}, gpu.hooks());
#if AACO_BACKEND_NONE
    // Host-only: calibrate_node has no backend to run on; the message says so.
    CHECK(r.code == 2);
    CHECK(has(r.err, "host-only"));
#else
    CAPTURE(r.err);
    CHECK(fs::exists(dir.file("cache.dev0.json")));
#endif
}

} // TEST_SUITE
