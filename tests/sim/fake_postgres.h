#pragma once
// A PostgreSQL server as a state machine: a data directory (system identifier, timeline history,
// WAL position, standby.signal, the upstream written to postgresql.conf) and a server process
// (stopped / primary / replica streaming from an upstream found by its port), with synchronous
// replication (synchronous_standby_names, pg_stat_replication).
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/sync_standby_names.h"
#include "pg/postgres.h"

namespace pgha::sim {

// One timeline of a data directory's history: WAL of timeline `tl` from LSN `start`. `uid`
// tells apart two timelines that got the same number on different nodes (a divergence).
struct Segment {
  uint32_t tl = 1;
  uint64_t uid = 0;
  uint64_t start = 0;
  bool operator==(const Segment&) const = default;
};

struct DataDir {
  bool exists = false;
  std::string sysid;
  std::vector<Segment> history;  // oldest first; back() is the current timeline
  uint64_t lsn = 0;
  bool standby_signal = false;
  std::optional<int> conf_upstream_port;  // primary_conninfo in postgresql.conf
  std::string conf_application_name;      // its application_name
  std::string conf_sync_names;            // synchronous_standby_names in postgresql.conf
  uint64_t checkpoint = 0;                // latest checkpoint location (pg_control)
  std::string control_state;
  std::set<std::string> slots;  // physical replication slots (pg_replslot)
  std::set<uint32_t> reserved;  // placeholder pg_wal/<tl>.history files (Agent::ClaimTimeline)
  uint32_t Timeline() const { return history.empty() ? 0 : history.back().tl; }
  // A history file for `tl` exists: a promotion skips the number, as PostgreSQL does.
  bool HasHistoryFile(uint32_t tl) const;
};

// A parsed synchronous_standby_names, priority (FIRST) or quorum (ANY) form.
using SyncNames = SyncStandbyNames;

class FakePostgres;

// What a server needs from the simulated world.
class PgNetwork {
 public:
  virtual ~PgNetwork() = default;
  // The server listening on `port`, if its host is up; nullptr otherwise.
  virtual FakePostgres* ServerAt(int port) = 0;
  // Whether a replication connection between the two hosts gets through.
  virtual bool Linked(int from_port, int to_port) const = 0;
  virtual uint64_t NewUid() = 0;
  virtual void OnPromote(const FakePostgres& pg) = 0;
  // A primary shutting down cleanly sends all its WAL to the replicas streaming from it.
  virtual void FlushToReplicas(const FakePostgres& primary) = 0;
  // The running replicas whose WAL receiver streams from `primary` right now (its walsenders).
  virtual std::vector<const FakePostgres*> StreamingReplicas(const FakePostgres& primary) = 0;
  virtual MonoTime Now() const = 0;
  // A caller polling the server waits this long (simulated time passes for everyone).
  virtual void Sleep(Millis d) = 0;
  // How long after a reload the checkpointer applies the new synchronous_standby_names (it
  // decides whether commits wait; the walsenders, which pg_stat_replication shows, apply it at
  // once).
  virtual Millis CheckpointerReloadDelay() = 0;
  // The server started, stopped, reloaded or was promoted: commits waiting on it may be released
  // (or lost with it).
  virtual void OnServerChange(const FakePostgres& pg) = 0;
  // PostgreSQL would refuse the configuration pgha wrote.
  virtual void OnBadConfig(const FakePostgres& pg, const std::string& what) = 0;
};

// Whether a replica with data `r` can stream from a server with data `s` (PostgreSQL's rules:
// same system, and the replica has not gone past where `s`'s history forked off its timeline).
bool CanStreamFrom(const DataDir& r, const DataDir& s);
// Whether `r`'s WAL up to its position is part of `s`'s history.
bool HistoryContains(const DataDir& s, const std::vector<Segment>& history, uint64_t lsn);

class FakePostgres final : public pg::Postgres {
 public:
  FakePostgres(std::string name, std::string data_dir, int port, PgNetwork& net)
      : name_(std::move(name)), data_dir_(std::move(data_dir)), port_(port), net_(net) {}

  ha::LocalPg Observe() override;
  Status Initdb(const std::vector<std::string>& options) override;
  Status WriteConfig(const nlohmann::json& parameters, const std::vector<std::string>& hba,
                     const std::optional<pg::RecoveryTarget>& recovery) override;
  Status Start(int timeout_seconds) override;
  Status Stop(const std::string& mode, int timeout_seconds) override;
  Status Reload() override;
  std::optional<uint64_t> ShutdownCheckpoint() override;
  bool PostmasterRunning() override { return postmaster(); }
  Status Promote(int timeout_seconds) override;
  Status Basebackup(const std::string& conninfo, int timeout_seconds,
                    const std::vector<std::string>& options) override;
  Status Rewind(const std::string& source_conninfo, int timeout_seconds) override;
  Result<std::string> MoveDataDirAside() override;
  Status RemoveDataDir() override;
  Result<std::string> ReadTimelineHistory(uint32_t timeline) override;
  Result<uint32_t> ReserveTimelines(uint32_t current, uint64_t lsn, uint32_t at_least) override;
  Result<std::vector<pg::Row>> Query(const std::string& sql) override;
  Result<std::string> Literal(const std::string& value) override;
  std::string data_dir() const override { return data_dir_; }

  // Simulator side.
  const std::string& name() const { return name_; }
  int port() const { return port_; }
  const DataDir& data() const { return data_; }
  bool running() const { return running_; }
  // A primary process is up (whether or not it accepts connections right now).
  bool writable() const { return running_ && !in_recovery_; }
  // A client can connect and write: writable and not refusing connections.
  bool accepting() const { return writable() && !faults_.refuse; }
  // A postmaster is up (running, or still in crash recovery).
  bool postmaster() const { return running_ || recovering_until_.has_value(); }
  // When a crash recovery under way ends (slow-start), if one is.
  std::optional<MonoTime> recovering_until() const { return recovering_until_; }
  // Clients (and the agent) can connect.
  bool queryable() const { return running_ && !faults_.refuse; }
  // When this server last became writable (start as primary, end of crash recovery, promotion),
  // as a stamp of PgNetwork::NewUid (the simulator's event order).
  uint64_t writable_since() const { return writable_since_; }
  // Partial failures the world switches on and off (tests/sim/README.md, "Faults").
  struct Faults {
    bool refuse = false;      // connections refused while the postmaster lives (slots full)
    bool start_fail = false;  // pg_ctl start fails
    double slow_start = 0;    // a start stays in crash recovery this many seconds
    bool copy_fail = false;   // pg_basebackup / pg_rewind: connection refused
  };
  Faults& faults() { return faults_; }
  // Negative controls (hazards reintroduced on the simulator's side).
  struct Hazards {
    bool hide_unqueryable_postmaster = false;  // report postmaster=false when not queryable
    // Slots vanish on every start and promotion while pg_replication_slots still lists them
    // (the agent reading a stale list of slots: it never re-creates them).
    bool drop_slots = false;
    // Placeholder history files are never written: a promotion takes the number after its own
    // timeline whatever another member claimed (sim bug B2).
    bool ignore_timeline_claims = false;
  };
  Hazards& hazards() { return hazards_; }
  // Ends a crash recovery whose time has come (the world calls it as time passes).
  void Tick();
  bool in_recovery() const { return in_recovery_; }
  bool streaming() const { return streaming_; }
  std::optional<int> upstream_port() const { return upstream_; }
  // The application_name this replica's WAL receiver connects with.
  const std::string& application_name() const { return application_name_; }
  // The walsender has sent this replica everything once since it connected (state "streaming"
  // rather than "catchup" in pg_stat_replication).
  bool caught_up() const { return streaming_ && caught_up_; }
  // Changes every time the server starts: commits waiting on an earlier run are never confirmed.
  uint64_t incarnation() const { return incarnation_; }
  // synchronous_standby_names as the walsenders and current_setting() see it.
  const std::string& sync_names_value() const { return sync_value_; }
  const SyncNames& sync_names() const { return sync_; }
  // Whether a commit waits for synchronous standbys now (the checkpointer's view:
  // WalSndCtl->sync_standbys_defined). Applies a pending reload whose time has come.
  bool CommitsWait();
  // The LSN every synchronous standby has flushed, when enough are streaming; nullopt otherwise.
  std::optional<uint64_t> SyncFlushLsn() const;
  // pg_stat_replication on this primary.
  std::vector<ha::ReplicationClient> ReplicationRows() const;
  // The commit record goes to the local WAL at once (durable, replayed after a crash); whether
  // the client is told is the world's business.
  void Write(uint64_t bytes) { data_.lsn += bytes; }
  // Crash (kill -9, fencing guard, power loss): the data directory stays as it was.
  void Kill();
  // The WAL receiver: reconnects and copies WAL up to `fraction` of the way to the upstream.
  void Replicate(double fraction);

 private:
  void Connect();
  // The postmaster accepts connections: primary, or replica when standby.signal is present.
  void Open();
  void DropSlots();
  // Loads synchronous_standby_names from postgresql.conf (at start, or on a reload).
  void LoadSyncNames(bool at_start);
  // The running, reachable server at the conninfo's port, or nullptr.
  const FakePostgres* Source(const std::string& conninfo) const;
  // The server this replica can stream from right now, if any.
  const FakePostgres* Upstream() const;
  const std::string name_;
  const std::string data_dir_;
  const int port_;
  PgNetwork& net_;
  DataDir data_;
  int moved_aside_ = 0;
  bool running_ = false;
  bool in_recovery_ = false;
  bool streaming_ = false;
  bool caught_up_ = false;
  std::optional<int> upstream_;  // primary_conninfo the running server uses
  std::string application_name_;
  uint64_t incarnation_ = 0;
  std::optional<MonoTime> recovering_until_;  // postmaster up, crash recovery until then
  uint64_t writable_since_ = 0;
  Faults faults_;
  Hazards hazards_;
  std::set<std::string> ghost_slots_;  // hazard drop_slots: listed, but gone
  std::string sync_value_;  // synchronous_standby_names in force (walsenders, current_setting)
  SyncNames sync_;
  bool sync_defined_ = false;                       // the checkpointer's view: commits wait
  std::optional<MonoTime> checkpointer_reload_at_;  // a reload the checkpointer has yet to apply
};

// The port in a libpq conninfo ("host=... port=5441 ..."), if any.
std::optional<int> ConninfoPort(const std::string& conninfo);
// A keyword's value in a libpq conninfo (single quotes and backslash escapes undone), if any.
std::optional<std::string> ConninfoValue(const std::string& conninfo, const std::string& key);

}  // namespace pgha::sim
