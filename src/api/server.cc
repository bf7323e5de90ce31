// RestServer over cpp-httplib: routing, the security gate for unsafe methods, TLS, lifecycle.
#include "api/server.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "api/failsafe.h"
#include "api/handlers.h"
#include "api/health.h"
#include "api/metrics.h"
#include "api/security.h"
#include "api/tls.h"
#include "core/strings.h"
#include "core/url.h"

namespace pgha::api {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

constexpr size_t kMaxBody = size_t{64} * 1024;
constexpr int kWorkers = 4;
constexpr int kIoTimeoutSeconds = 5;

void SendJson(Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SendText(Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text, "text/plain; charset=utf-8");
}

// The decision journal, newest first, each entry a scenario file; ?n=K: the newest K.
void SendJournal(const Request& req, const Snapshot& s, Response& res) {
  size_t n = SIZE_MAX;
  if (req.has_param("n")) {
    const std::string text = req.get_param_value("n");
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1) {
      return SendText(res, 400, "n must be a whole number of at least 1, not '" + text + "'\n");
    }
    n = static_cast<size_t>(value);
  }
  std::string out;
  if (s.journal) {
    for (auto it = s.journal->rbegin(); it != s.journal->rend() && n > 0; ++it, --n) {
      out += (out.empty() ? "" : "\n") + *it;
    }
  }
  SendText(res, 200, out);
}

void SendFailsafe(const FailsafeAnswer& a, Response& res) {
  if (!a.lsn.empty()) res.set_header("lsn", a.lsn);
  res.status = a.status;
  res.set_content(a.body, a.json ? "application/json" : "text/plain; charset=utf-8");
}

bool IsUnsafe(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool BodyTooLarge(const Request& req) {
  std::string length = req.get_header_value("Content-Length");
  return length.size() > 9 || (!length.empty() && std::stoull("0" + length) > kMaxBody);
}

// Addresses of `host` (a literal or a name). Empty when it does not resolve.
std::vector<IpNetwork> Resolve(const std::string& host) {
  if (std::optional<IpNetwork> literal = ParseIpNetwork(host)) return {*literal};
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return {};
  std::vector<IpNetwork> out;
  for (addrinfo* a = found; a; a = a->ai_next) {
    char text[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof(text), nullptr, 0, NI_NUMERICHOST) ==
        0) {
      if (std::optional<IpNetwork> n = ParseIpNetwork(text)) out.push_back(*n);
    }
  }
  freeaddrinfo(found);
  return out;
}

// Host part of "http://host:port/patroni".
std::string UrlHost(const std::string& url) { return ParseUrlOrAddress(url).host; }

class HttpRestServer final : public RestServer {
 public:
  HttpRestServer(config::RestApi options, SnapshotSource snapshot, ClusterLoader loader,
                 Handlers handlers)
      : options_(std::move(options)),
        snapshot_(std::move(snapshot)),
        loader_(std::move(loader)),
        live_positions_(handlers.live_positions),
        failsafe_inbox_(handlers.failsafe),
        operations_(OperationContext{std::move(handlers)}) {}
  ~HttpRestServer() override { Stop(); }

  Status Start() override;
  void Stop() override;

 private:
  Result<std::unique_ptr<httplib::Server>> MakeServer();
  void Configure(httplib::Server& server);
  Status Bind(httplib::Server& server);
  Status LoadAllowlist();

  std::shared_ptr<const Snapshot> CurrentSnapshot() const;
  void HandleGet(const Request& req, Response& res);
  void HandleStatusOnly(const Request& req, Response& res);
  void HandleFromDcs(const std::string& path, Response& res);
  void HandleUnsafe(const Request& req, Response& res);
  httplib::Server::HandlerResponse Gate(const Request& req, Response& res);
  bool AddressAllowed(const std::string& address) const;

  const config::RestApi options_;
  const SnapshotSource snapshot_;
  const ClusterLoader loader_;
  const std::function<bool(Snapshot*)> live_positions_;
  node::FailsafeInbox* const failsafe_inbox_;
  OperationHandlers operations_;  // switchover, failover, /config, restart, reload, reinit
  std::vector<IpNetwork> allowlist_;

  std::mutex lifecycle_mu_;  // serializes Start/Stop
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

std::shared_ptr<const Snapshot> HttpRestServer::CurrentSnapshot() const {
  std::shared_ptr<const Snapshot> s = snapshot_ ? snapshot_() : nullptr;
  return s ? s : std::make_shared<const Snapshot>();  // before the first HA loop: "stopped"
}

void HttpRestServer::HandleGet(const Request& req, Response& res) {
  if (req.method == "HEAD") return HandleStatusOnly(req, res);
  const std::string& path = req.path;
  if (path == "/cluster" || path == "/history" || path == "/config") {
    return HandleFromDcs(path, res);
  }
  std::shared_ptr<const Snapshot> s = CurrentSnapshot();
  if (path == "/patroni") {
    if (live_positions_ && s->pg.running) {
      auto fresh = std::make_shared<Snapshot>(*s);
      fresh->positions_stale = !live_positions_(fresh.get());
      s = std::move(fresh);
    }
    return SendJson(res, 200, StatusJson(*s));
  }
  if (path == "/metrics") {
    res.status = 200;
    return res.set_content(MetricsText(*s), "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path == "/journal") return SendJournal(req, *s, res);
  if (path == "/failsafe") return SendFailsafe(FailsafeGet(*s), res);
  int code = HealthStatus(path, req.params, *s, std::chrono::steady_clock::now());
  if (path == "/liveness" || path == "/readiness") {
    res.status = code;  // bare status line, as Patroni
    return;
  }
  SendJson(res, code, StatusJson(*s));  // health paths and the catch-all (503)
}

// HEAD and OPTIONS (HAProxy's default check is "OPTIONS /"): the status code only.
void HttpRestServer::HandleStatusOnly(const Request& req, Response& res) {
  if (req.path == "/patroni" || req.path == "/metrics") {
    res.status = 200;
    return;
  }
  res.status =
      HealthStatus(req.path, req.params, *CurrentSnapshot(), std::chrono::steady_clock::now());
}

void HttpRestServer::HandleFromDcs(const std::string& path, Response& res) {
  Result<ha::ClusterView> view = loader_ ? loader_() : Result<ha::ClusterView>(Err("no DCS"));
  if (!view.ok()) return SendJson(res, 503, {{"error", "DCS unavailable: " + view.message()}});
  if (path == "/cluster") return SendJson(res, 200, ClusterJson(*view, CurrentSnapshot()->scope));
  if (path == "/history") return SendJson(res, 200, HistoryJson(*view));
  json config = json::parse(view->config_json, nullptr, /*allow_exceptions=*/false);
  if (view->config_json.empty() || config.is_discarded()) {
    return SendText(res, 502, "no valid /config in the DCS\n");
  }
  SendJson(res, 200, config);
}

void HttpRestServer::HandleUnsafe(const Request& req, Response& res) {
  if (req.method == "POST" && req.path == "/failsafe") {
    return SendFailsafe(FailsafePost(*CurrentSnapshot(), req.body, failsafe_inbox_), res);
  }
  std::optional<OpResponse> done = operations_.Handle(req.method, req.path, req.body);
  if (!done) return SendText(res, 501, "Unsupported method ('" + req.method + "')\n");
  if (done->json) {
    res.status = done->status;
    return res.set_content(done->body, "application/json");
  }
  SendText(res, done->status, done->body);
}

bool HttpRestServer::AddressAllowed(const std::string& address) const {
  if (AllowlistPermits(allowlist_, address)) return true;
  if (!options_.allowlist_include_members || !loader_) return false;
  Result<ha::ClusterView> view = loader_();
  if (!view.ok()) return false;
  for (const ha::Member& m : view->members) {
    if (AllowlistPermits(Resolve(UrlHost(m.api_url)), address)) return true;
  }
  return false;
}

// Order as Patroni's check_access: allowlist (403), client certificate (403), Basic auth (401).
httplib::Server::HandlerResponse HttpRestServer::Gate(const Request& req, Response& res) {
  using HR = httplib::Server::HandlerResponse;
  if (!IsUnsafe(req.method)) return HR::Unhandled;
  bool restricted = !options_.allowlist.empty() || options_.allowlist_include_members;
  if (restricted && !AddressAllowed(req.remote_addr)) {
    SendText(res, 403, "Access is denied\n");
    return HR::Handled;
  }
  if (options_.verify_client == "optional" && !HasVerifiedClientCert(req.ssl)) {
    SendText(res, 403, "Access is denied: client certificate required\n");
    return HR::Handled;
  }
  if (options_.authentication) {
    std::optional<BasicCredentials> given = ParseBasicAuth(req.get_header_value("Authorization"));
    BasicCredentials expected{options_.authentication->username, options_.authentication->password};
    if (!given || !CredentialsMatch(*given, expected)) {
      res.set_header("WWW-Authenticate", "Basic realm=\"pgha\"");
      SendText(res, 401, "not authenticated\n");
      return HR::Handled;
    }
  }
  if (BodyTooLarge(req)) {
    SendText(res, 413, "request body larger than 64 KiB\n");
    return HR::Handled;
  }
  return HR::Unhandled;
}

Result<std::unique_ptr<httplib::Server>> HttpRestServer::MakeServer() {
  if (options_.certfile.empty()) return std::make_unique<httplib::Server>();
  Status tls = OkStatus();
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    tls = SetupServerTls(ctx, options_);
    return tls.ok();
  });
  if (!tls.ok()) return tls.error();
  if (!server->is_valid()) return Err("restapi: cannot create the TLS context");
  return std::unique_ptr<httplib::Server>(std::move(server));
}

void HttpRestServer::Configure(httplib::Server& server) {
  server.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  server.set_read_timeout(kIoTimeoutSeconds);
  server.set_write_timeout(kIoTimeoutSeconds);
  server.set_keep_alive_max_count(1);  // one request per connection: a slow client holds no worker
  server.set_payload_max_length(kMaxBody);
  // SO_REUSEADDR only: SO_REUSEPORT would let a second agent bind the same port silently.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.set_pre_routing_handler(
      [this](const Request& req, Response& res) { return Gate(req, res); });
  server.set_exception_handler([](const Request&, Response& res, const std::exception_ptr&) {
    SendText(res, 500, "internal error\n");
  });
  auto get = [this](const Request& req, Response& res) { HandleGet(req, res); };
  auto status_only = [this](const Request& req, Response& res) { HandleStatusOnly(req, res); };
  auto unsafe = [this](const Request& req, Response& res) { HandleUnsafe(req, res); };
  server.Get(".*", get);
  server.Options(".*", status_only);
  server.Post(".*", unsafe);
  server.Put(".*", unsafe);
  server.Patch(".*", unsafe);
  server.Delete(".*", unsafe);
}

Status HttpRestServer::Bind(httplib::Server& server) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(options_.listen, &host, &port)) {
    return Err("restapi.listen: expected host:port, got \"" + options_.listen + "\"");
  }
  if (host.empty() || host == "*") host = "0.0.0.0";
  errno = 0;
  if (!server.bind_to_port(host, port)) {
    std::string why = errno ? std::strerror(errno) : "bind failed";
    return Err("restapi: cannot listen on " + options_.listen + ": " + why);
  }
  return OkStatus();
}

Status HttpRestServer::LoadAllowlist() {
  Result<Allowlist> parsed = ParseAllowlist(options_.allowlist);
  if (!parsed.ok()) return parsed.error();
  allowlist_ = parsed->networks;
  for (const std::string& name : parsed->hostnames) {
    std::vector<IpNetwork> found = Resolve(name);
    if (found.empty()) return Err("restapi.allowlist: cannot resolve \"" + name + "\"");
    allowlist_.insert(allowlist_.end(), found.begin(), found.end());
  }
  return OkStatus();
}

Status HttpRestServer::Start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (server_) return Err("restapi: already started on " + options_.listen);
  PGHA_TRY(LoadAllowlist());
  Result<std::unique_ptr<httplib::Server>> made = MakeServer();
  if (!made.ok()) return made.error();
  std::unique_ptr<httplib::Server> server = std::move(made).value();
  Configure(*server);
  PGHA_TRY(Bind(*server));
  httplib::Server* raw = server.get();
  thread_ = std::thread([raw] { raw->listen_after_bind(); });
  // httplib's stop() is a no-op until the accept loop has begun; wait for it so that an
  // immediate Stop() cannot leave the thread running forever.
  while (!raw->is_running()) std::this_thread::yield();
  server_ = std::move(server);
  return OkStatus();
}

void HttpRestServer::Stop() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace

std::unique_ptr<RestServer> MakeRestServer(const config::RestApi& options, SnapshotSource snapshot,
                                           ClusterLoader loader, Handlers handlers) {
  return std::make_unique<HttpRestServer>(options, std::move(snapshot), std::move(loader),
                                          std::move(handlers));
}

}  // namespace pgha::api
