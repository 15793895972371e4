#include "modir/learn/learning_curves.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/io/output_file.h"
#include "modir/io/png_io.h"

namespace modir::learn {

namespace {

double mean_finite(const std::vector<double>& values) {
  double sum = 0;
  int count = 0;
  for (const double v : values) {
    if (std::isfinite(v)) {
      sum += v;
      ++count;
    }
  }
  return count ? sum / count : std::numeric_limits<double>::quiet_NaN();
}

constexpr std::array<std::array<std::uint8_t, 3>, 8> kColours{{{31, 119, 180},
                                                               {255, 127, 14},
                                                               {44, 160, 44},
                                                               {214, 39, 40},
                                                               {148, 103, 189},
                                                               {140, 86, 75},
                                                               {227, 119, 194},
                                                               {23, 190, 207}}};

struct Panel {
  int left, top, width, height;
  double y_min, y_max;
  int epochs;
};

void draw_line(io::RgbPicture& picture, double x0, double y0, double x1, double y1,
               const std::array<std::uint8_t, 3>& colour) {
  const int steps = static_cast<int>(std::max(std::abs(x1 - x0), std::abs(y1 - y0))) + 1;
  for (int s = 0; s <= steps; ++s) {
    const double t = double(s) / steps;
    const int x = static_cast<int>(std::lround(x0 + t * (x1 - x0)));
    const int y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
    for (int dy = 0; dy <= 1; ++dy) {
      if (x < 0 || x >= picture.width || y + dy < 0 || y + dy >= picture.height) continue;
      std::uint8_t* p = picture.pixel(x, y + dy);
      p[0] = colour[0];
      p[1] = colour[1];
      p[2] = colour[2];
    }
  }
}

void draw_series(io::RgbPicture& picture, const Panel& panel, const std::vector<double>& values,
                 const std::array<std::uint8_t, 3>& colour) {
  auto px = [&](std::size_t e) {
    return panel.left + panel.width * (panel.epochs > 1 ? double(e) / (panel.epochs - 1) : 0.5);
  };
  auto py = [&](double v) {
    const double t =
        (std::clamp(v, panel.y_min, panel.y_max) - panel.y_min) / (panel.y_max - panel.y_min);
    return panel.top + panel.height * (1.0 - t);
  };
  for (std::size_t e = 0; e + 1 < values.size(); ++e) {
    if (std::isfinite(values[e]) && std::isfinite(values[e + 1]))
      draw_line(picture, px(e), py(values[e]), px(e + 1), py(values[e + 1]), colour);
  }
}

void draw_frame(io::RgbPicture& picture, const Panel& panel) {
  const std::array<std::uint8_t, 3> grey{160, 160, 160};
  const double l = panel.left, t = panel.top, r = panel.left + panel.width,
               b = panel.top + panel.height;
  draw_line(picture, l, t, r, t, grey);
  draw_line(picture, l, b, r, b, grey);
  draw_line(picture, l, t, l, b, grey);
  draw_line(picture, r, t, r, b, grey);
  for (int q = 1; q < 4; ++q) {  // quarter lines
    const double y = t + (b - t) * q / 4.0;
    for (double x = l; x < r; x += 6) draw_line(picture, x, y, x + 2, y, {220, 220, 220});
  }
}

}  // namespace

void write_training_log(const std::vector<EpochRecord>& history,
                        const std::vector<LabelClass>& classes, const std::filesystem::path& path) {
  std::string text = "epoch,seconds,learning_rate,train_loss,validation_loss";
  for (std::size_t c = 1; c < classes.size(); ++c) text += ",dice_" + classes[c].name;
  text += ",mean_dice\n";
  for (const EpochRecord& r : history) {
    text += fmt::format("{},{:.1f},{:.6g},{:.5f},{:.5f}", r.epoch, r.seconds, r.learning_rate,
                        r.train_loss, r.validation_loss);
    for (const double d : r.validation_dice) text += fmt::format(",{:.4f}", d);
    text += fmt::format(",{:.4f}\n", mean_finite(r.validation_dice));
  }
  io::write_text_file(path, text);
}

void write_learning_curves(const std::vector<EpochRecord>& history,
                           const std::vector<LabelClass>& classes,
                           const std::filesystem::path& path) {
  io::RgbPicture picture;
  picture.width = 640;
  picture.height = 480;
  picture.rgb.assign(static_cast<std::size_t>(picture.width * picture.height * 3), 255);
  const int epochs = static_cast<int>(history.size());
  double loss_max = 0.0;
  std::vector<double> train, validation, mean;
  for (const EpochRecord& r : history) {
    train.push_back(r.train_loss);
    validation.push_back(r.validation_loss);
    mean.push_back(mean_finite(r.validation_dice));
    loss_max = std::max({loss_max, r.train_loss, r.validation_loss});
  }
  const Panel losses{40, 20, 580, 190, 0.0, std::max(loss_max, 1e-3), epochs};
  const Panel dice{40, 250, 580, 190, 0.0, 1.0, epochs};
  draw_frame(picture, losses);
  draw_frame(picture, dice);
  draw_series(picture, losses, train, {31, 119, 180});
  draw_series(picture, losses, validation, {255, 127, 14});
  for (std::size_t c = 1; c < classes.size(); ++c) {
    std::vector<double> series;
    for (const EpochRecord& r : history)
      series.push_back(c - 1 < r.validation_dice.size() ? r.validation_dice[c - 1]
                                                        : std::numeric_limits<double>::quiet_NaN());
    draw_series(picture, dice, series, kColours[(c + 1) % kColours.size()]);
  }
  draw_series(picture, dice, mean, {0, 0, 0});
  io::write_png(picture, path);
}

void write_validation_table(const std::vector<ValidationRow>& rows,
                            const std::vector<LabelClass>& classes,
                            const std::filesystem::path& path) {
  std::string text = "patient_id,scan_id";
  for (std::size_t c = 1; c < classes.size(); ++c) text += ",dice_" + classes[c].name;
  text += "\n";
  std::vector<std::vector<double>> columns(classes.size() > 0 ? classes.size() - 1 : 0);
  for (const ValidationRow& r : rows) {
    text += r.patient_id + "," + r.scan_id;
    for (std::size_t c = 0; c < r.dice.size(); ++c) {
      text += std::isfinite(r.dice[c]) ? fmt::format(",{:.4f}", r.dice[c]) : ",";
      if (c < columns.size()) columns[c].push_back(r.dice[c]);
    }
    text += "\n";
  }
  text += "mean,";
  for (const auto& column : columns) text += fmt::format(",{:.4f}", mean_finite(column));
  text += "\n";
  io::write_text_file(path, text);
}

std::vector<double> dice_per_class(const LabelMap& truth, const LabelMap& prediction,
                                   const std::vector<LabelClass>& classes) {
  if (!truth.geometry().same_grid(prediction.geometry()))
    throw data_error("Dice needs two label maps on one grid");
  std::vector<std::int64_t> both(65536, 0), in_truth(65536, 0), in_prediction(65536, 0);
  for (std::int64_t i = 0; i < truth.voxel_count(); ++i) {
    const std::uint16_t t = truth.data()[i], p = prediction.data()[i];
    ++in_truth[t];
    ++in_prediction[p];
    if (t == p) ++both[t];
  }
  std::vector<double> dice;
  for (std::size_t c = 1; c < classes.size(); ++c) {
    const std::uint16_t id = classes[c].id;
    const std::int64_t total = in_truth[id] + in_prediction[id];
    dice.push_back(total ? 2.0 * double(both[id]) / double(total)
                         : std::numeric_limits<double>::quiet_NaN());
  }
  return dice;
}

}  // namespace modir::learn
