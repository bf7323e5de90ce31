// core/sync_standby_names.h: PostgreSQL's synchronous_standby_names grammar.
#include "core/sync_standby_names.h"

#include <gtest/gtest.h>

namespace pgha {
namespace {

using Names = std::vector<std::string>;

TEST(ParseSyncStandbyNames, EveryFormPostgresqlAccepts) {
  EXPECT_EQ(ParseSyncStandbyNames(""), (SyncStandbyNames{0, {}, false}));
  EXPECT_EQ(ParseSyncStandbyNames("n2"), (SyncStandbyNames{1, {"n2"}, false}));
  EXPECT_EQ(ParseSyncStandbyNames("a, b"), (SyncStandbyNames{1, {"a", "b"}, false}));
  EXPECT_EQ(ParseSyncStandbyNames("2 (a,b)"), (SyncStandbyNames{2, {"a", "b"}, false}));
  EXPECT_EQ(ParseSyncStandbyNames("FIRST 2 (\"a\",b)"), (SyncStandbyNames{2, {"a", "b"}, false}));
  EXPECT_EQ(ParseSyncStandbyNames("any 1 (\"n-1\", \"a\"\"b\")"),
            (SyncStandbyNames{1, {"n-1", "a\"b"}, true}));
  EXPECT_EQ(ParseSyncStandbyNames("ANY 1 (*)"), (SyncStandbyNames{1, {"*"}, true}));
  EXPECT_TRUE(ParseSyncStandbyNames("ANY 1 (*)")->Wildcard());
  EXPECT_FALSE(ParseSyncStandbyNames("ANY 1 (a)")->Wildcard());
  // A quoted keyword is a name.
  EXPECT_EQ(ParseSyncStandbyNames("\"ANY\""), (SyncStandbyNames{1, {"ANY"}, false}));
}

TEST(ParseSyncStandbyNames, RefusesWhatPostgresqlRefuses) {
  for (const char* bad : {"ANY 0 (a)", "ANY 1 ()", "ANY 1 (a", "FIRST 1 a", "a,,b", "\"\"",
                          "\"open", "a;b", "ANY 1 (a) b", "ANY 99999999999 (a)"}) {
    EXPECT_FALSE(ParseSyncStandbyNames(bad).has_value()) << bad;
  }
}

TEST(SyncStandbyMatches, CaseInsensitiveAndWildcard) {
  EXPECT_TRUE(SyncStandbyMatches("Node2", "node2"));
  EXPECT_TRUE(SyncStandbyMatches("*", "anything"));
  EXPECT_FALSE(SyncStandbyMatches("node2", "node3"));
}

}  // namespace
}  // namespace pgha
