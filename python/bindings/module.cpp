// The extension module behind `import modir` (python/modir/__init__.py wraps it): binds the
// functions of functions.h and turns modir's errors into Python exceptions.

#include "functions.h"
#include "modir/core/error.h"
#include "modir/core/version.h"

namespace modir::python {

PYBIND11_MODULE(_modir, m) {
  m.doc() = "modir's C++ library (use the modir package, which wraps this module)";
  m.attr("version") = kVersion;

  // modir's errors keep their message; usage errors (a wrong argument or config) and data errors
  // (unusable input) become the package's UsageError and DataError.
  static py::exception<Error> error(m, "Error", PyExc_RuntimeError);
  static py::exception<Error> usage(m, "UsageError", error.ptr());
  static py::exception<Error> data(m, "DataError", error.ptr());
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyErr_SetString(e.kind() == ErrorKind::kUsage ? usage.ptr() : data.ptr(), e.what());
    }
  });

  m.def("read_image", &read_image, py::arg("path"), py::arg("replace_nonfinite") = py::none());
  m.def("read_labels", &read_labels, py::arg("path"));
  m.def("read_displacement", &read_displacement, py::arg("path"));
  m.def("write_image", &write_image, py::arg("array"), py::arg("geometry"), py::arg("path"));
  m.def("write_displacement", &write_displacement, py::arg("array"), py::arg("geometry"),
        py::arg("path"));
  m.def("read_points", &read_points, py::arg("path"));
  m.def("register", &register_arrays, py::arg("fixed"), py::arg("moving"),
        py::arg("fixed_labels"), py::arg("moving_labels"), py::arg("fixed_landmarks"),
        py::arg("moving_landmarks"), py::arg("landmark_weights"),
        py::arg("fixed_mask"), py::arg("rigidity_mask"), py::arg("config_json"),
        py::arg("pareto"), py::arg("out"), py::arg("threads"), py::arg("verbose"));
  m.def("warp", &warp, py::arg("image"), py::arg("field"), py::arg("interpolation"),
        py::arg("outside_value"));
  m.def("warp_points", &warp_points, py::arg("points"), py::arg("field"), py::arg("inverse"));
  m.def("evaluate", &evaluate, py::arg("field"), py::arg("fixed_labels"),
        py::arg("moving_labels"), py::arg("fixed_landmarks"), py::arg("moving_landmarks"),
        py::arg("true_displacement"), py::arg("bone_labels"));
  m.def("segment", &segment, py::arg("image"), py::arg("model"), py::arg("qc"),
        py::arg("device"), py::arg("threads"), py::arg("verbose"));
  m.def("segment_train", &segment_train, py::arg("manifest"), py::arg("out"),
        py::arg("options_json"), py::arg("max_memory"), py::arg("dry_run"), py::arg("threads"),
        py::arg("verbose"));
  m.def("dataset_check", &dataset_check, py::arg("manifest"), py::arg("split"),
        py::arg("threads"), py::arg("verbose"));
  m.def("phantom", &phantom_pair, py::arg("seed"), py::arg("size"), py::arg("deformation"),
        py::arg("variety"), py::arg("couch"), py::arg("metal"), py::arg("arms"),
        py::arg("calcifications"), py::arg("markers"));
  m.def("propagate", &propagate, py::arg("planning"), py::arg("structures"), py::arg("daily"),
        py::arg("out"), py::arg("planning_series"), py::arg("daily_series"), py::arg("model"),
        py::arg("config_json"), py::arg("names_table"), py::arg("qc"), py::arg("pareto"),
        py::arg("pick_json"), py::arg("auto_landmarks"), py::arg("landmark_method"),
        py::arg("device"), py::arg("max_memory"), py::arg("threads"), py::arg("verbose"));
}

}  // namespace modir::python
