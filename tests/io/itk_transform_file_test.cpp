// Displacement fields as ITK HDF5 transform files: read back by modir and, independently, by ITK's
// own TransformFileReader, whose transform must move points exactly as the field says.

#include "modir/io/itk_transform_file.h"

#include <gtest/gtest.h>
#include <itkAffineTransform.h>
#include <itkDisplacementFieldTransform.h>
#include <itkHDF5TransformIOFactory.h>
#include <itkTransformFactory.h>
#include <itkTransformFileReader.h>
#include <itkTransformFileWriter.h>

#include <cmath>
#include <fstream>

#include "modir/core/error.h"
#include "modir/io/image_io.h"
#include "modir/transform/sample_field.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

DisplacementField oblique_field() {
  Geometry g;
  g.size = {14, 11, 7};
  g.spacing = {1.5, 2.0, 3.0};
  g.origin = {-30.0, 15.5, 60.0};
  const double a = 0.25;
  g.direction = Mat3::from_columns({std::cos(a), 0, std::sin(a)}, {0, 1, 0},
                                   {-std::sin(a), 0, std::cos(a)});
  DisplacementField u(g);
  for (std::int64_t z = 0; z < 7; ++z)
    for (std::int64_t y = 0; y < 11; ++y)
      for (std::int64_t x = 0; x < 14; ++x)
        u(x, y, z) = Vec3f{0.3f * float(x) - 1.0f, std::sin(0.4f * float(y)), 0.2f * float(z * x)};
  return u;
}

TEST(ItkTransformFile, FieldRoundTripsThroughModirsReader) {
  test::TempDir dir;
  const DisplacementField u = oblique_field();
  write_displacement_field(u, dir / "u.h5");
  const DisplacementField back = read_displacement_field(dir / "u.h5");
  ASSERT_TRUE(back.geometry().same_grid(u.geometry(), 1e-9));
  for (std::int64_t v = 0; v < u.voxel_count(); ++v) {
    ASSERT_EQ(back.data()[v].x, u.data()[v].x);
    ASSERT_EQ(back.data()[v].y, u.data()[v].y);
    ASSERT_EQ(back.data()[v].z, u.data()[v].z);
  }
}

// ITK's reader (through its factories, as other ITK tools use it) gives a transform that maps a
// fixed point x to x + u(x), u interpolated linearly: modir's convention, not its inverse.
TEST(ItkTransformFile, ItksOwnReaderMovesPointsAsTheFieldDoes) {
  test::TempDir dir;
  const DisplacementField u = oblique_field();
  write_itk_displacement_transform(u, dir / "u.h5");
  itk::ObjectFactoryBase::RegisterFactory(itk::HDF5TransformIOFactory::New());
  itk::TransformFactory<itk::DisplacementFieldTransform<double, 3>>::RegisterTransform();
  auto reader = itk::TransformFileReaderTemplate<double>::New();
  reader->SetFileName((dir / "u.h5").string());
  reader->Update();
  ASSERT_EQ(reader->GetTransformList()->size(), 1u);
  const auto* transform = dynamic_cast<const itk::DisplacementFieldTransform<double, 3>*>(
      reader->GetTransformList()->front().GetPointer());
  ASSERT_NE(transform, nullptr) << "not a DisplacementFieldTransform<double, 3>";
  const Geometry& g = u.geometry();
  for (const Vec3d index : {Vec3d{3, 4, 2}, Vec3d{5.5, 2.25, 3.5}, Vec3d{10.1, 8.7, 5.2}}) {
    const Vec3d x = g.index_to_world(index);
    const auto moved = transform->TransformPoint(itk::Point<double, 3>{{x.x, x.y, x.z}});
    const Vec3d expected = transform::map_point(u, x);
    EXPECT_NEAR(moved[0], expected.x, 1e-4);
    EXPECT_NEAR(moved[1], expected.y, 1e-4);
    EXPECT_NEAR(moved[2], expected.z, 1e-4);
  }
}

TEST(ItkTransformFile, AnAffineTransformFileIsAClearError) {
  test::TempDir dir;
  auto affine = itk::AffineTransform<double, 3>::New();
  auto writer = itk::TransformFileWriterTemplate<double>::New();
  itk::ObjectFactoryBase::RegisterFactory(itk::HDF5TransformIOFactory::New());
  writer->SetInput(affine);
  writer->SetFileName((dir / "affine.h5").string());
  writer->Update();
  try {
    read_displacement_field(dir / "affine.h5");
    FAIL() << "an affine transform was read as a field";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("AffineTransform"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "junk.h5") << "not hdf5";
  EXPECT_THROW(read_displacement_field(dir / "junk.h5"), Error);
}

}  // namespace
}  // namespace modir::io
