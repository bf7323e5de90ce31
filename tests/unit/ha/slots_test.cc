#include "ha/slots.h"

#include <gtest/gtest.h>

#include "ha/decision.h"

namespace pgha::ha {
namespace {

Member Running(const std::string& name, std::optional<uint64_t> xlog = std::nullopt) {
  Member m;
  m.name = name;
  m.state = "running";
  m.role = "replica";
  m.conn_url = "postgres://127.0.0.1:5432/postgres";
  m.xlog_location = xlog;
  return m;
}

// Patroni's permanent_slots feature: postgres-0 leads, postgres-1 a replica, postgres-2
// nofailover, postgres-3 streams from postgres-2; slots test_physical and postgres_3 permanent.
Observation Topology(const std::string& me, bool primary) {
  Observation obs;
  obs.me = me;
  obs.dcs_ok = true;
  obs.cluster.leader = "postgres-0";
  obs.cluster.optime = 9000;
  obs.cluster.slots = {{"test_physical", 7000}, {"postgres_1", 8000}};
  obs.cluster.members = {Running("postgres-0"), Running("postgres-1"), Running("postgres-2"),
                         Running("postgres-3", 8500)};
  obs.cluster.members[2].tags.nofailover = true;
  obs.cluster.members[3].tags.replicatefrom = "postgres-2";
  obs.settings.slots = {{"test_physical", {}}, {"postgres_3", {}}};
  for (const auto& m : obs.cluster.members) {
    if (m.name == me) obs.tags = m.tags;
  }
  obs.pg.running = true;
  obs.pg.in_recovery = !primary;
  return obs;
}

std::vector<std::string> Names(const std::map<std::string, PlannedSlot>& plan) {
  std::vector<std::string> out;
  for (const auto& [name, s] : plan) out.push_back(name);
  return out;
}

TEST(SlotName, AsPatroni) { EXPECT_EQ(SlotName("Node-2.a"), "node_2_a"); }

TEST(ValidSlotName, LowerCaseLettersDigitsUnderscoreUpTo63) {
  EXPECT_TRUE(ValidSlotName("test_physical_2"));
  EXPECT_FALSE(ValidSlotName("Test"));
  EXPECT_FALSE(ValidSlotName("a-b"));
  EXPECT_FALSE(ValidSlotName(""));
  EXPECT_FALSE(ValidSlotName(std::string(64, 'a')));
}

TEST(PlanSlots, ThePrimaryKeepsEveryMembersSlotAndThePermanentOnes) {
  auto plan = PlanSlots(Topology("postgres-0", true));
  EXPECT_EQ(Names(plan),
            (std::vector<std::string>{"postgres_1", "postgres_2", "postgres_3", "test_physical"}));
  EXPECT_FALSE(plan["postgres_1"].lsn);  // its consumer advances it
  // postgres-3 streams from postgres-2: its slot here sits idle and follows what it reports.
  EXPECT_EQ(plan["postgres_3"].lsn, 8500u);
  EXPECT_TRUE(plan["postgres_3"].permanent);
  EXPECT_TRUE(plan["test_physical"].permanent);
}

TEST(PlanSlots, AReplicaThatMayBePromotedKeepsThemAllAdvancedToTheLeadersPositions) {
  auto plan = PlanSlots(Topology("postgres-1", false));
  EXPECT_EQ(Names(plan),
            (std::vector<std::string>{"postgres_0", "postgres_2", "postgres_3", "test_physical"}));
  EXPECT_EQ(plan["postgres_0"].lsn, 9000u);  // the leader's own: its WAL position
  EXPECT_EQ(plan["test_physical"].lsn, 7000u);
  EXPECT_EQ(plan["postgres_3"].lsn, 8500u);  // it cascades: its own report
  EXPECT_FALSE(plan["postgres_2"].lsn);      // nothing published for it yet
}

TEST(PlanSlots, ANofailoverReplicaKeepsOnlyTheSlotsOfMembersStreamingFromIt) {
  auto plan = PlanSlots(Topology("postgres-2", false));
  EXPECT_EQ(Names(plan), (std::vector<std::string>{"postgres_3"}));
  EXPECT_FALSE(plan["postgres_3"].lsn);  // in use by postgres-3
}

TEST(PlanSlots, LogicalSlotsOnlyOnThePrimaryAndNoneForNostreamMembers) {
  auto obs = Topology("postgres-0", true);
  obs.settings.slots["test_logical"] = PermanentSlot{"postgres", "test_decoding"};
  obs.cluster.members[1].tags.nostream = true;
  auto plan = PlanSlots(obs);
  EXPECT_TRUE(plan.count("test_logical"));
  EXPECT_TRUE(plan["test_logical"].kind.Logical());
  EXPECT_FALSE(plan.count("postgres_1"));
  obs = Topology("postgres-1", false);
  obs.settings.slots["test_logical"] = PermanentSlot{"postgres", "test_decoding"};
  EXPECT_FALSE(PlanSlots(obs).count("test_logical"));
}

TEST(PlanSlots, NoneWithoutUseSlotsAndNoPermanentSlotForMyself) {
  auto obs = Topology("postgres-3", false);
  EXPECT_FALSE(PlanSlots(obs).count("postgres_3"));
  obs.settings.use_slots = false;
  EXPECT_TRUE(PlanSlots(obs).empty());
}

TEST(RetainedSlots, MembersSlotsThatAreNotPermanent) {
  EXPECT_EQ(RetainedSlots(Topology("postgres-0", true)),
            (std::vector<std::string>{"postgres_0", "postgres_1", "postgres_2"}));
}

}  // namespace
}  // namespace pgha::ha
