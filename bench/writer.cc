// bench_writer: the write workload of the failover benchmarks.
//
// Inserts ids 1, 2, 3, ... into one table at a fixed rate through one address (HAProxy's write
// port), one autocommit INSERT per id. Every connect and every statement has its own deadline;
// on any error the connection is dropped and a new one is made at the next tick. An id is
// "acknowledged" only when its COMMIT came back; an id whose outcome is unknown is never reused.
// On SIGTERM/SIGINT (or --max-seconds) it stops, then reads the table back through the same
// address and reports every acknowledged id that is missing ("lost").
//
// Output: one line per acknowledged id "<id> <ack ns> <connected ns>" in --acks (CLOCK_MONOTONIC;
// the harness relates them to its own event times: an ack on a connection made before a fault
// may be a straggler from the dying server), and one JSON summary on stdout.
// The password comes from PGPASSWORD (libpq), never from the command line.
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "pg/libpq_handles.h"

namespace {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC in libstdc++
using std::chrono::milliseconds;

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Options {
  std::string conninfo;  // without connect_timeout: deadlines are ours
  std::string table = "bench_writes";
  std::string acks_path;
  int rate = 50;                // inserts per second
  int op_timeout_ms = 1000;     // deadline of one connect or one INSERT
  int max_seconds = 600;        // safety stop
  int verify_timeout_s = 30;    // how long the read-back may retry
  bool log_all_errors = false;  // one stderr line per error instead of one per outage
};

using Conn = pgha::pg::PgConnPtr;
using PgResult = pgha::pg::PgResultPtr;

// Waits until the connection's socket is ready for `events` or the deadline passes.
bool WaitSocket(PGconn* conn, short events, Clock::time_point deadline) {
  int fd = PQsocket(conn);
  if (fd < 0) return false;
  while (true) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

// Non-blocking connect bounded by `timeout` (libpq's connect_timeout has 1 s granularity and
// a 2 s minimum).
Conn ConnectWithin(const std::string& conninfo, milliseconds timeout, std::string* error) {
  auto deadline = Clock::now() + timeout;
  Conn conn(PQconnectStart(conninfo.c_str()));
  if (!conn) {
    *error = "out of memory";
    return nullptr;
  }
  if (PQstatus(conn.get()) == CONNECTION_BAD) {
    *error = PQerrorMessage(conn.get());
    return nullptr;
  }
  while (true) {
    PostgresPollingStatusType st = PQconnectPoll(conn.get());
    if (st == PGRES_POLLING_OK) break;
    if (st == PGRES_POLLING_FAILED) {
      *error = PQerrorMessage(conn.get());
      return nullptr;
    }
    short events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    if (!WaitSocket(conn.get(), events, deadline)) {
      *error = "connect timed out";
      return nullptr;
    }
  }
  if (PQsetnonblocking(conn.get(), 1) != 0) {
    *error = PQerrorMessage(conn.get());
    return nullptr;
  }
  return conn;
}

// Runs one parameterised statement bounded by `timeout`. Returns the last result, or nullptr
// with `error` set.
PgResult ExecWithin(PGconn* conn, const std::string& sql, const std::vector<std::string>& params,
                    milliseconds timeout, std::string* error) {
  auto deadline = Clock::now() + timeout;
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  if (PQsendQueryParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                        nullptr, nullptr, 0) == 0) {
    *error = PQerrorMessage(conn);
    return nullptr;
  }
  while (true) {
    int pending = PQflush(conn);
    if (pending < 0) {
      *error = PQerrorMessage(conn);
      return nullptr;
    }
    if (pending == 0) break;
    if (!WaitSocket(conn, POLLOUT | POLLIN, deadline)) {
      *error = "send timed out";
      return nullptr;
    }
    if (PQconsumeInput(conn) == 0) {
      *error = PQerrorMessage(conn);
      return nullptr;
    }
  }
  PgResult last;
  while (true) {
    while (PQisBusy(conn) == 0) {
      PgResult r(PQgetResult(conn));
      if (!r) {
        if (!last) *error = "no result";
        return last;
      }
      ExecStatusType st = PQresultStatus(r.get());
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        *error = PQresultErrorMessage(r.get());
        // Drain the rest so that the connection state is well defined; we drop it anyway.
        return nullptr;
      }
      last = std::move(r);
    }
    if (!WaitSocket(conn, POLLIN, deadline)) {
      *error = "statement timed out";
      return nullptr;
    }
    if (PQconsumeInput(conn) == 0) {
      *error = PQerrorMessage(conn);
      return nullptr;
    }
  }
}

std::string OneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

struct Stats {
  int64_t attempts = 0;
  int64_t errors = 0;
  int64_t reconnects = 0;
  int64_t longest_gap_ns = 0;      // between consecutive acknowledged commits
  int64_t longest_gap_end_ns = 0;  // ack time that ended the longest gap
  int64_t first_ack_ns = 0;
  int64_t last_ack_ns = 0;
  std::vector<int64_t> acked;
};

class Writer {
 public:
  Writer(Options opt, FILE* acks) : opt_(std::move(opt)), acks_(acks) {}

  void Run() {
    auto period = std::chrono::nanoseconds(1000000000LL / std::max(1, opt_.rate));
    auto start = Clock::now();
    auto next = start;
    int64_t id = 0;
    while (!g_stop.load() && Clock::now() - start < std::chrono::seconds(opt_.max_seconds)) {
      auto now = Clock::now();
      if (now < next) std::this_thread::sleep_for(next - now);  // pacing at the fixed rate
      next = std::max(next + period, Clock::now());
      if (g_stop.load()) break;
      if (!conn_ && !Reconnect()) continue;
      Attempt(++id);
    }
  }

  const Stats& stats() const { return stats_; }

 private:
  bool Reconnect() {
    std::string error;
    conn_ = ConnectWithin(opt_.conninfo, milliseconds(opt_.op_timeout_ms), &error);
    ++stats_.reconnects;
    connected_ns_ = NowNs();
    if (!conn_) NoteError("connect: " + error);
    return static_cast<bool>(conn_);
  }

  void Attempt(int64_t id) {
    ++stats_.attempts;
    std::string error;
    PgResult r = ExecWithin(conn_.get(), "INSERT INTO " + opt_.table + " (id) VALUES ($1)",
                            {std::to_string(id)}, milliseconds(opt_.op_timeout_ms), &error);
    if (!r) {
      NoteError("insert " + std::to_string(id) + ": " + error);
      conn_.reset();  // outcome unknown; the id is never reused
      return;
    }
    int64_t t = NowNs();
    if (stats_.last_ack_ns != 0 && t - stats_.last_ack_ns > stats_.longest_gap_ns) {
      stats_.longest_gap_ns = t - stats_.last_ack_ns;
      stats_.longest_gap_end_ns = t;
    }
    if (stats_.first_ack_ns == 0) stats_.first_ack_ns = t;
    stats_.last_ack_ns = t;
    stats_.acked.push_back(id);
    std::fprintf(acks_, "%" PRId64 " %" PRId64 " %" PRId64 "\n", id, t, connected_ns_);
    if (failing_) {
      std::fprintf(stderr, "%" PRId64 " ok again at id %" PRId64 "\n", t, id);
      failing_ = false;
    }
  }

  void NoteError(const std::string& what) {
    ++stats_.errors;
    if (!failing_ || opt_.log_all_errors) {  // by default the first error of each outage only
      std::fprintf(stderr, "%" PRId64 " error: %s\n", NowNs(), OneLine(what).c_str());
      failing_ = true;
    }
  }

  Options opt_;
  FILE* acks_;
  Conn conn_;
  Stats stats_;
  int64_t connected_ns_ = 0;  // when the current connection was established
  bool failing_ = false;
};

// Reads every id back (retrying until the deadline) and counts acknowledged ids that are missing.
// *standby_refusals counts read-backs that reached a node in recovery (refused, retried).
std::optional<int64_t> CountLost(const Options& opt, const std::vector<int64_t>& acked,
                                 std::string* error, int* standby_refusals) {
  auto deadline = Clock::now() + std::chrono::seconds(opt.verify_timeout_s);
  // Read back from the primary only: right after a failover or switchover HAProxy's write port
  // can still hold the old primary, restarted as a replica that has not replayed the newest
  // commits yet; counting them as lost would blame the cluster for the router's lag.
  const std::string primary_only = opt.conninfo + " target_session_attrs=read-write";
  while (true) {
    Conn conn = ConnectWithin(primary_only, milliseconds(2000), error);
    if (!conn && (error->find("read-only") != std::string::npos ||
                  error->find("hot standby") != std::string::npos)) {
      ++*standby_refusals;
    }
    if (conn) {
      PgResult r =
          ExecWithin(conn.get(), "SELECT id FROM " + opt.table, {}, milliseconds(10000), error);
      if (r) {
        std::unordered_set<int64_t> present;
        for (int i = 0; i < PQntuples(r.get()); ++i) {
          present.insert(std::strtoll(PQgetvalue(r.get(), i, 0), nullptr, 10));
        }
        return std::count_if(acked.begin(), acked.end(),
                             [&](int64_t id) { return present.count(id) == 0; });
      }
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(200));
  }
}

void Usage() {
  std::fprintf(stderr,
               "usage: bench_writer --conninfo STR --acks FILE [--table NAME] [--rate N]\n"
               "                    [--op-timeout-ms N] [--max-seconds N] [--verify-timeout N]\n"
               "                    [--log-all-errors 0|1]\n"
               "password: PGPASSWORD. Stops on SIGTERM/SIGINT, then verifies.\n");
}

std::optional<Options> ParseArgs(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string key = argv[i];
    if (i + 1 >= argc) return std::nullopt;
    std::string value = argv[++i];
    if (key == "--conninfo") {
      opt.conninfo = value;
    } else if (key == "--acks") {
      opt.acks_path = value;
    } else if (key == "--table") {
      opt.table = value;
    } else if (key == "--rate") {
      opt.rate = std::atoi(value.c_str());
    } else if (key == "--op-timeout-ms") {
      opt.op_timeout_ms = std::atoi(value.c_str());
    } else if (key == "--max-seconds") {
      opt.max_seconds = std::atoi(value.c_str());
    } else if (key == "--verify-timeout") {
      opt.verify_timeout_s = std::atoi(value.c_str());
    } else if (key == "--log-all-errors") {
      opt.log_all_errors = value == "1";
    } else {
      return std::nullopt;
    }
  }
  bool table_ok = !opt.table.empty() && std::all_of(opt.table.begin(), opt.table.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  if (opt.conninfo.empty() || opt.acks_path.empty() || !table_ok || opt.rate <= 0 ||
      opt.op_timeout_ms <= 0 || opt.max_seconds <= 0) {
    return std::nullopt;
  }
  return opt;
}

}  // namespace

int main(int argc, char** argv) {
  auto opt = ParseArgs(argc, argv);
  if (!opt) {
    Usage();
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::unique_ptr<FILE, decltype(&std::fclose)> acks(std::fopen(opt->acks_path.c_str(), "w"),
                                                     &std::fclose);
  if (!acks) {
    std::fprintf(stderr, "cannot write %s: %s\n", opt->acks_path.c_str(), std::strerror(errno));
    return 2;
  }
  std::setvbuf(acks.get(), nullptr, _IOLBF, 0);  // the harness follows the file while we run
  Writer writer(*opt, acks.get());
  writer.Run();
  std::fflush(acks.get());
  const Stats& s = writer.stats();
  std::string verify_error;
  int standby_refusals = 0;
  auto lost = CountLost(*opt, s.acked, &verify_error, &standby_refusals);
  std::printf("{\"attempts\": %" PRId64 ", \"acked\": %zu, \"errors\": %" PRId64
              ", \"reconnects\": %" PRId64
              ", \"longest_gap_ms\": %.1f, \"longest_gap_end_ns\": %" PRId64
              ", \"first_ack_ns\": %" PRId64 ", \"last_ack_ns\": %" PRId64
              ", \"verify_standby_refusals\": %d, \"lost\": %s%s}\n",
              s.attempts, s.acked.size(), s.errors, s.reconnects,
              static_cast<double>(s.longest_gap_ns) / 1e6, s.longest_gap_end_ns, s.first_ack_ns,
              s.last_ack_ns, standby_refusals, lost ? std::to_string(*lost).c_str() : "null",
              lost ? "" : (", \"verify_error\": " + JsonString(OneLine(verify_error))).c_str());
  return lost ? 0 : 1;
}
