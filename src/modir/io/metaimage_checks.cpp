// MetaImage's checks before ITK reads a file (file_checks.h).

#include "modir/io/file_checks.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "modir/core/error.h"

namespace modir::io::detail {

namespace fs = std::filesystem;

namespace {

// The words of an ElementDataFile value, split at spaces and tabs as MetaIO splits it.
std::vector<std::string> words_of(const std::string& value) {
  std::istringstream in(value);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// A MetaIO true/false field as MetaIO's M_Read decides it: by the first character alone, 'T',
// 't' or '1' ("Tr" is true too; a mismatch here was a fuzz finding).
bool metaio_true(const std::string& value) {
  return !value.empty() && (value[0] == 'T' || value[0] == 't' || value[0] == '1');
}

// A MetaIO number field as MET_Read reads it: one `stream >> double`, so the leading number
// ("1e3" is 1000), whatever words follow it ("244444444444 -0 x" asked for 244 GB; found by
// fuzzing). Nothing when the value does not start with a number.
std::optional<double> metaio_number(const std::string& value) {
  std::istringstream in(value);
  double number = 0;
  if (!(in >> number)) return std::nullopt;
  return number;
}

// Whether an ElementDataFile's first word makes it a LIST of slice files. MetaIO compares the
// first four characters only, so "LIST_UCHAR" is a LIST too (a mismatch here was a fuzz finding):
// every check asks this one function.
bool names_slice_list(const std::string& first_word) {
  return first_word.rfind("LIST", 0) == 0;
}

// MetaIO reads an ElementDataFile value with spaces as a slice pattern, "NAME MIN MAX [STEP
// [DIM]]", and divides by STEP: a damaged value (a zero or unreadable step) crashed the process
// with a division by zero (found by fuzzing). A pattern must count upwards (MIN <= MAX, STEP > 0)
// to name any file. "LOCAL", "LIST [DIM]" and plain names pass.
void check_data_file_pattern(const fs::path& path, const std::string& value) {
  const std::vector<std::string> words = words_of(value);
  // An empty value: MetaIO then reads the bytes after the header as the voxels with a size it
  // cannot know, and a compressed stream asked for 2^63 bytes (found by fuzzing).
  if (words.empty()) {
    throw data_error(
        "'{}' has a damaged MetaImage header: ElementDataFile is empty (LOCAL, LIST, a file "
        "name or a slice pattern expected)",
        path.string());
  }
  // MetaIO formats the name with the slice number through printf whenever it holds a '%'. Any
  // conversion but one integer conversion reads or writes memory it was never given: "LOC%.nii.gz"
  // holds "%.n", which wrote through a garbage pointer (SIGSEGV; found by fuzzing).
  const std::string& name = words[0];
  if (name.find('%') != std::string::npos) {
    // A width of at most two digits: MetaIO formats into a fixed buffer.
    static const std::regex one_integer_conversion("[^%]*%[-+ #0]*[0-9]{0,2}[diu][^%]*");
    if (words.size() == 1 || !std::regex_match(name, one_integer_conversion)) {
      throw data_error(
          "'{}' has a damaged MetaImage header: ElementDataFile '{}' holds '%', which MetaIO reads "
          "as a printf format; only a slice pattern 'NAME%03d.raw MIN MAX STEP' may",
          path.string(), name);
    }
  }
  if (words.size() == 1) return;
  // "LIST [DIM]": the slice files' names follow on the next lines.
  if (names_slice_list(words[0])) {
    // MetaIO reads DIM with atof, so "2D" means 2.
    int dim = 0;
    const std::string& w = words[1];
    const auto [end, error] = std::from_chars(w.data(), w.data() + w.size(), dim);
    const bool number_then_d = end == w.data() + w.size() ||
                               (end + 1 == w.data() + w.size() && (*end == 'D' || *end == 'd'));
    if (words.size() == 2 && error == std::errc() && number_then_d && dim >= 1 && dim <= 3) return;
    throw data_error(
        "'{}' has a damaged MetaImage header: ElementDataFile '{}' is neither 'LIST' nor 'LIST "
        "DIM'",
        path.string(), value.substr(value.find_first_not_of(" \t")));
  }
  const auto integer = [](const std::string& w, long& out) {
    const auto [end, error] = std::from_chars(w.data(), w.data() + w.size(), out);
    return error == std::errc() && end == w.data() + w.size();
  };
  long min = 0, max = 0, step = 1, dim = 1;
  const bool ok = words.size() <= 5 && words.size() >= 3 && integer(words[1], min) &&
                  integer(words[2], max) && (words.size() < 4 || integer(words[3], step)) &&
                  (words.size() < 5 || integer(words[4], dim)) && step > 0 && dim >= 1 &&
                  dim <= 3 && min <= max;
  if (!ok) {
    throw data_error(
        "'{}' has a damaged MetaImage header: ElementDataFile '{}' is neither a file name nor a "
        "slice pattern 'NAME MIN MAX STEP'",
        path.string(), value.substr(value.find_first_not_of(" \t")));
  }
}

// MetaIO reads NDims numbers for every per-axis field; an NDims of 10^100 kept it reading for
// minutes (found by fuzzing). MetaIO itself holds at most 10 axes.
void check_dimension_count(const fs::path& path, const std::string& value) {
  const auto begin = value.find_first_not_of(" \t");
  const auto end = value.find_last_not_of(" \t\r");
  const std::string number =
      begin == std::string::npos ? std::string() : value.substr(begin, end - begin + 1);
  int dims = 0;
  const auto [stop, error] = std::from_chars(number.data(), number.data() + number.size(), dims);
  if (error != std::errc() || stop != number.data() + number.size() || dims < 1 || dims > 10) {
    throw data_error(
        "'{}' has a damaged MetaImage header: NDims is '{}' (a MetaImage has 1 to 10 axes)",
        path.string(), number.size() > 24 ? number.substr(0, 24) + "..." : number);
  }
}

}  // namespace

void check_metaimage_header(const fs::path& path) {
  // MetaIO's field buffers hold 255 characters; its header is short text lines ending with the
  // ElementDataFile line, after which the (possibly binary) voxels begin.
  constexpr std::size_t kLongestField = 250;
  bool data_file_line = false;
  const bool opened = for_each_header_line(path, [&](const std::string& line, int number) {
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
    // MetaIO reads a key up to the next '=', across line ends: a line without one joins the next
    // line's key, and the header MetaIO then reads is not the one checked here (a damaged
    // ElementDataFile behind such a line asked for 2^63 bytes; found by fuzzing). Every line a
    // MetaImage writer makes is "Key = value".
    if (eq == std::string::npos && line.find_first_not_of(" \t\r") != std::string::npos) {
      throw data_error("'{}' has a damaged MetaImage header: line {} is not 'Key = value'",
                       path.string(), number);
    }
    if (eq != std::string::npos) {
      std::string key = line.substr(0, eq);
      key.erase(key.find_last_not_of(" \t") + 1);
      if (key == "ElementDataFile") {
        check_data_file_pattern(path, line.substr(eq + 1));
        data_file_line = true;
        return false;
      }
      if (key == "NDims") check_dimension_count(path, line.substr(eq + 1));
    }
    return true;
  });
  if (!opened || data_file_line) return;  // ITK reports unreadable files itself
  throw data_error("'{}' has a damaged MetaImage header: no ElementDataFile line", path.string());
}

namespace {

// ITK's MetaIO reports a damaged compressed stream only on stderr ("Uncompress failed") and
// returns the voxels it has, zeros for the rest: a silently wrong image. So the stream is inflated
// here first, its output only counted: it must end where zlib says it ends and hold exactly the
// voxels the header promises. About 40 ms for a medium CT.
void check_compressed_voxels(const fs::path& path, const fs::path& data_path, std::uint64_t offset,
                             std::uint64_t compressed_bytes, std::uint64_t data_bytes) {
  std::ifstream in(data_path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK)  // zlib or gzip framing, as MetaIO accepts
    throw data_error("'{}': zlib could not start", path.string());
  std::vector<unsigned char> input(1 << 16), output(1 << 16);
  std::uint64_t left = compressed_bytes, produced = 0;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    if (z.avail_in == 0) {
      if (left == 0) break;
      const auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(left, input.size()));
      in.read(reinterpret_cast<char*>(input.data()), want);
      const auto got = in.gcount();
      if (got <= 0) break;
      left -= static_cast<std::uint64_t>(got);
      z.next_in = input.data();
      z.avail_in = static_cast<uInt>(got);
    }
    z.next_out = output.data();
    z.avail_out = static_cast<uInt>(output.size());
    status = inflate(&z, Z_NO_FLUSH);
    produced += output.size() - z.avail_out;
    if (status != Z_OK && status != Z_STREAM_END) break;
    if (produced > data_bytes) break;
  }
  const std::string message = z.msg ? z.msg : "";
  inflateEnd(&z);
  if (status == Z_STREAM_END && produced == data_bytes) return;
  if (status != Z_OK && status != Z_STREAM_END)
    throw data_error(
        "'{}': its compressed voxels are damaged (zlib: {}); the file was altered "
        "or cut (copy or export it again)",
        path.string(), message.empty() ? std::string("invalid data") : message);
  throw data_error(
      "'{}': its compressed voxels {} {} bytes where the header promises {} "
      "(DimSize x element size); the file or its CompressedDataSize is damaged",
      path.string(), produced > data_bytes ? "hold more than" : "end after", produced, data_bytes);
}

// A slice pattern's file name for slice `index`, formatted as MetaIO's printf formats it. The
// header check let through only names with one integer conversion of at most two digits' width.
std::string slice_file_name(const std::string& name, long index) {
  const auto percent = name.find('%');
  if (percent == std::string::npos) return name;
  const auto conversion = name.find_first_of("diu", percent);
  const std::string spec = name.substr(percent, conversion - percent) + "ld";
  std::array<char, 128> number{};
  std::snprintf(number.data(), number.size(), spec.c_str(), index);
  return name.substr(0, percent) + number.data() + name.substr(conversion + 1);
}

// How many slice files a LIST or a pattern must name: one per index of the axes above the files'
// own dimension (DIM, or NDims - 1 when it is missing, 0 or too large, as MetaIO reads it). The
// sizes are those MetaIO read: a damaged DimSize ("6 6 4-0 x") holds words it never reads, and a
// count taken from them (a trailing 0 made it none) let missing slices through as zeros.
std::uint64_t slice_files_needed(const std::vector<std::uint64_t>& sizes, long dim) {
  const long axes = static_cast<long>(sizes.size());
  if (dim <= 0 || dim > axes) dim = axes - 1;
  std::uint64_t files = 1;
  for (long a = std::max(dim, 0L); a < axes; ++a) files *= sizes[static_cast<std::size_t>(a)];
  return files;
}

// The longest slice file name accepted in a LIST: MetaIO reads each with getline into a fixed
// buffer, and a longer line fails the stream, after which it reads empty names.
constexpr std::size_t kLongestSliceName = 250;

// The slice file names of a LIST: the `needed` lines after the ElementDataFile line, read as
// MetaIO reads them. It takes every line, a blank one too, and drops trailing blanks and
// unprintable bytes but not leading ones. It does not read a last line without a line end, and it
// crashes on an empty line (SIGSEGV in ITK 5.2: its trimming loop runs before the buffer when the
// line is empty; found by fuzzing). Such lists are refused here.
std::vector<std::string> slice_list_names(const fs::path& path, std::istream& rest,
                                          std::uint64_t needed) {
  std::vector<std::string> names;
  for (std::string line; names.size() < needed && std::getline(rest, line);) {
    const std::size_t number = names.size() + 1;
    if (rest.eof()) {
      throw data_error(
          "'{}': the last name of its slice LIST ('{}') has no line end, and MetaIO does not read "
          "such a line",
          path.string(), line.substr(0, 64));
    }
    if (line.size() > kLongestSliceName) {
      throw data_error("'{}': name {} of its slice LIST is {} characters long (at most {})",
                       path.string(), number, line.size(), kLongestSliceName);
    }
    std::size_t end = line.size();
    while (end > 1) {
      const auto c = static_cast<unsigned char>(line[end - 1]);
      if (!std::isspace(c) && std::isprint(c)) break;
      --end;
    }
    line.resize(end);
    const bool blank = line.find_first_not_of(" \t\r") == std::string::npos;
    if (blank) {
      throw data_error(
          "'{}': line {} of its slice LIST is blank where a slice file name belongs (a LIST "
          "names one file per line, with no blank lines)",
          path.string(), number);
    }
    names.push_back(line);
  }
  return names;
}

// The slice files of a LIST or a slice pattern. MetaIO prints "cannot construct file" for a
// missing one and returns the voxels it has, zeros for the rest: a silently wrong image. And it
// reads every file a pattern names into the buffer it sized from DimSize, so a pattern naming more
// files than DimSize has slices writes past it. Each file must be there and, uncompressed, hold
// its share of the voxels.
void check_slice_files(const fs::path& path, const std::string& data_file, std::istream& rest,
                       const std::vector<std::uint64_t>& dim_sizes, std::uint64_t data_bytes,
                       bool compressed) {
  const std::vector<std::string> words = words_of(data_file);
  const bool list = names_slice_list(words[0]);
  if (!list && words.size() < 3) return;  // not a pattern: the header check refuses it
  const std::size_t dim_word = list ? 1 : 4;
  const long dim = words.size() > dim_word ? std::atol(words[dim_word].c_str()) : 0;
  const std::uint64_t needed = slice_files_needed(dim_sizes, dim);
  // The header check made sure a pattern counts upwards: MIN <= MAX, STEP > 0.
  const long min = list ? 0 : std::atol(words[1].c_str());
  const long max = list ? 0 : std::atol(words[2].c_str());
  const long step = !list && words.size() > 3 ? std::atol(words[3].c_str()) : 1;
  const std::vector<std::string> listed =
      list ? slice_list_names(path, rest, needed) : std::vector<std::string>();
  const std::uint64_t named =
      list ? listed.size()
           : (static_cast<std::uint64_t>(max) - static_cast<std::uint64_t>(min)) /
                     static_cast<std::uint64_t>(step) +
                 1;
  if (named != needed) {
    throw data_error("'{}': its ElementDataFile {} names {} slice files, but its DimSize needs {}",
                     path.string(), list ? "LIST" : "pattern", named, needed);
  }
  const std::uint64_t share = data_bytes / std::max<std::uint64_t>(needed, 1);
  for (std::uint64_t k = 0; k < named; ++k) {
    const fs::path file =
        path.parent_path() /
        (list ? listed[k] : slice_file_name(words[0], min + static_cast<long>(k) * step));
    std::error_code ec;
    const std::uint64_t size = fs::file_size(file, ec);
    if (ec) {
      throw data_error(
          "'{}': its slice file '{}' is missing; keep the header and its slice files together",
          path.string(), file.string());
    }
    if (!compressed && size < share) throw_truncated(file, share, size);
  }
}

}  // namespace

void check_metaimage_complete(const fs::path& path, std::uint64_t data_bytes,
                              const std::vector<std::uint64_t>& dim_sizes) {
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
  bool compressed = metaio_true(fields["CompressedData"]);
  // MetaIO takes "LOCAL", "Local" and "local" alike for voxels after the header.
  const bool local = data_file == "LOCAL" || data_file == "Local" || data_file == "local";
  std::uint64_t available = 0;
  fs::path data_path = path;
  if (local) {
    available = fs::file_size(path) - data_offset;
  } else if (data_file.empty()) {
    return;  // refused by the header check
  } else if (names_slice_list(data_file) || data_file.find_first_of(" \t") != std::string::npos) {
    check_slice_files(path, data_file, stream, dim_sizes, data_bytes, compressed);
    return;
  } else {
    data_path = path.parent_path() / data_file;
    // Where the data file is missing, MetaIO tries NAME.gz and NAME.Z, and inflates what it
    // finds whatever CompressedData says.
    for (const char* suffix : {".gz", ".Z"}) {
      fs::path packed = data_path;
      packed += suffix;
      if (!fs::exists(data_path) && fs::exists(packed)) {
        data_path = packed;
        compressed = true;
      }
    }
    std::error_code ec;
    available = fs::file_size(data_path, ec);
    if (ec) {
      throw data_error(
          "'{}': its data file '{}' is missing; keep the .mhd and its data file together",
          path.string(), data_path.string());
    }
  }
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
    const bool has_size = fields.count("CompressedDataSize") > 0;
    const std::optional<double> size = metaio_number(fields["CompressedDataSize"]);
    // MetaIO casts the number to a byte count and allocates that many bytes: a negative or vast
    // size, or one that is no number at all, is refused here, before it does.
    if (has_size && !(size && *size >= 0 && *size < 0x1p63)) {
      throw data_error("'{}' has a damaged header: CompressedDataSize is '{}'", path.string(),
                       fields["CompressedDataSize"]);
    }
    // Zero, like no size at all, tells MetaIO to take the whole file as the compressed stream:
    // right for a separate data file, but a LOCAL file's header is then inflated as voxels, and
    // ITK returns zeros with "Uncompress failed" on stderr (seen with ITK 5.2).
    const auto claimed = size ? static_cast<std::uint64_t>(*size) : 0;
    if (claimed == 0 && local) {
      throw data_error(
          "'{}' holds compressed voxels after its header (ElementDataFile = LOCAL) but gives no "
          "CompressedDataSize, and ITK's MetaIO cannot read such a file (it would return zeros); "
          "add the line 'CompressedDataSize = {}' above ElementDataFile, or save the voxels "
          "uncompressed",
          path.string(), available);
    }
    if (available < claimed) throw_truncated(data_path, claimed, available);
    check_compressed_voxels(path, data_path, local ? data_offset : 0,
                            claimed > 0 ? claimed : available, data_bytes);
    return;
  }
  if (available < expected) throw_truncated(data_path, expected, available);
}

}  // namespace modir::io::detail
