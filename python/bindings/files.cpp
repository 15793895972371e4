// Reading and writing images, fields and point files for the Python package.

#include "functions.h"

#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/point_io.h"

namespace modir::python {

py::tuple read_image(const std::string& path, const py::object& replace_nonfinite) {
  io::ReadOptions options;
  if (!replace_nonfinite.is_none()) {
    options.non_finite = io::NonFinitePolicy::kReplace;
    options.replacement = replace_nonfinite.cast<double>();
  }
  AnyImage image = [&] {
    const Working working;
    return io::read_image(path, options);
  }();
  return image_pair(std::move(image));
}

py::tuple read_labels(const std::string& path) {
  LabelMap labels = [&] {
    const Working working;
    return io::read_label_map(path);
  }();
  return image_pair(AnyImage(std::move(labels)));
}

py::tuple read_displacement(const std::string& path) {
  DisplacementField field = [&] {
    const Working working;
    return io::read_displacement_field(path);
  }();
  return field_pair(std::move(field));
}

void write_image(const py::array& array, const py::dict& geometry, const std::string& path) {
  AnyImage image = any_image_from(array, geometry, "image");
  const Working working;
  io::write_image(image, path);
}

void write_displacement(const py::array& array, const py::dict& geometry, const std::string& path) {
  DisplacementField field = field_from(array, geometry, "displacement");
  const Working working;
  io::write_displacement_field(field, path);
}

py::tuple read_points(const std::string& path) {
  return points_pair(io::read_points(path));
}

}  // namespace modir::python
