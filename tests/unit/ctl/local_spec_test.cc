#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "local/spec.h"

namespace pgha::ctl {
namespace {

using ::testing::HasSubstr;

TEST(LocalSpec, EmptyFileGivesDefaults) {
  auto spec = ParseClusterYaml("", "/base");
  ASSERT_TRUE(spec.ok()) << spec.message();
  EXPECT_EQ(spec->name, "pgha");
  EXPECT_EQ(spec->replicas, 3);
  EXPECT_EQ(spec->username, "app");
  EXPECT_EQ(spec->database, "app");
  EXPECT_TRUE(spec->password.empty());
  EXPECT_EQ(spec->etcd_replicas, 3);
  EXPECT_EQ(spec->ports.write, 5432);
  EXPECT_EQ(spec->ports.etcd_peer, 2380);
}

TEST(LocalSpec, ParsesSeedFormat) {
  const char* text = R"(
replicas: 3
resources:
  cpu: 1
  memory: 2Gi
postgres:
  username: username
  password: password
  database: test
internal_access:
  type: same-gvc
etcd:
  replicas: 3
  resources:
    cpu: 1
    memory: 2Gi
  internal_access:
    type: same-gvc
)";
  auto spec = ParseClusterYaml(text, "/base");
  ASSERT_TRUE(spec.ok()) << spec.message();
  EXPECT_EQ(spec->username, "username");
  EXPECT_EQ(spec->password, "password");
  EXPECT_EQ(spec->database, "test");
  EXPECT_EQ(spec->cpu, 1.0);
  EXPECT_EQ(spec->memory_bytes, int64_t{2} << 30);
  EXPECT_EQ(spec->ignored_keys, (std::vector<std::string>{"etcd.resources"}));
  EXPECT_EQ(spec->access.type, "same-gvc");
  EXPECT_EQ(spec->etcd_access.type, "same-gvc");
}

TEST(LocalSpec, PortsInitSqlAndName) {
  const char* text = R"(
name: demo
replicas: 2
ports: {write: 15432, read: 15433, stats: 17000, postgres: 15440, api: 18008,
        etcd_client: 12379, etcd_peer: 12380}
init_sql: [schema.sql, /abs/data.sql, ../up.sql]
)";
  auto spec = ParseClusterYaml(text, "/home/me/proj");
  ASSERT_TRUE(spec.ok()) << spec.message();
  EXPECT_EQ(spec->name, "demo");
  EXPECT_EQ(spec->ports.api, 18008);
  EXPECT_EQ(spec->init_sql, (std::vector<std::string>{"/home/me/proj/schema.sql", "/abs/data.sql",
                                                      "/home/me/up.sql"}));
}

TEST(LocalSpec, UnknownKeysAreNamed) {
  auto spec = ParseClusterYaml("replica: 3\npostgres: {user: x}\n", "/");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.message(), HasSubstr("unknown key replica"));
  auto nested = ParseClusterYaml("postgres: {user: x}\n", "/");
  ASSERT_FALSE(nested.ok());
  EXPECT_THAT(nested.message(), HasSubstr("postgres.user"));
}

TEST(LocalSpec, BadValuesNameKeyAndValue) {
  struct Case {
    const char* yaml;
    const char* expect;
  } cases[] = {
      {"replicas: 10", "replicas: bad value '10'"},
      {"replicas: three", "replicas: bad value 'three'"},
      {"etcd: {replicas: 2}", "etcd.replicas: bad value '2'"},
      {"resources: {memory: lots}", "resources.memory: bad value 'lots'"},
      {"resources: {memory: 1Mi}", "at least 64Mi"},
      {"resources: {cpu: -1}", "resources.cpu: bad value '-1'"},
      {"ports: {write: 70000}", "ports.write: bad value '70000'"},
      {"postgres: {username: replicator}", "reserved"},
      {"postgres: {database: 'a b'}", "postgres.database: bad value 'a b'"},
      {"name: 'a/b'", "name: bad value 'a/b'"},
      {"init_sql: x.sql", "init_sql"},
      {"replicas: [1", "invalid YAML"},
  };
  for (const auto& c : cases) {
    auto spec = ParseClusterYaml(c.yaml, "/");
    ASSERT_FALSE(spec.ok()) << c.yaml;
    EXPECT_THAT(spec.message(), HasSubstr(c.expect)) << c.yaml;
  }
}

TEST(LocalSpec, PortCollisionsAreErrors) {
  auto spec = ParseClusterYaml("ports: {api: 5440}", "/");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.message(), HasSubstr("port 5440"));
  auto etcd =
      ParseClusterYaml("etcd: {replicas: 5}\nports: {etcd_client: 2380, etcd_peer: 2379}", "/");
  EXPECT_TRUE(etcd.ok()) << etcd.message();
  auto overlap = ParseClusterYaml("ports: {etcd_client: 2379, etcd_peer: 2479}", "/");
  ASSERT_FALSE(overlap.ok());
  EXPECT_THAT(overlap.message(), HasSubstr("port 2479"));
}

TEST(LocalSpec, ParsesMemory) {
  EXPECT_EQ(*ParseMemory("2Gi"), int64_t{2} << 30);
  EXPECT_EQ(*ParseMemory("512Mi"), int64_t{512} << 20);
  EXPECT_EQ(*ParseMemory("1.5Gi"), int64_t{3} << 29);
  EXPECT_EQ(*ParseMemory("1G"), 1000000000);
  EXPECT_EQ(*ParseMemory("1048576"), 1048576);
  EXPECT_FALSE(ParseMemory("").ok());
  EXPECT_FALSE(ParseMemory("Gi").ok());
  EXPECT_FALSE(ParseMemory("2GB").ok());
  EXPECT_FALSE(ParseMemory("-1Gi").ok());
}

TEST(LocalSpec, ParsesCpu) {
  EXPECT_EQ(*ParseCpu("1"), 1.0);
  EXPECT_EQ(*ParseCpu("2.5"), 2.5);
  EXPECT_EQ(*ParseCpu("500m"), 0.5);
  EXPECT_FALSE(ParseCpu("0").ok());
  EXPECT_FALSE(ParseCpu("m").ok());
  EXPECT_FALSE(ParseCpu("two").ok());
}

TEST(LocalSpec, MemoryToParameters) {
  auto p = ParametersForResources(0, int64_t{2} << 30);
  EXPECT_EQ(
      p.local,
      (std::vector<std::pair<std::string, std::string>>{
          {"effective_cache_size", "1536MB"}, {"shared_buffers", "512MB"}, {"work_mem", "32MB"}}));
  EXPECT_TRUE(p.dcs.empty());
  auto small = ParametersForResources(0, int64_t{128} << 20);
  EXPECT_EQ(small.local[2], (std::pair<std::string, std::string>{"work_mem", "4MB"}));
  auto big = ParametersForResources(0, int64_t{64} << 30);
  EXPECT_EQ(big.local[2], (std::pair<std::string, std::string>{"work_mem", "64MB"}));
  auto odd = ParametersForResources(0, 1000000000);
  EXPECT_EQ(odd.local[1].second, "244140kB");
  EXPECT_TRUE(ParametersForResources(0, 0).local.empty());
}

TEST(LocalSpec, CpuToParameters) {
  auto one = ParametersForResources(1, 0);
  EXPECT_EQ(one.local,
            (std::vector<std::pair<std::string, std::string>>{
                {"max_parallel_workers", "1"}, {"max_parallel_workers_per_gather", "0"}}));
  EXPECT_EQ(one.dcs,
            (std::vector<std::pair<std::string, std::string>>{{"max_worker_processes", "8"}}));
  auto many = ParametersForResources(7.5, 0);
  EXPECT_EQ(many.local[0].second, "8");
  EXPECT_EQ(many.local[1].second, "4");
  EXPECT_EQ(many.dcs[0].second, "12");
}

}  // namespace
}  // namespace pgha::ctl
