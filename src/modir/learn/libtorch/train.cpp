#include "modir/learn/libtorch/train_network.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>

#include <ATen/autocast_mode.h>
#include <torch/nn/functional.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include "modir/core/log.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/output_file.h"
#include "modir/learn/learning_curves.h"
#include "modir/learn/organ_statistics.h"
#include "modir/learn/libtorch/appearance.h"
#include "modir/learn/libtorch/augment.h"
#include "modir/learn/libtorch/inference.h"
#include "modir/learn/libtorch/torch_support.h"
#include "modir/learn/preprocess.h"
#include "modir/learn/train_memory.h"
#include "modir/learn/training_set.h"

namespace modir::learn {

namespace fs = std::filesystem;
namespace F = torch::nn::functional;
using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

struct PreparedCase {
  std::string patient_id, scan_id;
  Image<float> image;                                   ///< network grid, normalised
  Image<std::uint8_t> target;                           ///< class indices
  std::vector<std::vector<std::int64_t>> class_voxels;  ///< per class >= 1, a sample of voxels
};

PreparedCase prepare_case(const TrainingCase& c, const SegmentationPlan& plan,
                          StatisticsBuilder* statistics) {
  Image<float> raw;
  LabelMap labels;
  read_training_case(c, raw, labels);
  if (statistics) statistics->add(labels);
  PreparedCase p{c.patient_id, c.scan_id, network_input(raw, plan), {}, {}};
  p.target = network_target(labels, p.image.geometry(), plan);
  p.class_voxels.resize(plan.classes.size());
  std::vector<std::int64_t> counts(plan.classes.size(), 0);
  for (const std::uint8_t v : p.target.buffer()) ++counts[v];
  std::vector<std::int64_t> seen(plan.classes.size(), 0);
  for (std::int64_t i = 0; i < p.target.voxel_count(); ++i) {
    const std::uint8_t v = p.target.data()[i];
    if (v == 0) continue;
    const std::int64_t stride = std::max<std::int64_t>(1, counts[v] / 4000);
    if (seen[v]++ % stride == 0) p.class_voxels[v].push_back(i);
  }
  return p;
}

// Copies the box of `region` voxels centred on `centre` (x y z), padding outside with
// `pad_image` and background.
void extract_region(const PreparedCase& c, const std::array<std::int64_t, 3>& centre,
                    const Size3& region, float* image_out, float* labels_out, float pad_image) {
  const Size3& s = c.image.size();
  std::int64_t start[3];
  for (std::size_t a = 0; a < 3; ++a) start[a] = centre[a] - region[a] / 2;
  std::size_t o = 0;
  for (std::int64_t z = 0; z < region[2]; ++z)
    for (std::int64_t y = 0; y < region[1]; ++y)
      for (std::int64_t x = 0; x < region[0]; ++x, ++o) {
        const std::int64_t i = start[0] + x, j = start[1] + y, k = start[2] + z;
        const bool inside = i >= 0 && j >= 0 && k >= 0 && i < s[0] && j < s[1] && k < s[2];
        image_out[o] = inside ? c.image(i, j, k) : pad_image;
        labels_out[o] = inside ? float(c.target(i, j, k)) : 0.0f;
      }
}

// A patch centre: half the time on a voxel of a random foreground class present in the case
// (nnU-Net's oversampling), otherwise anywhere.
std::array<std::int64_t, 3> draw_centre(const PreparedCase& c, std::mt19937_64& rng) {
  const Size3& s = c.image.size();
  std::vector<std::size_t> present;
  for (std::size_t k = 1; k < c.class_voxels.size(); ++k)
    if (!c.class_voxels[k].empty()) present.push_back(k);
  if (!present.empty() && std::uniform_real_distribution<double>(0, 1)(rng) < 0.5) {
    const auto& voxels =
        present[std::uniform_int_distribution<std::size_t>(0, present.size() - 1)(rng)];
    const auto& list = c.class_voxels[voxels];
    const std::int64_t v =
        list[std::uniform_int_distribution<std::size_t>(0, list.size() - 1)(rng)];
    return {v % s[0], (v / s[0]) % s[1], v / (s[0] * s[1])};
  }
  return {std::uniform_int_distribution<std::int64_t>(0, s[0] - 1)(rng),
          std::uniform_int_distribution<std::int64_t>(0, s[1] - 1)(rng),
          std::uniform_int_distribution<std::int64_t>(0, s[2] - 1)(rng)};
}

float lowest_value(const SegmentationPlan& plan) {
  const Normalisation& n = plan.normalisation;
  return static_cast<float>((n.clip_low - n.mean) / n.std);
}

// Cross-entropy plus soft Dice (batch Dice over the foreground classes) on each output, the
// coarser deep-supervision outputs against nearest-neighbour downsampled targets, weights
// 1, 1/2, 1/4, ... normalised.
torch::Tensor segmentation_loss(const std::vector<torch::Tensor>& outputs,
                                const torch::Tensor& target, int classes) {
  torch::Tensor total = torch::zeros({}, outputs.front().options().dtype(torch::kFloat32));
  double weight_sum = 0.0;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const torch::Tensor logits = outputs[k].to(torch::kFloat32);
    torch::Tensor t = target;
    if (logits.size(2) != target.size(2)) {
      t = F::interpolate(target, F::InterpolateFuncOptions()
                                     .size(std::vector<std::int64_t>{logits.size(2), logits.size(3),
                                                                     logits.size(4)})
                                     .mode(torch::kNearest));
    }
    const torch::Tensor labels = t.squeeze(1).to(torch::kLong);
    const torch::Tensor ce = F::cross_entropy(logits, labels);
    const torch::Tensor p = torch::softmax(logits, 1);
    const torch::Tensor onehot = F::one_hot(labels, classes).permute({0, 4, 1, 2, 3}).to(p.dtype());
    const std::vector<std::int64_t> dims{0, 2, 3, 4};
    const torch::Tensor tp = (p * onehot).sum(dims);
    const torch::Tensor fp = (p * (1 - onehot)).sum(dims);
    const torch::Tensor fn = ((1 - p) * onehot).sum(dims);
    const torch::Tensor dice = (2 * tp + 1e-5) / (2 * tp + fp + fn + 1e-5);
    const torch::Tensor dice_loss = 1 - dice.slice(0, 1).mean();
    const double w = 1.0 / double(1 << k);
    total = total + w * (ce + dice_loss);
    weight_sum += w;
  }
  return total / weight_sum;
}

struct ValidationPatches {
  torch::Tensor images, labels;  // [N, 1, z, y, x]
};

ValidationPatches validation_patches(const std::vector<PreparedCase>& cases,
                                     const SegmentationPlan& plan, int per_case,
                                     std::uint64_t seed) {
  ValidationPatches v;
  const Size3& p = plan.patch_size;
  const auto n = static_cast<std::int64_t>(cases.size()) * per_case;
  v.images = torch::empty({n, 1, p[2], p[1], p[0]});
  v.labels = torch::empty({n, 1, p[2], p[1], p[0]});
  std::mt19937_64 rng(seed ^ 0x5eed5eedULL);
  const std::int64_t voxels = p[0] * p[1] * p[2];
  std::int64_t i = 0;
  for (const PreparedCase& c : cases)
    for (int k = 0; k < per_case; ++k, ++i)
      extract_region(c, draw_centre(c, rng), p, v.images.data_ptr<float>() + i * voxels,
                     v.labels.data_ptr<float>() + i * voxels, lowest_value(plan));
  return v;
}

// Loss and hard Dice per foreground class on the fixed validation patches.
std::pair<double, std::vector<double>> validate_patches(UNet& net, const ValidationPatches& v,
                                                        int classes, torch::Device device) {
  torch::NoGradGuard no_grad;
  net->eval();
  std::vector<double> tp(std::size_t(classes), 0), fp(std::size_t(classes), 0),
      fn(std::size_t(classes), 0);
  double loss = 0;
  const std::int64_t n = v.images.size(0);
  // Pairs of patches: a batch of one is several times slower on CPU.
  for (std::int64_t i = 0; i < n; i += 2) {
    const std::int64_t end = std::min(n, i + 2);
    const torch::Tensor x = v.images.slice(0, i, end).to(device);
    const torch::Tensor t = v.labels.slice(0, i, end).to(device);
    const torch::Tensor logits = net->forward(x);
    loss += segmentation_loss({logits}, t, classes).item<double>() * double(end - i);
    const torch::Tensor predicted = logits.argmax(1).to(torch::kCPU);
    const torch::Tensor truth = t.squeeze(1).to(torch::kLong).to(torch::kCPU);
    for (int c = 1; c < classes; ++c) {
      const torch::Tensor pc = predicted == c, tc = truth == c;
      tp[std::size_t(c)] += (pc & tc).sum().item<double>();
      fp[std::size_t(c)] += (pc & ~tc).sum().item<double>();
      fn[std::size_t(c)] += (~pc & tc).sum().item<double>();
    }
  }
  net->train();
  std::vector<double> dice;
  for (int c = 1; c < classes; ++c) {
    const double d = 2 * tp[std::size_t(c)] + fp[std::size_t(c)] + fn[std::size_t(c)];
    dice.push_back(d > 0 ? 2 * tp[std::size_t(c)] / d : std::numeric_limits<double>::quiet_NaN());
  }
  return {loss / double(std::max<std::int64_t>(1, n)), dice};
}

json history_json(const std::vector<EpochRecord>& history) {
  json out = json::array();
  for (const EpochRecord& r : history) {
    json dice = json::array();
    for (const double d : r.validation_dice) dice.push_back(std::isfinite(d) ? json(d) : json());
    out.push_back({{"epoch", r.epoch},
                   {"seconds", r.seconds},
                   {"learning_rate", r.learning_rate},
                   {"train_loss", r.train_loss},
                   {"validation_loss", r.validation_loss},
                   {"validation_dice", dice}});
  }
  return out;
}

std::vector<EpochRecord> history_from_json(const json& j) {
  std::vector<EpochRecord> history;
  for (const json& r : j) {
    EpochRecord e{r.at("epoch").get<int>(),
                  r.at("seconds").get<double>(),
                  r.at("learning_rate").get<double>(),
                  r.at("train_loss").get<double>(),
                  r.at("validation_loss").get<double>(),
                  {}};
    for (const json& d : r.at("validation_dice"))
      e.validation_dice.push_back(d.is_number() ? d.get<double>()
                                                : std::numeric_limits<double>::quiet_NaN());
    history.push_back(std::move(e));
  }
  return history;
}

void save_checkpoint(UNet& net, torch::optim::Optimizer& optimizer, int epochs_done,
                     const fs::path& path) {
  torch::serialize::OutputArchive model, state, root;
  net->save(model);
  optimizer.save(state);
  root.write("model", model);
  root.write("optimizer", state);
  root.write("epochs_done", torch::tensor(static_cast<std::int64_t>(epochs_done)));
  io::AtomicOutput out(path);
  root.save_to(out.temp_path().string());
  out.commit();
}

int load_checkpoint(UNet& net, torch::optim::Optimizer& optimizer, const fs::path& path) {
  return torch_boundary(
      fmt::format("cannot resume from '{}' (corrupt, or another plan)", path.string()), [&] {
        torch::serialize::InputArchive root, model, state;
        root.load_from(path.string());
        root.read("model", model);
        root.read("optimizer", state);
        net->load(model);
        optimizer.load(state);
        torch::Tensor epochs;
        root.read("epochs_done", epochs);
        return static_cast<int>(epochs.item<std::int64_t>());
      });
}

std::string format_minutes(double seconds) {
  return seconds < 90 ? fmt::format("{:.0f} s", seconds) : fmt::format("{:.0f} min", seconds / 60);
}

}  // namespace

TrainResult train_network(const TrainOptions& options, Progress& progress) {
  use_modir_threads();
  const torch::Device device = torch_device(options.device);
  const bool amp = options.mixed_precision && options.device == Device::kCuda;
  const fs::path& out = options.out;
  CaseSplit split = training_split(options.manifest, options.validation_fold,
                                   options.validation_fraction, options.seed);

  TrainResult result;
  result.training_scans = static_cast<int>(split.training.size());
  result.validation_scans = static_cast<int>(split.validation.size());
  const fs::path checkpoint = out / kCheckpointFile;
  const bool resuming = options.resume && fs::exists(checkpoint);
  const bool fine_tuning = !resuming && !options.initial_model.empty();
  SegmentationPlan plan = training_plan(options, split, progress);
  if (options.before_training) options.before_training(plan, split);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw data_error("cannot create the model folder '{}': {}", out.string(), ec.message());
  if (!resuming) write_plan(plan, out);
  result.plan = plan;
  const int classes = static_cast<int>(plan.classes.size());

  std::vector<PreparedCase> train_cases, validation_cases;
  progress.begin_phase("resampling scans to the plan",
                       static_cast<std::int64_t>(split.training.size() + split.validation.size()));
  // The training labels' organ statistics: what QC of a prediction compares against.
  StatisticsBuilder statistics(plan.classes);
  for (const TrainingCase& c : split.training) {
    train_cases.push_back(prepare_case(c, plan, &statistics));
    progress.advance();
  }
  for (const TrainingCase& c : split.validation) {
    validation_cases.push_back(prepare_case(c, plan, nullptr));
    progress.advance();
  }
  progress.end_phase();
  write_statistics(statistics.finish(), out);
  const ValidationPatches validation =
      validation_patches(validation_cases, plan, options.validation_patches, options.seed);

  torch::manual_seed(options.seed);
  UNet net(unet_config(plan));
  net->to(device);
  torch::optim::Adam optimizer(net->parameters(),
                               torch::optim::AdamOptions(options.learning_rate).weight_decay(3e-5));
  int start_epoch = 0;
  if (fine_tuning) {
    const fs::path weights = options.initial_model / kWeightsFile;
    torch_boundary(fmt::format("cannot read the weights '{}' to fine-tune from (corrupt, or "
                               "another network than its plan.json describes)",
                               weights.string()),
                   [&] {
                     torch::load(net, weights.string());
                     return 0;
                   });
    net->to(device);
  }
  if (resuming) {
    start_epoch = load_checkpoint(net, optimizer, checkpoint);
    std::ifstream in(out / "history.json");
    const json j = json::parse(in, nullptr, false);
    if (!j.is_discarded()) result.history = history_from_json(j);
    result.history.resize(std::min<std::size_t>(result.history.size(), std::size_t(start_epoch)));
  }

  const Size3& patch = plan.patch_size;
  Size3 region;  // patches are cut with a margin so that rotations have data to rotate in
  for (std::size_t a = 0; a < 3; ++a) region[a] = patch[a] + 2 * (patch[a] / 8);
  AugmentOptions augment;
  augment.mirror_axes = plan.mirror_axes;
  AppearanceOptions appearance;
  appearance.probability = options.appearance_probability;
  appearance.truncation_probability = options.truncation_probability;
  const std::int64_t region_voxels = region[0] * region[1] * region[2];
  const int batch = plan.batch_size;
  int epochs = options.epochs;
  const auto started = Clock::now();
  double loss_scale = 65536.0;

  for (int epoch = start_epoch; epoch < epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    torch::manual_seed(options.seed * 7919 + static_cast<std::uint64_t>(epoch));
    std::mt19937_64 rng(options.seed * 1000003 + static_cast<std::uint64_t>(epoch));
    net->train();
    progress.begin_phase(fmt::format("epoch {}/{}", epoch + 1, epochs),
                         options.iterations_per_epoch);
    double loss_sum = 0.0;
    double learning_rate = options.learning_rate;
    for (int it = 0; it < options.iterations_per_epoch; ++it) {
      const double done = double(epoch * options.iterations_per_epoch + it) /
                          double(epochs * options.iterations_per_epoch);
      learning_rate = options.learning_rate * std::pow(1.0 - std::min(done, 0.999), 0.9);
      for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate);

      torch::Tensor images = torch::empty({batch, 1, region[2], region[1], region[0]});
      torch::Tensor labels = torch::empty({batch, 1, region[2], region[1], region[0]});
      for (int b = 0; b < batch; ++b) {
        const PreparedCase& c =
            train_cases[std::uniform_int_distribution<std::size_t>(0, train_cases.size() - 1)(rng)];
        extract_region(c, draw_centre(c, rng), region, images.data_ptr<float>() + b * region_voxels,
                       labels.data_ptr<float>() + b * region_voxels, lowest_value(plan));
      }
      synthesise_appearance(images, labels, plan.classes, plan.normalisation, plan.spacing,
                            appearance);
      torch::Tensor x, t;
      augment_batch(images, labels, patch, augment, true, x, t);
      x = x.to(device);
      t = t.to(device);

      optimizer.zero_grad();
      if (amp) at::autocast::set_enabled(true);
      const std::vector<torch::Tensor> outputs = net->forward_all(x);
      if (amp) {
        at::autocast::set_enabled(false);
        at::autocast::clear_cache();
      }
      const torch::Tensor loss = segmentation_loss(outputs, t, classes);
      if (amp) {
        // Dynamic loss scaling: float16 gradients would underflow without it.
        (loss * loss_scale).backward();
        bool finite = true;
        for (auto& p : net->parameters()) {
          if (!p.grad().defined()) continue;
          p.grad().div_(loss_scale);
          finite = finite && torch::isfinite(p.grad()).all().item<bool>();
        }
        if (finite) {
          torch::nn::utils::clip_grad_norm_(net->parameters(), 12.0);
          optimizer.step();
        } else {
          loss_scale /= 2.0;
        }
      } else {
        loss.backward();
        torch::nn::utils::clip_grad_norm_(net->parameters(), 12.0);
        optimizer.step();
      }
      loss_sum += loss.item<double>();
      progress.advance();
    }
    progress.end_phase();

    EpochRecord record;
    record.epoch = epoch + 1;
    record.learning_rate = learning_rate;
    record.train_loss = loss_sum / options.iterations_per_epoch;
    std::tie(record.validation_loss, record.validation_dice) =
        validate_patches(net, validation, classes, device);
    record.seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
    result.history.push_back(record);

    {
      io::AtomicOutput weights(out / kWeightsFile);
      torch::save(net, weights.temp_path().string());
      weights.commit();
    }
    save_checkpoint(net, optimizer, epoch + 1, checkpoint);
    io::write_text_file(out / "history.json", history_json(result.history).dump(1) + "\n");
    write_training_log(result.history, plan.classes, out / "training_log.csv");
    write_learning_curves(result.history, plan.classes, out / "learning_curves.png");

    // A time limit shortens the schedule: as many epochs as the mean epoch time allows.
    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    const double per_epoch = elapsed / double(epoch + 1 - start_epoch);
    if (options.max_minutes > 0) {
      const int affordable =
          epoch + 1 + static_cast<int>((options.max_minutes * 60.0 - elapsed) / per_epoch);
      if (affordable < epochs) epochs = std::max(epoch + 1, affordable);
    }
    if (!progress.is_quiet()) {
      std::string dice;
      for (std::size_t c = 1; c < plan.classes.size(); ++c)
        dice += fmt::format(" {} {:.3f}", plan.classes[c].name, record.validation_dice[c - 1]);
      fmt::print(stderr, "epoch {}/{}: loss {:.4f}, validation loss {:.4f}, Dice{}; {}, ETA {}\n",
                 epoch + 1, epochs, record.train_loss, record.validation_loss, dice,
                 format_minutes(record.seconds), format_minutes(per_epoch * (epochs - epoch - 1)));
    }
    if (options.stop_after_epochs > 0 && epoch + 1 >= options.stop_after_epochs &&
        epoch + 1 < epochs)
      return result;  // an interrupted session: --resume continues the same schedule
  }

  if (options.final_validation) {
    progress.begin_phase("validating on whole scans",
                         static_cast<std::int64_t>(split.validation.size()));
    std::vector<std::uint16_t> ids;
    for (const LabelClass& c : plan.classes) ids.push_back(c.id);
    for (const TrainingCase& c : split.validation) {
      Image<float> image;
      LabelMap truth;
      read_training_case(c, image, truth);
      const ClassScores scores = sliding_window_scores(net, network_input(image, plan), plan,
                                                       PredictOptions{}, device, nullptr);
      const LabelMap predicted = labels_from_scores(scores, image.geometry(), ids);
      result.validation.push_back(
          {c.patient_id, c.scan_id, dice_per_class(truth, predicted, plan.classes)});
      progress.advance();
    }
    progress.end_phase();
    write_validation_table(result.validation, plan.classes, out / "validation.csv");
  }
  return result;
}

}  // namespace modir::learn
