// `pghactl gen`'s renderers: host lists, plan checks and the files each host gets.
#include "ctl/gen_render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gen_plan_fixture.h"

namespace pgha::ctl {
namespace {

using ::testing::HasSubstr;

GenPlan Plan() {
  ClusterSpec spec;
  spec.name = "orders";
  spec.password = "apppw";
  return testing::ThreeHostPlan(spec);
}

TEST(GenRender, ParsesHosts) {
  auto h = ParseGenHosts(" db1=10.0.0.1, db2=10.0.0.2 ");
  ASSERT_TRUE(h.ok()) << h.message();
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[1].name, "db2");
  EXPECT_EQ((*h)[1].address, "10.0.0.2");
}

TEST(GenRender, RefusesBadHostListsNamingTheValue) {
  EXPECT_THAT(ParseGenHosts("db1").message(), HasSubstr("expected NAME=ADDRESS, got 'db1'"));
  EXPECT_THAT(ParseGenHosts("db 1=10.0.0.1").message(), HasSubstr("'db 1' is not a valid"));
  EXPECT_THAT(ParseGenHosts("a=10.0.0.1,b=host.example").message(),
              HasSubstr("'host.example' (for b) is not an IPv4 address"));
  EXPECT_THAT(ParseGenHosts("a=10.0.0.1,a=10.0.0.2").message(), HasSubstr("'a' is named twice"));
  EXPECT_THAT(ParseGenHosts("a=10.0.0.1,b=10.0.0.1").message(),
              HasSubstr("10.0.0.1 is given twice"));
  EXPECT_FALSE(ParseGenHosts("").ok());
}

TEST(GenRender, PlanChecksNameTheMismatch) {
  GenPlan p = Plan();
  EXPECT_TRUE(CheckGenPlan(p).ok());
  p.cluster.spec.replicas = 2;
  EXPECT_THAT(CheckGenPlan(p).message(), HasSubstr("replicas is 2 but --hosts names 3"));
  p = Plan();
  p.cluster.spec.etcd_replicas = 5;
  EXPECT_THAT(CheckGenPlan(p).message(), HasSubstr("etcd.replicas is 5"));
  p = Plan();
  p.pg_major = 12;
  EXPECT_THAT(CheckGenPlan(p).message(), HasSubstr("--pg-major: 12"));
}

TEST(GenRender, AgentConfigUsesTheHostsAddresses) {
  auto cfg = GenAgentConfig(Plan(), 1);
  EXPECT_EQ(cfg["name"], "db2");
  EXPECT_EQ(cfg["restapi"]["connect_address"], "10.0.0.2:8008");
  EXPECT_EQ(cfg["postgresql"]["connect_address"], "10.0.0.2:5432");
  EXPECT_EQ(cfg["etcd3"]["hosts"],
            nlohmann::ordered_json({"10.0.0.1:2379", "10.0.0.2:2379", "10.0.0.3:2379"}));
  EXPECT_EQ(cfg["postgresql"]["authentication"]["superuser"]["password"], "supw");
  EXPECT_EQ(cfg["postgresql"]["use_unix_socket"], true);
  std::string hba = cfg["postgresql"]["pg_hba"].dump();
  EXPECT_THAT(hba, HasSubstr("host replication replicator 10.0.0.3/32 scram-sha-256"));
  EXPECT_THAT(hba, HasSubstr("host all all 10.9.0.0/16 scram-sha-256"));
}

TEST(GenRender, UnitIsNotifyReloadsWithHupAndLeavesPostgresToTheAgent) {
  std::string unit = GenAgentUnit(Plan());
  EXPECT_THAT(unit, HasSubstr("\nType=notify\n"));
  EXPECT_THAT(unit, HasSubstr("\nExecReload=/bin/kill -HUP $MAINPID\n"));
  EXPECT_THAT(unit, HasSubstr("\nKillMode=process\n"));
  EXPECT_THAT(unit, HasSubstr("\nUser=postgres\n"));
  EXPECT_THAT(unit, HasSubstr("\nExecStart=/usr/local/bin/pgha /etc/pgha/pgha.yml\n"));
}

TEST(GenRender, EtcdEnvListsEveryMember) {
  std::string env = GenEtcdEnv(Plan(), 2);
  EXPECT_THAT(env, HasSubstr("\nETCD_NAME=db3\n"));
  EXPECT_THAT(env, HasSubstr("\nETCD_INITIAL_CLUSTER=db1=http://10.0.0.1:2380,"
                             "db2=http://10.0.0.2:2380,db3=http://10.0.0.3:2380\n"));
  EXPECT_THAT(env, HasSubstr("\nETCD_ADVERTISE_CLIENT_URLS=http://10.0.0.3:2379\n"));
}

TEST(GenRender, InitSqlQuotesNamesAndPasswords) {
  GenPlan p = Plan();
  p.cluster.spec.username = "o'brien";
  p.cluster.spec.password = "it's";
  p.cluster.spec.database = "my \"db\"";
  std::string sql = GenInitSql(p);
  EXPECT_THAT(sql, HasSubstr("CREATE ROLE \"o'brien\" LOGIN PASSWORD 'it''s';"));
  EXPECT_THAT(sql, HasSubstr("CREATE DATABASE \"my \"\"db\"\"\" OWNER \"o'brien\";"));
}

}  // namespace
}  // namespace pgha::ctl
