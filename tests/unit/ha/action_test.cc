// Each action's text, as scenario files and the decision journal write it.
#include "ha/action.h"

#include <gtest/gtest.h>

namespace pgha::ha {
namespace {

TEST(Describe, NamesTheMemberThenTheDetail) {
  EXPECT_EQ(Describe(action::Promote{}), "promote");
  EXPECT_EQ(Describe(action::StartReplica{""}), "start_replica");
  EXPECT_EQ(Describe(action::StartReplica{"node1"}), "start_replica node1");
  EXPECT_EQ(Describe(action::Follow{"node2"}), "follow node2");
  EXPECT_EQ(Describe(action::CloneFromLeader{"node1", ""}), "clone_from_leader node1");
  EXPECT_EQ(Describe(action::CloneFromLeader{"node3", "node1"}), "clone_from_leader node3 (node1)");
  EXPECT_EQ(Describe(action::Demote{DemoteMode::kOffline, ""}), "demote (offline)");
  EXPECT_EQ(Describe(action::Demote{DemoteMode::kImmediateNolock, "node2"}),
            "demote node2 (immediate-nolock)");
  EXPECT_EQ(Describe(action::Demote{DemoteMode::kRewind, "node2"}), "demote node2 (rewind)");
  EXPECT_EQ(Describe(action::Demote{DemoteMode::kImmediate, ""}), "demote (immediate)");
  EXPECT_EQ(Describe(action::Rewind{"node1", false}), "rewind node1");
  EXPECT_EQ(Describe(action::Rewind{"node1", true}), "rewind node1 (reclone)");
  EXPECT_EQ(Describe(action::Switchover{"node3"}), "switchover node3");
  EXPECT_EQ(Describe(action::SyncReplication{"\"node2\",\"node3\"", {"node2", "node3"}}),
            "sync_replication \"node2\",\"node3\" (node2,node3)");
  EXPECT_EQ(Describe(action::SyncReplication{"", {}}), "sync_replication");
  EXPECT_EQ(Describe(action::Halt{"system identifier mismatch"}),
            "halt system identifier mismatch");
}

TEST(KindOf, FollowsTheVariantOrder) {
  EXPECT_EQ(KindOf(action::RaceInitialize{}), ActionKind::kRaceInitialize);
  EXPECT_EQ(KindOf(action::Halt{"x"}), ActionKind::kHalt);
  EXPECT_STREQ(ActionName(KindOf(action::SyncReplication{})), "sync_replication");
  EXPECT_STREQ(ActionName(KindOf(action::ClearFailover{})), "clear_failover");
}

}  // namespace
}  // namespace pgha::ha
