#include "api/failsafe.h"

#include <gtest/gtest.h>

#include "api/health.h"
#include "api/metrics.h"
#include "fixtures.h"

namespace pgha::api {
namespace {

using namespace testing;  // NOLINT

class StepClock final : public Clock {
 public:
  MonoTime Now() const override { return now; }
  double WallSeconds() const override { return 0; }
  void SleepFor(Millis d) override { now += d; }
  MonoTime now = T0();
};

constexpr const char* kBody = R"({"name":"node1","conn_url":"postgres://127.0.0.1:5441/postgres",)"
                              R"("api_url":"http://127.0.0.1:8008/patroni","slots":{},"ttl":30})";

Snapshot WithFailsafe(Snapshot s) {
  s.settings.failsafe_mode = true;
  s.settings.ttl = 20;
  return s;
}

// A member's REST API with its inbox, on a clock the test moves.
class FailsafePostTest : public ::testing::Test {
 protected:
  FailsafeAnswer Post(const Snapshot& s, const std::string& body) {
    return FailsafePost(s, body, &inbox);
  }
  StepClock clock;
  node::FailsafeInbox inbox{clock};
};

TEST_F(FailsafePostTest, AReplicaAcceptsRecordsThePrimaryAndSendsItsPosition) {
  FailsafeAnswer a = Post(WithFailsafe(Replica()), kBody);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "Accepted");
  EXPECT_EQ(a.lsn, std::to_string(0x5000060));
  auto leader = inbox.Active();
  ASSERT_TRUE(leader.has_value());
  EXPECT_EQ(leader->name, "node1");
  EXPECT_EQ(leader->api_url, "http://127.0.0.1:8008/patroni");
  // The primary counts on 30 s (its ttl), more than this member's 20: the promise lasts 30.
  EXPECT_EQ(leader->Until(), T0() + std::chrono::seconds(30));
  clock.now += std::chrono::seconds(30);
  EXPECT_FALSE(inbox.Active().has_value());
}

TEST_F(FailsafePostTest, AShorterTtlInTheRequestDoesNotShortenThePromise) {
  Post(WithFailsafe(Replica()), R"({"name":"node1","ttl":5})");
  ASSERT_TRUE(inbox.Active().has_value());
  EXPECT_EQ(inbox.Active()->Until(), T0() + std::chrono::seconds(20));
}

TEST_F(FailsafePostTest, ARunningPrimaryRefuses) {
  FailsafeAnswer a = Post(WithFailsafe(Primary()), kBody);
  EXPECT_EQ(a.status, 500);
  EXPECT_EQ(a.body, "Running as a leader");
  EXPECT_FALSE(inbox.Latest().has_value());
}

TEST_F(FailsafePostTest, FailsafeModeOffAnswers502AndRecordsNothing) {
  EXPECT_EQ(Post(Replica(), kBody).status, 502);
  EXPECT_FALSE(inbox.Latest().has_value());
}

TEST_F(FailsafePostTest, BadBodiesAreRefusedNamingTheProblem) {
  const Snapshot s = WithFailsafe(Replica());
  EXPECT_EQ(Post(s, "not json").status, 400);
  EXPECT_EQ(Post(s, "[1]").status, 400);
  FailsafeAnswer no_name = Post(s, R"({"api_url":"x"})");
  EXPECT_EQ(no_name.status, 400);
  EXPECT_NE(no_name.body.find("name"), std::string::npos);
  FailsafeAnswer bad_ttl = Post(s, R"({"name":"node1","ttl":"x"})");
  EXPECT_EQ(bad_ttl.status, 400);
  EXPECT_NE(bad_ttl.body.find("ttl"), std::string::npos);
  EXPECT_FALSE(inbox.Latest().has_value());
  EXPECT_EQ(FailsafePost(s, kBody, nullptr).status, 503);
}

TEST(FailsafeGet, TheTopologyOr502) {
  Snapshot s = Primary();
  EXPECT_EQ(FailsafeGet(s).status, 502);
  s.failsafe_members = {{"node1", "http://127.0.0.1:8008/patroni"}};
  FailsafeAnswer a = FailsafeGet(s);
  EXPECT_EQ(a.status, 200);
  EXPECT_TRUE(a.json);
  EXPECT_EQ(a.body, R"({"node1":"http://127.0.0.1:8008/patroni"})");
}

TEST(Failsafe, ActiveShowsInPatroniStatusAndMetrics) {
  Snapshot s = Primary();
  EXPECT_FALSE(StatusJson(s).contains("failsafe_mode_is_active"));
  EXPECT_NE(MetricsText(s).find("patroni_failsafe_mode_is_active{"), std::string::npos);
  s.failsafe_active = true;
  EXPECT_EQ(StatusJson(s)["failsafe_mode_is_active"], true);
  const std::string text = MetricsText(s);
  auto at = text.find("patroni_failsafe_mode_is_active{");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(text.substr(text.find('}', at) + 1, 3), " 1\n");
}

}  // namespace
}  // namespace pgha::api
