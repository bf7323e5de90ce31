#include "agent/callbacks.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "pg/process.h"

namespace pgha::agent {

namespace {

// execvp's PATH search, done before fork: the child of a threaded process should only exec.
std::string ResolveCommand(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  return pg::FindInPath(name).value_or(name);  // else exec fails and says so
}

}  // namespace

Callbacks::~Callbacks() {
  // A callback still running when the agent exits (on_stop, most often) gets 5 s to finish.
  for (int i = 0; i < 500 && running_.load() != 0; ++i) ::usleep(10000);  // bounded wait
  KillRunning("the agent exits");
}

void Callbacks::SetCommands(std::map<std::string, std::string> commands) {
  std::lock_guard lock(mu_);
  commands_ = std::move(commands);
}

void Callbacks::KillRunning(const char* why) {
  if (int group = running_.load(); group > 0) {
    ::kill(-group, SIGKILL);
    spdlog::warn("callback (pid {}) still running: killed, {}", group, why);
  }
  if (waiter_.joinable()) waiter_.join();
}

void Callbacks::Fire(std::string_view action, std::string_view role) {
  std::lock_guard lock(mu_);
  auto it = commands_.find(std::string(action));
  if (it == commands_.end()) return;
  auto argv = SplitCommandLine(it->second);
  if (!argv.ok()) {
    spdlog::error("callback {}: {}", action, argv.message());
    return;
  }
  argv->push_back(std::string(action));
  argv->push_back(std::string(role));
  argv->push_back(scope_);
  KillRunning("a newer one starts");
  const std::string program = ResolveCommand((*argv)[0]);
  std::vector<char*> args;
  for (auto& a : *argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    spdlog::error("callback {}: fork: {}", action, std::strerror(errno));
    return;
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group: a kill reaches the script's children too
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execv(program.c_str(), args.data());
    dprintf(STDERR_FILENO, "callback: cannot execute %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here: no race with a kill before the child ran
  running_.store(pid);
  spdlog::info("callback {} {} {}: started {} (pid {})", action, role, scope_, (*argv)[0], pid);
  waiter_ = std::thread([this, pid, what = std::string(action)] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int expected = pid;
    running_.compare_exchange_strong(expected, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
      spdlog::warn("callback {} (pid {}) exited with status {}", what, pid, WEXITSTATUS(status));
    }
  });
}

}  // namespace pgha::agent
