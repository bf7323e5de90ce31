#include "dcs/stall_detector.h"

#include <gtest/gtest.h>

namespace pgha::dcs {
namespace {

using std::chrono::milliseconds;
const StallDetector::Time t0{};

TEST(StallDetector, NeverStallsBeforeItLearnedTheRhythm) {
  StallDetector d(t0);
  EXPECT_FALSE(d.Stalled(t0 + milliseconds(60000)));
  d.OnMessage(t0 + milliseconds(10), true);  // one notification: no gap yet
  EXPECT_FALSE(d.Stalled(t0 + milliseconds(60000)));
}

TEST(StallDetector, SilenceOfFourIntervalsIsAStall) {
  StallDetector d(t0);
  d.OnMessage(t0 + milliseconds(50), true);
  d.OnMessage(t0 + milliseconds(100), true);
  ASSERT_EQ(d.interval(), milliseconds(50));
  EXPECT_FALSE(d.Stalled(t0 + milliseconds(300)));  // 200 ms after the last: still fine
  EXPECT_TRUE(d.Stalled(t0 + milliseconds(301)));
  d.OnMessage(t0 + milliseconds(290), false);  // an event counts as a sign of life
  EXPECT_FALSE(d.Stalled(t0 + milliseconds(400)));
}

TEST(StallDetector, NotificationsThatArriveTogetherTeachNothing) {
  StallDetector d(t0);
  d.OnMessage(t0 + milliseconds(50), true);
  d.OnMessage(t0 + milliseconds(51), true);  // a burst: says nothing of etcd's rhythm
  EXPECT_FALSE(d.interval().has_value());
  EXPECT_FALSE(d.Stalled(t0 + milliseconds(60)));
  d.OnMessage(t0 + milliseconds(101), true);
  EXPECT_EQ(d.interval(), milliseconds(50));
}

TEST(StallDetector, AKnownRhythmMakesASilentNewStreamStalled) {
  StallDetector d(t0, milliseconds(50));  // learned by the stream before this one
  EXPECT_FALSE(d.Stalled(t0 + milliseconds(200)));
  EXPECT_TRUE(d.Stalled(t0 + milliseconds(201)));  // nothing at all since it opened
  StallDetector fresh(t0);
  EXPECT_FALSE(fresh.Stalled(t0 + milliseconds(60000)));
}

TEST(StallDetector, EtcdsDefaultTenMinuteIntervalTeachesNothing) {
  StallDetector d(t0);
  d.OnMessage(t0 + milliseconds(600000), true);
  d.OnMessage(t0 + milliseconds(1200000), true);
  EXPECT_FALSE(d.interval().has_value());
  EXPECT_FALSE(d.Stalled(t0 + milliseconds(5000000)));
}

TEST(StallDetector, EventsDoNotTeachTheInterval) {
  StallDetector d(t0);
  d.OnMessage(t0 + milliseconds(10), false);
  d.OnMessage(t0 + milliseconds(20), false);
  EXPECT_FALSE(d.interval().has_value());
}

}  // namespace
}  // namespace pgha::dcs
