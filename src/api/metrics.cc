#include "api/metrics.h"

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <sstream>

#include "api/facts.h"
#include "core/iso_time.h"
#include "core/strings.h"

namespace pgha::api {
namespace {

std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Writer {
 public:
  explicit Writer(const Snapshot& s)
      : labels_("{scope=\"" + EscapeLabel(s.scope) + "\",name=\"" + EscapeLabel(s.name) + "\"}") {}
  template <class T>
  void Add(const std::string& name, const char* type, const char* help, T value) {
    out_ << "# HELP " << name << ' ' << help << '\n'
         << "# TYPE " << name << ' ' << type << '\n'
         << name << labels_ << ' ' << value << '\n';
  }
  // patroni_postgres_state, with Patroni's "# Values:" line naming every code.
  void AddState(int code, const char* names) {
    out_ << "# HELP patroni_postgres_state Numeric representation of Postgres state.\n"
         << "# Values: " << names << '\n'
         << "# TYPE patroni_postgres_state gauge\n"
         << "patroni_postgres_state" << labels_ << ' ' << code << '\n';
  }
  std::string Text() const { return out_.str(); }

 private:
  std::string labels_;
  std::ostringstream out_;
};

// Epoch seconds of PostgreSQL's timestamptz text, "0" when absent or unreadable (as Patroni).
std::string Epoch(const std::optional<std::string>& text) {
  std::optional<ParsedTime> t = text ? ParseIsoTime(*text) : std::nullopt;
  if (!t) return "0";
  char out[40];
  std::snprintf(out, sizeof out, "%.6f", EpochSeconds(t->at));
  return out;
}

// Patroni's PostgresqlState codes: fixed forever for the dashboards that read them.
constexpr const char* kStates[] = {"initializing new cluster",
                                   "initdb failed",
                                   "running custom bootstrap script",
                                   "custom bootstrap failed",
                                   "creating replica",
                                   "running",
                                   "starting",
                                   "starting after custom bootstrap",
                                   "start failed",
                                   "restarting",
                                   "restart failed",
                                   "stopping",
                                   "stopped",
                                   "stop failed",
                                   "crashed"};
constexpr const char* kStateNames =
    "0=initdb, 1=initdb_failed, 2=custom_bootstrap, 3=custom_bootstrap_failed, "
    "4=creating_replica, 5=running, 6=starting, 7=bootstrap_starting, 8=start_failed, "
    "9=restarting, 10=restart_failed, 11=stopping, 12=stopped, 13=stop_failed, 14=crashed";

void AddRoleMetrics(const Snapshot& s, Writer& w) {
  bool primary = s.pg.running && !s.pg.in_recovery;
  bool replica = s.pg.running && s.pg.in_recovery;
  w.Add("patroni_primary", "gauge", "Value is 1 if this node is the leader, 0 otherwise.",
        int(primary));
  w.Add("patroni_standby_leader", "gauge",
        "Value is 1 if this node is the standby_leader, 0 otherwise.", 0);
  w.Add("patroni_replica", "gauge", "Value is 1 if this node is a replica, 0 otherwise.",
        int(replica));
  w.Add("patroni_sync_standby", "gauge",
        "Value is 1 if this node is a sync standby replica, 0 otherwise.", int(IsSyncStandby(s)));
  w.Add("patroni_quorum_standby", "gauge",
        "Value is 1 if this node is a quorum standby replica, 0 otherwise.",
        int(IsQuorumStandby(s)));
}

void AddWalMetrics(const Snapshot& s, Writer& w) {
  bool replica = s.pg.running && s.pg.in_recovery;
  bool primary = s.pg.running && !s.pg.in_recovery;
  w.Add("patroni_xlog_location", "counter",
        "Current location of the Postgres transaction log, 0 if this node is not the leader.",
        primary ? s.pg.wal_lsn : 0);
  w.Add("patroni_xlog_received_location", "counter",
        "Current location of the received Postgres transaction log, 0 if this node is not a "
        "replica.",
        replica ? s.pg.receive_lsn : 0);
  w.Add("patroni_xlog_replayed_location", "counter",
        "Current location of the replayed Postgres transaction log, 0 if this node is not a "
        "replica.",
        replica ? s.pg.replay_lsn : 0);
  w.Add("patroni_xlog_replayed_timestamp", "gauge",
        "Current timestamp of the replayed Postgres transaction log, 0 if null.",
        replica ? Epoch(s.pg.replayed_timestamp) : "0");
  w.Add("patroni_xlog_paused", "gauge", "Value is 1 if the Postgres xlog is paused, 0 otherwise.",
        int(replica && s.pg.replay_paused));
  w.Add("patroni_postgres_streaming", "gauge", "Value is 1 if Postgres is streaming, 0 otherwise.",
        int(replica && s.pg.streaming));
  w.Add("patroni_postgres_in_archive_recovery", "gauge",
        "Value is 1 if Postgres is replicating from archive, 0 otherwise.",
        int(replica && !s.pg.streaming));
}

}  // namespace

int PostgresStateCode(const std::string& state) {
  for (size_t i = 0; i < std::size(kStates); ++i) {
    if (state == kStates[i]) return static_cast<int>(i);
  }
  return -1;
}

std::string PaddedVersion(const std::string& version) {
  std::string out;
  for (const std::string& part : Split(version, '.')) {
    std::string digits = part.substr(0, part.find_first_not_of("0123456789"));
    if (digits.size() < 2) digits.insert(0, 2 - digits.size(), '0');
    out += digits;
  }
  return out;
}

std::string MetricsText(const Snapshot& s) {
  Writer w(s);
  w.Add("patroni_version", "gauge", "Patroni semver without periods.", PaddedVersion(s.version));
  w.Add("patroni_postgres_running", "gauge", "Value is 1 if Postgres is running, 0 otherwise.",
        int(s.pg.running));
  w.Add("patroni_postmaster_start_time", "gauge", "Epoch seconds since Postgres started.",
        s.pg.running ? Epoch(s.pg.postmaster_start_time) : "0");
  AddRoleMetrics(s, w);
  AddWalMetrics(s, w);
  w.Add("patroni_postgres_server_version", "gauge",
        "Version of Postgres (if running), 0 otherwise.", s.pg.running ? s.pg.server_version : 0);
  w.Add("patroni_cluster_unlocked", "gauge", "Value is 1 if the cluster is unlocked, 0 if locked.",
        int(s.cluster_unlocked));
  w.Add("patroni_failsafe_mode_is_active", "gauge",
        "Value is 1 if failsafe mode is active, 0 if inactive.", int(s.failsafe_active));
  w.Add("patroni_failsafe_mode_enabled", "gauge",
        "Value is 1 if failsafe_mode is enabled, 0 otherwise.", int(s.settings.failsafe_mode));
  w.Add("patroni_failsafe_member", "gauge",
        "Value is 1 if this node is a member of failsafe, 0 otherwise.",
        int(s.failsafe_members.count(s.name) > 0));
  w.Add("patroni_postgres_timeline", "gauge",
        "Postgres timeline of this node (if running), 0 otherwise.",
        s.pg.running ? s.pg.timeline : 0);
  w.Add("patroni_dcs_last_seen", "gauge",
        "Epoch timestamp when DCS was last contacted successfully by Patroni.",
        static_cast<int64_t>(s.dcs_last_seen));
  w.Add("patroni_pending_restart", "gauge", "Value is 1 if the node needs a restart, 0 otherwise.",
        int(s.pg.pending_restart));
  w.Add("patroni_is_paused", "gauge", "Value is 1 if auto failover is disabled, 0 otherwise.",
        int(s.settings.pause));
  w.AddState(PostgresStateCode(s.pg.state), kStateNames);
  w.Add("patroni_failover_priority", "gauge", "Failover priority of this node.", s.tags.Priority());
  return w.Text();
}

}  // namespace pgha::api
