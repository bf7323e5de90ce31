#include "agent/peers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <future>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "pg/render.h"

namespace pgha::agent {
namespace {

ha::PeerStatus ProbeOne(const ha::Member& m, std::chrono::milliseconds timeout,
                        const api::ClientCert& cert) {
  ha::PeerStatus s;
  s.name = m.name;
  auto scheme = m.api_url.find("://");
  if (scheme == std::string::npos) return s;
  auto path_start = m.api_url.find('/', scheme + 3);
  std::string base = m.api_url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/patroni" : m.api_url.substr(path_start);
  try {
    httplib::Client cli(base, cert.certfile, cert.keyfile);  // no certificate when empty
    auto secs = timeout.count() / 1000, usecs = (timeout.count() % 1000) * 1000;
    cli.set_connection_timeout(secs, usecs);
    cli.set_read_timeout(secs, usecs);
    api::UseMemberTls(&cli, cert);
    auto res = cli.Get(path);
    if (!res || res->status != 200) return s;
    return ParsePeerStatus(m.name, res->body);
  } catch (const std::exception&) {
    return s;
  }
}

}  // namespace

ha::PeerStatus ParsePeerStatus(const std::string& name, const std::string& body) {
  ha::PeerStatus s;
  s.name = name;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return s;
  s.reachable = true;
  std::string role = j.value("role", "");
  s.role = role == "master" ? "primary" : role;
  if (j.contains("timeline") && j["timeline"].is_number())
    s.timeline = j["timeline"].get<uint32_t>();
  const auto& x = j.contains("xlog") ? j["xlog"] : j.value("wal", nlohmann::json::object());
  if (x.is_object()) {
    auto num = [&](const char* k) -> uint64_t {
      return x.contains(k) && x[k].is_number() ? x[k].get<uint64_t>() : 0;
    };
    s.wal_position =
        std::max({num("location"), num("received_location"), num("replayed_location")});
  }
  if (j.contains("tags") && j["tags"].is_object()) {
    const auto& t = j["tags"];
    s.tags.nofailover = t.value("nofailover", false) == true;
    if (t.contains("failover_priority") && t["failover_priority"].is_number_integer()) {
      s.tags.failover_priority = t["failover_priority"].get<int>();
    }
  }
  return s;
}

std::vector<ha::PeerStatus> HttpPeerProber::Probe(const std::vector<ha::Member>& members,
                                                  const std::string& me) {
  std::vector<std::future<ha::PeerStatus>> futures;
  for (const auto& m : members) {
    if (m.name == me || m.api_url.empty()) continue;
    futures.push_back(std::async(std::launch::async, ProbeOne, m, timeout_, cert_));
  }
  std::vector<ha::PeerStatus> out;
  for (auto& f : futures) out.push_back(f.get());
  return out;
}

Reach ProbeTcp(const std::string& host, int port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) {
    return Reach::kUnknown;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, &freeaddrinfo);
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Reach::kUnknown;
  Reach out = Reach::kUnknown;
  int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
  if (rc == 0) {
    out = Reach::kOpen;
  } else if (errno == ECONNREFUSED) {
    out = Reach::kRefused;
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      out = err == 0 ? Reach::kOpen : err == ECONNREFUSED ? Reach::kRefused : Reach::kUnknown;
    }
  }
  ::close(fd);
  return out;
}

bool HttpPeerProber::ProcessesGone(const ha::Member& member) {
  std::string pg_host, api_host;
  int pg_port = 0, api_port = 0;
  if (!pg::ParseConnUrl(member.conn_url, &pg_host, &pg_port)) return false;
  if (!pg::ParseConnUrl(member.api_url, &api_host, &api_port)) return false;
  auto t = std::chrono::milliseconds(300);
  return ProbeTcp(pg_host, pg_port, t) == Reach::kRefused &&
         ProbeTcp(api_host, api_port, t) == Reach::kRefused;
}

}  // namespace pgha::agent
