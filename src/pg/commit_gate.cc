// The commit gate (pg/commit_gate.h): physical streaming replication over libpq, confirming
// positions only while the deadline holds.
#include "pg/commit_gate.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <cstring>

#include "core/lsn.h"
#include "core/strings.h"
#include "pg/libpq_handles.h"
#include "pg/render.h"

namespace pgha::pg {
namespace {

uint64_t ReadBE64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void WriteBE64(char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

// Microseconds since 2000-01-01, PostgreSQL's timestamp epoch (only shown in pg_stat_replication).
uint64_t PgNowMicros() {
  using namespace std::chrono;
  constexpr int64_t kEpochShift = 946684800LL * 1000000;  // 1970 -> 2000
  int64_t us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return static_cast<uint64_t>(us - kEpochShift);
}

std::string ErrorOf(PGconn* c) {
  std::string e = c ? PQerrorMessage(c) : "out of memory";
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  return e.empty() ? "connection closed" : e;
}

std::string QuoteHbaUser(const std::string& user) {
  std::string out = "\"";
  for (char c : user) {
    if (c != '"') out += c;  // a role name with a quote cannot be written in pg_hba: dropped
  }
  return out + "\"";
}

}  // namespace

std::string CommitGateStandbyNames() { return std::string("\"") + kCommitGateName + "\""; }

std::vector<std::string> WithCommitGateHba(const config::Postgresql& pg,
                                           std::vector<std::string> lines) {
  if (lines.empty() || !pg.commit_gate || pg.replication.password.empty()) return lines;
  const std::string user = QuoteHbaUser(pg.replication.username);
  // md5 also accepts a SCRAM-hashed password (with SCRAM authentication).
  std::vector<std::string> out = {"local replication " + user + " md5",
                                  "host replication " + user + " 127.0.0.1/32 md5",
                                  "host replication " + user + " ::1/128 md5"};
  out.insert(out.end(), lines.begin(), lines.end());
  return out;
}

std::string WalSenderShortage(int max_wal_senders, int replicas) {
  if (replicas + 1 <= max_wal_senders) return "";
  return "max_wal_senders = " + std::to_string(max_wal_senders) + " leaves no WAL sender for " +
         std::to_string(replicas + 1 - max_wal_senders) +
         " of the replicas: the commit gate takes one (raise max_wal_senders on every member, "
         "or set postgresql.commit_gate: false)";
}

std::string LocalHost(const config::Postgresql& pg) {
  if (pg.use_unix_socket) {
    const auto& p = pg.parameters;
    if (p.is_object() && p.contains("unix_socket_directories") &&
        p["unix_socket_directories"].is_string()) {
      return Trim(Split(p["unix_socket_directories"].get<std::string>(), ',')[0]);
    }
    return "";
  }
  std::string host = Trim(Split(pg.listen.substr(0, pg.listen.rfind(':')), ',')[0]);
  if (host.empty() || host == "*" || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

CommitGate::CommitGate(const config::Postgresql& pg, const Clock& clock)
    : conninfo_(UserConninfo(LocalHost(pg), pg.Port(), pg.replication,
                             {{"replication", "true"},
                              {"application_name", kCommitGateName},
                              {"connect_timeout", "2"}})),
      clock_(clock),
      thread_([this] { Run(); }) {}

CommitGate::~CommitGate() {
  stop_ = true;
  thread_.join();
}

void CommitGate::SetDeadline(std::optional<MonoTime> deadline) {
  deadline_ns_ =
      deadline ? std::chrono::duration_cast<std::chrono::nanoseconds>(deadline->time_since_epoch())
                     .count()
               : kNoDeadline;
}

bool CommitGate::Allowed() const {
  int64_t d = deadline_ns_;
  if (d == kNoDeadline) return true;
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.Now().time_since_epoch());
  return now.count() < d;
}

void CommitGate::Run() {
  std::string last_error;
  int failures = 0;
  while (!stop_) {
    std::string why = Stream();
    if (stop_) break;
    // A stream that ended re-connects at once (a promotion ends it); a refused one backs off to
    // 200 ms and is reported once per kind of error.
    const bool ended = why.rfind("stream ended", 0) == 0;
    if (ended) {
      spdlog::info("commit gate: {}", why);
    } else if (why != last_error) {
      spdlog::warn("commit gate: {}", why);
    }
    last_error = ended ? "" : why;
    // Commits wait while the gate is away: retry soon (a local connection attempt is cheap).
    failures = ended ? 0 : failures + 1;
    auto pause = std::chrono::milliseconds(failures == 0 ? 20 : std::min(200, 20 * failures));
    for (auto slept = std::chrono::milliseconds(0); slept < pause && !stop_;
         slept += std::chrono::milliseconds(20)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

std::string CommitGate::Stream() {
  PgConnPtr conn(PQconnectdb(conninfo_.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) return "connecting: " + ErrorOf(conn.get());
  PGconn* c = conn.get();
  PgResultPtr id(PQexec(c, "IDENTIFY_SYSTEM"));
  if (PQresultStatus(id.get()) != PGRES_TUPLES_OK || PQntuples(id.get()) != 1 ||
      PQnfields(id.get()) < 3) {
    return "IDENTIFY_SYSTEM: " + ErrorOf(c);
  }
  const auto from = Lsn::Parse(PQgetvalue(id.get(), 0, 2));
  if (!from)
    return std::string("IDENTIFY_SYSTEM: unreadable xlogpos ") + PQgetvalue(id.get(), 0, 2);
  const std::string start = std::string("START_REPLICATION PHYSICAL ") +
                            PQgetvalue(id.get(), 0, 2) + " TIMELINE " + PQgetvalue(id.get(), 0, 1);
  PgResultPtr started(PQexec(c, start.c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_BOTH) return "START_REPLICATION: " + ErrorOf(c);
  if (!ever_connected_.exchange(true)) spdlog::info("commit gate: streaming");
  // The stream starts at what the server has: the gate has all of that already. A reply of 0
  // (nothing received) would never match the WAL sender's position, and a sender that waits at
  // shutdown for its client to confirm everything sent waited forever: a replica whose gate had
  // received nothing since it connected (no WAL came) never finished a fast shutdown, and a
  // restart failed after 60 s (cluster.patronictl_test, cluster.hooks_test). Confirming the start
  // keeps the gate's rule: the reply goes out after that WAL was written, only before the deadline.
  uint64_t received = from->value, confirmed = 0;
  while (!stop_) {
    bool reply_requested = false;
    char* buf = nullptr;
    int n;
    while ((n = PQgetCopyData(c, &buf, 1)) > 0) {
      if (buf[0] == 'w' && n >= 25) {
        received = std::max(received, ReadBE64(buf + 1) + static_cast<uint64_t>(n - 25));
      } else if (buf[0] == 'k' && n >= 18) {
        reply_requested = reply_requested || buf[17] != 0;
      }
      PQfreemem(buf);
    }
    if (n == -1) return "stream ended (end of timeline or server shutdown)";
    if (n == -2) return "stream broke: " + ErrorOf(c);
    // Confirm what arrived, only while the deadline holds: this check runs after the WAL it
    // covers was received, so a commit written after the deadline is never confirmed.
    if ((received > confirmed || reply_requested) && Allowed()) {
      char msg[34];
      msg[0] = 'r';
      WriteBE64(msg + 1, received);   // written
      WriteBE64(msg + 9, received);   // flushed
      WriteBE64(msg + 17, received);  // applied
      WriteBE64(msg + 25, PgNowMicros());
      msg[33] = 0;
      if (PQputCopyData(c, msg, sizeof msg) != 1 || PQflush(c) != 0) {
        return "sending a reply: " + ErrorOf(c);
      }
      confirmed = received;
    }
    pollfd p{PQsocket(c), POLLIN, 0};
    if (::poll(&p, 1, 100) > 0 && !PQconsumeInput(c)) return "stream broke: " + ErrorOf(c);
  }
  return "stopped";
}

}  // namespace pgha::pg
