// The fencing guard on real processes: a stand-in "postmaster" (a sleeping child) is killed at once
// when the agent dies while armed (then the lease is revoked at a stand-in etcd), killed when the
// deadline passes, and left alone after a clean exit or a disarm.
#include "agent/guard.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "dcs/etcd_client.h"
#include "support/etcd_process.h"
#include "support/wait.h"

namespace pgha::agent {
namespace {

using std::chrono::milliseconds;

class GuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pgha-guard-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    data_ = dir_ + "/data";
    std::filesystem::create_directory(data_);
    postmaster_ = fork();
    if (postmaster_ == 0) {
      execl("/bin/sleep", "sleep", "60", nullptr);
      _exit(127);
    }
    std::ofstream(data_ + "/postmaster.pid") << postmaster_ << "\n" << data_ << "\n";
  }
  void TearDown() override {
    kill(postmaster_, SIGKILL);
    waitpid(postmaster_, nullptr, 0);
    std::filesystem::remove_all(dir_);
  }
  // True once the stand-in postmaster has died (reaped here, so no zombie confusion).
  bool PostmasterDead() { return waitpid(postmaster_, nullptr, WNOHANG) == postmaster_; }
  // Runs `body` with a guard in a child process that then dies without a clean exit (kill -9).
  void InDyingAgent(const std::function<void(GuardFence&)>& body, const std::string& endpoints = "",
                    const std::string& revoke_config = "") {
    pid_t agent = fork();
    if (agent == 0) {
      auto guard =
          GuardFence::Start(std::string(PGHA_BIN_DIR) + "/pgha", data_, endpoints, revoke_config);
      if (!guard.ok()) _exit(3);
      body(**guard);
      kill(getpid(), SIGKILL);
    }
    int status = 0;
    waitpid(agent, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "agent stand-in failed to start the guard";
  }
  std::string dir_, data_;
  pid_t postmaster_ = 0;
};

// A one-shot HTTP server on 127.0.0.1 standing in for etcd: it records the request it gets and
// whether the stand-in postmaster was already dead at that moment, and answers 200.
class FakeEtcd {
 public:
  explicit FakeEtcd(std::function<bool()> postmaster_dead) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 4);
    thread_ = std::thread([this, postmaster_dead] {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 10000) != 1) return;  // bounded: the test fails on an empty request
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      dead_at_request_ = postmaster_dead();
      char buf[2048];
      ssize_t n = read(c, buf, sizeof buf);
      if (n > 0) request_.assign(buf, static_cast<size_t>(n));
      std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
      (void)!write(c, reply.data(), reply.size());
      close(c);
    });
  }
  ~FakeEtcd() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  void Join() {
    thread_.join(), thread_ = std::thread([] {});
  }
  std::string request_;
  bool dead_at_request_ = false;

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(GuardTest, FencesAtOnceWhenTheAgentDiesWhileArmed) {
  auto died_at = BootTimeNow();
  InDyingAgent([](GuardFence& g) { g.Arm(BootTimeNow() + std::chrono::seconds(60), 0); });
  ASSERT_TRUE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(5000)));
  EXPECT_LT(BootTimeNow() - died_at, milliseconds(5000));
}

TEST_F(GuardTest, RevokesTheLeaseOnlyAfterPostgresIsGone) {
  bool dead = false;
  FakeEtcd etcd([&] { return dead = dead || PostmasterDead(); });
  InDyingAgent([](GuardFence& g) { g.Arm(BootTimeNow() + std::chrono::seconds(60), 42); },
               etcd.endpoint());
  etcd.Join();
  EXPECT_TRUE(etcd.dead_at_request_) << "the lease was revoked while PostgreSQL could still write";
  EXPECT_NE(etcd.request_.find("POST /v3/lease/revoke "), std::string::npos) << etcd.request_;
  EXPECT_NE(etcd.request_.find("\"ID\":\"42\""), std::string::npos) << etcd.request_;
}

// etcd with authentication (TLS is the same path): the libc-only guard cannot speak it, so it runs
// `pgha --revoke-lease LEASE CONFIG`, which has the agent's etcd client; the lease is gone at once.
TEST_F(GuardTest, RevokesThroughPghaWhenEtcdNeedsAuthentication) {
  auto started = pgha::testing::EtcdCluster::Start();
  ASSERT_TRUE(started.ok()) << started.message();
  const std::string endpoint = (*started)->endpoints().front();  // http://127.0.0.1:PORT
  const std::string etcdctl = "ETCDCTL_API=3 etcdctl --endpoints=" + endpoint;
  ASSERT_EQ(std::system((etcdctl + " user add root:rootpw >/dev/null && " + etcdctl +
                         " user grant-role root root >/dev/null && " + etcdctl +
                         " auth enable >/dev/null")
                            .c_str()),
            0);
  dcs::EtcdOptions o;
  o.endpoints = {endpoint};
  o.username = "root";
  o.password = "rootpw";
  auto client = dcs::MakeEtcdClient(o);
  auto lease = client->LeaseGrant(60);
  ASSERT_TRUE(lease.ok()) << lease.message();
  const std::string config = dir_ + "/pgha.yml";
  std::ofstream(config) << "scope: guardtest\nname: n1\n"
                        << "restapi: {listen: 127.0.0.1:18999, connect_address: 127.0.0.1:18999}\n"
                        << "etcd3: {host: '" << endpoint.substr(7)
                        << "', username: root, password: rootpw}\n"
                        << "postgresql: {listen: 127.0.0.1:15999, connect_address: 127.0.0.1:15999,"
                        << " data_dir: " << data_ << "}\n";
  const int64_t id = *lease;
  InDyingAgent([id](GuardFence& g) { g.Arm(BootTimeNow() + std::chrono::seconds(60), id); }, "",
               config);
  EXPECT_TRUE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(5000)));
  EXPECT_TRUE(pgha::testing::WaitFor(
      [&] {
        auto left = client->LeaseKeepAlive(id);
        return left.ok() ? left->ttl == 0
                         : dcs::ClassifyError(left.error()) == dcs::EtcdErrc::kLeaseNotFound;
      },
      milliseconds(8000)))
      << "the lease was not revoked";
}

TEST_F(GuardTest, FencesAtTheDeadlineWhileTheAgentLives) {
  auto guard = GuardFence::Start(std::string(PGHA_BIN_DIR) + "/pgha", data_);
  ASSERT_TRUE(guard.ok()) << guard.message();
  auto armed_at = BootTimeNow();
  (*guard)->Arm(armed_at + milliseconds(700), 0);
  ASSERT_TRUE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(5000)));
  EXPECT_GE(BootTimeNow() - armed_at, milliseconds(650));
}

TEST_F(GuardTest, ADeadGuardIsReplaced) {
  auto guard = GuardFence::Start(std::string(PGHA_BIN_DIR) + "/pgha", data_);
  ASSERT_TRUE(guard.ok()) << guard.message();
  std::ifstream pid_file(data_ + ".guard.pid");
  pid_t first = 0;
  pid_file >> first;
  ASSERT_GT(first, 0);
  kill(first, SIGKILL);
  ASSERT_TRUE(pgha::testing::WaitFor(
      [&] {
        std::ifstream f("/proc/" + std::to_string(first) + "/stat");
        std::string line;
        std::getline(f, line);
        return line.empty() || line.find(") Z") != std::string::npos;
      },
      milliseconds(3000)));
  EXPECT_TRUE((*guard)->Healthy());
  std::ifstream again(data_ + ".guard.pid");
  pid_t second = 0;
  again >> second;
  EXPECT_NE(second, first);
  (*guard)->Arm(BootTimeNow() + milliseconds(300), 0);
  EXPECT_TRUE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(5000)))
      << "the replacement guard does not fence";
}

TEST_F(GuardTest, DisarmedGuardLeavesPostgresRunning) {
  InDyingAgent([](GuardFence& g) {
    g.Arm(BootTimeNow() + milliseconds(300), 0);
    g.Disarm();
  });
  EXPECT_FALSE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(1500)));
}

TEST_F(GuardTest, CleanExitNeverFences) {
  {
    auto guard = GuardFence::Start(std::string(PGHA_BIN_DIR) + "/pgha", data_);
    ASSERT_TRUE(guard.ok()) << guard.message();
    (*guard)->Arm(BootTimeNow() + milliseconds(300), 0);
  }  // destructor: "exit"
  EXPECT_FALSE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(1500)));
}

TEST_F(GuardTest, ReArmingPostponesTheFence) {
  auto guard = GuardFence::Start(std::string(PGHA_BIN_DIR) + "/pgha", data_);
  ASSERT_TRUE(guard.ok()) << guard.message();
  for (int i = 0; i < 10; ++i) {
    (*guard)->Arm(BootTimeNow() + milliseconds(400), 0);
    EXPECT_FALSE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(150)));
  }
}

TEST_F(GuardTest, MissingGuardBinaryIsAClearError) {
  auto guard = GuardFence::Start("/nonexistent/pgha", data_);
  ASSERT_FALSE(guard.ok());
  EXPECT_NE(guard.message().find("pgha-fence-guard"), std::string::npos);
}

}  // namespace
}  // namespace pgha::agent
