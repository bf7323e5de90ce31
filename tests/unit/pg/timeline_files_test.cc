#include "pg/timeline_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace pgha::pg {
namespace {

TEST(WithSkippedTimelines, ContiguousLineageIsUnchanged) {
  std::vector<TimelineSwitch> lineage = {{1, 100, "a"}, {2, 200, "b"}};
  auto out = WithSkippedTimelines(lineage, 3);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].timeline, 1u);
  EXPECT_EQ(out[1].timeline, 2u);
}

TEST(WithSkippedTimelines, EverySkippedNumberGetsItsParentsSwitchPoint) {
  // 1 -> 4 at 100 (2 and 3 claimed by others), then 4 -> 6 at 300 (5 claimed).
  std::vector<TimelineSwitch> lineage = {{1, 100, "a"}, {4, 300, "b"}};
  auto out = WithSkippedTimelines(lineage, 6);
  ASSERT_EQ(out.size(), 5u);
  const uint32_t tls[] = {1, 2, 3, 4, 5};
  const uint64_t lsns[] = {100, 100, 100, 300, 300};
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].timeline, tls[i]) << i;
    EXPECT_EQ(out[i].switch_lsn, lsns[i]) << i;
  }
  EXPECT_EQ(out[1].reason, kSkippedTimelineReason);
  EXPECT_EQ(out[3].reason, "b");
}

class ReserveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pgha-tlfiles-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    wal_ = tmpl;
  }
  void TearDown() override { fs::remove_all(wal_); }
  void Touch(const char* name) { std::ofstream(wal_ + "/" + name) << "1\t0/1\tx\n"; }
  std::string Read(const char* name) {
    std::ifstream f(wal_ + "/" + name);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  std::string wal_;
};

TEST_F(ReserveTest, NothingClaimedTakesTheNextNumberAndWritesNothing) {
  auto tl = ReserveTimelineNumbers(wal_, 1, 0x3000060, 0, "");
  ASSERT_TRUE(tl.ok()) << tl.message();
  EXPECT_EQ(*tl, 2u);
  EXPECT_TRUE(fs::is_empty(wal_));
}

TEST_F(ReserveTest, ClaimedNumbersGetPlaceholdersThatParseAsLineage) {
  auto tl = ReserveTimelineNumbers(wal_, 2, 0x3000060, 4, "1\t0/2000028\tno recovery target\n");
  ASSERT_TRUE(tl.ok()) << tl.message();
  EXPECT_EQ(*tl, 4u);
  EXPECT_FALSE(fs::exists(wal_ + "/00000004.history"));
  auto lines = ParseTimelineHistory(Read("00000003.history"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].timeline, 1u);
  EXPECT_EQ(lines[1].timeline, 2u);
  EXPECT_EQ(lines[1].switch_lsn, 0x3000060u);
  EXPECT_EQ(lines[1].reason, kSkippedTimelineReason);
}

TEST_F(ReserveTest, ExistingFilesAreSkippedAsPostgresSkipsThem) {
  Touch("00000002.history");  // already there: PostgreSQL would skip it too
  Touch("00000004.history");
  auto free = ReserveTimelineNumbers(wal_, 1, 0x100, 3, "");
  ASSERT_TRUE(free.ok()) << free.message();
  EXPECT_EQ(*free, 3u);  // 2 existed, 3 is free and high enough
  EXPECT_FALSE(fs::exists(wal_ + "/00000003.history"));
  auto tl = ReserveTimelineNumbers(wal_, 1, 0x100, 4, "");
  ASSERT_TRUE(tl.ok()) << tl.message();
  EXPECT_EQ(*tl, 5u);                                  // 3 reserved, 4 existed
  EXPECT_EQ(Read("00000002.history"), "1\t0/1\tx\n");  // never overwritten
  EXPECT_TRUE(fs::exists(wal_ + "/00000003.history"));
}

TEST_F(ReserveTest, UnknownTimelineAndUnwritableDirectoryAreErrors) {
  EXPECT_FALSE(ReserveTimelineNumbers(wal_, 0, 0, 0, "").ok());
  auto r = ReserveTimelineNumbers(wal_ + "/missing", 1, 0, 3, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("00000002.history"), std::string::npos) << r.message();
}

// A replica fetches the leader's newest history file before it streams that timeline: only WAL
// segments say which timelines the data directory has WAL on.
TEST_F(ReserveTest, HighestSegmentTimelineIgnoresHistoryPartialAndBackupFiles) {
  const std::string data = wal_ + "/data";
  fs::create_directories(data + "/pg_wal");
  EXPECT_EQ(HighestSegmentTimeline(data), 0u);
  for (const char* name :
       {"000000070000000000000004", "00000008.history", "000000090000000000000004.partial",
        "0000000A0000000000000002.backup", "00000007000000000000000X"}) {
    std::ofstream(data + "/pg_wal/" + name) << "x";
  }
  EXPECT_EQ(HighestSegmentTimeline(data), 7u);
  std::ofstream(data + "/pg_wal/000000080000000000000004") << "x";  // promoted: wrote on 8
  EXPECT_EQ(HighestSegmentTimeline(data), 8u);
  EXPECT_EQ(HighestSegmentTimeline(wal_ + "/missing"), 0u);
}

}  // namespace
}  // namespace pgha::pg
