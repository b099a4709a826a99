/// \file stats.hpp
/// \brief Umbrella for aaco's stats layer: sample summaries and the stopping rule.
///
/// Host-only and GPU-free. Depends on the model layer only for aaco::sample_stats.
#pragma once
#include <aaco/config.hpp>
#include <aaco/stats/stopping_rule.hpp>
#include <aaco/stats/summary.hpp>
#include <aaco/stats/knees.hpp>
#include <aaco/stats/clock_pairing.hpp>
