/// \file probes/node.hpp
/// \brief Node calibration: every GPU of this host, one after another, then the peer-to-peer
/// matrix. Devices are calibrated strictly in sequence and each is synchronized before the next
/// starts, so no probe shares the node's power, PCIe or host threads with another.
#pragma once
#include <aaco/backend/backend.hpp>
#include <aaco/calibration_options.hpp>
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/fleet/node.hpp>
#include <aaco/probes/calibrate.hpp>
#include <aaco/probes/peer.hpp>

#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

AACO_NAMESPACE_BEGIN
namespace probes {

/// This host's name (gethostname), "" when it cannot be read.
inline std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return {};
    return buf;
}

/// What calibrate_node() does.
struct node_options {
    calibration_options calibration;  ///< per device
    bool p2p = true;                  ///< measure the P2P matrix (with >= 2 devices)
    p2p_config p2p_sampling{};
    std::string host = host_name();
    /// Measures one device; default: open_device + calibrate_device with `calibration`. A tool
    /// may pass its own (e.g. one that goes through the envelope cache).
    std::function<envelope(int)> measure;
};

/// Every visible device's id (0 .. device_count-1); empty without a backend or GPU.
inline std::vector<int> visible_devices() {
    std::vector<int> ids;
#if !AACO_BACKEND_NONE
    for (int i = 0; i < backend::device_count(); ++i) ids.push_back(i);
#endif
    return ids;
}

/// Calibrates `ids` in order and measures their P2P matrix. A device that fails is recorded in
/// node_report::failures ("device.N") and the others still run. Throws no_device_error when
/// `ids` is empty or aaco was built without a GPU backend.
inline fleet::node_report calibrate_node(const std::vector<int>& ids, const node_options& opt = {}) {
    if (ids.empty()) throw no_device_error("node calibration: no GPU is visible");
#if AACO_BACKEND_NONE
    (void)opt;
    throw no_device_error("aaco was built without a GPU backend (host-only build), so it cannot "
                          "calibrate a node");
#else
    fleet::node_report node;
    node.host = opt.host;
    std::vector<int> good;
    for (int id : ids) {
        try {
            envelope e = opt.measure ? opt.measure(id) : calibrate_device(id, open_device(id), opt.calibration);
            // Sequential means finished: nothing of this device may still run when the next starts.
            backend::set_device(id);
            backend::synchronize();
            node.devices.push_back(std::move(e));
            good.push_back(id);
        } catch (const std::exception& ex) {
            node.failures.push_back({"device." + std::to_string(id), ex.what()});
        }
    }
    if (opt.p2p && good.size() >= 2) {
        try {
            node.p2p = measure_p2p(good, opt.p2p_sampling);
        } catch (const std::exception& ex) {
            node.p2p.devices = good;
            node.failures.push_back({"p2p", ex.what()});
        }
    } else {
        node.p2p.devices = good;
    }
    return node;
#endif
}

} // namespace probes
AACO_NAMESPACE_END
