#pragma once
// A PostgreSQL server as a state machine: a data directory (system identifier, timeline history,
// WAL position, standby.signal, the upstream written to postgresql.conf) and a server process
// (stopped / primary / replica streaming from an upstream found by its port).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  uint64_t checkpoint = 0;                // latest checkpoint location (pg_control)
  std::string control_state;
  uint32_t Timeline() const { return history.empty() ? 0 : history.back().tl; }
};

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
  Status Promote(int timeout_seconds) override;
  Status Basebackup(const std::string& conninfo, int timeout_seconds) override;
  Status Rewind(const std::string& source_conninfo, int timeout_seconds) override;
  Result<std::string> MoveDataDirAside() override;
  Result<std::string> ReadTimelineHistory(uint32_t timeline) override;
  Result<std::vector<pg::Row>> Query(const std::string& sql) override;
  Result<std::string> Literal(const std::string& value) override;
  std::string data_dir() const override { return data_dir_; }

  // Simulator side.
  const std::string& name() const { return name_; }
  int port() const { return port_; }
  const DataDir& data() const { return data_; }
  bool running() const { return running_; }
  bool writable() const { return running_ && !in_recovery_; }
  bool in_recovery() const { return in_recovery_; }
  bool streaming() const { return streaming_; }
  std::optional<int> upstream_port() const { return upstream_; }
  void Write(uint64_t bytes) { data_.lsn += bytes; }
  // Crash (kill -9, fencing guard, power loss): the data directory stays as it was.
  void Kill();
  // The WAL receiver: reconnects and copies WAL up to `fraction` of the way to the upstream.
  void Replicate(double fraction);

 private:
  void Connect();
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
  std::optional<int> upstream_;  // primary_conninfo the running server uses
};

// The port in a libpq conninfo ("host=... port=5441 ..."), if any.
std::optional<int> ConninfoPort(const std::string& conninfo);

}  // namespace pgha::sim
