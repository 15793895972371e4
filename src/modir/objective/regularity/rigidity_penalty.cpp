#include "modir/objective/regularity/rigidity_penalty.h"

#include <cmath>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/objective/regularity/cofactor.h"

namespace modir::objective {

namespace {

// The six distinct second differences, in the order aa, bb, cc, ab, ac, bc.
constexpr int kPairs[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};

double frobenius2(const Mat3& m) {
  double s = 0.0;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) s += m(r, c) * m(r, c);
  return s;
}

}  // namespace

RigidityPenalty::RigidityPenalty(const Mask& mask, const Size3& stride,
                                 RigidityConditions conditions)
    : grid_(mask.geometry()), conditions_(conditions) {
  for (const double w : {conditions.orthonormality, conditions.properness, conditions.affinity}) {
    if (!std::isfinite(w) || w < 0.0) {
      throw usage_error("rigidity penalty: condition weights must be finite and >= 0, got {}", w);
    }
  }
  for (const std::int64_t s : stride) {
    if (s < 1) throw usage_error("rigidity penalty: the sampling stride must be >= 1, got {}", s);
  }
  const Vec3d& h = grid_.spacing;
  const double mean_spacing = (h.x + h.y + h.z) / 3.0;
  spacing_scale2_ = mean_spacing * mean_spacing;
  const std::int64_t nx = grid_.size[0], ny = grid_.size[1], nz = grid_.size[2];
  slice_begin_.assign(static_cast<std::size_t>(nz + 1), 0);
  for (std::int64_t k = 0; k < nz; ++k) {
    slice_begin_[static_cast<std::size_t>(k)] = static_cast<std::int64_t>(samples_.size());
    if (k < 1 || k + 1 >= nz || k % stride[2] != 0) continue;
    for (std::int64_t j = 1; j + 1 < ny; ++j) {
      if (j % stride[1] != 0) continue;
      for (std::int64_t i = 1; i + 1 < nx; ++i) {
        if (i % stride[0] != 0) continue;
        const std::int64_t v = mask.linear_index(i, j, k);
        if (mask.data()[v] != 0) samples_.push_back(v);
      }
    }
  }
  slice_begin_[static_cast<std::size_t>(nz)] = static_cast<std::int64_t>(samples_.size());
  first_.assign(samples_.size() * 9, 0.0f);
  second_.assign(samples_.size() * 18, 0.0f);
  value_.assign(samples_.size(), 0.0);
}

double RigidityPenalty::evaluate(const DisplacementField& u, DisplacementField* gradient,
                                 double weight) {
  if (u.size() != grid_.size) {
    throw data_error("rigidity penalty: field grid {}x{}x{} differs from the mask's {}x{}x{}",
                     u.size()[0], u.size()[1], u.size()[2], grid_.size[0], grid_.size[1],
                     grid_.size[2]);
  }
  if (samples_.empty()) return 0.0;
  if (gradient != nullptr && gradient->size() != u.size()) {
    throw data_error("rigidity penalty: the gradient is not on the field's grid");
  }
  const Mat3 m = u.geometry().index_to_world_matrix().inverse();  // index from world
  const Mat3 mt = m.transposed();
  const std::int64_t step[3] = {1, grid_.size[0], grid_.size[0] * grid_.size[1]};
  const auto n = static_cast<std::int64_t>(samples_.size());
  const double inv_n = 1.0 / static_cast<double>(n);
  const bool want_gradient = gradient != nullptr && weight != 0.0;
  const RigidityConditions& w = conditions_;
  const Vec3f* field = u.data();

  parallel_for(n, [&](std::int64_t s) {
    const std::int64_t v = samples_[static_cast<std::size_t>(s)];
    const Vec3f* at = field + v;
    // Index-space first and second differences.
    Mat3 d;  // d(r, a) = du_r / di_a
    for (int a = 0; a < 3; ++a) {
      const Vec3f diff = at[step[a]] - at[-step[a]];
      d(0, a) = 0.5 * diff.x;
      d(1, a) = 0.5 * diff.y;
      d(2, a) = 0.5 * diff.z;
    }
    Mat3 hi[3];  // per component r: d2u_r / di_a di_b
    for (const auto& pair : kPairs) {
      const int a = pair[0], b = pair[1];
      Vec3f second;
      if (a == b) {
        second = at[step[a]] - at[0] * 2.0f + at[-step[a]];
      } else {
        second = (at[step[a] + step[b]] - at[step[a] - step[b]] - at[-step[a] + step[b]] +
                  at[-step[a] - step[b]]) *
                 0.25f;
      }
      for (int r = 0; r < 3; ++r) {
        hi[r](a, b) = hi[r](b, a) = second[static_cast<std::size_t>(r)];
      }
    }
    Mat3 j = d * m;
    for (int r = 0; r < 3; ++r) j(r, r) += 1.0;
    Mat3 a = j.transposed() * j;
    for (int r = 0; r < 3; ++r) a(r, r) -= 1.0;
    const double det_gap = j.determinant() - 1.0;
    double value = w.orthonormality * frobenius2(a) + w.properness * det_gap * det_gap;
    Mat3 hw[3];
    for (int r = 0; r < 3; ++r) {
      hw[r] = mt * hi[r] * m;
      value += w.affinity * spacing_scale2_ * frobenius2(hw[r]);
    }
    value_[static_cast<std::size_t>(s)] = value;
    if (!want_gradient) return;

    // dE/dJ = 4 w_o J A + 2 w_p (det J - 1) cof(J); dE/d(index differences) = dE/dJ M^T.
    const Mat3 cof = cofactor(j);
    const Mat3 ja = j * a;
    Mat3 de_dj;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c)
        de_dj(r, c) = 4.0 * w.orthonormality * ja(r, c) + 2.0 * w.properness * det_gap * cof(r, c);
    const Mat3 de_dd = de_dj * mt;
    float* first = first_.data() + 9 * s;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) first[3 * r + c] = static_cast<float>(de_dd(r, c) * inv_n);
    // dE/dHi_r = 2 w_a s^2 M H_r M^T; an off-diagonal difference stands for two entries.
    float* second = second_.data() + 18 * s;
    for (int r = 0; r < 3; ++r) {
      const Mat3 q = m * hw[r] * mt;
      for (int p = 0; p < 6; ++p) {
        const int pa = kPairs[p][0], pb = kPairs[p][1];
        const double entries = pa == pb ? 1.0 : 2.0;
        second[6 * r + p] = static_cast<float>(2.0 * w.affinity * spacing_scale2_ * entries *
                                               q(pa, pb) * inv_n);
      }
    }
  });
  double total = 0.0;
  for (const double v : value_) total += v;
  if (!want_gradient) return total * inv_n;

  // Scatter. A sample of slice k writes slices k-1..k+1, so slices three apart never collide.
  const std::int64_t nz = grid_.size[2];
  Vec3f* g = gradient->data();
  const float wf = static_cast<float>(weight);
  for (int phase = 0; phase < 3; ++phase) {
    const std::int64_t count = (nz - phase + 2) / 3;
    parallel_for(count, [&](std::int64_t t) {
      const std::int64_t k = phase + 3 * t;
      for (std::int64_t s = slice_begin_[static_cast<std::size_t>(k)];
           s < slice_begin_[static_cast<std::size_t>(k + 1)]; ++s) {
        Vec3f* at = g + samples_[static_cast<std::size_t>(s)];
        const float* first = first_.data() + 9 * s;
        const float* second = second_.data() + 18 * s;
        for (int a = 0; a < 3; ++a) {
          const Vec3f c = Vec3f{first[a], first[3 + a], first[6 + a]} * (0.5f * wf);
          at[step[a]] += c;
          at[-step[a]] -= c;
        }
        for (int p = 0; p < 6; ++p) {
          const int pa = kPairs[p][0], pb = kPairs[p][1];
          const Vec3f c = Vec3f{second[p], second[6 + p], second[12 + p]} * wf;
          if (pa == pb) {
            at[step[pa]] += c;
            at[-step[pa]] += c;
            at[0] -= c * 2.0f;
          } else {
            const Vec3f q = c * 0.25f;
            at[step[pa] + step[pb]] += q;
            at[step[pa] - step[pb]] -= q;
            at[-step[pa] + step[pb]] -= q;
            at[-step[pa] - step[pb]] += q;
          }
        }
      }
    });
  }
  return total * inv_n;
}

}  // namespace modir::objective
