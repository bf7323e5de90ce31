#include "ha/lease.h"

#include <gtest/gtest.h>

namespace pgha::ha {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

LeaseFacts Replica(MonoTime renewed, milliseconds since) {
  LeaseFacts f;
  f.now = renewed + since;
  f.valid_until = renewed + seconds(5);
  f.granted_ttl = 5;
  return f;
}

TEST(LeaseRenewalDue, AReplicaRenewsEveryOtherLoopAtTheDefaults) {
  Settings s;  // ttl 5, loop_wait 1, retry_timeout 2: renew with 3 s or less left
  MonoTime t0{};
  EXPECT_FALSE(LeaseRenewalDue(s, Replica(t0, milliseconds(1000))));
  EXPECT_FALSE(LeaseRenewalDue(s, Replica(t0, milliseconds(1999))));
  EXPECT_TRUE(LeaseRenewalDue(s, Replica(t0, milliseconds(2000))));
  EXPECT_TRUE(LeaseRenewalDue(s, Replica(t0, milliseconds(6000))));  // already lapsed
}

TEST(LeaseRenewalDue, HalfTheTtlWhenThatIsTheLargerMargin) {
  Settings s;
  s.ttl = 30;
  s.loop_wait = 10;
  s.retry_timeout = 10;  // margin max(15, 20) = 20 s
  LeaseFacts f;
  f.granted_ttl = 30;
  f.valid_until = MonoTime{} + seconds(30);
  f.now = MonoTime{} + seconds(9);
  EXPECT_FALSE(LeaseRenewalDue(s, f));
  f.now = MonoTime{} + seconds(10);
  EXPECT_TRUE(LeaseRenewalDue(s, f));
  s.loop_wait = 1;
  s.retry_timeout = 3;  // margin max(15, 4) = 15 s
  f.now = MonoTime{} + seconds(14);
  EXPECT_FALSE(LeaseRenewalDue(s, f));
  f.now = MonoTime{} + seconds(15);
  EXPECT_TRUE(LeaseRenewalDue(s, f));
}

TEST(LeaseRenewalDue, ALeaderRenewsOnEveryLoop) {
  LeaseFacts f = Replica(MonoTime{}, milliseconds(100));
  f.leads = true;
  EXPECT_TRUE(LeaseRenewalDue(Settings{}, f));
}

TEST(LeaseRenewalDue, NoKnownDeadlineOrAChangedTtlRenews) {
  LeaseFacts f = Replica(MonoTime{}, milliseconds(100));
  f.valid_until.reset();
  EXPECT_TRUE(LeaseRenewalDue(Settings{}, f));
  f = Replica(MonoTime{}, milliseconds(100));
  f.granted_ttl = 10;
  EXPECT_TRUE(LeaseRenewalDue(Settings{}, f));
}

}  // namespace
}  // namespace pgha::ha
