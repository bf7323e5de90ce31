// The commit gate's pure parts: the synchronous_standby_names it stands in as, the pg_hba lines
// that let it in, and where it connects. Streaming itself runs in the cluster tests
// (tests/integration/cluster/failover_test.sh) and in the fault suite's freeze-leader.
#include "pg/commit_gate.h"

#include <gtest/gtest.h>

namespace pgha::pg {
namespace {

config::Postgresql WithPassword(const std::string& password) {
  config::Postgresql pg;
  pg.listen = "0.0.0.0:5432";
  pg.replication = {"replicator", password, {}};
  return pg;
}

TEST(CommitGate, StandsInAsOneQuotedStandby) {
  EXPECT_EQ(CommitGateStandbyNames(), "\"pgha_commit_gate\"");
}

TEST(CommitGate, HbaLinesComeFirstForTheReplicationUser) {
  auto lines = WithCommitGateHba(WithPassword("pw"), {"host all all 0.0.0.0/0 scram-sha-256"});
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "local replication \"replicator\" md5");
  EXPECT_EQ(lines[1], "host replication \"replicator\" 127.0.0.1/32 md5");
  EXPECT_EQ(lines[2], "host replication \"replicator\" ::1/128 md5");
  EXPECT_EQ(lines[3], "host all all 0.0.0.0/0 scram-sha-256");
}

TEST(CommitGate, HbaLeftAloneWhenPgHaDoesNotWriteItOrCannotAuthenticate) {
  EXPECT_TRUE(WithCommitGateHba(WithPassword("pw"), {}).empty());  // pg_hba.conf not managed
  std::vector<std::string> user = {"local all all peer"};
  EXPECT_EQ(WithCommitGateHba(WithPassword(""), user), user);  // no password to give
  config::Postgresql off = WithPassword("pw");
  off.commit_gate = false;
  EXPECT_EQ(WithCommitGateHba(off, user), user);
}

TEST(CommitGate, ConnectsWhereTheAgentDoes) {
  config::Postgresql pg = WithPassword("pw");
  EXPECT_EQ(LocalHost(pg), "127.0.0.1");
  pg.listen = "10.0.0.5,127.0.0.1:5432";
  EXPECT_EQ(LocalHost(pg), "10.0.0.5");
  pg.listen = ":::5432";
  EXPECT_EQ(LocalHost(pg), "::1");
  pg.use_unix_socket = true;
  EXPECT_EQ(LocalHost(pg), "");
  pg.parameters = {{"unix_socket_directories", "/run/pg, /tmp"}};
  EXPECT_EQ(LocalHost(pg), "/run/pg");
}

TEST(CommitGate, WarnsWhenItTakesTheSenderAReplicaNeeds) {
  EXPECT_EQ(WalSenderShortage(10, 2), "");
  EXPECT_EQ(WalSenderShortage(3, 2), "");
  std::string w = WalSenderShortage(3, 3);
  EXPECT_NE(w.find("max_wal_senders = 3 leaves no WAL sender for 1 of the replicas"),
            std::string::npos)
      << w;
  EXPECT_NE(w.find("postgresql.commit_gate: false"), std::string::npos) << w;
}

}  // namespace
}  // namespace pgha::pg
