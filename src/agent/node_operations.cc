// The HA loop's side of POST /restart, DELETE /restart, POST /reload and POST /reinitialize
// (docs/interfaces.md §3.3): same filters, codes and messages as Patroni.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "agent/agent.h"
#include "agent/log_format.h"
#include "core/iso_time.h"

namespace pgha::agent {
namespace {

node::OpResponse Text(int status, std::string body) { return {status, std::move(body), false}; }

// "15.2" / "15" / "150002" -> 150002 (server_version_num form).
std::optional<int> VersionNum(const std::string& v) {
  int major = 0, minor = 0;
  char extra = 0;
  if (std::sscanf(v.c_str(), "%d.%d%c", &major, &minor, &extra) == 2) return major * 10000 + minor;
  if (std::sscanf(v.c_str(), "%d%c", &major, &extra) == 1) {
    return major >= 10000 ? major : major * 10000;
  }
  return std::nullopt;
}

// Empty when the request's filters match this node now, else why not.
std::string RestartMismatch(const node::RestartRequest& r, const ha::LocalPg& pg) {
  bool primary = pg.running && !pg.in_recovery;
  if (r.role) {
    const std::string& role = *r.role;
    bool want_primary = role == "primary" || role == "master" || role == "leader";
    bool want_replica = role == "replica" || role == "standby";
    if ((want_primary && !primary) || (want_replica && primary)) return "role does not match";
  }
  if (r.postgres_version) {
    auto want = VersionNum(*r.postgres_version);
    if (want && pg.server_version >= *want) return "postgres version is not older";
  }
  if (r.restart_pending.value_or(false) && !pg.pending_restart) return "no restart pending";
  return "";
}

}  // namespace

void Agent::ServeOperations(ha::Observation& obs) {
  if (ops_) {
    for (auto& r : ops_->Drain()) r->done.set_value(Serve(*r, obs));
  }
  if (scheduled_restart_ && obs.wall_now >= *scheduled_restart_) {
    scheduled_restart_.reset();
    auto why = RestartMismatch(scheduled_request_, obs.pg);
    if (!why.empty()) {
      spdlog::info("scheduled restart skipped: {}", why);
    } else if (auto st = RestartPostgres(obs); !st.ok()) {
      spdlog::error("scheduled restart failed: {}", st.message());
    }
  }
}

node::OpResponse Agent::Serve(OperationRequest& r, ha::Observation& obs) {
  switch (r.kind) {
    case OperationRequest::Kind::kRestart:
      return DoRestart(r.restart, obs);
    case OperationRequest::Kind::kCancelRestart:
      if (!scheduled_restart_) return Text(404, "no restart is scheduled");
      scheduled_restart_.reset();
      return Text(200, "scheduled restart deleted");
    case OperationRequest::Kind::kReload:
      return DoReload();
    case OperationRequest::Kind::kReinitialize:
      return DoReinitialize(obs);
  }
  return Text(500, "unknown operation");
}

Status Agent::RestartPostgres(const ha::Observation& obs) {
  bool primary = obs.pg.running && !obs.pg.in_recovery;
  PublishMember(obs, "restarting");
  if (obs.pg.running) BeforeStop();
  PGHA_TRY(pg_.Stop("fast", cfg_.postgresql.pg_ctl_timeout));
  PGHA_TRY(StartInPlace(primary, obs));
  callbacks_.Fire("on_restart", primary ? "primary" : "replica");
  return OkStatus();
}

node::OpResponse Agent::DoRestart(const node::RestartRequest& r, ha::Observation& obs) {
  if (r.schedule && !r.schedule->empty()) {
    auto at = ParseZonedEpoch(*r.schedule);
    if (!at) return Text(400, "schedule is not a valid ISO 8601 timestamp: " + *r.schedule);
    if (settings_.pause) return Text(500, "Can't schedule restart in the paused state");
    if (scheduled_restart_)
      return Text(409, "Failed to schedule restart: another restart is already scheduled");
    scheduled_restart_ = *at;
    scheduled_request_ = r;
    return Text(202, "Restart scheduled");
  }
  if (!obs.pg.running) {
    // As Patroni: a restart of a stopped PostgreSQL starts it (an operator's way out of a crash
    // in maintenance mode, where the agent leaves it stopped): as primary only under our key.
    if (obs.pg.data_dir_empty) return Text(503, "restart failed: the data directory is empty");
    PublishMember(obs, "starting");
    const bool mine = obs.dcs_ok && obs.cluster.leader == cfg_.name;
    Status st = StartInPlace(mine, obs);
    if (!st.ok()) return Text(503, "restart failed: " + st.message());
    callbacks_.Fire("on_start", mine ? "primary" : "replica");
    spdlog::info("restart requested: started the stopped PostgreSQL");
    obs.pg = pg_.Observe();
    return Text(200, "restarted successfully");
  }
  std::string why = RestartMismatch(r, obs.pg);
  if (!why.empty()) return Text(503, "restart conditions are not satisfied: " + why);
  if (auto st = RestartPostgres(obs); !st.ok()) return Text(503, "restart failed: " + st.message());
  obs.pg = pg_.Observe();
  return Text(200, "restarted successfully");
}

node::OpResponse Agent::DoReload() {
  if (reload_) {
    auto fresh = reload_();
    if (!fresh.ok()) return Text(500, "reload failed: " + fresh.message());
    if (fresh->name != cfg_.name || fresh->scope != cfg_.scope ||
        fresh->postgresql.data_dir != cfg_.postgresql.data_dir) {
      return Text(500, "reload refused: name, scope and data_dir cannot change at run time");
    }
    cfg_.tags = fresh->tags;
    cfg_.postgresql.callbacks = fresh->postgresql.callbacks;
    callbacks_.SetCommands(cfg_.postgresql.callbacks);
    cfg_.postgresql.parameters = fresh->postgresql.parameters;
    cfg_.postgresql.pg_hba = fresh->postgresql.pg_hba;
    cfg_.local_dynamic = fresh->local_dynamic;
    if (fresh->log != cfg_.log || fresh->log_dir != cfg_.log_dir ||
        fresh->log_level != cfg_.log_level) {
      if (auto st = UseLogOptions(*fresh); !st.ok()) {
        spdlog::error("reload: the log settings stay as they were: {}", st.message());
      } else {
        cfg_.log = fresh->log;
        cfg_.log_dir = fresh->log_dir;
        cfg_.log_level = fresh->log_level;
      }
    }
    for (const auto& w : fresh->warnings) spdlog::warn("config: {}", w);
  }
  if (!written_params_.empty()) written_params_ = "reload";  // forces a rewrite and reload
  last_member_json_.clear();
  spdlog::info("reload requested: configuration will be re-applied");
  if (auto snap = snapshot(); snap && snap->pg.running) {
    callbacks_.Fire("on_reload", snap->pg.in_recovery ? "replica" : "primary");
  }
  return Text(202, "reload scheduled");
}

node::OpResponse Agent::DoReinitialize(const ha::Observation& obs) {
  if (!obs.dcs_ok) return Text(503, "DCS is not accessible, can not reinitialize");
  if (obs.cluster.leader == cfg_.name) return Text(503, "I am the leader, can not reinitialize");
  if (!obs.cluster.leader) return Text(503, "Cluster has no leader, can not reinitialize");
  PublishMember(obs, "reinitializing");
  if (auto st = pg_.Stop("immediate", cfg_.postgresql.pg_ctl_timeout); !st.ok()) {
    return Text(503, "reinitialize failed: " + st.message());
  }
  if (auto st = pg_.RemoveDataDir(); !st.ok()) {
    return Text(503, "reinitialize failed: " + st.message());
  }
  spdlog::info("reinitialize: data directory emptied; cloning from the leader");
  return Text(200, "reinitialize started");
}

}  // namespace pgha::agent
