// ha/derived.h: the durations and the settle point the agent derives loop by loop.
#include "ha/derived.h"

#include <gtest/gtest.h>

#include "ha/sync.h"

namespace pgha::ha {
namespace {

MonoTime At(double seconds) {
  return MonoTime{} +
         std::chrono::duration_cast<MonoTime::duration>(std::chrono::duration<double>(seconds));
}

LocalPg Running(bool in_recovery, bool streaming = true) {
  LocalPg pg;
  pg.running = pg.postmaster = true;
  pg.in_recovery = in_recovery;
  pg.streaming = streaming;
  return pg;
}

TEST(NextDurations, PrimaryDownSinceTheFirstLoopHoldingTheKeyWithoutPostgres) {
  Durations d;
  LocalPg stopped;
  d = NextDurations(d, true, stopped, At(10));
  EXPECT_EQ(d.primary_down_since, At(10));
  d = NextDurations(d, true, stopped, At(12));
  EXPECT_EQ(d.primary_down_since, At(10));  // keeps the start
  d = NextDurations(d, false, stopped, At(13));
  EXPECT_FALSE(d.primary_down_since);  // the key went
  d = NextDurations(d, true, stopped, At(14));
  d = NextDurations(d, true, Running(false), At(15));
  EXPECT_FALSE(d.primary_down_since);  // PostgreSQL runs again
}

TEST(NextDurations, StartFailuresLastWhileTheKeyIsHeldAndPostgresDown) {
  Durations d;
  d.primary_start_failing_since = At(5);  // the executor's record of a failed start
  LocalPg stopped;
  d = NextDurations(d, true, stopped, At(10));
  EXPECT_EQ(d.primary_start_failing_since, At(5));
  EXPECT_FALSE(NextDurations(d, false, stopped, At(11)).primary_start_failing_since);
  EXPECT_FALSE(NextDurations(d, true, Running(false), At(11)).primary_start_failing_since);
}

TEST(NextDurations, NotStreamingOnlyForARunningReplica) {
  Durations d;
  d = NextDurations(d, false, Running(true, false), At(20));
  EXPECT_EQ(d.not_streaming_since, At(20));
  d = NextDurations(d, false, Running(true, false), At(25));
  EXPECT_EQ(d.not_streaming_since, At(20));
  EXPECT_FALSE(NextDurations(d, false, Running(true, true), At(26)).not_streaming_since);
  EXPECT_FALSE(NextDurations(d, true, Running(false, false), At(26)).not_streaming_since);
  EXPECT_FALSE(NextDurations(d, false, LocalPg{}, At(26)).not_streaming_since);
}

TEST(NextSyncSettle, SettlesAfterTheValueHeldOnARunningPrimary) {
  LocalPg pg = Running(false);
  pg.synchronous_standby_names = "\"n2\"";
  pg.wal_lsn = 100;
  SyncSettle s = NextSyncSettle({}, pg, At(10));
  EXPECT_EQ(s.since, At(10));
  EXPECT_FALSE(s.settled);
  pg.wal_lsn = 200;
  s = NextSyncSettle(s, pg, At(10) + kSyncSettleTime / 2);
  EXPECT_FALSE(s.settled);
  s = NextSyncSettle(s, pg, At(10) + kSyncSettleTime);
  EXPECT_EQ(s.settled, 200u);
  pg.wal_lsn = 300;
  s = NextSyncSettle(s, pg, At(20));
  EXPECT_EQ(s.settled, 200u);  // settled once, not moved
  pg.synchronous_standby_names = "\"n3\"";
  s = NextSyncSettle(s, pg, At(21));
  EXPECT_FALSE(s.settled);  // a new value starts over
  EXPECT_EQ(s.since, At(21));
  s = NextSyncSettle(s, Running(true), At(30));
  EXPECT_FALSE(s.settled);  // a replica: nothing settles
  EXPECT_FALSE(NextSyncSettle(s, Running(true), At(40)).settled);
}

}  // namespace
}  // namespace pgha::ha
