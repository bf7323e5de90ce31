#include "local/http.h"

#include <httplib.h>

namespace pgha::ctl {

Result<HttpReply> HttpRequest(const std::string& method, int port, const std::string& path,
                              const std::string& body, int timeout_ms) {
  try {
    httplib::Client cli("127.0.0.1", port);
    auto timeout = std::chrono::milliseconds(timeout_ms);
    cli.set_connection_timeout(timeout);
    cli.set_read_timeout(timeout);
    cli.set_write_timeout(timeout);
    httplib::Result res = method == "POST"      ? cli.Post(path, body, "application/json")
                          : method == "OPTIONS" ? cli.Options(path)
                                                : cli.Get(path);
    if (!res) {
      return Err("http://127.0.0.1:" + std::to_string(port) + path + ": " +
                 httplib::to_string(res.error()));
    }
    return HttpReply{res->status, res->body};
  } catch (const std::exception& e) {
    return Err(std::string("http: ") + e.what());
  }
}

}  // namespace pgha::ctl
