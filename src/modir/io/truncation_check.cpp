#include "modir/io/truncation_check.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "modir/core/error.h"
#include "modir/io/parallel_gzip.h"

namespace modir::io::detail {

namespace fs = std::filesystem;

namespace {

template <typename T>
T byte_swapped(T value) {
  std::array<char, sizeof(T)> bytes;
  std::memcpy(bytes.data(), &value, sizeof(T));
  std::reverse(bytes.begin(), bytes.end());
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

// Where the voxels start inside the decompressed NIfTI stream (NIfTI-1 or NIfTI-2), or 0 when
// the header cannot be understood (ITK has read it already, so that does not happen in practice).
std::uint64_t nifti_voxel_offset(gzFile file) {
  std::array<char, 540> header{};
  const int got = gzread(file, header.data(), static_cast<unsigned>(header.size()));
  if (got < 348) return 0;
  std::int32_t size = 0;
  std::memcpy(&size, header.data(), 4);
  const bool swap = size != 348 && size != 540;
  if (swap) size = byte_swapped(size);
  // A damaged header's offset may be NaN, negative or vast: 0 then (the checks stay cautious).
  if (size == 348) {
    float offset = 0;
    std::memcpy(&offset, header.data() + 108, 4);
    if (swap) offset = byte_swapped(offset);
    return offset >= 0.0f && offset < 1e15f ? static_cast<std::uint64_t>(offset) : 0;
  }
  if (size == 540 && got >= 540) {
    std::int64_t offset = 0;
    std::memcpy(&offset, header.data() + 168, 8);
    if (swap) offset = byte_swapped(offset);
    return offset >= 0 ? static_cast<std::uint64_t>(offset) : 0;
  }
  return 0;
}

void throw_truncated(const fs::path& path, std::uint64_t expected, std::uint64_t found) {
  throw data_error(
      "'{}' is truncated: its header promises {} bytes of data but only {} are there; "
      "the file was cut short (copy or download again)",
      path.string(), expected, found);
}

}  // namespace

void check_nifti_gz_complete(const fs::path& path, std::uint64_t data_bytes) {
  gzFile file = gzopen(path.string().c_str(), "rb");
  if (file == nullptr) return;
  const std::uint64_t expected = nifti_voxel_offset(file) + data_bytes;

  // Fast path: the gzip trailer stores the uncompressed length modulo 2^32.
  std::uint32_t trailer_size = 0;
  {
    std::ifstream raw(path, std::ios::binary | std::ios::ate);
    const auto length = static_cast<std::uint64_t>(raw.tellg());
    if (length >= 4) {
      raw.seekg(static_cast<std::streamoff>(length - 4));
      raw.read(reinterpret_cast<char*>(&trailer_size), 4);  // little-endian by the gzip spec
    }
  }
  if (trailer_size == static_cast<std::uint32_t>(expected & 0xffffffffu)) {
    gzclose(file);
    return;
  }
  // A file modir wrote: its members say their sizes, so hop from one to the next.
  if (const auto blocked = blocked_gzip_size(path)) {
    gzclose(file);
    if (!blocked->complete || blocked->uncompressed_bytes < expected) {
      throw_truncated(path, expected, blocked->uncompressed_bytes);
    }
    return;
  }
  // Slow path (another program's multi-member gzip file, or damage): decompress and count.
  gzrewind(file);
  std::uint64_t total = 0;
  std::array<char, 1 << 16> buffer;
  int got = 0;
  while ((got = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0) {
    total += static_cast<std::uint64_t>(got);
  }
  int error_number = Z_OK;
  gzerror(file, &error_number);
  gzclose(file);
  if (total < expected || got < 0 || (error_number != Z_OK && error_number != Z_STREAM_END)) {
    throw_truncated(path, expected, total);
  }
}

void check_nifti_complete(const fs::path& path, std::uint64_t data_bytes) {
  std::error_code ec;
  const std::uint64_t length = fs::file_size(path, ec);
  if (ec) return;  // ITK reports unreadable files itself
  gzFile file = gzopen(path.string().c_str(), "rb");  // reads a plain file as it is
  if (file == nullptr) return;
  const std::uint64_t offset = nifti_voxel_offset(file);
  gzclose(file);
  if (length < offset || length - offset < data_bytes) {
    throw_truncated(path, offset + data_bytes, length);
  }
}

void check_nifti_header(const fs::path& path) {
  gzFile file = gzopen(path.string().c_str(), "rb");  // plain or gzip-compressed alike
  if (file == nullptr) return;  // ITK reports unreadable files itself
  std::array<char, 540> header{};
  const int got = gzread(file, header.data(), static_cast<unsigned>(header.size()));
  gzclose(file);
  if (got < 348) return;
  std::int32_t size = 0;
  std::memcpy(&size, header.data(), 4);
  const bool swap = size != 348 && size != 540;
  if (swap) size = byte_swapped(size);
  // (offset, count) of the fields ITK turns into spacing and direction, and whether each group is
  // used (pixdim always; the quaternion with qform_code > 0, the rows with sform_code > 0).
  struct Group {
    const char* name;
    std::size_t offset, count;
    bool used;
  };
  const auto code = [&](std::size_t offset, std::size_t bytes) {
    std::int32_t value = 0;
    if (bytes == 2) {
      std::int16_t v = 0;
      std::memcpy(&v, header.data() + offset, 2);
      value = swap ? byte_swapped(v) : v;
    } else {
      std::memcpy(&value, header.data() + offset, 4);
      if (swap) value = byte_swapped(value);
    }
    return value;
  };
  const auto finite = [&](std::size_t offset, std::size_t count, bool wide) {
    for (std::size_t i = 0; i < count; ++i) {
      double v = 0;
      if (wide) {
        std::memcpy(&v, header.data() + offset + 8 * i, 8);
        if (swap) v = byte_swapped(v);
      } else {
        float f = 0;
        std::memcpy(&f, header.data() + offset + 4 * i, 4);
        v = swap ? byte_swapped(f) : f;
      }
      if (!std::isfinite(v)) return false;
    }
    return true;
  };
  std::vector<Group> groups;
  bool wide = false;
  if (size == 348) {
    groups = {{"pixdim", 80, 3, true},
              {"quatern_b/c/d and qoffset", 256, 6, code(252, 2) > 0},
              {"srow_x/y/z", 280, 12, code(254, 2) > 0}};
  } else if (size == 540 && got >= 540) {
    wide = true;
    groups = {{"pixdim", 112, 3, true},
              {"quatern_b/c/d and qoffset", 352, 6, code(344, 4) > 0},
              {"srow_x/y/z", 400, 12, code(348, 4) > 0}};
  }
  for (const Group& g : groups) {
    if (g.used && !finite(g.offset, g.count, wide)) {
      // ITK's orientation code asserts on them and aborts the process (found by fuzzing).
      throw data_error("'{}' has a damaged NIfTI header: its {} hold NaN or infinite values",
                       path.string(), g.name);
    }
  }
}

// MetaIO reads an ElementDataFile value with spaces as a slice pattern, "NAME MIN MAX [STEP
// [DIM]]", and divides by STEP: a damaged value (a zero or unreadable step) crashed the process
// with a division by zero (found by fuzzing). "LOCAL", "LIST" and plain names pass.
void check_data_file_pattern(const fs::path& path, const std::string& value) {
  std::istringstream words_in(value);
  std::vector<std::string> words;
  for (std::string w; words_in >> w;) words.push_back(w);
  if (words.size() <= 1) return;
  const auto integer = [](const std::string& w, long& out) {
    const auto [end, error] = std::from_chars(w.data(), w.data() + w.size(), out);
    return error == std::errc() && end == w.data() + w.size();
  };
  long min = 0, max = 0, step = 1, dim = 1;
  const bool ok = words.size() <= 5 && words.size() >= 3 && integer(words[1], min) &&
                  integer(words[2], max) && (words.size() < 4 || integer(words[3], step)) &&
                  (words.size() < 5 || integer(words[4], dim)) && step != 0 && dim >= 1 &&
                  dim <= 3;
  if (!ok) {
    throw data_error(
        "'{}' has a damaged MetaImage header: ElementDataFile '{}' is neither a file name nor a "
        "slice pattern 'NAME MIN MAX STEP'",
        path.string(), value.substr(value.find_first_not_of(" \t")));
  }
}

void check_metaimage_header(const fs::path& path) {
  // MetaIO's field buffers hold 255 characters; its header is short text lines ending with the
  // ElementDataFile line, after which the (possibly binary) voxels begin.
  constexpr std::size_t kLongestField = 250;
  constexpr std::size_t kLongestHeader = 1 << 16;
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return;  // ITK reports unreadable files itself
  std::string line;
  std::size_t read = 0;
  for (int number = 1; std::getline(stream, line); ++number) {
    read += line.size() + 1;
    if (line.size() > kLongestField) {
      throw data_error(
          "'{}' has a damaged MetaImage header: line {} is {} characters long (at most {} are "
          "allowed); a line break was probably lost",
          path.string(), number, line.size(), kLongestField);
    }
    // Header lines are text: a NUL or another control character means damage, and MetaIO's
    // string handling reads past its buffers on such lines (found by fuzzing).
    const auto control = std::find_if(line.begin(), line.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return (u < 0x20 && c != '\t' && c != '\r') || u == 0x7f;
    });
    if (control != line.end()) {
      throw data_error(
          "'{}' has a damaged MetaImage header: line {} holds a control character (byte {}) "
          "where text belongs",
          path.string(), number, static_cast<int>(static_cast<unsigned char>(*control)));
    }
    const auto eq = line.find('=');
    if (eq != std::string::npos) {
      std::string key = line.substr(0, eq);
      key.erase(key.find_last_not_of(" \t") + 1);
      if (key == "ElementDataFile") {
        check_data_file_pattern(path, line.substr(eq + 1));
        return;
      }
    }
    if (read > kLongestHeader) break;
  }
  throw data_error("'{}' has a damaged MetaImage header: no ElementDataFile line", path.string());
}

void check_metaimage_complete(const fs::path& path, std::uint64_t data_bytes) {
  std::ifstream stream(path, std::ios::binary);
  std::map<std::string, std::string> fields;
  std::string line;
  std::uint64_t data_offset = 0;
  while (std::getline(stream, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto trim = [](std::string s) {
      const auto b = s.find_first_not_of(" \t\r");
      const auto e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    const std::string key = trim(line.substr(0, eq));
    fields[key] = trim(line.substr(eq + 1));
    if (key == "ElementDataFile") {
      data_offset = static_cast<std::uint64_t>(stream.tellg());
      break;
    }
  }
  const std::string data_file = fields["ElementDataFile"];
  std::uint64_t available = 0;
  fs::path data_path = path;
  if (data_file == "LOCAL") {
    available = fs::file_size(path) - data_offset;
  } else if (data_file.empty() || data_file == "LIST" || data_file.find('%') != std::string::npos ||
             data_file.find(' ') != std::string::npos) {
    return;  // slice lists and patterns: ITK checks each file as it reads it
  } else {
    data_path = path.parent_path() / data_file;
    std::error_code ec;
    available = fs::file_size(data_path, ec);
    if (ec) {
      throw data_error(
          "'{}': its data file '{}' is missing; keep the .mhd and its data file together",
          path.string(), data_path.string());
    }
  }
  const bool compressed = fields["CompressedData"] == "True" || fields["CompressedData"] == "true";
  std::uint64_t expected = data_bytes;
  if (compressed) {
    // zlib's deflate packs at most 1032 bytes into one (a run of one value), so no compressed
    // stream of `available` bytes can hold more: a header that claims more is damaged, and is
    // refused before ITK allocates what it claims.
    constexpr std::uint64_t kDeflateMaxRatio = 1032;
    if (data_bytes / kDeflateMaxRatio > available + 64) {
      throw data_error(
          "'{}' has a damaged header: it promises {} bytes of voxels, more than {} compressed "
          "bytes can hold",
          path.string(), data_bytes, available);
    }
    const std::string& size = fields["CompressedDataSize"];
    std::uint64_t claimed = 0;
    const auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), claimed);
    if (size.empty() || error != std::errc() || end != size.data() + size.size()) return;
    expected = claimed;
  }
  if (available < expected) throw_truncated(data_path, expected, available);
}

}  // namespace modir::io::detail
