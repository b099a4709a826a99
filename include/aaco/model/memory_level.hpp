/// \file memory_level.hpp
/// \brief Memory-level tags and stream operations (host-only, constexpr).
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <array>
#include <string>
#include <string_view>

AACO_PORTABLE_NAMESPACE_BEGIN

/// A level of the memory hierarchy that aaco measures a ceiling (bandwidth or latency) for.
/// `llc` is the last-level cache behind L2 where one exists (MI300's Infinity Cache);
/// `shared` is LDS on AMD, shared memory on NVIDIA; the host links are pinned copies; `l1` is
/// the per-SM L1 / per-CU vector cache (latency only: it has no bandwidth probe).
enum class memory_level { hbm, l2, llc, shared, host_to_device, device_to_host, l1 };

/// Every level, in the order reports list them.
inline constexpr std::array<memory_level, 7> all_memory_levels = {
    memory_level::hbm,    memory_level::l2,             memory_level::llc,
    memory_level::shared, memory_level::host_to_device, memory_level::device_to_host,
    memory_level::l1};

/// The levels that have a bandwidth probe (a default calibration measures these).
inline constexpr std::array<memory_level, 6> bandwidth_memory_levels = {
    memory_level::hbm,    memory_level::l2,             memory_level::llc,
    memory_level::shared, memory_level::host_to_device, memory_level::device_to_host};

constexpr std::string_view to_string(memory_level l) {
    switch (l) {
    case memory_level::hbm: return "hbm";
    case memory_level::l2: return "l2";
    case memory_level::llc: return "llc";
    case memory_level::shared: return "shared";
    case memory_level::host_to_device: return "h2d";
    case memory_level::device_to_host: return "d2h";
    case memory_level::l1: return "l1";
    }
    throw invalid_argument("aaco::to_string: unknown memory_level value");
}

/// Parses a level name; accepts "lds" for shared and "infinity_cache"/"mall" for llc.
inline memory_level parse_memory_level(std::string_view s) {
    for (memory_level l : all_memory_levels)
        if (to_string(l) == s) return l;
    if (s == "lds") return memory_level::shared;
    if (s == "infinity_cache" || s == "mall") return memory_level::llc;
    throw invalid_argument("unknown memory level '" + std::string(s) +
                           "' (expected one of hbm, l2, llc, shared/lds, h2d, d2h, l1)");
}

/// The access pattern of a stream kernel. Bytes counted = bytes read + bytes written.
enum class stream_op { read, write, copy, triad };

inline constexpr std::array<stream_op, 4> all_stream_ops = {stream_op::read, stream_op::write,
                                                            stream_op::copy, stream_op::triad};

constexpr std::string_view to_string(stream_op op) {
    switch (op) {
    case stream_op::read: return "read";
    case stream_op::write: return "write";
    case stream_op::copy: return "copy";
    case stream_op::triad: return "triad";
    }
    throw invalid_argument("aaco::to_string: unknown stream_op value");
}

/// Arrays read and written per element by each op (a = b + s*c reads 2, writes 1).
struct stream_op_traffic {
    int arrays_read;
    int arrays_written;
};

constexpr stream_op_traffic traffic(stream_op op) {
    switch (op) {
    case stream_op::read: return {1, 0};
    case stream_op::write: return {0, 1};
    case stream_op::copy: return {1, 1};
    case stream_op::triad: return {2, 1};
    }
    throw invalid_argument("aaco::traffic: unknown stream_op value");
}

inline stream_op parse_stream_op(std::string_view s) {
    for (stream_op op : all_stream_ops)
        if (to_string(op) == s) return op;
    throw invalid_argument("unknown stream op '" + std::string(s) +
                           "' (expected read, write, copy or triad)");
}

AACO_PORTABLE_NAMESPACE_END
