// modir.warp and modir.evaluate: applying a field and scoring it, as `modir warp` and
// `modir evaluate --json` do.

#include "functions.h"

#include <optional>

#include "modir/core/error.h"
#include "modir/evaluate/field_error.h"
#include "modir/evaluate/landmark_error.h"
#include "modir/report/evaluation.h"
#include "modir/transform/map_points.h"
#include "modir/transform/warp_labels.h"

namespace modir::python {

using nlohmann::json;

// Points carried by the field (transform/map_points.h): forward y = x + u(x), or back (the x
// with x + u(x) = y) with the worst residual of that solve.
py::tuple warp_points(const py::object& points, const py::tuple& field, bool inverse) {
  const DisplacementField u =
      field_from(field[0].cast<py::array>(), field[1].cast<py::dict>(), "displacement");
  const PointSet in = point_set_from(points, "points");
  if (!inverse)
    return py::make_tuple(points_pair(transform::map_points_forward(u, in, "points", "field")),
                          0.0);
  const transform::PointsBack back = transform::map_points_back(u, in, "points", "field");
  return py::make_tuple(points_pair(back.fixed), back.worst_residual_mm);
}

py::tuple warp(const py::tuple& image, const py::tuple& field, const std::string& interpolation,
               double outside_value) {
  const DisplacementField u =
      field_from(field[0].cast<py::array>(), field[1].cast<py::dict>(), "displacement");
  const auto array = image[0].cast<py::array>();
  const auto geometry = image[1].cast<py::dict>();
  if (interpolation == "labels") {
    const LabelMap labels = image_from<std::uint16_t>(array, geometry, "labels");
    const Working working;
    LabelMap warped = transform::warp_labels(labels, u);
    py::gil_scoped_acquire hold;
    return image_pair(AnyImage(std::move(warped)));
  }
  if (interpolation == "nearest") {
    AnyImage moving = any_image_from(array, geometry, "image");
    const Working working;
    AnyImage warped = std::visit(
        [&](const auto& im) -> AnyImage { return transform::warp_image_nearest(im, u, outside_value); },
        moving);
    py::gil_scoped_acquire hold;
    return image_pair(std::move(warped));
  }
  if (interpolation != "linear") {
    throw usage_error("interpolation '{}': choose linear, nearest or labels", interpolation);
  }
  const Image<float> moving = image_from<float>(array, geometry, "image");
  const Working working;
  Image<float> warped = transform::warp_image(moving, u, outside_value);
  py::gil_scoped_acquire hold;
  return image_pair(AnyImage(std::move(warped)));
}

// `modir evaluate --json`'s figures (report/evaluation.h) for arrays: the moving labels are
// warped here, as `register` warps them.
std::string evaluate(const py::tuple& field, const py::object& fixed_labels,
                     const py::object& moving_labels, const py::object& fixed_landmarks,
                     const py::object& moving_landmarks, const py::object& true_displacement, const std::vector<int>& bone_labels) {
  const DisplacementField u =
      field_from(field[0].cast<py::array>(), field[1].cast<py::dict>(), "displacement");
  if (fixed_labels.is_none() != moving_labels.is_none()) {
    throw usage_error("label overlap needs both fixed_labels and moving_labels");
  }
  if (fixed_landmarks.is_none() != moving_landmarks.is_none()) {
    throw usage_error("landmark errors need both fixed_landmarks and moving_landmarks");
  }
  const std::optional<LabelMap> fixed = optional_image<std::uint16_t>(fixed_labels, "fixed_labels");
  const std::optional<LabelMap> moving =
      optional_image<std::uint16_t>(moving_labels, "moving_labels");
  std::optional<PointSet> fixed_points, moving_points;
  if (!fixed_landmarks.is_none()) {
    fixed_points = point_set_from(fixed_landmarks, "fixed_landmarks");
    moving_points = point_set_from(moving_landmarks, "moving_landmarks");
  }
  std::optional<DisplacementField> truth;
  if (!true_displacement.is_none()) {
    const auto t = true_displacement.cast<py::tuple>();
    truth = field_from(t[0].cast<py::array>(), t[1].cast<py::dict>(), "true_displacement");
    if (!truth->geometry().same_grid(u.geometry()))
      throw data_error("true_displacement is not on the grid of the displacement");
  }
  std::vector<std::uint16_t> bones;
  for (const int b : bone_labels) {
    if (b < 1 || b > 65535) throw usage_error("bone label {} is not in 1..65535", b);
    bones.push_back(static_cast<std::uint16_t>(b));
  }
  const Working working;
  json out = json::object();
  if (fixed) {
    if (!fixed->geometry().same_grid(u.geometry()))
      throw data_error("fixed_labels are not on the grid of the displacement (the fixed grid)");
    out["labels"] = report::label_scores(*fixed, transform::warp_labels(*moving, u), {});
  }
  out["jacobian"] = report::jacobian_scores(u);
  if (fixed_points) {
    // Paired by id inside, as `modir evaluate` pairs landmark files.
    out["landmarks"] = report::landmark_scores(
        evaluate::target_registration_error(u, *fixed_points, *moving_points));
  }
  if (fixed) out["bone_rigidity"] = report::bone_rigidity_scores(u, *fixed, bones);
  if (truth) {
    out["field_error"] = report::field_error_scores(
        evaluate::field_error(u, *truth, fixed ? &*fixed : nullptr), fixed.has_value());
  }
  return out.dump();
}

}  // namespace modir::python
