#pragma once
// The agent's handle on its PostgreSQL: observation and the lifecycle steps the executor runs.
// A real implementation drives pg_ctl/initdb/pg_basebackup and libpq; tests use fakes.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "ha/local_state.h"
#include "pg/connection.h"
#include "pg/render.h"

namespace pgha::pg {

class Postgres {
 public:
  virtual ~Postgres() = default;
  virtual ha::LocalPg Observe() = 0;
  virtual Status Initdb(const std::vector<std::string>& options) = 0;
  // Writes postgresql.conf and pg_hba.conf; `recovery` set = standby.signal present.
  virtual Status WriteConfig(const nlohmann::json& parameters, const std::vector<std::string>& hba,
                             const std::optional<RecoveryTarget>& recovery) = 0;
  virtual Status Start(int timeout_seconds) = 0;
  // mode: smart | fast | immediate. Succeeds when PostgreSQL is not running afterwards.
  virtual Status Stop(const std::string& mode, int timeout_seconds) = 0;
  // Asks PostgreSQL to shut down in `mode` and returns at once; Stop() also waits.
  virtual Status RequestStop(const std::string& mode) { return Stop(mode, 60); }
  // A postmaster process of this data directory runs (cheap: no connection).
  virtual bool PostmasterRunning() { return Observe().postmaster; }
  // The shutdown checkpoint's LSN once PostgreSQL has written it (pg_control says "shut down"),
  // possibly while the postmaster is still exiting; nullopt before that.
  virtual std::optional<uint64_t> ShutdownCheckpoint() {
    ha::LocalPg pg = Observe();
    if (pg.postmaster || pg.control_state != "shut down") return std::nullopt;
    return pg.control_checkpoint;
  }
  virtual Status Reload() = 0;
  // Returns once PostgreSQL runs as a primary.
  virtual Status Promote(int timeout_seconds) = 0;
  // `options`: more pg_basebackup arguments (postgresql.basebackup, rendered --key[=value]).
  virtual Status Basebackup(const std::string& conninfo, int timeout_seconds,
                            const std::vector<std::string>& options) = 0;
  // pg_rewind from a running source (libpq conninfo). PostgreSQL must be stopped; pg_rewind
  // (13+) runs crash recovery on an unclean target itself and copies nothing if not diverged.
  virtual Status Rewind(const std::string& source_conninfo, int timeout_seconds) = 0;
  // Renames the data directory to <data_dir>.failed-<time> (never deletes it); returns the new
  // path. The next loop then sees an empty data directory and re-clones.
  virtual Result<std::string> MoveDataDirAside() = 0;
  // Empties the data directory (reinitialize on the operator's request). PostgreSQL must be
  // stopped.
  virtual Status RemoveDataDir() { return Err("removing the data directory is not supported"); }
  // Runs a user's script that makes the data directory (a replica or bootstrap method) with
  // `env` added, within `timeout_seconds`; argv[0] without a '/' is looked up in PATH.
  // ParseRecoveryFloor of this data directory (empty when pg_controldata cannot say).
  virtual std::map<std::string, int64_t> RecoveryFloor() { return {}; }
  virtual Status RunDataDirScript(const std::vector<std::string>& argv,
                                  const std::map<std::string, std::string>& env,
                                  int timeout_seconds) {
    (void)argv, (void)env, (void)timeout_seconds;
    return Err("running data directory scripts is not supported");
  }
  // Contents of pg_wal/<timeline>.history (written by PostgreSQL at promotion).
  virtual Result<std::string> ReadTimelineHistory(uint32_t timeline) {
    (void)timeline;
    return Err("timeline history is not available");
  }
  // Makes the next promotion take timeline `at_least` or a higher number, never one below it
  // (pg/timeline_files.h); returns the number it will take. `current`: the recovery timeline;
  // `lsn`: where a placeholder file says its timeline forked.
  virtual Result<uint32_t> ReserveTimelines(uint32_t current, uint64_t lsn, uint32_t at_least) = 0;
  virtual Result<std::vector<Row>> Query(const std::string& sql) = 0;
  // Quoting through the live connection (fails if not connected).
  virtual Result<std::string> Literal(const std::string& value) = 0;
  virtual std::string data_dir() const = 0;
};

// One line of a pg_wal/<tl>.history file: "<parent tl>\t<switch LSN>\t<reason>".
struct TimelineSwitch {
  uint32_t timeline = 0;  // the parent timeline, which ended at switch_lsn
  uint64_t switch_lsn = 0;
  std::string reason;  // empty when the line has none
};
std::vector<TimelineSwitch> ParseTimelineHistory(const std::string& text);
// The LSN where the timeline described by a history file began (its last line's switch point);
// nullopt when the text has no entry.
std::optional<uint64_t> TimelineStartFromHistory(const std::string& text);

// Finds the directory with pg_ctl: `bin_dir` if set (must contain pg_ctl), else the newest
// /usr/lib/postgresql/<major>/bin, else `pg_config --bindir`.
Result<std::string> FindBinDir(const std::string& configured);

std::unique_ptr<Postgres> MakePostgres(const config::Config& config, const std::string& bin_dir);

// PostgreSQL's WAL positions right now (one short query on `pg`'s connection) into `out`:
// wal_lsn on a primary, receive_lsn and replay_lsn on a standby. False, `out` untouched, when
// the server does not answer.
bool ReadLivePositions(Postgres& pg, ha::LocalPg* out);

// Parses `pg_controldata` output into the data-directory fields of LocalPg.
void ParseControlData(const std::string& output, ha::LocalPg* pg);
// The settings a server that recovers this data directory needs at least the source's values of
// (max_connections, max_worker_processes, max_wal_senders, max_prepared_transactions,
// max_locks_per_transaction), from `pg_controldata` output.
std::map<std::string, int64_t> ParseRecoveryFloor(const std::string& output);

}  // namespace pgha::pg
