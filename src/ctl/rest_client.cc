#include "ctl/rest_client.h"

#include <httplib.h>

namespace pgha::ctl {

std::string ApiBase(const std::string& api_url) {
  size_t scheme = api_url.find("://");
  if (scheme == std::string::npos) return "";
  return api_url.substr(0, api_url.find('/', scheme + 3));
}

RestClient::RestClient(const config::Config& config) : tls_(config.ctl) {
  auth_ = config.ctl.authentication ? config.ctl.authentication : config.restapi.authentication;
}

Result<RestReply> RestClient::Call(const ha::Member& member, const std::string& method,
                                   const std::string& endpoint,
                                   const std::optional<nlohmann::json>& body,
                                   std::chrono::seconds timeout) const {
  std::string base = ApiBase(member.api_url);
  if (base.empty()) return Err("member " + member.name + " publishes no REST api_url");
  try {
    httplib::Client client(base, tls_.certfile, tls_.keyfile);  // client cert when set
    if (!client.is_valid()) return Err("cannot use " + base);
    client.set_connection_timeout(std::chrono::seconds(5));
    client.set_read_timeout(timeout);
    client.set_write_timeout(std::chrono::seconds(10));
    if (auth_) client.set_basic_auth(auth_->username, auth_->password);
    if (!tls_.cacert.empty()) client.set_ca_cert_path(tls_.cacert);
    client.enable_server_certificate_verification(!tls_.insecure);
    std::string path = "/" + endpoint;
    std::string payload = body ? body->dump() : "";
    const char* type = "application/json";
    httplib::Result res = method == "POST"     ? client.Post(path, payload, type)
                          : method == "PATCH"  ? client.Patch(path, payload, type)
                          : method == "PUT"    ? client.Put(path, payload, type)
                          : method == "DELETE" ? client.Delete(path, payload, type)
                                               : client.Get(path);
    if (!res) {
      return Err(method + " " + base + path + ": " + httplib::to_string(res.error()));
    }
    return RestReply{res->status, res->body};
  } catch (const std::exception& e) {
    return Err(method + " " + base + "/" + endpoint + ": " + e.what());
  }
}

}  // namespace pgha::ctl
