#include "pg/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/fd.h"

namespace pgha::pg {
namespace {

[[noreturn]] void ExecChild(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& extra_env,
                            const std::vector<std::string>& unset_env, int out_fd) {
  ::setpgid(0, 0);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(out_fd, STDERR_FILENO);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  for (const auto& k : unset_env) ::unsetenv(k.c_str());
  for (const auto& [k, v] : extra_env) ::setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  dprintf(STDERR_FILENO, "cannot execute %s: %s\n", args[0], std::strerror(errno));
  ::_exit(127);
}

}  // namespace

Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& extra_env,
                                 std::chrono::milliseconds timeout,
                                 const std::vector<std::string>& unset_env) {
  if (argv.empty()) return Err("RunCommand: empty argv");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Err(std::string("pipe: ") + std::strerror(errno));
  Fd read_end(fds[0]), write_end(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) return Err(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) ExecChild(argv, extra_env, unset_env, write_end.get());
  write_end.Reset();
  CommandResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{read_end.get(), POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    char buf[4096];
    ssize_t got = ::read(read_end.get(), buf, sizeof buf);
    if (got <= 0) break;
    result.output.append(buf, static_cast<size_t>(got));
  }
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Err(argv[0] + " timed out after " + std::to_string(timeout.count() / 1000) + " s");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string DescribeFailure(const std::string& what, const CommandResult& r) {
  std::string out = r.output;
  if (out.size() > 600) out = "..." + out.substr(out.size() - 600);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return what + " failed (exit " + std::to_string(r.exit_code) + "): " + out;
}

Result<std::vector<std::string>> ResolveProgram(std::vector<std::string> argv) {
  if (argv.empty()) return Err("empty command");
  if (argv[0].find('/') != std::string::npos) return argv;
  auto found = FindInPath(argv[0]);
  if (!found) return Err(argv[0] + ": not found in PATH");
  argv[0] = *found;
  return argv;
}

std::optional<std::string> FindInPath(const std::string& name) {
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
  return std::nullopt;
}

}  // namespace pgha::pg
