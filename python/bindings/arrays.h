#pragma once

// numpy arrays <-> modir images for the Python package. An image crosses as a pair: a C-ordered
// array indexed [z, y, x] (a field [z, y, x, 3]) and a geometry dict {"spacing", "origin",
// "direction"} in LPS mm, direction[i][j] = world axis i of index axis j (ITK's convention).
// Images modir makes are handed to numpy without a copy: the array owns the C++ buffer.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include "modir/core/image.h"
#include "modir/core/pixel_type.h"
#include "modir/core/point_set.h"

namespace modir::python {

namespace py = pybind11;

py::dict geometry_to_dict(const Geometry& geometry);
/// The geometry of an array of shape [z, y, x] (or [z, y, x, 3]) from a geometry dict; checked
/// (positive spacing, orthonormal direction) with `name` in the error.
Geometry geometry_from(const py::dict& geometry, const py::array& array, const std::string& name);

/// The image as a numpy array that takes over its buffer (no copy).
py::array to_array(AnyImage image);
py::array to_array(DisplacementField field);

/// The array's voxels as an image of T (converted and copied). A 3D array is needed; `name`
/// names it in errors.
template <typename T>
Image<T> image_from(const py::array& array, const py::dict& geometry, const std::string& name);
/// The array in the voxel type it has (uint8, int16, uint16, int32, float32 or float64).
AnyImage any_image_from(const py::array& array, const py::dict& geometry, const std::string& name);
DisplacementField field_from(const py::array& array, const py::dict& geometry,
                             const std::string& name);

/// The voxel type modir would store this array in: its own dtype when modir writes it, else
/// float32 (e.g. for bool or int64 arrays, which registration reads as float anyway).
PixelType pixel_type_of_array(const py::array& array);

/// An image or field as the (array, geometry dict) pair the package passes around.
py::tuple image_pair(AnyImage image);
py::tuple field_pair(DisplacementField field);
/// Points as (ids, [N, 3] array of LPS mm).
py::tuple points_pair(const PointSet& points);

/// An optional (array, geometry) argument as an image of T (None: nullopt).
template <typename T>
std::optional<Image<T>> optional_image(const py::object& pair, const std::string& name) {
  if (pair.is_none()) return std::nullopt;
  const auto t = pair.cast<py::tuple>();
  return image_from<T>(t[0].cast<py::array>(), t[1].cast<py::dict>(), name);
}

/// Named points from an (ids, positions) pair: positions an [N, 3] array of LPS mm, ids a list
/// of N strings or None for "1" .. "N" (so two sets without ids pair row by row through
/// pair_by_id). `name` names the set in errors.
PointSet point_set_from(const py::object& landmarks, const std::string& name);

}  // namespace modir::python
