#include "modir/phantom/scene.h"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace modir::phantom {

int Scene::add_group(Layer layer, double blend_mm) {
  Group g;
  g.layer = layer;
  g.blend = blend_mm;
  groups_.push_back(g);
  return static_cast<int>(groups_.size()) - 1;
}

void Scene::carve_sphere(int group, const Vec3d& centre, double radius) {
  groups_[group].carves.push_back({centre, radius});
}

void Scene::set_joint_gap(Layer layer, double gap_mm) {
  joint_gap_[static_cast<int>(layer)] = gap_mm;
}

void Scene::add_blob(int group, const Blob& blob, int tag, float aux) {
  Piece piece;
  piece.is_blob = true;
  piece.index = static_cast<int>(blobs_.size());
  piece.box = blob.bounds();
  piece.group = group;
  piece.chain = next_chain_++;
  piece.tag = tag;
  piece.aux = aux;
  blobs_.push_back(blob);
  pieces_.push_back(piece);
}

void Scene::add_tube(int group, const TubeSpec& tube, int tag, float aux) {
  const int chain = next_chain_++;
  for (const Segment& s : tube.segments()) {
    Piece piece;
    piece.is_blob = false;
    piece.index = static_cast<int>(segments_.size());
    piece.box = s.bounds();
    piece.group = group;
    piece.chain = chain;
    piece.tag = tag;
    piece.aux = aux;
    segments_.push_back(s);
    pieces_.push_back(piece);
  }
}

double Scene::margin(const Piece& piece) const {
  const Group& g = groups_[piece.group];
  // Within a few mm of a surface (the deepest shell is 4 mm) a piece further than blend + gap
  // changes neither the smooth union nor the joint gap; 6 mm more absorbs the error of the
  // approximate distances.
  return g.blend + joint_gap_[static_cast<int>(g.layer)] + 6.0;
}

double Scene::piece_distance(const Piece& piece, const Vec3d& p, Vec3d& offset,
                             double& radius) const {
  if (piece.is_blob) {
    const Blob& b = blobs_[piece.index];
    offset = p - b.centre;
    radius = std::min({b.semi.x, b.semi.y, b.semi.z});
    return b.distance(p);
  }
  return segments_[piece.index].distance(p, offset, radius);
}

void Scene::build(double cell_mm) {
  cell_ = cell_mm;
  sorted_.resize(pieces_.size());
  std::iota(sorted_.begin(), sorted_.end(), 0u);
  auto key = [this](std::uint32_t i) {
    const Piece& p = pieces_[i];
    return std::make_tuple(static_cast<int>(groups_[p.group].layer), p.group, p.chain, i);
  };
  std::sort(sorted_.begin(), sorted_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });
  layer_begin_.assign(kLayerCount + 1, static_cast<std::uint32_t>(sorted_.size()));
  for (std::size_t k = sorted_.size(); k-- > 0;) {
    const int layer = static_cast<int>(groups_[pieces_[sorted_[k]].group].layer);
    for (int l = 0; l <= layer; ++l) layer_begin_[l] = static_cast<std::uint32_t>(k);
  }

  domain_ = Box{};
  for (Piece& p : pieces_) {
    p.reach = p.box.expanded(margin(p));
    domain_.include(p.reach);
  }
  if (domain_.empty()) domain_.include(Vec3d{0, 0, 0});
  nx_ = std::max(1, static_cast<int>(std::ceil((domain_.hi.x - domain_.lo.x) / cell_)));
  ny_ = std::max(1, static_cast<int>(std::ceil((domain_.hi.y - domain_.lo.y) / cell_)));
  nz_ = std::max(1, static_cast<int>(std::ceil((domain_.hi.z - domain_.lo.z) / cell_)));
  const std::size_t cells = static_cast<std::size_t>(nx_) * ny_ * nz_;

  // (cell, layer) key and piece, in the sorted piece order so a stable bucket fill keeps every
  // list sorted by group and chain, as evaluate() needs.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (std::uint32_t id : sorted_) {
    const Piece& piece = pieces_[id];
    const int layer = static_cast<int>(groups_[piece.group].layer);
    const Box& b = piece.reach;
    auto lo = [&](double v, double origin) { return static_cast<int>((v - origin) / cell_); };
    const int i0 = std::max(0, lo(b.lo.x, domain_.lo.x)),
              i1 = std::min(nx_ - 1, lo(b.hi.x, domain_.lo.x));
    const int j0 = std::max(0, lo(b.lo.y, domain_.lo.y)),
              j1 = std::min(ny_ - 1, lo(b.hi.y, domain_.lo.y));
    const int k0 = std::max(0, lo(b.lo.z, domain_.lo.z)),
              k1 = std::min(nz_ - 1, lo(b.hi.z, domain_.lo.z));
    for (int k = k0; k <= k1; ++k)
      for (int j = j0; j <= j1; ++j)
        for (int i = i0; i <= i1; ++i) {
          const std::size_t cell = (static_cast<std::size_t>(k) * ny_ + j) * nx_ + i;
          pairs.emplace_back(static_cast<std::uint32_t>(cell * kLayerCount + layer), id);
        }
  }
  offsets_.assign(cells * kLayerCount + 1, 0);
  for (const auto& [k, id] : pairs) ++offsets_[k + 1];
  for (std::size_t k = 1; k < offsets_.size(); ++k) offsets_[k] += offsets_[k - 1];
  entries_.assign(pairs.size(), 0);
  std::vector<std::uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (const auto& [k, id] : pairs) entries_[fill[k]++] = id;
}

template <typename Ids>
LayerHit Scene::evaluate(const Vec3d& p, Layer layer, const Ids& ids, std::size_t begin,
                         std::size_t end) const {
  LayerHit best;
  double second = kFar;
  int group = -1, chain = -1;
  double group_d = kFar, chain_d = kFar;
  double deep_d = kFar;
  const Piece* deep = nullptr;
  Vec3d deep_offset;
  double deep_radius = 0.0;

  auto close_chain = [&] {
    if (chain >= 0) group_d = smooth_min(group_d, chain_d, groups_[group].blend);
    chain_d = kFar;
  };
  auto close_group = [&] {
    if (group < 0) return;
    close_chain();
    for (const Carve& c : groups_[group].carves)
      group_d = std::max(group_d, c.radius - (p - c.centre).norm());
    if (group_d < best.distance) {
      second = best.distance;
      best.distance = group_d;
      best.group = group;
      best.tag = deep->tag;
      best.offset = deep_offset;
      best.radius = deep_radius;
      best.aux = deep->aux;
    } else if (group_d < second) {
      second = group_d;
    }
    group_d = kFar;
    deep_d = kFar;
  };

  for (std::size_t k = begin; k < end; ++k) {
    const Piece& piece = pieces_[ids[k]];
    // A piece acts only within its reach (cheaper than its distance, and the same rule for the
    // grid and the reference, so both give identical answers).
    if (!piece.reach.contains(p)) continue;
    if (piece.group != group) {
      close_group();
      group = piece.group;
      chain = piece.chain;
    } else if (piece.chain != chain) {
      close_chain();
      chain = piece.chain;
    }
    Vec3d offset;
    double radius;
    const double d = piece_distance(piece, p, offset, radius);
    chain_d = std::min(chain_d, d);
    if (d < deep_d) {
      deep_d = d;
      deep = &piece;
      deep_offset = offset;
      deep_radius = radius;
    }
  }
  close_group();

  // Where two groups meet, keep each on its side of their bisector, half a gap away: the
  // difference of the two distances is twice the distance to the bisector.
  const double gap = joint_gap_[static_cast<int>(layer)];
  if (gap > 0.0 && second < kFar && best.group >= 0)
    best.distance = std::max(best.distance, 0.5 * gap - 0.5 * (second - best.distance));
  return best;
}

LayerHit Scene::query(const Vec3d& p, Layer layer) const {
  if (!domain_.contains(p)) return {};
  const int i = std::min(nx_ - 1, static_cast<int>((p.x - domain_.lo.x) / cell_));
  const int j = std::min(ny_ - 1, static_cast<int>((p.y - domain_.lo.y) / cell_));
  const int k = std::min(nz_ - 1, static_cast<int>((p.z - domain_.lo.z) / cell_));
  const std::size_t cell = (static_cast<std::size_t>(k) * ny_ + j) * nx_ + i;
  const std::size_t key = cell * kLayerCount + static_cast<int>(layer);
  return evaluate(p, layer, entries_, offsets_[key], offsets_[key + 1]);
}

LayerHit Scene::query_reference(const Vec3d& p, Layer layer) const {
  const int l = static_cast<int>(layer);
  return evaluate(p, layer, sorted_, layer_begin_[l], layer_begin_[l + 1]);
}

}  // namespace modir::phantom
