// ha/quorum.h: quorum commit. The safety condition, the leader's steps from any starting state
// (every intermediate state safe, the target reached), and a voter's promotion check.
#include "ha/quorum.h"

#include <gtest/gtest.h>

#include <random>

#include "ha/sync.h"

namespace pgha::ha {
namespace {

using Names = std::vector<std::string>;

SyncStandbyNames Value(const std::string& v) { return *ParseSyncStandbyNames(v); }

ReplicationClient Row(const std::string& name, uint64_t flush) {
  ReplicationClient r;
  r.application_name = name;
  r.state = "streaming";
  r.sync_state = "quorum";
  r.flush_lsn = flush;
  return r;
}

Observation Leader(const Names& members) {
  Observation o;
  o.me = "n1";
  o.settings.synchronous_mode = o.settings.synchronous_mode_quorum = true;
  for (const auto& n : members) {
    Member m;
    m.name = n;
    o.cluster.members.push_back(m);
  }
  o.cluster.leader = "n1";
  o.pg.running = true;
  o.pg.wal_lsn = 5000;
  return o;
}

TEST(QuorumSafe, EveryAcknowledgingSetMeetsEveryPromotionSet) {
  // ANY 1 (a,b) with voters a,b: a promotion compares with one other voter.
  EXPECT_TRUE(QuorumSafe(Value("ANY 1 (a,b)"), {"a", "b"}, 1));
  EXPECT_FALSE(QuorumSafe(Value("ANY 1 (a,b)"), {"a", "b"}, 0));
  EXPECT_TRUE(QuorumSafe(Value("ANY 2 (a,b)"), {"a", "b"}, 0));
  // A voter the value does not name widens the sets.
  EXPECT_FALSE(QuorumSafe(Value("ANY 1 (a)"), {"a", "b"}, 0));
  EXPECT_TRUE(QuorumSafe(Value("ANY 1 (a)"), {"a", "b"}, 1));
  EXPECT_FALSE(QuorumSafe(Value("ANY 1 (a,b)"), {"a"}, 0));
  EXPECT_TRUE(QuorumSafe(Value("ANY 2 (a,b)"), {"a"}, 0));
  // Asynchronous, or any standby: only a /sync nobody can be promoted from.
  EXPECT_FALSE(QuorumSafe(Value(""), {"a"}, 0));
  EXPECT_TRUE(QuorumSafe(Value(""), {"a"}, 1));
  EXPECT_TRUE(QuorumSafe(Value(""), {}, 0));
  EXPECT_FALSE(QuorumSafe(Value("ANY 1 (*)"), {"a", "b"}, 1));
  EXPECT_TRUE(QuorumSafe(Value("ANY 1 (*)"), {"a", "b"}, 2));
  // The priority form counts as any `num` of its names; the strict placeholder never confirms.
  EXPECT_TRUE(QuorumSafe(Value("\"a\""), {"a"}, 0));
  EXPECT_FALSE(QuorumSafe(Value("FIRST 1 (a,b)"), {"a", "b"}, 0));
  EXPECT_TRUE(QuorumSafe(Value(std::string("\"") + kStrictSyncPlaceholder + "\""), {"a"}, 0));
}

TEST(QuorumSyncStandbyNamesValue, AnyFormSortedAsGiven) {
  EXPECT_EQ(QuorumSyncStandbyNamesValue(0, {"a"}), "");
  EXPECT_EQ(QuorumSyncStandbyNamesValue(1, {}), "");
  EXPECT_EQ(QuorumSyncStandbyNamesValue(1, {"*"}), "ANY 1 (*)");
  EXPECT_EQ(QuorumSyncStandbyNamesValue(2, {"a", "b\"c"}), "ANY 2 (\"a\",\"b\"\"c\")");
}

// Applies `step` as the executor does: /sync first, then the setting (which takes effect at
// once here; the settled position is the primary's WAL position).
void Apply(const action::SyncReplication& step, Observation* o) {
  o->cluster.sync = SyncState{o->me, step.standbys, step.quorum};
  o->pg.synchronous_standby_names = step.names;
}

bool SafeNow(const Observation& o) {
  auto value = ParseSyncStandbyNames(o.pg.synchronous_standby_names);
  if (!value) return false;
  if (!o.cluster.sync) return true;  // no /sync: nobody may be promoted
  Names voters = o.cluster.sync->sync_standby;
  std::erase(voters, o.me);
  return QuorumSafe(*value, voters, o.cluster.sync->quorum);
}

// Steps until nothing is left to do; every state on the way (including the one between the /sync
// write and the setting's) is safe. Returns the number of steps.
int Converge(Observation* o) {
  for (int i = 0; i < 10; ++i) {
    auto step = QuorumSyncStep(*o);
    if (!step) return i;
    Observation between = *o;
    between.cluster.sync = SyncState{o->me, step->standbys, step->quorum};
    EXPECT_TRUE(SafeNow(between)) << "after the /sync write of step " << i << ": "
                                  << o->pg.synchronous_standby_names;
    Apply(*step, o);
    EXPECT_TRUE(SafeNow(*o)) << "after step " << i << ": " << step->names;
  }
  ADD_FAILURE() << "did not converge";
  return -1;
}

TEST(QuorumSyncStep, PatroniFeatureSequence) {
  Observation o = Leader({"n1", "n2", "n3"});
  o.sync_names_settled_lsn = 5000;
  // Alone, not strict: "" and /sync {n1, [], 0}.
  Converge(&o);
  EXPECT_EQ(o.pg.synchronous_standby_names, "");
  EXPECT_EQ(o.cluster.sync, (SyncState{"n1", {}, 0}));
  // Strict: ANY 1 (*).
  o.settings.synchronous_mode_strict = true;
  Converge(&o);
  EXPECT_EQ(o.pg.synchronous_standby_names, "ANY 1 (*)");
  // Two standbys stream: both vote, one confirms.
  o.pg.replication = {Row("n3", 5000), Row("n2", 5000)};
  Converge(&o);
  EXPECT_EQ(o.pg.synchronous_standby_names, "ANY 1 (\"n2\",\"n3\")");
  EXPECT_EQ(o.cluster.sync, (SyncState{"n1", {"n2", "n3"}, 1}));
  // synchronous_node_count 2: both confirm, quorum 0.
  o.settings.synchronous_node_count = 2;
  Converge(&o);
  EXPECT_EQ(o.pg.synchronous_standby_names, "ANY 2 (\"n2\",\"n3\")");
  EXPECT_EQ(o.cluster.sync, (SyncState{"n1", {"n2", "n3"}, 0}));
  // nosync on n3: it leaves the voters.
  o.settings.synchronous_node_count = 1;
  o.cluster.members[2].tags.nosync = true;
  Converge(&o);
  EXPECT_EQ(o.pg.synchronous_standby_names, "ANY 1 (\"n2\")");
  EXPECT_EQ(o.cluster.sync, (SyncState{"n1", {"n2"}, 0}));
}

TEST(QuorumSyncStep, ShrinksSyncOnlyOnceTheVotersHoldEarlierCommits) {
  Observation o = Leader({"n1", "n2", "n3"});
  o.pg.synchronous_standby_names = "ANY 1 (\"n2\",\"n3\")";
  o.cluster.sync = SyncState{"n1", {"n2", "n3"}, 1};
  o.pg.replication = {Row("n2", 4000)};  // n3 is gone, n2 behind
  auto step = QuorumSyncStep(o);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->names, "ANY 1 (\"n2\")");  // the setting first: safe with /sync as it is
  EXPECT_EQ(step->quorum, 1);
  Apply(*step, &o);
  o.sync_names_settled_lsn = 5000;
  EXPECT_FALSE(QuorumSyncStep(o)) << "n2 has not flushed what n3 alone may have confirmed";
  o.pg.replication = {Row("n2", 5000)};
  step = QuorumSyncStep(o);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->standbys, (Names{"n2"}));
  EXPECT_EQ(step->quorum, 0);
}

TEST(QuorumSyncStep, RaisesQuorumBeforeAddingAVoter) {
  Observation o = Leader({"n1", "n2", "n3"});
  o.pg.synchronous_standby_names = "ANY 1 (\"n2\")";
  o.cluster.sync = SyncState{"n1", {"n2"}, 0};
  o.pg.replication = {Row("n2", 5000), Row("n3", 5000)};
  auto step = QuorumSyncStep(o);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->names, "ANY 1 (\"n2\")");  // unchanged
  EXPECT_EQ(step->standbys, (Names{"n2"}));
  EXPECT_EQ(step->quorum, 1);  // nobody may be promoted while n3 joins the value
}

// From random starting states (a priority-mode /sync, another leader's /sync, any value in force)
// and random standbys, every step is safe and the steps end at the target.
TEST(QuorumSyncStep, RandomStartsStaySafeAndConverge) {
  std::mt19937 rng(7);
  const Names all = {"n2", "n3", "n4", "n5"};
  const Names values = {"",
                        "\"n2\"",
                        "FIRST 2 (\"n2\",\"n3\")",
                        "ANY 1 (*)",
                        "ANY 1 (\"n2\",\"n3\",\"n4\")",
                        "ANY 3 (\"n3\",\"n4\",\"n5\")"};
  for (int round = 0; round < 500; ++round) {
    Observation o = Leader({"n1", "n2", "n3", "n4", "n5"});
    o.settings.synchronous_mode_strict = rng() % 2;
    o.settings.synchronous_node_count = 1 + static_cast<int>(rng() % 3);
    o.sync_names_settled_lsn = 5000;
    Names voters;
    for (const auto& n : all) {
      if (rng() % 2) voters.push_back(n);
      if (rng() % 2) o.pg.replication.push_back(Row(n, 5000));
    }
    int q = static_cast<int>(voters.size());  // a safe start: nobody can be promoted
    o.cluster.sync = SyncState{rng() % 4 ? "n1" : "n2", voters, q};
    o.pg.synchronous_standby_names = values[rng() % values.size()];
    ASSERT_TRUE(SafeNow(o));
    int steps = Converge(&o);
    EXPECT_GE(steps, 0);
    EXPECT_FALSE(QuorumSyncStep(o));
    EXPECT_EQ(o.cluster.sync->leader, "n1");
    Names streaming;
    for (const auto& r : o.pg.replication) streaming.push_back(r.application_name);
    std::sort(streaming.begin(), streaming.end());
    EXPECT_EQ(o.cluster.sync->sync_standby, streaming);
  }
}

TEST(RestartSyncStandbyNames, QuorumKeyHolderWaitsForEnoughVoters) {
  Observation o = Leader({"n1", "n2", "n3"});
  o.cluster.sync = SyncState{"n1", {"n2", "n3"}, 1};
  EXPECT_EQ(RestartSyncStandbyNames(o), "ANY 1 (\"n2\",\"n3\")");
  o.cluster.sync->quorum = 2;  // nobody can be promoted: nothing to wait for
  EXPECT_EQ(RestartSyncStandbyNames(o), "");
}

PeerStatus Voter(const std::string& name, uint64_t wal) {
  PeerStatus p;
  p.name = name;
  p.reachable = p.running = true;
  p.role = "replica";
  p.wal_position = wal;
  p.timeline = 1;
  return p;
}

TEST(QuorumPromotionProblem, NeedsQuorumVotersAtOrBehindMe) {
  Observation o;
  o.me = "n2";
  o.settings.synchronous_mode = o.settings.synchronous_mode_quorum = true;
  o.cluster.sync = SyncState{"n1", {"n2", "n3", "n4"}, 1};
  o.pg.running = o.pg.in_recovery = true;
  o.pg.timeline = 1;
  o.pg.receive_lsn = 5000;
  auto problem = [&] { return QuorumPromotionProblem(o, "n2", 5000, 1); };
  EXPECT_NE(problem(), "");       // nobody answered
  o.peers = {Voter("n1", 9000)};  // the old leader, ahead: no witness
  EXPECT_NE(problem(), "");
  o.peers = {Voter("n4", 5001)};  // a voter ahead: no witness (it vetoes in the race)
  EXPECT_NE(problem(), "");
  o.peers = {Voter("n3", 5000)};
  EXPECT_EQ(problem(), "");
  o.peers.back().timeline = 2;  // another timeline tells nothing
  EXPECT_NE(problem(), "");
  o.peers.back().timeline = 1;
  o.peers.back().positions_stale = true;  // a lower bound only
  EXPECT_NE(problem(), "");
  o.peers = {Voter("n1", 4000)};  // the old leader at or behind: it vouches alone
  EXPECT_EQ(problem(), "");
  o.peers = {};
  o.cluster.sync->leader = "n2";  // the /sync leader acknowledged its own commits
  EXPECT_EQ(problem(), "");
}

TEST(QuorumPromotionProblem, AnotherMemberJudgesACandidateWithItsOwnPosition) {
  Observation o;
  o.me = "n3";  // judging n2, the candidate a /failover names
  o.settings.synchronous_mode = o.settings.synchronous_mode_quorum = true;
  o.cluster.sync = SyncState{"n1", {"n2", "n3", "n4"}, 1};
  o.pg.running = o.pg.in_recovery = true;
  o.pg.timeline = 1;
  o.pg.receive_lsn = 4000;
  EXPECT_EQ(QuorumPromotionProblem(o, "n2", 5000, 1), "");  // I am a voter behind n2
  o.pg.receive_lsn = 6000;
  EXPECT_NE(QuorumPromotionProblem(o, "n2", 5000, 1), "");  // I am ahead
}

}  // namespace
}  // namespace pgha::ha
