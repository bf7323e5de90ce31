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

pid_t ReadPidFile(const std::string& path) {
  std::ifstream f(path);
  long pid = 0;
  if (!(f >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

}  // namespace

Result<std::unique_ptr<GuardFence>> GuardFence::Start(const std::string& exe,
                                                      const std::string& data_dir,
                                                      const std::string& etcd_endpoints,
                                                      const std::string& revoke_config) {
  // The guard is pgha-fence-guard next to the pgha binary.
  char resolved[4096];
  ssize_t len = ::readlink(exe.c_str(), resolved, sizeof resolved - 1);
  std::string self = len > 0 ? std::string(resolved, static_cast<size_t>(len)) : exe;
  std::string path = self.substr(0, self.rfind('/') + 1) + "pgha-fence-guard";
  if (::access(path.c_str(), X_OK) != 0) return Err("fencing guard binary missing: " + path);
  auto fence = std::unique_ptr<GuardFence>(new GuardFence(
      path, data_dir, etcd_endpoints, etcd_endpoints.empty() ? self : "", revoke_config));
  fence->old_guard_ = ReadPidFile(data_dir + ".guard.pid");
  PGHA_TRY(fence->Spawn());
  return fence;
}

Status GuardFence::Spawn() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Err(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Err(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::dup2(fds[0], STDIN_FILENO);
    ::setpgid(0, 0);  // a signal to the agent's process group must not reach the guard
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (revoke_config_.empty() || revoker_.empty()) {
      ::execl(exe_.c_str(), exe_.c_str(), data_dir_.c_str(), endpoints_.c_str(), nullptr);
    } else {
      ::execl(exe_.c_str(), exe_.c_str(), data_dir_.c_str(), endpoints_.c_str(), revoker_.c_str(),
              revoke_config_.c_str(), nullptr);
    }
    ::_exit(127);
  }
  ::close(fds[0]);
  fd_ = fds[1];
  pid_ = pid;
  broken_ = false;
  last_sent_.clear();
  std::ofstream(data_dir_ + ".guard.pid") << pid << "\n";
  return OkStatus();
}

GuardFence::~GuardFence() {
  Send("exit");
  ::close(fd_);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

void GuardFence::Send(const std::string& line) {
  if (line == last_sent_ || broken_) return;
  std::string msg = line + "\n";
  if (::write(fd_, msg.data(), msg.size()) == static_cast<ssize_t>(msg.size())) {
    last_sent_ = line;
  } else {
    broken_ = true;  // EPIPE: the guard is gone (SIGPIPE is ignored by the agent)
  }
}

bool GuardFence::Healthy() {
  int status = 0;
  if (!broken_ && ::waitpid(pid_, &status, WNOHANG) == 0) return true;
  // The guard died (killed by hand, OOM): whatever it was promised is void. Start a new one; the
  // caller re-arms it in the same loop.
  ::close(fd_);
  if (::waitpid(pid_, &status, WNOHANG) == 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  return Spawn().ok();
}

void GuardFence::Arm(MonoTime deadline, int64_t lease) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch());
  // The agent's clock is CLOCK_BOOTTIME (core/clock.h): the guard compares against the same.
  Send("arm " + std::to_string(ns.count()) + " " + std::to_string(lease));
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
  if (args.find("pgha-fence-guard") != std::string::npos &&
      args.find(data_dir_) != std::string::npos) {
    ::kill(pid, SIGKILL);
  }
}

}  // namespace pgha::agent
