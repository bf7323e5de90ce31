// The one ISO 8601 parser and formatter (core/iso_time.h): schedules, /failover's scheduled_at,
// scenario times and PostgreSQL's timestamptz text all go through it.
#include "core/iso_time.h"

#include <gtest/gtest.h>

namespace pgha {
namespace {

TEST(ParseIsoTime, FormsWithAndWithoutZone) {
  auto t = ParseIsoTime("2026-01-01T12:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->has_zone);
  EXPECT_EQ(ParseIsoTime("2026-01-01T14:00:00+02:00")->at, t->at);
  EXPECT_EQ(ParseIsoTime("2026-01-01 07:00-0500")->at, t->at);
  EXPECT_EQ(ParseIsoTime("2026-01-01T13:00+01")->at, t->at);
  EXPECT_EQ(ParseIsoTime("2026-01-01T12:00:00.250000+00:00")->at - t->at,
            std::chrono::milliseconds(250));
  EXPECT_FALSE(ParseIsoTime("2026-01-01T12:00")->has_zone);
  EXPECT_FALSE(ParseIsoTime("2026-01-01")->has_zone);
  for (const char* bad :
       {"", "tomorrow", "2026-13-01T00:00Z", "2026-02-30T00:00Z", "2026-01-01T24:00Z",
        "2026-01-01T12:00Zjunk", "2026-01-01T12:00+25:00", "2026-1-1T12:00Z",
        "2026-01-01T12:00:00.Z", "4052-02-29T10:00Z", "1969-12-31T23:59Z"}) {
    EXPECT_FALSE(ParseIsoTime(bad)) << bad;
  }
}

TEST(ParseIsoTime, PostgresTimestamptzText) {
  // to_char(..., 'YYYY-MM-DD HH24:MI:SS.USOF') and timestamptz::text under TimeZone=UTC.
  auto t = ParseIsoTime("2026-12-07 18:00:01.500000+00");
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(EpochSeconds(t->at), 1796666401.5);
  EXPECT_EQ(ParseIsoTime("2026-12-07 19:00:01.5+01")->at, t->at);
}

TEST(ParseZonedEpoch, RefusesTimesWithoutZone) {
  EXPECT_EQ(ParseZonedEpoch("1970-01-01T00:01:00+00:00"), 60.0);
  EXPECT_EQ(ParseZonedEpoch("1970-01-01T00:01:00Z"), 60.0);
  EXPECT_FALSE(ParseZonedEpoch("1970-01-01T00:01:00"));
  EXPECT_FALSE(ParseZonedEpoch("yesterday"));
}

TEST(FormatIsoTime, RoundTrips) {
  SystemTime at = ParseIsoTime("2026-01-01T12:00:00Z")->at;
  EXPECT_EQ(FormatIsoTime(at), "2026-01-01T12:00:00+00:00");
  EXPECT_EQ(FormatIsoTimeMicros(EpochSeconds(at) + 0.25), "2026-01-01T12:00:00.250000+00:00");
  EXPECT_EQ(ParseZonedEpoch(FormatIsoTimeMicros(1796666401.5)), 1796666401.5);
}

}  // namespace
}  // namespace pgha
