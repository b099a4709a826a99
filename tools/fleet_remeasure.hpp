// The confirmation hook of the fleet verdicts (fleet/verdict.hpp): re-measures one ceiling of
// one GPU with the calibration's own probes before an outlier is flagged. It needs a GPU, so it
// is compiled only with a backend; a host-only build says so (the tool cannot measure there).
#pragma once
#include <aaco/aaco.hpp>
#include <aaco/fleet/record.hpp>

#include <algorithm>
#include <string>

namespace aaco_tools {

/// The ceiling `c` of device `device` measured again, in the record's unit, the way make_record
/// takes it from an envelope (the faster unit of a precision, the fastest op of a level, the
/// launch floor of the mode `first` reported). Throws aaco::error when it cannot be measured.
inline double remeasure_ceiling(int device, aaco::fleet::ceiling c, const aaco::envelope& first, bool quick) {
#if AACO_BACKEND_NONE
    (void)device;
    (void)c;
    (void)first;
    (void)quick;
    throw aaco::no_device_error("host-only build: cannot re-measure");
#else
    using aaco::fleet::ceiling;
    namespace probes = aaco::probes;
    const aaco::device_info dev = probes::open_device(device);
    aaco::backend::stream s;
    aaco::probes::sampling_config cfg = quick ? probes::sampling_config::quick() : probes::sampling_config::full();
    const std::size_t i = static_cast<std::size_t>(c);
    if (i <= static_cast<std::size_t>(ceiling::int8)) {
        const auto p = static_cast<aaco::precision>(i);
        double best = 0;
        for (aaco::compute_unit u : {aaco::compute_unit::matrix, aaco::compute_unit::vector})
            if (auto f = probes::measure_compute(dev, p, u, aaco::operand_mode::random, true, cfg, s,
                                                 probes::warm_up_seconds(false, quick)))
                best = std::max(best, f->tflops);
        if (best <= 0) throw aaco::error("no " + std::string(aaco::to_string(p)) + " unit to re-measure");
        return best;
    }
    if (c == ceiling::hbm || c == ceiling::l2) {
        const aaco::memory_level l = c == ceiling::hbm ? aaco::memory_level::hbm : aaco::memory_level::l2;
        double best = 0;
        for (aaco::stream_op op : probes::ops_for(l, quick))
            if (auto f = probes::measure_memory(dev, l, op, true, cfg, s)) best = std::max(best, f->gbps);
        if (best <= 0) throw aaco::error("no " + std::string(aaco::to_string(l)) + " figure to re-measure");
        return best;
    }
    const aaco::launch_figure* floor = first.launch_floor();
    const aaco::launch_mode mode = floor ? floor->mode : aaco::launch_mode::async;
    if (mode != aaco::launch_mode::async && mode != aaco::launch_mode::sync && mode != aaco::launch_mode::graph)
        throw aaco::error("re-measuring the " + std::string(aaco::to_string(mode)) + " launch floor is not supported");
    return probes::measure_launch(mode, cfg, s).us;
#endif
}

} // namespace aaco_tools
