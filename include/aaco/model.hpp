/// \file model.hpp
/// \brief Umbrella for aaco's model layer: precision and memory-level tags, units, the
/// envelope type, the roofline and HEU, and the datasheet profiles.
///
/// Host-only and GPU-free: any C++17 compiler builds it, no GPU runtime needed.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>
#include <aaco/model/profiles.hpp>
#include <aaco/model/roofline.hpp>
#include <aaco/model/units.hpp>
