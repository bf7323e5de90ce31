#include "ctl/list.h"

#include <gtest/gtest.h>

namespace pgha::ctl {
namespace {

ha::ClusterView View() {
  ha::ClusterView v;
  v.initialize = "7000";
  v.leader = "node1";
  ha::Member a{.name = "node1",
               .conn_url = "postgres://127.0.0.1:5440/postgres",
               .state = "running",
               .role = "primary"};
  a.xlog_location = 3 * 1024 * 1024;
  a.timeline = 1;
  ha::Member b{.name = "node2",
               .conn_url = "postgres://127.0.0.1:5441/postgres",
               .state = "running",
               .role = "replica"};
  b.receive_lsn = b.replay_lsn = b.xlog_location = 3 * 1024 * 1024;
  b.replication_state = "streaming";
  b.timeline = 1;
  ha::Member c{.name = "node3",
               .conn_url = "postgres://127.0.0.1:5442/postgres",
               .state = "running",
               .role = "replica"};
  c.receive_lsn = 2 * 1024 * 1024;
  c.replay_lsn = 1024 * 1024;
  v.members = {a, b, c};
  return v;
}

TEST(List, RowsComputeRolesStatesAndLag) {
  auto rows = ListRows(View());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].role, "Leader");
  EXPECT_EQ(rows[1].role, "Replica");
  EXPECT_EQ(rows[1].state, "streaming");
  EXPECT_EQ(rows[1].receive_lag, 0u);
  EXPECT_EQ(rows[2].state, "running");
  EXPECT_EQ(rows[2].receive_lag, 1024u * 1024);
  EXPECT_EQ(rows[2].replay_lag, 2u * 1024 * 1024);
  EXPECT_EQ(rows[0].host, "127.0.0.1:5440");
}

TEST(List, PrettyHasTitleAndEveryMember) {
  auto text = FormatList(View(), "demo", "pretty");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->rfind("+ Cluster: demo (7000) ", 0), 0u);
  for (const char* n : {"node1", "node2", "node3", "Leader", "streaming"}) {
    EXPECT_NE(text->find(n), std::string::npos) << n;
  }
}

TEST(List, JsonAndErrors) {
  auto text = FormatList(View(), "demo", "json");
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\"Member\":\"node2\""), std::string::npos);
  auto bad = FormatList(View(), "demo", "xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("xml"), std::string::npos);
}

}  // namespace
}  // namespace pgha::ctl
