#include "sim/fake_postgres.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/lsn.h"
#include "core/sync_standby_names.h"

namespace pgha::sim {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::optional<std::string> ConninfoValue(const std::string& conninfo, const std::string& key) {
  size_t i = 0;
  const size_t n = conninfo.size();
  while (i < n) {
    while (i < n && IsSpace(conninfo[i])) ++i;
    size_t k = i;
    while (i < n && conninfo[i] != '=' && !IsSpace(conninfo[i])) ++i;
    std::string keyword = conninfo.substr(k, i - k);
    while (i < n && IsSpace(conninfo[i])) ++i;
    if (i >= n || conninfo[i] != '=') return std::nullopt;  // malformed
    ++i;
    while (i < n && IsSpace(conninfo[i])) ++i;
    std::string value;
    if (i < n && conninfo[i] == '\'') {
      for (++i; i < n && conninfo[i] != '\''; ++i) {
        if (conninfo[i] == '\\' && i + 1 < n) ++i;
        value += conninfo[i];
      }
      ++i;  // the closing quote
    } else {
      for (; i < n && !IsSpace(conninfo[i]); ++i) {
        if (conninfo[i] == '\\' && i + 1 < n) ++i;
        value += conninfo[i];
      }
    }
    if (keyword == key) return value;
  }
  return std::nullopt;
}

std::optional<int> ConninfoPort(const std::string& conninfo) {
  auto at = conninfo.find("port=");
  if (at == std::string::npos) return std::nullopt;
  size_t i = at + 5;
  if (i < conninfo.size() && conninfo[i] == '\'') ++i;
  int port = 0;
  bool any = false;
  for (; i < conninfo.size() && std::isdigit(static_cast<unsigned char>(conninfo[i])); ++i) {
    port = port * 10 + (conninfo[i] - '0');
    any = true;
  }
  if (!any) return std::nullopt;
  return port;
}

bool HistoryContains(const DataDir& s, const std::vector<Segment>& history, uint64_t lsn) {
  size_t k = history.size();
  if (!s.exists || k == 0 || s.history.size() < k) return false;
  for (size_t i = 0; i < k; ++i) {
    if (!(s.history[i] == history[i])) return false;
  }
  if (s.history.size() > k) return lsn <= s.history[k].start;
  return lsn <= s.lsn;
}

bool CanStreamFrom(const DataDir& r, const DataDir& s) {
  return r.exists && s.exists && r.sysid == s.sysid && HistoryContains(s, r.history, r.lsn);
}

ha::LocalPg FakePostgres::Observe() {
  ha::LocalPg pg;
  pg.data_dir_empty = !data_.exists;
  if (!data_.exists) return pg;
  pg.sysid = data_.sysid;
  pg.standby_signal = data_.standby_signal;
  pg.control_state = data_.control_state;
  pg.control_timeline = data_.Timeline();
  pg.control_checkpoint = data_.checkpoint;
  if (data_.Timeline() > 1) {
    pg.timeline_start_of = data_.Timeline();
    pg.timeline_start = data_.history.back().start;
  }
  pg.postmaster = postmaster();
  // Without a connection only the postmaster's existence can be seen (postmaster.pid).
  if (!queryable()) {
    if (hazards_.hide_unqueryable_postmaster) pg.postmaster = false;
    return pg;
  }
  pg.running = true;
  pg.state = "running";
  pg.in_recovery = in_recovery_;
  pg.timeline = data_.Timeline();
  pg.server_version = 150000;
  pg.synchronous_standby_names = sync_value_;
  if (in_recovery_) {
    pg.receive_lsn = data_.lsn;
    pg.replay_lsn = data_.lsn;
  } else {
    pg.wal_lsn = data_.lsn;
    pg.replication = ReplicationRows();
  }
  pg.streaming = streaming_;
  if (streaming_) {
    pg.upstream_host = "127.0.0.1";
    pg.upstream_port = *upstream_;
  }
  return pg;
}

Status FakePostgres::Initdb(const std::vector<std::string>&) {
  if (data_.exists) return Err("initdb: directory \"" + data_dir_ + "\" exists but is not empty");
  data_ = DataDir{};
  data_.exists = true;
  data_.sysid = std::to_string(7300000000000000000ULL + net_.NewUid());
  data_.history = {Segment{1, net_.NewUid(), 0}};
  data_.lsn = 0x3000000;
  data_.checkpoint = data_.lsn;
  data_.control_state = "shut down";
  return OkStatus();
}

Status FakePostgres::WriteConfig(const nlohmann::json& parameters, const std::vector<std::string>&,
                                 const std::optional<pg::RecoveryTarget>& recovery) {
  if (!data_.exists) return Err("cannot write postgresql.conf: no data directory");
  data_.standby_signal = recovery.has_value();
  data_.conf_upstream_port.reset();
  data_.conf_application_name.clear();
  if (recovery) {
    data_.conf_upstream_port = ConninfoPort(recovery->primary_conninfo);
    // Without application_name the WAL receiver reports cluster_name (PostgreSQL 12+); pgha
    // always sets it.
    data_.conf_application_name =
        ConninfoValue(recovery->primary_conninfo, "application_name").value_or("walreceiver");
  }
  data_.conf_sync_names.clear();
  auto it = parameters.find("synchronous_standby_names");
  if (it != parameters.end()) {
    if (!it->is_string()) {
      net_.OnBadConfig(*this, "synchronous_standby_names is not a string: " + it->dump());
    } else {
      data_.conf_sync_names = it->get<std::string>();
    }
  }
  return OkStatus();
}

void FakePostgres::LoadSyncNames(bool at_start) {
  auto parsed = ParseSyncStandbyNames(data_.conf_sync_names);
  if (!parsed) {
    // PostgreSQL refuses to start, or keeps the old value on a reload; either way pgha wrote a
    // value it must never write.
    net_.OnBadConfig(*this, "invalid value for parameter \"synchronous_standby_names\": \"" +
                                data_.conf_sync_names + "\"");
    if (!at_start) return;
    parsed = SyncNames{};
  }
  sync_value_ = data_.conf_sync_names;
  sync_ = *parsed;
  if (at_start) {
    sync_defined_ = sync_.num > 0;
    checkpointer_reload_at_.reset();
  } else if (!checkpointer_reload_at_) {
    // The checkpointer re-reads postgresql.conf a little later, and then sees the newest file.
    checkpointer_reload_at_ = net_.Now() + net_.CheckpointerReloadDelay();
  }
}

bool FakePostgres::CommitsWait() {
  if (!running_) return false;
  if (checkpointer_reload_at_ && net_.Now() >= *checkpointer_reload_at_) {
    checkpointer_reload_at_.reset();
    sync_defined_ = sync_.num > 0;
  }
  return sync_defined_;
}

namespace {

// 1-based position of the first entry naming this standby in the list; 0 = not listed.
int SyncPriority(const SyncNames& s, const std::string& application_name) {
  for (size_t i = 0; i < s.names.size(); ++i) {
    if (SyncStandbyMatches(s.names[i], application_name)) return static_cast<int>(i) + 1;
  }
  return 0;
}

}  // namespace

// As PostgreSQL 15's SyncRepGetSyncRecPtr: the walsenders in state "streaming" the value names.
// Priority mode (FIRST): the first `num` by list position confirm, the oldest of their positions
// counts. Quorum mode (ANY): any `num` confirm, the num-th newest position counts.
std::optional<uint64_t> FakePostgres::SyncFlushLsn() const {
  if (!running_ || in_recovery_ || sync_.num <= 0) return std::nullopt;
  std::vector<std::pair<int, uint64_t>> candidates;  // priority, flush LSN
  for (const FakePostgres* r : net_.StreamingReplicas(*this)) {
    int prio = SyncPriority(sync_, r->application_name());
    if (prio > 0 && r->caught_up()) candidates.emplace_back(prio, r->data().lsn);
  }
  const auto num = static_cast<size_t>(sync_.num);
  if (candidates.size() < num) return std::nullopt;
  if (sync_.quorum) {
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    return candidates[num - 1].second;
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  uint64_t lsn = candidates.front().second;
  for (size_t i = 0; i < num; ++i) lsn = std::min(lsn, candidates[i].second);
  return lsn;
}

std::vector<ha::ReplicationClient> FakePostgres::ReplicationRows() const {
  std::vector<ha::ReplicationClient> rows;
  if (!running_ || in_recovery_) return rows;
  std::vector<std::pair<int, size_t>> candidates;  // priority, row
  for (const FakePostgres* r : net_.StreamingReplicas(*this)) {
    ha::ReplicationClient c;
    c.usename = "replicator";
    c.application_name = r->application_name();
    c.client_addr = "127.0.0.1";
    c.state = r->caught_up() ? "streaming" : "catchup";
    c.sync_priority = SyncPriority(sync_, c.application_name);
    c.sync_state = c.sync_priority > 0 ? "potential" : "async";
    c.flush_lsn = r->data().lsn;
    c.replay_lsn = r->data().lsn;
    if (c.sync_priority > 0 && r->caught_up())
      candidates.emplace_back(c.sync_priority, rows.size());
    rows.push_back(std::move(c));
  }
  if (sync_.quorum) {  // every standby ANY names counts: pg_stat_replication says "quorum"
    for (const auto& c : candidates) rows[c.second].sync_state = "quorum";
    return rows;
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < static_cast<size_t>(sync_.num) && i < candidates.size(); ++i) {
    rows[candidates[i].second].sync_state = "sync";
  }
  return rows;
}

Status FakePostgres::Start(int) {
  if (!data_.exists) return Err("pg_ctl start: no data directory");
  if (postmaster()) return Err("pg_ctl start: another server might be running");
  if (faults_.start_fail) {
    return Err(
        "pg_ctl start: could not start server (FATAL: could not create shared memory "
        "segment)");
  }
  if (hazards_.drop_slots) DropSlots();
  if (faults_.slow_start > 0) {
    // A long crash recovery: the postmaster lives but refuses connections ("the database system
    // is starting up"); pg_ctl start -w gives up while it goes on.
    recovering_until_ = net_.Now() + Millis(static_cast<int64_t>(faults_.slow_start * 1000));
    faults_.slow_start = 0;  // once per fault
    return Err("pg_ctl start: server did not start in time (crash recovery still running)");
  }
  Open();
  return OkStatus();
}

void FakePostgres::DropSlots() {
  ghost_slots_.insert(data_.slots.begin(), data_.slots.end());
  data_.slots.clear();
}

void FakePostgres::Tick() {
  if (recovering_until_ && net_.Now() >= *recovering_until_) Open();
}

void FakePostgres::Open() {
  recovering_until_.reset();
  running_ = true;
  ++incarnation_;
  in_recovery_ = data_.standby_signal;
  if (!in_recovery_) writable_since_ = net_.NewUid();
  data_.control_state = in_recovery_ ? "in archive recovery" : "in production";
  upstream_.reset();
  application_name_.clear();
  if (in_recovery_) {
    upstream_ = data_.conf_upstream_port;
    application_name_ = data_.conf_application_name;
  }
  LoadSyncNames(true);
  Connect();
  net_.OnServerChange(*this);
}

Status FakePostgres::Stop(const std::string& mode, int) {
  if (!running_) {
    Kill();  // a postmaster still in crash recovery just goes away
    return OkStatus();
  }
  if (mode != "immediate") {
    // A clean shutdown writes a checkpoint; walsenders first send everything to the replicas.
    if (!in_recovery_) net_.FlushToReplicas(*this);
    data_.checkpoint = data_.lsn;
    data_.control_state = in_recovery_ ? "shut down in recovery" : "shut down";
  }
  Kill();
  return OkStatus();
}

// pg_controldata after a stop: the shutdown checkpoint once it is written. Agent::Switchover
// polls this every 10 ms of real time against a deadline on the simulated clock; each miss lets
// 5 s of simulated time pass (10 ms would cost a minute of real time), so a server that crashed
// instead of stopping ends the wait near pg_ctl_timeout as in production, instead of never.
std::optional<uint64_t> FakePostgres::ShutdownCheckpoint() {
  if (!postmaster() && data_.control_state == "shut down") return data_.checkpoint;
  net_.Sleep(Millis(5000));
  return std::nullopt;
}

Status FakePostgres::Reload() {
  if (!running_) return Err("pg_ctl reload: no server running");
  if (in_recovery_) {
    // primary_conninfo is reloadable since PostgreSQL 13: a change restarts the WAL receiver.
    if (upstream_ != data_.conf_upstream_port || application_name_ != data_.conf_application_name) {
      streaming_ = false;
    }
    upstream_ = data_.conf_upstream_port;
    application_name_ = data_.conf_application_name;
    Connect();
  }
  if (sync_value_ != data_.conf_sync_names) LoadSyncNames(false);
  net_.OnServerChange(*this);
  return OkStatus();
}

Status FakePostgres::Promote(int) {
  if (!running_) return Err("pg_ctl promote: no server running");
  if (!in_recovery_) return Err("pg_ctl promote: server is not in standby mode");
  net_.OnPromote(*this);
  in_recovery_ = false;
  streaming_ = false;
  caught_up_ = false;
  upstream_.reset();
  application_name_.clear();
  data_.standby_signal = false;
  uint32_t tl = data_.Timeline() + 1;
  while (data_.HasHistoryFile(tl)) ++tl;
  data_.history.push_back(Segment{tl, net_.NewUid(), data_.lsn});
  data_.control_state = "in production";
  if (hazards_.drop_slots) DropSlots();
  writable_since_ = net_.NewUid();
  net_.OnServerChange(*this);
  return OkStatus();
}

const FakePostgres* FakePostgres::Source(const std::string& conninfo) const {
  auto port = ConninfoPort(conninfo);
  const FakePostgres* src = port ? net_.ServerAt(*port) : nullptr;
  if (!src || !src->running_ || !net_.Linked(port_, *port)) return nullptr;
  return src;
}

Status FakePostgres::Basebackup(const std::string& conninfo, int, const std::vector<std::string>&) {
  if (postmaster()) return Err("pg_basebackup: directory exists and is not empty");
  data_ = DataDir{};  // a failed copy leaves an empty directory, as the real driver does
  const FakePostgres* src = Source(conninfo);
  if (!src || faults_.copy_fail) {
    return Err("pg_basebackup: error: connection to server at \"127.0.0.1\", port " +
               std::to_string(ConninfoPort(conninfo).value_or(0)) + " failed: Connection refused");
  }
  data_ = src->data_;
  data_.slots.clear();  // pg_basebackup does not copy pg_replslot
  data_.standby_signal = false;
  data_.conf_upstream_port.reset();
  data_.checkpoint = data_.lsn;
  return OkStatus();
}

Status FakePostgres::Rewind(const std::string& source_conninfo, int) {
  if (postmaster()) return Err("pg_rewind: target server must be shut down cleanly");
  if (!data_.exists) return Err("pg_rewind: no data directory");
  const FakePostgres* src = Source(source_conninfo);
  if (!src || faults_.copy_fail) {
    return Err("pg_rewind: error: connection to server at \"127.0.0.1\", port " +
               std::to_string(ConninfoPort(source_conninfo).value_or(0)) +
               " failed: Connection refused");
  }
  if (src->data_.sysid != data_.sysid) {
    return Err("pg_rewind: source and target clusters are from different systems");
  }
  if (CanStreamFrom(data_, src->data_)) return OkStatus();  // "no rewind required"
  // pg_rewind compares timeline numbers only: the same number on both sides looks like one
  // timeline even when it forked on two nodes.
  if (data_.Timeline() == src->data_.Timeline()) return OkStatus();
  // Blocks changed since the fork come from the source; the target then replays the source's
  // WAL up to the source's position at the end of the rewind.
  data_.history = src->data_.history;
  data_.lsn = src->data_.lsn;
  data_.checkpoint = data_.lsn;
  data_.control_state = "in archive recovery";
  return OkStatus();
}

Status FakePostgres::RemoveDataDir() {
  if (postmaster()) return Err("cannot remove a running server's data directory");
  data_ = DataDir{};
  return OkStatus();
}

Result<std::string> FakePostgres::MoveDataDirAside() {
  if (postmaster()) return Err("cannot move a running server's data directory aside");
  data_ = DataDir{};
  return data_dir_ + ".failed-" + std::to_string(++moved_aside_);
}

// pg_wal/<tl>.history as PostgreSQL writes it: "<parent tl>\t<switch LSN>\t<reason>" per line.
Result<std::string> FakePostgres::ReadTimelineHistory(uint32_t timeline) {
  if (data_.history.empty() || data_.Timeline() != timeline) {
    return Err("no history file for timeline " + std::to_string(timeline));
  }
  std::string out;
  for (size_t i = 0; i + 1 < data_.history.size(); ++i) {
    out += std::to_string(data_.history[i].tl) + "\t" + Lsn{data_.history[i + 1].start}.ToString() +
           "\tno recovery target specified\n";
  }
  return out;
}

bool DataDir::HasHistoryFile(uint32_t tl) const {
  if (reserved.count(tl)) return true;
  for (const auto& s : history) {
    if (s.tl == tl && tl > 1) return true;
  }
  return false;
}

Result<uint32_t> FakePostgres::ReserveTimelines(uint32_t current, uint64_t, uint32_t at_least) {
  if (!data_.exists || current == 0) return Err("the current timeline is unknown");
  for (uint32_t tl = current + 1;; ++tl) {
    if (data_.HasHistoryFile(tl)) continue;
    if (tl >= at_least || hazards_.ignore_timeline_claims) return tl;
    data_.reserved.insert(tl);
  }
}

Result<std::vector<pg::Row>> FakePostgres::Query(const std::string& sql) {
  if (!queryable()) return Err("not connected to PostgreSQL: connection refused");
  if (sql == "CHECKPOINT") data_.checkpoint = data_.lsn;
  // Physical replication slots, as pg::ReplicationSlots reads them (name, type, database,
  // plugin, active, restart_lsn, confirmed_flush_lsn); positions are not modelled.
  if (sql.find("FROM pg_replication_slots") != std::string::npos) {
    std::vector<pg::Row> rows;
    std::set<std::string> listed = data_.slots;
    listed.insert(ghost_slots_.begin(), ghost_slots_.end());
    for (const auto& slot : listed) {
      rows.push_back(
          {slot, "physical", std::nullopt, std::nullopt, "f", std::nullopt, std::nullopt});
    }
    return rows;
  }
  const std::string create = "SELECT pg_create_physical_replication_slot('";
  if (sql.compare(0, create.size(), create) == 0) {
    std::string slot = sql.substr(create.size(), sql.find('\'', create.size()) - create.size());
    if (!data_.slots.insert(slot).second) {
      return Err("ERROR: replication slot \"" + slot + "\" already exists");
    }
    return std::vector<pg::Row>{{slot}};
  }
  return std::vector<pg::Row>{};
}

Result<std::string> FakePostgres::Literal(const std::string& value) {
  if (!queryable()) return Err("not connected to PostgreSQL: connection refused");
  return "'" + value + "'";
}

void FakePostgres::Kill() {
  running_ = false;
  recovering_until_.reset();
  in_recovery_ = false;
  streaming_ = false;
  caught_up_ = false;
  upstream_.reset();
  application_name_.clear();
  sync_value_.clear();
  sync_ = SyncNames{};
  sync_defined_ = false;
  checkpointer_reload_at_.reset();
  net_.OnServerChange(*this);
}

const FakePostgres* FakePostgres::Upstream() const {
  if (!running_ || !in_recovery_ || !upstream_) return nullptr;
  FakePostgres* src = net_.ServerAt(*upstream_);
  if (!src || !src->running_ || !net_.Linked(port_, *upstream_)) return nullptr;
  if (!CanStreamFrom(data_, src->data_)) return nullptr;
  return src;
}

void FakePostgres::Connect() {
  const FakePostgres* src = Upstream();
  if (!src) caught_up_ = false;
  if (src && !streaming_) caught_up_ = data_.lsn == src->data_.lsn;  // a new walsender
  streaming_ = src != nullptr;
}

void FakePostgres::Replicate(double fraction) {
  Connect();
  const FakePostgres* src = Upstream();
  if (!src) return;
  uint64_t gap = src->data_.lsn - data_.lsn;
  uint64_t lsn = data_.lsn + static_cast<uint64_t>(std::ceil(static_cast<double>(gap) * fraction));
  // Adopt the upstream's timelines up to the new position (recovery_target_timeline=latest).
  std::vector<Segment> history;
  for (const auto& s : src->data_.history) {
    if (history.empty() || s.start <= lsn) history.push_back(s);
  }
  data_.history = std::move(history);
  data_.lsn = lsn;
  if (lsn == src->data_.lsn) caught_up_ = true;
}

}  // namespace pgha::sim
