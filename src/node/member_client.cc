#include "node/member_client.h"

#include <httplib.h>

#include "core/url.h"

namespace pgha::node {

ClientCert MemberClientCert(const config::Config& config) {
  const bool ctl = !config.ctl.certfile.empty();
  ClientCert cert;
  cert.certfile = ctl ? config.ctl.certfile : config.restapi.certfile;
  cert.keyfile = ctl ? config.ctl.keyfile : config.restapi.keyfile;
  if (cert.keyfile.empty()) cert.keyfile = cert.certfile;
  cert.cafile = config.ctl.cacert.empty() ? config.restapi.cafile : config.ctl.cacert;
  cert.verify = !cert.cafile.empty() && !config.ctl.insecure;
  return cert;
}

void UseMemberTls(httplib::Client* client, const ClientCert& cert) {
  if (cert.verify) client->set_ca_cert_path(cert.cafile);
  client->enable_server_certificate_verification(cert.verify);
}

std::optional<std::string> GetMemberStatus(const ha::Member& member, const ClientCert& cert,
                                           std::chrono::milliseconds connect_timeout,
                                           std::chrono::milliseconds read_timeout) {
  std::optional<Url> url = ParseUrl(member.api_url);
  if (!url) return std::nullopt;
  std::string base = url->base();
  std::string path = url->path.empty() ? "/patroni" : url->path;
  try {
    httplib::Client client(base, cert.certfile, cert.keyfile);  // no certificate when empty
    UseMemberTls(&client, cert);
    client.set_connection_timeout(connect_timeout);
    client.set_read_timeout(read_timeout);
    httplib::Result res = client.Get(path);
    if (!res || res->status != 200) return std::nullopt;
    return res->body;
  } catch (const std::exception&) {
    return std::nullopt;  // e.g. an unsupported scheme
  }
}

std::optional<config::Credentials> MemberAuth(const config::Config& config) {
  return config.ctl.authentication ? config.ctl.authentication : config.restapi.authentication;
}

MemberAnswer PostMember(const std::string& api_url, const std::string& path,
                        const std::string& json_body, const ClientCert& cert,
                        const std::optional<config::Credentials>& auth,
                        std::chrono::milliseconds timeout) {
  std::optional<Url> url = ParseUrl(api_url);
  if (!url) return {};
  try {
    httplib::Client client(url->base(), cert.certfile, cert.keyfile);
    UseMemberTls(&client, cert);
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    if (auth) client.set_basic_auth(auth->username, auth->password);
    httplib::Result res = client.Post(path, json_body, "application/json");
    if (!res) return {};
    return MemberAnswer{res->status, res->body, res->get_header_value("lsn")};
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace pgha::node
