// The real RestServer on a loopback port, queried with httplib::Client.
#include "api/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

namespace pgha::api {
namespace {

using nlohmann::json;

// A port the kernel reports free right now (bind port 0, read it back, close).
int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// True when nothing is listening on 127.0.0.1:port (we can bind it ourselves).
bool PortIsFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

Snapshot PrimarySnapshot() {
  Snapshot s;
  s.scope = "demo";
  s.name = "node1";
  s.version = "0.1.0";
  s.dcs_ok = true;
  s.is_leader = true;
  s.pg.data_dir_empty = false;
  s.pg.running = true;
  s.pg.state = "running";
  s.pg.timeline = 3;
  s.pg.wal_lsn = 0x5000060;
  s.pg.server_version = 150018;
  s.liveness_deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
  return s;
}

Snapshot ReplicaSnapshot() {
  Snapshot s = PrimarySnapshot();
  s.name = "node2";
  s.is_leader = false;
  s.pg.in_recovery = true;
  s.pg.streaming = true;
  return s;
}

class ApiServerTest : public ::testing::Test {
 protected:
  void StartServer(config::RestApi options = {}, Handlers handlers = {}) {
    port_ = FreeLoopbackPort();
    options.listen = "127.0.0.1:" + std::to_string(port_);
    server_ = MakeRestServer(
        options,
        [this] {
          std::lock_guard<std::mutex> lock(mu_);
          return snapshot_;
        },
        [this]() -> Result<ha::ClusterView> {
          std::lock_guard<std::mutex> lock(mu_);
          return view_;
        },
        std::move(handlers));
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.message();
  }
  void Publish(const Snapshot& s) {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_ = std::make_shared<const Snapshot>(s);
  }
  void SetView(Result<ha::ClusterView> view) {
    std::lock_guard<std::mutex> lock(mu_);
    view_ = std::move(view);
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(5);
    return c;
  }

  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_ = std::make_shared<const Snapshot>(PrimarySnapshot());
  Result<ha::ClusterView> view_ = ha::ClusterView{};
  int port_ = 0;
  std::unique_ptr<RestServer> server_;
};

TEST_F(ApiServerTest, PrimaryHealthFollowsTheSnapshot) {
  StartServer();
  auto c = Client();
  auto r = c.Get("/primary");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r->body)["role"], "primary");
  Publish(ReplicaSnapshot());
  r = c.Get("/primary");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(json::parse(r->body)["role"], "replica");
  r = c.Get("/replica?lag=1MB&replication_state=streaming");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c.Get("/no-such-path");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(json::parse(r->body)["state"], "running");
}

TEST_F(ApiServerTest, JournalNewestFirstAndBoundedByN) {
  Snapshot s = PrimarySnapshot();
  s.journal = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"me: a\n", "me: b\n", "me: c\n"});
  Publish(s);
  StartServer();
  auto c = Client();
  auto r = c.Get("/journal");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->body, "me: c\n\nme: b\n\nme: a\n");
  r = c.Get("/journal?n=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "me: c\n");
  for (const char* bad : {"0", "-1", "x", "2x", ""}) {
    r = c.Get(std::string("/journal?n=") + bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_NE(r->body.find("n must be"), std::string::npos) << r->body;
  }
}

TEST_F(ApiServerTest, HeadAndOptionsSendNoBody) {
  StartServer();
  auto c = Client();
  auto head = c.Head("/primary");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  auto options = c.Options("/replica");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 503);
  EXPECT_TRUE(options->body.empty());
  auto root = c.Options("/");  // HAProxy's default check
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_TRUE(root->body.empty());
}

TEST_F(ApiServerTest, LivenessAndReadinessAreBare) {
  StartServer();
  auto c = Client();
  auto live = c.Get("/liveness");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_TRUE(live->body.empty());
  Snapshot s = PrimarySnapshot();
  s.liveness_deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  Publish(s);
  live = c.Get("/liveness");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 503);
  auto ready = c.Get("/readiness");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_TRUE(ready->body.empty());
}

TEST_F(ApiServerTest, PatroniJson) {
  StartServer();
  Publish(ReplicaSnapshot());
  auto r = Client().Get("/patroni");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json j = json::parse(r->body);
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["role"], "replica");
  EXPECT_EQ(j["timeline"], 3);
  EXPECT_EQ(j["server_version"], 150018);
  EXPECT_EQ(j["replication_state"], "streaming");
  EXPECT_TRUE(j["xlog"].contains("replayed_location"));
  EXPECT_EQ(j["patroni"], json({{"version", "0.1.0"}, {"scope", "demo"}, {"name", "node2"}}));
}

// Peers compare /patroni's WAL positions in the leader race: they are PostgreSQL's own at the
// moment of the request, not the last loop's (which may predate the old primary's final WAL).
TEST_F(ApiServerTest, PatroniServesLivePositions) {
  std::atomic<int> asked{0};
  Handlers h;
  std::atomic<bool> readable{true};
  h.live_positions = [&](Snapshot* s) {
    ++asked;
    if (!readable) return false;
    s->pg.receive_lsn = 0x7000000;
    s->pg.replay_lsn = 0x7000000;
    return true;
  };
  StartServer({}, std::move(h));
  Publish(ReplicaSnapshot());
  auto r = Client().Get("/patroni");
  ASSERT_TRUE(r);
  json j = json::parse(r->body);
  EXPECT_EQ(j["xlog"]["received_location"], 0x7000000);
  EXPECT_EQ(j["xlog"]["replayed_location"], 0x7000000);
  EXPECT_FALSE(j.contains("pgha_positions_stale"));
  EXPECT_EQ(asked.load(), 1);
  readable = false;  // PostgreSQL busy or gone: the loop's positions, marked as such
  r = Client().Get("/patroni");
  ASSERT_TRUE(r);
  j = json::parse(r->body);
  EXPECT_EQ(j["pgha_positions_stale"], true);
  EXPECT_EQ(asked.load(), 2);
  readable = true;
  r = Client().Get("/replica");  // health checks keep using the loop's snapshot
  ASSERT_TRUE(r);
  EXPECT_EQ(asked.load(), 2);
  Snapshot stopped = ReplicaSnapshot();
  stopped.pg.running = false;
  Publish(stopped);
  ASSERT_TRUE(Client().Get("/patroni"));
  EXPECT_EQ(asked.load(), 2);  // nothing to ask a stopped server
}

TEST_F(ApiServerTest, ClusterHistoryConfigAndMetrics) {
  StartServer();
  ha::ClusterView view;
  view.leader = "node1";
  ha::Member m;
  m.name = "node1";
  m.conn_url = "postgres://127.0.0.1:5432/postgres";
  m.state = "running";
  view.members = {m};
  view.history = {{1, 100, "no recovery target specified", "", ""}};
  SetView(view);
  auto c = Client();
  auto cluster = c.Get("/cluster");
  ASSERT_TRUE(cluster);
  EXPECT_EQ(cluster->status, 200);
  json j = json::parse(cluster->body);
  EXPECT_EQ(j["scope"], "demo");
  EXPECT_EQ(j["members"][0]["role"], "leader");
  EXPECT_EQ(j["members"][0]["port"], 5432);
  auto history = c.Get("/history");
  ASSERT_TRUE(history);
  EXPECT_EQ(json::parse(history->body), json::parse(R"([[1,100,"no recovery target specified"]])"));
  auto config = c.Get("/config");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->status, 502);  // no /config key
  view.config_json = R"({"ttl":30})";
  SetView(view);
  config = c.Get("/config");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->status, 200);
  EXPECT_EQ(json::parse(config->body)["ttl"], 30);
  SetView(Err("etcd unreachable"));
  cluster = c.Get("/cluster");
  ASSERT_TRUE(cluster);
  EXPECT_EQ(cluster->status, 503);
  EXPECT_NE(cluster->body.find("etcd unreachable"), std::string::npos);
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("patroni_primary{scope=\"demo\",name=\"node1\"} 1"),
            std::string::npos);
}

config::RestApi WithAuth() {
  config::RestApi options;
  options.authentication = config::Credentials{"admin", "secret", {}};
  return options;
}

TEST_F(ApiServerTest, UnsafeMethodsNeedBasicAuth) {
  StartServer(WithAuth());
  auto c = Client();
  auto r = c.Post("/switchover", R"({"leader":"node1"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Basic realm=\"pgha\"");
  c.set_basic_auth("admin", "wrong");
  r = c.Delete("/switchover");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  c.set_basic_auth("admin", "secret");
  // Past the gate; this server has no DCS, so the operations answer 503 (not 401/403).
  r = c.Post("/switchover", R"({"leader":"node1"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  r = c.Patch("/config", R"({"ttl":20})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  r = c.Post("/switchover", "{", "application/json");  // validated before the DCS is read
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = c.Post("/config", "{}", "application/json");  // no such operation: Patroni's 501
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501);
  r = c.Post("/restart", std::string(65 * 1024, 'x'), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  auto get = Client().Get("/patroni");  // GETs stay open
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
}

TEST_F(ApiServerTest, AllowlistRejectsOtherAddresses) {
  config::RestApi options = WithAuth();
  options.allowlist = {"10.0.0.0/8", "fd00::/8"};
  StartServer(options);
  auto c = Client();
  c.set_basic_auth("admin", "secret");
  auto r = c.Post("/reload", "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  auto get = c.Get("/primary");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
}

TEST_F(ApiServerTest, AllowlistAdmitsLoopback) {
  config::RestApi options;
  options.allowlist = {"10.0.0.0/8", "127.0.0.0/8"};
  StartServer(options);
  auto r = Client().Post("/reload", "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);  // admitted; no NodeOperations in this server
  EXPECT_EQ(r->body, "reload is not available on this node");
}

TEST_F(ApiServerTest, SecondServerOnTheSamePortFailsNamingTheAddress) {
  StartServer();
  config::RestApi options;
  options.listen = "127.0.0.1:" + std::to_string(port_);
  auto second = MakeRestServer(
      options, [] { return nullptr; }, nullptr);
  Status started = second->Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find(options.listen), std::string::npos) << started.message();
  auto r = Client().Get("/primary");  // the first one still serves
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ApiServerTest, StopFreesThePortAndIsIdempotent) {
  StartServer();
  EXPECT_FALSE(PortIsFree(port_));
  server_->Stop();
  EXPECT_TRUE(PortIsFree(port_));
  server_->Stop();
  EXPECT_FALSE(Client().Get("/primary"));  // nothing answers any more
  Status again = server_->Start();         // and it can serve again
  ASSERT_TRUE(again.ok()) << again.message();
  auto r = Client().Get("/primary");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ApiServer, BadListenAddressIsAnError) {
  config::RestApi options;
  options.listen = "8008";
  Status started = MakeRestServer(options, nullptr, nullptr)->Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("restapi.listen"), std::string::npos);
}

TEST(ApiServer, MissingTlsFilesAreAnError) {
  config::RestApi options;
  options.listen = "127.0.0.1:1";
  options.certfile = "/nonexistent/server.crt";
  options.keyfile = "/nonexistent/server.key";
  Status started = MakeRestServer(options, nullptr, nullptr)->Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("/nonexistent/server.crt"), std::string::npos)
      << started.message();
}

}  // namespace
}  // namespace pgha::api
