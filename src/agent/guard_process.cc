// The fencing guard process itself (see agent/guard.h). Deliberately free of every library but
// libc: it is its own small binary, pgha-fence-guard, so it costs well under a megabyte.
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "agent/guard.h"

namespace pgha::agent {
namespace {

constexpr int64_t kNone = -1;

// CLOCK_BOOTTIME, as the agent's clock (core/clock.h): it counts a suspend, as etcd's lease does.
int64_t BootNs() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

pid_t ReadPid(const std::string& path) {
  std::ifstream f(path);
  long pid = 0;
  if (!(f >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

// The fields of /proc/PID/stat after the command name ("S 1 ..."); "" when it cannot be read.
std::string StatFields(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() ? "" : line.substr(close + 2);
}

pid_t ParentOf(pid_t pid) {
  char state = 0;
  long ppid = 0;
  if (std::sscanf(StatFields(pid).c_str(), "%c %ld", &state, &ppid) != 2) return 0;
  return static_cast<pid_t>(ppid);
}

// Running (not gone, not a zombie waiting to be reaped).
bool Live(pid_t pid) {
  std::string fields = StatFields(pid);
  return !fields.empty() && fields[0] != 'Z' && fields[0] != 'X';
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> out;
  struct DirCloser {
    void operator()(DIR* d) const { closedir(d); }
  };
  std::unique_ptr<DIR, DirCloser> dir(opendir("/proc"));
  if (!dir) return out;
  while (dirent* e = readdir(dir.get())) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid > 0 && *end == '\0' && ParentOf(static_cast<pid_t>(pid)) == parent) {
      out.push_back(static_cast<pid_t>(pid));
    }
  }
  return out;
}

void Log(const std::string& data_dir, const char* what) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm local{};
  localtime_r(&ts.tv_sec, &local);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &local);
  std::fprintf(stderr, "%s.%03ld pgha fence guard (%s): %s\n", when, ts.tv_nsec / 1000000,
               data_dir.c_str(), what);
  std::fflush(stderr);
}

// Waits until the postmaster of data_dir and every process it had started are gone (reaped or
// zombies: neither can commit). False when one still runs after `bound_ms`.
bool WaitGone(const std::vector<pid_t>& pids, int bound_ms) {
  for (int waited = 0; waited <= bound_ms; waited += 10) {
    bool any = false;
    for (pid_t p : pids) any = any || Live(p);
    if (!any) return true;
    ::poll(nullptr, 0, 10);
  }
  return false;
}

// One connect with a deadline; -1 on failure.
int ConnectWithin(const std::string& host, const std::string& port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res) return -1;
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int rc = fd < 0 ? -1 : ::connect(fd, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (fd < 0) return -1;
  if (rc != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (rc != 0 && (::poll(&p, 1, timeout_ms) != 1 ||
                  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// POST /v3/lease/revoke to one plain-HTTP etcd endpoint ("host:port"). True when etcd answered
// 200 (revoked: the leader key is gone) or 404 (the lease had already expired).
bool RevokeAt(const std::string& endpoint, const std::string& lease, int timeout_ms) {
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = endpoint.substr(0, colon), port = endpoint.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int fd = ConnectWithin(host, port, timeout_ms);
  if (fd < 0) return false;
  std::string body = "{\"ID\":\"" + lease + "\"}";
  std::string req =
      "POST /v3/lease/revoke HTTP/1.1\r\nHost: " + endpoint +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  bool sent = ::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size());
  std::string reply;
  char buf[512];
  while (sent && reply.find("\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) break;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return reply.rfind("HTTP/1.1 200", 0) == 0 || reply.rfind("HTTP/1.1 404", 0) == 0;
}

// The agent died while this node was primary: make sure nothing of PostgreSQL can commit, then
// free the leader key at once by revoking the agent's lease, so the replicas race now instead of
// when the lease expires. The order is the safety argument: fenced first, free key second.
// Runs `<revoker> --revoke-lease <lease> <config>` (pgha with the agent's etcd settings: TLS,
// authentication) and waits at most 6 s for it. True when it exited 0 (the lease is gone).
bool RevokeWith(const std::string& revoker, const std::string& config, const std::string& lease) {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execl(revoker.c_str(), revoker.c_str(), "--revoke-lease", lease.c_str(), config.c_str(),
            nullptr);
    ::_exit(127);
  }
  int status = 0;
  for (int waited = 0; waited < 6000; waited += 10) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (done < 0) return false;
    ::poll(nullptr, 0, 10);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return false;
}

void FenceAndRevoke(const std::string& data_dir, const std::string& lease,
                    const std::vector<std::string>& endpoints, const std::string& revoker,
                    const std::string& revoker_config) {
  pid_t postmaster = ReadPid(data_dir + "/postmaster.pid");
  std::vector<pid_t> pids;
  if (postmaster > 0 && Live(postmaster)) {
    pids = ChildrenOf(postmaster);
    pids.push_back(postmaster);
  }
  Log(data_dir, FencePostgres(data_dir) ? "agent gone while primary: PostgreSQL fenced (killed)"
                                        : "agent gone while primary: PostgreSQL was not running");
  if (!WaitGone(pids, 5000)) {
    Log(data_dir, "PostgreSQL processes still alive after SIGKILL: leaving the lease to expire");
    return;
  }
  if (lease.empty() || lease == "0") return;
  if (endpoints.empty() && !revoker.empty() && !revoker_config.empty()) {
    if (RevokeWith(revoker, revoker_config, lease)) {
      Log(data_dir,
          ("lease " + lease + " revoked by " + revoker + ": the leader key is free").c_str());
    } else {
      Log(data_dir, "could not revoke the lease: the leader key is freed when it expires");
    }
    return;
  }
  if (endpoints.empty()) return;
  for (int round = 0; round < 3; ++round) {
    for (const auto& e : endpoints) {
      if (RevokeAt(e, lease, 500)) {
        Log(data_dir, ("lease " + lease + " revoked at " + e + ": the leader key is free").c_str());
        return;
      }
    }
  }
  Log(data_dir, "could not revoke the lease: the leader key is freed when it expires");
}

std::vector<std::string> SplitEndpoints(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

bool FencePostgres(const std::string& data_dir) {
  pid_t postmaster = ReadPid(data_dir + "/postmaster.pid");
  if (postmaster <= 0 || !Live(postmaster)) return false;
  // Stop the postmaster first so it cannot fork replacements, then every backend it started.
  ::kill(postmaster, SIGSTOP);
  for (pid_t child : ChildrenOf(postmaster)) ::kill(child, SIGKILL);
  ::kill(postmaster, SIGKILL);
  return true;
}

int RunGuard(const std::string& data_dir, const std::string& etcd_endpoints,
             const std::string& revoker, const std::string& revoker_config) {
  const std::vector<std::string> endpoints = SplitEndpoints(etcd_endpoints);
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);   // a Ctrl-C meant for the agent must not take the guard down
  ::signal(SIGTERM, SIG_IGN);  // only "exit", EOF or SIGKILL end the guard
  int64_t deadline = kNone;
  std::string lease;  // the agent's etcd lease while armed ("" or "0": none known)
  std::string buffer;
  // A CLOCK_BOOTTIME timer wakes the guard at the deadline, also right after a resume from a
  // suspend that outlasted it (a poll timeout would not count the suspended time).
  int timer = ::timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
  if (timer < 0) Log(data_dir, "timerfd_create(CLOCK_BOOTTIME) failed: polling instead");
  while (true) {
    int64_t now = BootNs();
    if (deadline != kNone && now >= deadline) {
      Log(data_dir, FencePostgres(data_dir) ? "deadline passed: PostgreSQL fenced (killed)"
                                            : "deadline passed: PostgreSQL was not running");
      deadline = kNone;
    }
    int timeout_ms = -1;
    if (deadline != kNone) {
      timeout_ms = static_cast<int>((deadline - now) / 1000000 + 1);
      if (timer >= 0) {
        itimerspec at{};
        at.it_value.tv_sec = deadline / 1000000000;
        at.it_value.tv_nsec = deadline % 1000000000;
        ::timerfd_settime(timer, TFD_TIMER_ABSTIME, &at, nullptr);
      }
    }
    pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {timer, POLLIN, 0}};
    int n = ::poll(p, timer >= 0 ? 2 : 1, timeout_ms);
    if (n <= 0) continue;
    if (timer >= 0 && (p[1].revents & POLLIN)) {
      uint64_t expirations = 0;
      (void)!::read(timer, &expirations, sizeof expirations);
    }
    if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char chunk[256];
    ssize_t got = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      if (deadline == kNone) return 0;  // not a primary (or paused): nothing to fence
      FenceAndRevoke(data_dir, lease, endpoints, revoker, revoker_config);
      return 0;
    }
    buffer.append(chunk, static_cast<size_t>(got));
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line == "exit") return 0;
      if (line == "disarm") deadline = kNone;
      if (line.rfind("arm ", 0) == 0) {  // "arm <ns> [<lease id>]"
        char* end = nullptr;
        deadline = std::strtoll(line.c_str() + 4, &end, 10);
        lease = end && *end == ' ' ? std::string(end + 1) : std::string();
      }
    }
  }
}

}  // namespace pgha::agent
