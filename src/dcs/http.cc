#include "dcs/http.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cctype>
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

// Made from the parsed URL rather than from its text: cpp-httplib's own URL pattern takes no
// IPv6 address but one of digits and colons, and no upper-case scheme.
Result<std::unique_ptr<httplib::ClientImpl>> MakeClient(const Url& url, const Tls& tls) {
  std::string scheme = url.scheme;
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https")
    return Err(url.base() + ": expected an http or https URL");
  if (url.host.empty()) return Err(url.base() + ": no host");
  const bool tls_on = scheme == "https";
  const int port = url.port.value_or(tls_on ? 443 : 80);
  std::unique_ptr<httplib::ClientImpl> client;
  if (tls_on) {
    // No client certificate when both are empty; a key in the certificate file when only it is.
    client = std::make_unique<httplib::SSLClient>(url.host, port, tls.cert,
                                                  tls.key.empty() ? tls.cert : tls.key);
  } else {
    client = std::make_unique<httplib::ClientImpl>(url.host, port);
  }
  if (!client->is_valid()) return Err(url.base() + ": cannot load the TLS certificate or key");
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
  req.set_header("Host", url.authority);  // keeps an IPv6 address in brackets
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
  Canceller(httplib::ClientImpl& client, std::optional<Clock::time_point> deadline,
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
  // Once the condition holds it stops the client every 50 ms until the transfer returns: a
  // stop that lands before the request is under way closes nothing.
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    bool fired = false;
    while (!done_) {
      Clock::time_point wake = Clock::now() + milliseconds(50);
      if (!cancel_ && !fired) wake = *deadline_;
      if (!fired && deadline_ && *deadline_ < wake) wake = *deadline_;
      cv_.wait_until(lock, wake, [this] { return done_; });
      if (done_) return;
      if (!fired) {
        bool expired = deadline_ && Clock::now() >= *deadline_;
        fired = expired || (cancel_ && cancel_());
        expired_ = expired;
      }
      if (fired) client_.stop();  // shuts the socket down: the blocked read returns at once
    }
  }

  httplib::ClientImpl& client_;
  std::optional<Clock::time_point> deadline_;
  std::function<bool()> cancel_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<bool> expired_{false};
  std::thread thread_;
};

Result<std::pair<Url, httplib::ClientImpl*>> Target(Session& session, const Request& request) {
  std::optional<Url> url = ParseUrl(request.url);
  if (!url) return Err(request.url + ": not a URL");
  if (url->path.empty()) url->path = "/";
  auto client = session.For(*url, request.tls);
  if (!client.ok()) return client.error();
  return std::make_pair(*url, *client);
}

bool TlsFailure(httplib::Error error) {
  return error == httplib::Error::SSLConnection || error == httplib::Error::SSLLoadingCerts ||
         error == httplib::Error::SSLServerVerification;
}

}  // namespace

Session::Session() = default;
Session::~Session() = default;

Result<httplib::ClientImpl*> Session::For(const Url& url, const Tls& tls) {
  auto it = clients_.find(url.base());
  if (it != clients_.end()) return it->second.get();
  auto made = MakeClient(url, tls);
  if (!made.ok()) return made.error();
  return clients_.emplace(url.base(), std::move(*made)).first->second.get();
}

void Session::Forget(const Url& url) { clients_.erase(url.base()); }

Result<Response> Post(Session& session, const Request& request) {
  auto target = Target(session, request);
  if (!target.ok()) return target.error();
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
  if (ok && response.status == 0) response.status = ignored.status;  // 204: no handler call
  if (ok || WholeBeforeTrailer(error, response)) return response;
  if (TlsFailure(error)) session.Forget(url);
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
  if (!target.ok()) return target.error();
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
