// `modir landmarks match` on a bladder that fills (248 ml -> 432 ml) between the scans: its few
// keypoints fail the mutual ratio test, and are found where the organ's outlines in the two label
// maps say they went, under the looser --outline-max-ratio (issue 17: pairs in every organ).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/phantom_pair_suite.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::run_modir;

constexpr int kBladder = 3;  // phantom/tissue.h

struct Row {
  std::string found_by;
  int fixed_label = -1;
  double error_mm = 0.0;
};

// matches.csv's rows (written with --true-displacement, so each has its error).
std::vector<Row> read_rows(const fs::path& table) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
    // id, fixed xyz, moving xyz, confidence, ratio, residual_mm, found_by, fixed_label,
    // moving_label, error_mm
    if (cells.size() != 14) continue;
    rows.push_back({cells[10], std::stoi(cells[11]), std::stod(cells[13])});
  }
  return rows;
}

class FillingBladderLandmarksCli : public test::PhantomPairSuite {
 protected:
  static void SetUpTestSuite() { make_pair("--seed 3 --size small --deformation large"); }

  static std::vector<Row> match(const std::string& name, const std::string& extra) {
    const fs::path result = out(name);
    const auto r = run_modir("landmarks match --quiet" + images() + labels() +
                             " --true-displacement " + quoted(pair("gt_displacement.nii.gz")) +
                             extra + " --out " + quoted(result));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_rows(result / "matches.csv");
  }
};

TEST_F(FillingBladderLandmarksCli, TheBladderGetsPairsWhereItsOutlinesSayItWent) {
  const std::vector<Row> rows = match("default", "");
  std::size_t bladder = 0, held = 0;
  for (const Row& row : rows) {
    if (row.fixed_label != kBladder) continue;
    ++bladder;
    if (row.found_by == "outlines") ++held;
    EXPECT_LE(row.error_mm, 3.0) << row.found_by;
  }
  EXPECT_GE(held, 3u) << bladder << " bladder pairs";
  const nlohmann::json summary = read_json(out("default") / "summary.json");
  EXPECT_EQ(summary["held_to_organ_outlines"].get<std::size_t>(), held) << summary.dump();
  EXPECT_DOUBLE_EQ(summary["options"]["outline_max_ratio"].get<double>(), 0.99);

  // The ordinary ratio test for them too: fewer bladder pairs.
  std::size_t strict = 0;
  for (const Row& row : match("strict", " --outline-max-ratio 0.9"))
    strict += row.fixed_label == kBladder ? 1 : 0;
  EXPECT_LT(strict, bladder);
}

}  // namespace
}  // namespace modir
