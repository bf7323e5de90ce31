#include "sim/fake_postgres.h"

#include <cmath>

#include "core/lsn.h"

namespace pgha::sim {

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
  pg.postmaster = running_;
  if (!running_) return pg;
  pg.running = true;
  pg.state = "running";
  pg.in_recovery = in_recovery_;
  pg.timeline = data_.Timeline();
  pg.server_version = 150000;
  if (in_recovery_) {
    pg.receive_lsn = data_.lsn;
    pg.replay_lsn = data_.lsn;
  } else {
    pg.wal_lsn = data_.lsn;
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

Status FakePostgres::WriteConfig(const nlohmann::json&, const std::vector<std::string>&,
                                 const std::optional<pg::RecoveryTarget>& recovery) {
  if (!data_.exists) return Err("cannot write postgresql.conf: no data directory");
  data_.standby_signal = recovery.has_value();
  data_.conf_upstream_port.reset();
  if (recovery) data_.conf_upstream_port = ConninfoPort(recovery->primary_conninfo);
  return OkStatus();
}

Status FakePostgres::Start(int) {
  if (!data_.exists) return Err("pg_ctl start: no data directory");
  if (running_) return Err("pg_ctl start: another server might be running");
  running_ = true;
  in_recovery_ = data_.standby_signal;
  data_.control_state = in_recovery_ ? "in archive recovery" : "in production";
  upstream_.reset();
  if (in_recovery_) upstream_ = data_.conf_upstream_port;
  Connect();
  return OkStatus();
}

Status FakePostgres::Stop(const std::string& mode, int) {
  if (!running_) return OkStatus();
  if (mode != "immediate") {
    // A clean shutdown writes a checkpoint; walsenders first send everything to the replicas.
    if (!in_recovery_) net_.FlushToReplicas(*this);
    data_.checkpoint = data_.lsn;
    data_.control_state = in_recovery_ ? "shut down in recovery" : "shut down";
  }
  Kill();
  return OkStatus();
}

Status FakePostgres::Reload() {
  if (!running_) return Err("pg_ctl reload: no server running");
  if (in_recovery_) {
    upstream_ = data_.conf_upstream_port;  // primary_conninfo is reloadable since PostgreSQL 13
    Connect();
  }
  return OkStatus();
}

Status FakePostgres::Promote(int) {
  if (!running_) return Err("pg_ctl promote: no server running");
  if (!in_recovery_) return Err("pg_ctl promote: server is not in standby mode");
  net_.OnPromote(*this);
  in_recovery_ = false;
  streaming_ = false;
  upstream_.reset();
  data_.standby_signal = false;
  data_.history.push_back(Segment{data_.Timeline() + 1, net_.NewUid(), data_.lsn});
  data_.control_state = "in production";
  return OkStatus();
}

const FakePostgres* FakePostgres::Source(const std::string& conninfo) const {
  auto port = ConninfoPort(conninfo);
  const FakePostgres* src = port ? net_.ServerAt(*port) : nullptr;
  if (!src || !src->running_ || !net_.Linked(port_, *port)) return nullptr;
  return src;
}

Status FakePostgres::Basebackup(const std::string& conninfo, int) {
  if (running_) return Err("pg_basebackup: directory exists and is not empty");
  data_ = DataDir{};  // a failed copy leaves an empty directory, as the real driver does
  const FakePostgres* src = Source(conninfo);
  if (!src) return Err("pg_basebackup: could not connect to server");
  data_ = src->data_;
  data_.standby_signal = false;
  data_.conf_upstream_port.reset();
  data_.checkpoint = data_.lsn;
  return OkStatus();
}

Status FakePostgres::Rewind(const std::string& source_conninfo, int) {
  if (running_) return Err("pg_rewind: target server must be shut down cleanly");
  if (!data_.exists) return Err("pg_rewind: no data directory");
  const FakePostgres* src = Source(source_conninfo);
  if (!src) return Err("pg_rewind: could not connect to server");
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

Result<std::string> FakePostgres::MoveDataDirAside() {
  if (running_) return Err("cannot move a running server's data directory aside");
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

Result<std::vector<pg::Row>> FakePostgres::Query(const std::string& sql) {
  if (!running_) return Err("not connected to PostgreSQL: connection refused");
  if (sql == "CHECKPOINT") data_.checkpoint = data_.lsn;
  return std::vector<pg::Row>{};
}

Result<std::string> FakePostgres::Literal(const std::string& value) {
  if (!running_) return Err("not connected to PostgreSQL: connection refused");
  return "'" + value + "'";
}

void FakePostgres::Kill() {
  running_ = false;
  in_recovery_ = false;
  streaming_ = false;
  upstream_.reset();
}

const FakePostgres* FakePostgres::Upstream() const {
  if (!running_ || !in_recovery_ || !upstream_) return nullptr;
  FakePostgres* src = net_.ServerAt(*upstream_);
  if (!src || !src->running_ || !net_.Linked(port_, *upstream_)) return nullptr;
  if (!CanStreamFrom(data_, src->data_)) return nullptr;
  return src;
}

void FakePostgres::Connect() { streaming_ = Upstream() != nullptr; }

void FakePostgres::Replicate(double fraction) {
  const FakePostgres* src = Upstream();
  streaming_ = src != nullptr;
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
}

}  // namespace pgha::sim
