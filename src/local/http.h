#pragma once
// Tiny HTTP client for loopback probes (agents' REST API, etcd health, HAProxy stats).
#include <string>

#include "core/result.h"

namespace pgha::ctl {

struct HttpReply {
  int status = 0;
  std::string body;
};
// GET/POST http://127.0.0.1:<port><path>; errors when the connection fails or times out.
Result<HttpReply> HttpRequest(const std::string& method, int port, const std::string& path,
                              const std::string& body = "", int timeout_ms = 2000);

}  // namespace pgha::ctl
