// Writes the Prometheus text of a judged mixed fleet (the MPI test's 12 envelopes: two models,
// two drivers, one slow GPU): every device's envelope gauges and the fleet's verdict gauges, as
// `aaco-calibrate --device all --export prometheus:FILE` writes them for a node. For promtool.
//
//   aaco_verdict_gauges FIXTURE_DIR OUT.prom
#include <aaco/fleet.hpp>
#include <aaco/io/export.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: aaco_verdict_gauges FIXTURE_DIR OUT.prom\n");
        return 2;
    }
    try {
        std::vector<aaco::fleet::fleet_record> records;
        aaco::prometheus::writer w;
        aaco::prometheus_options o;
        for (int r = 0; r < 12; ++r) {
            const aaco::envelope e = aaco::load_envelope(std::string(argv[1]) + "/rank" + std::to_string(r) + ".json");
            o.host = "node" + std::to_string(r / 4);
            aaco::add_prometheus(w, e, o);
            records.push_back(aaco::fleet::make_record(e, o.host, r, r % 4));
        }
        const aaco::fleet::fleet_verdicts v = aaco::fleet::judge_fleet(records);
        aaco::fleet::add_prometheus(w, records.data(), records.size(), v);
        aaco::write_file_atomically(argv[2], w.str());
        return v.overall() == aaco::fleet::verdict::fail ? 0 : 1;  // the slow GPU must fail its node
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aaco_verdict_gauges: %s\n", e.what());
        return 1;
    }
}
