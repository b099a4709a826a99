/// \file io.hpp
/// \brief Umbrella of the io layer: envelope JSON (read/write/save/load), markdown report and
/// SVG roofline. Host-only; needs nlohmann_json.
#pragma once
#include <aaco/io/json.hpp>
#include <aaco/io/markdown.hpp>
#include <aaco/io/svg.hpp>
