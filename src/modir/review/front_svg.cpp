#include "modir/review/front_svg.h"

#include <algorithm>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "modir/review/html_text.h"

namespace modir::review {

using nlohmann::json;

namespace {

constexpr int kWidth = 320, kHeight = 260, kLeft = 58, kRight = 12, kTop = 12, kBottom = 40;

std::string number(double v) {
  const double a = std::abs(v);
  return a != 0.0 && (a < 1e-3 || a >= 1e4) ? fmt::format("{:.2e}", v) : fmt::format("{:.3g}", v);
}

std::string unit(const std::string& objective) {
  return objective == "guidance" ? " (mm)" : "";
}

std::optional<std::size_t> recorded_choice(const ReviewFolder& folder) {
  std::ifstream stream(choice_file(folder));
  if (!stream) return std::nullopt;
  const json j = json::parse(stream, nullptr, false);
  if (j.is_discarded() || !j.contains("index") || !j.at("index").is_number_unsigned())
    return std::nullopt;
  return j.at("index").get<std::size_t>();
}

std::string panel(const json& front, std::size_t a, std::size_t b,
                  std::optional<std::size_t> choice) {
  const json& solutions = front.at("solutions");
  const auto value = [&](const json& s, std::size_t i) {
    return s.at("objectives").at(i).get<double>();
  };
  const auto range = [&](std::size_t i) {
    double lo = value(solutions.at(0), i), hi = lo;
    for (const json& s : solutions) lo = std::min(lo, value(s, i)), hi = std::max(hi, value(s, i));
    if (!(hi > lo)) lo -= 1e-9 + std::abs(lo) * 0.05, hi += 1e-9 + std::abs(hi) * 0.05;
    const double pad = (hi - lo) * 0.06;
    return std::pair{lo - pad, hi + pad};
  };
  const auto [x0, x1] = range(a);
  const auto [y0, y1] = range(b);
  const auto px = [&](double v) {
    return kLeft + (v - x0) / (x1 - x0) * (kWidth - kLeft - kRight);
  };
  const auto py = [&](double v) {
    return kHeight - kBottom - (v - y0) / (y1 - y0) * (kHeight - kTop - kBottom);
  };
  const std::string xa = front.at("objectives").at(a), ya = front.at("objectives").at(b);
  std::string svg = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img" aria-label="{2} against {3}">)"
      R"(<rect width="{0}" height="{1}" fill="#fff"/>)"
      R"(<line x1="{4}" y1="{5}" x2="{6}" y2="{5}" stroke="#555"/><line x1="{4}" y1="{7}" x2="{4}" y2="{5}" stroke="#555"/>)",
      kWidth, kHeight, html_escape(xa), html_escape(ya), kLeft, kHeight - kBottom, kWidth - kRight,
      kTop);
  for (int t = 0; t <= 3; ++t) {
    const double vx = x0 + (x1 - x0) * t / 3, vy = y0 + (y1 - y0) * t / 3;
    svg += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="9" text-anchor="middle">{}</text>)",
                       px(vx), kHeight - kBottom + 13, number(vx));
    svg += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="9" text-anchor="end">{}</text>)",
                       kLeft - 4, py(vy) + 3, number(vy));
  }
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="middle">{}{}</text>)",
                     (kLeft + kWidth - kRight) / 2, kHeight - 8, html_escape(xa), unit(xa));
  svg += fmt::format(
      R"svg(<text x="14" y="{0}" font-size="11" text-anchor="middle" transform="rotate(-90 14 {0})">{1}{2}</text>)svg",
      (kTop + kHeight - kBottom) / 2, html_escape(ya), unit(ya));
  const std::size_t knee = front.value("knee", std::size_t{0});
  for (std::size_t k = 0; k < solutions.size(); ++k) {
    const json& s = solutions.at(k);
    const double cx = px(value(s, a)), cy = py(value(s, b));
    if (k == knee)
      svg += fmt::format(
          R"(<circle cx="{:.1f}" cy="{:.1f}" r="9" fill="none" stroke="#000" stroke-dasharray="2 2"/>)",
          cx, cy);
    if (choice && k == *choice)
      svg += fmt::format(
          R"(<circle cx="{:.1f}" cy="{:.1f}" r="12" fill="none" stroke="#080" stroke-width="2"/>)",
          cx, cy);
    const bool folds = s.value("folded_fraction", 0.0) > 0.0;
    svg += fmt::format(
        R"(<circle cx="{:.1f}" cy="{:.1f}" r="5" fill="{}" stroke="{}" stroke-width="{}"><title>solution {}</title></circle>)",
        cx, cy, s.value("dominated", false) ? "#999" : "#1f6fd1", folds ? "#e00" : "#000",
        folds ? 2 : 1, k);
  }
  return svg + "</svg>";
}

}  // namespace

std::string front_section(const ReviewFolder& folder) {
  const json& front = *folder.front;
  const json& objectives = front.at("objectives");
  const std::optional<std::size_t> choice = recorded_choice(folder);
  std::string html = fmt::format(
      "<section id=\"front\"><h2>Pareto front</h2><p>{} solutions; knee: solution {}{}. Blue: "
      "not dominated; grey: dominated; red rim: folds; dotted ring: the knee; green ring: the "
      "choice.</p><div>",
      front.at("solutions").size(), front.value("knee", 0),
      choice ? fmt::format("; chosen (choice.json): solution {}", *choice)
             : std::string("; no choice recorded"));
  for (std::size_t a = 0; a < objectives.size(); ++a)
    for (std::size_t b = a + 1; b < objectives.size(); ++b) html += panel(front, a, b, choice);
  html += "</div><table><tr><th>solution</th>";
  for (const json& o : objectives)
    html += fmt::format("<th>{}{}</th>", html_escape(o.get<std::string>()), unit(o));
  html +=
      "<th>folded fraction</th><th>Jacobian min</th><th>TRE mean (mm)</th><th>Dice mean</th></tr>";
  for (std::size_t k = 0; k < front.at("solutions").size(); ++k) {
    const json& s = front.at("solutions").at(k);
    html += fmt::format("<tr><td>{}{}</td>", k,
                        k == front.value("knee", std::size_t{0}) ? " (knee)"
                        : choice && k == *choice                 ? " (chosen)"
                                                                 : "");
    for (const json& v : s.at("objectives")) html += "<td>" + number(v.get<double>()) + "</td>";
    html += fmt::format("<td>{}</td><td>{}</td>", number(s.value("folded_fraction", 0.0)),
                        number(s.value("jacobian_min", 0.0)));
    if (s.contains("truth") && s.at("truth").value("tre_mean_mm", json()).is_number()) {
      const json& t = s.at("truth");
      const json dice = t.value("dice", json::object());
      double sum = 0.0;
      for (const auto& [organ, d] : dice.items()) sum += d.get<double>();
      const std::size_t count = dice.size();
      html += fmt::format("<td>{}</td><td>{}</td>", number(t.at("tre_mean_mm").get<double>()),
                          count ? number(sum / count) : std::string("-"));
    } else {
      html += "<td>-</td><td>-</td>";
    }
    html += "</tr>";
  }
  return html + "</table></section>\n";
}

}  // namespace modir::review
