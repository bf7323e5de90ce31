#include "agent/callbacks.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pgha::agent {

Result<std::vector<std::string>> SplitCommandLine(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < text.size() &&
                 std::strchr("\\\"$`", text[i + 1]) != nullptr) {
        word += text[++i];
      } else {
        word += c;
      }
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      in_word = true;
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\' && i + 1 < text.size()) {
        word += text[++i];
      } else {
        word += c;
      }
    }
  }
  if (quote != 0)
    return Err("unbalanced " + std::string(1, quote) + " quote in: " + std::string(text));
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return Err("empty command");
  return words;
}

namespace {

// execvp's PATH search, done before fork: the child of a threaded process should only exec.
std::string ResolveCommand(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return name;  // exec fails and says so
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
