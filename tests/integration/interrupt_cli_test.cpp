// Ctrl-C and SIGTERM during a run leave no temporary or half-written outputs and exit 130/143;
// a second run writing into a folder the first holds refuses instead of mixing files.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

extern char** environ;

namespace modir {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::run_modir;

// The modir binary started directly (not through a shell, which would ignore SIGINT in a
// background job), its output going to files.
pid_t start_modir(const std::vector<std::string>& arguments, const fs::path& log) {
  std::vector<std::string> words{MODIR_BINARY};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  pid_t pid = -1;
  const int status = posix_spawn(&pid, MODIR_BINARY, &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  return status == 0 ? pid : -1;
}

int exit_code_of(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits until `path` exists (the run has got as far as creating it), at most 20 s.
bool wait_for(const fs::path& path) {
  for (int k = 0; k < 400; ++k) {
    if (fs::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool has_temporary_files(const fs::path& folder) {
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.path().filename().string().rfind(".modir-", 0) == 0) return true;
  }
  return false;
}

class InterruptCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    const auto r = run_modir("phantom --quiet --seed 5 --size small --deformation large --out " +
                             quoted(dir_->path() / "pair"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::vector<std::string> register_into(const fs::path& out) {
    const fs::path p = dir_->path() / "pair";
    return {"register", "--fixed", (p / "fixed.nii.gz").string(), "--moving",
            (p / "moving.nii.gz").string(), "--fixed-labels", (p / "fixed_labels.nii.gz").string(),
            "--moving-labels", (p / "moving_labels.nii.gz").string(), "--out", out.string()};
  }
  static test::TempDir* dir_;
};

test::TempDir* InterruptCli::dir_ = nullptr;

TEST_F(InterruptCli, CtrlCAndSigtermLeaveNothingHalfWritten) {
  for (const int signal : {SIGINT, SIGTERM}) {
    const fs::path out = dir_->path() / ("run_" + std::to_string(signal));
    const pid_t pid = start_modir(register_into(out), dir_->path() / "log.txt");
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(wait_for(out)) << "the run did not start";
    std::this_thread::sleep_for(std::chrono::milliseconds(700));  // into the registration
    ASSERT_EQ(kill(pid, signal), 0);
    EXPECT_EQ(exit_code_of(pid), 128 + signal) << "signal " << signal;
    EXPECT_FALSE(fs::exists(out)) << "the folder this run created is removed";
    EXPECT_FALSE(has_temporary_files(dir_->path()));
  }
}

// Every file below `folder` with its bytes, to compare a folder before and after a run.
std::map<std::string, std::string> contents(const fs::path& folder) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    out[fs::relative(entry.path(), folder).string()] =
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

TEST_F(InterruptCli, AnInterruptedRunIntoAnExistingFolderLeavesItExactlyAsItWas) {
  // A folder holding an earlier result (and a file of the user's): a new registration into it is
  // stopped half-way, then one is let finish.
  const fs::path out = dir_->path() / "existing";
  auto earlier = register_into(out);
  earlier.insert(earlier.end(), {"--quiet"});
  const pid_t first = start_modir(earlier, dir_->path() / "log_first.txt");
  ASSERT_EQ(exit_code_of(first), 0);
  std::ofstream(out / "notes.txt") << "the physicist's notes";
  const auto before = contents(out);
  ASSERT_TRUE(before.count("displacement.nii.gz") && before.count("report.json"));

  auto again = register_into(out);
  again.insert(again.end(), {"--config", (dir_->path() / "finer.json").string()});
  std::ofstream(dir_->path() / "finer.json") << R"({"regularity": {"bending_weight": 50}})";
  const pid_t pid = start_modir(again, dir_->path() / "log_again.txt");
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // into the registration
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(exit_code_of(pid), 128 + SIGTERM);
  EXPECT_EQ(contents(out), before) << "the folder changed";
  EXPECT_FALSE(has_temporary_files(out));
  EXPECT_FALSE(fs::exists(out / ".modir-lock"));

  // Let finish, the new result replaces the old one and the user's file stays.
  const pid_t done = start_modir(again, dir_->path() / "log_done.txt");
  ASSERT_EQ(exit_code_of(done), 0);
  const auto after = contents(out);
  EXPECT_NE(after.at("report.json"), before.at("report.json"));
  EXPECT_EQ(after.at("notes.txt"), "the physicist's notes");
  EXPECT_FALSE(has_temporary_files(out));
}

TEST_F(InterruptCli, AnInterruptedPhantomLeavesNoHalfPatient) {
  // A medium pair takes seconds to generate and writes several files: stopped part-way, the
  // folder it created goes, rather than a patient with a fixed scan and no moving one.
  const fs::path out = dir_->path() / "phantom_run";
  const pid_t pid = start_modir({"phantom", "--seed", "7", "--size", "medium", "--deformation",
                                 "large", "--out", out.string()},
                                dir_->path() / "phantom_log.txt");
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for(out)) << "the run did not start";
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // into the generation
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(exit_code_of(pid), 128 + SIGTERM);
  EXPECT_FALSE(fs::exists(out)) << "the folder this run created is removed";
  EXPECT_FALSE(has_temporary_files(dir_->path()));
}

TEST_F(InterruptCli, ASecondRunIntoAHeldFolderRefusesAndTheFirstFinishesIntact) {
  const fs::path out = dir_->path() / "shared_out";
  const pid_t first = start_modir(register_into(out), dir_->path() / "first.txt");
  ASSERT_GT(first, 0);
  ASSERT_TRUE(wait_for(out / ".modir-lock"));
  std::vector<std::string> words = register_into(out);
  std::string arguments;
  for (const std::string& w : words) arguments.append(" ").append(test::quoted(fs::path(w)));
  const auto second = run_modir(arguments.substr(1));
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(second.err.find("another modir run"), std::string::npos) << second.err;
  ASSERT_EQ(exit_code_of(first), 0);
  for (const char* name : {"displacement.nii.gz", "warped.nii.gz", "report.json"})
    EXPECT_TRUE(fs::exists(out / name)) << name;
  EXPECT_FALSE(fs::exists(out / ".modir-lock"));
  EXPECT_FALSE(has_temporary_files(dir_->path()));
}

}  // namespace
}  // namespace modir
