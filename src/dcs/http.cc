#include "dcs/http.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/url.h"

namespace pgha::dcs::http {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A dead peer on a kept-alive connection is found by TCP keepalive within ~10 s even when no
// request is waiting on it.
void KeepaliveOptions(int sock) {
  int on = 1, idle = 5, interval = 5;
  setsockopt(sock, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
  setsockopt(sock, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(sock, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

Result<std::unique_ptr<httplib::Client>> MakeClient(const std::string& base, const Tls& tls) {
  std::unique_ptr<httplib::Client> client;
  try {
    // No client certificate when both are empty; a key in the certificate file when only it is.
    client =
        std::make_unique<httplib::Client>(base, tls.cert, tls.key.empty() ? tls.cert : tls.key);
  } catch (const std::exception& e) {
    return Err(base + ": " + e.what());
  }
  if (!client->is_valid()) return Err(base + ": cannot use this URL or its TLS files");
  if (!tls.cacert.empty()) client->set_ca_cert_path(tls.cacert);
  client->enable_server_certificate_verification(true);
  client->set_keep_alive(true);
  client->set_socket_options(KeepaliveOptions);
  return client;
}

std::string Describe(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect (refused, unreachable or no route)";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "no answer (connection closed or read timed out)";
    case httplib::Error::Write:
      return "could not send the request";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts:
      return "could not load the TLS certificate files";
    case httplib::Error::SSLServerVerification:
      return "the server's TLS certificate did not verify";
    default:
      return "HTTP transfer failed (" + httplib::to_string(error) + ")";
  }
}

httplib::Headers ToHeaders(const std::vector<std::string>& lines) {
  httplib::Headers out;
  for (const auto& line : lines) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t value = line.find_first_not_of(' ', colon + 1);
    out.emplace(line.substr(0, colon), value == std::string::npos ? "" : line.substr(value));
  }
  return out;
}

httplib::Request PostRequest(const Url& url, const Request& request) {
  httplib::Request req;
  req.method = "POST";
  req.path = url.path;
  req.headers = ToHeaders(request.headers);
  req.set_header("Content-Type", "application/json");
  req.body = request.body;
  return req;
}

// etcd's gateway ends an error response (404, 401, ...) with an HTTP trailer after the last
// chunk, which cpp-httplib 0.11 cannot read: it reports a read error after handing over the
// whole body. The body is whole when it is one complete JSON document; the connection is closed
// either way.
bool WholeBeforeTrailer(httplib::Error error, const Response& response) {
  return error == httplib::Error::Read && response.status > 0 && !response.body.empty() &&
         nlohmann::json::accept(response.body);
}

// Stops `client`'s transfer from another thread once `deadline` passes or `cancel` (asked every
// 50 ms, when given) says so: the transfer's own timeouts bound each wait, this bounds the whole.
class Canceller {
 public:
  Canceller(httplib::Client& client, std::optional<Clock::time_point> deadline,
            std::function<bool()> cancel)
      : client_(client), deadline_(deadline), cancel_(std::move(cancel)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Canceller() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Canceller(const Canceller&) = delete;
  Canceller& operator=(const Canceller&) = delete;
  bool expired() const { return expired_.load(); }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!done_) {
      Clock::time_point wake = Clock::now() + milliseconds(50);
      if (!cancel_) wake = *deadline_;
      if (deadline_ && *deadline_ < wake) wake = *deadline_;
      cv_.wait_until(lock, wake, [this] { return done_; });
      if (done_) return;
      bool expired = deadline_ && Clock::now() >= *deadline_;
      if (expired || (cancel_ && cancel_())) {
        expired_ = expired;
        client_.stop();  // shuts the socket down: the blocked read returns at once
        return;
      }
    }
  }

  httplib::Client& client_;
  std::optional<Clock::time_point> deadline_;
  std::function<bool()> cancel_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> expired_{false};
  std::thread thread_;
};

Result<std::pair<Url, httplib::Client*>> Target(Session& session, const Request& request) {
  std::optional<Url> url = ParseUrl(request.url);
  if (!url) return Err(request.url + ": not a URL");
  if (url->path.empty()) url->path = "/";
  auto client = session.For(url->base(), request.tls);
  if (!client.ok()) return Err(client.message());
  return std::make_pair(*url, *client);
}

}  // namespace

Session::Session() = default;
Session::~Session() = default;

Result<httplib::Client*> Session::For(const std::string& base, const Tls& tls) {
  auto it = clients_.find(base);
  if (it != clients_.end()) return it->second.get();
  auto made = MakeClient(base, tls);
  if (!made.ok()) return Err(made.message());
  return clients_.emplace(base, std::move(*made)).first->second.get();
}

Result<Response> Post(Session& session, const Request& request) {
  auto target = Target(session, request);
  if (!target.ok()) return Err(target.message());
  auto& [url, client] = *target;
  client->set_connection_timeout(request.connect_timeout);
  client->set_read_timeout(request.timeout);
  client->set_write_timeout(request.timeout);
  Response response;
  httplib::Request req = PostRequest(url, request);
  req.response_handler = [&](const httplib::Response& r) {
    response.status = r.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    response.body.append(data, n);
    return true;
  };
  httplib::Response ignored;
  httplib::Error error = httplib::Error::Success;
  bool ok = false, expired = false;
  {
    Canceller canceller(*client, Clock::now() + request.timeout, nullptr);
    ok = client->send(req, ignored, error);
    expired = canceller.expired();
  }
  if (ok || WholeBeforeTrailer(error, response)) return response;
  if (expired)
    return Err("no answer within the deadline of " + std::to_string(request.timeout.count()) +
               " ms");
  return Err(Describe(error));
}

Result<StreamEnd> PostStream(const Request& request, std::chrono::seconds idle_limit,
                             const std::function<bool(std::string_view)>& on_data,
                             const std::atomic<bool>& stop, const std::function<bool()>& alive) {
  Session session;
  auto target = Target(session, request);
  if (!target.ok()) return Err(target.message());
  auto [url, client] = *target;
  client->set_connection_timeout(request.connect_timeout);
  client->set_read_timeout(idle_limit);  // a live stream may be quiet; this quiet is dead
  client->set_write_timeout(request.connect_timeout);

  // on_data runs on this thread, `alive` on the canceller's: both read the caller's state.
  std::mutex caller;
  StreamEnd end;
  bool stalled = false;
  httplib::Request req = PostRequest(url, request);
  req.response_handler = [&](const httplib::Response& response) {
    end.status = response.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    std::lock_guard<std::mutex> lock(caller);
    if (stop.load() || !on_data(std::string_view(data, n))) {
      end.stopped = true;
      return false;
    }
    return true;
  };
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  bool ok = false;
  {
    Canceller canceller(*client, std::nullopt, [&] {
      std::lock_guard<std::mutex> lock(caller);
      if (stop.load()) return true;
      if (alive && !alive()) stalled = true;
      return stalled;
    });
    ok = client->send(req, response, error);
  }
  if (stalled) return Err("the stream went silent beyond its progress-notification rhythm");
  end.stopped = end.stopped || stop.load();
  if (!ok && !end.stopped) return Err(Describe(error));
  return end;
}

}  // namespace pgha::dcs::http
