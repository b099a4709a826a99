// Runs one calibrator entry point and describes its outcome as a string. Both objects include
// this file, each with its own compiler, so everything here has internal linkage: the test's own
// helpers must not be one weak symbol with two bodies either.
#pragma once
#include <aaco/calibrator.hpp>
#include <aaco/error.hpp>

#include <string>

namespace {

template <typename F>
std::string describe_outcome(F&& open) {
    try {
        return "opened " + open();
    } catch (const aaco::no_device_error& e) {
        return std::string("no_device_error: ") + e.what();
    } catch (const aaco::runtime_error& e) {
        return std::string("runtime_error: ") + e.what();
    } catch (const std::exception& e) {
        return std::string("other exception: ") + e.what();
    }
}

std::string open_device_outcome() {
    return describe_outcome([] { return aaco::probes::open_device(0).name; });
}

std::string calibrator_outcome() {
    return describe_outcome([] { return aaco::hardware_calibrator{0}.device().name; });
}

} // namespace
