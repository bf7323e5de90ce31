#include "support/etcd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace pgha::testing {
namespace {

constexpr int kStartAttempts = 3;  // free ports can be taken between FreePort() and etcd's bind

// Minimal HTTP/1.0 GET on loopback, so this helper needs no HTTP library.
std::string HttpGet(int port, const std::string& path, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;)
        response.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return response;
}

std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

Result<std::unique_ptr<EtcdCluster>> EtcdCluster::Start(EtcdClusterOptions options) {
  std::string last_error = "not started";
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    std::unique_ptr<EtcdCluster> cluster(new EtcdCluster());
    cluster->options_ = options;
    char tmpl[] = "/tmp/pgha-etcd-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return Err("mkdtemp failed");
    cluster->dir_ = tmpl;
    for (int i = 0; i < options.members; ++i) {
      cluster->members_.push_back({"m" + std::to_string(i), FreePort(), FreePort()});
    }
    Status spawned = OkStatus();
    for (int i = 0; i < options.members && spawned.ok(); ++i) spawned = cluster->Spawn(i);
    if (!spawned.ok()) return spawned.error();
    bool exited = false;
    bool healthy = WaitFor(
        [&] {
          for (int i = 0; i < cluster->size(); ++i) {
            if (cluster->Exited(i)) exited = true;
          }
          if (exited) return true;
          for (int i = 0; i < cluster->size(); ++i) {
            if (!cluster->Healthy(i)) return false;
          }
          return true;
        },
        options.start_timeout, std::chrono::milliseconds(50));
    if (healthy && !exited) return cluster;
    last_error = exited ? "an etcd member exited at start (see its log in " + cluster->dir_ + ")"
                        : "etcd not healthy within the start timeout";
  }  // ~EtcdCluster kills what was started and removes its directory
  return Err(last_error);
}

EtcdCluster::~EtcdCluster() {
  for (int i = 0; i < size(); ++i) Kill(i);
  if (!dir_.empty() && std::getenv("PGHA_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string EtcdCluster::endpoint(int i) const { return Url(At(i).client_port); }

std::vector<std::string> EtcdCluster::endpoints() const {
  std::vector<std::string> out;
  for (int i = 0; i < size(); ++i) out.push_back(endpoint(i));
  return out;
}

std::string EtcdCluster::InitialCluster() const {
  std::string out;
  for (const auto& m : members_) {
    out += (out.empty() ? "" : ",") + m.name + "=" + Url(m.peer_port);
  }
  return out;
}

Status EtcdCluster::Spawn(int i) {
  Member& m = At(i);
  std::vector<std::string> args = {
      options_.binary,
      "--name=" + m.name,
      "--data-dir=" + dir_ + "/" + m.name + ".etcd",
      "--listen-client-urls=" + Url(m.client_port),
      "--advertise-client-urls=" + Url(m.client_port),
      "--listen-peer-urls=" + Url(m.peer_port),
      "--initial-advertise-peer-urls=" + Url(m.peer_port),
      "--initial-cluster=" + InitialCluster(),
      "--initial-cluster-state=new",
      "--initial-cluster-token=pgha-test-" + std::to_string(::getpid()),
      "--heartbeat-interval=100",
      "--election-timeout=1000",
      "--experimental-watch-progress-notify-interval=50ms",
      "--logger=zap",
      "--log-level=warn",
  };
  for (const auto& extra : options_.extra_args) args.push_back(extra);
  const std::string log = dir_ + "/" + m.name + ".log";
  pid_t pid = ::fork();
  if (pid < 0) return Err("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test process
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  m.pid = pid;
  m.exited = false;
  return OkStatus();
}

bool EtcdCluster::Exited(int i) {
  Member& m = At(i);
  if (m.exited || m.pid <= 0) return true;
  int status = 0;
  if (::waitpid(m.pid, &status, WNOHANG) == m.pid) m.exited = true;
  return m.exited;
}

void EtcdCluster::Kill(int i) {
  Member& m = At(i);
  if (m.pid <= 0 || m.exited) return;
  ::kill(m.pid, SIGKILL);
  int status = 0;
  ::waitpid(m.pid, &status, 0);
  m.exited = true;
}

void EtcdCluster::Pause(int i) {
  if (!Exited(i)) ::kill(At(i).pid, SIGSTOP);
}

void EtcdCluster::Resume(int i) {
  if (!Exited(i)) ::kill(At(i).pid, SIGCONT);
}

Status EtcdCluster::Restart(int i) {
  Kill(i);
  PGHA_TRY(Spawn(i));  // with a data dir present etcd ignores the initial-cluster flags
  if (!WaitFor([&] { return Exited(i) || Healthy(i); }, options_.start_timeout) || Exited(i)) {
    return Err("etcd member " + At(i).name + " did not come back");
  }
  return OkStatus();
}

bool EtcdCluster::Healthy(int i, std::chrono::milliseconds timeout) const {
  return HttpGet(At(i).client_port, "/health", timeout).find("\"health\":\"true\"") !=
         std::string::npos;
}

}  // namespace pgha::testing
