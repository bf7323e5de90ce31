// The DCS section: etcd3 (or Patroni's v2 `etcd`, read the same way: pgha speaks only v3).
#include <algorithm>

#include "config/address.h"
#include "config/sections.h"
#include "config/values.h"
#include "core/strings.h"

namespace pgha::config::internal {
namespace {

constexpr int kEtcdPort = 2379;

struct Endpoint {
  std::string scheme;    // empty when not given
  std::string hostport;  // "host:port"
};

// "host", "host:port", "[v6]:port", "v6", or any of these after "scheme://".
Result<Endpoint> ParseEndpoint(std::string text) {
  Endpoint out;
  text = Trim(text);
  size_t sep = text.find("://");
  if (sep != std::string::npos) {
    out.scheme = text.substr(0, sep);
    text = text.substr(sep + 3);
    text = text.substr(0, text.find('/'));
  }
  if (text.empty()) return Err("expected host:port, got an empty host");
  if (!out.scheme.empty() && out.scheme != "http" && out.scheme != "https") {
    return Err("expected an http or https URL, got " + Shown(out.scheme + "://" + text));
  }
  auto colons = static_cast<size_t>(std::count(text.begin(), text.end(), ':'));
  bool bare_ipv6 = colons > 1 && text.front() != '[';
  bool bracketed_no_port = !text.empty() && text.front() == '[' && text.back() == ']';
  if (colons == 0 || bare_ipv6 || bracketed_no_port) {
    if (bracketed_no_port) text = text.substr(1, text.size() - 2);
    out.hostport = JoinHostPort(text, kEtcdPort);
  } else {
    auto hp = ParseHostPort(text);
    if (!hp.ok()) return hp.error();
    out.hostport = JoinHostPort(hp->host, hp->port);
  }
  if (out.hostport.front() == ':') return Err("expected host:port, got " + Shown(text));
  return out;
}

// The endpoints from hosts, host, url or proxy (the first one present, like Patroni).
Result<std::vector<std::string>> EndpointTexts(const Section& s, std::string* key) {
  std::vector<std::string> texts;
  for (const char* k : {"hosts", "host", "url", "proxy"}) {
    if (!s.Has(k)) continue;
    *key = k;
    PGHA_TRY(s.StrList(k, &texts));
    return texts;
  }
  return texts;
}

Status CollectHosts(const Section& s, Etcd* e) {
  std::string key, scheme;
  auto texts = EndpointTexts(s, &key);
  if (!texts.ok()) return texts.error();
  for (const std::string& text : *texts) {
    auto endpoint = ParseEndpoint(text);
    if (!endpoint.ok()) return s.Fail(key, endpoint.message());
    if (!endpoint->scheme.empty() && !scheme.empty() && endpoint->scheme != scheme) {
      return s.Fail(key, "mixes http and https endpoints");
    }
    if (!endpoint->scheme.empty()) scheme = endpoint->scheme;
    e->hosts.push_back(endpoint->hostport);
  }
  if (scheme.empty()) return OkStatus();
  if (s.Has("protocol") && e->protocol != scheme) {
    return s.Fail(key, "URL scheme " + scheme + " contradicts protocol " + e->protocol);
  }
  e->protocol = scheme;
  return OkStatus();
}

Status CheckSrv(const Section& s, const Etcd& e) {
  if (!s.Has("srv")) return OkStatus();
  if (e.hosts.empty()) {
    return s.Fail("srv", "DNS SRV discovery is not supported by pgha; list the endpoints in " +
                             s.PathOf("hosts"));
  }
  s.Warn(s.PathOf("srv") + ": DNS SRV discovery is not supported by pgha; ignored");
  return OkStatus();
}

Result<Section> DcsSection(const Section& root) {
  for (const char* other : {"consul", "zookeeper", "kubernetes", "raft", "exhibitor"}) {
    if (root.Has(other)) return root.Fail(other, "pgha supports only etcd (the etcd3 section)");
  }
  bool v3 = root.Has("etcd3"), v2 = root.Has("etcd");
  if (v3 && v2) return Err("etcd, etcd3: give only one of these sections (pgha uses etcd3)");
  if (!v3 && !v2) {
    return Err("etcd3: required (set etcd3.hosts in the file or with PATRONI_ETCD3_HOSTS)");
  }
  if (v2) {
    root.Warn("etcd: pgha always speaks the etcd v3 API; the etcd section is read as etcd3");
  }
  return root.Child(v3 ? "etcd3" : "etcd");
}

}  // namespace

Status ReadEtcd(const Section& root, Etcd* e) {
  auto section = DcsSection(root);
  if (!section.ok()) return section.error();
  const Section& s = *section;
  PGHA_TRY(s.CheckKeys({"host", "hosts", "url", "proxy", "srv", "srv_suffix", "protocol",
                        "username", "password", "cacert", "cert", "key", "use_proxies"}));
  PGHA_TRY(s.Str("protocol", &e->protocol));
  PGHA_TRY(s.OneOf("protocol", e->protocol, {"http", "https"}));
  PGHA_TRY(s.Str("username", &e->username));
  PGHA_TRY(s.Str("password", &e->password));
  PGHA_TRY(s.Str("cacert", &e->cacert));
  PGHA_TRY(s.Str("cert", &e->cert));
  PGHA_TRY(s.Str("key", &e->key));
  bool use_proxies = false;
  PGHA_TRY(s.Bool("use_proxies", &use_proxies));
  s.WarnUnused("use_proxies", "pgha talks to the listed hosts only, never to discovered members");
  s.WarnUnused("srv_suffix");
  PGHA_TRY(CollectHosts(s, e));
  PGHA_TRY(CheckSrv(s, *e));
  if (e->hosts.empty()) {
    return s.FailSelf("at least one endpoint is required (hosts, host or url)");
  }
  return OkStatus();
}

}  // namespace pgha::config::internal
