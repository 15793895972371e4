#include "modir/dataset/duplicates.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "modir/core/parallel.h"

namespace modir::dataset {

namespace {

struct Link {
  std::size_t a = 0, b = 0;
  double ncc = 1.0, detail_ncc = 1.0;
};

std::size_t root_of(std::vector<std::size_t>& parent, std::size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

std::vector<DuplicateGroup> find_duplicates(const std::vector<ScanSummary>& scans,
                                            const DuplicateThresholds& t) {
  const std::size_t n = scans.size();
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      if (scans[i].usable() && scans[j].usable() &&
          scans[i].entry.patient_id != scans[j].entry.patient_id)
        pairs.emplace_back(i, j);
    }
  std::vector<Link> found(pairs.size());
  std::vector<char> matched(pairs.size(), 0);
  parallel_for(static_cast<std::int64_t>(pairs.size()), [&](std::int64_t p) {
    const auto [i, j] = pairs[static_cast<std::size_t>(p)];
    Link link{i, j, 1.0, 1.0};
    if (scans[i].voxel_hash == scans[j].voxel_hash) {
      found[static_cast<std::size_t>(p)] = link;
      matched[static_cast<std::size_t>(p)] = 1;
      return;
    }
    const Similarity s = compare(scans[i].fingerprint, scans[j].fingerprint);
    link.ncc = s.ncc;
    link.detail_ncc = s.detail_ncc;
    if (s.overlap >= t.min_overlap && s.ncc >= t.min_ncc && s.detail_ncc >= t.min_detail_ncc) {
      found[static_cast<std::size_t>(p)] = link;
      matched[static_cast<std::size_t>(p)] = 1;
    }
  });

  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  std::vector<Link> links;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    if (!matched[p]) continue;
    links.push_back(found[p]);
    parent[root_of(parent, found[p].a)] = root_of(parent, found[p].b);
  }
  std::map<std::size_t, DuplicateGroup> by_root;
  for (std::size_t i = 0; i < n; ++i) {
    by_root[root_of(parent, i)].scans.push_back(i);
  }
  std::vector<DuplicateGroup> groups;
  for (auto& [root, group] : by_root) {
    if (group.scans.size() < 2) continue;
    group.exact = true;
    for (const Link& l : links) {
      if (root_of(parent, l.a) != root) continue;
      group.min_ncc = std::min(group.min_ncc, l.ncc);
      group.min_detail_ncc = std::min(group.min_detail_ncc, l.detail_ncc);
    }
    for (const std::size_t s : group.scans)
      group.exact = group.exact && scans[s].voxel_hash == scans[group.scans[0]].voxel_hash;
    groups.push_back(group);
  }
  return groups;
}

std::vector<Finding> duplicate_findings(const std::vector<ScanSummary>& scans,
                                        const std::vector<DuplicateGroup>& groups) {
  std::vector<Finding> findings;
  for (const DuplicateGroup& g : groups) {
    Finding f;
    f.kind = "duplicate";
    f.severity = Severity::kError;
    std::set<std::string> patients;
    std::string members;
    for (const std::size_t s : g.scans) {
      const ScanEntry& e = scans[s].entry;
      f.patient_ids.push_back(e.patient_id);
      f.scan_ids.push_back(e.scan_id);
      f.files.push_back(e.image_as_written);
      patients.insert(e.patient_id);
      members += fmt::format("{}{}/{}", members.empty() ? "" : ", ", e.patient_id, e.scan_id);
    }
    f.message = g.exact
                    ? fmt::format("the same scan filed under {} patient ids ({}): identical voxels",
                                  patients.size(), members)
                    : fmt::format(
                          "the same scan filed under {} patient ids ({}): re-saved, re-cropped or "
                          "re-noised copies (correlation {:.3f}, detail {:.3f})",
                          patients.size(), members, g.min_ncc, g.min_detail_ncc);
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace modir::dataset
