/// \file error.hpp
/// \brief aaco's exception types. Part of the config layer: includes only the standard library.
#pragma once
#include <aaco/config.hpp>

#include <stdexcept>
#include <string>

AACO_PORTABLE_NAMESPACE_BEGIN

/// Base of every exception aaco throws except invalid_argument (a caller's mistake, which is a
/// std::invalid_argument). Catch std::exception to catch both.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A caller passed a value outside the domain of a function (NaN intensity, unknown precision,
/// negative size, ...). The message names the argument and the value.
///
/// A std::invalid_argument, so that generic handlers (std::invalid_argument, std::logic_error)
/// catch it; therefore not an aaco::error: deriving from both would give it two std::exception
/// bases, and `catch (const std::exception&)` would then match neither.
class invalid_argument : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// A GPU runtime call failed. The message names the call, its file:line and the device.
class runtime_error : public error {
public:
    runtime_error(const std::string& what, int code) : error(what), code_(code) {}
    /// The runtime's own error code (cudaError_t / hipError_t as int).
    int code() const noexcept { return code_; }
private:
    int code_;
};

/// No usable GPU: no driver, no device, or a device id out of range.
class no_device_error : public error {
public:
    using error::error;
};

/// The device's architecture has no kernels in this build (e.g. built for gfx90a, run on gfx942).
class unsupported_arch_error : public error {
public:
    using error::error;
};

/// A file could not be read or parsed as an aaco envelope.
class parse_error : public error {
public:
    using error::error;
};

AACO_PORTABLE_NAMESPACE_END
