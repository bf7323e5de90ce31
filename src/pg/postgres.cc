#include "pg/postgres.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "core/lsn.h"
#include "core/strings.h"
#include "pg/commit_gate.h"
#include "pg/connection.h"
#include "pg/data_dir.h"
#include "pg/process.h"
#include "pg/render.h"
#include "pg/timeline_files.h"

namespace fs = std::filesystem;

namespace pgha::pg {
namespace {

using std::chrono::seconds;

Status WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = path + ".pgha-tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return Err("cannot write " + tmp);
    f << content;
    if (!f.flush()) return Err("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), mode);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Err("cannot rename " + tmp + ": " + ec.message());
  return OkStatus();
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  return line;
}

uint64_t ToU64(const std::optional<std::string>& v) {
  return v ? std::strtoull(v->c_str(), nullptr, 10) : 0;
}

class RealPostgres final : public Postgres {
 public:
  RealPostgres(const config::Config& c, std::string bin_dir)
      : cfg_(c.postgresql), scope_(c.scope), bin_(std::move(bin_dir)) {}

  std::string data_dir() const override { return cfg_.data_dir; }

  ha::LocalPg Observe() override {
    ha::LocalPg pg;
    pg.data_dir_empty = !fs::exists(cfg_.data_dir + "/PG_VERSION");
    if (pg.data_dir_empty) return pg;
    pg.standby_signal = fs::exists(cfg_.data_dir + "/standby.signal");
    pg.postmaster = PostmasterAlive();
    if (!pg.postmaster || sysid_.empty()) ReadControlData(&pg);
    pg.sysid = sysid_;
    if (!pg.postmaster) {
      conn_.reset();
      pg.state = "stopped";
      // A server promoted and stopped before its first checkpoint on the new timeline still has
      // the old one in pg_control; the WAL segments it wrote on the new one know better (it must
      // be rewound). Not its history files: a replica fetches the leader's newest one before it
      // streams a byte of that timeline, also when its own WAL went past the fork and it can
      // only be rewound (seen in tests/fault's freeze-replica: the start then failed forever).
      pg.control_timeline = std::max(pg.control_timeline, HighestSegmentTimeline(cfg_.data_dir));
      ReadTimelineStart(pg.control_timeline, &pg);
      return pg;
    }
    if (!Connect()) {
      pg.state = "starting";
      return pg;
    }
    if (!QueryServer(&pg)) {
      conn_.reset();
      pg.state = "starting";
      return pg;
    }
    pg.running = true;
    pg.state = "running";
    ReadTimelineStart(pg.timeline, &pg);
    return pg;
  }

  void ReadTimelineStart(uint32_t timeline, ha::LocalPg* pg) {
    if (timeline <= 1) return;
    auto text = ReadTimelineHistory(timeline);
    if (!text.ok()) return;
    if (auto start = TimelineStartFromHistory(*text)) {
      pg->timeline_start_of = timeline;
      pg->timeline_start = *start;
    }
  }

  Status Initdb(const std::vector<std::string>& options) override {
    char pwfile[] = "/tmp/pgha-pwfile-XXXXXX";
    int fd = ::mkstemp(pwfile);
    if (fd < 0) return Err("cannot create a temporary password file");
    std::string pw = cfg_.superuser.password + "\n";
    bool wrote = ::write(fd, pw.data(), pw.size()) == static_cast<ssize_t>(pw.size());
    ::close(fd);
    if (!wrote) return Err("cannot write the temporary password file");
    std::string moved;
    if (auto st = MakeRoomForNewCluster(cfg_.data_dir, &moved); !st.ok()) {
      ::unlink(pwfile);
      return st;
    }
    if (!moved.empty())
      spdlog::warn("{} held no PostgreSQL cluster: moved aside to {}", cfg_.data_dir, moved);
    std::vector<std::string> argv = {Bin("initdb"), "-D", cfg_.data_dir, "-U",
                                     cfg_.superuser.username};
    if (!cfg_.superuser.password.empty()) argv.push_back(std::string("--pwfile=") + pwfile);
    for (const auto& o : options) argv.push_back(o);
    auto r = RunCommand(argv, {{"LC_ALL", "C.UTF-8"}}, seconds(300));
    ::unlink(pwfile);
    if (!r.ok()) return r.error();
    if (r->exit_code != 0) return Err(DescribeFailure("initdb", *r));
    // Keep initdb's file as the base; postgresql.conf becomes ours.
    std::error_code ec;
    fs::rename(cfg_.data_dir + "/postgresql.conf", cfg_.data_dir + "/postgresql.base.conf", ec);
    if (ec) return Err("cannot rename postgresql.conf: " + ec.message());
    sysid_.clear();
    return OkStatus();
  }

  Status WriteConfig(const nlohmann::json& parameters, const std::vector<std::string>& hba,
                     const std::optional<RecoveryTarget>& recovery) override {
    nlohmann::json params = parameters;
    params["hba_file"] = cfg_.data_dir + "/pg_hba.conf";
    std::optional<RecoveryTarget> target = recovery;
    if (target && !target->primary_conninfo.empty()) {
      // The replication password goes into the passfile, never into postgresql.conf.
      auto split = SplitPassword(target->primary_conninfo);
      if (!split.ok()) return Err("primary_conninfo: " + split.message());
      if (!split->password.empty()) {
        const std::string path = cfg_.PgpassPath();
        if (auto st = WriteFileAtomic(path, PgpassLines(*split), 0600); !st.ok()) {
          return Err("cannot write the passfile (postgresql.pgpass) " + path + ": " + st.message());
        }
        target->primary_conninfo = split->conninfo + " " + BuildConninfo({{"passfile", path}});
      }
    }
    PGHA_TRY(WriteFileAtomic(cfg_.data_dir + "/postgresql.conf",
                             RenderPostgresqlConf(params, target), 0600));
    if (!hba.empty())
      PGHA_TRY(WriteFileAtomic(cfg_.data_dir + "/pg_hba.conf", RenderHba(hba), 0600));
    const std::string standby = cfg_.data_dir + "/standby.signal";
    const std::string archive = cfg_.data_dir + "/recovery.signal";
    const std::string* wanted = !recovery                    ? nullptr
                                : recovery->archive_recovery ? &archive
                                                             : &standby;
    std::error_code ec;
    for (const std::string* signal : {&standby, &archive}) {
      if (signal == wanted) {
        if (!fs::exists(*signal)) PGHA_TRY(WriteFileAtomic(*signal, "", 0600));
      } else {
        fs::remove(*signal, ec);
      }
    }
    return OkStatus();
  }

  Status Start(int timeout_seconds) override {
    conn_.reset();
    std::error_code ec;
    if (fs::exists(cfg_.data_dir + "/standby.signal", ec))
      fs::remove(cfg_.data_dir + "/promote", ec);
    DropStalePidFile();
    std::string log = LogFile();
    // The server inherits this environment: a PGPASSWORD or PGPASSFILE of the agent's would win
    // over primary_conninfo's passfile in the WAL receiver (libpq's order) and fail replication.
    std::vector<std::string> argv = {Bin("pg_ctl"), "start", "-D", cfg_.data_dir,
                                     "-w",          "-s",    "-t", std::to_string(timeout_seconds),
                                     "-l",          log};
    if (cfg_.bin_name.count("postgres")) argv.insert(argv.end(), {"-p", Bin("postgres")});
    auto r = RunCommand(argv, {}, seconds(timeout_seconds + 5), {"PGPASSWORD", "PGPASSFILE"});
    if (!r.ok()) return r.error();
    if (r->exit_code != 0) {
      return Err(DescribeFailure("pg_ctl start", *r) + " (server log: " + log + ")");
    }
    return OkStatus();
  }

  // Signals the postmaster as pg_ctl would (smart SIGTERM, fast SIGINT, immediate SIGQUIT).
  Status RequestStop(const std::string& mode) override {
    int sig = mode == "smart"       ? SIGTERM
              : mode == "fast"      ? SIGINT
              : mode == "immediate" ? SIGQUIT
                                    : 0;
    if (sig == 0) return Err("unknown shutdown mode '" + mode + "' (smart, fast or immediate)");
    conn_.reset();
    pid_t pid = PostmasterPid();
    if (pid <= 0 || !ProcessRunning(pid)) return OkStatus();
    if (::kill(pid, sig) != 0 && errno != ESRCH) {
      return Err("cannot signal the postmaster (pid " + std::to_string(pid) +
                 "): " + std::strerror(errno));
    }
    return OkStatus();
  }

  // pg_ctl stop -w looks every 100 ms; a switchover's outage includes this wait, so we watch the
  // postmaster ourselves every 10 ms.
  Status Stop(const std::string& mode, int timeout_seconds) override {
    PGHA_TRY(RequestStop(mode));
    auto deadline = std::chrono::steady_clock::now() + seconds(timeout_seconds);
    while (PostmasterAlive()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return Err("PostgreSQL did not stop within " + std::to_string(timeout_seconds) +
                   " s (shutdown mode " + mode + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll pacing
    }
    return OkStatus();
  }

  bool PostmasterRunning() override { return PostmasterAlive(); }

  std::optional<uint64_t> ShutdownCheckpoint() override {
    ha::LocalPg pg;
    ReadControlData(&pg);
    if (pg.control_state != "shut down") return std::nullopt;
    return pg.control_checkpoint;
  }

  Status Reload() override {
    auto r = RunCommand({Bin("pg_ctl"), "reload", "-D", cfg_.data_dir, "-s"}, {}, seconds(30));
    if (!r.ok()) return r.error();
    if (r->exit_code != 0) return Err(DescribeFailure("pg_ctl reload", *r));
    return OkStatus();
  }

  // pg_promote(false) over our connection, then pg_is_in_recovery() every 10 ms (pg_ctl promote
  // -w looks every 100 ms). The request is repeated every 100 ms: PostgreSQL 15 can take a promote
  // request just after its walreceiver ended and then sleep wal_retrieve_retry_interval (5 s)
  // before acting on it; a repeated request wakes it. pg_ctl when there is no connection.
  Status Promote(int timeout_seconds) override {
    if (!Query("SELECT pg_promote(false)").ok()) return PromoteWithPgCtl(timeout_seconds);
    auto start = std::chrono::steady_clock::now();
    auto deadline = start + seconds(timeout_seconds);
    auto next_request = start + std::chrono::milliseconds(100);
    std::string last = "no answer";
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = Query("SELECT pg_is_in_recovery()");
      if (r.ok() && !r->empty() && (*r)[0][0] && *(*r)[0][0] == "f") {
        // A repeated request can leave the signal file behind; it must never meet a later start.
        std::error_code ec;
        fs::remove(cfg_.data_dir + "/promote", ec);
        return OkStatus();
      }
      last = r.ok() ? "still in recovery" : r.message();
      if (std::chrono::steady_clock::now() >= next_request) {
        (void)Query("SELECT pg_promote(false)");
        next_request += std::chrono::milliseconds(100);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll pacing
    }
    return Err("PostgreSQL did not finish promoting within " + std::to_string(timeout_seconds) +
               " s: " + last);
  }

  Status PromoteWithPgCtl(int timeout_seconds) {
    auto r = RunCommand({Bin("pg_ctl"), "promote", "-D", cfg_.data_dir, "-w", "-s", "-t",
                         std::to_string(timeout_seconds)},
                        {}, seconds(timeout_seconds + 5));
    if (!r.ok()) return r.error();
    if (r->exit_code != 0) return Err(DescribeFailure("pg_ctl promote", *r));
    return OkStatus();
  }

  // The clone is built in a sibling directory and renamed into place, so a failed or interrupted
  // one never looks like a data directory; only when the data directory is a mount point (it
  // cannot be renamed) is it built in place, and then only into an empty directory.
  Status Basebackup(const std::string& conninfo, int timeout_seconds,
                    const std::vector<std::string>& options) override {
    std::string moved;
    PGHA_TRY(MakeRoomForNewCluster(cfg_.data_dir, &moved));
    if (!moved.empty()) {
      spdlog::warn("{} held no PostgreSQL cluster: moved aside to {}", cfg_.data_dir, moved);
    }
    const std::string staging = CloneStagingDir(cfg_.data_dir);
    const bool in_place = staging == cfg_.data_dir;
    std::error_code ec;
    if (!in_place) fs::remove_all(staging, ec);  // an earlier clone of ours that was interrupted
    fs::create_directories(staging, ec);
    ::chmod(staging.c_str(), 0700);
    // The password travels in PGPASSWORD: a command line is readable by every user (ps).
    auto split = SplitPassword(conninfo);
    if (!split.ok()) return split.error();
    std::map<std::string, std::string> env;
    if (!split->password.empty()) env["PGPASSWORD"] = split->password;
    std::vector<std::string> argv = {
        Bin("pg_basebackup"), "-D", staging, "-X", "stream", "-w", "-d", split->conninfo};
    bool own_checkpoint = false;
    for (const auto& o : options) own_checkpoint = own_checkpoint || StartsWith(o, "--checkpoint");
    if (!own_checkpoint) argv.insert(argv.end(), {"-c", "fast"});
    argv.insert(argv.end(), options.begin(), options.end());
    auto r = RunCommand(argv, env, seconds(timeout_seconds));
    if (!r.ok() || r->exit_code != 0) {
      // Remove only what this clone wrote: the staging directory, or (in place) the entries of a
      // directory that was empty before.
      if (!in_place) fs::remove_all(staging, ec);
      for (const auto& e : DataDirEntries(cfg_.data_dir)) {
        if (in_place) fs::remove_all(cfg_.data_dir + "/" + e, ec);
      }
      if (!r.ok()) return r.error();
      return Err(DescribeFailure("pg_basebackup", *r));
    }
    if (!in_place) {
      fs::remove(cfg_.data_dir, ec);  // empty (made so above): removing it loses nothing
      fs::rename(staging, cfg_.data_dir, ec);
      if (ec) return Err("cannot rename " + staging + " to " + cfg_.data_dir + ": " + ec.message());
    }
    return OkStatus();
  }

  Status Rewind(const std::string& source_conninfo, int timeout_seconds) override {
    conn_.reset();
    DropStalePidFile();
    // pg_rewind finishes an unclean shutdown with single-user crash recovery, which refuses to
    // run in standby mode ("standby mode is not supported by single-user servers"): the signal
    // files go, and the start that follows the rewind writes them again (as Patroni does).
    std::error_code ec;
    fs::remove(cfg_.data_dir + "/standby.signal", ec);
    fs::remove(cfg_.data_dir + "/recovery.signal", ec);
    auto split = SplitPassword(source_conninfo);
    if (!split.ok()) return split.error();
    std::map<std::string, std::string> env = {{"LC_ALL", "C"}};
    if (!split->password.empty()) env["PGPASSWORD"] = split->password;
    auto r = RunCommand({Bin("pg_rewind"), "-D", cfg_.data_dir, "--source-server", split->conninfo},
                        env, seconds(timeout_seconds));
    if (!r.ok()) return r.error();
    if (r->exit_code != 0) return Err(DescribeFailure("pg_rewind", *r));
    sysid_.clear();
    return OkStatus();
  }

  Result<std::string> MoveDataDirAside() override {
    conn_.reset();
    sysid_.clear();
    return pg::MoveDataDirAside(cfg_.data_dir);
  }

  Result<std::string> ReadTimelineHistory(uint32_t timeline) override {
    char name[32];
    std::snprintf(name, sizeof name, "%08X.history", timeline);
    std::string path = cfg_.data_dir + "/pg_wal/" + name;
    std::ifstream f(path);
    if (!f) return Err("cannot read " + path);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }

  Result<uint32_t> ReserveTimelines(uint32_t current, uint64_t lsn, uint32_t at_least) override {
    // A replica cloned on a later timeline has its history file; without one the placeholder
    // carries no lineage, which nothing reads (it only takes the number).
    auto parent = current > 1 ? ReadTimelineHistory(current) : Result<std::string>(std::string());
    return ReserveTimelineNumbers(cfg_.data_dir + "/pg_wal", current, lsn, at_least,
                                  parent.ok() ? *parent : std::string());
  }

  Status RemoveDataDir() override {
    conn_.reset();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cfg_.data_dir, ec)) fs::remove_all(e.path(), ec);
    if (ec) return Err("cannot empty " + cfg_.data_dir + ": " + ec.message());
    sysid_.clear();
    return OkStatus();
  }

  Status RunDataDirScript(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          int timeout_seconds) override {
    auto args = ResolveProgram(argv);
    if (!args.ok()) return args.error();
    conn_.reset();
    sysid_.clear();
    auto r = RunCommand(*args, env, seconds(timeout_seconds));
    if (!r.ok()) return r.error();
    if (r->exit_code != 0) return Err(DescribeFailure(argv[0], *r));
    return OkStatus();
  }

  Result<std::vector<Row>> Query(const std::string& sql) override {
    if (!Connect()) return Err("not connected to PostgreSQL: " + last_connect_error_);
    auto r = conn_->Query(sql);
    if (!r.ok() && !conn_->Healthy()) conn_.reset();
    return r;
  }

  Result<std::string> Literal(const std::string& value) override {
    if (!Connect()) return Err("not connected to PostgreSQL: " + last_connect_error_);
    return conn_->QuoteLiteral(value);
  }

 private:
  std::string LogFile() const {
    fs::path data(cfg_.data_dir);
    fs::path parent = data.parent_path();
    if (::access(parent.c_str(), W_OK) == 0) return (parent / "postgresql.log").string();
    return cfg_.data_dir + "/postgresql.log";
  }

  void DropStalePidFile() {
    if (RemoveStalePostmasterPid(cfg_.data_dir)) {
      spdlog::info("removed the stale postmaster.pid of {}: its postmaster is gone", cfg_.data_dir);
    }
  }

  pid_t PostmasterPid() const {
    std::string line = ReadFirstLine(cfg_.data_dir + "/postmaster.pid");
    return line.empty() ? 0 : static_cast<pid_t>(std::strtol(line.c_str(), nullptr, 10));
  }

  bool PostmasterAlive() const {
    pid_t pid = PostmasterPid();
    return pid > 0 && ProcessRunning(pid);
  }

  std::map<std::string, int64_t> RecoveryFloor() override {
    auto r =
        RunCommand({Bin("pg_controldata"), "-D", cfg_.data_dir}, {{"LC_ALL", "C"}}, seconds(10));
    if (!r.ok() || r->exit_code != 0) return {};
    return ParseRecoveryFloor(r->output);
  }

  void ReadControlData(ha::LocalPg* pg) {
    auto r =
        RunCommand({Bin("pg_controldata"), "-D", cfg_.data_dir}, {{"LC_ALL", "C"}}, seconds(10));
    if (!r.ok() || r->exit_code != 0) return;
    ParseControlData(r->output, pg);
    sysid_ = pg->sysid;
  }

  std::string LocalHost() const { return pg::LocalHost(cfg_); }

  bool Connect() {
    if (conn_ && conn_->Healthy()) return true;
    conn_.reset();
    // The superuser's sslmode, sslcert, sslkey... come along (a pg_hba "clientcert" line needs
    // the certificate).
    std::string conninfo = UserConninfo(LocalHost(), cfg_.Port(), cfg_.superuser,
                                        {{"dbname", "postgres"},
                                         {"connect_timeout", "2"},
                                         {"application_name", "pgha"},
                                         {"options", "-c statement_timeout=5000"}});
    auto c = Connection::Open(conninfo);
    if (!c.ok()) {
      last_connect_error_ = c.message();
      return false;
    }
    conn_ = std::move(c).value();
    return true;
  }

  bool QueryServer(ha::LocalPg* pg) {
    static const char* kSql =
        "SELECT pg_is_in_recovery(), current_setting('server_version_num')::int, "
        "to_char(pg_postmaster_start_time(), 'YYYY-MM-DD HH24:MI:SS.USOF'), "
        "CASE WHEN pg_is_in_recovery() THEN 0 ELSE (pg_current_wal_lsn() - '0/0')::bigint END, "
        "COALESCE((GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) - "
        "'0/0')::bigint, 0), "
        "COALESCE((pg_last_wal_replay_lsn() - '0/0')::bigint, 0), "
        "pg_last_xact_replay_timestamp()::text, "
        "CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END, "
        "(SELECT count(*) FROM pg_settings WHERE pending_restart), "
        "CASE WHEN pg_is_in_recovery() THEN GREATEST((SELECT received_tli FROM "
        "pg_stat_wal_receiver), (pg_control_checkpoint()).timeline_id, "
        "(pg_control_recovery()).min_recovery_end_timeline) ELSE ('x' || "
        "substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END, "
        "(SELECT status FROM pg_stat_wal_receiver), (SELECT sender_host FROM "
        "pg_stat_wal_receiver), (SELECT sender_port FROM pg_stat_wal_receiver), "
        "current_setting('synchronous_standby_names'), current_setting('synchronous_commit')";
    auto r = conn_->Query(kSql);
    if (!r.ok() || r->empty()) return false;
    const Row& row = r->front();
    pg->in_recovery = row[0] == std::optional<std::string>("t");
    pg->server_version = static_cast<int>(ToU64(row[1]));
    pg->postmaster_start_time = row[2].value_or("");
    pg->wal_lsn = ToU64(row[3]);
    pg->receive_lsn = ToU64(row[4]);
    pg->replay_lsn = ToU64(row[5]);
    pg->replayed_timestamp = row[6];
    pg->replay_paused = row[7] == std::optional<std::string>("t");
    pg->pending_restart = ToU64(row[8]) > 0;
    pg->timeline = static_cast<uint32_t>(ToU64(row[9]));
    pg->streaming = row[10] == std::optional<std::string>("streaming");
    pg->upstream_host = row[11].value_or("");
    pg->upstream_port = static_cast<int>(ToU64(row[12]));
    pg->synchronous_standby_names = row[13].value_or("");
    // The commit gate alone stands for "no standby": the agent adds it (pg/commit_gate.h).
    if (pg->synchronous_standby_names == CommitGateStandbyNames()) {
      pg->synchronous_standby_names.clear();
    }
    pg->synchronous_commit = row[14].value_or("");
    if (!pg->in_recovery) QueryReplication(pg);
    return true;
  }

  void QueryReplication(ha::LocalPg* pg) {
    auto r = conn_->Query(
        "SELECT usename, application_name, client_addr::text, state, sync_state, sync_priority, "
        "(flush_lsn - '0/0')::bigint, (replay_lsn - '0/0')::bigint FROM pg_stat_replication "
        "WHERE application_name <> '" +
        std::string(kCommitGateName) + "' ORDER BY application_name");
    if (!r.ok()) return;
    for (const Row& row : *r) {
      ha::ReplicationClient c;
      c.usename = row[0].value_or("");
      c.application_name = row[1].value_or("");
      c.client_addr = row[2].value_or("");
      c.state = row[3].value_or("");
      c.sync_state = row[4].value_or("");
      c.sync_priority = static_cast<int>(ToU64(row[5]));
      if (row[6]) c.flush_lsn = ToU64(row[6]);
      if (row[7]) c.replay_lsn = ToU64(row[7]);
      pg->replication.push_back(std::move(c));
    }
  }

  config::Postgresql cfg_;
  std::string scope_;
  std::string bin_;
  // A server binary: postgresql.bin_name's name for it (in bin_dir unless a path), else its own.
  std::string Bin(const std::string& name) const {
    auto it = cfg_.bin_name.find(name);
    if (it == cfg_.bin_name.end()) return bin_ + "/" + name;
    return it->second.find('/') != std::string::npos ? it->second : bin_ + "/" + it->second;
  }
  std::string sysid_;
  std::unique_ptr<Connection> conn_;
  std::string last_connect_error_;
};

}  // namespace

void ParseControlData(const std::string& output, ha::LocalPg* pg) {
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = Trim(line.substr(0, colon));
    std::string value = Trim(line.substr(colon + 1));
    if (key == "Database system identifier")
      pg->sysid = value;
    else if (key == "Database cluster state")
      pg->control_state = value;
    else if (key == "Latest checkpoint's TimeLineID")
      pg->control_timeline = static_cast<uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
    else if (key == "Latest checkpoint location") {
      if (auto lsn = Lsn::Parse(value)) pg->control_checkpoint = lsn->value;
    }
  }
}

std::map<std::string, int64_t> ParseRecoveryFloor(const std::string& output) {
  static const std::map<std::string, std::string> kNames = {
      {"max_connections setting", "max_connections"},
      {"max_worker_processes setting", "max_worker_processes"},
      {"max_wal_senders setting", "max_wal_senders"},
      {"max_prepared_xacts setting", "max_prepared_transactions"},
      {"max_locks_per_xact setting", "max_locks_per_transaction"}};
  std::map<std::string, int64_t> out;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto it = kNames.find(Trim(line.substr(0, colon)));
    if (it == kNames.end()) continue;
    std::string value = Trim(line.substr(colon + 1));
    char* end = nullptr;
    long long n = std::strtoll(value.c_str(), &end, 10);
    if (!value.empty() && end == value.c_str() + value.size()) out[it->second] = n;
  }
  return out;
}

std::vector<TimelineSwitch> ParseTimelineHistory(const std::string& text) {
  std::vector<TimelineSwitch> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    unsigned tl = 0;
    char lsn[64] = {0};
    if (std::sscanf(line.c_str(), "%u %63s", &tl, lsn) != 2) continue;
    auto parsed = Lsn::Parse(lsn);
    if (!parsed) continue;
    TimelineSwitch sw{tl, parsed->value, ""};
    auto tab = line.find('\t', line.find('\t') + 1);
    if (tab != std::string::npos) sw.reason = line.substr(tab + 1);
    out.push_back(std::move(sw));
  }
  return out;
}

std::optional<uint64_t> TimelineStartFromHistory(const std::string& text) {
  auto switches = ParseTimelineHistory(text);
  if (switches.empty()) return std::nullopt;
  return switches.back().switch_lsn;
}

Result<std::string> FindBinDir(const std::string& configured) {
  if (!configured.empty()) {
    if (::access((configured + "/pg_ctl").c_str(), X_OK) != 0) {
      return Err("postgresql.bin_dir: no executable pg_ctl in " + configured);
    }
    return configured;
  }
  for (int major = 30; major >= 9; --major) {
    std::string dir = "/usr/lib/postgresql/" + std::to_string(major) + "/bin";
    if (::access((dir + "/pg_ctl").c_str(), X_OK) == 0) return dir;
  }
  auto r = RunCommand({"/usr/bin/pg_config", "--bindir"}, {}, seconds(5));
  if (r.ok() && r->exit_code == 0) {
    std::string dir = Trim(r->output);
    if (::access((dir + "/pg_ctl").c_str(), X_OK) == 0) return dir;
  }
  return Err(
      "no PostgreSQL server binaries found: install postgresql-<major> or set "
      "postgresql.bin_dir");
}

std::unique_ptr<Postgres> MakePostgres(const config::Config& config, const std::string& bin_dir) {
  return std::make_unique<RealPostgres>(config, bin_dir);
}

bool ReadLivePositions(Postgres& pg, ha::LocalPg* out) {
  auto r = pg.Query(
      "SELECT pg_is_in_recovery(), "
      "CASE WHEN pg_is_in_recovery() THEN 0 ELSE (pg_current_wal_lsn() - '0/0')::bigint END, "
      "COALESCE((GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) - "
      "'0/0')::bigint, 0), COALESCE((pg_last_wal_replay_lsn() - '0/0')::bigint, 0)");
  if (!r.ok() || r->empty() || r->front().size() < 4) return false;
  const Row& row = r->front();
  const bool recovery = row[0] == std::optional<std::string>("t");
  if (recovery != out->in_recovery) return false;  // a promotion under way: keep the snapshot
  out->wal_lsn = ToU64(row[1]);
  out->receive_lsn = ToU64(row[2]);
  out->replay_lsn = ToU64(row[3]);
  return true;
}

}  // namespace pgha::pg
