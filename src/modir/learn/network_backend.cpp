// The networks' public API (segmenter.h, train.h) over the module that holds LibTorch, loaded with
// dlopen the first time it is needed.

#include "modir/learn/network_backend.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modir/core/error.h"
#include "modir/core/version.h"

namespace modir::learn {

namespace detail {

namespace {

namespace fs = std::filesystem;

using Entry = const NetworkBackend* (*)(int abi, const char* version);

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

// Where the module is looked for, in order: MODIR_NETWORK_MODULE (a file), the installed layout
// (bin/modir, lib/modir/libmodir_torch.so), next to the program, and the build tree it came from.
std::vector<fs::path> module_candidates() {
  std::vector<fs::path> out;
  if (const char* env = std::getenv("MODIR_NETWORK_MODULE"); env != nullptr && *env != '\0') {
    out.emplace_back(env);
    return out;
  }
  if (const fs::path dir = executable_dir(); !dir.empty()) {
    out.push_back(dir.parent_path() / "lib" / "modir" / kNetworkModuleFile);
    out.push_back(dir / kNetworkModuleFile);
  }
#ifdef MODIR_BUILD_NETWORK_MODULE
  out.emplace_back(MODIR_BUILD_NETWORK_MODULE);
#endif
  return out;
}

struct Loaded {
  const NetworkBackend* backend = nullptr;
  std::string failure;  // why there is no backend
};

Loaded load() {
#ifndef MODIR_HAVE_TORCH_MODULE
  if (std::getenv("MODIR_NETWORK_MODULE") == nullptr) {
    return {nullptr,
            "this modir was built without LibTorch, so it cannot train or run networks; install "
            "libtorch-dev (scripts/setup) and rebuild (cmake -DMODIR_WITH_TORCH=ON)"};
  }
#endif
  std::vector<std::string> tried;
  for (const fs::path& path : module_candidates()) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      tried.push_back(path.string() + " (absent)");
      continue;
    }
    // Never closed: LibTorch does not support being unloaded.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      return {nullptr, fmt::format("cannot load modir's network module '{}': {}", path.string(),
                                   why ? why : "unknown reason")};
    }
    const auto entry = reinterpret_cast<Entry>(dlsym(handle, kNetworkModuleEntry));
    if (entry == nullptr) {
      return {nullptr, fmt::format("'{}' is not modir's network module (no {})", path.string(),
                                   kNetworkModuleEntry)};
    }
    const NetworkBackend* backend = entry(kNetworkBackendAbi, kVersion);
    if (backend == nullptr) {
      return {nullptr, fmt::format("the network module '{}' was built for another modir than {} "
                                   "(rebuild both together)",
                                   path.string(), kVersion)};
    }
    return {backend, ""};
  }
  return {nullptr, fmt::format("modir's network module {} was not found (tried {}); reinstall "
                               "modir, or set MODIR_NETWORK_MODULE to its path",
                               kNetworkModuleFile, fmt::join(tried, ", "))};
}

const Loaded& loaded() {
  static std::once_flag once;
  static Loaded result;
  std::call_once(once, [] { result = load(); });
  return result;
}

}  // namespace

const NetworkBackend& network_backend() {
  const Loaded& l = loaded();
  if (l.backend == nullptr) throw usage_error("{}", l.failure);
  return *l.backend;
}

}  // namespace detail

bool networks_available() {
  return detail::loaded().backend != nullptr;
}

void require_networks() {
  (void)detail::network_backend();
}

Device parse_device(const std::string& name) {
  if (name != "cpu" && name != "cuda")
    throw usage_error("--device must be cpu or cuda, not '{}'", name);
  // The CPU needs no look at the backend: starting LibTorch costs about 120 MB of memory, which
  // a registration that runs no network (register --device cpu, the default) must not pay.
  if (name == "cpu") return Device::kCpu;
  return detail::network_backend().parse_device(name);
}

struct Segmenter::Impl {
  std::unique_ptr<detail::SegmenterBackend> network;
};

Segmenter::Segmenter(const std::filesystem::path& model_dir, Device device)
    : impl_(std::make_unique<Impl>()) {
  impl_->network = detail::network_backend().load_segmenter(model_dir, device);
}
Segmenter::~Segmenter() = default;
Segmenter::Segmenter(Segmenter&&) noexcept = default;
Segmenter& Segmenter::operator=(Segmenter&&) noexcept = default;

const SegmentationPlan& Segmenter::plan() const {
  return impl_->network->plan();
}

LabelMap Segmenter::predict(const Image<float>& image, const PredictOptions& options,
                            Progress& progress) const {
  return impl_->network->predict(image, options, progress);
}

TrainResult train_segmentation(const TrainOptions& options, Progress& progress) {
  return detail::network_backend().train(options, progress);
}

}  // namespace modir::learn
