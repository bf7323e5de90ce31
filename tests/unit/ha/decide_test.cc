#include <gtest/gtest.h>

#include "ha/decision.h"

namespace pgha::ha {
namespace {

using std::chrono::seconds;

Member M(const std::string& name, const std::string& role, int port, uint64_t xlog = 100) {
  Member m;
  m.name = name;
  m.role = role;
  m.state = "running";
  m.conn_url = "postgres://127.0.0.1:" + std::to_string(port) + "/postgres";
  m.api_url = "http://127.0.0.1:8008/patroni";
  m.xlog_location = xlog;
  return m;
}

Observation Base(const std::string& me) {
  Observation o;
  o.me = me;
  o.now = MonoTime{} + seconds(100);
  o.dcs_ok = true;
  o.lease_valid_until = o.now + seconds(10);
  o.cluster.initialize = "7000";
  o.cluster.members = {M("node1", "primary", 5440), M("node2", "replica", 5441),
                       M("node3", "replica", 5442)};
  o.pg.data_dir_empty = false;
  o.pg.sysid = "7000";
  o.pg.running = true;
  o.pg.state = "running";
  o.pg.timeline = 1;
  return o;
}

Observation Replica(const std::string& me, uint64_t wal = 100) {
  Observation o = Base(me);
  o.pg.in_recovery = true;
  o.pg.receive_lsn = o.pg.replay_lsn = wal;
  return o;
}

std::vector<ActionKind> Kinds(const Decision& d) {
  std::vector<ActionKind> out;
  for (const auto& a : d.actions) out.push_back(KindOf(a));
  return out;
}

TEST(Decide, EmptyClusterBootstraps) {
  Observation o = Base("node1");
  o.cluster = ClusterView{};
  o.pg = LocalPg{};
  auto d = Decide(o);
  EXPECT_EQ(Kinds(d), (std::vector{ActionKind::kRaceInitialize, ActionKind::kBootstrap}));
  EXPECT_EQ(d.reason, "bootstrapping a new cluster");
}

TEST(Decide, EmptyDataDirClonesFromRunningLeader) {
  Observation o = Base("node2");
  o.cluster.leader = "node1";
  o.pg = LocalPg{};
  auto d = Decide(o);
  ASSERT_EQ(Kinds(d), std::vector{ActionKind::kCloneFromLeader});
  EXPECT_EQ(std::get<action::CloneFromLeader>(d.actions[0]).source, "node1");
}

TEST(Decide, EmptyDataDirWaitsWhileInitializing) {
  Observation o = Base("node2");
  o.cluster.initialize = "";
  o.pg = LocalPg{};
  auto d = Decide(o);
  EXPECT_TRUE(d.actions.empty());
  EXPECT_EQ(d.reason, "waiting for the leader to bootstrap the cluster");
}

TEST(Decide, ForeignSystemIdentifierHalts) {
  Observation o = Base("node2");
  o.pg.sysid = "9999";
  auto d = Decide(o);
  ASSERT_EQ(Kinds(d), std::vector{ActionKind::kHalt});
  EXPECT_NE(d.reason.find("9999"), std::string::npos);
}

TEST(Decide, LeaderWithLockEnsuresSlots) {
  Observation o = Base("node1");
  o.cluster.leader = "node1";
  auto d = Decide(o);
  EXPECT_EQ(Kinds(d), std::vector{ActionKind::kEnsureSlots});
  EXPECT_EQ(d.reason, "no action: I am the leader with the lock");
}

TEST(Decide, LeaderCheckpointsAfterPromote) {
  Observation o = Base("node1");
  o.cluster.leader = "node1";
  o.checkpoint_after_promote_pending = true;
  auto d = Decide(o);
  EXPECT_EQ(Kinds(d), (std::vector{ActionKind::kCheckpoint, ActionKind::kEnsureSlots}));
}

TEST(Decide, LeaderWhoseLeaseIsRunningOutDemotes) {
  Observation o = Base("node1");
  o.cluster.leader = "node1";
  o.lease_valid_until = o.now + std::chrono::milliseconds(1400);  // under the 1.5 s margin
  auto d = Decide(o);
  ASSERT_EQ(Kinds(d), std::vector{ActionKind::kDemote});
  EXPECT_EQ(std::get<action::Demote>(d.actions[0]).mode, DemoteMode::kOffline);
}

TEST(Decide, PrimaryWithoutDcsKeepsRunningWhileLeaseValid) {
  Observation o = Base("node1");
  o.dcs_ok = false;
  EXPECT_TRUE(Decide(o).actions.empty());
  o.lease_valid_until = o.now + seconds(1);
  EXPECT_EQ(Kinds(Decide(o)), std::vector{ActionKind::kDemote});
}

TEST(Decide, ReplicaFollowsLeader) {
  Observation o = Replica("node2");
  o.cluster.leader = "node1";
  auto d = Decide(o);
  // It keeps a slot for the leader too, ready for when it leads (ha/slots.h).
  ASSERT_EQ(Kinds(d), (std::vector{ActionKind::kFollow, ActionKind::kEnsureSlots}));
  o.pg.streaming = true;
  o.pg.upstream_host = "127.0.0.1";
  o.pg.upstream_port = 5440;
  d = Decide(o);
  EXPECT_EQ(Kinds(d), std::vector{ActionKind::kEnsureSlots});
  EXPECT_EQ(d.reason, "no action: streaming from leader node1");
  o.settings.use_slots = false;
  EXPECT_TRUE(Decide(o).actions.empty());
}

TEST(Decide, PrimaryWithoutKeyDemotesWhenAnotherLeads) {
  Observation o = Base("node2");
  o.cluster.leader = "node1";
  auto d = Decide(o);
  ASSERT_EQ(Kinds(d), std::vector{ActionKind::kDemote});
  EXPECT_EQ(std::get<action::Demote>(d.actions[0]).leader, "node1");
}

TEST(Decide, HealthiestReplicaTakesFreeKeyAndPromotes) {
  Observation o = Replica("node2", 200);
  o.peers = {{"node3", true, true, false, "replica", 150, 1, {}}};
  auto d = Decide(o);
  EXPECT_EQ(Kinds(d), (std::vector{ActionKind::kAcquireLeader, ActionKind::kPromote}));
}

TEST(Decide, ReplicaBehindAPeerDoesNotRace) {
  Observation o = Replica("node2", 100);
  o.peers = {{"node3", true, true, false, "replica", 150, 1, {}}};
  auto d = Decide(o);
  EXPECT_TRUE(d.actions.empty());
  EXPECT_NE(d.reason.find("Wal position of node3 is ahead of my wal position"), std::string::npos);
}

TEST(Decide, LiveprimaryVetoesRace) {
  Observation o = Replica("node2", 500);
  o.peers = {{"node1", true, true, false, "primary", 100, 1, {}}};
  EXPECT_TRUE(Decide(o).actions.empty());
}

TEST(Decide, StoppedPrimaryPeerCannotVeto) {
  // A peer whose PostgreSQL is down (e.g. a full disk) can neither write nor be promoted: its
  // stale role must not hold the cluster without a leader while its agent lives.
  Observation o = Replica("node2", 500);
  o.peers = {{"node1", true, false, false, "primary", 900, 1, {}}};
  EXPECT_EQ(Kinds(Decide(o)), (std::vector{ActionKind::kAcquireLeader, ActionKind::kPromote}));
}

TEST(Decide, UnreachablePeersCannotVeto) {
  Observation o = Replica("node2", 100);
  o.peers = {{"node1", false, false, false, "", 0, 0, {}}};
  EXPECT_EQ(Kinds(Decide(o)), (std::vector{ActionKind::kAcquireLeader, ActionKind::kPromote}));
}

TEST(Decide, LagBeyondMaximumLagBlocksPromotion) {
  Observation o = Replica("node2", 100);
  o.cluster.optime = 100 + o.settings.maximum_lag_on_failover + 1;
  EXPECT_TRUE(Decide(o).actions.empty());
  o.cluster.optime = 100 + o.settings.maximum_lag_on_failover;
  EXPECT_FALSE(Decide(o).actions.empty());
}

TEST(Decide, NofailoverNeverRaces) {
  Observation o = Replica("node2", 100);
  o.tags.nofailover = true;
  EXPECT_TRUE(Decide(o).actions.empty());
}

TEST(Decide, EqualPositionHigherPriorityPeerWins) {
  Observation o = Replica("node2", 100);
  Tags high;
  high.failover_priority = 5;
  o.peers = {{"node3", true, true, false, "replica", 100, 1, false, high}};
  EXPECT_TRUE(Decide(o).actions.empty());
}

TEST(Decide, PausedNeverPromotes) {
  Observation o = Replica("node2", 100);
  o.settings.pause = true;
  EXPECT_TRUE(Decide(o).actions.empty());
}

TEST(Decide, StoppedNodeStartsAccordingToLeaderKey) {
  Observation o = Base("node2");
  o.pg.running = false;
  o.cluster.leader = "node1";
  auto d = Decide(o);
  ASSERT_EQ(Kinds(d), std::vector{ActionKind::kStartReplica});
  EXPECT_EQ(std::get<action::StartReplica>(d.actions[0]).upstream, "node1");
  o.cluster.leader = "node2";
  EXPECT_EQ(Kinds(Decide(o)), std::vector{ActionKind::kStartPrimary});
  o.cluster.leader.reset();
  d = Decide(o);
  ASSERT_EQ(Kinds(d), std::vector{ActionKind::kStartReplica});
  EXPECT_EQ(std::get<action::StartReplica>(d.actions[0]).upstream, "");
}

TEST(Decide, ReplicaHoldingKeyPromotes) {
  Observation o = Replica("node2");
  o.cluster.leader = "node2";
  EXPECT_EQ(Kinds(Decide(o)), std::vector{ActionKind::kPromote});
}

TEST(Decide, OldTimelineCannotRace) {
  Observation o = Replica("node2", 1000);
  o.cluster.history = {{1, 50, "", "", "node3"}};  // cluster is on timeline 2
  EXPECT_TRUE(Decide(o).actions.empty());
}

}  // namespace
}  // namespace pgha::ha
