#pragma once
// pgha's configuration: Patroni's YAML format (docs/interfaces.md §4) plus PATRONI_* / PGHA_*
// environment overrides, validated into typed values.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/guc_catalog.h"
#include "config/log_options.h"
#include "core/result.h"
#include "ha/cluster.h"
#include "ha/settings.h"

namespace pgha::config {

struct Credentials {
  std::string username;
  std::string password;
  std::map<std::string, std::string> options;  // sslmode, sslcert, ... passed to libpq
};

struct RestApi {
  std::string listen;           // "host:port"
  std::string connect_address;  // "host:port"; defaults to listen
  std::optional<Credentials> authentication;
  std::string certfile, keyfile, keyfile_password, cafile, verify_client;
  std::vector<std::string> allowlist;
  bool allowlist_include_members = false;
};

struct Etcd {
  std::vector<std::string> hosts;  // "host:port"
  std::string protocol = "http";
  std::string username, password;
  std::string cacert, cert, key;
  std::vector<std::string> Endpoints() const;  // protocol://host:port
};

struct Ctl {
  std::optional<Credentials> authentication;
  std::string cacert, certfile, keyfile;
  bool insecure = false;
};

// A user script that makes a data directory: a create_replica_methods entry or a custom
// bootstrap method (Patroni's keys; docs/interfaces.md 4.1). Its arguments are Patroni's
// (--scope, --datadir, and --role, --connstring for replicas) unless no_params, then `args`
// (every other key of its section, as --key=value in file order).
struct ScriptMethod {
  std::string name;
  std::vector<std::string> command;  // split as a shell would; empty: the built-in basebackup
  bool no_leader = false;            // replicas: works without a replication connection
  bool keep_data = false;            // replicas: do not empty the data directory before/after
  bool no_params = false;
  bool keep_existing_recovery_conf = false;  // bootstrap: keep the signal files it left
  std::vector<std::pair<std::string, std::string>> recovery_conf;  // bootstrap: then recover
  std::vector<std::pair<std::string, std::string>> args;
  bool Builtin() const { return command.empty(); }
};

struct Postgresql {
  std::string listen;  // "host:port" (host may be a comma list)
  // postgresql.callbacks: on_start, on_stop, on_restart, on_reload, on_role_change -> command.
  std::map<std::string, std::string> callbacks;
  // pre_promote: run after taking the leader key, before promoting; a non-zero exit cancels the
  // promotion and gives the key up. before_stop: run before a planned stop. argv; empty: none.
  std::vector<std::string> pre_promote, before_stop;
  std::string connect_address;  // "host:port"
  std::string data_dir;
  std::string bin_dir;  // empty: found automatically
  std::map<std::string, std::string> bin_name;
  std::string pgpass;
  Credentials superuser, replication, rewind;
  nlohmann::json parameters = nlohmann::json::object();  // GUC name -> value
  std::vector<std::string> pg_hba;
  bool use_pg_rewind = true;
  // The agent's own connections to its PostgreSQL go over the unix socket (the first of
  // parameters.unix_socket_directories, else libpq's default) instead of TCP to `listen`.
  bool use_unix_socket = false;
  // pgha only: commits on the primary wait for the agent's commit gate, which confirms nothing
  // once the fencing deadline passed (pg/commit_gate.h, docs/safety.md).
  bool commit_gate = true;
  int pg_ctl_timeout = 60;
  // create_replica_methods, in order (default: the built-in basebackup alone).
  std::vector<ScriptMethod> create_replica_methods = {ScriptMethod{"basebackup", {}}};
  // postgresql.basebackup: more pg_basebackup arguments, "--key=value" or "--flag".
  std::vector<std::string> basebackup;
  // The installed PostgreSQL's parameters, set by pgha at start from bin_dir (not read from the
  // file); null: parameters are checked only for their name and shape.
  std::shared_ptr<const GucCatalog> gucs;
  int Port() const;  // from listen
  // Where primary_conninfo's password goes (libpq's passfile): `pgpass`, else a file beside the
  // data directory, "<data_dir>.pgpass" (Patroni's default, ~/pgpass, would be shared by every
  // agent of one OS user on a host, and each would overwrite the others' entries).
  std::string PgpassPath() const;
};

struct Bootstrap {
  nlohmann::json dcs = nlohmann::json::object();  // initial dynamic config, written to /config once
  std::vector<std::string> initdb;                // "--opt" or "--opt=value"
  std::vector<std::string> pg_hba;
  std::optional<ScriptMethod> method;  // bootstrap.method other than initdb
  // bootstrap.post_bootstrap (or post_init): run once after the new cluster started, with the
  // superuser's connection string appended; a failure fails the bootstrap.
  std::vector<std::string> post_bootstrap;
};

struct Watchdog {
  std::string mode = "off";  // off | automatic | required
  std::string device = "/dev/watchdog";
  // default: a Linux watchdog device (ioctls); testing: Patroni's test harness, a named pipe
  // that gets "Ctimeout=N\n", "1" per keepalive and "V" on close.
  std::string driver = "default";
  int safety_margin = 5;
};

struct Config {
  std::string scope;
  std::string namespace_ = "/service";  // normalized: leading slash, no trailing slash
  std::string name;
  RestApi restapi;
  Etcd etcd;
  Ctl ctl;
  Bootstrap bootstrap;
  Postgresql postgresql;
  ha::Tags tags;
  Watchdog watchdog;
  std::string log_level = "info";
  std::string log_dir;
  LogOptions log;
  // Dynamic settings from the local file (top-level ttl/loop_wait/... and bootstrap.dcs);
  // overridden by /config from the DCS at run time (see MergeDynamic).
  nlohmann::json local_dynamic = nlohmann::json::object();
  std::vector<std::string> warnings;  // unknown keys and other non-fatal remarks
};

using Env = std::map<std::string, std::string>;
Env ProcessEnvironment();

// Parses YAML text (already read) plus the environment. Errors name the key path and reason,
// e.g. "postgresql.listen: expected host:port, got \"5432\"" (or the variable that set it).
// PGHA_CONFIGURATION / PATRONI_CONFIGURATION (PGHA_ wins), when set and not blank, replaces
// `yaml_text` (and LoadConfigFile's file, which is then not read) with a warning; the single
// PATRONI_* / PGHA_* variables always apply on top, whichever text was used.
Result<Config> ParseConfig(const std::string& yaml_text, const Env& env);
Result<Config> LoadConfigFile(const std::string& path, const Env& env);
// The same for pghactl's -c (patronictl's): name, restapi.listen and the postgresql section
// may be absent, and scope too (the cluster name is then given on the command line). A file that
// has them is checked as the agent checks it.
Result<Config> LoadCtlConfigFile(const std::string& path, const Env& env);

// Dynamic settings: `dcs_config` (the /config JSON, may be empty/{}) over the local values.
// Invalid values in the DCS are ignored with a warning naming them (the cluster keeps running):
// such a key keeps its value in `previous` (the agent's settings before this /config), and
// ttl, loop_wait and retry_timeout are kept together when they break the lease arithmetic.
// Nothing is clamped. Invalid postgresql.parameters are reported as not written.
ha::Settings MergeDynamic(const Config& local, const nlohmann::json& dcs_config,
                          const ha::Settings& previous, std::vector<std::string>* warnings);
// The same without previous settings: an invalid value leaves the local (or default) one.
ha::Settings MergeDynamic(const Config& local, const nlohmann::json& dcs_config,
                          std::vector<std::string>* warnings);

// Validates a whole dynamic configuration (/config, bootstrap.dcs): types, ranges, the lease
// arithmetic of ttl, loop_wait and retry_timeout (docs/timing.md), and postgresql.parameters
// against `gucs` (null: their names and shapes only). The error lists every problem, joined
// with "; ", each naming its key path (with `prefix`), the bad value and what is allowed,
// e.g. "ttl: 2 is below the minimum 5 for loop_wait 1 and retry_timeout 2 (...)". Unknown
// top-level keys are warnings, as in Patroni.
Status ValidateDynamicConfig(const nlohmann::json& config, const GucCatalog* gucs,
                             const std::string& prefix, std::vector<std::string>* warnings);
// For a change to /config (PATCH, edit-config): the problems `after` has that `before` did not.
// A problem already in `before` is a warning, so that an unrelated change (pause) still works
// while someone repairs a value written straight into etcd.
Status ValidateDynamicChange(const nlohmann::json& before, const nlohmann::json& after,
                             const GucCatalog* gucs, std::vector<std::string>* warnings);
// Effective PostgreSQL parameters: DCS postgresql.parameters, then local ones on top (except
// the GUCs that must be identical cluster-wide, which only the DCS sets). Entries that fail
// CheckParameters against local.postgresql.gucs are left out: an invalid value never reaches
// postgresql.conf (MergeDynamic and the agent's start warn about them by name).

nlohmann::json EffectiveParameters(const Config& local, const nlohmann::json& dcs_config);
// pg_hba.conf's lines as Patroni picks them: the local postgresql.pg_hba, else the dynamic
// configuration's (/config, or the file's own before etcd was read), else bootstrap.pg_hba.
std::vector<std::string> EffectiveHba(const Config& local, const nlohmann::json& dcs_config);
// An integer parameter of such a set (a number or integer text, as the configuration accepts
// it); nullopt when it is absent or not an integer.
std::optional<int64_t> IntParameter(const nlohmann::json& parameters, const std::string& name);
// What is wrong with the local file's postgresql.parameters and
// bootstrap.dcs.postgresql.parameters against local.postgresql.gucs, each naming its key path.
std::vector<std::string> LocalParameterProblems(const Config& local);

}  // namespace pgha::config
