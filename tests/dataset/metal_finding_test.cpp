#include <gtest/gtest.h>

#include "modir/core/hounsfield.h"
#include "modir/dataset/intensity_checks.h"
#include "modir/dataset/intensity_profile.h"

namespace modir::dataset {
namespace {

// A scan of water on 2 x 2 x 3 mm voxels (0.012 ml each) with `metal_voxels` at 3071 HU.
ScanSummary scan_with_metal(const std::string& patient, std::int64_t metal_voxels) {
  Geometry g;
  g.size = {20, 20, 10};
  g.spacing = {2, 2, 3};
  Image<float> image(g, 0.0f);
  for (std::int64_t v = 0; v < metal_voxels; ++v) image.buffer()[std::size_t(v)] = 3071.0f;
  ScanSummary s;
  s.entry.patient_id = patient;
  s.entry.scan_id = "S0";
  s.entry.image_as_written = patient + "/S0.nii.gz";
  s.geometry = g;
  s.intensity = intensity_profile(image);
  return s;
}

TEST(MetalFinding, AScanHoldingAMillilitreOfMetalIsReportedWithItsVolume) {
  const ScanSummary implant = scan_with_metal("P000", 100);  // 1.2 ml
  EXPECT_NEAR(implant.intensity.metal_ml, 1.2, 1e-9);
  const ScanSummary marker = scan_with_metal("P001", 3);  // 0.036 ml: gold markers
  const ScanSummary none = scan_with_metal("P002", 0);
  ScanSummary bone = scan_with_metal("P003", 0);
  {
    // Dense cortical bone just below the threshold is not metal.
    Image<float> image(bone.geometry, 0.0f);
    for (float& v : image.buffer()) v = kMetalHu - 1.0f;
    bone.intensity = intensity_profile(image);
  }
  const std::vector<Finding> findings = metal_findings({implant, marker, none, bone});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, "metal");
  EXPECT_EQ(findings[0].severity, Severity::kInfo);
  EXPECT_EQ(findings[0].patient_ids, std::vector<std::string>{"P000"});
  EXPECT_NE(findings[0].message.find("1 ml of metal"), std::string::npos) << findings[0].message;
}

}  // namespace
}  // namespace modir::dataset
