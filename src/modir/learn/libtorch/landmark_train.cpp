// Self-supervised training of the landmark network. Each step takes two patches whose
// correspondence is known, either a fixed-scan patch and the moving-scan patch around where the
// true displacement carries it, or a patch and a random affine and elastic deformation of the
// same scan, and teaches:
// - the descriptor head by a contrastive loss (InfoNCE): a point's descriptor must be closer to
//   its partner's than to the other points' partners and to points 3-8 mm beside the partner
//   (the hard negatives that make matches precise, not only roughly right);
// - the keypoint head to predict whether that nearest-descriptor match was right (binary cross
//   entropy against the outcome), so that its heat map marks where matching can be trusted.

#include "modir/learn/libtorch/landmark_train.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <sstream>

#include <torch/nn/functional.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include "modir/io/output_file.h"
#include "modir/learn/libtorch/landmark_net.h"
#include "modir/learn/libtorch/torch_support.h"

namespace modir::learn {

namespace F = torch::nn::functional;

namespace {

using Clock = std::chrono::steady_clock;

/// A scan on its working grid as tensors, padded with air to at least one patch per axis.
struct ScanTensors {
  torch::Tensor hu;             ///< [1, 1, z, y, x]
  torch::Tensor region;         ///< [z, y, x] bool
  torch::Tensor region_voxels;  ///< [K, 3] (z, y, x) of a sample of region voxels
  Vec3d origin;                 ///< world of voxel (0, 0, 0)
};

struct PairTensors {
  ScanTensors fixed, moving;
  torch::Tensor truth;  ///< [3, z, y, x] displacement in mm (x, y, z), on fixed's padded grid
};

torch::Tensor padded(const torch::Tensor& t, std::int64_t patch, double value) {
  // t [..., z, y, x]: pads the end of each axis up to `patch`.
  const std::int64_t dz = std::max<std::int64_t>(0, patch - t.size(-3));
  const std::int64_t dy = std::max<std::int64_t>(0, patch - t.size(-2));
  const std::int64_t dx = std::max<std::int64_t>(0, patch - t.size(-1));
  if (dz == 0 && dy == 0 && dx == 0) return t;
  return F::pad(t, F::PadFuncOptions({0, dx, 0, dy, 0, dz}).value(value));
}

ScanTensors scan_tensors(const Image<float>& image, const Image<std::uint8_t>& region,
                         std::int64_t patch) {
  ScanTensors s;
  s.hu = padded(image_tensor(image), patch, -1000.0);
  const Size3& n = region.size();
  torch::Tensor r =
      torch::from_blob(const_cast<std::uint8_t*>(region.data()), {n[2], n[1], n[0]}, torch::kUInt8)
          .clone();
  s.region = padded(r.unsqueeze(0), patch, 0.0).squeeze(0).to(torch::kBool);
  torch::Tensor voxels = s.region.nonzero();
  if (voxels.size(0) == 0)
    throw data_error("a landmark training scan has no patient voxels (its region is empty)");
  const std::int64_t stride = std::max<std::int64_t>(1, voxels.size(0) / 200000);
  s.region_voxels = voxels.slice(0, 0, voxels.size(0), stride).contiguous();
  s.origin = image.geometry().origin;
  return s;
}

PairTensors pair_tensors(const LandmarkTrainingPair& p, std::int64_t patch) {
  PairTensors t{scan_tensors(p.fixed, p.fixed_region, patch),
                scan_tensors(p.moving, p.moving_region, patch),
                {}};
  const Size3& n = p.truth.size();
  torch::Tensor u =
      torch::from_blob(const_cast<Vec3f*>(p.truth.data()), {n[2], n[1], n[0], 3}, torch::kFloat32)
          .permute({3, 0, 1, 2})
          .clone();
  t.truth = padded(u, patch, 0.0);
  return t;
}

/// Normalised grid_sample coordinates (x, y, z order, align_corners) of voxel positions
/// `zyx` [N, 3] in a volume of `size` (z, y, x).
torch::Tensor sample_grid(const torch::Tensor& zyx, const std::vector<std::int64_t>& size) {
  const torch::Tensor extent = torch::tensor(
      {double(size[0] - 1), double(size[1] - 1), double(size[2] - 1)}, torch::kFloat32);
  const torch::Tensor g = zyx * 2.0 / extent - 1.0;
  return g.flip({1}).view({1, 1, 1, -1, 3});
}

/// Values of `volume` [1, C, z, y, x] at voxel positions `zyx` [N, 3]: [N, C].
torch::Tensor sample_at(const torch::Tensor& volume, const torch::Tensor& zyx) {
  const std::vector<std::int64_t> size(volume.sizes().begin() + 2, volume.sizes().end());
  return F::grid_sample(volume, sample_grid(zyx, size),
                        F::GridSampleFuncOptions().mode(torch::kBilinear).align_corners(true))
      .view({volume.size(1), -1})
      .t();
}

/// Scanner-to-scanner variation on a patch of HU: calibration, offset and noise.
torch::Tensor vary_appearance(const torch::Tensor& hu) {
  const double scale = 0.92 + 0.16 * torch::rand({1}).item<double>();
  const double offset = -30.0 + 60.0 * torch::rand({1}).item<double>();
  const double noise = 25.0 * torch::rand({1}).item<double>();
  return hu * scale + offset + noise * torch::randn_like(hu);
}

std::int64_t random_int(std::int64_t low, std::int64_t high) {  // [low, high]
  if (high <= low) return low;
  return torch::randint(low, high + 1, {1}).item<std::int64_t>();
}

/// A patch corner (z, y, x) that puts a random patient voxel near the patch's centre.
std::array<std::int64_t, 3> corner_around(const ScanTensors& s, std::int64_t patch) {
  const torch::Tensor v = s.region_voxels[random_int(0, s.region_voxels.size(0) - 1)];
  std::array<std::int64_t, 3> c{};
  for (int a = 0; a < 3; ++a) {
    const std::int64_t n = s.hu.size(2 + a);
    c[std::size_t(a)] =
        std::clamp<std::int64_t>(v[a].item<std::int64_t>() - patch / 2, 0, n - patch);
  }
  return c;
}

torch::Tensor crop(const torch::Tensor& volume, const std::array<std::int64_t, 3>& c,
                   std::int64_t patch) {
  return volume.slice(-3, c[0], c[0] + patch)
      .slice(-2, c[1], c[1] + patch)
      .slice(-1, c[2], c[2] + patch);
}

/// Two patches and corresponding points in each, in patch voxel coordinates (z, y, x).
struct PatchPair {
  torch::Tensor a, b;                ///< [1, 1, P, P, P] HU
  torch::Tensor points_a, points_b;  ///< [N, 3]
};

constexpr std::int64_t kInnerMargin = 4;

torch::Tensor inside_patch(const torch::Tensor& zyx, std::int64_t patch) {
  return (zyx >= double(kInnerMargin)).all(1) & (zyx <= double(patch - 1 - kInnerMargin)).all(1);
}

/// Random patient points of a patch with corner `c`: [N, 3] patch coordinates (some may lie
/// outside the patient where few are inside).
torch::Tensor patient_points(const ScanTensors& s, const std::array<std::int64_t, 3>& c,
                             std::int64_t patch, int count) {
  const torch::Tensor candidates =
      torch::randint(kInnerMargin, patch - kInnerMargin, {count * 4, 3}, torch::kLong);
  const torch::Tensor region = crop(s.region, c, patch);
  const torch::Tensor inside =
      region.index({candidates.select(1, 0), candidates.select(1, 1), candidates.select(1, 2)});
  torch::Tensor chosen = candidates.index({inside});
  if (chosen.size(0) < count / 4) chosen = candidates;  // little patient here: take any
  return chosen.slice(0, 0, count).to(torch::kFloat32);
}

PatchPair from_pair(const PairTensors& p, std::int64_t patch, int count, double spacing) {
  const std::array<std::int64_t, 3> ca = corner_around(p.fixed, patch);
  const torch::Tensor pa = patient_points(p.fixed, ca, patch, count);
  // The partner of fixed voxel v: (origin_f + s v + u(v) - origin_m) / s in moving voxels.
  const torch::Tensor absolute =
      pa + torch::tensor({double(ca[0]), double(ca[1]), double(ca[2])}, torch::kFloat32);
  const torch::Tensor u = sample_at(p.truth.unsqueeze(0), absolute).flip({1});  // z, y, x mm
  const torch::Tensor shift =
      torch::tensor({p.fixed.origin.z - p.moving.origin.z, p.fixed.origin.y - p.moving.origin.y,
                     p.fixed.origin.x - p.moving.origin.x},
                    torch::kFloat32);
  const torch::Tensor partner = absolute + (u + shift) / spacing;
  // The moving patch around where the points went, shifted at random.
  const torch::Tensor centre = std::get<0>(partner.median(0));
  std::array<std::int64_t, 3> cb{};
  for (int a = 0; a < 3; ++a) {
    const std::int64_t n = p.moving.hu.size(2 + a);
    const std::int64_t jitter = random_int(-patch / 8, patch / 8);
    cb[std::size_t(a)] = std::clamp<std::int64_t>(
        std::llround(centre[a].item<double>()) - patch / 2 + jitter, 0, n - patch);
  }
  const torch::Tensor pb =
      partner - torch::tensor({double(cb[0]), double(cb[1]), double(cb[2])}, torch::kFloat32);
  const torch::Tensor keep = inside_patch(pb, patch);
  return {crop(p.fixed.hu, ca, patch), crop(p.moving.hu, cb, patch), pa.index({keep}),
          pb.index({keep})};
}

/// A rotation (up to 10 degrees about each axis) times a scaling (0.9 .. 1.1 per axis).
torch::Tensor random_linear() {
  torch::Tensor m = torch::diag(0.9 + 0.2 * torch::rand({3}));
  for (int axis = 0; axis < 3; ++axis) {
    const double angle = (torch::rand({1}).item<double>() * 2.0 - 1.0) * 10.0 * M_PI / 180.0;
    torch::Tensor r = torch::eye(3);
    const int i = (axis + 1) % 3, j = (axis + 2) % 3;
    r.index_put_({i, i}, std::cos(angle));
    r.index_put_({j, j}, std::cos(angle));
    r.index_put_({i, j}, -std::sin(angle));
    r.index_put_({j, i}, std::sin(angle));
    m = r.matmul(m);
  }
  return m;
}

PatchPair from_deformation(const ScanTensors& s, std::int64_t patch, int count) {
  const std::array<std::int64_t, 3> ca = corner_around(s, patch);
  // phi(q) = c + M (q - c) + t + e(q), in the scan's voxels, for q on B's patch grid (placed
  // where A is): B(q) = scan(phi(q)).
  const double half = double(patch - 1) / 2.0;
  const torch::Tensor c = torch::tensor(
      {double(ca[0]) + half, double(ca[1]) + half, double(ca[2]) + half}, torch::kFloat32);
  const torch::Tensor m = random_linear();
  const torch::Tensor t = (torch::rand({3}) * 2.0 - 1.0) * 4.0;
  const double amplitude = 3.0 * torch::rand({1}).item<double>();
  const torch::Tensor coarse = torch::randn({1, 3, 4, 4, 4}) * amplitude;
  const torch::Tensor elastic =
      F::interpolate(coarse, F::InterpolateFuncOptions()
                                 .size(std::vector<std::int64_t>{patch, patch, patch})
                                 .mode(torch::kTrilinear)
                                 .align_corners(true))
          .squeeze(0)
          .permute({1, 2, 3, 0});  // [P, P, P, 3] (z, y, x)
  const torch::Tensor r = torch::arange(patch, torch::kFloat32);
  const std::vector<torch::Tensor> mesh = torch::meshgrid({r, r, r}, "ij");
  const torch::Tensor q = torch::stack(mesh, -1) - half;        // relative to the centre
  const torch::Tensor phi = q.matmul(m.t()) + c + t + elastic;  // [P, P, P, 3] scan voxels
  const std::vector<std::int64_t> size(s.hu.sizes().begin() + 2, s.hu.sizes().end());
  const torch::Tensor grid = sample_grid(phi.view({-1, 3}), size).view({1, patch, patch, patch, 3});
  const torch::Tensor b =
      F::grid_sample(s.hu + 1000.0, grid,
                     F::GridSampleFuncOptions().mode(torch::kBilinear).align_corners(true)) -
      1000.0;
  // Points in B; partners in A = phi(q) - corner of A.
  torch::Tensor pb =
      torch::randint(kInnerMargin, patch - kInnerMargin, {count * 2, 3}, torch::kLong);
  const torch::Tensor at = phi.index({pb.select(1, 0), pb.select(1, 1), pb.select(1, 2)});
  const torch::Tensor pa =
      at - torch::tensor({double(ca[0]), double(ca[1]), double(ca[2])}, torch::kFloat32);
  torch::Tensor keep = inside_patch(pa, patch);
  // Prefer patient points: those in the region where they land in A.
  const torch::Tensor rounded = pa.round().to(torch::kLong).clamp(0, patch - 1);
  const torch::Tensor region = crop(s.region, ca, patch);
  const torch::Tensor in_patient =
      region.index({rounded.select(1, 0), rounded.select(1, 1), rounded.select(1, 2)});
  if ((keep & in_patient).sum().item<std::int64_t>() >= count / 4) keep = keep & in_patient;
  const torch::Tensor chosen = keep.nonzero().squeeze(1).slice(0, 0, count);
  return {crop(s.hu, ca, patch), b, pa.index({chosen}), pb.index({chosen}).to(torch::kFloat32)};
}

/// Points beside `points` at 3-8 mm in a random direction, kept inside the patch.
torch::Tensor beside(const torch::Tensor& points, std::int64_t patch, double spacing) {
  const torch::Tensor direction =
      F::normalize(torch::randn_like(points), F::NormalizeFuncOptions().dim(1));
  const torch::Tensor distance = (3.0 + 5.0 * torch::rand({points.size(0), 1})) / spacing;
  return (points + direction * distance).clamp(0.0, double(patch - 1));
}

struct StepLoss {
  torch::Tensor loss;
  double accuracy = 0;
};

StepLoss step_loss(LandmarkNet& net, const PatchPair& pp, const LandmarkTrainOptions& o) {
  const torch::Tensor input =
      network_channels(torch::cat({vary_appearance(pp.a), vary_appearance(pp.b)}, 0));
  auto [logits, descriptors] = net->forward(input);
  const double spacing = o.spec.spacing_mm;
  const torch::Tensor da = sample_at(descriptors.slice(0, 0, 1), pp.points_a);
  const torch::Tensor db = sample_at(descriptors.slice(0, 1, 2), pp.points_b);
  const torch::Tensor da_near =
      sample_at(descriptors.slice(0, 0, 1), beside(pp.points_a, o.patch, spacing));
  const torch::Tensor db_near =
      sample_at(descriptors.slice(0, 1, 2), beside(pp.points_b, o.patch, spacing));
  // Sampled descriptors are interpolated: back to unit length before comparing.
  const auto unit = [](const torch::Tensor& d) {
    return F::normalize(d, F::NormalizeFuncOptions().dim(1));
  };
  const torch::Tensor a = unit(da), b = unit(db);
  const torch::Tensor ab = a.matmul(unit(torch::cat({db, db_near}, 0)).t()) / o.temperature;
  const torch::Tensor ba = b.matmul(unit(torch::cat({da, da_near}, 0)).t()) / o.temperature;
  const std::int64_t n = a.size(0);
  const torch::Tensor target = torch::arange(n, torch::kLong);
  const torch::Tensor contrastive =
      0.5 * (F::cross_entropy(ab, target) + F::cross_entropy(ba, target));
  const torch::Tensor right_ab = (ab.argmax(1) == target).to(torch::kFloat32).detach();
  const torch::Tensor right_ba = (ba.argmax(1) == target).to(torch::kFloat32).detach();
  const torch::Tensor heat_a = sample_at(logits.slice(0, 0, 1), pp.points_a).squeeze(1);
  const torch::Tensor heat_b = sample_at(logits.slice(0, 1, 2), pp.points_b).squeeze(1);
  const torch::Tensor detection = 0.5 * (F::binary_cross_entropy_with_logits(heat_a, right_ab) +
                                         F::binary_cross_entropy_with_logits(heat_b, right_ba));
  return {contrastive + 0.5 * detection, 0.5 * (right_ab.mean() + right_ba.mean()).item<double>()};
}

std::string log_csv(const std::vector<LandmarkTrainRecord>& log) {
  std::ostringstream out;
  out << "step,seconds,loss,match_accuracy\n";
  for (const LandmarkTrainRecord& r : log)
    out << r.step << ',' << r.seconds << ',' << r.loss << ',' << r.match_accuracy << '\n';
  return out.str();
}

}  // namespace

LandmarkTrainResult train_landmarks_torch(const std::vector<LandmarkTrainingPair>& pairs,
                                          const LandmarkTrainOptions& o, Progress& progress) {
  use_modir_threads();
  torch::manual_seed(o.seed);
  const torch::Device device = torch_device(o.device);
  std::vector<PairTensors> data;
  for (const LandmarkTrainingPair& p : pairs) data.push_back(pair_tensors(p, o.patch));
  LandmarkNet net(o.spec);
  net->to(device);
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(o.learning_rate));
  LandmarkTrainResult result;
  const auto start = Clock::now();
  double loss_sum = 0, accuracy_sum = 0;
  int in_window = 0;
  progress.begin_phase("training the landmark network", o.steps);
  for (int step = 1; step <= o.steps; ++step) {
    // The learning rate falls linearly to a tenth over the run.
    const double lr = o.learning_rate * (1.0 - 0.9 * double(step - 1) / double(o.steps));
    for (auto& group : optimizer.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    const PairTensors& p = data[std::size_t(random_int(0, std::int64_t(data.size()) - 1))];
    const bool synthetic = torch::rand({1}).item<double>() < o.synthetic_fraction;
    const PatchPair pp =
        synthetic ? from_deformation(torch::rand({1}).item<double>() < 0.5 ? p.fixed : p.moving,
                                     o.patch, o.points)
                  : from_pair(p, o.patch, o.points, o.spec.spacing_mm);
    if (pp.points_a.size(0) < 8) {  // the patch held too few usable points: another draw
      --step;
      continue;
    }
    optimizer.zero_grad();
    const StepLoss s = torch_boundary("landmark training failed", [&] {
      PatchPair on_device{pp.a.to(device), pp.b.to(device), pp.points_a, pp.points_b};
      return step_loss(net, on_device, o);
    });
    s.loss.backward();
    torch::nn::utils::clip_grad_norm_(net->parameters(), 5.0);
    optimizer.step();
    loss_sum += s.loss.item<double>();
    accuracy_sum += s.accuracy;
    ++in_window;
    progress.advance();
    if (step % o.log_every == 0 || step == o.steps) {
      result.log.push_back({step, std::chrono::duration<double>(Clock::now() - start).count(),
                            loss_sum / in_window, accuracy_sum / in_window});
      loss_sum = accuracy_sum = 0;
      in_window = 0;
    }
  }
  progress.end_phase();
  net->to(torch::kCPU);
  write_landmark_spec(o.spec, o.out);
  {
    io::AtomicOutput weights(o.out / kLandmarkWeightsFile);
    torch::save(net, weights.temp_path().string());
    weights.commit();
  }
  io::write_text_file(o.out / "training_log.csv", log_csv(result.log));
  return result;
}

}  // namespace modir::learn
