// Small sections: credentials, restapi, ctl, tags, watchdog (log: log_section.cc).
#include "config/sections.h"

#include <algorithm>
#include <cctype>
#include <climits>

#include "config/address.h"
#include "config/values.h"
#include "config/yaml_util.h"

namespace pgha::config::internal {
namespace {

const std::vector<std::string_view> kLibpqOptions = {
    "sslmode",     "sslkey",     "sslcert",         "sslpassword",
    "sslrootcert", "sslcrl",     "sslcrldir",       "sslnegotiation",
    "sslsni",      "gssencmode", "channel_binding", "target_session_attrs"};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// restapi/ctl authentication: both username and password, or no section at all.
Status ReadBasicAuth(const Section& s, std::optional<Credentials>* out) {
  if (!s.present()) return OkStatus();
  Credentials creds;
  PGHA_TRY(ReadCredentials(s, false, &creds));
  if (creds.username.empty()) return Err(s.PathOf("username") + ": required with authentication");
  if (creds.password.empty()) return Err(s.PathOf("password") + ": required with authentication");
  *out = creds;
  return OkStatus();
}

Status ReadRestApiAddresses(const Section& s, RestApi* r) {
  if (s.AgentOnlyAbsent("listen")) return OkStatus();
  PGHA_TRY(s.Require("listen", "PATRONI_RESTAPI_LISTEN"));
  PGHA_TRY(s.Str("listen", &r->listen));
  auto listen = ParseHostPort(r->listen);
  if (!listen.ok()) return s.Fail("listen", listen.message());
  if (!s.Has("connect_address")) {
    r->connect_address = DefaultConnectAddress(*listen);
    if (IsWildcardHost(listen->host)) {
      s.Warn(s.PathOf("connect_address") + ": not set; using " + r->connect_address +
             " (peers on other hosts need a routable address)");
    }
    return OkStatus();
  }
  PGHA_TRY(s.Str("connect_address", &r->connect_address));
  auto connect = ParseHostPort(r->connect_address);
  if (!connect.ok()) return s.Fail("connect_address", connect.message());
  if (IsWildcardHost(connect->host)) {
    return s.Fail("connect_address",
                  "must be an address peers can reach, got " + Shown(r->connect_address));
  }
  return OkStatus();
}

Status ReadRestApiTls(const Section& s, RestApi* r) {
  PGHA_TRY(s.Str("certfile", &r->certfile));
  PGHA_TRY(s.Str("keyfile", &r->keyfile));
  PGHA_TRY(s.Str("keyfile_password", &r->keyfile_password));
  PGHA_TRY(s.Str("cafile", &r->cafile));
  r->verify_client = "none";
  PGHA_TRY(s.Str("verify_client", &r->verify_client));
  PGHA_TRY(s.OneOf("verify_client", r->verify_client, {"none", "optional", "required"}));
  if (r->verify_client != "none" && (r->certfile.empty() || r->cafile.empty())) {
    return s.Fail("verify_client", r->verify_client + " needs restapi.certfile and restapi.cafile");
  }
  if (!r->keyfile.empty() && r->certfile.empty()) {
    return s.Fail("keyfile", "given without restapi.certfile");
  }
  return OkStatus();
}

Status ReadTagBools(const Section& s, ha::Tags* t) {
  PGHA_TRY(s.Bool("nofailover", &t->nofailover));
  PGHA_TRY(s.Bool("noloadbalance", &t->noloadbalance));
  PGHA_TRY(s.Bool("nosync", &t->nosync));
  PGHA_TRY(s.Bool("clonefrom", &t->clonefrom));
  return s.Bool("nostream", &t->nostream);
}

Result<std::string> WatchdogMode(const Section& s) {
  nlohmann::json mode = ScalarToJson(s.Get("mode"));
  if (!s.Get("mode").IsScalar()) return s.Fail("mode", "expected off, automatic or required");
  if (mode.is_boolean() && !mode.get<bool>()) return std::string("off");  // YAML `off`
  std::string text = Lower(s.Get("mode").Scalar());
  if (text == "off" || text == "disabled") return std::string("off");
  if (text == "automatic" || text == "auto") return std::string("automatic");
  if (text == "required" || text == "require") return std::string("required");
  return s.Fail("mode", "expected off, automatic or required, got " + Describe(s.Get("mode")));
}

}  // namespace

Status ReadCredentials(const Section& s, bool libpq_options, Credentials* out) {
  std::vector<std::string_view> known = {"username", "password"};
  if (libpq_options) known.insert(known.end(), kLibpqOptions.begin(), kLibpqOptions.end());
  PGHA_TRY(s.CheckKeys(known));
  PGHA_TRY(s.Str("username", &out->username));
  PGHA_TRY(s.Str("password", &out->password));
  if (!libpq_options) return OkStatus();
  for (std::string_view option : kLibpqOptions) {
    std::string value;
    PGHA_TRY(s.Str(option, &value));
    if (s.Has(option)) out->options[std::string(option)] = value;
  }
  return OkStatus();
}

Status ReadRestApi(const Section& root, RestApi* r) {
  Section s = root.Child("restapi");
  PGHA_TRY(
      s.CheckKeys({"listen", "connect_address", "proxy_address", "authentication", "certfile",
                   "keyfile", "keyfile_password", "cafile", "ciphers", "verify_client", "allowlist",
                   "allowlist_include_members", "http_extra_headers", "https_extra_headers",
                   "request_queue_size", "thread_pool_size", "server_tokens"}));
  if (!s.present()) {
    if (s.ctx()->ctl_only) return OkStatus();
    return Err(
        "restapi.listen: required (set it in the file or with "
        "PATRONI_RESTAPI_LISTEN)");
  }
  PGHA_TRY(ReadRestApiAddresses(s, r));
  Section auth = s.Child("authentication");
  PGHA_TRY(auth.CheckKeys({"username", "password"}));
  PGHA_TRY(ReadBasicAuth(auth, &r->authentication));
  PGHA_TRY(ReadRestApiTls(s, r));
  PGHA_TRY(s.StrList("allowlist", &r->allowlist));
  PGHA_TRY(s.Bool("allowlist_include_members", &r->allowlist_include_members));
  s.WarnUnused("http_extra_headers");
  s.WarnUnused("https_extra_headers");
  s.WarnUnused("ciphers");
  s.WarnUnused("proxy_address");
  for (const char* key : {"request_queue_size", "thread_pool_size", "server_tokens"}) {
    s.WarnUnused(key);
  }
  return OkStatus();
}

Status ReadCtl(const Section& root, Ctl* c) {
  Section s = root.Child("ctl");
  PGHA_TRY(s.CheckKeys(
      {"authentication", "insecure", "cacert", "certfile", "keyfile", "keyfile_password"}));
  Section auth = s.Child("authentication");
  PGHA_TRY(auth.CheckKeys({"username", "password"}));
  PGHA_TRY(ReadBasicAuth(auth, &c->authentication));
  PGHA_TRY(s.Bool("insecure", &c->insecure));
  PGHA_TRY(s.Str("cacert", &c->cacert));
  PGHA_TRY(s.Str("certfile", &c->certfile));
  PGHA_TRY(s.Str("keyfile", &c->keyfile));
  s.WarnUnused("keyfile_password");
  return OkStatus();
}

Status ReadTags(const Section& root, ha::Tags* t) {
  Section s = root.Child("tags");
  PGHA_TRY(s.CheckKeys({}, {""}));  // any tag name is allowed
  if (!s.present()) return OkStatus();
  for (const auto& kv : s.node()) t->raw[kv.first.Scalar()] = NodeToJson(kv.second).dump();
  PGHA_TRY(ReadTagBools(s, t));
  int priority = 0;
  PGHA_TRY(s.Int("failover_priority", &priority, 0, INT_MAX));
  if (s.Has("failover_priority")) t->failover_priority = priority;
  PGHA_TRY(s.Int("sync_priority", &priority, 0, INT_MAX));
  if (s.Has("sync_priority")) t->sync_priority = priority;
  PGHA_TRY(s.Str("replicatefrom", &t->replicatefrom));
  if (t->nostream) {
    s.WarnUnused("nostream", "this replica still streams; only WAL shipping would honour it");
  }
  // Patroni's warnings, word for word: its users grep for them. The flag decides (ha::Tags).
  auto conflict = [&s](const char* flag, bool set, const char* name, std::optional<int> p) {
    if (!s.Has(flag) || !p || set != (*p > 0)) return;
    const std::string b = set ? "True" : "False";
    s.Warn("Conflicting configuration between " + std::string(flag) + ": " + b + " and " + name +
           ": " + std::to_string(*p) + ". Defaulting to " + flag + ": " + b);
  };
  conflict("nofailover", t->nofailover, "failover_priority", t->failover_priority);
  conflict("nosync", t->nosync, "sync_priority", t->sync_priority);
  return OkStatus();
}

Status ReadWatchdog(const Section& root, Watchdog* w) {
  Section s = root.Child("watchdog");
  PGHA_TRY(s.CheckKeys({"mode", "device", "safety_margin", "driver"}));
  if (s.Has("mode")) {
    auto mode = WatchdogMode(s);
    if (!mode.ok()) return mode.error();
    w->mode = *mode;
  }
  PGHA_TRY(s.NonEmptyStr("device", &w->device));
  PGHA_TRY(s.Str("driver", &w->driver));
  PGHA_TRY(s.OneOf("driver", w->driver, {"default", "testing"}));
  return s.Int("safety_margin", &w->safety_margin, -1, 3600);
}

}  // namespace pgha::config::internal
