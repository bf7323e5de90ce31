#pragma once
// The agent: one HA loop per node, observe -> decide -> act (docs/architecture.md).
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "agent/callbacks.h"
#include "agent/failsafe.h"
#include "agent/fence.h"
#include "agent/operations.h"
#include "agent/peers.h"
#include "agent/watchdog.h"
#include "config/config.h"
#include "core/clock.h"
#include "dcs/dcs.h"
#include "ha/decision.h"
#include "ha/derived.h"
#include "node/failsafe_inbox.h"
#include "node/snapshot.h"
#include "pg/admin.h"
#include "pg/connection.h"
#include "pg/postgres.h"

namespace pgha::agent {

class Agent {
 public:
  Agent(config::Config config, dcs::Dcs& dcs, pg::Postgres& pg, PeerProber& peers, Fence& fence,
        Clock& clock);

  // Runs loops until `stop` is set or a halt action; returns the process exit code.
  int Run(const std::atomic<bool>& stop);
  // One observe -> decide -> act cycle. Returns false on a halt.
  bool RunOnce();
  // Clean shutdown: stop PostgreSQL, release the leader key, revoke the lease.
  void Shutdown();

  std::shared_ptr<const node::Snapshot> snapshot() const;
  // Operator requests from the REST API, served by the HA loop (optional).
  void set_operations(OperationQueue* ops) { ops_ = ops; }
  void set_watchdog(Watchdog* watchdog) { watchdog_ = watchdog; }
  // Failsafe mode: how this primary asks the members to confirm it, and where the REST API
  // records the confirmations this member gives (optional; without them failsafe_mode acts as
  // off, except that POST /failsafe is answered by nobody).
  void set_failsafe(FailsafeCaller* caller, node::FailsafeInbox* inbox) {
    failsafe_caller_ = caller;
    failsafe_inbox_ = inbox;
  }
  // Re-reads the local configuration file for POST /reload and SIGHUP (optional).
  void set_config_reloader(std::function<Result<config::Config>()> f) { reload_ = std::move(f); }
  const std::string& halt_message() const { return halt_message_; }

 private:
  struct Loop;  // per-cycle scratch (executor.cc)

  bool RefreshDcs(ha::Observation* obs);
  void TrackLeaderBinding(ha::Observation* obs, bool lease_ok);
  void OnLeaderKeyTaken();
  void RenewLeaseNow();
  MonoTime LeaseDeadline(MonoTime sent) const;
  void ApplyDynamicConfig(const ha::ClusterView& view);
  void KeepReplicaTimeline(ha::LocalPg* pg);
  void WaitForNextLoop(MonoTime deadline);
  void FenceUnclaimedPrimary(const ha::Observation& obs);
  bool Execute(const ha::Decision& decision, ha::Observation& obs);
  Status ExecuteAction(const ha::Action& action, ha::Observation& obs);
  Status Bootstrap(ha::Observation& obs);
  // pg_basebackup from `source`, then stream from `upstream`.
  Status CloneFromLeader(const ha::Observation& obs, const std::string& source,
                         const std::string& upstream);
  Status StartAs(const std::optional<std::string>& upstream, const ha::Observation& obs);
  // A restart in place: as primary, or as a replica of the leader.
  Status StartInPlace(bool primary, const ha::Observation& obs) {
    return primary ? StartAs(std::nullopt, obs) : StartAs(obs.cluster.leader.value_or(""), obs);
  }
  Status Demote(const ha::Observation& obs, const std::string& leader, ha::DemoteMode mode);
  Status Promote(ha::Observation& obs);
  Status ClaimTimeline(const ha::Observation& obs);
  void SyncHistory(const ha::Observation& obs);
  Status EnsureSlots(const ha::Observation& obs);
  Status Rewind(const ha::Observation& obs, const std::string& leader);
  Status Switchover(ha::Observation& obs, const std::string& candidate);
  Status ApplySync(const ha::Observation& obs, const ha::action::SyncReplication& sync);
  Status ClaimSyncKey(const ha::Observation& obs);
  Status RunHook(const char* name, const std::vector<std::string>& argv, Millis timeout);
  void BeforeStop();
  Status PrePromote(const ha::Observation& obs);
  Status SetSyncNames(const std::string& value);
  Status MoveAsideForReclone(const std::string& leader);
  std::unique_ptr<pg::Connection> ConnectToMember(const ha::Observation& obs,
                                                  const std::string& name,
                                                  const std::string& dbname = "postgres") const;
  void SlotProblem(const std::string& slot, const std::string& problem);
  void ArmFence();
  std::optional<MonoTime> WriteDeadline() const;
  Status WriteFailsafe(const std::optional<std::map<std::string, std::string>>& members);
  Status ConfirmFailsafe(const ha::Observation& obs);
  void ObserveFailsafe(ha::Observation* obs);
  std::optional<MonoTime> FailsafeUntil() const;  // Observation::failsafe_valid_until
  Status CreateRoles(bool superuser_too = false);
  // create_replica_methods, in order (data_dir_methods.cc).
  // `conninfo` reaches the script as --connstring without its password (that is in PGPASSWORD).
  Status RunReplicaMethod(const config::ScriptMethod& method, const std::string& conninfo);
  // bootstrap.method: runs it; the recovery the new data directory starts with (nullopt: none).
  Result<std::optional<pg::RecoveryTarget>> RunBootstrapMethod(const config::ScriptMethod& m);
  // bootstrap.post_bootstrap with the superuser's connection string (password in PGPASSWORD).
  Status RunPostBootstrap();
  Status WaitForEndOfRecovery();
  void RaiseToRecoveryFloor(nlohmann::json* params);
  void RemoveEmptyDataDir();
  void SyncParameters(const ha::Observation& obs);
  void WarnWalSenderShortage(const ha::Observation& obs, const nlohmann::json& params);
  std::optional<pg::RecoveryTarget> RecoveryFor(const ha::Observation& obs,
                                                const std::string& leader) const;
  nlohmann::json Parameters() const;
  std::vector<std::string> Hba() const;
  void PublishMember(const ha::Observation& obs, const std::string& state_override = "");
  std::string MyConnUrl() const;  // as the member key publishes them
  std::string MyApiUrl() const;
  void PublishStatus(const ha::Observation& obs);
  void PublishSnapshot(const ha::Observation& obs);
  void WithdrawLeaderPaths();
  void UpdateFence(const ha::Observation& obs);
  void ServeOperations(ha::Observation& obs);
  node::OpResponse Serve(OperationRequest& r, ha::Observation& obs);
  node::OpResponse DoRestart(const node::RestartRequest& r, ha::Observation& obs);
  node::OpResponse DoReload();
  node::OpResponse DoReinitialize(const ha::Observation& obs);
  Status RestartPostgres(const ha::Observation& obs);
  Status StopBeforeFence(const std::string& stop_mode);

  config::Config cfg_;
  dcs::Dcs& dcs_;
  pg::Postgres& pg_;
  PeerProber& peers_;
  Fence& fence_;
  Clock& clock_;
  MonoTime started_at_;       // the cold-start window of the race (ha::Observation::agent_started)
  bool leader_seen_ = false;  // ha::Observation::leader_seen

  ha::Settings settings_;
  nlohmann::json dcs_config_ = nlohmann::json::object();
  std::optional<MonoTime> lease_valid_until_;   // our lease (send time of keepalive + ttl)
  std::optional<MonoTime> leader_valid_until_;  // same, only for the lease the key is bound to
  int64_t bound_lease_ = 0;                     // the lease the leader key is confirmed bound to
  std::pair<std::string, uint32_t> replica_timeline_;  // (postmaster start, highest timeline)
  // The member key of the last leader seen, kept after its key is gone (PeerProber).
  std::optional<ha::Member> former_leader_;
  double dcs_last_seen_ = 0;
  int64_t last_revision_ = 0;
  std::string last_member_json_;
  std::string wal_sender_warning_;  // the last max_wal_senders warning given ("" = none)
  int64_t member_lease_ = 0;        // the lease the member key was last written with
  std::string last_status_;         // the /status value last written
  MonoTime last_status_write_{};
  std::string last_reason_;
  // The decision journal: the last kJournalSize decisions that acted or changed reason, each
  // with the observation it was made from, as a scenario file (GET /journal, pghactl why).
  static constexpr size_t kJournalSize = 32;
  void RecordDecision(const ha::Observation& obs, const ha::Decision& decision);
  std::shared_ptr<const std::vector<std::string>> journal_ =
      std::make_shared<const std::vector<std::string>>();
  MonoTime last_logged_{};  // when the decision's reason was last logged
  static constexpr std::chrono::seconds kQuietLog{60};
  std::string written_params_;  // dump of the parameters last written to postgresql.conf
  std::string sync_names_;      // synchronous_standby_names while synchronous_mode is on
  ha::SyncSettle sync_settle_;  // Observation::sync_names_settled_lsn, derived (ha/derived.h)
  bool sync_key_mine_ = false;  // the last cluster read had /sync naming me as leader
  bool streaming_from_leader_ = false;  // the last loop saw this replica streaming from it
  std::map<std::string, MonoTime> slot_member_seen_;  // slot -> last loop its member was listed
  std::set<std::string> permanent_slots_kept_;        // permanent slots this agent keeps
  std::map<std::string, std::string> slot_problems_;  // slot -> last failure logged
  std::vector<pg::SlotInfo> slots_seen_;              // pg_replication_slots at the last check
  bool checkpoint_pending_ = false;
  bool fence_extended_ = false;  // the last loop ended extending the fence of a primary
  bool may_write_ = false;       // the last loop ended with a postmaster not confirmed a replica
  ha::Durations durations_;      // how long conditions have lasted (ha/derived.h)
  OperationQueue* ops_ = nullptr;
  FailsafeCaller* failsafe_caller_ = nullptr;
  node::FailsafeInbox* failsafe_inbox_ = nullptr;
  std::map<std::string, std::string> failsafe_members_;  // /failsafe at the last etcd read
  // Failsafe mode: every member confirmed this primary until then (Observation's same field).
  // The fence keeps this deadline even after a later round failed (failsafe_confirmed_ false).
  std::optional<MonoTime> failsafe_valid_until_;
  bool failsafe_confirmed_ = false;  // the last round was accepted by every member
  bool failsafe_refused_ = false;    // the last round was not (Observation::failsafe_refused)
  Watchdog* watchdog_ = nullptr;
  Callbacks callbacks_;
  bool watchdog_failed_ = false;
  std::function<Result<config::Config>()> reload_;
  std::optional<double> scheduled_restart_;  // epoch seconds
  node::RestartRequest scheduled_request_;
  std::string halt_message_;

  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const node::Snapshot> snapshot_;
};

}  // namespace pgha::agent
