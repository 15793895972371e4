#pragma once

// The functions the extension module _modir exposes (module.cpp binds them); each is a call into
// the library that the command line makes too. Arrays cross as (array, geometry) pairs (arrays.h),
// JSON as text that modir/__init__.py parses. Long calls hold a Working while they work.

#include <cstdint>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "arrays.h"
#include "modir/core/large_blocks.h"

namespace modir::python {

/// What a call holds while the library works: the GIL released, so that other Python threads run,
/// and freed large blocks kept for reuse, as the command line keeps them (core/large_blocks.h).
struct Working {
  py::gil_scoped_release free;
  KeepLargeBlocks keep;
};

// files.cpp
py::tuple read_image(const std::string& path, const py::object& replace_nonfinite);
py::tuple read_labels(const std::string& path);
py::tuple read_displacement(const std::string& path);
void write_image(const py::array& array, const py::dict& geometry, const std::string& path);
void write_displacement(const py::array& array, const py::dict& geometry, const std::string& path);
py::tuple read_points(const std::string& path);

// registration.cpp
py::dict register_arrays(const py::tuple& fixed, const py::tuple& moving,
                         const py::object& fixed_labels, const py::object& moving_labels,
                         const py::object& fixed_landmarks, const py::object& moving_landmarks,
                         const py::object& landmark_weights, const py::object& fixed_mask,
                         const py::object& rigidity_mask, const py::object& config_json, int pareto,
                         const std::string& out, int threads, bool verbose);

// scoring.cpp
py::tuple warp_points(const py::object& points, const py::tuple& field, bool inverse);
py::tuple warp(const py::tuple& image, const py::tuple& field, const std::string& interpolation,
               double outside_value);
std::string evaluate(const py::tuple& field, const py::object& fixed_labels,
                     const py::object& moving_labels, const py::object& fixed_landmarks,
                     const py::object& moving_landmarks, const py::object& true_displacement,
                     const std::vector<int>& bone_labels);

// pipelines.cpp
py::dict phantom_pair(std::uint64_t seed, const std::string& size, const std::string& deformation,
                      bool variety, bool couch, bool metal, bool arms, bool calcifications,
                      bool markers);
py::tuple segment(const py::tuple& image, const std::string& model_dir, bool qc,
                  const std::string& device, int threads, bool verbose);
std::string dataset_check(const std::string& manifest, const std::string& split, int threads,
                          bool verbose);

// training.cpp
std::string segment_train(const std::string& manifest, const std::string& out,
                          const std::string& options_json, const py::object& max_memory,
                          bool dry_run, int threads, bool verbose);

// propagation.cpp
std::string propagate(const std::string& planning, const std::string& structures,
                      const std::string& daily, const std::string& out,
                      const std::string& planning_series, const std::string& daily_series,
                      const std::string& model, const py::object& config_json,
                      const std::string& names_table, bool qc, int pareto,
                      const py::object& pick_json, bool auto_landmarks,
                      const std::string& landmark_method, const std::string& device,
                      const py::object& max_memory, int threads, bool verbose);

}  // namespace modir::python
