/// \file fleet.hpp
/// \brief Umbrella header of the fleet layer (host-only): fixed-size fleet records, the fleet
/// statistics and outlier rule, cohorts, verdicts, fleet JSON, markdown and Prometheus gauges,
/// and the node report. The MPI gather is
/// separate (<aaco/mpi/gather.hpp>, target aaco::mpi); the node probes are in
/// <aaco/probes/node.hpp> (GPU compilers only).
#pragma once
#include <aaco/config.hpp>
#include <aaco/fleet/analysis.hpp>
#include <aaco/fleet/cohort.hpp>
#include <aaco/fleet/json.hpp>
#include <aaco/fleet/markdown.hpp>
#include <aaco/fleet/node.hpp>
#include <aaco/fleet/prometheus.hpp>
#include <aaco/fleet/record.hpp>
#include <aaco/fleet/verdict.hpp>
