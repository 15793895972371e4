#include "modir/core/interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

namespace modir {

namespace fs = std::filesystem;

namespace {

std::mutex registry_mutex;
std::map<long, fs::path>& registry() {
  static std::map<long, fs::path> paths;
  return paths;
}
long next_id = 1;

void remove_unfinished() {
  std::lock_guard<std::mutex> lock(registry_mutex);
  // Twice: a worker thread may still be creating a file in a folder being removed.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [id, path] : registry()) {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  }
}

}  // namespace

void handle_interrupts() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) return;
  std::thread([signals] {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) return;
    remove_unfinished();
    std::fputs("modir: interrupted; unfinished outputs removed\n", stderr);
    std::fflush(stderr);
    _exit(128 + signal);
  }).detach();
}

UnfinishedOutput::UnfinishedOutput(fs::path path) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  id_ = next_id++;
  registry()[id_] = std::move(path);
}

UnfinishedOutput::~UnfinishedOutput() { release(); }

UnfinishedOutput::UnfinishedOutput(UnfinishedOutput&& other) noexcept : id_(other.id_) {
  other.id_ = 0;
}

UnfinishedOutput& UnfinishedOutput::operator=(UnfinishedOutput&& other) noexcept {
  if (this != &other) {
    release();
    id_ = other.id_;
    other.id_ = 0;
  }
  return *this;
}

void UnfinishedOutput::release() {
  if (id_ == 0) return;
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry().erase(id_);
  id_ = 0;
}

std::size_t unfinished_output_count() {
  std::lock_guard<std::mutex> lock(registry_mutex);
  return registry().size();
}

}  // namespace modir
