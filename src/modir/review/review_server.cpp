#include "modir/review/review_server.h"

#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "modir/core/error.h"
#include "modir/review/manifest.h"
#include "modir/review/review_volumes.h"
#include "modir/review/safe_path.h"

namespace modir::review {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kHost = "127.0.0.1";

std::string content_type(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  // A JavaScript type (WHATWG MIME Sniffing, "JavaScript MIME type") that cpp-httplib does not
  // compress: it would brotli NiiVue's 2 MB at quality 11 on every load (about 4 s; nothing to
  // gain on a loopback connection).
  if (ext == ".js" || ext == ".mjs") return "application/x-javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".png") return "image/png";
  return "application/octet-stream";
}

std::string read_file(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// Same answer time whatever the first differing character: the token is a secret.
bool same_token(const std::string& given, const std::string& token) {
  if (given.size() != token.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  return diff == 0;
}

void answer_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(json{{"error", message}}.dump(), "application/json");
}

}  // namespace

std::string random_token() {
  std::random_device device;
  std::string token;
  for (int i = 0; i < 4; ++i) token += fmt::format("{:08x}", static_cast<std::uint32_t>(device()));
  return token;
}

struct ReviewServer::Impl {
  const ReviewFolder& folder;
  fs::path assets;
  VolumeSource volumes;
  ChooseAction choose;
  std::string token = random_token();
  int port = 0;
  httplib::Server server;

  Impl(const ReviewFolder& f, fs::path a, fs::path scratch, ChooseAction c)
      : folder(f), assets(std::move(a)), volumes(f, std::move(scratch)), choose(std::move(c)) {}

  // Every request must name the token, and the host it was sent to must be this server (a page
  // elsewhere that resolves its own name to 127.0.0.1 gets nothing: DNS rebinding).
  httplib::Server::HandlerResponse gate(const httplib::Request& req, httplib::Response& res) {
    const std::string host = req.get_header_value("Host");
    if (host != fmt::format("{}:{}", kHost, port) && host != fmt::format("localhost:{}", port)) {
      answer_error(res, 403, "requests must be sent to " + std::string(kHost));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!same_token(req.get_param_value("token"), token)) {
      answer_error(res, 403, "missing or wrong token: open the address modir review printed");
      return httplib::Server::HandlerResponse::Handled;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    return httplib::Server::HandlerResponse::Unhandled;
  }

  void serve_file(const fs::path& root, const std::string& relative, httplib::Response& res) {
    std::string why;
    const auto path = resolve_inside(root, relative, &why);
    if (!path) return answer_error(res, 404, "refused: " + why);
    res.set_content(read_file(*path), content_type(*path).c_str());
  }

  void serve_volume(const httplib::Request& req, httplib::Response& res) {
    std::optional<std::size_t> solution;
    if (req.has_param("solution")) {
      const std::string text = req.get_param_value("solution");
      if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
          text.size() > 6)
        return answer_error(res, 400, "solution must be a solution number");
      solution = std::stoul(text);
    }
    try {
      const auto bytes = volumes.nifti(req.matches[1].str(), solution);
      res.set_content(*bytes, "application/octet-stream");
    } catch (const Error& e) {
      answer_error(res, e.kind() == ErrorKind::kUsage ? 404 : 422, e.what());
    }
  }

  void serve_choose(const httplib::Request& req, httplib::Response& res) {
    if (!folder.front) return answer_error(res, 404, "this folder holds no front");
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.contains("index") || !body.at("index").is_number_unsigned())
      return answer_error(res, 400, "the body must be {\"index\": K}");
    try {
      res.set_content(choose(body.at("index").get<std::size_t>()).dump(), "application/json");
    } catch (const Error& e) {
      answer_error(res, 422, e.what());
    }
  }

  void routes() {
    server.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { return gate(req, res); });
    server.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      serve_file(assets, "index.html", res);
    });
    server.Get(R"(/assets/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      serve_file(assets, req.matches[1].str(), res);
    });
    server.Get(R"(/files/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      serve_file(folder.dir, req.matches[1].str(), res);
    });
    server.Get("/api/manifest", [this](const httplib::Request&, httplib::Response& res) {
      try {
        res.set_content(folder_manifest(folder, volumes).dump(), "application/json");
      } catch (const Error& e) {
        answer_error(res, 422, e.what());
      }
    });
    server.Get(
        R"(/api/volume/([a-z_]+)\.nii)",
        [this](const httplib::Request& req, httplib::Response& res) { serve_volume(req, res); });
    server.Post("/api/choose", [this](const httplib::Request& req, httplib::Response& res) {
      serve_choose(req, res);
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          answer_error(res, 500, "internal error");
        });
  }
};

ReviewServer::ReviewServer(const ReviewFolder& folder, fs::path assets, fs::path scratch,
                           ChooseAction choose)
    : impl_(std::make_unique<Impl>(folder, std::move(assets), std::move(scratch),
                                   std::move(choose))) {
  impl_->routes();
}

ReviewServer::~ReviewServer() = default;

int ReviewServer::bind(int port) {
  if (port == 0) {
    impl_->port = impl_->server.bind_to_any_port(kHost);
    if (impl_->port < 0) throw data_error("no free port on {} to serve the review page", kHost);
  } else {
    if (!impl_->server.bind_to_port(kHost, port))
      throw data_error(
          "port {} on {} is taken (or not allowed); choose another with --port, or "
          "leave it out for a free one",
          port, kHost);
    impl_->port = port;
  }
  return impl_->port;
}

std::string ReviewServer::url() const {
  return fmt::format("http://{}:{}/?token={}", kHost, impl_->port, impl_->token);
}

void ReviewServer::serve() {
  // What the page asks for first is prepared while the browser starts; a request for it waits
  // for the preparation instead of repeating it. Failures are left for the requests to report.
  std::thread prepare([this] {
    try {
      folder_manifest(impl_->folder, impl_->volumes);
      for (const char* id : {"fixed", "warped_labels"})
        if (!impl_->volumes.unavailable_reason(id)) impl_->volumes.nifti(id, std::nullopt);
    } catch (const std::exception&) {
    }
  });
  impl_->server.listen_after_bind();
  prepare.join();
}

void ReviewServer::stop() {
  impl_->server.stop();
}

}  // namespace modir::review
