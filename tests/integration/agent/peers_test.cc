// HttpPeerProber against real REST servers on loopback: the former leader (whose member key went
// with its lease) is asked too, and its answer can veto a race (docs/safety.md, section 9).
#include "agent/peers.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

namespace pgha::agent {
namespace {

// A REST API answering GET /patroni with `body`, on a free loopback port.
class FakeRest {
 public:
  explicit FakeRest(std::string body) : body_(std::move(body)) {
    server_.Get("/patroni", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(body_, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~FakeRest() {
    server_.stop();
    thread_.join();
  }
  ha::Member member(const std::string& name) const {
    ha::Member m;
    m.name = name;
    m.api_url = "http://127.0.0.1:" + std::to_string(port_) + "/patroni";
    return m;
  }

 private:
  std::string body_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

constexpr char kPrimary[] = R"({"state":"running","role":"primary","timeline":3})";
constexpr char kReplica[] = R"({"state":"running","role":"replica","timeline":3})";

TEST(HttpPeerProberTest, AsksTheFormerLeaderWhoseMemberKeyIsGone) {
  FakeRest old_leader(kPrimary), replica(kReplica);
  HttpPeerProber prober(std::chrono::milliseconds(1500));
  ha::Member former = old_leader.member("node1");
  auto out = prober.Probe({replica.member("node3")}, "node2", &former);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "node3");
  EXPECT_EQ(out[0].role, "replica");
  EXPECT_EQ(out[1].name, "node1");
  EXPECT_TRUE(out[1].reachable);
  EXPECT_TRUE(out[1].running);
  EXPECT_EQ(out[1].role, "primary");
}

// A failover_priority configured as '2' is a string in the JSON; it must still count (Patroni's
// priority_failover feature: the lower-priority replica took the key first).
TEST(HttpPeerProberTest, TagsAreDecodedAsTheMemberKeysAre) {
  FakeRest peer(
      R"({"state":"running","role":"replica","timeline":3,"xlog":{"received_location":80},)"
      R"("tags":{"failover_priority":"2","nosync":"true"}})");
  HttpPeerProber prober(std::chrono::milliseconds(1500));
  auto out = prober.Probe({peer.member("node3")}, "node2", nullptr);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tags.failover_priority, 2);
  EXPECT_EQ(out[0].tags.Priority(), 2);
  EXPECT_TRUE(out[0].tags.nosync);
  EXPECT_EQ(out[0].wal_position, 80u);
}

TEST(HttpPeerProberTest, TheFormerLeaderIsNotAskedWhenItIsMe) {
  FakeRest me(kPrimary);
  HttpPeerProber prober(std::chrono::milliseconds(1500));
  ha::Member former = me.member("node2");
  EXPECT_TRUE(prober.Probe({}, "node2", &former).empty());
}

TEST(HttpPeerProberTest, AFormerLeaderThatRefusesIsUnreachable) {
  ha::Member former;
  {
    FakeRest gone(kPrimary);
    former = gone.member("node1");
  }  // its port is closed now: connections are refused
  HttpPeerProber prober(std::chrono::milliseconds(1500));
  auto out = prober.Probe({}, "node2", &former);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].reachable);
  EXPECT_EQ(out[0].role, "");
}

}  // namespace
}  // namespace pgha::agent
