#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "local/render.h"

namespace pgha::ctl {
namespace {

using ::testing::HasSubstr;

LocalCluster TestCluster() {
  ClusterSpec s;
  s.name = "demo";
  s.cpu = 2;
  s.memory_bytes = int64_t{2} << 30;
  LocalCluster c = ResolveCluster(s);
  c.superuser.password = "su: pw";  // needs quoting in YAML
  c.replication.password = "on";    // would read back as a bool unquoted
  c.rewind.password = "123";        // would read back as an int unquoted
  return c;
}

TEST(LocalRender, YamlQuotesWhatWouldChangeMeaning) {
  nlohmann::ordered_json j = {{"a", "on"},
                              {"b", "128MB"},
                              {"c", "127.0.0.1:5440"},
                              {"d", "UTF8"},
                              {"e", 10},
                              {"f", true},
                              {"g", "/x/y"},
                              {"h", "a b"},
                              {"i", nlohmann::ordered_json::object()},
                              {"k", "data-checksums"},
                              {"l", ""}};
  std::string y = ToYaml(j);
  EXPECT_EQ(y,
            "a: \"on\"\nb: \"128MB\"\nc: \"127.0.0.1:5440\"\nd: UTF8\ne: 10\nf: true\n"
            "g: /x/y\nh: \"a b\"\ni: {}\nk: data-checksums\nl: \"\"\n");
  YAML::Node back = YAML::Load(y);
  EXPECT_EQ(back["a"].Scalar(), "on");
  EXPECT_EQ(back["a"].Tag(), "!");  // quoted: a string, not a bool
}

TEST(LocalRender, YamlNestsListsOfMaps) {
  nlohmann::ordered_json j = {
      {"initdb", nlohmann::ordered_json::array({{{"encoding", "UTF8"}}, "data-checksums"})},
      {"m", {{"x", {{"z", 1}}}}}};
  EXPECT_EQ(ToYaml(j), "initdb:\n  - encoding: UTF8\n  - data-checksums\nm:\n  x:\n    z: 1\n");
}

TEST(LocalRender, AgentConfigIsPatroniFormat) {
  LocalCluster c = TestCluster();
  LocalLayout l{"/var/lib/pgha/local"};
  YAML::Node y = YAML::Load(RenderAgentYaml(c, l, 2));
  EXPECT_EQ(y["scope"].as<std::string>(), "demo");
  EXPECT_EQ(y["namespace"].as<std::string>(), "/service");
  EXPECT_EQ(y["name"].as<std::string>(), "node2");
  EXPECT_EQ(y["restapi"]["listen"].as<std::string>(), "127.0.0.1:8009");
  EXPECT_EQ(y["restapi"]["connect_address"].as<std::string>(), "127.0.0.1:8009");
  ASSERT_EQ(y["etcd3"]["hosts"].size(), 3u);
  EXPECT_EQ(y["etcd3"]["hosts"][2].as<std::string>(), "127.0.0.1:2579");
  YAML::Node dcs = y["bootstrap"]["dcs"];
  EXPECT_FALSE(dcs["ttl"]) << "pgha's own timing defaults must apply";
  EXPECT_FALSE(dcs["loop_wait"]);
  EXPECT_FALSE(dcs["retry_timeout"]);
  EXPECT_EQ(dcs["maximum_lag_on_failover"].as<int>(), 1048576);
  EXPECT_TRUE(dcs["postgresql"]["use_pg_rewind"].as<bool>());
  EXPECT_TRUE(dcs["postgresql"]["use_slots"].as<bool>());
  YAML::Node dp = dcs["postgresql"]["parameters"];
  EXPECT_EQ(dp["wal_level"].as<std::string>(), "replica");
  EXPECT_EQ(dp["hot_standby"].as<std::string>(), "on");
  EXPECT_EQ(dp["max_wal_senders"].as<int>(), 10);
  EXPECT_EQ(dp["wal_keep_size"].as<std::string>(), "128MB");
  EXPECT_EQ(dp["max_worker_processes"].as<std::string>(), "8");
  EXPECT_EQ(y["bootstrap"]["initdb"][0]["encoding"].as<std::string>(), "UTF8");
  EXPECT_EQ(y["bootstrap"]["initdb"][1].as<std::string>(), "data-checksums");
  YAML::Node pg = y["postgresql"];
  EXPECT_EQ(pg["listen"].as<std::string>(), "127.0.0.1:5441");
  EXPECT_EQ(pg["data_dir"].as<std::string>(), "/var/lib/pgha/local/node2/data");
  EXPECT_FALSE(pg["bin_dir"]);
  EXPECT_EQ(pg["authentication"]["superuser"]["username"].as<std::string>(), "postgres");
  EXPECT_EQ(pg["authentication"]["superuser"]["password"].as<std::string>(), "su: pw");
  EXPECT_EQ(pg["authentication"]["replication"]["password"].as<std::string>(), "on");
  EXPECT_EQ(pg["authentication"]["rewind"]["username"].as<std::string>(), "rewind_user");
  EXPECT_EQ(pg["authentication"]["rewind"]["password"].as<std::string>(), "123");
  EXPECT_EQ(pg["parameters"]["shared_buffers"].as<std::string>(), "512MB");
  EXPECT_EQ(pg["parameters"]["unix_socket_directories"].as<std::string>(),
            "/var/lib/pgha/local/node2");
  ASSERT_EQ(pg["pg_hba"].size(), 4u);
  EXPECT_EQ(pg["pg_hba"][2].as<std::string>(),
            "host replication replicator 127.0.0.1/32 scram-sha-256");
  EXPECT_TRUE(y["tags"].IsMap());
  EXPECT_EQ(y["tags"].size(), 0u);
}

TEST(LocalRender, HaproxyConfig) {
  LocalCluster c = TestCluster();
  std::string cfg = RenderHaproxyCfg(c);
  EXPECT_THAT(cfg, HasSubstr("listen stats\n    mode http\n    bind 127.0.0.1:7000\n"));
  EXPECT_THAT(cfg, HasSubstr("listen primary\n    bind 127.0.0.1:5432\n"
                             "    option httpchk OPTIONS /primary\n"
                             "    http-check expect status 200\n"));
  EXPECT_THAT(cfg, HasSubstr("listen replicas\n    bind 127.0.0.1:5433\n"
                             "    balance roundrobin\n    option httpchk OPTIONS /replica\n"));
  // A down server (the next primary) is checked every 200 ms, so switchover and failover reach
  // clients quickly; refused connections are redispatched.
  EXPECT_THAT(cfg, HasSubstr("default-server inter 500ms fastinter 100ms downinter 100ms fall 2 "
                             "rise 1 on-marked-down shutdown-sessions"));
  EXPECT_THAT(cfg, HasSubstr("option redispatch"));
  EXPECT_THAT(cfg, HasSubstr("    server node3 127.0.0.1:5442 maxconn 100 check port 8010\n"));
  EXPECT_THAT(cfg, HasSubstr("timeout connect 200ms"));
  EXPECT_THAT(cfg, HasSubstr("timeout client 30m"));
  EXPECT_THAT(cfg, HasSubstr("timeout server 30m"));
  EXPECT_THAT(cfg, HasSubstr("timeout check 2s"));
}

TEST(LocalRender, EtcdArgs) {
  LocalCluster c = TestCluster();
  auto args = EtcdArgs(c, LocalLayout{"/d"}, 2);
  auto value = [&](const std::string& flag) {
    for (size_t k = 0; k + 1 < args.size(); ++k) {
      if (args[k] == flag) return args[k + 1];
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(value("--name"), "m2");
  EXPECT_EQ(value("--data-dir"), "/d/etcd/m2/data");
  EXPECT_EQ(value("--listen-client-urls"), "http://127.0.0.1:2479");
  EXPECT_EQ(value("--listen-peer-urls"), "http://127.0.0.1:2480");
  EXPECT_EQ(value("--initial-cluster"),
            "m1=http://127.0.0.1:2380,m2=http://127.0.0.1:2480,m3=http://127.0.0.1:2580");
  EXPECT_EQ(value("--initial-cluster-token"), "pgha-demo");
  EXPECT_EQ(value("--log-outputs"), "/d/etcd/m2/etcd.log");
  EXPECT_NE(std::find(args.begin(), args.end(), "--pre-vote=true"), args.end());
}

}  // namespace
}  // namespace pgha::ctl
