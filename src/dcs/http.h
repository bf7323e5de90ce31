#pragma once
// Internal: the libcurl calls the etcd client needs (one POST, one streaming POST), with RAII
// handles and a deadline on every transfer.
#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pgha::dcs::http {

struct Tls {
  std::string cacert, cert, key;
};

struct Request {
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::chrono::milliseconds timeout{3000};
  std::chrono::milliseconds connect_timeout{1000};
  Tls tls;
};

struct Response {
  long status = 0;
  std::string body;
};

// One easy handle: reused between calls so connections are kept alive. Not thread-safe.
class Easy {
 public:
  Easy();
  ~Easy();
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;
  CURL* get() const { return handle_; }

 private:
  CURL* handle_;
};

// A complete POST. Transport failures (refused, timed out, reset) are errors naming curl's
// reason; any HTTP status is a response.
Result<Response> Post(Easy& easy, const Request& request);

// A streaming POST: `on_data` gets bytes as they arrive and returns false to end the stream.
// Returns when the stream ends, `on_data` declines, or `stop` is set (checked every ~100 ms).
// `idle_limit`: a stream silent for this long is treated as dead (a hung server sends nothing).
struct StreamEnd {
  long status = 0;
  bool stopped = false;  // by `stop` or by on_data
};
// `alive` (optional) is asked about every 50 ms whether the stream still looks alive; false ends
// it with an error (a stream silent beyond what its server's rhythm allows, dcs/stall_detector.h).
Result<StreamEnd> PostStream(const Request& request, std::chrono::seconds idle_limit,
                             const std::function<bool(std::string_view)>& on_data,
                             const std::atomic<bool>& stop,
                             const std::function<bool()>& alive = nullptr);

}  // namespace pgha::dcs::http
