// `pghactl gen --compose`: a seed-000 values file as a docker-compose project.
#include "ctl/gen_compose.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "gen_plan_fixture.h"
#include "local/spec.h"

namespace pgha::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSubnet = "172.28.90.0/24";

GenPlan ComposePlan(const std::string& values) {
  auto spec = ParseClusterYaml(values, "/");
  EXPECT_TRUE(spec.ok()) << spec.message();
  GenPlan plan = testing::ThreeHostPlan(*spec);
  plan.clients.clear();
  EXPECT_TRUE(PlanComposeHosts(kSubnet, &plan).ok());
  EXPECT_TRUE(CheckGenPlan(plan).ok());
  return plan;
}

TEST(GenCompose, ValuesBecomeServicesLimitsAndSettings) {
  GenPlan plan = ComposePlan(
      "name: shop\nreplicas: 2\nresources: {cpu: 500m, memory: 256Mi}\n"
      "etcd: {replicas: 3, resources: {cpu: 250m, memory: 128Mi}}\n");
  YAML::Node doc = YAML::Load(GenComposeYaml(plan, kSubnet));
  YAML::Node s = doc["services"];
  for (const char* name : {"etcd1", "etcd2", "etcd3", "node1", "node2", "haproxy", "init"}) {
    EXPECT_TRUE(s[name].IsMap()) << name;
  }
  EXPECT_FALSE(s["node3"].IsDefined());
  EXPECT_EQ(s["node2"]["networks"]["pgha"]["ipv4_address"].as<std::string>(), "172.28.90.12");
  EXPECT_EQ(s["etcd3"]["networks"]["pgha"]["ipv4_address"].as<std::string>(), "172.28.90.23");
  EXPECT_EQ(s["node1"]["mem_limit"].as<int64_t>(), int64_t{256} << 20);
  EXPECT_DOUBLE_EQ(s["node1"]["cpus"].as<double>(), 0.5);
  EXPECT_EQ(s["etcd1"]["mem_limit"].as<int64_t>(), int64_t{128} << 20);
  EXPECT_DOUBLE_EQ(s["etcd1"]["cpus"].as<double>(), 0.25);
  YAML::Node env = s["node1"]["environment"];
  EXPECT_EQ(env["SCOPE"].as<std::string>(), "shop");
  EXPECT_EQ(env["ETCD3_HOSTS"].as<std::string>(),
            "172.28.90.21:2379,172.28.90.22:2379,172.28.90.23:2379");
  EXPECT_THAT(env["PGHA_PARAMETERS"].as<std::string>(), HasSubstr("shared_buffers=64MB"));
  EXPECT_EQ(env["PGHA_DCS_PARAMETERS"].as<std::string>(), "max_worker_processes=8");
  // Passwords stay in .env; the compose file only refers to them.
  EXPECT_EQ(env["PGPASSWORD_SUPERUSER"].as<std::string>(), "${PGHA_SUPERUSER_PASSWORD}");
  EXPECT_THAT(GenComposeYaml(plan, kSubnet), Not(HasSubstr("supw")));
  EXPECT_THAT(GenComposeEnv(plan), HasSubstr("PGHA_SUPERUSER_PASSWORD=supw\n"));
  EXPECT_THAT(GenComposeEnv(plan), HasSubstr("PGHA_REPLICATION_PASSWORD=replpw\n"));
  EXPECT_EQ(doc["networks"]["pgha"]["ipam"]["config"][0]["subnet"].as<std::string>(), kSubnet);
  // etcd member 2's own configuration names its container's address.
  EXPECT_THAT(GenEtcdEnv(plan, 1),
              HasSubstr("ETCD_ADVERTISE_CLIENT_URLS=http://172.28.90.22:2379"));
  EXPECT_THAT(GenEtcdEnv(plan, 1), HasSubstr("etcd1=http://172.28.90.21:2380,etcd2="));
}

TEST(GenCompose, WithoutResourcesThereAreNoLimits) {
  GenPlan plan = ComposePlan("replicas: 3\n");
  YAML::Node s = YAML::Load(GenComposeYaml(plan, kSubnet))["services"];
  EXPECT_FALSE(s["node1"]["mem_limit"].IsDefined());
  EXPECT_FALSE(s["etcd1"]["cpus"].IsDefined());
  EXPECT_FALSE(s["node1"]["environment"]["PGHA_PARAMETERS"].IsDefined());
  // No internal_access: the project's network (HAProxy's address among it) reaches PostgreSQL,
  // and HAProxy admits anyone.
  EXPECT_EQ(s["node1"]["environment"]["PGHA_HBA_SOURCES"].as<std::string>(), "samenet");
  EXPECT_FALSE(s["node1"]["environment"]["PATRONI_RESTAPI_ALLOWLIST"].IsDefined());
  EXPECT_THAT(GenComposeHaproxyCfg(plan, kSubnet), Not(HasSubstr("tcp-request")));
}

TEST(GenCompose, InternalAccessFiltersHaproxyPgHbaAndTheRestApi) {
  GenPlan gvc = ComposePlan("internal_access: {type: same-gvc}\n");
  EXPECT_THAT(GenComposeHaproxyCfg(gvc, kSubnet),
              HasSubstr("tcp-request connection reject unless { src 127.0.0.1 172.28.90.0/24 }"));
  YAML::Node env = YAML::Load(GenComposeYaml(gvc, kSubnet))["services"]["node1"]["environment"];
  EXPECT_EQ(env["PATRONI_RESTAPI_ALLOWLIST"].as<std::string>(), "127.0.0.1,172.28.90.0/24");

  GenPlan org = ComposePlan("internal_access: {type: same-org, networks: [10.0.0.0/8]}\n");
  EXPECT_THAT(GenComposeHaproxyCfg(org, kSubnet),
              HasSubstr("{ src 127.0.0.1 172.28.90.0/24 10.0.0.0/8 }"));
  env = YAML::Load(GenComposeYaml(org, kSubnet))["services"]["node1"]["environment"];
  EXPECT_EQ(env["PGHA_HBA_SOURCES"].as<std::string>(), "samenet 10.0.0.0/8");

  // workload-list: only the init service and the workloads get through HAProxy (host names are
  // left to pg_hba: HAProxy's src filter takes addresses).
  GenPlan list =
      ComposePlan("internal_access: {type: workload-list, workloads: [10.1.2.3, app.example]}\n");
  std::string cfg = GenComposeHaproxyCfg(list, kSubnet);
  EXPECT_THAT(cfg, HasSubstr("{ src 127.0.0.1 172.28.90.6 10.1.2.3 }"));
  EXPECT_THAT(cfg, Not(HasSubstr("172.28.90.0/24")));
}

TEST(GenCompose, BadSubnetsAreNamed) {
  struct Case {
    const char* subnet;
    const char* message;
  };
  for (const Case& c : {Case{"172.28.90.0", "'172.28.90.0' is not an IPv4 CIDR"},
                        Case{"10.0.0.0/28", "'10.0.0.0/28' is too small"},
                        Case{"10.0.0.7/24", "has host bits set (the network is 10.0.0.0/24)"},
                        Case{"fd00::/64", "'fd00::/64' is not an IPv4 CIDR"}}) {
    GenPlan plan = testing::ThreeHostPlan(ClusterSpec{});
    Status st = PlanComposeHosts(c.subnet, &plan);
    ASSERT_FALSE(st.ok()) << c.subnet;
    EXPECT_THAT(st.message(), HasSubstr(c.message)) << c.subnet;
  }
}

TEST(GenCompose, EtcdResourcesAreCheckedLikeTheNodes) {
  auto bad = ParseClusterYaml("etcd: {resources: {memory: 1Mi}}\n", "/");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("etcd.resources.memory: bad value '1Mi'"));
  auto unknown = ParseClusterYaml("etcd: {resources: {disk: 1Gi}}\n", "/");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.message(), HasSubstr("etcd.resources.disk"));
}

}  // namespace
}  // namespace pgha::ctl
