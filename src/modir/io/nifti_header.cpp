#include "modir/io/nifti_header.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace modir::io::detail {

namespace {

/// A value of type T at byte `offset` of the header, in the machine's byte order.
class HeaderBytes {
 public:
  HeaderBytes(const char* bytes, bool swapped) : bytes_(bytes), swapped_(swapped) {}
  template <typename T>
  T at(std::size_t offset) const {
    std::array<char, sizeof(T)> b;
    std::memcpy(b.data(), bytes_ + offset, sizeof(T));
    if (swapped_) std::reverse(b.begin(), b.end());
    T value;
    std::memcpy(&value, b.data(), sizeof(T));
    return value;
  }
  /// `count` reals from `offset`: floats (NIfTI-1) or doubles (NIfTI-2).
  template <std::size_t N>
  std::array<double, N> reals(std::size_t offset, bool wide) const {
    std::array<double, N> out{};
    for (std::size_t i = 0; i < N; ++i)
      out[i] = wide ? at<double>(offset + 8 * i) : double(at<float>(offset + 4 * i));
    return out;
  }

 private:
  const char* bytes_;
  bool swapped_;
};

}  // namespace

std::optional<std::uint64_t> NiftiHeader::voxel_offset() const {
  if (nifti2) {
    if (vox_offset_integer < 0) return std::nullopt;
    return static_cast<std::uint64_t>(vox_offset_integer);
  }
  if (!(vox_offset_real >= 0.0 && vox_offset_real < 1e15)) return std::nullopt;
  return static_cast<std::uint64_t>(vox_offset_real);
}

std::uint64_t NiftiHeader::value_count() const {
  if (rank < 1 || rank > 7) return 0;
  std::uint64_t values = 1;
  for (std::int64_t d = 0; d < rank; ++d)
    values *= static_cast<std::uint64_t>(std::max<std::int64_t>(1, dims[static_cast<std::size_t>(d)]));
  return values;
}

std::optional<NiftiHeader> read_nifti_header(gzFile file) {
  std::array<char, 540> bytes{};
  const int got = gzread(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  if (got < 348) return std::nullopt;
  std::int32_t size = 0;
  std::memcpy(&size, bytes.data(), 4);
  NiftiHeader h;
  h.swapped = size != 348 && size != 540;
  size = HeaderBytes(bytes.data(), h.swapped).at<std::int32_t>(0);
  // ITK's NIfTI-1 reader (nifti1_io) does not insist on sizeof_hdr: it takes a header whose
  // magic is "n+D" or "niD" (D a digit 1-9) as NIfTI-1 and decides the byte order by dim[0]
  // (1..7 as stored or swapped). The checks must read such a header as ITK does: one with
  // sizeof_hdr 489, magic "n+5" and NaN rows reached ITK's orientation code, which aborts on
  // them (found by fuzzing). The magic wins over sizeof_hdr whatever its value: a sizeof_hdr
  // whose bytes, swapped, read 540 made the checks take a 479-byte file with that magic for a
  // NIfTI-2 header too short to read, and skip it; ITK read it as NIfTI-1 and aborted on a NaN in
  // srow (found by fuzzing too).
  const char* magic = bytes.data() + 344;
  const bool nifti1_magic = magic[0] == 'n' && (magic[1] == '+' || magic[1] == 'i') &&
                            magic[2] >= '1' && magic[2] <= '9' && magic[3] == '\0';
  if (size == 348 || nifti1_magic) {
    std::int16_t dim0 = 0;
    std::memcpy(&dim0, bytes.data() + 40, 2);
    const auto swapped_dim0 = HeaderBytes(bytes.data(), true).at<std::int16_t>(40);
    if (dim0 >= 1 && dim0 <= 7)
      h.swapped = false;
    else if (swapped_dim0 >= 1 && swapped_dim0 <= 7)
      h.swapped = true;
    size = 348;
  }
  const HeaderBytes b(bytes.data(), h.swapped);
  if (size == 348) {
    h.rank = b.at<std::int16_t>(40);
    for (std::size_t d = 0; d < 7; ++d) h.dims[d] = b.at<std::int16_t>(42 + 2 * d);
    h.datatype = b.at<std::int16_t>(70);
    h.pixdim = b.reals<3>(80, false);
    h.vox_offset_real = b.at<float>(108);
    h.slope = b.at<float>(112);
    h.intercept = b.at<float>(116);
    h.qform_code = b.at<std::int16_t>(252);
    h.sform_code = b.at<std::int16_t>(254);
    h.quaternion = b.reals<6>(256, false);
    h.srow = b.reals<12>(280, false);
    return h;
  }
  if (size == 540 && got >= 540) {
    h.nifti2 = true;
    h.datatype = b.at<std::int16_t>(12);
    h.rank = b.at<std::int64_t>(16);
    for (std::size_t d = 0; d < 7; ++d) h.dims[d] = b.at<std::int64_t>(24 + 8 * d);
    h.pixdim = b.reals<3>(112, true);
    h.vox_offset_integer = b.at<std::int64_t>(168);
    h.slope = b.at<double>(176);
    h.intercept = b.at<double>(184);
    h.qform_code = b.at<std::int32_t>(344);
    h.sform_code = b.at<std::int32_t>(348);
    h.quaternion = b.reals<6>(352, true);
    h.srow = b.reals<12>(400, true);
    return h;
  }
  return std::nullopt;
}

std::optional<NiftiHeader> read_nifti_header(const std::filesystem::path& path) {
  gzFile file = gzopen(path.string().c_str(), "rb");  // reads a plain file as it is
  if (file == nullptr) return std::nullopt;
  std::optional<NiftiHeader> h = read_nifti_header(file);
  gzclose(file);
  return h;
}

}  // namespace modir::io::detail
