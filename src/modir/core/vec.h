#pragma once

#include <array>
#include <cmath>
#include <cstddef>

namespace modir {

/// A 3-vector of plain values: a point or displacement in world mm, or a continuous index.
template <typename T>
struct Vec3 {
  T x{}, y{}, z{};

  constexpr T& operator[](std::size_t i) { return i == 0 ? x : (i == 1 ? y : z); }
  constexpr const T& operator[](std::size_t i) const { return i == 0 ? x : (i == 1 ? y : z); }

  constexpr Vec3 operator+(const Vec3& o) const { return {x + o.x, y + o.y, z + o.z}; }
  constexpr Vec3 operator-(const Vec3& o) const { return {x - o.x, y - o.y, z - o.z}; }
  constexpr Vec3 operator-() const { return {-x, -y, -z}; }
  constexpr Vec3 operator*(T s) const { return {x * s, y * s, z * s}; }
  constexpr Vec3 operator/(T s) const { return {x / s, y / s, z / s}; }
  constexpr Vec3& operator+=(const Vec3& o) {
    x += o.x;
    y += o.y;
    z += o.z;
    return *this;
  }
  constexpr Vec3& operator-=(const Vec3& o) {
    x -= o.x;
    y -= o.y;
    z -= o.z;
    return *this;
  }
  constexpr bool operator==(const Vec3&) const = default;

  /// Element-wise product (e.g. index times spacing).
  constexpr Vec3 hadamard(const Vec3& o) const { return {x * o.x, y * o.y, z * o.z}; }
  constexpr T dot(const Vec3& o) const { return x * o.x + y * o.y + z * o.z; }
  constexpr Vec3 cross(const Vec3& o) const {
    return {y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x};
  }
  T norm() const { return std::sqrt(dot(*this)); }

  template <typename U>
  constexpr Vec3<U> cast() const {
    return {static_cast<U>(x), static_cast<U>(y), static_cast<U>(z)};
  }
};

using Vec3d = Vec3<double>;
using Vec3f = Vec3<float>;

template <typename T>
constexpr Vec3<T> operator*(T s, const Vec3<T>& v) {
  return v * s;
}

/// A 3x3 matrix, row-major: m[row][col]. Used for direction cosines and affine parts.
struct Mat3 {
  std::array<std::array<double, 3>, 3> m{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};

  static constexpr Mat3 identity() { return Mat3{}; }
  static constexpr Mat3 diagonal(const Vec3d& d) {
    Mat3 r;
    r.m = {{{d.x, 0, 0}, {0, d.y, 0}, {0, 0, d.z}}};
    return r;
  }
  /// The matrix whose columns are a, b, c.
  static constexpr Mat3 from_columns(const Vec3d& a, const Vec3d& b, const Vec3d& c) {
    Mat3 r;
    r.m = {{{a.x, b.x, c.x}, {a.y, b.y, c.y}, {a.z, b.z, c.z}}};
    return r;
  }

  constexpr double& operator()(int r, int c) { return m[r][c]; }
  constexpr double operator()(int r, int c) const { return m[r][c]; }
  constexpr Vec3d column(int c) const { return {m[0][c], m[1][c], m[2][c]}; }

  constexpr Vec3d operator*(const Vec3d& v) const {
    return {m[0][0] * v.x + m[0][1] * v.y + m[0][2] * v.z,
            m[1][0] * v.x + m[1][1] * v.y + m[1][2] * v.z,
            m[2][0] * v.x + m[2][1] * v.y + m[2][2] * v.z};
  }
  constexpr Mat3 operator*(const Mat3& o) const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        r.m[i][j] = m[i][0] * o.m[0][j] + m[i][1] * o.m[1][j] + m[i][2] * o.m[2][j];
    return r;
  }
  constexpr Mat3 transposed() const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) r.m[i][j] = m[j][i];
    return r;
  }
  constexpr double determinant() const {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  }
  /// Inverse by the adjugate; the caller guarantees a non-singular matrix.
  Mat3 inverse() const;
  /// Largest absolute element-wise difference to another matrix.
  double max_abs_difference(const Mat3& o) const;
  constexpr bool operator==(const Mat3&) const = default;
};

}  // namespace modir
