#include "modir/phantom/phantom_options.h"

#include "modir/core/error.h"

namespace modir::phantom {

std::string size_name(PhantomSize size) {
  switch (size) {
    case PhantomSize::kSmall: return "small";
    case PhantomSize::kMedium: return "medium";
    case PhantomSize::kLarge: return "large";
  }
  return "small";
}

std::string deformation_name(DeformationLevel level) {
  switch (level) {
    case DeformationLevel::kNone: return "none";
    case DeformationLevel::kModerate: return "moderate";
    case DeformationLevel::kLarge: return "large";
  }
  return "moderate";
}

std::string sex_name(Sex sex) {
  return sex == Sex::kFemale ? "female" : "male";
}

namespace {

template <typename T>
T parse_named(const std::string& value, const std::string& option,
              std::initializer_list<T> choices, std::string (*name_of)(T)) {
  std::string names;
  for (const T choice : choices) {
    if (value == name_of(choice)) return choice;
    names += (names.empty() ? "" : ", ") + name_of(choice);
  }
  throw usage_error("{} must be one of {}, not '{}'", option, names, value);
}

}  // namespace

PhantomSize parse_size(const std::string& name, const std::string& option) {
  return parse_named(name, option,
                     {PhantomSize::kSmall, PhantomSize::kMedium, PhantomSize::kLarge}, size_name);
}

DeformationLevel parse_deformation(const std::string& name, const std::string& option) {
  return parse_named(
      name, option,
      {DeformationLevel::kNone, DeformationLevel::kModerate, DeformationLevel::kLarge},
      deformation_name);
}

Sex parse_sex(const std::string& name, const std::string& option) {
  return parse_named(name, option, {Sex::kFemale, Sex::kMale}, sex_name);
}

Geometry fixed_scan_grid(PhantomSize size, const Vec3d& centre) {
  Geometry g;
  switch (size) {
    case PhantomSize::kSmall:
      g.size = {96, 96, 48};
      g.spacing = {2.0, 2.0, 3.0};
      break;
    case PhantomSize::kMedium:
      g.size = {256, 256, 96};
      g.spacing = {1.0, 1.0, 3.0};
      break;
    case PhantomSize::kLarge:
      g.size = {512, 512, 160};
      g.spacing = {0.9, 0.9, 2.5};
      break;
  }
  // Axial CT: index x to patient left, y to posterior, z to superior (identity direction).
  for (int a = 0; a < 3; ++a) {
    g.origin[a] = centre[a] - 0.5 * static_cast<double>(g.size[a] - 1) * g.spacing[a];
  }
  return g;
}

}  // namespace modir::phantom
