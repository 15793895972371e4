#pragma once

#include <cstdint>
#include <vector>

#include "modir/phantom/shapes.h"

namespace modir::phantom {

/// The kinds of solid the anatomy is made of, in the order sample() resolves overlaps.
enum class Layer : std::uint8_t {
  kBone,
  kUterusProstate,
  kRectum,
  kBowel,
  kVessel,
  kMuscle,
  kCavity,  ///< abdominal and pelvic cavities: fat where no organ is; muscle outside them
};
inline constexpr int kLayerCount = 7;

/// What one layer holds at a point: the signed distance of its union (negative inside) and where
/// in it the point is.
struct LayerHit {
  double distance = kFar;
  int group = -1;
  int tag = 0;        ///< tag of the piece the point is deepest in
  Vec3d offset{};     ///< point minus that piece's nearest axis point (tube) or centre (blob)
  double radius = 0;  ///< that piece's local tube radius (tube) or smallest semi-axis (blob)
  float aux = 0.0f;   ///< free per-piece value (e.g. a gas level)
};

/// A collection of smooth primitives organised as layer > group > chain > piece, with a uniform
/// grid of candidate lists so a query only evaluates the few pieces near the point.
///
/// Within a chain (the segments of one tube) pieces join with a plain minimum, so a tube stays
/// smooth along its length; chains of one group join with a smooth minimum of the group's blend
/// width (bones grown together); groups of a layer join with a plain minimum, optionally leaving a
/// joint gap between touching groups (sacro-iliac joints, the pubic symphysis).
///
/// A piece acts only within its reach, its bounding box grown by the group's blend, the joint gap
/// and 6 mm: the grid and the reference query share that rule and so give identical answers.
class Scene {
 public:
  /// A new group in `layer`; `blend_mm` is the smooth-union width between its chains.
  int add_group(Layer layer, double blend_mm);
  /// Removes a ball from a group (the acetabular socket from a hip bone).
  void carve_sphere(int group, const Vec3d& centre, double radius);
  /// Sets a gap of `gap_mm` left where two groups of the layer meet.
  void set_joint_gap(Layer layer, double gap_mm);
  void add_blob(int group, const Blob& blob, int tag, float aux = 0.0f);
  void add_tube(int group, const TubeSpec& tube, int tag, float aux = 0.0f);

  /// Builds the candidate grid; call once after adding everything.
  void build(double cell_mm);

  /// The layer at p (fast path through the grid).
  LayerHit query(const Vec3d& p, Layer layer) const;
  /// The same from every piece of the layer, without the grid: the reference for tests.
  LayerHit query_reference(const Vec3d& p, Layer layer) const;

 private:
  struct Piece {
    Box box;    ///< bounds of the piece
    Box reach;  ///< box expanded by the margin: beyond it the piece has no effect
    int group = 0;
    int chain = 0;
    int index = 0;  ///< into blobs_ or segments_
    int tag = 0;
    float aux = 0.0f;
    bool is_blob = true;
  };
  struct Carve {
    Vec3d centre;
    double radius;
  };
  struct Group {
    Layer layer = Layer::kBone;
    double blend = 0.0;
    std::vector<Carve> carves;
  };

  double piece_distance(const Piece& piece, const Vec3d& p, Vec3d& offset, double& radius) const;
  template <typename Ids>
  LayerHit evaluate(const Vec3d& p, Layer layer, const Ids& ids, std::size_t begin,
                    std::size_t end) const;
  double margin(const Piece& piece) const;

  std::vector<Blob> blobs_;
  std::vector<Segment> segments_;
  std::vector<Piece> pieces_;
  std::vector<Group> groups_;
  double joint_gap_[kLayerCount] = {};
  int next_chain_ = 0;

  // Grid: cell (i, j, k) holds, per layer, the sorted piece ids in
  // entries_[offsets_[(cell * kLayerCount + layer)] .. offsets_[... + 1]).
  Box domain_;
  double cell_ = 10.0;
  int nx_ = 0, ny_ = 0, nz_ = 0;
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint32_t> entries_;
  std::vector<std::uint32_t> sorted_;  ///< all pieces sorted by (layer, group, chain)
  std::vector<std::uint32_t> layer_begin_;
};

}  // namespace modir::phantom
