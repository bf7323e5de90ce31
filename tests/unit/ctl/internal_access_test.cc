// Seed 000's internal_access: parsing (every mistake named) and what `pghactl gen` makes of it.
#include "local/internal_access.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ctl/gen_render.h"
#include "gen_plan_fixture.h"
#include "local/spec.h"

namespace pgha::ctl {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(InternalAccess, ParsesEachType) {
  auto gvc = ParseClusterYaml("internal_access: {type: same-gvc}\n", "/");
  ASSERT_TRUE(gvc.ok()) << gvc.message();
  EXPECT_EQ(gvc->access.type, "same-gvc");
  EXPECT_EQ(HbaSources(gvc->access), std::vector<std::string>{"samenet"});
  auto org = ParseClusterYaml(
      "internal_access: {type: same-org, networks: [10.0.0.0/8, 192.168.1.0/24]}\n", "/");
  ASSERT_TRUE(org.ok()) << org.message();
  EXPECT_EQ(HbaSources(org->access), (std::vector<std::string>{"10.0.0.0/8", "192.168.1.0/24"}));
  auto list = ParseClusterYaml(
      "internal_access:\n  type: workload-list\n  workloads: [10.1.2.3, app.internal, "
      "10.2.0.0/16]\netcd:\n  internal_access: {type: same-gvc}\n",
      "/");
  ASSERT_TRUE(list.ok()) << list.message();
  EXPECT_EQ(HbaSources(list->access),
            (std::vector<std::string>{"10.1.2.3/32", "app.internal", "10.2.0.0/16"}));
  EXPECT_EQ(list->etcd_access.type, "same-gvc");
  EXPECT_TRUE(list->ignored_keys.empty());  // applied or checked, never just dropped
}

TEST(InternalAccess, MistakesAreNamed) {
  struct Case {
    const char* yaml;
    const char* expect;
  } cases[] = {
      {"internal_access: {type: same-planet}", "internal_access.type: bad value 'same-planet'"},
      {"internal_access: {workloads: [a]}", "internal_access.type is required"},
      {"internal_access: same-gvc", "internal_access: expected a mapping"},
      {"internal_access: {type: same-gvc, hosts: [a]}", "unknown key internal_access.hosts"},
      {"internal_access: {type: workload-list}", "workload-list needs at least one workload"},
      {"internal_access: {type: workload-list, workloads: ['//gvc/g/workload/w']}",
       "bad value '//gvc/g/workload/w': a platform workload link"},
      {"internal_access: {type: workload-list, workloads: ['bad host!']}", "bad value 'bad host!'"},
      {"internal_access: {type: same-org}", "same-org needs the organisation's networks"},
      {"internal_access: {type: same-org, networks: [10.0.0.0/33]}",
       "internal_access.networks: bad value '10.0.0.0/33'"},
      {"internal_access: {type: same-gvc, networks: [10.0.0.0/8]}", "only for type same-org"},
      {"etcd: {internal_access: {type: nope}}", "etcd.internal_access.type: bad value 'nope'"},
  };
  for (const auto& c : cases) {
    auto spec = ParseClusterYaml(c.yaml, "/");
    ASSERT_FALSE(spec.ok()) << c.yaml;
    EXPECT_THAT(spec.message(), HasSubstr(c.expect)) << c.yaml;
  }
}

GenPlan Plan(const std::string& values) {
  auto spec = ParseClusterYaml(values, "/");
  EXPECT_TRUE(spec.ok()) << spec.message();
  return testing::ThreeHostPlan(spec.ok() ? *spec : ClusterSpec{});
}

TEST(InternalAccess, GenAdmitsWhatItNames) {
  auto cfg = GenAgentConfig(Plan("internal_access: {type: workload-list, workloads: [app1.lan, "
                                 "10.5.0.7]}\n"),
                            0);
  const auto& hba = cfg["postgresql"]["pg_hba"];
  EXPECT_THAT(hba, Contains("host all all app1.lan scram-sha-256"));
  EXPECT_THAT(hba, Contains("host all all 10.5.0.7/32 scram-sha-256"));
  EXPECT_THAT(hba, Not(Contains("host all all samenet scram-sha-256")));
  const auto& allow = cfg["restapi"]["allowlist"];
  EXPECT_THAT(allow, Contains("10.0.0.2"));
  EXPECT_THAT(allow, Contains("10.9.0.0/16"));
  EXPECT_THAT(allow, Contains("app1.lan"));
  EXPECT_THAT(allow, Contains("127.0.0.1"));

  EXPECT_EQ(cfg["postgresql"]["listen"], "10.0.0.1,127.0.0.1:5432");  // not every interface

  auto gvc = GenAgentConfig(Plan("internal_access: {type: same-gvc}\n"), 0);
  EXPECT_THAT(gvc["postgresql"]["pg_hba"], Contains("host all all samenet scram-sha-256"));
  EXPECT_THAT(gvc["bootstrap"]["pg_hba"], Contains("host all all samenet scram-sha-256"));

  auto none = GenAgentConfig(Plan("replicas: 3\n"), 0);
  EXPECT_FALSE(none["restapi"].contains("allowlist"));  // as before: no internal_access given
  EXPECT_EQ(none["postgresql"]["listen"], "0.0.0.0:5432");
}

// Behind HAProxy, pg_hba sees HAProxy's address: the write and read ports filter too.
TEST(InternalAccess, GenHaproxyAdmitsWhatItNames) {
  std::string list = GenHaproxyCfg(
      Plan("internal_access: {type: workload-list, workloads: [app1.lan, 10.5.0.7]}\n"));
  const std::string filter =
      "tcp-request connection reject unless { src 127.0.0.1 10.0.0.1 10.0.0.2 10.0.0.3 "
      "10.9.0.0/16 10.5.0.7 }";
  EXPECT_THAT(list, HasSubstr("listen primary\n    bind 0.0.0.0:5432\n    " + filter));
  EXPECT_THAT(list, HasSubstr("listen replicas\n    bind 0.0.0.0:5433\n    " + filter));
  EXPECT_THAT(list, Not(HasSubstr("app1.lan")));  // a host name is pg_hba's to check
  // same-gvc: the hosts' networks are unknown here; no internal_access: nothing to filter.
  EXPECT_THAT(GenHaproxyCfg(Plan("internal_access: {type: same-gvc}\n")),
              Not(HasSubstr("tcp-request")));
  EXPECT_THAT(GenHaproxyCfg(Plan("replicas: 3\n")), Not(HasSubstr("tcp-request")));
}

}  // namespace
}  // namespace pgha::ctl
