#include <gtest/gtest.h>
#include <torch/nn.h>
#include <torch/utils.h>

#include "learn/model_fixture.h"
#include "modir/learn/libtorch/unet.h"

namespace modir::learn {
namespace {

TEST(UNet, LogitsHaveTheInputSizeForOddSizes) {
  torch::NoGradGuard no_grad;
  UNet net = test::tiny_unet(test::tiny_plan());
  net->eval();
  for (const auto& size : {std::vector<std::int64_t>{13, 10, 7}, {5, 9, 17}, {1, 3, 2}}) {
    const torch::Tensor x = torch::randn({1, 1, size[0], size[1], size[2]});
    const torch::Tensor y = net->forward(x);
    EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{1, 3, size[0], size[1], size[2]}));
  }
}

TEST(UNet, DeepSupervisionOutputsHalveTheSize) {
  UNet net = test::tiny_unet(test::tiny_plan());
  const auto outputs = net->forward_all(torch::randn({2, 1, 16, 8, 12}));
  ASSERT_EQ(outputs.size(), 2u);  // deep_supervision = 2 for 3 levels
  EXPECT_EQ(outputs[0].sizes(), (std::vector<std::int64_t>{2, 3, 16, 8, 12}));
  EXPECT_EQ(outputs[1].sizes(), (std::vector<std::int64_t>{2, 3, 8, 4, 6}));
}

TEST(UNet, PaddingDoesNotChangeSizesThatAreAlreadyMultiples) {
  torch::NoGradGuard no_grad;
  UNet net = test::tiny_unet(test::tiny_plan());
  net->eval();
  const torch::Tensor x = torch::randn({1, 1, 8, 12, 16});
  EXPECT_TRUE(torch::allclose(net->forward(x), net->forward_all(x).front()));
}

}  // namespace
}  // namespace modir::learn
