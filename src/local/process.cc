#include "local/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/fd.h"
#include "core/strings.h"

extern char** environ;

namespace pgha::ctl {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText(int err) { return std::strerror(err); }

std::vector<char*> CArgs(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> ChildEnv(const std::optional<RunAs>& user) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    bool replaced =
        StartsWith(kv, "HOME=") || StartsWith(kv, "USER=") || StartsWith(kv, "LOGNAME=");
    if (!(user && replaced)) env.emplace_back(kv);
  }
  if (user) {
    env.push_back("HOME=" + user->home);
    env.push_back("USER=" + user->name);
    env.push_back("LOGNAME=" + user->name);
  }
  return env;
}

// Child side of SpawnDetached; only async-signal-safe calls. Reports a failure as
// {stage, errno} on `report` and exits.
[[noreturn]] void ChildExec(const SpawnSpec& spec, char* const* argv, char* const* envp, int log_fd,
                            int report) {
  auto fail = [report](int stage) {
    int msg[2] = {stage, errno};
    ssize_t n = ::write(report, msg, sizeof(msg));
    (void)n;
    ::_exit(127);
  };
  ::setsid();
  int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0) fail(1);
  if (::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0) fail(1);
  if (spec.user) {
    if (::setgroups(spec.user->groups.size(), spec.user->groups.data()) != 0) fail(2);
    if (::setgid(spec.user->gid) != 0) fail(2);
    if (::setuid(spec.user->uid) != 0) fail(2);
  }
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) fail(3);
  ::execve(argv[0], argv, envp);
  fail(4);
  ::_exit(127);  // not reached: fail() exits
}

std::string StageText(int stage) {
  switch (stage) {
    case 1:
      return "redirecting output";
    case 2:
      return "switching user";
    case 3:
      return "changing directory";
    default:
      return "exec";
  }
}

// Reads the child's failure report; empty when exec succeeded (pipe closed on exec).
std::string ReadSpawnReport(int fd) {
  int msg[2] = {0, 0};
  ssize_t n;
  do n = ::read(fd, msg, sizeof(msg));
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof(msg))) return "";
  return StageText(msg[0]) + " failed: " + ErrnoText(msg[1]);
}

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Socket inode of a LISTEN socket on `port` in /proc/net/tcp{,6}; "" if none.
std::string ListeningInode(int port) {
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream in(ReadSmallFile(table));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string sl, local, remote, st, queues, timer, retr, uid, timeout, inode;
      f >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >> inode;
      size_t colon = local.rfind(':');
      if (st != "0A" || colon == std::string::npos) continue;
      if (std::stoi(local.substr(colon + 1), nullptr, 16) == port) return inode;
    }
  }
  return "";
}

}  // namespace

Result<RunAs> LookupUser(const std::string& name) {
  struct passwd* pw = ::getpwnam(name.c_str());
  if (pw == nullptr) return Err("OS user '" + name + "' does not exist");
  RunAs r{pw->pw_uid, pw->pw_gid, name, pw->pw_dir, {}};
  int n = 64;
  r.groups.resize(static_cast<size_t>(n));
  if (::getgrouplist(name.c_str(), r.gid, r.groups.data(), &n) < 0) {
    r.groups.resize(static_cast<size_t>(n));
    ::getgrouplist(name.c_str(), r.gid, r.groups.data(), &n);
  }
  r.groups.resize(static_cast<size_t>(n));
  return r;
}

Result<pid_t> SpawnDetached(const SpawnSpec& spec) {
  if (spec.argv.empty()) return Err("spawn: empty command");
  Fd log(::open(spec.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  if (log.get() < 0) return Err("cannot open " + spec.log_file + ": " + ErrnoText(errno));
  if (spec.user) {
    if (::fchown(log.get(), spec.user->uid, spec.user->gid) != 0) {
      return Err("cannot chown " + spec.log_file + ": " + ErrnoText(errno));
    }
  }
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return Err("pipe: " + ErrnoText(errno));
  Fd read_end(report[0]), write_end(report[1]);
  std::vector<std::string> args = spec.argv, env = ChildEnv(spec.user);
  std::vector<char*> argv = CArgs(args), envp = CArgs(env);
  pid_t pid = ::fork();
  if (pid < 0) return Err("fork: " + ErrnoText(errno));
  if (pid == 0) ChildExec(spec, argv.data(), envp.data(), log.get(), write_end.get());
  write_end.Reset();
  std::string failure = ReadSpawnReport(read_end.get());
  if (failure.empty()) return pid;
  ::waitpid(pid, nullptr, 0);
  return Err("starting " + spec.argv[0] + ": " + failure);
}

Result<Captured> RunCapture(const std::vector<std::string>& argv_in) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Err("pipe: " + ErrnoText(errno));
  Fd read_end(out[0]), write_end(out[1]);
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv = CArgs(args);
  pid_t pid = ::fork();
  if (pid < 0) return Err("fork: " + ErrnoText(errno));
  if (pid == 0) {
    ::dup2(write_end.get(), 1);
    ::dup2(write_end.get(), 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  write_end.Reset();
  Captured c;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(read_end.get(), buf, sizeof(buf))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    c.output.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return c;
}

bool IsAlive(pid_t pid) {
  if (pid <= 0) return false;
  ::waitpid(pid, nullptr, WNOHANG);  // ECHILD unless it is our own exited child
  std::string stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
  char state = stat[paren + 2];
  return state != 'Z' && state != 'X';
}

std::string Cmdline(pid_t pid) {
  std::string raw = ReadSmallFile("/proc/" + std::to_string(pid) + "/cmdline");
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  for (char& c : raw) {
    if (c == '\0') c = ' ';
  }
  return raw;
}

bool Matches(pid_t pid, const Identity& id) {
  if (!IsAlive(pid)) return false;
  if (!id.cwd.empty()) {
    std::error_code ec;
    fs::path cwd = fs::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec);
    fs::path want = fs::weakly_canonical(id.cwd, ec);
    return !cwd.empty() && cwd == want;
  }
  std::string raw = ReadSmallFile("/proc/" + std::to_string(pid) + "/cmdline");
  for (const auto& token : Split(raw, '\0')) {
    if (token == id.token) return true;
  }
  return false;
}

Status WritePidFile(const std::string& path, pid_t pid) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << pid << "\n";
    if (!out) return Err("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Err("cannot write " + path + ": " + ec.message());
  return OkStatus();
}

std::optional<pid_t> ReadPidFile(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  line = Trim(line);
  if (line.empty() || line.find_first_not_of("0123456789") != std::string::npos ||
      line.size() > 9) {
    return std::nullopt;
  }
  pid_t pid = static_cast<pid_t>(std::stol(line));
  if (pid <= 1) return std::nullopt;
  return pid;
}

std::optional<pid_t> LiveRecorded(const std::string& path, const Identity& id) {
  auto pid = ReadPidFile(path);
  if (pid && Matches(*pid, id)) return pid;
  return std::nullopt;
}

bool SignalIfMatches(pid_t pid, const Identity& id, int sig) {
  if (!Matches(pid, id)) return false;
  return ::kill(pid, sig) == 0;
}

bool WaitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (IsAlive(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

bool StopProcess(pid_t pid, const Identity& id, std::chrono::milliseconds timeout,
                 int first_signal) {
  if (!SignalIfMatches(pid, id, first_signal)) return !IsAlive(pid) || !Matches(pid, id);
  if (WaitForExit(pid, timeout)) return true;
  SignalIfMatches(pid, id, SIGKILL);
  return WaitForExit(pid, std::chrono::seconds(5));
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadSmallFile(entry.path().string() + "/stat");
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream f(stat.substr(paren + 2));
    char state;
    pid_t ppid = 0;
    f >> state >> ppid;
    if (ppid == parent) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

bool PortFree(int port) {
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return false;
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
}

std::string PortOwner(int port) {
  std::string inode = ListeningInode(port);
  if (inode.empty() || inode == "0") return "";
  std::string want = "socket:[" + inode + "]";
  std::error_code ec;
  for (const auto& proc : fs::directory_iterator("/proc", ec)) {
    std::string name = proc.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code fd_ec;
    for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      if (fs::read_symlink(fd.path(), link_ec).string() != want) continue;
      std::string comm = Trim(ReadSmallFile(proc.path().string() + "/comm"));
      return "pid " + name + " (" + comm + ")";
    }
  }
  return "";
}

std::string TailFile(const std::string& path, int lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff start = size > 65536 ? size - 65536 : 0;
  in.seekg(start);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += "    " + l + "\n";
  return out;
}

std::string FindExecutable(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = std::string(path != nullptr ? path : "/usr/bin:/bin") + ":/usr/sbin:/sbin";
  for (const auto& dir : Split(dirs, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace pgha::ctl
