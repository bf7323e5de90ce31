// Making a data directory with a user's script: create_replica_methods (pgBackRest, WAL-G,
// a restore without a leader) and a custom bootstrap method, with Patroni's arguments.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "agent/agent.h"
#include "pg/commit_gate.h"
#include "pg/connection.h"
#include "pg/render.h"

namespace pgha::agent {
namespace {

// command + Patroni's own arguments (unless no_params) + --key=value for the method's keys.
std::vector<std::string> MethodArgv(const config::ScriptMethod& m,
                                    const std::vector<std::pair<std::string, std::string>>& own) {
  std::vector<std::string> argv = m.command;
  std::vector<std::pair<std::string, std::string>> args = m.args;
  if (!m.no_params) {
    for (const auto& [key, value] : own) {
      auto same = [&key = key](const auto& a) { return a.first == key; };
      if (auto it = std::find_if(args.begin(), args.end(), same); it != args.end()) {
        it->second = value;  // Patroni's value wins, in the user's position
      } else {
        args.emplace_back(key, value);
      }
    }
  }
  for (const auto& [key, value] : args) argv.push_back("--" + key + "=" + value);
  return argv;
}

}  // namespace

// Restore scripts copy a tree into the data directory's path and fail if it exists (as Patroni
// leaves it): an empty directory there goes; one that holds anything was moved aside before.
void Agent::RemoveEmptyDataDir() {
  std::error_code ec;
  const std::string& dir = cfg_.postgresql.data_dir;
  if (std::filesystem::is_directory(dir, ec) && std::filesystem::is_empty(dir, ec)) {
    std::filesystem::remove(dir, ec);  // a mount point stays (EBUSY): nothing to do then
  }
}

Status Agent::CloneFromLeader(const ha::Observation& obs, const std::string& source,
                              const std::string& upstream) {
  std::string conninfo;
  const auto& repl = cfg_.postgresql.replication;
  if (!source.empty()) {
    const ha::Member* m = obs.cluster.FindMember(source);
    std::string host;
    int port = 0;
    if (!m || !pg::ParseConnUrl(m->conn_url, &host, &port)) {
      return Err("clone source " + source + " has no usable conn_url");
    }
    conninfo = pg::PrimaryConninfo(host, port, repl, cfg_.name) + " dbname=postgres";
  }
  PublishMember(obs, "creating replica");
  std::string failures;
  bool made = false;
  for (const auto& method : cfg_.postgresql.create_replica_methods) {
    // Without a source only the methods that need none (as Patroni: no_leader) can work.
    if (source.empty() && !method.no_leader) continue;
    Status st = method.Builtin() ? pg_.Basebackup(conninfo, 3600, cfg_.postgresql.basebackup)
                                 : RunReplicaMethod(method, conninfo);
    if (st.ok()) {
      spdlog::info("replica created with {}", method.name);
      made = true;
      break;
    }
    spdlog::error("creating the replica with {} failed: {}", method.name, st.message());
    failures += (failures.empty() ? "" : "; ") + method.name + ": " + st.message();
  }
  if (!made) {
    return Err(failures.empty() ? "no create_replica_methods entry works without a leader"
                                : "every replica method failed: " + failures);
  }
  PGHA_TRY(pg_.WriteConfig(Parameters(), Hba(), RecoveryFor(obs, upstream)));
  written_params_ = Parameters().dump();
  return pg_.Start(cfg_.postgresql.pg_ctl_timeout);
}

Status Agent::RunReplicaMethod(const config::ScriptMethod& m, const std::string& conninfo) {
  auto split = pg::SplitPassword(conninfo);
  if (!split.ok()) return split.error();
  // What an earlier method left is moved aside, never deleted (docs/safety.md section 4).
  if (!m.keep_data && !pg_.Observe().data_dir_empty) {
    auto moved = pg_.MoveDataDirAside();
    if (!moved.ok()) return moved.error();
    spdlog::warn("{}: the data directory was not empty; moved aside to {}", m.name, *moved);
  }
  RemoveEmptyDataDir();
  std::map<std::string, std::string> env;
  if (!split->password.empty()) env["PGPASSWORD"] = split->password;
  spdlog::info("creating the replica with {}", m.name);
  Status st = pg_.RunDataDirScript(MethodArgv(m, {{"scope", cfg_.scope},
                                                  {"role", "replica"},
                                                  {"datadir", cfg_.postgresql.data_dir},
                                                  {"connstring", split->conninfo}}),
                                   env, 3600);
  if (!st.ok() && !m.keep_data && !pg_.Observe().data_dir_empty) {
    if (auto moved = pg_.MoveDataDirAside(); moved.ok()) {
      spdlog::warn("{} failed: what it wrote was moved aside to {}", m.name, *moved);
    }
  }
  return st;
}

Result<std::optional<pg::RecoveryTarget>> Agent::RunBootstrapMethod(const config::ScriptMethod& m) {
  spdlog::info("running the custom bootstrap method {}", m.name);
  RemoveEmptyDataDir();
  PGHA_TRY(pg_.RunDataDirScript(
      MethodArgv(m, {{"scope", cfg_.scope}, {"datadir", cfg_.postgresql.data_dir}}), {}, 3600));
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string dir = cfg_.postgresql.data_dir;
  if (!fs::exists(dir + "/PG_VERSION", ec)) {
    return Err(m.name + " exited 0 but left no PostgreSQL data directory in " + dir);
  }
  fs::remove(dir + "/postmaster.pid", ec);  // a backup of a running server carries one
  if (!m.recovery_conf.empty()) {
    pg::RecoveryTarget t;
    t.archive_recovery = true;
    t.settings = m.recovery_conf;
    return std::optional<pg::RecoveryTarget>(std::move(t));
  }
  if (m.keep_existing_recovery_conf) {
    if (fs::exists(dir + "/recovery.signal", ec)) {
      pg::RecoveryTarget t;
      t.archive_recovery = true;
      return std::optional<pg::RecoveryTarget>(std::move(t));
    }
    if (fs::exists(dir + "/standby.signal", ec)) {
      return std::optional<pg::RecoveryTarget>(pg::RecoveryTarget{});
    }
  }
  return std::optional<pg::RecoveryTarget>();
}

// Recovery refuses to run with a lower max_connections (and four others) than the server the
// backup came from had: until it has ended, use at least those (Patroni reads pg_controldata
// the same way). The configured values come back with the configuration written afterwards.
void Agent::RaiseToRecoveryFloor(nlohmann::json* params) {
  for (const auto& [name, floor] : pg_.RecoveryFloor()) {
    int64_t configured = 0;
    const nlohmann::json& v = params->contains(name) ? (*params)[name] : nlohmann::json();
    if (v.is_number_integer()) {
      configured = v.get<int64_t>();
    } else if (v.is_string()) {
      configured = std::strtoll(v.get<std::string>().c_str(), nullptr, 10);
    }
    if (configured >= floor) continue;
    spdlog::info("{} = {} until recovery ends: the backup's server had {}", name, floor, floor);
    (*params)[name] = floor;
  }
}

// A custom bootstrap's recovery ends with PostgreSQL promoting itself (end of the archive, or
// recovery_target_action: promote). Bounded like a clone; a recovery that pauses at its target
// never ends and fails the bootstrap here.
Status Agent::WaitForEndOfRecovery() {
  const MonoTime give_up = clock_.Now() + std::chrono::seconds(3600);
  while (clock_.Now() < give_up) {
    ha::LocalPg now = pg_.Observe();
    if (now.running && !now.in_recovery) return OkStatus();
    if (!now.postmaster) return Err("PostgreSQL stopped during recovery after the bootstrap");
    if (now.running && now.replay_paused) {
      return Err(
          "recovery after the bootstrap paused at its target (recovery_target_action: "
          "pause); promote it by hand or set recovery_target_action: promote");
    }
    clock_.SleepFor(Millis(1000));  // poll pacing
  }
  return Err("recovery after the bootstrap did not end within an hour");
}

Status Agent::RunPostBootstrap() {
  const config::Postgresql& pg = cfg_.postgresql;
  auto conninfo = pg::SplitPassword(
      pg::UserConninfo(pg::LocalHost(pg), pg.Port(), pg.superuser, {{"dbname", "postgres"}}));
  if (!conninfo.ok()) return conninfo.error();
  std::vector<std::string> argv = cfg_.bootstrap.post_bootstrap;
  argv.push_back(conninfo->conninfo);
  // As Patroni: what the script writes commits locally, and no statement_timeout cuts it short.
  std::map<std::string, std::string> env = {
      {"PGOPTIONS", "-c synchronous_commit=local -c statement_timeout=0"}};
  if (!conninfo->password.empty()) env["PGPASSWORD"] = conninfo->password;
  spdlog::info("running post_bootstrap {}", argv.front());
  if (auto st = pg_.RunDataDirScript(argv, env, 3600); !st.ok()) {
    return Err("post_bootstrap " + argv.front() + " failed: " + st.message());
  }
  return OkStatus();
}

}  // namespace pgha::agent
