#include "agent/guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

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
  std::fprintf(stderr, "pgha fence guard (%s): %s\n", data_dir.c_str(), what);
  std::fflush(stderr);
}

}  // namespace

bool FencePostgres(const std::string& data_dir) {
  pid_t postmaster = ReadPid(data_dir + "/postmaster.pid");
  if (postmaster <= 0 || (::kill(postmaster, 0) != 0 && errno == ESRCH)) return false;
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

Result<std::unique_ptr<GuardFence>> GuardFence::Start(const std::string& exe,
                                                      const std::string& data_dir) {
  // Resolve the binary now so the guard's command line names it (operators and `pghactl local`
  // find it by name), not /proc/self/exe.
  char resolved[4096];
  ssize_t len = ::readlink(exe.c_str(), resolved, sizeof resolved - 1);
  std::string path = len > 0 ? std::string(resolved, static_cast<size_t>(len)) : exe;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Err(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) return Err(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(fds[0], STDIN_FILENO);
    ::setpgid(0, 0);  // a signal to the agent's process group must not reach the guard
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execl(path.c_str(), path.c_str(), "--fence-guard", data_dir.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(fds[0]);
  std::string pid_file = data_dir + ".guard.pid";
  pid_t old = ReadPid(pid_file);
  std::ofstream(pid_file) << pid << "\n";
  auto fence = std::unique_ptr<GuardFence>(new GuardFence(fds[1], pid, data_dir));
  fence->old_guard_ = old;
  return fence;
}

GuardFence::~GuardFence() {
  Send("exit");
  ::close(fd_);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

void GuardFence::Send(const std::string& line) {
  if (line == last_sent_) return;
  std::string msg = line + "\n";
  if (::write(fd_, msg.data(), msg.size()) == static_cast<ssize_t>(msg.size())) last_sent_ = line;
}

void GuardFence::Arm(MonoTime deadline) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch());
  // steady_clock is CLOCK_MONOTONIC on Linux: the guard compares against the same clock.
  Send("arm " + std::to_string(ns.count()));
  RetireOldGuard();
}

void GuardFence::Disarm() {
  Send("disarm");
  RetireOldGuard();
}

void GuardFence::Release() { Send("disarm"); }

// A guard left by a previous agent that was killed still holds that agent's deadline. Once this
// agent has made its own first fencing decision it is the one in charge: retire the old guard.
void GuardFence::RetireOldGuard() {
  pid_t pid = old_guard_;
  old_guard_ = 0;
  if (pid <= 0 || pid == pid_) return;
  std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
  if (args.find("--fence-guard") != std::string::npos &&
      args.find(data_dir_) != std::string::npos) {
    ::kill(pid, SIGKILL);
  }
}

}  // namespace pgha::agent
