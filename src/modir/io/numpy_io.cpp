// numpy .npy files and .npz archives (zip, through libzip). The .npy format is small enough to
// parse here: a magic string, a version, and a Python dict literal giving dtype, memory order and
// shape. Array axis 0 is image x, as nibabel and voxelmorph treat arrays, so a C-order array is
// transposed into modir's x-fastest buffer while a Fortran-order one is copied as it is.

#include "modir/io/numpy_io.h"

#include <zip.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/io/image_backends.h"

namespace modir::io {

namespace fs = std::filesystem;

namespace {

// Reads up to n bytes into the buffer and returns how many it got (fewer only at the end).
using ByteReader = std::function<std::size_t(char*, std::size_t)>;

// The numpy scalar types modir reads, and the modir type each is read as (the rules of
// itk_image_io.cpp: int8 widens to int16, integers wider than int32 or unsigned 32-bit become
// float64; bool is read as uint8 0/1).
enum class Stored {
  kBool,
  kUInt8,
  kInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat32,
  kFloat64
};
struct Scalar {
  char kind;  // numpy's kind letter: b, u, i, f
  std::size_t size;
  Stored stored;
  const char* name;
  PixelType read_as;
};
constexpr Scalar kScalars[] = {
    {'b', 1, Stored::kBool, "bool", PixelType::kUInt8},
    {'u', 1, Stored::kUInt8, "uint8", PixelType::kUInt8},
    {'i', 1, Stored::kInt8, "int8", PixelType::kInt16},
    {'i', 2, Stored::kInt16, "int16", PixelType::kInt16},
    {'u', 2, Stored::kUInt16, "uint16", PixelType::kUInt16},
    {'i', 4, Stored::kInt32, "int32", PixelType::kInt32},
    {'u', 4, Stored::kUInt32, "uint32", PixelType::kFloat64},
    {'i', 8, Stored::kInt64, "int64", PixelType::kFloat64},
    {'u', 8, Stored::kUInt64, "uint64", PixelType::kFloat64},
    {'f', 4, Stored::kFloat32, "float32", PixelType::kFloat32},
    {'f', 8, Stored::kFloat64, "float64", PixelType::kFloat64},
};

// What the header of one .npy says; the array data follows it directly.
struct NpyHeader {
  NumpyArrayInfo info;
};

constexpr std::uint64_t kMaxHeaderBytes = 1 << 20;  // numpy writes a few hundred at most

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Splits the text at top-level commas: those outside quotes and brackets.
std::vector<std::string_view> split_top_level(std::string_view s) {
  std::vector<std::string_view> parts;
  int depth = 0;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

std::optional<std::string> unquote(std::string_view s) {
  s = trim(s);
  if (s.size() < 2 || (s.front() != '\'' && s.front() != '"') || s.back() != s.front()) {
    return std::nullopt;
  }
  return std::string(s.substr(1, s.size() - 2));
}

// The Python dict literal numpy writes ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3),
// }") as key -> value text.
std::map<std::string, std::string> parse_header_dict(std::string_view text,
                                                     const std::string& source) {
  text = trim(text);
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    throw data_error("{}: the .npy header is not a Python dict; the file is damaged", source);
  }
  std::map<std::string, std::string> dict;
  for (std::string_view item : split_top_level(text.substr(1, text.size() - 2))) {
    item = trim(item);
    if (item.empty()) continue;  // numpy leaves a trailing comma
    const std::size_t close = item.find(item.front(), 1);
    const std::optional<std::string> key =
        close == std::string_view::npos ? std::nullopt : unquote(item.substr(0, close + 1));
    const std::string_view rest =
        close == std::string_view::npos ? std::string_view() : trim(item.substr(close + 1));
    if (!key || rest.empty() || rest.front() != ':') {
      throw data_error("{}: cannot read the .npy header entry '{}'; the file is damaged", source,
                       item);
    }
    dict[*key] = std::string(trim(rest.substr(1)));
  }
  return dict;
}

std::vector<std::int64_t> parse_shape(std::string_view text, const std::string& source) {
  text = trim(text);
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    throw data_error("{}: the .npy header shape '{}' is not a tuple", source, text);
  }
  std::vector<std::int64_t> shape;
  for (std::string_view part : split_top_level(text.substr(1, text.size() - 2))) {
    part = trim(part);
    if (part.empty()) continue;                     // "(5,)"
    if (part.back() == 'L') part.remove_suffix(1);  // files written by Python 2
    std::int64_t n = -1;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (ec != std::errc() || end != part.data() + part.size() || n < 0) {
      throw data_error("{}: the .npy header shape '{}' holds a bad length", source, text);
    }
    shape.push_back(n);
  }
  return shape;
}

NpyHeader read_header(const ByteReader& read, const std::string& source) {
  char magic[8];
  const std::size_t got = read(magic, sizeof magic);
  if (got < 6 || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    throw data_error("{} is not a .npy array (no \\x93NUMPY magic at the start); check the file",
                     source);
  }
  if (got < sizeof magic) throw data_error("{}: truncated .npy header", source);
  const int major = static_cast<unsigned char>(magic[6]);
  const int minor = static_cast<unsigned char>(magic[7]);
  if (major < 1 || major > 3) {
    throw data_error("{}: .npy format version {}.{} is not supported (1.0, 2.0 and 3.0 are)",
                     source, major, minor);
  }
  // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4; both little-endian.
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  unsigned char length_field[4] = {0, 0, 0, 0};
  if (read(reinterpret_cast<char*>(length_field), length_bytes) != length_bytes) {
    throw data_error("{}: truncated .npy header", source);
  }
  std::uint64_t header_length = 0;
  for (std::size_t i = length_bytes; i-- > 0;)
    header_length = header_length * 256 + length_field[i];
  if (header_length > kMaxHeaderBytes) {
    throw data_error("{}: the .npy header claims {} bytes; the file is damaged", source,
                     header_length);
  }
  std::string text(header_length, '\0');
  if (read(text.data(), text.size()) != text.size()) {
    throw data_error("{}: truncated .npy header", source);
  }

  const std::map<std::string, std::string> dict = parse_header_dict(text, source);
  for (const char* key : {"descr", "fortran_order", "shape"}) {
    if (!dict.contains(key)) {
      throw data_error("{}: the .npy header has no '{}'; the file is damaged", source, key);
    }
  }
  NpyHeader header;
  // A structured dtype is a list, not a string; keep its text so the error can show it.
  header.info.dtype = unquote(dict.at("descr")).value_or(dict.at("descr"));
  const std::string& order = dict.at("fortran_order");
  if (order != "True" && order != "False") {
    throw data_error("{}: the .npy header fortran_order '{}' is not True or False", source, order);
  }
  header.info.fortran_order = order == "True";
  header.info.shape = parse_shape(dict.at("shape"), source);
  return header;
}

const Scalar& scalar_of(const NumpyArrayInfo& info, const std::string& source) {
  const std::string& d = info.dtype;
  if (d.size() >= 3 && std::string_view("<>|=").find(d[0]) != std::string_view::npos) {
    std::size_t size = 0;
    const auto [end, ec] = std::from_chars(d.data() + 2, d.data() + d.size(), size);
    if (ec == std::errc() && end == d.data() + d.size()) {
      for (const Scalar& s : kScalars) {
        if (s.kind == d[1] && s.size == size) return s;
      }
    }
  }
  throw data_error(
      "{}: numpy dtype '{}' is not supported; modir reads bool, uint8, int8, int16, "
      "uint16, int32, uint32, int64, uint64, float32 and float64 arrays",
      source, d);
}

// Whether the stored bytes are in the opposite order to this machine's ('|' marks one-byte types,
// '=' the writer's native order, which numpy never writes to disk).
bool needs_swap(const NumpyArrayInfo& info) {
  const char order = info.dtype[0];
  if (order == '<') return std::endian::native == std::endian::big;
  if (order == '>') return std::endian::native == std::endian::little;
  return false;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

// The image size for the array's shape, and the number of dimensions it counts as. Trailing axes
// of length 1 beyond the third carry nothing (a single-channel volume saved channel-last).
Size3 image_size(const NumpyArrayInfo& info, const std::string& source, int& dimensions) {
  std::vector<std::int64_t> shape = info.shape;
  while (shape.size() > 3 && shape.back() == 1) shape.pop_back();
  if (shape.size() < 2 || shape.size() > 3) {
    throw data_error(
        "{}: the array has shape {} ({} dimensions); modir reads 2D and 3D arrays as "
        "images, so slice or squeeze it first",
        source, shape_text(info.shape), info.shape.size());
  }
  Size3 size{1, 1, 1};
  std::int64_t count = 1;
  for (std::size_t a = 0; a < shape.size(); ++a) {
    if (shape[a] == 0)
      throw data_error("{}: the array has shape {}; it is empty", source, shape_text(info.shape));
    if (count > std::numeric_limits<std::int64_t>::max() / 16 / shape[a]) {
      throw data_error("{}: the array shape {} is too large", source, shape_text(info.shape));
    }
    count *= shape[a];
    size[a] = shape[a];
  }
  dimensions = static_cast<int>(shape.size());
  return size;
}

ImageInfo make_info(const NumpyArrayInfo& array, const std::string& source, bool in_archive) {
  ImageInfo info;
  info.format = ImageFormat::kNumpy;
  info.geometry.size = image_size(array, source, info.file_dimension);
  const Scalar& scalar = scalar_of(array, source);
  info.file_component_type = scalar.name;
  info.pixel_type = scalar.read_as;
  info.notes.push_back(
      "numpy stores no geometry: identity direction, 1 mm spacing and zero origin assumed "
      "(array axis 0 is image x)");
  if (in_archive) info.notes.push_back(fmt::format("array '{}' of the .npz archive", array.name));
  if (info.file_dimension == 2) {
    info.notes.push_back("2D array: read as a volume with one slice of spacing 1 mm");
  }
  if (array.shape.size() > 3 && info.file_dimension == 3) {
    info.notes.push_back(
        fmt::format("trailing axes of length 1 of shape {} dropped", shape_text(array.shape)));
  }
  if (info.file_component_type != pixel_type_name(info.pixel_type)) {
    info.notes.push_back(fmt::format("voxels stored as {} are read as {}", scalar.name,
                                     pixel_type_name(info.pixel_type)));
  }
  return info;
}

// One open .npz archive, read-only.
class ZipArchive {
 public:
  explicit ZipArchive(const fs::path& path) {
    int code = 0;
    zip_ = zip_open(path.c_str(), ZIP_RDONLY, &code);
    if (zip_ == nullptr) {
      zip_error_t error;
      zip_error_init_with_code(&error, code);
      const std::string message = zip_error_strerror(&error);
      zip_error_fini(&error);
      throw data_error("'{}' is not a readable .npz (zip) archive: {}", path.string(), message);
    }
  }
  ~ZipArchive() { zip_discard(zip_); }
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  struct Entry {
    std::string array_name;
    zip_uint64_t index = 0;
  };
  // The .npy members; np.savez names them "<key>.npy".
  std::vector<Entry> arrays() const {
    std::vector<Entry> entries;
    const zip_int64_t n = zip_get_num_entries(zip_, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* name = zip_get_name(zip_, static_cast<zip_uint64_t>(i), 0);
      if (name == nullptr || !ends_with(name, ".npy")) continue;
      const std::string_view key(name);
      entries.push_back({std::string(key.substr(0, key.size() - 4)), static_cast<zip_uint64_t>(i)});
    }
    return entries;
  }

  // Opens a member and hands `use` a reader of its uncompressed bytes.
  template <typename F>
  auto with_member(const Entry& entry, const std::string& source, F&& use) const {
    zip_file_t* file = zip_fopen_index(zip_, entry.index, 0);
    if (file == nullptr) {
      throw data_error("{}: cannot open the member: {}", source, zip_strerror(zip_));
    }
    struct Closer {
      zip_file_t* f;
      ~Closer() { zip_fclose(f); }
    } closer{file};
    const ByteReader read = [&](char* buffer, std::size_t n) -> std::size_t {
      std::size_t total = 0;
      while (total < n) {
        const zip_int64_t got = zip_fread(file, buffer + total, n - total);
        if (got < 0) {
          throw data_error("{}: cannot decompress the member ({}); the archive is damaged", source,
                           zip_error_strerror(zip_file_get_error(file)));
        }
        if (got == 0) break;
        total += static_cast<std::size_t>(got);
      }
      return total;
    };
    return use(read);
  }

 private:
  zip_t* zip_ = nullptr;
};

// The arrays of an archive with their members, in archive order.
std::vector<std::pair<NumpyArrayInfo, ZipArchive::Entry>> list_archive(const ZipArchive& archive,
                                                                       const fs::path& path) {
  std::vector<std::pair<NumpyArrayInfo, ZipArchive::Entry>> arrays;
  for (const ZipArchive::Entry& entry : archive.arrays()) {
    const std::string source = fmt::format("'{}' (array '{}')", path.string(), entry.array_name);
    NumpyArrayInfo info = archive.with_member(
        entry, source, [&](const ByteReader& read) { return read_header(read, source).info; });
    info.name = entry.array_name;
    arrays.emplace_back(std::move(info), entry);
  }
  return arrays;
}

bool is_npz(const fs::path& path) {
  return ends_with(lower_case_name(path), ".npz");
}

void check_exists(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw data_error("'{}' does not exist or is not a file; check the path", path.string());
  }
}

template <typename F>
auto with_npy_file(const fs::path& path, F&& use) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw data_error("'{}' cannot be opened; check its permissions", path.string());
  const ByteReader read = [&](char* buffer, std::size_t n) -> std::size_t {
    stream.read(buffer, static_cast<std::streamsize>(n));
    return static_cast<std::size_t>(stream.gcount());
  };
  return use(read);
}

std::string listing(const std::vector<NumpyArrayInfo>& arrays) {
  std::vector<std::string> items;
  for (const NumpyArrayInfo& a : arrays) {
    items.push_back(fmt::format("{} ({}, shape {})", a.name, a.dtype, shape_text(a.shape)));
  }
  return fmt::format("{}", fmt::join(items, ", "));
}

// Finds the array the options ask for and calls use(header, reader after the header, source).
template <typename F>
auto with_selected_array(const fs::path& path, const ReadOptions& options, F&& use) {
  check_exists(path);
  if (!is_npz(path)) {
    // A single-array .npy: --array has nothing to choose, so it is not checked here.
    const std::string source = fmt::format("'{}'", path.string());
    return with_npy_file(path, [&](const ByteReader& read) {
      NpyHeader header = read_header(read, source);
      header.info.name = path.stem().string();
      return use(header, read, source, false);
    });
  }
  const ZipArchive archive(path);
  const auto members = list_archive(archive, path);
  std::vector<NumpyArrayInfo> arrays;
  for (const auto& m : members) arrays.push_back(m.first);
  if (arrays.empty()) throw data_error("'{}' holds no numpy arrays", path.string());
  std::size_t chosen = 0;
  if (!options.npz_array.empty()) {
    const auto it = std::find_if(arrays.begin(), arrays.end(), [&](const NumpyArrayInfo& a) {
      return a.name == options.npz_array;
    });
    if (it == arrays.end()) {
      throw usage_error("'{}' has no array '{}'; it holds {}", path.string(), options.npz_array,
                        listing(arrays));
    }
    chosen = static_cast<std::size_t>(it - arrays.begin());
  } else if (arrays.size() > 1) {
    throw usage_error("'{}' holds {} arrays: {}; pick one with --array NAME", path.string(),
                      arrays.size(), listing(arrays));
  }
  const std::string source = fmt::format("'{}' (array '{}')", path.string(), arrays[chosen].name);
  return archive.with_member(members[chosen].second, source, [&](const ByteReader& read) {
    NpyHeader header = read_header(read, source);
    header.info.name = arrays[chosen].name;
    return use(header, read, source, true);
  });
}

template <typename S>
S load(const char* bytes, bool swap) {
  char raw[sizeof(S)];
  std::memcpy(raw, bytes, sizeof(S));
  if (swap) std::reverse(raw, raw + sizeof(S));
  S value;
  std::memcpy(&value, raw, sizeof(S));
  return value;
}

// Converts the stored elements of type S into the image, in modir's x-fastest order.
template <typename S, typename D>
void decode_as(const std::vector<char>& bytes, bool swap, bool fortran_order, Image<D>& image) {
  const Size3& n = image.size();
  const char* src = bytes.data();
  D* dst = image.data();
  if (fortran_order) {
    // Fortran order varies axis 0 fastest: the same layout as modir's buffer.
    const std::int64_t count = image.voxel_count();
    for (std::int64_t i = 0; i < count; ++i, src += sizeof(S)) {
      dst[i] = static_cast<D>(load<S>(src, swap));
    }
    return;
  }
  // C order varies the last axis fastest: element [x][y][z] follows [x][y][z-1].
  for (std::int64_t x = 0; x < n[0]; ++x) {
    for (std::int64_t y = 0; y < n[1]; ++y) {
      for (std::int64_t z = 0; z < n[2]; ++z, src += sizeof(S)) {
        dst[image.linear_index(x, y, z)] = static_cast<D>(load<S>(src, swap));
      }
    }
  }
}

template <typename D>
void decode(const Scalar& scalar, const std::vector<char>& bytes, bool swap, bool fortran_order,
            Image<D>& image) {
  switch (scalar.stored) {
    case Stored::kBool:  // numpy stores bool as one byte, 0 or 1
    case Stored::kUInt8: return decode_as<std::uint8_t>(bytes, swap, fortran_order, image);
    case Stored::kInt8: return decode_as<std::int8_t>(bytes, swap, fortran_order, image);
    case Stored::kInt16: return decode_as<std::int16_t>(bytes, swap, fortran_order, image);
    case Stored::kUInt16: return decode_as<std::uint16_t>(bytes, swap, fortran_order, image);
    case Stored::kInt32: return decode_as<std::int32_t>(bytes, swap, fortran_order, image);
    case Stored::kUInt32: return decode_as<std::uint32_t>(bytes, swap, fortran_order, image);
    case Stored::kInt64: return decode_as<std::int64_t>(bytes, swap, fortran_order, image);
    case Stored::kUInt64: return decode_as<std::uint64_t>(bytes, swap, fortran_order, image);
    case Stored::kFloat32: return decode_as<float>(bytes, swap, fortran_order, image);
    case Stored::kFloat64: return decode_as<double>(bytes, swap, fortran_order, image);
  }
}

AnyImage make_image(const ImageInfo& info) {
  switch (info.pixel_type) {
    case PixelType::kUInt8: return Image<std::uint8_t>(info.geometry);
    case PixelType::kInt16: return Image<std::int16_t>(info.geometry);
    case PixelType::kUInt16: return Image<std::uint16_t>(info.geometry);
    case PixelType::kInt32: return Image<std::int32_t>(info.geometry);
    case PixelType::kFloat32: return Image<float>(info.geometry);
    case PixelType::kFloat64: return Image<double>(info.geometry);
  }
  return Image<float>(info.geometry);
}

}  // namespace

std::vector<NumpyArrayInfo> list_numpy_arrays(const fs::path& path) {
  check_exists(path);
  const std::string name = lower_case_name(path);
  if (!ends_with(name, ".npy") && !ends_with(name, ".npz")) {
    throw data_error("'{}' is not a numpy file; expected .npy or .npz", path.string());
  }
  if (!is_npz(path)) {
    return with_npy_file(path, [&](const ByteReader& read) {
      NumpyArrayInfo info = read_header(read, fmt::format("'{}'", path.string())).info;
      info.name = path.stem().string();
      return std::vector<NumpyArrayInfo>{info};
    });
  }
  const ZipArchive archive(path);
  std::vector<NumpyArrayInfo> arrays;
  for (auto& member : list_archive(archive, path)) arrays.push_back(std::move(member.first));
  return arrays;
}

namespace detail {

ImageInfo numpy_read_info(const fs::path& path, const ReadOptions& options) {
  return with_selected_array(
      path, options,
      [](const NpyHeader& header, const ByteReader&, const std::string& source, bool in_archive) {
        return make_info(header.info, source, in_archive);
      });
}

AnyImage numpy_read(const fs::path& path, const ReadOptions& options) {
  return with_selected_array(
      path, options,
      [](const NpyHeader& header, const ByteReader& read, const std::string& source,
         bool in_archive) {
        const ImageInfo info = make_info(header.info, source, in_archive);
        const Scalar& scalar = scalar_of(header.info, source);
        const std::uint64_t expected =
            static_cast<std::uint64_t>(info.geometry.voxel_count()) * scalar.size;
        // Read in chunks so that a header claiming more data than the file holds is reported as a
        // truncated file instead of first allocating the claimed size.
        std::vector<char> bytes;
        constexpr std::size_t kChunk = std::size_t{1} << 24;
        while (bytes.size() < expected) {
          const std::size_t offset = bytes.size();
          const std::size_t want =
              static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, expected - offset));
          bytes.resize(offset + want);
          const std::size_t got = read(bytes.data() + offset, want);
          if (got < want) {
            throw data_error(
                "{}: the voxel data is truncated ({} bytes, the shape {} of {} needs {}); "
                "the file is incomplete",
                source, offset + got, shape_text(header.info.shape), scalar.name, expected);
          }
        }
        AnyImage image = make_image(info);
        std::visit(
            [&](auto& img) {
              decode(scalar, bytes, needs_swap(header.info), header.info.fortran_order, img);
            },
            image);
        return image;
      });
}

}  // namespace detail

}  // namespace modir::io
