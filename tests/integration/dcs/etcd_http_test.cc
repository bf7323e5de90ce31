// The etcd client's HTTP transport against a real etcd with authentication on, and against a
// server that accepts connections and never answers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "dcs/etcd_client.h"
#include "dcs/http.h"
#include "support/etcd_process.h"

namespace pgha::dcs {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Result<http::Response> Call(http::Session& session, const std::string& url, const std::string& body,
                            const std::string& token = "") {
  http::Request r;
  r.url = url;
  r.body = body;
  if (!token.empty()) r.headers.push_back("Authorization: " + token);
  return http::Post(session, r);
}

// etcd answers a refused call with a chunked body followed by an HTTP trailer: the error must
// still reach the client whole (it is what tells "bad token" from "etcd is down").
TEST(EtcdHttp, AuthErrorsAreReadAndAnExpiredTokenIsReplaced) {
  auto started = testing::EtcdCluster::Start();
  ASSERT_TRUE(started.ok()) << started.message();
  auto& etcd = **started;
  const std::string base = etcd.endpoint(0);
  http::Session admin;
  auto ok = [&](const std::string& path, const std::string& body, const std::string& token = "") {
    auto r = Call(admin, base + path, body, token);
    ASSERT_TRUE(r.ok()) << path << ": " << r.message();
    ASSERT_EQ(r->status, 200) << path << ": " << r->body;
  };
  ok("/v3/auth/role/add", R"({"name":"root"})");
  ok("/v3/auth/user/add", R"({"name":"root","password":"pw"})");
  ok("/v3/auth/user/grant", R"({"user":"root","role":"root"})");
  ok("/v3/auth/enable", "{}");

  EtcdOptions anonymous;
  anonymous.endpoints = {base};
  auto refused = MakeEtcdClient(anonymous)->Put("/t/k", "v", 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ClassifyError(refused.error()), EtcdErrc::kAuth) << refused.message();

  EtcdOptions root = anonymous;
  root.username = "root";
  root.password = "pw";
  auto client = MakeEtcdClient(root);
  auto first = client->Put("/t/k", "v1", 0);
  ASSERT_TRUE(first.ok()) << first.message();

  // Turning auth off and on again drops every token etcd handed out, the client's too.
  auto token = Call(admin, base + "/v3/auth/authenticate", R"({"name":"root","password":"pw"})");
  ASSERT_TRUE(token.ok() && token->status == 200);
  const std::string t = nlohmann::json::parse(token->body).value("token", "");
  ASSERT_FALSE(t.empty());
  ok("/v3/auth/disable", "{}", t);
  ok("/v3/auth/enable", "{}");
  auto second = client->Put("/t/k", "v2", 0);
  ASSERT_TRUE(second.ok()) << second.message();
  auto read = client->Range("/t/k", false, false);
  ASSERT_TRUE(read.ok()) << read.message();
  ASSERT_EQ(read->kvs.size(), 1u);
  EXPECT_EQ(read->kvs[0].value, "v2");
}

// A server that accepts the connection and then says nothing: the call ends at its deadline.
TEST(EtcdHttp, ASilentServerEndsTheCallAtItsDeadline) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 4), 0);  // the kernel completes the handshake; nobody ever reads
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  http::Session session;
  http::Request r;
  r.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/v3/kv/range";
  r.body = "{}";
  r.timeout = 400ms;
  auto began = Clock::now();
  auto answer = http::Post(session, r);
  auto took = Clock::now() - began;
  close(fd);
  ASSERT_FALSE(answer.ok());
  EXPECT_GE(took, 350ms);
  EXPECT_LT(took, 1500ms) << answer.message();
}

TEST(EtcdHttp, ABadUrlOrTlsFileIsNamed) {
  http::Session session;
  http::Request r;
  r.url = "127.0.0.1:2379/v3/kv/range";
  auto no_scheme = http::Post(session, r);
  ASSERT_FALSE(no_scheme.ok());
  EXPECT_NE(no_scheme.message().find("127.0.0.1:2379/v3/kv/range"), std::string::npos);
  r.url = "https://127.0.0.1:1/v3/kv/range";
  r.tls.cert = "/nonexistent/client.crt";
  auto bad_cert = http::Post(session, r);
  ASSERT_FALSE(bad_cert.ok());
  EXPECT_NE(bad_cert.message().find("https://127.0.0.1:1"), std::string::npos)
      << bad_cert.message();
}

// cpp-httplib's own URL parsing takes no IPv6 address; pgha's endpoints may be "[fd00::1]:2379".
TEST(EtcdHttp, AnIpv6EndpointIsReachedWithItsHostHeaderInBrackets) {
  httplib::Server server;
  std::string host_header;
  server.Post("/v3/kv/range", [&](const httplib::Request& req, httplib::Response& res) {
    host_header = req.get_header_value("Host");
    res.set_content(R"({"count":"0"})", "application/json");
  });
  int port = server.bind_to_any_port("::1");
  if (port <= 0) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  std::thread serving([&] { server.listen_after_bind(); });
  // listen_after_bind accepts connections already queued on the bound socket.
  http::Session session;
  http::Request r;
  r.url = "http://[::1]:" + std::to_string(port) + "/v3/kv/range";
  r.body = "{}";
  auto answer = http::Post(session, r);
  server.stop();
  serving.join();
  ASSERT_TRUE(answer.ok()) << answer.message();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, R"({"count":"0"})");
  EXPECT_EQ(host_header, "[::1]:" + std::to_string(port));
}

}  // namespace
}  // namespace pgha::dcs
