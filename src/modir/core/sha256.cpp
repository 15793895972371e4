// SHA-256 as specified in FIPS 180-4 (sections 4.1.2, 4.2.2, 5.1.1, 5.3.3 and 6.2), plus the file
// and folder fingerprints built on it.

#include "modir/core/sha256.h"

#include <algorithm>
#include <bit>
#include <fstream>
#include <utility>
#include <vector>

#include "modir/core/error.h"

namespace modir {

namespace fs = std::filesystem;

namespace {

// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the
// first 64 primes.
constexpr std::array<std::uint32_t, 64> kRoundConstants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 section 5.3.3: the first 32 bits of the fractional parts of the square roots of the
// first 8 primes.
constexpr std::array<std::uint32_t, 8> kInitialState = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

constexpr std::size_t kBlockBytes = 64;
constexpr std::size_t kLengthBytes = 8;  // the message length in bits, big-endian, ends the padding
constexpr std::size_t kFileChunkBytes = std::size_t{1} << 20;

// The six logical functions of FIPS 180-4 section 4.1.2.
std::uint32_t choose(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) ^ (~x & z);
}
std::uint32_t majority(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) ^ (x & z) ^ (y & z);
}
std::uint32_t big_sigma0(std::uint32_t x) {
  return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22);
}
std::uint32_t big_sigma1(std::uint32_t x) {
  return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25);
}
std::uint32_t small_sigma0(std::uint32_t x) {
  return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3);
}
std::uint32_t small_sigma1(std::uint32_t x) {
  return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10);
}

std::uint32_t load_big_endian(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

}  // namespace

Sha256::Sha256() {
  reset();
}

void Sha256::reset() {
  state_ = kInitialState;
  block_used_ = 0;
  message_bytes_ = 0;
}

// FIPS 180-4 section 6.2.2: one 512-bit block folded into the hash state.
void Sha256::compress(const std::uint8_t* block) {
  std::array<std::uint32_t, 64> schedule;
  for (std::size_t t = 0; t < 16; ++t) schedule[t] = load_big_endian(block + 4 * t);
  for (std::size_t t = 16; t < 64; ++t) {
    schedule[t] = small_sigma1(schedule[t - 2]) + schedule[t - 7] + small_sigma0(schedule[t - 15]) +
                  schedule[t - 16];
  }

  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
  std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
  for (std::size_t t = 0; t < 64; ++t) {
    const std::uint32_t t1 = h + big_sigma1(e) + choose(e, f, g) + kRoundConstants[t] + schedule[t];
    const std::uint32_t t2 = big_sigma0(a) + majority(a, b, c);
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
  state_[5] += f;
  state_[6] += g;
  state_[7] += h;
}

void Sha256::update(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  message_bytes_ += size;
  // Top up a partly filled block first; then whole blocks go straight from the caller's memory.
  if (block_used_ > 0) {
    const std::size_t taken = std::min(size, kBlockBytes - block_used_);
    std::copy_n(bytes, taken, block_.begin() + static_cast<std::ptrdiff_t>(block_used_));
    block_used_ += taken;
    bytes += taken;
    size -= taken;
    if (block_used_ < kBlockBytes) return;
    compress(block_.data());
    block_used_ = 0;
  }
  for (; size >= kBlockBytes; size -= kBlockBytes, bytes += kBlockBytes) compress(bytes);
  std::copy_n(bytes, size, block_.begin());
  block_used_ = size;
}

std::string Sha256::hex_digest() {
  // FIPS 180-4 section 5.1.1: a 1 bit, zeros up to 56 bytes modulo 64, then the length in bits.
  const std::uint64_t message_bits = message_bytes_ * 8;
  const std::uint8_t one_bit = 0x80;
  update(&one_bit, 1);
  const std::array<std::uint8_t, kBlockBytes> zeros{};
  const std::size_t zero_count =
      (kBlockBytes + kBlockBytes - kLengthBytes - block_used_) % kBlockBytes;
  update(zeros.data(), zero_count);
  std::array<std::uint8_t, kLengthBytes> length;
  for (std::size_t i = 0; i < kLengthBytes; ++i) {
    length[i] = static_cast<std::uint8_t>(message_bits >> (8 * (kLengthBytes - 1 - i)));
  }
  update(length.data(), length.size());

  constexpr const char* kHexDigits = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * 4 * state_.size());
  for (const std::uint32_t word : state_) {
    for (int shift = 28; shift >= 0; shift -= 4) hex.push_back(kHexDigits[(word >> shift) & 0xf]);
  }
  reset();
  return hex;
}

std::string sha256_of_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw data_error("'{}' is a folder; a file was expected for its checksum", path.string());
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    if (!fs::exists(path, ec)) {
      throw data_error("cannot compute the checksum of '{}': it does not exist", path.string());
    }
    throw data_error(
        "cannot compute the checksum of '{}': it cannot be opened; check its permissions",
        path.string());
  }
  Sha256 hash;
  std::vector<char> chunk(kFileChunkBytes);
  while (stream) {
    stream.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    hash.update(chunk.data(), static_cast<std::size_t>(stream.gcount()));
  }
  if (stream.bad()) {
    throw data_error("cannot compute the checksum of '{}': reading it failed", path.string());
  }
  return hash.hex_digest();
}

namespace {

std::string sha256_of_folder(const fs::path& folder) {
  std::vector<std::pair<std::string, std::string>> entries;  // (relative path, file hash)
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    entries.emplace_back(it->path().lexically_relative(folder).generic_string(),
                         sha256_of_file(it->path()));
  }
  if (ec) {
    throw data_error("cannot compute the checksum of folder '{}': listing it failed ({})",
                     folder.string(), ec.message());
  }
  std::sort(entries.begin(), entries.end());

  Sha256 hash;
  for (const auto& [relative_path, file_hash] : entries) {
    const std::string line = relative_path + "  " + file_hash + "\n";
    hash.update(line.data(), line.size());
  }
  return hash.hex_digest();
}

}  // namespace

std::string sha256_of_path(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (fs::is_directory(status)) return sha256_of_folder(path);
  if (fs::is_regular_file(status)) return sha256_of_file(path);
  if (!fs::exists(status)) {
    throw data_error("cannot compute the checksum of '{}': it does not exist", path.string());
  }
  throw data_error("cannot compute the checksum of '{}': it is neither a file nor a folder",
                   path.string());
}

}  // namespace modir
