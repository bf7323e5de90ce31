#include "pg/render.h"

#include <gtest/gtest.h>

#include "ha/local_state.h"
#include "pg/postgres.h"

namespace pgha::pg {
namespace {

TEST(Render, PostgresqlConfQuotesAndIncludesBase) {
  nlohmann::json p = {{"shared_buffers", "128MB"},
                      {"max_connections", 100},
                      {"hot_standby", true},
                      {"search_path", "it's"}};
  std::string conf = RenderPostgresqlConf(p, std::nullopt);
  EXPECT_NE(conf.find("include_if_exists 'postgresql.base.conf'\n"), std::string::npos);
  EXPECT_NE(conf.find("max_connections = '100'\n"), std::string::npos);
  EXPECT_NE(conf.find("hot_standby = 'on'\n"), std::string::npos);
  EXPECT_NE(conf.find("search_path = 'it''s'\n"), std::string::npos);
  EXPECT_EQ(conf.find("primary_conninfo"), std::string::npos);
}

TEST(Render, RecoverySettings) {
  RecoveryTarget t{"host=127.0.0.1 port=5440", "node2"};
  std::string conf = RenderPostgresqlConf(nlohmann::json::object(), t);
  EXPECT_NE(conf.find("primary_conninfo = 'host=127.0.0.1 port=5440'\n"), std::string::npos);
  EXPECT_NE(conf.find("primary_slot_name = 'node2'\n"), std::string::npos);
  EXPECT_NE(conf.find("recovery_target_timeline = 'latest'\n"), std::string::npos);
  std::string none = RenderPostgresqlConf(nlohmann::json::object(), RecoveryTarget{});
  EXPECT_EQ(none.find("primary_conninfo"), std::string::npos);
  EXPECT_NE(none.find("recovery_target_timeline"), std::string::npos);
}

TEST(Render, PrimaryConninfoQuotesPassword) {
  config::Credentials c{"replicator", "p'w d", {{"sslmode", "prefer"}}};
  std::string s = PrimaryConninfo("10.0.0.1", 5432, c, "node2");
  EXPECT_EQ(s,
            "host='10.0.0.1' port='5432' user='replicator' password='p\\'w d' "
            "application_name='node2' sslmode='prefer'");
}

// The agent's own connections: no host means libpq's default socket (use_unix_socket), and the
// role's TLS options follow whatever the caller adds.
TEST(Render, UserConninfoOmitsAnEmptyHostAndKeepsTheRolesOptionsLast) {
  config::Credentials su{"postgres", "pw", {{"sslcert", "/tls/c.crt"}}};
  EXPECT_EQ(UserConninfo("", 5432, su, {{"dbname", "postgres"}}),
            "port='5432' user='postgres' password='pw' dbname='postgres' sslcert='/tls/c.crt'");
  EXPECT_EQ(UserConninfo("/run/pg", 5433, su, {}),
            "host='/run/pg' port='5433' user='postgres' password='pw' sslcert='/tls/c.crt'");
}

TEST(Render, Hba) {
  EXPECT_EQ(RenderHba({"local all all trust"}).substr(RenderHba({}).size()),
            "local all all trust\n");
}

TEST(Render, ParseConnUrl) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseConnUrl("postgres://127.0.0.1:5441/postgres", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 5441);
  EXPECT_FALSE(ParseConnUrl("127.0.0.1:5441", &host, &port));
  EXPECT_FALSE(ParseConnUrl("postgres://host/db", &host, &port));
}

TEST(ControlData, Parses) {
  ha::LocalPg pg;
  ParseControlData(
      "pg_control version number:            1300\n"
      "Database system identifier:           7310918677133999698\n"
      "Database cluster state:               shut down in recovery\n"
      "Latest checkpoint location:           0/3000060\n"
      "Latest checkpoint's TimeLineID:       2\n",
      &pg);
  EXPECT_EQ(pg.sysid, "7310918677133999698");
  EXPECT_EQ(pg.control_state, "shut down in recovery");
  EXPECT_EQ(pg.control_checkpoint, 0x3000060u);
  EXPECT_EQ(pg.control_timeline, 2u);
}

TEST(ControlData, RecoveryFloorNamesTheSettings) {
  auto floor = ParseRecoveryFloor(
      "wal_level setting:                    replica\n"
      "max_connections setting:              101\n"
      "max_worker_processes setting:         8\n"
      "max_wal_senders setting:              10\n"
      "max_prepared_xacts setting:           0\n"
      "max_locks_per_xact setting:           64\n"
      "max_connections setting:              x\n");
  EXPECT_EQ(floor.at("max_connections"), 101);  // an unreadable repeat does not override it
  EXPECT_EQ(floor.at("max_prepared_transactions"), 0);
  EXPECT_EQ(floor.at("max_locks_per_transaction"), 64);
  EXPECT_EQ(floor.size(), 5u);
}

TEST(Render, CustomRecoverySettingsReplacePghasOwnTimeline) {
  RecoveryTarget t;
  t.archive_recovery = true;
  t.settings = {{"restore_command", "cp /a/%f %p"}, {"recovery_target_timeline", "current"}};
  std::string conf = RenderPostgresqlConf(nlohmann::json::object(), t);
  EXPECT_NE(conf.find("restore_command = 'cp /a/%f %p'\n"), std::string::npos);
  EXPECT_NE(conf.find("recovery_target_timeline = 'current'\n"), std::string::npos);
  EXPECT_EQ(conf.find("'latest'"), std::string::npos);
}

}  // namespace
}  // namespace pgha::pg
