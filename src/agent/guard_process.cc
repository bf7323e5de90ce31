// The fencing guard process itself (see agent/guard.h). Deliberately free of every library but
// libc: it is its own small binary, pgha-fence-guard, so it costs well under a megabyte.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

pid_t ReadPid(const std::string& path) {
  std::ifstream f(path);
  long pid = 0;
  if (!(f >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

pid_t ParentOf(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  char state = 0;
  long ppid = 0;
  if (std::sscanf(line.c_str() + close + 1, " %c %ld", &state, &ppid) != 2) return 0;
  return static_cast<pid_t>(ppid);
}

// Running (not gone, not a zombie waiting to be reaped).
bool Live(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z' &&
         line[close + 2] != 'X';
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

int RunGuard(const std::string& data_dir) {
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);   // a Ctrl-C meant for the agent must not take the guard down
  ::signal(SIGTERM, SIG_IGN);  // only "exit", EOF + deadline, or SIGKILL end the guard
  int64_t deadline = kNone;
  bool agent_alive = true;
  std::string buffer;
  while (true) {
    int64_t now = MonotonicNs();
    if (deadline != kNone && now >= deadline) {
      Log(data_dir, FencePostgres(data_dir) ? "deadline passed: PostgreSQL fenced (killed)"
                                            : "deadline passed: PostgreSQL was not running");
      deadline = kNone;
      if (!agent_alive) return 0;
    }
    if (!agent_alive && deadline == kNone) return 0;
    int timeout_ms = -1;
    if (deadline != kNone) timeout_ms = static_cast<int>((deadline - now) / 1000000 + 1);
    if (!agent_alive) {
      ::poll(nullptr, 0, timeout_ms);
      continue;
    }
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int n = ::poll(&p, 1, timeout_ms);
    if (n <= 0) continue;
    char chunk[256];
    ssize_t got = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      agent_alive = false;  // keep the last deadline: nobody will extend it any more
      if (deadline != kNone) Log(data_dir, "agent gone: fencing at the current deadline");
      continue;
    }
    buffer.append(chunk, static_cast<size_t>(got));
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line == "exit") return 0;
      if (line == "disarm") deadline = kNone;
      if (line.rfind("arm ", 0) == 0) deadline = std::strtoll(line.c_str() + 4, nullptr, 10);
    }
  }
}

}  // namespace pgha::agent
