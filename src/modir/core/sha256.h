#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace modir {

/// SHA-256 (FIPS 180-4) fed incrementally, so files of any size hash in bounded memory. Used to
/// fingerprint inputs in reports, so a result can be traced to the exact bytes it came from.
class Sha256 {
 public:
  Sha256();

  /// Appends `size` bytes to the message.
  void update(const void* data, std::size_t size);

  /// Lower-case hexadecimal digest of everything passed to update(). Finishes the message: the
  /// object is reset afterwards and can hash a new message.
  std::string hex_digest();

 private:
  void reset();
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> block_;
  std::size_t block_used_ = 0;
  std::uint64_t message_bytes_ = 0;
};

/// SHA-256 of a file's bytes, read in 1 MiB blocks. A missing or unreadable file is a data error
/// naming the path.
std::string sha256_of_file(const std::filesystem::path& path);

/// SHA-256 of an input that may be a file or a folder (a DICOM series is a folder).
/// For a regular file: sha256_of_file(path).
/// For a folder: the SHA-256 of the text made of one line per regular file inside it (recursive),
///   `<relative path with '/' separators>  <sha256 of the file>\n`, lines sorted by relative path
///   (byte order). A link to a file counts as that file; links to folders are not entered (they
///   could loop) and entries that are not files are skipped. The result depends only on names and
///   contents, not on the order the files were created or listed in.
/// Anything else (missing, a socket...) is a data error naming the path.
std::string sha256_of_path(const std::filesystem::path& path);

}  // namespace modir
