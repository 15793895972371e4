#include "modir/review/html_report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "modir/core/convert_pixels.h"
#include "modir/core/error.h"
#include "modir/core/version.h"
#include "modir/evaluate/overlap.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/png_io.h"
#include "modir/report/snapshot.h"
#include "modir/review/derived_volumes.h"
#include "modir/review/front_svg.h"
#include "modir/review/html_text.h"
#include "modir/review/review_volumes.h"

namespace modir::review {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A picture as an <img> with its PNG inline.
std::string img(const io::RgbPicture& picture, const fs::path& scratch, const std::string& alt) {
  const fs::path file = scratch / "picture.png";
  io::write_png(picture, file);
  std::ifstream stream(file, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
  // Small scans are drawn at a whole multiple of their size, so that a 2 mm grid is not a stamp.
  const int scale = std::max(1, 720 / std::max(1, picture.width));
  return fmt::format(R"(<img alt="{}" width="{}" height="{}" src="data:image/png;base64,{}">)",
                     html_escape(alt), picture.width * scale, picture.height * scale,
                     base64(bytes));
}

// Blue (compressed) through white (1) to red (expanded), determinants 0..2; folds magenta.
std::array<std::uint8_t, 3> jacobian_colour(float det) {
  if (!(det > 0.0f)) return {255, 0, 255};
  const double t = std::clamp(det / 2.0, 0.0, 1.0);
  const auto ramp = [](double f) { return static_cast<std::uint8_t>(std::lround(255.0 * f)); };
  if (t < 0.5) return {ramp(2 * t), ramp(2 * t), 255};
  return {255, ramp(2 * (1 - t)), ramp(2 * (1 - t))};
}

struct Organ {
  std::uint16_t value = 0;
  std::string name;
  std::array<int, 3> colour{};
  Size3 centre{};
  evaluate::LabelOverlap overlap;
};

// Per label: its name, colour, centre voxel (of the fixed labels when given) and overlap.
std::vector<Organ> organs_of(const io::LabelNames& names, const LabelMap& warped,
                             const std::optional<LabelMap>& fixed) {
  const LabelMap& reference = fixed ? *fixed : warped;
  std::map<std::uint16_t, std::array<double, 4>> sums;  // x, y, z, count
  const Size3 n = reference.size();
  for (std::int64_t z = 0; z < n[2]; ++z)
    for (std::int64_t y = 0; y < n[1]; ++y)
      for (std::int64_t x = 0; x < n[0]; ++x)
        if (const std::uint16_t v = reference(x, y, z)) {
          auto& s = sums[v];
          s[0] += x, s[1] += y, s[2] += z, s[3] += 1;
        }
  std::vector<Organ> organs;
  const auto overlaps = evaluate::label_overlaps(reference, warped);
  for (const auto& overlap : overlaps) {
    Organ organ;
    organ.value = overlap.label;
    const auto it = names.find(overlap.label);
    organ.name = it != names.end() && !it->second.name.empty()
                     ? it->second.name
                     : fmt::format("label {}", overlap.label);
    organ.colour = label_colour(names, overlap.label);
    organ.overlap = overlap;
    if (const auto s = sums.find(overlap.label); s != sums.end())
      organ.centre = {std::llround(s->second[0] / s->second[3]),
                      std::llround(s->second[1] / s->second[3]),
                      std::llround(s->second[2] / s->second[3])};
    organs.push_back(organ);
  }
  return organs;
}

bool is_body(const std::string& name) {
  std::string lower;
  for (const char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "body" || lower == "external" || lower == "skin";
}

std::string number(double v, int digits = 3) {
  return fmt::format("{:.{}g}", v, digits);
}

constexpr const char* kStyle = R"(
body { font: 14px system-ui, sans-serif; margin: 20px auto; max-width: 1100px; color: #111; }
h1 { font-size: 20px; } h2 { font-size: 17px; border-bottom: 1px solid #ccc; margin-top: 28px; }
figure { margin: 12px 0; } figcaption { font-size: 13px; color: #333; }
img { image-rendering: pixelated; max-width: 100%; height: auto; background: #000; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
.swatch { display: inline-block; width: 11px; height: 11px; border: 1px solid #000; margin-right: 4px; }
.bar { display: inline-block; width: 220px; height: 12px; vertical-align: middle;
       background: linear-gradient(to right, #0000ff, #ffffff, #ff0000); border: 1px solid #000; }
.note { color: #a40; }
@media print { h2 { break-before: page; } }
)";

}  // namespace

std::string html_report(const ReviewFolder& folder, const fs::path& scratch) {
  const auto has = [&](const char* id) { return folder.sources.count(id) > 0; };
  // The warped scan and the Jacobian as review shows them: the folder's files, or computed from
  // its displacement (a propagation writes neither).
  VolumeSource volumes(folder, scratch);
  const Image<float> warped = volumes.own_float("warped");
  const Image<float> jacobian = volumes.own_float("jacobian");
  std::optional<Image<float>> fixed;
  if (has("fixed")) fixed = volumes.own_float("fixed");
  std::optional<LabelMap> warped_labels, fixed_labels;
  if (has("warped_labels"))
    warped_labels = io::read_label_map(folder.sources.at("warped_labels"));
  // A propagation's daily organs are numbered by the model, its structures by the structure
  // set: no overlap between them is meaningful.
  if (has("fixed_labels") && folder.kind != FolderKind::kPropagation)
    fixed_labels = io::read_label_map(folder.sources.at("fixed_labels"));
  if (fixed && !fixed->geometry().same_grid(warped.geometry())) fixed.reset();
  if (fixed_labels && !fixed_labels->geometry().same_grid(warped.geometry())) fixed_labels.reset();
  const Image<float>& background = fixed ? *fixed : warped;
  const report::Shade soft = report::grey_shade({40.0, 400.0});

  std::string html = fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>modir report"
      "</title><style>{}</style></head><body>\n<h1>modir report: {}</h1>\n",
      kStyle,
      folder.kind == FolderKind::kPropagation ? "contour propagation"
      : folder.front                          ? "Pareto front"
                                              : "registration");

  // --- summary
  const json& r = folder.report;
  html += "<section id=\"summary\"><h2>Summary</h2><table>";
  const auto row = [&](const std::string& key, const std::string& value) {
    html += fmt::format("<tr><th>{}</th><td>{}</td></tr>", html_escape(key), value);
  };
  row("command", html_escape("modir " + r.value("command", std::string("?"))));
  row("written by", html_escape("modir " + r.value("modir_version", std::string("?"))));
  row("report by", html_escape(std::string("modir ") + kVersion));
  if (r.contains("jacobian")) {
    const json& j = r.at("jacobian");
    row("Jacobian determinant",
        fmt::format("{} … {} (mean {}), folded voxels {}", number(j.value("min", 0.0)),
                    number(j.value("max", 0.0)), number(j.value("mean", 0.0)),
                    j.value("folded_voxels", 0)));
  }
  // Gold markers both scans hold: the check that needs no ground truth (registration.md).
  if (r.contains("fiducial_markers") && r.at("fiducial_markers").is_object()) {
    const json& m = r.at("fiducial_markers");
    std::string text = fmt::format("{} paired of {} (fixed) and {} (moving)",
                                   m.value("paired", 0), m.value("fixed_found", 0),
                                   m.value("moving_found", 0));
    if (m.value("paired", 0) > 0)
      text += fmt::format("; carried to {} mm of their partners on the mean, {} mm at most",
                          number(m.value("mean_residual_mm", 0.0)),
                          number(m.value("max_residual_mm", 0.0)));
    if (m.value("off", 0) > 0)
      text += fmt::format(" <span class=\"note\">{} more than {} mm off</span>", m.value("off", 0),
                          number(m.value("off_above_mm", 3.0)));
    row("fiducial markers", text);
  }
  if (r.contains("timings_s"))
    row("time", fmt::format("{} s", number(r.at("timings_s").value("total", 0.0))));
  std::string inputs;
  for (const auto& [name, path] : folder.sources) inputs += html_escape(name) + " ";
  for (const auto& [name, why] : folder.unavailable)
    inputs +=
        fmt::format("<span class=\"note\">{} ({})</span> ", html_escape(name), html_escape(why));
  row("volumes", inputs);
  html += "</table>";
  if (!fixed)
    html +=
        "<p class=\"note\">The fixed scan is not available: the pictures show the warped "
        "moving scan instead.</p>";
  html += "</section>\n";

  // --- structures
  std::vector<Organ> organs;
  const auto names = folder.label_names.find("warped_labels");
  if (warped_labels)
    organs = organs_of(names != folder.label_names.end() ? names->second : io::LabelNames{},
                       *warped_labels, fixed_labels);
  html += "<section id=\"structures\"><h2>Structures</h2>";
  if (organs.empty())
    html += "<p>No label maps in this result.</p>";
  else
    html += fmt::format(
        "<p>Three slices (axial, coronal, sagittal; patient left on the right) through each "
        "organ's centre{}. Coloured: the propagated contour (the moving labels warped){}.</p>",
        fixed_labels ? " in the fixed labels" : "",
        fixed_labels ? "; white: the fixed scan's own labels" : "");
  report::LabelColours organ_colours, white;
  if (warped_labels) {
    std::uint16_t top = 0;
    for (const Organ& o : organs) top = std::max(top, o.value);
    organ_colours.assign(top + 1u, {255, 255, 255});
    white.assign(top + 1u, {255, 255, 255});
    for (const Organ& o : organs)
      organ_colours[o.value] = {static_cast<std::uint8_t>(o.colour[0]),
                                static_cast<std::uint8_t>(o.colour[1]),
                                static_cast<std::uint8_t>(o.colour[2])};
  }
  for (const Organ& organ : organs) {
    if (is_body(organ.name)) continue;
    std::vector<report::Outlines> outlines;
    if (fixed_labels) outlines.push_back({&*fixed_labels, &white});
    outlines.push_back({&*warped_labels, &organ_colours});
    const auto picture = report::orthogonal_picture(background, soft, outlines, organ.centre);
    html += fmt::format(
        "<figure>{}<figcaption><span class=\"swatch\" style=\"background:rgb({},{},{})\"></span>"
        "{}{}</figcaption></figure>\n",
        img(picture, scratch, organ.name), organ.colour[0], organ.colour[1], organ.colour[2],
        html_escape(organ.name),
        fixed_labels ? fmt::format(": Dice {:.3f}", organ.overlap.dice) : std::string());
  }
  html += "</section>\n";

  // --- checkerboard
  html += "<section id=\"checkerboard\"><h2>Checkerboard</h2>";
  if (fixed) {
    html += fmt::format(
        "<figure>{}<figcaption>Fixed and warped moving scan in {} mm squares, through the "
        "volume's centre: edges that run on across squares are aligned.</figcaption></figure>",
        img(report::orthogonal_picture(checkerboard(warped, *fixed), soft, {}), scratch,
            "checkerboard"),
        number(kCheckerboardMm));
  } else {
    html += "<p class=\"note\">Not drawn: the fixed scan is not available.</p>";
  }
  html += "</section>\n";

  // --- jacobian, through its smallest value
  const auto smallest = std::min_element(jacobian.buffer().begin(), jacobian.buffer().end());
  const std::int64_t at = smallest - jacobian.buffer().begin();
  const Size3 n = jacobian.size();
  const Size3 where{at % n[0], (at / n[0]) % n[1], at / (n[0] * n[1])};
  const Image<std::uint8_t> folds = folded(jacobian);
  std::int64_t folded_voxels = 0;
  for (const auto v : folds.buffer()) folded_voxels += v;
  html += fmt::format(
      "<section id=\"jacobian\"><h2>Jacobian determinant</h2><figure>{}<figcaption>"
      "<span class=\"bar\"></span> 0 … 1 … 2 (compressed, unchanged, expanded), folded voxels "
      "(determinant ≤ 0) in magenta: {}. Slices through the smallest determinant, {} at voxel "
      "({}, {}, {}).</figcaption></figure></section>\n",
      img(report::orthogonal_picture(jacobian, jacobian_colour, {}, where), scratch, "Jacobian"),
      folded_voxels, number(*smallest), where[0], where[1], where[2]);

  // --- front
  if (folder.front) html += front_section(folder);

  // --- metrics
  html += "<section id=\"metrics\"><h2>Metrics</h2>";
  if (organs.empty()) {
    html += "<p>No label maps in this result.</p>";
  } else {
    html +=
        fmt::format("<table><tr><th>structure</th>{}<th>propagated ml</th>{}</tr>",
                    fixed_labels ? "<th>fixed ml</th>" : "", fixed_labels ? "<th>Dice</th>" : "");
    for (const Organ& o : organs) {
      html += fmt::format("<tr><td>{}</td>", html_escape(o.name));
      if (fixed_labels) html += fmt::format("<td>{:.1f}</td>", o.overlap.fixed_ml);
      html += fmt::format("<td>{:.1f}</td>", o.overlap.warped_ml);
      if (fixed_labels) html += fmt::format("<td>{:.3f}</td>", o.overlap.dice);
      html += "</tr>";
    }
    html += "</table>";
  }
  html += "</section>\n</body></html>\n";
  return html;
}

}  // namespace modir::review
