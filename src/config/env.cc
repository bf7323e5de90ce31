#include "config/env.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "config/yaml_util.h"
#include "core/strings.h"

extern char** environ;

namespace pgha::config {

Env ProcessEnvironment() {
  Env env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

namespace internal {
namespace {

struct EnvKey {
  std::string suffix;             // after PATRONI_ / PGHA_
  std::vector<std::string> path;  // where it lands in the YAML tree
};

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

void AddSection(std::vector<EnvKey>* keys, const std::string& prefix,
                const std::vector<std::string>& section, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    std::vector<std::string> path = section;
    path.push_back(name);
    keys->push_back({prefix + Upper(name), path});
  }
}

std::vector<EnvKey> EnvKeys() {
  std::vector<EnvKey> keys;
  AddSection(&keys, "", {}, {"name", "scope", "namespace"});
  AddSection(&keys, "LOG_", {"log"},
             {"level", "dir", "type", "format", "dateformat", "traceback_level", "max_queue_size",
              "file_num", "file_size", "mode", "deduplicate_heartbeat_logs"});
  AddSection(&keys, "RESTAPI_", {"restapi"},
             {"listen", "connect_address", "certfile", "keyfile", "keyfile_password", "cafile",
              "verify_client", "allowlist", "allowlist_include_members"});
  AddSection(&keys, "RESTAPI_", {"restapi", "authentication"}, {"username", "password"});
  AddSection(&keys, "CTL_", {"ctl"},
             {"insecure", "cacert", "certfile", "keyfile", "keyfile_password"});
  AddSection(&keys, "CTL_", {"ctl", "authentication"}, {"username", "password"});
  AddSection(&keys, "POSTGRESQL_", {"postgresql"},
             {"listen", "connect_address", "proxy_address", "data_dir", "config_dir", "bin_dir",
              "pgpass", "commit_gate"});
  AddSection(&keys, "POSTGRESQL_BIN_", {"postgresql", "bin_name"},
             {"pg_ctl", "initdb", "pg_controldata", "pg_basebackup", "postgres", "pg_isready",
              "pg_rewind"});
  for (const std::string user : {"superuser", "replication", "rewind"}) {
    AddSection(
        &keys, Upper(user) + "_", {"postgresql", "authentication", user},
        {"username", "password", "sslmode", "sslkey", "sslcert", "sslpassword", "sslrootcert",
         "sslcrl", "sslcrldir", "sslnegotiation", "gssencmode", "channel_binding"});
  }
  for (const std::string dcs : {"etcd3", "etcd"}) {
    AddSection(&keys, Upper(dcs) + "_", {dcs},
               {"host", "hosts", "url", "proxy", "srv", "srv_suffix", "protocol", "username",
                "password", "cacert", "cert", "key", "use_proxies"});
  }
  return keys;
}

bool IsListKey(const std::string& name) { return name == "hosts" || name == "allowlist"; }

Result<YAML::Node> EnvValue(const EnvKey& key, const std::string& value, const std::string& var) {
  if (IsListKey(key.path.back()) && StartsWith(Trim(value), "[")) {
    auto parsed = ParseYaml(value);
    if (!parsed.ok() || !parsed->IsSequence()) {
      return Err(var + ": expected a list like [a, b] or a comma-separated string");
    }
    return *parsed;
  }
  return YAML::Node(value);
}

Status SetPath(const YAML::Node& root, const std::vector<std::string>& path,
               const YAML::Node& value, const std::string& var) {
  YAML::Node cur = root;
  std::string walked;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + path[i];
    YAML::Node next = cur[path[i]];
    if (next.IsDefined() && !next.IsNull() && !next.IsMap()) {
      return Err(var + ": cannot apply, " + walked + " is not a mapping");
    }
    cur.reset(next);
  }
  cur[path.back()] = value;
  return OkStatus();
}

}  // namespace

const std::string* LookupEnv(const Env& env, const std::string& suffix, std::string* var) {
  for (const char* prefix : {"PGHA_", "PATRONI_"}) {
    auto it = env.find(prefix + suffix);
    if (it != env.end()) {
      *var = it->first;
      return &it->second;
    }
  }
  return nullptr;
}

Status ApplyEnvironment(const Env& env, const YAML::Node& root, ParseContext* ctx) {
  for (const EnvKey& key : EnvKeys()) {
    std::string var;
    const std::string* value = LookupEnv(env, key.suffix, &var);
    if (value == nullptr) continue;
    auto node = EnvValue(key, *value, var);
    if (!node.ok()) return node.error();
    PGHA_TRY(SetPath(root, key.path, *node, var));
    std::string path;
    for (const std::string& p : key.path) path += (path.empty() ? "" : ".") + p;
    ctx->origins[path] = var;
  }
  return OkStatus();
}

}  // namespace internal
}  // namespace pgha::config
