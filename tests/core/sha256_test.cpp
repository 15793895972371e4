#include "modir/core/sha256.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "modir/core/error.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string sha256_of_string(const std::string& text) {
  Sha256 hash;
  hash.update(text.data(), text.size());
  return hash.hex_digest();
}

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// Bytes that differ from block to block, so a block hashed twice or skipped changes the digest.
std::string patterned_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 7 + i / 251) % 256);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Known answers: FIPS 180-2 appendix B examples; the padding boundaries were checked with coreutils
// sha256sum.

TEST(Sha256, EmptyMessage) {
  EXPECT_EQ(sha256_of_string(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, OneBlockMessageAbc) {
  EXPECT_EQ(sha256_of_string("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, TwoBlockMessage448Bits) {
  EXPECT_EQ(sha256_of_string("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MessageOf896Bits) {
  EXPECT_EQ(sha256_of_string("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                             "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, OneMillionLetterA) {
  EXPECT_EQ(sha256_of_string(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, LengthsAroundThePaddingBoundaries) {
  // 55 bytes is the longest message whose padding fits in its last block; 56 needs one more.
  const std::vector<std::pair<std::size_t, std::string>> cases = {
      {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
      {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
      {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
      {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
      {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
      {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
      {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
      {128, "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464"},
  };
  for (const auto& [length, digest] : cases) {
    EXPECT_EQ(sha256_of_string(std::string(length, 'x')), digest) << length << " bytes";
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming

TEST(Sha256, OddChunkSizesGiveTheOneShotDigest) {
  const std::string message = patterned_bytes(10007);
  const std::string one_shot = sha256_of_string(message);
  for (const std::size_t chunk : {1, 3, 7, 63, 64, 65, 127, 1000, 4099}) {
    Sha256 hash;
    for (std::size_t offset = 0; offset < message.size(); offset += chunk) {
      hash.update(message.data() + offset, std::min(chunk, message.size() - offset));
    }
    EXPECT_EQ(hash.hex_digest(), one_shot) << "chunks of " << chunk << " bytes";
  }
}

TEST(Sha256, ZeroLengthUpdatesChangeNothing) {
  Sha256 hash;
  hash.update("ab", 2);
  hash.update(nullptr, 0);
  hash.update("c", 1);
  EXPECT_EQ(hash.hex_digest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, DigestStartsANewMessage) {
  Sha256 hash;
  hash.update("something else", 14);
  hash.hex_digest();
  hash.update("abc", 3);
  EXPECT_EQ(hash.hex_digest(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// ---------------------------------------------------------------------------------------------
// Files and folders

TEST(Sha256OfFile, SmallFileMatchesKnownDigest) {
  TempDir dir;
  write_file(dir / "abc.txt", "abc");
  EXPECT_EQ(sha256_of_file(dir / "abc.txt"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_of_path(dir / "abc.txt"), sha256_of_file(dir / "abc.txt"));
}

TEST(Sha256OfFile, FileLongerThanOneReadBlock) {
  // 2.5 MiB and a few bytes: three reads, the last one partial.
  const std::string content = patterned_bytes((std::size_t{5} << 19) + 13);
  TempDir dir;
  write_file(dir / "big.raw", content);
  EXPECT_EQ(sha256_of_file(dir / "big.raw"), sha256_of_string(content));
}

TEST(Sha256OfFile, MissingFileIsADataErrorNamingThePath) {
  TempDir dir;
  const fs::path missing = dir / "no_such_scan.nii.gz";
  for (const auto& hash_of : {sha256_of_file, sha256_of_path}) {
    const Error error = test::error_of([&] { hash_of(missing); });
    EXPECT_EQ(error.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos) << error.what();
  }
}

TEST(Sha256OfFile, FolderIsADataError) {
  TempDir dir;
  const Error error = test::error_of([&] { sha256_of_file(dir.path()); });
  EXPECT_EQ(error.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(error.what()).find("folder"), std::string::npos) << error.what();
}

TEST(Sha256OfPath, FolderDigestFollowsTheDocumentedListing) {
  TempDir dir;
  write_file(dir / "b.txt", "second");
  write_file(dir / "sub" / "c.dcm", "third");
  write_file(dir / "a.txt", "first");
  // Checked with coreutils: printf 'a.txt  <sha of first>\nb.txt  ...\nsub/c.dcm  ...\n' |
  // sha256sum
  EXPECT_EQ(sha256_of_path(dir.path()),
            "1febc542e9cec02031d6bf64aaf7e0b094db3f41ac88429646677c78b7d05bcb");
}

TEST(Sha256OfPath, FolderDigestDoesNotDependOnCreationOrder) {
  TempDir forward;
  TempDir backward;
  const std::vector<std::string> names = {"IM0001.dcm", "IM0002.dcm", "series2/IM0001.dcm",
                                          "z_last", "a_first"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    write_file(forward / names[i], "slice " + names[i]);
  }
  for (std::size_t i = names.size(); i-- > 0;) write_file(backward / names[i], "slice " + names[i]);
  EXPECT_EQ(sha256_of_path(forward.path()), sha256_of_path(backward.path()));
}

TEST(Sha256OfPath, FolderDigestChangesWithNamesAndContents) {
  TempDir dir;
  write_file(dir / "IM0001.dcm", "slice one");
  write_file(dir / "IM0002.dcm", "slice two");
  const std::string original = sha256_of_path(dir.path());

  write_file(dir / "IM0002.dcm", "slice 2");
  const std::string edited = sha256_of_path(dir.path());
  EXPECT_NE(edited, original);

  fs::rename(dir / "IM0002.dcm", dir / "IM0003.dcm");
  EXPECT_NE(sha256_of_path(dir.path()), edited);
}

TEST(Sha256OfPath, EmptyFoldersAddNothing) {
  TempDir dir;
  EXPECT_EQ(sha256_of_path(dir.path()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  fs::create_directories(dir / "empty" / "nested");
  EXPECT_EQ(sha256_of_path(dir.path()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace modir
