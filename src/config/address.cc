#include "config/address.h"

#include "config/config.h"
#include "config/values.h"
#include "core/strings.h"

namespace pgha::config {
namespace internal {

Result<HostPort> ParseHostPort(const std::string& text) {
  size_t colon = text.rfind(':');
  int64_t port = 0;
  if (colon == std::string::npos || !ParseIntText(text.substr(colon + 1), &port) ||
      text.substr(colon + 1).find_first_not_of("0123456789") != std::string::npos) {
    return Err("expected host:port, got " + Shown(text));
  }
  if (port < 1 || port > 65535) {
    return Err("port must be between 1 and 65535, got " + Shown(text));
  }
  std::string host = Trim(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return HostPort{host, static_cast<int>(port)};
}

std::string JoinHostPort(const std::string& host, int port) {
  bool ipv6 = host.find(':') != std::string::npos && host.find(',') == std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool IsWildcardHost(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "*";
}

std::vector<std::string> ListenHosts(const std::string& host) {
  std::vector<std::string> hosts;
  for (const std::string& h : Split(host, ',')) hosts.push_back(Trim(h));
  return hosts;
}

std::string DefaultConnectAddress(const HostPort& listen) {
  std::string first = ListenHosts(listen.host).front();
  return JoinHostPort(IsWildcardHost(first) ? "127.0.0.1" : first, listen.port);
}

}  // namespace internal

int Postgresql::Port() const {
  auto parsed = internal::ParseHostPort(listen);
  return parsed.ok() ? parsed->port : 0;
}

std::string Postgresql::PgpassPath() const {
  if (!pgpass.empty()) return pgpass;
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".pgpass";
}

std::vector<std::string> Etcd::Endpoints() const {
  std::vector<std::string> out;
  for (const std::string& host : hosts) out.push_back(protocol + "://" + host);
  return out;
}

}  // namespace pgha::config
