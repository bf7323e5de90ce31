#pragma once
// The simulated cluster: N real agent::Agent objects over in-memory fakes, a simulated clock, a
// seeded fault schedule and invariant checks after every step (tests/sim/README.md).
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/operations.h"
#include "api/requests.h"
#include "core/iso_time.h"
#include "sim/fake_clock.h"
#include "sim/fake_failsafe.h"
#include "sim/fake_fence.h"
#include "sim/fake_peers.h"
#include "sim/fake_postgres.h"
#include "sim/invariants.h"
#include "sim/sim_etcd.h"
#include "sim/sim_etcd_client.h"

namespace pgha::sim {

extern const std::string kLeaderKey;    // the leader key's full etcd path
extern const std::string kFailsafeKey;  // /failsafe's
// The actor of fault etcd-revoke's removals (etcd's own bug, not a member's request).
inline constexpr char kStaleEtcdLeader[] = "etcd (stale raft leader)";

// Every kind of fault the simulator can inject (--faults picks a subset).
const std::vector<std::string>& AllFaultKinds();
// Faults that happen at once and need no healing: a crash and the operator's requests.
inline bool Instant(const std::string& kind) {
  return kind == "crash" || kind == "switchover" || kind == "failover" || kind == "restart" ||
         kind == "reinit";
}
inline constexpr int kMaxActiveFaults = 2;

struct SimOptions {
  uint64_t seed = 1;
  int nodes = 3;
  int fault_steps = 250;      // steps with faults, then a quiet period
  double quiet_seconds = 25;  // simulated seconds without faults before the final checks
  std::set<std::string> faults;
  bool strict_rewind = true;       // also fail on replicas left diverged after the quiet period
  std::set<std::string> tolerate;  // known bugs (B1, B2, S1, S2) counted, not failed
  bool fence = true;               // self-test: without the fencing guard, split brain appears
  bool trace = false;              // print every event as it happens
  bool sync = false;               // synchronous_mode: true in the cluster configuration
  bool sync_strict = false;        // and synchronous_mode_strict: true
  bool sync_quorum = false;        // synchronous_mode: quorum instead of true
  int sync_count = 0;              // synchronous_node_count, when > 0
  bool sync_wait = true;           // self-test: without it commits never wait, writes are lost
  // The checkpointer applies a reloaded synchronous_standby_names up to this many seconds after
  // the walsenders (so commits wait a little later than pg_stat_replication shows).
  double reload_lag = 0.5;
  // Negative controls: each reintroduces one hazard of the safety issue (README.md, "Controls").
  bool lie_ttl = false;            // (1) a keepalive reports the configured ttl as the lease's
  bool hide_unqueryable = false;   // (2) a postmaster that refuses connections looks gone
  bool fake_sync_member = false;   // (3) every replica reads /sync as naming it
  bool break_leader = false;       // (4) processes-gone takeover: a replica deletes the key
  bool stopped_veto = false;       // (5) peers report a stopped PostgreSQL as running
  bool stopped_at_zero = false;    // peers report a stopped PostgreSQL as running at WAL position 0
  bool drop_slots = false;         // (6) slots vanish on every start and promotion
  bool no_timeline_claim = false;  // B2: promotions ignore other members' timeline claims
  bool no_former_leader_probe = false;  // a race does not probe a leader whose member key left
  bool late_fence = false;  // a renewal reaches the fence only at the end of the agent's loop
  bool stale_peer_positions = false;  // GET /patroni serves the loop's positions, unmarked
  bool zero_quorum = false;           // members other than the /sync leader read quorum 0
  bool thin_journal = false;          // journal entries replay without their lease_valid_until line
  bool failsafe = false;              // failsafe_mode: true in the cluster configuration
  bool failsafe_forget = false;       // control: members forget the failsafe promises they give
};

struct Outcome {
  bool ok = true;
  int step = 0;
  std::string violation;
  std::vector<std::string> trace;  // the last events before the violation
  // Statistics (for the runner's summary).
  int diverged = 0;       // replicas left unable to follow the leader (need a rewind)
  int lost_writes = 0;    // acknowledged writes not in the final leader's history
  int failovers = 0;      // promotions
  int fence_kills = 0;    // fencing guards that fired on a running PostgreSQL
  std::string tolerated;  // the known bug this run hit (and was not failed for)
  // Client writes: acknowledged at once (no synchronous standby required), after the synchronous
  // standbys confirmed them, after waiting until synchronous_standby_names was emptied, never
  // (the primary stopped first, or still waiting at the end).
  int writes_acked_at_once = 0;
  int writes_acked_after_wait = 0;
  int writes_released = 0;
  int writes_never_acked = 0;
  int operator_requests = 0;  // switchover/failover/restart/reinit/config requests accepted
  int key_removals = 0;       // leader key removals checked by invariant (a)
  int slot_checks = 0;        // leader loops checked by invariant (e)
};

class World;

struct Fault {
  std::string kind;
  int node = -1;     // -1: the whole cluster (etcd, /config)
  int peer = -1;     // partition: the other end of the cut link
  std::string undo;  // config: the merge patch that restores /config
  MonoTime heal_at{};
  bool slow = false;  // failing calls take the full timeout instead of failing fast
};

struct Node final : EtcdLink {
  World* world = nullptr;
  int index = 0;
  config::Config cfg;
  std::unique_ptr<FakePostgres> pg;
  FakeFence fence;
  std::unique_ptr<dcs::Dcs> dcs;        // the production EtcdDcs over a SimEtcdClient
  std::unique_ptr<agent::Agent> agent;  // null while the agent process is not running
  bool powered = true;
  bool paused = false;
  MonoTime next_run{};
  std::unique_ptr<agent::OperationQueue> ops;           // the REST API's node-local requests
  std::unique_ptr<node::FailsafeInbox> failsafe_inbox;  // its REST API's POST /failsafe record
  MonoTime agent_started{};
  std::string last_reason;  // last decision reason logged to the trace
  std::shared_ptr<const std::vector<std::string>> journal;  // last journal checked (g)
  Status Cross() override;
  const std::string& name() const { return cfg.name; }
};

class World final : public PgNetwork {
 public:
  explicit World(const SimOptions& options);
  ~World() override;
  Outcome Run();

  // PgNetwork
  FakePostgres* ServerAt(int port) override;
  bool Linked(int from_port, int to_port) const override;
  uint64_t NewUid() override { return ++uid_; }
  void OnPromote(const FakePostgres& pg) override;
  void FlushToReplicas(const FakePostgres& primary) override;
  std::vector<const FakePostgres*> StreamingReplicas(const FakePostgres& primary) override;
  MonoTime Now() const override { return clock_.Now(); }
  void Sleep(Millis d) override { clock_.Advance(d); }
  Millis CheckpointerReloadDelay() override {
    return opt_.reload_lag > 0 ? Ms(Uniform(0, opt_.reload_lag)) : Millis(0);
  }
  void OnServerChange(const FakePostgres& pg) override;
  void OnBadConfig(const FakePostgres& pg, const std::string& what) override;

  Status CrossLink(Node& node);

 private:
  config::Config NodeConfig(int index) const;
  void StartAgent(Node& n);
  void StopAgent(Node& n);
  void GuardOnAgentDeath(Node& n);
  // Fault power-all: every other fault ends, then every node loses power; healing boots them all.
  bool PowerAll(const Fault& f);
  void PowerOff(Node& n);
  void PowerOn(Node& n);
  void EtcdDown(bool calls_time_out);
  void EtcdUp();
  void BootAll();
  // (h) at the first promotion after the boot: the writes some member held at the loss survive.
  void CheckColdStart(const FakePostgres& promoted);
  bool ColdStartPending();
  std::vector<size_t> ColdStartWrites();
  std::shared_ptr<const node::Snapshot> PeerSnapshot(const std::string& from,
                                                     const std::string& name);
  Node* FindNode(const std::string& name);
  const Node* FindNode(const std::string& name) const;
  Node* NodeAtPort(int port);

  void Step(bool faults_allowed);
  void RunAgent(Node& n);
  Node* NextDue();
  void AdvanceTime(const Node* due);
  void ClientWrite();
  void LogWrite(const FakePostgres& primary, const std::string& what);
  // Acknowledges the waiting commits whose synchronous standbys have confirmed them, and forgets
  // those whose primary is gone (their clients got an error, not an acknowledgement).
  void ReleaseCommits();
  void Acknowledge(AckedWrite w, bool confirmed);
  std::string SyncLeaderNow() const;
  // (6) synchronous mode: every acknowledged write is in `pg`'s WAL.
  void CheckNoAckedWriteLost(const FakePostgres& pg, const std::string& when);
  void InjectFault();
  bool Inject(Fault& f);
  bool InjectNodeFault(Fault& f);
  bool Heal(const Fault& f);
  void HealDue(bool all);
  bool Active(const std::string& kind, int node) const;
  void OnClockAdvance();
  void OnEtcdPut(const std::string& key, const std::optional<std::string>& before,
                 const std::string& after);
  void EnforceFences();
  // Invariants (a) and (b) at the moment the leader key leaves etcd.
  void OnEtcdRemove(const dcs::KeyValue& kv, SimEtcd::Removal how, const std::string& actor);
  // (b) every writable server is the key holder.
  void CheckWritableHoldsKey();
  bool FailsafeCovers(const std::string& holder, SimEtcd::Removal how) const;
  // (d) no leaderless period longer than 3 x ttl while a member could be promoted.
  void CheckLeaderless();
  bool LeaderlessExcused() const;
  bool Promotable(const Node& n, const ha::ClusterView& view) const;
  int MaxTtl() const;
  // (e) after a leader loop: the leader holds a slot for every streaming member.
  void CheckSlots(const Node& leader, const std::set<std::string>& members_before);
  void CheckJournal(Node& n);
  std::set<std::string> MemberNames() const;
  // (c) asynchronous mode: writes acknowledged by a primary after another's promotion survive.
  void CheckWritesAfterPromotion(const FakePostgres& leader);
  bool Paused() const;  // pause mode in /config or in any agent's settings
  // Operator requests, as the REST API and pghactl write them.
  bool OperatorConfig(Fault& f);
  bool HealConfig(const Fault& f);
  bool OperatorFailover(const std::string& kind);
  bool OperatorNodeRequest(const std::string& kind, Node& n);
  std::optional<nlohmann::json> StatusOf(const std::string& name);
  SystemTime WallNow() const;
  // Control (4): the removed processes-gone takeover, played by a sim actor.
  void BreakLeaderIfRefused(Node& replica);
  bool RestRefused(const Node& from, const Node& to) const;
  bool LinkCut(int a, int b) const;
  void ReplicateAll();
  Servers AllServers() const;
  void CheckStep();
  void FinalChecks();

  double Uniform(double lo, double hi) { return std::uniform_real_distribution<>(lo, hi)(rng_); }
  bool Chance(double p) { return Uniform(0, 1) < p; }
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  // One element of `v`, drawn as Pick draws (the same seeds give the same runs).
  template <class T>
  const T& PickOf(const std::vector<T>& v) {
    return v[static_cast<size_t>(Pick(static_cast<int>(v.size())))];
  }
  Node& NodeAt(int i) { return *nodes_[static_cast<size_t>(i)]; }
  Millis Ms(double seconds) { return Millis(static_cast<int64_t>(seconds * 1000)); }
  void Log(const std::string& who, const std::string& what);
  void Fail(const std::string& violation);
  std::string Describe(const Node& n) const;

  SimOptions opt_;
  std::mt19937_64 rng_;
  FakeClock clock_;
  SimEtcd etcd_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unique_ptr<FakePeerProber> prober_;
  std::unique_ptr<FakeFailsafeCaller> failsafe_caller_;
  node::MemberAnswer PostFailsafe(const std::string& from, const std::string& to,
                                  const std::string& body);
  TimelineChecker timelines_;
  std::vector<Fault> faults_;
  bool etcd_down_ = false;
  bool etcd_slow_ = false;
  uint64_t uid_ = 0;
  int step_ = 0;
  bool in_hook_ = false;
  std::deque<std::string> trace_;
  std::string last_writer_;  // the last trace line is a burst of writes to this primary
  int burst_ = 0;
  std::vector<AckedWrite> acked_;
  struct Promotion {
    std::string who;
    MonoTime at;
    uint64_t seq = 0;  // event order (NewUid)
  };
  std::vector<Promotion> promotions_;
  std::optional<MonoTime> leaderless_since_;
  struct ColdStart {
    std::vector<size_t> writes;  // indices in acked_ of the writes some member held at the loss
    std::optional<MonoTime> booted_at;
  };
  std::optional<ColdStart> cold_;  // from power-all until its first promotion or 3 x ttl after
  struct OperatorLink;
  std::unique_ptr<OperatorLink> operator_link_;
  std::unique_ptr<dcs::Dcs> operator_dcs_;  // the operator's etcd session (REST API / pghactl)
  // A commit written to the primary's WAL whose client still waits for synchronous standbys.
  struct WaitingCommit {
    int port = 0;
    uint64_t incarnation = 0;
    AckedWrite write;
  };
  std::vector<WaitingCommit> waiting_;
  // Per member: the /sync its latest claim (a /sync write naming it leader over another leader)
  // replaced; nullopt when there was no /sync.
  std::map<std::string, std::optional<ha::SyncState>> sync_before_claim_;
  bool releasing_ = false;
  Outcome out_;
};

}  // namespace pgha::sim
