/// \file aaco.hpp
/// \brief Umbrella header: everything the current compiler can build. With a plain C++
/// compiler that is the model, stats and io layers plus a calibrator that reports "no GPU
/// backend"; with nvcc or hipcc it adds the backend, kernels and probes.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model.hpp>
#include <aaco/stats.hpp>
#include <aaco/io.hpp>
#include <aaco/backend/backend.hpp>
#include <aaco/calibration_options.hpp>
#include <aaco/calibrator.hpp>
#include <aaco/measure.hpp>
