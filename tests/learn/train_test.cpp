#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/io/image_io.h"
#include "modir/learn/segmenter.h"
#include "modir/learn/train.h"
#include "support/test_support.h"

namespace modir::learn {
namespace {

namespace fs = std::filesystem;

// Three tiny "patients": a body (label 1, ~0 HU) holding a bright sphere (label 3, ~300 HU) whose
// place and size vary, in air.
void write_tiny_cohort(const fs::path& folder) {
  std::ofstream manifest(folder / "manifest.csv");
  manifest << "patient_id,scan_id,image,labels\n";
  std::mt19937 rng(11);
  std::normal_distribution<float> noise(0.0f, 15.0f);
  for (int p = 0; p < 3; ++p) {
    Geometry g;
    g.size = {24, 22, 16};
    g.spacing = {4, 4, 4};
    g.origin = {-40.0 + p, -30, 10};
    Image<std::int16_t> image(g);
    LabelMap labels(g);
    const double cx = 11 + 2 * p, cy = 10 - p, cz = 8, r = 3.5 + p;
    for (std::int64_t k = 0; k < g.size[2]; ++k)
      for (std::int64_t j = 0; j < g.size[1]; ++j)
        for (std::int64_t i = 0; i < g.size[0]; ++i) {
          const double body = std::hypot((i - 11.5) / 10.0, (j - 10.5) / 9.0);
          const double sphere =
              std::sqrt((i - cx) * (i - cx) + (j - cy) * (j - cy) + (k - cz) * (k - cz));
          std::uint16_t label = body < 1.0 ? 1 : 0;
          if (sphere < r) label = 3;
          labels(i, j, k) = label;
          const float hu = label == 3 ? 300.0f : (label == 1 ? 0.0f : -1000.0f);
          image(i, j, k) = static_cast<std::int16_t>(hu + noise(rng));
        }
    const std::string id = "P" + std::to_string(p);
    io::write_image(image, folder / (id + ".nii.gz"));
    io::write_image(labels, folder / (id + "_labels.nii.gz"));
    manifest << id << ",S0," << id << ".nii.gz," << id << "_labels.nii.gz\n";
  }
}

TrainOptions tiny_training(const fs::path& folder, const std::string& name, int epochs) {
  TrainOptions o;
  o.manifest = folder / "manifest.csv";
  o.out = folder / name;
  o.seed = 3;
  o.epochs = epochs;
  o.iterations_per_epoch = 4;
  o.validation_fraction = 0.34;
  o.validation_patches = 1;
  o.learning_rate = 1e-2;
  o.planning.spacing = Vec3d{4, 4, 4};
  o.planning.patch_size = Size3{16, 16, 16};
  o.planning.levels = 3;
  o.planning.base_channels = 16;
  o.final_validation = false;
  return o;
}

class TinyTraining : public ::testing::Test {
 protected:
  // One thread: floating-point sums then have one order, so runs are bit-for-bit repeatable.
  void SetUp() override {
    set_thread_count(1);
    write_tiny_cohort(dir_.path());
  }
  void TearDown() override { set_thread_count(0); }
  test::TempDir dir_;
  Progress quiet_{ProgressStyle::kQuiet};
};

TEST_F(TinyTraining, AFewStepsReduceTheLossAndWriteAModelFolder) {
  TrainOptions o = tiny_training(dir_.path(), "model", 3);
  o.final_validation = true;
  // The loss of 12 steps is compared on the scans' own appearance: redrawn tissue levels make
  // the training loss of a few steps noisy (appearance synthesis has its own tests).
  o.appearance_probability = 0.0;
  o.truncation_probability = 0.0;
  const TrainResult result = train_segmentation(o, quiet_);
  ASSERT_EQ(result.history.size(), 3u);
  EXPECT_LT(result.history.back().train_loss, 0.8 * result.history.front().train_loss);
  EXPECT_EQ(result.training_scans, 2);
  EXPECT_EQ(result.validation_scans, 1);
  for (const char* file : {"plan.json", "weights.pt", "checkpoint.pt", "training_log.csv",
                           "learning_curves.png", "validation.csv"})
    EXPECT_TRUE(fs::exists(o.out / file)) << file;
  // The plan names the cohort's labels and the model labels a scan on its own grid.
  const Segmenter segmenter(o.out, Device::kCpu);
  ASSERT_EQ(segmenter.plan().classes.size(), 3u);
  const Image<float> image = io::read_image_as<float>(dir_ / "P1.nii.gz");
  const LabelMap labels = segmenter.predict(image, {}, quiet_);
  EXPECT_TRUE(labels.geometry().same_grid(image.geometry()));
}

// The same options give the same model; an interrupted run resumed gives the uninterrupted one.
TEST_F(TinyTraining, IsDeterministicAndResumesWhereItStopped) {
  const TrainResult straight =
      train_segmentation(tiny_training(dir_.path(), "straight", 2), quiet_);
  TrainOptions first = tiny_training(dir_.path(), "resumed", 2);
  first.stop_after_epochs = 1;
  EXPECT_EQ(train_segmentation(first, quiet_).history.size(), 1u);
  TrainOptions resume = tiny_training(dir_.path(), "resumed", 2);
  resume.resume = true;
  const TrainResult resumed = train_segmentation(resume, quiet_);
  ASSERT_EQ(resumed.history.size(), 2u);
  for (std::size_t e = 0; e < 2; ++e)
    EXPECT_NEAR(resumed.history[e].train_loss, straight.history[e].train_loss, 1e-6) << e;
}

// Fine-tuning starts where the given model ended: its plan is kept (even a spacing the data
// would not plan), its first epoch's loss is that of a trained model, and the training labels'
// organ statistics are written for QC.
TEST_F(TinyTraining, FineTuningStartsFromTheGivenModel) {
  const TrainResult base = train_segmentation(tiny_training(dir_.path(), "base", 3), quiet_);
  TrainOptions tune = tiny_training(dir_.path(), "tuned", 1);
  tune.initial_model = dir_ / "base";
  tune.planning.spacing = Vec3d{8, 8, 8};  // ignored: the plan comes with the weights
  const TrainResult tuned = train_segmentation(tune, quiet_);
  EXPECT_EQ(plan_to_json(tuned.plan), plan_to_json(base.plan));
  const TrainResult scratch = train_segmentation(tiny_training(dir_.path(), "scratch", 1), quiet_);
  EXPECT_LT(tuned.history[0].train_loss, 0.9 * scratch.history[0].train_loss);
  EXPECT_TRUE(fs::exists(dir_ / "tuned" / "stats.json"));
  tune.initial_model = dir_ / "no_such_model";
  tune.out = dir_ / "tuned2";
  EXPECT_THROW(train_segmentation(tune, quiet_), Error);
}

}  // namespace
}  // namespace modir::learn
