#pragma once
// Internal: the HTTP calls the etcd client needs (one POST, one streaming POST) over
// cpp-httplib, the one HTTP library pgha links, with a hard deadline on every transfer.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/url.h"

namespace httplib {
class ClientImpl;
}

namespace pgha::dcs::http {

struct Tls {
  std::string cacert, cert, key;
};

struct Request {
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  // The whole exchange. Connecting (and a name lookup, for a host that is not an address) is
  // bounded by connect_timeout alone: cpp-httplib cannot be interrupted before it is connected.
  std::chrono::milliseconds timeout{3000};
  std::chrono::milliseconds connect_timeout{1000};
  Tls tls;
};

struct Response {
  int status = 0;
  std::string body;
};

// Keeps one connection per server ("scheme://host:port") open between calls. Not thread-safe.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // The client for `url`'s server, made on first use with `tls`; an error names a bad URL or
  // TLS file.
  Result<httplib::ClientImpl*> For(const Url& url, const Tls& tls);
  // Drops the client for `url`'s server: the next call reads the TLS files again (rotated
  // certificates) and opens a new connection.
  void Forget(const Url& url);

 private:
  std::map<std::string, std::unique_ptr<httplib::ClientImpl>> clients_;
};

// A complete POST. Transport failures (refused, timed out, reset) are errors naming the reason;
// any HTTP status is a response.
Result<Response> Post(Session& session, const Request& request);

// A streaming POST: `on_data` gets bytes as they arrive and returns false to end the stream.
// Returns when the stream ends, `on_data` declines, or `stop` is set (checked every ~50 ms).
// `idle_limit`: a stream silent for this long is treated as dead (a hung server sends nothing).
struct StreamEnd {
  int status = 0;
  bool stopped = false;  // by `stop` or by on_data
};
// `alive` (optional) is asked every 50 ms whether the stream still looks alive; false ends it
// with an error (a stream silent beyond what its server's rhythm allows, dcs/stall_detector.h).
Result<StreamEnd> PostStream(const Request& request, std::chrono::seconds idle_limit,
                             const std::function<bool(std::string_view)>& on_data,
                             const std::atomic<bool>& stop,
                             const std::function<bool()>& alive = nullptr);

}  // namespace pgha::dcs::http
