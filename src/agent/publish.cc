// What the agent publishes: its member key, the leader's /status, and the PostgreSQL settings it
// writes for its own server.
#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "dcs/codec.h"
#include "ha/slots.h"
#include "pg/commit_gate.h"

namespace pgha::agent {

nlohmann::json Agent::Parameters() const {
  nlohmann::json p = config::EffectiveParameters(cfg_, dcs_config_);
  // Sensible replication defaults an operator would otherwise have to remember.
  auto set_default = [&](const char* k, nlohmann::json v) {
    if (!p.contains(k)) p[k] = std::move(v);
  };
  set_default("wal_level", "replica");
  set_default("hot_standby", "on");
  set_default("max_wal_senders", 10);
  set_default("max_replication_slots", 10);
  set_default("wal_keep_size", "128MB");
  if (settings_.use_pg_rewind) set_default("wal_log_hints", "on");
  // Owned by pgha: they follow from the config file and must not drift.
  std::string listen = cfg_.postgresql.listen;
  p["listen_addresses"] = listen.substr(0, listen.rfind(':'));
  p["port"] = cfg_.postgresql.Port();
  p["cluster_name"] = cfg_.scope;
  // Owned by the synchronous-replication step while synchronous_mode is on (ha/sync.h).
  if (settings_.synchronous_mode) p["synchronous_standby_names"] = sync_names_;
  // Where no standby is named, the commit gate is: no commit is acknowledged after the fencing
  // deadline (pg/commit_gate.h). Not while paused: the fence is disarmed and the agent may stop
  // with PostgreSQL left running.
  if (cfg_.postgresql.commit_gate && !settings_.pause && fence_.GatesCommits()) {
    auto it = p.find("synchronous_standby_names");
    if (it == p.end() || (it->is_string() && it->get_ref<const std::string&>().empty()))
      p["synchronous_standby_names"] = pg::CommitGateStandbyNames();
  }
  return p;
}

std::vector<std::string> Agent::Hba() const {
  return pg::WithCommitGateHba(cfg_.postgresql, config::EffectiveHba(cfg_, dcs_config_));
}

// A primary whose commit gate takes the WAL sender a replica needs says so (once per count).
void Agent::WarnWalSenderShortage(const ha::Observation& obs, const nlohmann::json& params) {
  if (!obs.pg.running || obs.pg.in_recovery || !fence_.GatesCommits()) return;
  auto senders = config::IntParameter(params, "max_wal_senders");
  if (!senders || *senders < 0 || *senders > 1000000) return;
  int replicas = 0;
  for (const auto& m : obs.cluster.members) replicas += m.name != cfg_.name ? 1 : 0;
  std::string warning = pg::WalSenderShortage(static_cast<int>(*senders), replicas);
  if (!warning.empty() && warning != wal_sender_warning_) spdlog::warn("{}", warning);
  wal_sender_warning_ = warning;
}

void Agent::SyncParameters(const ha::Observation& obs) {
  if (!obs.pg.running || written_params_.empty()) return;
  nlohmann::json params = Parameters();
  WarnWalSenderShortage(obs, params);
  if (params.dump() == written_params_) return;
  std::optional<pg::RecoveryTarget> recovery;
  if (obs.pg.in_recovery) {
    recovery = RecoveryFor(obs, obs.cluster.leader.value_or(""));
  }
  if (auto st = pg_.WriteConfig(params, Hba(), recovery); !st.ok()) {
    spdlog::error("writing postgresql.conf: {}", st.message());
    return;
  }
  written_params_ = params.dump();
  if (auto st = pg_.Reload(); !st.ok()) spdlog::error("reload: {}", st.message());
  spdlog::info("PostgreSQL parameters changed; configuration reloaded");
}

std::string Agent::MyConnUrl() const {
  return "postgres://" + cfg_.postgresql.connect_address + "/postgres";
}

std::string Agent::MyApiUrl() const {
  return (cfg_.restapi.certfile.empty() ? "http://" : "https://") + cfg_.restapi.connect_address +
         "/patroni";
}

void Agent::PublishMember(const ha::Observation& obs, const std::string& state_override) {
  const auto& pg = obs.pg;
  ha::Member m;
  m.name = cfg_.name;
  m.conn_url = MyConnUrl();
  m.api_url = MyApiUrl();
  m.state = state_override.empty() ? pg.state : state_override;
  m.role = pg.Role();
  m.version = PGHA_VERSION;
  if (pg.running) {
    m.xlog_location = pg.WalPosition();
    m.timeline = pg.timeline;
    if (pg.in_recovery) {
      m.receive_lsn = pg.receive_lsn;
      m.replay_lsn = pg.replay_lsn;
      m.replication_state = pg.streaming ? "streaming" : "in archive recovery";
    }
  } else if (!pg.data_dir_empty && pg.control_checkpoint > 0) {
    m.xlog_location = pg.control_checkpoint;
    m.timeline = pg.control_timeline;
  }
  m.tags = cfg_.tags;
  m.pending_restart = pg.pending_restart;
  m.pause = settings_.pause;
  if (checkpoint_pending_ && obs.cluster.leader == cfg_.name) m.checkpoint_after_promote = false;
  m.reason = last_reason_;
  std::string json = dcs::EncodeMember(m);
  // Re-put also when the lease changed (re-granted, or a new ttl): the key lives on its lease.
  if (json == last_member_json_ && member_lease_ == dcs_.lease_id()) return;
  int64_t lease = dcs_.lease_id();
  if (auto st = dcs_.TouchMember(json); !st.ok()) {
    spdlog::warn("updating member key: {}", st.message());
    return;
  }
  last_member_json_ = json;
  member_lease_ = lease;
}

void Agent::PublishStatus(const ha::Observation& obs) {
  if (obs.cluster.leader != cfg_.name || !obs.pg.running || obs.pg.in_recovery) return;
  SyncHistory(obs);
  uint64_t optime = obs.pg.wal_lsn;
  // At most once a second, whenever the position or a slot moves, so replicas judge lag and
  // advance their slots on fresh data.
  if (obs.now - last_status_write_ < std::chrono::milliseconds(900) && !last_status_.empty()) {
    return;
  }
  // As Patroni 4: where each slot this leader keeps stands (replicas advance their copies to
  // it), its own slot name at its WAL position, and the members' slot names to retain.
  std::map<std::string, uint64_t> slots;
  if (settings_.use_slots) {
    const auto plan = ha::PlanSlots(obs);
    for (const auto& s : slots_seen_) {
      if (plan.count(s.name) != 0 && s.Position()) slots[s.name] = *s.Position();
    }
    slots[ha::SlotName(cfg_.name)] = optime;
  }
  std::string status = dcs::EncodeStatus(optime, slots, ha::RetainedSlots(obs));
  if (status == last_status_) return;
  if (auto st = dcs_.WriteStatus(status); !st.ok()) {
    spdlog::warn("writing /status: {}", st.message());
    return;
  }
  last_status_ = status;
  last_status_write_ = obs.now;
}

}  // namespace pgha::agent
