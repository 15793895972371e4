#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "modir/dataset/duplicates.h"
#include "modir/dataset/finding.h"
#include "modir/dataset/manifest.h"

namespace modir::dataset {

/// Which part of a split each scan belongs to: a fold number or a set name (train, test).
/// A split file is a manifest with one more column, `fold` (an integer 0..K-1) or `set`.
struct Split {
  std::filesystem::path file;
  std::string column;                                               ///< "fold" or "set"
  std::map<std::pair<std::string, std::string>, std::string> part;  ///< (patient, scan) -> part
};

/// Reads a split file (columns patient_id, scan_id and fold or set; image and labels optional).
Split read_split(const std::filesystem::path& file);

/// Units that must stay in one fold: each patient, and patients joined by duplicate scans.
/// Returns, for every scan of the manifest, the index of its unit.
std::vector<std::size_t> leakage_units(const Manifest& manifest,
                                       const std::vector<DuplicateGroup>& duplicates);

/// K folds of whole units, balanced by scan count (largest units first, each to the fold with
/// the fewest scans; ties broken by a shuffle drawn from `seed`). Same input, same seed, same
/// folds on every platform. Returns the fold of every scan.
std::vector<int> make_folds(const Manifest& manifest, const std::vector<std::size_t>& units,
                            int folds, std::uint64_t seed);

/// Writes patient_id,scan_id,image,labels,fold with paths relative to the split file's folder.
void write_split(const Manifest& manifest, const std::vector<int>& folds,
                 const std::filesystem::path& file);

/// `split_leakage` (error): a unit whose scans lie in more than one part; `split_coverage`
/// (warning): manifest scans missing from the split, or split rows not in the manifest.
std::vector<Finding> split_findings(const Manifest& manifest, const std::vector<std::size_t>& units,
                                    const Split& split);

}  // namespace modir::dataset
