#include "arrays.h"

#include <pybind11/stl.h>

#include <cstring>
#include <memory>

#include "modir/core/error.h"

namespace modir::python {

namespace {

Vec3d vec3_from(const py::handle& h, const std::string& what) {
  const auto values = h.cast<std::vector<double>>();
  if (values.size() != 3) throw usage_error("{} needs 3 numbers, got {}", what, values.size());
  return {values[0], values[1], values[2]};
}

// The grid size (x y z) of a [z, y, x] or [z, y, x, components] array.
Size3 grid_size(const py::array& array, int components, const std::string& name) {
  const int want = components == 1 ? 3 : 4;
  if (array.ndim() != want) {
    throw data_error("{} is a {}D array; modir needs {} ([z, y, x{}])", name, array.ndim(),
                     components == 1 ? "a 3D volume" : "a field of shape [z, y, x, 3]",
                     components == 1 ? "" : ", 3");
  }
  if (components > 1 && array.shape(3) != components) {
    throw data_error("{} has {} components per voxel; a displacement field has 3", name,
                     array.shape(3));
  }
  return {array.shape(2), array.shape(1), array.shape(0)};
}

// A heap object owned by a numpy array through a capsule: the array reads its buffer in place.
template <typename T, typename Element>
py::array adopt(Image<T> image, std::vector<py::ssize_t> shape) {
  auto* owned = new Image<T>(std::move(image));
  py::capsule owner(owned, [](void* p) { delete static_cast<Image<T>*>(p); });
  return py::array_t<Element>(shape, reinterpret_cast<Element*>(owned->data()), owner);
}

}  // namespace

py::dict geometry_to_dict(const Geometry& g) {
  py::list direction;
  for (int r = 0; r < 3; ++r)
    direction.append(py::make_tuple(g.direction(r, 0), g.direction(r, 1), g.direction(r, 2)));
  py::dict d;
  d["spacing"] = py::make_tuple(g.spacing.x, g.spacing.y, g.spacing.z);
  d["origin"] = py::make_tuple(g.origin.x, g.origin.y, g.origin.z);
  d["direction"] = direction;
  return d;
}

Geometry geometry_from(const py::dict& d, const py::array& array, const std::string& name) {
  Geometry g;
  const int components = array.ndim() == 4 ? static_cast<int>(array.shape(3)) : 1;
  g.size = grid_size(array, components, name);
  if (d.contains("spacing")) g.spacing = vec3_from(d["spacing"], name + " spacing");
  if (d.contains("origin")) g.origin = vec3_from(d["origin"], name + " origin");
  if (d.contains("direction")) {
    const auto rows = d["direction"].cast<std::vector<std::vector<double>>>();
    if (rows.size() != 3) throw usage_error("{} direction needs 3 rows of 3", name);
    for (int r = 0; r < 3; ++r) {
      if (rows[static_cast<std::size_t>(r)].size() != 3)
        throw usage_error("{} direction needs 3 rows of 3", name);
      for (int c = 0; c < 3; ++c)
        g.direction(r, c) = rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
    }
  }
  g.validate(name);
  return g;
}

py::array to_array(AnyImage image) {
  return std::visit(
      [](auto&& im) -> py::array {
        using T = typename std::decay_t<decltype(im)>::value_type;
        const Size3 s = im.size();
        return adopt<T, T>(std::move(im), {s[2], s[1], s[0]});
      },
      std::move(image));
}

py::array to_array(DisplacementField field) {
  static_assert(sizeof(Vec3f) == 3 * sizeof(float), "Vec3f must be three packed floats");
  const Size3 s = field.size();
  return adopt<Vec3f, float>(std::move(field), {s[2], s[1], s[0], 3});
}

template <typename T>
Image<T> image_from(const py::array& array, const py::dict& geometry, const std::string& name) {
  grid_size(array, 1, name);  // a 3D volume, not a field
  const Geometry g = geometry_from(geometry, array, name);
  // forcecast converts any numeric dtype; c_style gives x-fastest order, as modir stores voxels.
  const auto values = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!values) throw data_error("{} cannot be read as numbers", name);
  Image<T> image(g);
  std::memcpy(image.data(), values.data(), sizeof(T) * static_cast<std::size_t>(g.voxel_count()));
  return image;
}

template Image<float> image_from<float>(const py::array&, const py::dict&, const std::string&);
template Image<std::uint8_t> image_from<std::uint8_t>(const py::array&, const py::dict&,
                                                      const std::string&);
template Image<std::uint16_t> image_from<std::uint16_t>(const py::array&, const py::dict&,
                                                        const std::string&);

PixelType pixel_type_of_array(const py::array& array) {
  const py::dtype t = array.dtype();
  if (t.is(py::dtype::of<std::uint8_t>())) return PixelType::kUInt8;
  if (t.is(py::dtype::of<std::int16_t>())) return PixelType::kInt16;
  if (t.is(py::dtype::of<std::uint16_t>())) return PixelType::kUInt16;
  if (t.is(py::dtype::of<std::int32_t>())) return PixelType::kInt32;
  if (t.is(py::dtype::of<double>())) return PixelType::kFloat64;
  return PixelType::kFloat32;
}

AnyImage any_image_from(const py::array& array, const py::dict& geometry, const std::string& name) {
  const py::dtype t = array.dtype();
  if (t.is(py::dtype::of<std::uint8_t>())) return image_from<std::uint8_t>(array, geometry, name);
  if (t.is(py::dtype::of<std::int16_t>())) return image_from<std::int16_t>(array, geometry, name);
  if (t.is(py::dtype::of<std::uint16_t>()))
    return image_from<std::uint16_t>(array, geometry, name);
  if (t.is(py::dtype::of<std::int32_t>())) return image_from<std::int32_t>(array, geometry, name);
  if (t.is(py::dtype::of<double>())) return image_from<double>(array, geometry, name);
  if (t.is(py::dtype::of<float>())) return image_from<float>(array, geometry, name);
  throw data_error(
      "{} has numpy dtype {}; modir writes uint8, int16, uint16, int32, float32 and float64 "
      "(convert it with .astype)",
      name, t.attr("name").cast<std::string>());
}

template Image<std::int16_t> image_from<std::int16_t>(const py::array&, const py::dict&,
                                                      const std::string&);
template Image<std::int32_t> image_from<std::int32_t>(const py::array&, const py::dict&,
                                                      const std::string&);
template Image<double> image_from<double>(const py::array&, const py::dict&, const std::string&);

DisplacementField field_from(const py::array& array, const py::dict& geometry,
                             const std::string& name) {
  const Geometry g = geometry_from(geometry, array, name);
  grid_size(array, 3, name);
  const auto values = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!values) throw data_error("{} cannot be read as numbers", name);
  DisplacementField field(g);
  std::memcpy(static_cast<void*>(field.data()), values.data(),
              sizeof(float) * 3 * static_cast<std::size_t>(g.voxel_count()));
  return field;
}

py::tuple image_pair(AnyImage image) {
  py::dict geometry = geometry_to_dict(geometry_of(image));
  return py::make_tuple(to_array(std::move(image)), geometry);
}

py::tuple field_pair(DisplacementField field) {
  py::dict geometry = geometry_to_dict(field.geometry());
  return py::make_tuple(to_array(std::move(field)), geometry);
}

py::tuple points_pair(const PointSet& points) {
  std::vector<std::string> ids;
  py::array_t<double> positions({static_cast<py::ssize_t>(points.points.size()), py::ssize_t{3}});
  auto p = positions.mutable_unchecked<2>();
  for (std::size_t i = 0; i < points.points.size(); ++i) {
    ids.push_back(points.points[i].id);
    const auto r = static_cast<py::ssize_t>(i);
    p(r, 0) = points.points[i].position.x;
    p(r, 1) = points.points[i].position.y;
    p(r, 2) = points.points[i].position.z;
  }
  return py::make_tuple(ids, positions);
}

PointSet point_set_from(const py::object& landmarks, const std::string& name) {
  const auto pair = landmarks.cast<py::tuple>();
  const auto xyz =
      py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(pair[1]);
  if (!xyz || xyz.ndim() != 2 || xyz.shape(1) != 3)
    throw data_error("{} are not an [N, 3] array of LPS mm positions", name);
  const auto n = static_cast<std::size_t>(xyz.shape(0));
  std::vector<std::string> ids;
  if (pair[0].is_none()) {
    for (std::size_t i = 0; i < n; ++i) ids.push_back(std::to_string(i + 1));
  } else {
    ids = pair[0].cast<std::vector<std::string>>();
    if (ids.size() != n) throw data_error("{}: {} ids for {} points", name, ids.size(), n);
  }
  PointSet points;
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = static_cast<py::ssize_t>(i);
    points.points.push_back({ids[i], {xyz.at(r, 0), xyz.at(r, 1), xyz.at(r, 2)}});
  }
  return points;
}

}  // namespace modir::python
