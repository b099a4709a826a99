// Host-only consumer: the roofline math and the datasheet profiles need no GPU toolchain.
#include <aaco/model.hpp>
#include <aaco/io.hpp>

#include <cstdio>

int main() {
    const aaco::envelope env = aaco::datasheet_envelope(aaco::find_profile("mi300x"));
    const double hbm = env.memory_gbps(aaco::memory_level::hbm);
    const double fp16 = env.compute_tflops(aaco::precision::fp16);
    const std::string json = aaco::to_json(env);
    std::printf("consumer: MI300X fp16 %.1f TFLOP/s, HBM %.1f GB/s, %zu bytes of JSON\n", fp16, hbm,
                json.size());
    return (hbm > 0 && fp16 > 0 && !json.empty()) ? 0 : 1;
}
