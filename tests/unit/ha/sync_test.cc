// ha/sync.h: the synchronous_standby_names syntax and the rules scenario files do not reach.
#include "ha/sync.h"

#include <gtest/gtest.h>

namespace pgha::ha {
namespace {

ReplicationClient Row(const std::string& name, const std::string& sync_state, uint64_t flush) {
  ReplicationClient r;
  r.application_name = name;
  r.state = "streaming";
  r.sync_state = sync_state;
  r.flush_lsn = flush;
  return r;
}

Observation Leader() {
  Observation o;
  o.me = "n1";
  o.settings.synchronous_mode = true;
  for (const char* n : {"n1", "n2", "n3"}) {
    Member m;
    m.name = n;
    o.cluster.members.push_back(m);
  }
  o.cluster.leader = "n1";
  return o;
}

TEST(SyncStandbyNamesValue, QuotesNamesAndCountsThem) {
  EXPECT_EQ(SyncStandbyNamesValue({}), "");
  EXPECT_EQ(SyncStandbyNamesValue({{"n2"}, 1}), "\"n2\"");
  EXPECT_EQ(SyncStandbyNamesValue({{"a\"b"}, 1}), "\"a\"\"b\"");
  EXPECT_EQ(SyncStandbyNamesValue({{"n2", "n3"}, 2}), "FIRST 2 (\"n2\",\"n3\")");
}

TEST(IdleSyncStandbyNames, OnlyStrictModeWaitsForAStandby) {
  Settings s;
  EXPECT_EQ(IdleSyncStandbyNames(s), "");
  s.synchronous_mode = true;
  EXPECT_EQ(IdleSyncStandbyNames(s), "");
  s.synchronous_mode_strict = true;
  EXPECT_EQ(IdleSyncStandbyNames(s), std::string("\"") + kStrictSyncPlaceholder + "\"");
}

TEST(RestartSyncStandbyNames, KeyHolderKeepsWaitingForListedStandbys) {
  Observation o = Leader();
  o.cluster.sync = SyncState{"n1", {"n2", "n3"}, 0};
  EXPECT_EQ(RestartSyncStandbyNames(o), "FIRST 2 (\"n2\",\"n3\")");
  o.cluster.leader = "n2";  // /sync is stale: the key moved on
  EXPECT_EQ(RestartSyncStandbyNames(o), "");
  o.settings.synchronous_mode_strict = true;
  EXPECT_EQ(RestartSyncStandbyNames(o), IdleSyncStandbyNames(o.settings));
  o.settings.synchronous_mode = false;
  EXPECT_EQ(RestartSyncStandbyNames(o), "");
}

TEST(PickSyncStandbys, IgnoresNonStreamingUnknownAndSelf) {
  Observation o = Leader();
  ReplicationClient catching_up = Row("n2", "async", 900);
  catching_up.state = "catchup";
  o.pg.replication = {catching_up, Row("n1", "async", 900), Row("stranger", "async", 900),
                      Row("n3", "async", 10)};
  EXPECT_EQ(PickSyncStandbys(o), (SyncTarget{{"n3"}, 1}));
}

TEST(PickSyncStandbys, NodeCountBoundsTheTarget) {
  Observation o = Leader();
  o.settings.synchronous_node_count = 1;
  o.pg.replication = {Row("n2", "async", 5), Row("n3", "async", 9)};
  EXPECT_EQ(PickSyncStandbys(o), (SyncTarget{{"n3"}, 1}));
  o.settings.synchronous_node_count = 5;
  EXPECT_EQ(PickSyncStandbys(o), (SyncTarget{{"n3", "n2"}, 2}));
}

// Patroni's priority_sync feature: sync_priority 0 never synchronous, the higher priority first
// even over the standby already listed, and an explicit nosync decides over the priority.
TEST(PickSyncStandbys, SyncPriorityOrdersAndZeroExcludes) {
  Observation o = Leader();
  o.cluster.members.push_back(Member{.name = "n4"});
  o.settings.synchronous_node_count = 1;
  o.cluster.sync = SyncState{"n1", {"n2"}, 0};
  o.cluster.members[1].tags.sync_priority = 1;
  o.cluster.members[2].tags.sync_priority = 2;
  o.cluster.members[3].tags.sync_priority = 0;
  o.pg.replication = {Row("n2", "sync", 9), Row("n3", "async", 5), Row("n4", "async", 99)};
  EXPECT_EQ(PickSyncStandbys(o), (SyncTarget{{"n3"}, 1}));
  o.settings.synchronous_node_count = 5;
  EXPECT_EQ(PickSyncStandbys(o), (SyncTarget{{"n3", "n2"}, 2}));
  // nosync: true beside sync_priority 2 -> never; nosync: false beside 0 -> allowed, priority 0
  o.cluster.members[2].tags.nosync = true;
  o.cluster.members[2].tags.raw["nosync"] = "true";
  o.cluster.members[3].tags.raw["nosync"] = "false";
  EXPECT_EQ(PickSyncStandbys(o), (SyncTarget{{"n2", "n4"}, 2}));
}

TEST(PickSyncStandbys, StrictPadsWithListedStandbysOnly) {
  Observation o = Leader();
  o.settings.synchronous_mode_strict = true;
  o.cluster.sync = SyncState{"n1", {"n2"}, 0};
  EXPECT_EQ(PickSyncStandbys(o), (SyncTarget{{"n2"}, 1}));
  o.cluster.sync = SyncState{"other", {"n2"}, 0};  // another leader's list is not ours
  EXPECT_EQ(PickSyncStandbys(o), (SyncTarget{{kStrictSyncPlaceholder}, 1}));
}

TEST(SyncStandbysToPublish, ConfirmsOnlyUnderTheSettledValueAndPosition) {
  Observation o = Leader();
  o.pg.replication = {Row("n2", "sync", 9)};
  SyncTarget t{{"n2"}, 1};
  o.sync_names_settled_lsn = 9;
  o.pg.synchronous_standby_names = "";  // the sync_state was computed under another value
  EXPECT_TRUE(SyncStandbysToPublish(o, t).empty());
  o.pg.synchronous_standby_names = "\"n2\"";
  EXPECT_EQ(SyncStandbysToPublish(o, t), std::vector<std::string>{"n2"});
  o.sync_names_settled_lsn = 10;  // commits acknowledged up to 10 may not be on n2
  EXPECT_TRUE(SyncStandbysToPublish(o, t).empty());
  o.sync_names_settled_lsn.reset();  // not settled yet
  EXPECT_TRUE(SyncStandbysToPublish(o, t).empty());
}

TEST(SyncStandbysToPublish, NeverListsThePlaceholder) {
  Observation o = Leader();
  SyncTarget t{{kStrictSyncPlaceholder}, 1};
  o.sync_names_settled_lsn = 0;
  o.pg.synchronous_standby_names = SyncStandbyNamesValue(t);
  o.pg.replication = {Row(kStrictSyncPlaceholder, "sync", 9)};
  EXPECT_TRUE(SyncStandbysToPublish(o, t).empty());
}

TEST(SyncRestrictsRace, NeedsModeOnAndAKeyWithALeader) {
  Observation o = Leader();
  EXPECT_FALSE(SyncRestrictsRace(o));
  o.cluster.sync = SyncState{"", {}, 0};
  EXPECT_FALSE(SyncRestrictsRace(o));
  o.cluster.sync = SyncState{"n1", {}, 0};
  EXPECT_TRUE(SyncRestrictsRace(o));
  o.settings.synchronous_mode = false;
  EXPECT_FALSE(SyncRestrictsRace(o));
  EXPECT_TRUE(InSyncKey(o.cluster, "n1"));
  EXPECT_FALSE(IsSyncStandby(o.cluster, "n1"));
}

}  // namespace
}  // namespace pgha::ha
