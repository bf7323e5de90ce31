#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "helpers.h"
#include "sample.h"

namespace pgha::config {
namespace {

using testing::ErrorOf;
using ::testing::HasSubstr;
using testing::HasWarning;
using testing::kPostgres0Yml;
using testing::Minimal;
using ::testing::StartsWith;

Config MustParse(const std::string& yaml, const Env& env) {
  auto config = ParseConfig(yaml, env);
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.message());
  return config.ok() ? *config : Config{};
}

const Env kEnvOnly = {
    {"PATRONI_SCOPE", "env-cluster"},
    {"PATRONI_NAME", "env-node"},
    {"PATRONI_RESTAPI_LISTEN", "0.0.0.0:8009"},
    {"PATRONI_RESTAPI_CONNECT_ADDRESS", "10.0.0.2:8009"},
    {"PATRONI_ETCD3_HOSTS", "['10.0.0.1:2379', '10.0.0.2:2379']"},
    {"PATRONI_POSTGRESQL_LISTEN", "*:5433"},
    {"PATRONI_POSTGRESQL_DATA_DIR", "/srv/pg"},
};

TEST(Environment, ConfigurationEntirelyFromEnvironment) {
  Config c = MustParse("", kEnvOnly);
  EXPECT_EQ(c.scope, "env-cluster");
  EXPECT_EQ(c.name, "env-node");
  EXPECT_EQ(c.restapi.listen, "0.0.0.0:8009");
  EXPECT_EQ(c.restapi.connect_address, "10.0.0.2:8009");
  EXPECT_EQ(c.etcd.hosts, (std::vector<std::string>{"10.0.0.1:2379", "10.0.0.2:2379"}));
  EXPECT_EQ(c.postgresql.Port(), 5433);
  EXPECT_EQ(c.postgresql.connect_address, "127.0.0.1:5433");
  EXPECT_EQ(c.postgresql.data_dir, "/srv/pg");
}

TEST(Environment, MissingRequiredKeyNamesTheVariable) {
  Env env = kEnvOnly;
  env.erase("PATRONI_POSTGRESQL_DATA_DIR");
  EXPECT_EQ(ErrorOf("", env),
            "postgresql.data_dir: required (set it in the file or with "
            "PATRONI_POSTGRESQL_DATA_DIR)");
}

TEST(Environment, OverridesTheFile) {
  Env env = {{"PATRONI_NAME", "other"},
             {"PATRONI_NAMESPACE", "/pgha/"},
             {"PATRONI_LOG_LEVEL", "DEBUG"},
             {"PATRONI_RESTAPI_PASSWORD", "secret"},
             {"PATRONI_RESTAPI_ALLOWLIST", "10.0.0.0/8, 127.0.0.1"},
             {"PATRONI_RESTAPI_ALLOWLIST_INCLUDE_MEMBERS", "true"},
             {"PATRONI_CTL_INSECURE", "on"},
             {"PATRONI_POSTGRESQL_PGPASS", "/run/pgpass"},
             {"PATRONI_POSTGRESQL_BIN_PG_CTL", "/opt/pg/bin/pg_ctl"},
             {"PATRONI_POSTGRESQL_BIN_DIR", "/opt/pg/bin"},
             {"PATRONI_SUPERUSER_PASSWORD", "su-pw"},
             {"PATRONI_REPLICATION_SSLMODE", "require"},
             {"PATRONI_REWIND_USERNAME", "rw"}};
  Config c = MustParse(kPostgres0Yml, env);
  EXPECT_EQ(c.name, "other");
  EXPECT_EQ(c.namespace_, "/pgha");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.restapi.authentication->username, "username");  // from the file
  EXPECT_EQ(c.restapi.authentication->password, "secret");
  EXPECT_EQ(c.restapi.allowlist, (std::vector<std::string>{"10.0.0.0/8", "127.0.0.1"}));
  EXPECT_TRUE(c.restapi.allowlist_include_members);
  EXPECT_TRUE(c.ctl.insecure);
  EXPECT_EQ(c.postgresql.pgpass, "/run/pgpass");
  EXPECT_EQ(c.postgresql.bin_name.at("pg_ctl"), "/opt/pg/bin/pg_ctl");
  EXPECT_EQ(c.postgresql.bin_name.count("dir"), 0u);
  EXPECT_EQ(c.postgresql.bin_dir, "/opt/pg/bin");
  EXPECT_EQ(c.postgresql.superuser.password, "su-pw");
  EXPECT_EQ(c.postgresql.replication.options.at("sslmode"), "require");
  EXPECT_EQ(c.postgresql.rewind.username, "rw");
  EXPECT_EQ(c.postgresql.rewind.password, "rewind_password");
}

TEST(Environment, PghaPrefixWinsOverPatroni) {
  Env env = kEnvOnly;
  env["PGHA_NAME"] = "pgha-node";
  env["PGHA_POSTGRESQL_LISTEN"] = "127.0.0.1:6000";
  env["PGHA_POSTGRESQL_COMMIT_GATE"] = "false";  // pgha's own key (docs/safety.md section 10)
  Config c = MustParse("", env);
  EXPECT_EQ(c.name, "pgha-node");
  EXPECT_EQ(c.postgresql.Port(), 6000);
  EXPECT_FALSE(c.postgresql.commit_gate);
  Env only_pgha = {{"PGHA_SCOPE", "s"}};
  EXPECT_EQ(MustParse(Minimal(), only_pgha).scope, "s");
}

TEST(Environment, InvalidValueNamesTheVariable) {
  Env env = kEnvOnly;
  env["PATRONI_POSTGRESQL_LISTEN"] = "5432";
  EXPECT_EQ(ErrorOf("", env), "PATRONI_POSTGRESQL_LISTEN: expected host:port, got \"5432\"");
  env = kEnvOnly;
  env["PGHA_POSTGRESQL_DATA_DIR"] = "relative";
  EXPECT_EQ(ErrorOf("", env),
            "PGHA_POSTGRESQL_DATA_DIR: must be an absolute path, got \"relative\"");
  env = kEnvOnly;
  env["PATRONI_RESTAPI_VERIFY_CLIENT"] = "maybe";
  EXPECT_THAT(ErrorOf("", env), StartsWith("PATRONI_RESTAPI_VERIFY_CLIENT: expected one of"));
  env = kEnvOnly;
  env["PATRONI_CTL_INSECURE"] = "perhaps";
  EXPECT_EQ(ErrorOf("", env), "PATRONI_CTL_INSECURE: expected a boolean, got \"perhaps\"");
  env = kEnvOnly;
  env["PATRONI_ETCD3_HOSTS"] = "[unclosed";
  EXPECT_THAT(ErrorOf("", env), StartsWith("PATRONI_ETCD3_HOSTS: expected a list"));
}

TEST(Environment, EtcdV2VariablesAreTheEtcdAlias) {
  Env env = kEnvOnly;
  env.erase("PATRONI_ETCD3_HOSTS");
  env["PATRONI_ETCD_URL"] = "https://etcd:2379";
  Config c = MustParse("", env);
  EXPECT_EQ(c.etcd.Endpoints(), std::vector<std::string>{"https://etcd:2379"});
  EXPECT_TRUE(HasWarning(c, "etcd v3"));
  env["PATRONI_ETCD3_HOST"] = "h";
  EXPECT_THAT(ErrorOf("", env), StartsWith("etcd, etcd3: give only one"));
}

TEST(Environment, PatroniConfigurationReplacesTheText) {
  Env env = {{"PATRONI_CONFIGURATION", Minimal()}, {"PATRONI_NAME", "from-var"}};
  Config c = MustParse("scope: ignored\n", env);
  EXPECT_EQ(c.scope, "batman");
  EXPECT_EQ(c.name, "from-var");  // single variables still apply on top
  EXPECT_TRUE(HasWarning(c, "PATRONI_CONFIGURATION is set: it replaces the configuration file"));
  EXPECT_TRUE(MustParse("", env).warnings.empty());
  env["PGHA_CONFIGURATION"] = "scope: [";
  EXPECT_THAT(ErrorOf("", env), StartsWith("PGHA_CONFIGURATION: YAML syntax error at line 1"));
}

TEST(Environment, ProcessEnvironmentReadsEnviron) {
  ::setenv("PGHA_CONFIG_TEST_VAR", "a=b", 1);
  Env env = ProcessEnvironment();
  EXPECT_EQ(env["PGHA_CONFIG_TEST_VAR"], "a=b");
  ::unsetenv("PGHA_CONFIG_TEST_VAR");
}

}  // namespace
}  // namespace pgha::config
