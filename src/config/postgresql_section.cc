// The postgresql section.
#include "config/address.h"
#include "config/parameters.h"
#include "config/sections.h"
#include "config/values.h"
#include "config/yaml_util.h"
#include "core/strings.h"

namespace pgha::config::internal {
namespace {

Status ReadListen(const Section& s, Postgresql* pg) {
  if (s.AgentOnlyAbsent("listen")) return OkStatus();
  PGHA_TRY(s.Require("listen", "PATRONI_POSTGRESQL_LISTEN"));
  PGHA_TRY(s.Str("listen", &pg->listen));
  auto listen = ParseHostPort(pg->listen);
  if (!listen.ok()) return s.Fail("listen", listen.message());
  for (const std::string& host : ListenHosts(listen->host)) {
    if (host.empty() && listen->host.find(',') != std::string::npos) {
      return s.Fail("listen", "empty host in the list, got " + Shown(pg->listen));
    }
  }
  if (!s.Has("connect_address")) {
    pg->connect_address = DefaultConnectAddress(*listen);
    return OkStatus();
  }
  PGHA_TRY(s.Str("connect_address", &pg->connect_address));
  auto connect = ParseHostPort(pg->connect_address);
  if (!connect.ok()) return s.Fail("connect_address", connect.message());
  if (IsWildcardHost(connect->host) || connect->host.find(',') != std::string::npos) {
    return s.Fail("connect_address",
                  "must be one address peers can reach, got " + Shown(pg->connect_address));
  }
  return OkStatus();
}

Status ReadDataDir(const Section& s, Postgresql* pg) {
  if (s.AgentOnlyAbsent("data_dir")) return OkStatus();
  PGHA_TRY(s.Require("data_dir", "PATRONI_POSTGRESQL_DATA_DIR"));
  PGHA_TRY(s.NonEmptyStr("data_dir", &pg->data_dir));
  if (pg->data_dir.front() != '/') {
    return s.Fail("data_dir", "must be an absolute path, got " + Shown(pg->data_dir));
  }
  while (pg->data_dir.size() > 1 && pg->data_dir.back() == '/') pg->data_dir.pop_back();
  return OkStatus();
}

Status ReadPaths(const Section& s, Postgresql* pg) {
  PGHA_TRY(ReadDataDir(s, pg));
  std::string config_dir;
  PGHA_TRY(s.Str("config_dir", &config_dir));
  if (!config_dir.empty() && config_dir != pg->data_dir) {
    s.WarnUnused("config_dir", "postgresql.conf is kept in data_dir");
  }
  PGHA_TRY(s.Str("bin_dir", &pg->bin_dir));
  PGHA_TRY(s.Str("pgpass", &pg->pgpass));
  Section bin_name = s.Child("bin_name");
  PGHA_TRY(bin_name.CheckKeys({"pg_ctl", "initdb", "pg_controldata", "pg_basebackup", "postgres",
                               "pg_isready", "pg_rewind"}));
  if (!bin_name.present()) return OkStatus();
  for (const auto& kv : bin_name.node()) {
    std::string key = kv.first.Scalar();
    PGHA_TRY(bin_name.NonEmptyStr(key, &pg->bin_name[key]));
  }
  return OkStatus();
}

Status ReadAuthentication(const Section& s, Postgresql* pg) {
  Section auth = s.Child("authentication");
  PGHA_TRY(auth.CheckKeys({"superuser", "replication", "rewind"}));
  pg->superuser.username = "postgres";
  PGHA_TRY(ReadCredentials(auth.Child("superuser"), true, &pg->superuser));
  pg->replication.username = "replicator";
  PGHA_TRY(ReadCredentials(auth.Child("replication"), true, &pg->replication));
  if (auth.Has("rewind")) {
    pg->rewind.username = pg->superuser.username;
    PGHA_TRY(ReadCredentials(auth.Child("rewind"), true, &pg->rewind));
  } else {
    pg->rewind = pg->superuser;
  }
  const std::pair<const char*, const Credentials*> users[] = {
      {"superuser", &pg->superuser}, {"replication", &pg->replication}, {"rewind", &pg->rewind}};
  for (const auto& [user, creds] : users) {
    if (creds->username.empty()) return auth.Child(user).Fail("username", "must not be empty");
  }
  return OkStatus();
}

Status ReadParameters(const Section& s, Postgresql* pg) {
  Section params = s.Child("parameters");
  PGHA_TRY(params.CheckKeys({}, {""}));
  if (!params.present()) return OkStatus();
  for (const auto& kv : params.node()) {
    std::string name = kv.first.Scalar();
    if (!kv.second.IsScalar() && !kv.second.IsNull()) {
      return params.Fail(name, "expected a single value, got " + Describe(kv.second));
    }
    pg->parameters[name] = ScalarToJson(kv.second);
    if (IsClusterWideGuc(name)) {
      s.Warn(params.PathOf(name) +
             ": must be identical on every member, so only the DCS sets it "
             "(bootstrap.dcs.postgresql.parameters or pghactl edit-config); the local value is "
             "ignored");
    }
  }
  return OkStatus();
}

Status ReadCallbacks(const Section& root, Postgresql* pg) {
  Section s = root.Child("callbacks");
  static const std::vector<std::string_view> kActions = {"on_start", "on_stop", "on_restart",
                                                         "on_reload", "on_role_change"};
  PGHA_TRY(s.CheckKeys(kActions));  // an unknown action is warned about by name
  for (std::string_view action : kActions) {
    std::string command;
    PGHA_TRY(s.Str(action, &command));
    if (!s.Has(action)) continue;
    if (Trim(command).empty()) return s.Fail(action, "expected a command, got an empty string");
    pg->callbacks[std::string(action)] = command;
  }
  // The two hooks Patroni runs synchronously (agent/hooks.cc), split as a shell would.
  for (auto [key, argv] :
       {std::pair{"pre_promote", &pg->pre_promote}, std::pair{"before_stop", &pg->before_stop}}) {
    std::string command;
    PGHA_TRY(root.Str(key, &command));
    if (!root.Has(key)) continue;
    auto split = SplitCommandLine(command);
    if (!split.ok()) return root.Fail(key, split.message());
    if (split->empty()) return root.Fail(key, "expected a command, got an empty string");
    *argv = std::move(*split);
  }
  return OkStatus();
}

Status ReadBehaviour(const Section& s, Postgresql* pg) {
  PGHA_TRY(s.Bool("use_pg_rewind", &pg->use_pg_rewind));
  PGHA_TRY(s.Bool("use_unix_socket", &pg->use_unix_socket));
  PGHA_TRY(s.Bool("commit_gate", &pg->commit_gate));
  bool remove_on_rewind_failure = false;  // type-checked, then named in a warning
  PGHA_TRY(s.Bool("remove_data_directory_on_rewind_failure", &remove_on_rewind_failure));
  s.WarnUnused("remove_data_directory_on_rewind_failure",
               "after a failed pg_rewind pgha always moves the data directory aside, never "
               "deleting it, and clones the member again");
  PGHA_TRY(s.Int("pg_ctl_timeout", &pg->pg_ctl_timeout, 1, 86400));
  return s.Lines("pg_hba", &pg->pg_hba);
}

// Keys pgha reads but does not act on: say so rather than silently differ from Patroni.
void WarnUnusedKeys(const Section& s) {
  for (const char* key : {"recovery_conf", "custom_conf", "pg_ident", "proxy_address", "rewind",
                          "use_unix_socket_repl", "remove_data_directory_on_diverged_timelines"}) {
    s.WarnUnused(key);
  }
  if (s.present()) {
    for (const auto& kv : s.node()) {
      std::string key = kv.first.Scalar();
      if (key.rfind("parameters_", 0) == 0 || key.rfind("pg_hba_", 0) == 0 ||
          key.rfind("pg_ident_", 0) == 0) {
        s.WarnUnused(key);
      }
    }
  }
}

}  // namespace

Status ReadPostgresql(const Section& root, Postgresql* pg) {
  Section s = root.Child("postgresql");
  // The sections of the replica methods named in create_replica_methods are known keys too.
  std::vector<std::string> method_names;
  if (YAML::Node methods = s.Get("create_replica_methods"); methods.IsSequence()) {
    for (const auto& m : methods) {
      if (m.IsScalar()) method_names.push_back(m.Scalar());
    }
  }
  std::vector<std::string_view> known = {"listen",
                                         "connect_address",
                                         "proxy_address",
                                         "data_dir",
                                         "config_dir",
                                         "bin_dir",
                                         "bin_name",
                                         "pgpass",
                                         "authentication",
                                         "parameters",
                                         "pg_hba",
                                         "pg_ident",
                                         "use_pg_rewind",
                                         "remove_data_directory_on_rewind_failure",
                                         "remove_data_directory_on_diverged_timelines",
                                         "pg_ctl_timeout",
                                         "callbacks",
                                         "create_replica_methods",
                                         "basebackup",
                                         "rewind",
                                         "recovery_conf",
                                         "custom_conf",
                                         "pre_promote",
                                         "before_stop",
                                         "use_unix_socket",
                                         "use_unix_socket_repl",
                                         "commit_gate"};
  known.insert(known.end(), method_names.begin(), method_names.end());
  PGHA_TRY(s.CheckKeys(known, {"parameters_", "pg_hba_", "pg_ident_"}));
  if (!s.present()) {
    if (s.ctx()->ctl_only) return OkStatus();
    return Err(
        "postgresql.listen: required (set it in the file or with "
        "PATRONI_POSTGRESQL_LISTEN)");
  }
  PGHA_TRY(ReadListen(s, pg));
  PGHA_TRY(ReadPaths(s, pg));
  PGHA_TRY(ReadAuthentication(s, pg));
  PGHA_TRY(ReadParameters(s, pg));
  PGHA_TRY(ReadBehaviour(s, pg));
  PGHA_TRY(ReadCallbacks(s, pg));
  PGHA_TRY(ReadReplicaMethods(s, pg));
  PGHA_TRY(ReadBasebackupOptions(s, pg));
  WarnUnusedKeys(s);
  return OkStatus();
}

}  // namespace pgha::config::internal
