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
using testing::MinimalWith;
using ::testing::StartsWith;

Config MustParse(const std::string& yaml, const Env& env = {}) {
  auto config = ParseConfig(yaml, env);
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.message());
  return config.ok() ? *config : Config{};
}

TEST(ParseConfig, Postgres0YmlIdentityAndApi) {
  Config c = MustParse(kPostgres0Yml);
  EXPECT_EQ(c.scope, "batman");
  EXPECT_EQ(c.namespace_, "/service");
  EXPECT_EQ(c.name, "postgresql0");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.log_dir, "/var/log/pgha");
  EXPECT_EQ(c.restapi.listen, "127.0.0.1:8008");
  EXPECT_EQ(c.restapi.connect_address, "127.0.0.1:8008");
  ASSERT_TRUE(c.restapi.authentication.has_value());
  EXPECT_EQ(c.restapi.authentication->username, "username");
  EXPECT_EQ(c.restapi.authentication->password, "password");
  EXPECT_EQ(c.restapi.verify_client, "none");
  EXPECT_FALSE(c.ctl.insecure);
  EXPECT_EQ(c.etcd.Endpoints(),
            (std::vector<std::string>{"http://127.0.0.1:2379", "http://127.0.0.2:2379"}));
  EXPECT_EQ(c.watchdog.mode, "automatic");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

TEST(ParseConfig, Postgres0YmlPostgresql) {
  Config c = MustParse(kPostgres0Yml);
  const Postgresql& pg = c.postgresql;
  EXPECT_EQ(pg.listen, "127.0.0.1:5432");
  EXPECT_EQ(pg.Port(), 5432);
  EXPECT_EQ(pg.data_dir, "/var/lib/pgha/data/postgresql0");  // trailing slash dropped
  EXPECT_EQ(pg.pgpass, "/tmp/pgpass0");
  EXPECT_EQ(pg.superuser.username, "postgres");
  EXPECT_EQ(pg.superuser.password, "zalando");
  EXPECT_EQ(pg.replication.username, "replicator");
  EXPECT_EQ(pg.rewind.username, "rewind_user");
  EXPECT_EQ(pg.rewind.options.at("sslmode"), "prefer");
  EXPECT_EQ(pg.parameters["shared_buffers"], "128MB");
  EXPECT_EQ(pg.parameters["work_mem"], 4096);
  EXPECT_DOUBLE_EQ(pg.parameters["random_page_cost"].get<double>(), 1.1);
  EXPECT_EQ(pg.parameters["port_text"], "5432");  // quoted: stays a string
  EXPECT_EQ(pg.parameters["unix_socket_directories"], "..");
}

TEST(ParseConfig, Postgres0YmlBootstrapAndTags) {
  Config c = MustParse(kPostgres0Yml);
  EXPECT_EQ(c.bootstrap.initdb, (std::vector<std::string>{"--encoding=UTF8", "--data-checksums"}));
  EXPECT_EQ(c.bootstrap.pg_hba.size(), 2u);
  EXPECT_EQ(c.bootstrap.dcs["ttl"], 30);
  EXPECT_EQ(c.bootstrap.dcs["postgresql"]["parameters"]["wal_log_hints"], true);  // YAML `on`
  EXPECT_EQ(c.bootstrap.dcs["postgresql"]["parameters"]["hot_standby"], "on");    // quoted
  EXPECT_EQ(c.local_dynamic["loop_wait"], 10);
  EXPECT_EQ(c.tags.failover_priority, 2);
  EXPECT_FALSE(c.tags.nofailover);
  EXPECT_EQ(c.tags.raw.at("zone"), "\"eu-1\"");
  EXPECT_EQ(c.tags.raw.at("nofailover"), "false");
  EXPECT_EQ(c.tags.raw.at("failover_priority"), "2");
}

TEST(ParseConfig, MinimalFileDefaults) {
  Config c = MustParse(Minimal());
  EXPECT_EQ(c.namespace_, "/service");
  EXPECT_EQ(c.restapi.connect_address, "127.0.0.1:8008");
  EXPECT_EQ(c.postgresql.connect_address, "127.0.0.1:5432");
  EXPECT_EQ(c.postgresql.superuser.username, "postgres");
  EXPECT_EQ(c.postgresql.replication.username, "replicator");
  EXPECT_EQ(c.postgresql.rewind.username, "postgres");
  EXPECT_EQ(c.postgresql.pg_ctl_timeout, 60);
  EXPECT_TRUE(c.postgresql.use_pg_rewind);
  EXPECT_EQ(c.watchdog.mode, "off");
  EXPECT_EQ(c.etcd.Endpoints(), std::vector<std::string>{"http://127.0.0.1:2379"});
  EXPECT_TRUE(c.local_dynamic.empty());
  EXPECT_TRUE(c.warnings.empty());
}

// Patroni's acceptance configuration: local connections over the unix socket, with the
// superuser's client certificate (pg_hba "hostssl ... clientcert=verify-ca").
TEST(ParseConfig, UseUnixSocketAndSuperuserTlsOptions) {
  EXPECT_FALSE(MustParse(Minimal()).postgresql.use_unix_socket);
  Config c = MustParse(Minimal(
      "  use_unix_socket: true\n"
      "  authentication:\n    superuser:\n      username: postgres\n      password: pw\n"
      "      sslmode: verify-ca\n      sslcert: /tls/client.crt\n      sslkey: /tls/client.key\n"));
  EXPECT_TRUE(c.postgresql.use_unix_socket);
  EXPECT_EQ(c.postgresql.superuser.options.at("sslcert"), "/tls/client.crt");
  EXPECT_EQ(c.postgresql.superuser.options.at("sslmode"), "verify-ca");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

// pgha's own key: the commit gate is on unless turned off, and a value that is not a boolean is
// refused by name.
TEST(ParseConfig, CommitGateIsOnByDefaultAndMustBeABoolean) {
  EXPECT_TRUE(MustParse(Minimal()).postgresql.commit_gate);
  Config off = MustParse(Minimal("  commit_gate: false\n"));
  EXPECT_FALSE(off.postgresql.commit_gate);
  EXPECT_TRUE(off.warnings.empty()) << off.warnings.front();
  auto bad = ParseConfig(Minimal("  commit_gate: sometimes\n"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("postgresql.commit_gate"), std::string::npos) << bad.message();
}

TEST(ParseConfig, RewindDefaultsToSuperuser) {
  Config c = MustParse(
      Minimal("  authentication:\n    superuser:\n      username: admin\n      password: pw\n"
              "      sslmode: verify-full\n"));
  EXPECT_EQ(c.postgresql.rewind.username, "admin");
  EXPECT_EQ(c.postgresql.rewind.password, "pw");
  EXPECT_EQ(c.postgresql.rewind.options.at("sslmode"), "verify-full");
}

TEST(ParseConfig, NamespaceIsNormalized) {
  EXPECT_EQ(MustParse(Minimal("namespace: service\n")).namespace_, "/service");
  EXPECT_EQ(MustParse(Minimal("namespace: /a//b/\n")).namespace_, "/a/b");
  EXPECT_EQ(MustParse(Minimal("namespace: /\n")).namespace_, "");
}

TEST(ParseConfig, ListenWithHostListAndWildcard) {
  Config c = MustParse(MinimalWith("  listen: 127.0.0.1:5432", "  listen: 0.0.0.0,:::5433"));
  EXPECT_EQ(c.postgresql.Port(), 5433);
  EXPECT_EQ(c.postgresql.connect_address, "127.0.0.1:5433");
  c = MustParse(MinimalWith("  listen: 127.0.0.1:5432", "  listen: 10.0.0.5,127.0.0.1:5432"));
  EXPECT_EQ(c.postgresql.connect_address, "10.0.0.5:5432");
  c = MustParse(MinimalWith("  listen: 127.0.0.1:8008", "  listen: 0.0.0.0:8008"));
  EXPECT_EQ(c.restapi.connect_address, "127.0.0.1:8008");
  EXPECT_TRUE(HasWarning(c, "restapi.connect_address: not set"));
}

TEST(ParseConfig, EveryRequiredKey) {
  EXPECT_THAT(ErrorOf(MinimalWith("scope: batman", "")), StartsWith("scope: required"));
  EXPECT_THAT(ErrorOf(MinimalWith("name: pg0", "")), StartsWith("name: required"));
  EXPECT_THAT(ErrorOf(MinimalWith("  listen: 127.0.0.1:8008", "")),
              StartsWith("restapi.listen: required"));
  EXPECT_THAT(ErrorOf(MinimalWith("  listen: 127.0.0.1:5432", "")),
              StartsWith("postgresql.listen: required"));
  EXPECT_THAT(ErrorOf(MinimalWith("  data_dir: /var/lib/pg0", "")),
              StartsWith("postgresql.data_dir: required"));
  EXPECT_THAT(ErrorOf(MinimalWith("  host: 127.0.0.1:2379", "")), StartsWith("etcd3: required"));
  EXPECT_THAT(ErrorOf(MinimalWith("  host: 127.0.0.1:2379", "  protocol: http")),
              StartsWith("etcd3: at least one endpoint is required"));
  EXPECT_THAT(ErrorOf(""), HasSubstr("required"));
}

TEST(ParseConfig, EmptyOrForbiddenName) {
  EXPECT_EQ(ErrorOf(MinimalWith("name: pg0", "name: ''")), "name: must not be empty");
  EXPECT_THAT(
      ErrorOf(MinimalWith("name: pg0", "name: __patroni_strict_sync_replica_placeholder__")),
      StartsWith("name: this name is reserved"));
}

TEST(ParseConfig, AddressErrors) {
  EXPECT_EQ(ErrorOf(MinimalWith("  listen: 127.0.0.1:5432", "  listen: 5432")),
            "postgresql.listen: expected host:port, got \"5432\"");
  EXPECT_EQ(ErrorOf(MinimalWith("  listen: 127.0.0.1:5432", "  listen: 127.0.0.1:0")),
            "postgresql.listen: port must be between 1 and 65535, got \"127.0.0.1:0\"");
  EXPECT_EQ(ErrorOf(MinimalWith("  listen: 127.0.0.1:8008", "  listen: 127.0.0.1:99999")),
            "restapi.listen: port must be between 1 and 65535, got \"127.0.0.1:99999\"");
  EXPECT_EQ(ErrorOf(MinimalWith("  listen: 127.0.0.1:8008", "  listen: host:http")),
            "restapi.listen: expected host:port, got \"host:http\"");
  EXPECT_THAT(ErrorOf(Minimal("  connect_address: 0.0.0.0:5432\n")),
              StartsWith("postgresql.connect_address: must be one address peers can reach"));
  EXPECT_THAT(ErrorOf(MinimalWith("  host: 127.0.0.1:2379", "  host: 127.0.0.1:70000")),
              StartsWith("etcd3.host: port must be between"));
}

TEST(ParseConfig, DataDirMustBeAbsolute) {
  EXPECT_EQ(ErrorOf(MinimalWith("  data_dir: /var/lib/pg0", "  data_dir: data/postgresql0")),
            "postgresql.data_dir: must be an absolute path, got \"data/postgresql0\"");
}

TEST(ParseConfig, TypeErrors) {
  EXPECT_EQ(ErrorOf(Minimal("ttl: abc\n")), "ttl: expected an integer, got \"abc\"");
  EXPECT_EQ(ErrorOf(Minimal("loop_wait: 0\n")), "loop_wait: 0 is out of range (allowed: 1 to 600)");
  EXPECT_EQ(ErrorOf(Minimal("ttl: 1\n")),
            "ttl: 1 is below the minimum 5 for loop_wait 1 and retry_timeout 2 "
            "(ttl >= max(5, loop_wait + 2 x retry_timeout))");
  // The top-level values and bootstrap.dcs together: a loop_wait too long for the ttl is
  // lowered at run time (as Patroni does), not refused.
  EXPECT_EQ(ErrorOf(Minimal("loop_wait: 5\nbootstrap:\n  dcs:\n    ttl: 8\n")), "OK");
  EXPECT_EQ(ErrorOf(Minimal("bootstrap:\n  dcs:\n    ttl: 2\n")),
            "bootstrap.dcs.ttl: 2 is below the minimum 5 for loop_wait 1 and retry_timeout 2 "
            "(ttl >= max(5, loop_wait + 2 x retry_timeout))");
  EXPECT_EQ(ErrorOf(Minimal("bootstrap:\n  dcs:\n    retry_timeout: [1]\n")),
            "bootstrap.dcs.retry_timeout: expected an integer, got [1]");
  EXPECT_EQ(ErrorOf(Minimal("synchronous_mode: sometimes\n")),
            "synchronous_mode: expected on, off or quorum, got \"sometimes\"");
  EXPECT_EQ(ErrorOf(Minimal("ctl: 5\n")), "ctl: expected a mapping, got \"5\"");
  EXPECT_EQ(ErrorOf(Minimal("  use_pg_rewind: maybe\n")),
            "postgresql.use_pg_rewind: expected a boolean, got \"maybe\"");
  EXPECT_EQ(ErrorOf(Minimal("  pg_ctl_timeout: 0\n")),
            "postgresql.pg_ctl_timeout: must be between 1 and 86400, got 0");
  EXPECT_EQ(ErrorOf(Minimal("  parameters:\n    shared_buffers: [1, 2]\n")),
            "postgresql.parameters.shared_buffers: expected a single value, got a list");
  EXPECT_EQ(ErrorOf(Minimal("  pg_hba: host all all 0/0 md5\n")),
            "postgresql.pg_hba: expected a list, got \"host all all 0/0 md5\"");
}

TEST(ParseConfig, RestApiTlsAndAuthErrors) {
  std::string tls = "  certfile: /c.pem\n  cafile: /ca.pem\n";
  std::string base = MinimalWith("  listen: 127.0.0.1:8008", "  listen: 127.0.0.1:8008\n" + tls);
  EXPECT_EQ(ErrorOf(base + "log:\n  level: debug\n"), "OK");
  std::string bad = MinimalWith("  listen: 127.0.0.1:8008",
                                "  listen: 127.0.0.1:8008\n" + tls + "  verify_client: always");
  EXPECT_EQ(ErrorOf(bad),
            "restapi.verify_client: expected one of none, optional, required, got \"always\"");
  std::string no_ca = MinimalWith("  listen: 127.0.0.1:8008",
                                  "  listen: 127.0.0.1:8008\n  verify_client: required");
  EXPECT_THAT(ErrorOf(no_ca), StartsWith("restapi.verify_client: required needs"));
  std::string half_auth = MinimalWith(
      "  listen: 127.0.0.1:8008", "  listen: 127.0.0.1:8008\n  authentication:\n    username: u");
  EXPECT_THAT(ErrorOf(half_auth), StartsWith("restapi.authentication.password: required"));
  EXPECT_THAT(ErrorOf(Minimal("log:\n  level: loud\n")), StartsWith("log.level: expected one of"));
}

TEST(ParseConfig, InitdbOptions) {
  Config c = MustParse(Minimal(
      "bootstrap:\n  initdb:\n  - data-checksums\n  - encoding: UTF8\n  - locale: en_US.UTF-8\n"
      "  - '--auth-host=scram-sha-256'\n"));
  EXPECT_EQ(c.bootstrap.initdb,
            (std::vector<std::string>{"--data-checksums", "--encoding=UTF8", "--locale=en_US.UTF-8",
                                      "--auth-host=scram-sha-256"}));
  for (const char* bad : {"pgdata: /x", "nosync", "pwfile: /p", "sync-only", "version"}) {
    std::string yaml = Minimal(std::string("bootstrap:\n  initdb:\n  - ") + bad + "\n");
    EXPECT_THAT(ErrorOf(yaml), StartsWith("bootstrap.initdb: item 1: option ")) << bad;
    EXPECT_THAT(ErrorOf(yaml), HasSubstr("is not allowed")) << bad;
  }
  EXPECT_THAT(ErrorOf(Minimal("bootstrap:\n  initdb:\n  - {a: 1, b: 2}\n")),
              StartsWith("bootstrap.initdb: item 1: expected an option or a single-key mapping"));
  EXPECT_THAT(ErrorOf(Minimal("bootstrap:\n  initdb: data-checksums\n")),
              StartsWith("bootstrap.initdb: expected a list"));
}

TEST(ParseConfig, CustomBootstrapMethodAsPatroni) {
  Config c = MustParse(
      Minimal("bootstrap:\n  method: wal_e\n  wal_e:\n    command: /usr/bin/restore --from 'a b'\n"
              "    keep_existing_recovery_conf: true\n    test-argument: test-value\n"
              "    recovery_conf:\n      restore_command: cp /arch/%f %p\n"
              "      recovery_target_action: promote\n  post_init: /x.sh\n"));
  ASSERT_TRUE(c.bootstrap.method.has_value());
  const ScriptMethod& m = *c.bootstrap.method;
  EXPECT_EQ(m.name, "wal_e");
  EXPECT_EQ(m.command, (std::vector<std::string>{"/usr/bin/restore", "--from", "a b"}));
  EXPECT_TRUE(m.keep_existing_recovery_conf);
  ASSERT_EQ(m.args.size(), 1u);
  EXPECT_EQ(m.args[0], (std::pair<std::string, std::string>{"test-argument", "test-value"}));
  ASSERT_EQ(m.recovery_conf.size(), 2u);
  EXPECT_EQ(m.recovery_conf[0].first, "restore_command");
  EXPECT_FALSE(HasWarning(c, "bootstrap.post_init"));
  EXPECT_EQ(c.bootstrap.post_bootstrap, std::vector<std::string>{"/x.sh"});
  EXPECT_FALSE(HasWarning(c, "unknown key bootstrap.wal_e"));
  EXPECT_FALSE(MustParse(Minimal("")).bootstrap.method.has_value());
}

TEST(ParseConfig, PostBootstrapIsACommandLineAndWinsOverPostInit) {
  Config c = MustParse(
      Minimal("bootstrap:\n  post_bootstrap: psql -w -c \"SELECT 1\"\n  post_init: /old.sh\n"));
  EXPECT_EQ(c.bootstrap.post_bootstrap, (std::vector<std::string>{"psql", "-w", "-c", "SELECT 1"}));
  EXPECT_TRUE(MustParse(Minimal("")).bootstrap.post_bootstrap.empty());
  std::string e = ErrorOf(Minimal("bootstrap:\n  post_bootstrap: \"psql 'unbalanced\"\n"));
  EXPECT_NE(e.find("bootstrap.post_bootstrap"), std::string::npos) << e;
}

TEST(ParseConfig, ACustomBootstrapWithoutCommandIsRefusedNotTurnedIntoInitdb) {
  EXPECT_EQ(ErrorOf(Minimal("bootstrap:\n  method: wal_e\n  wal_e:\n    x: 1\n")),
            "bootstrap.wal_e.command: required: the script that creates the data directory");
  EXPECT_THAT(ErrorOf(Minimal("bootstrap:\n  method: wal_e\n")),
              StartsWith("bootstrap.wal_e: bootstrap.method is wal_e: expected its mapping"));
  EXPECT_THAT(ErrorOf(Minimal("bootstrap:\n  method: x\n  x:\n    command: \"a 'b\"\n")),
              StartsWith("bootstrap.x.command: "));
}

TEST(ParseConfig, ReplicaMethodsAsPatroni) {
  Config c = MustParse(Minimal(
      "  create_replica_methods: [no_leader_bootstrap, basebackup, wal_g]\n"
      "  no_leader_bootstrap:\n    command: /bin/restore --sourcedir=/b\n    no_leader: '1'\n"
      "    keep_data: true\n    test-argument: test-value\n"));
  const auto& methods = c.postgresql.create_replica_methods;
  ASSERT_EQ(methods.size(), 3u);
  EXPECT_EQ(methods[0].name, "no_leader_bootstrap");
  EXPECT_TRUE(methods[0].no_leader);
  EXPECT_TRUE(methods[0].keep_data);
  EXPECT_EQ(methods[0].args,
            (std::vector<std::pair<std::string, std::string>>{{"test-argument", "test-value"}}));
  EXPECT_TRUE(methods[1].Builtin());
  EXPECT_EQ(methods[2].command, std::vector<std::string>{"wal_g"});  // the name, as Patroni
  EXPECT_FALSE(HasWarning(c, "unknown key postgresql.no_leader_bootstrap"));
  EXPECT_TRUE(MustParse(Minimal("")).postgresql.create_replica_methods.at(0).Builtin());
  EXPECT_THAT(ErrorOf(Minimal("  create_replica_methods: basebackup\n")),
              StartsWith("postgresql.create_replica_methods: expected a list"));
  EXPECT_THAT(ErrorOf(Minimal("  create_replica_methods: [x]\n  x:\n"
                              "    no_leader: maybe\n")),
              StartsWith("postgresql.x.no_leader: expected a boolean"));
}

TEST(ParseConfig, BasebackupOptionsAsPatroni) {
  EXPECT_EQ(MustParse(Minimal("  basebackup:\n    - verbose\n    - max-rate: 100M\n"))
                .postgresql.basebackup,
            (std::vector<std::string>{"--verbose", "--max-rate=100M"}));
  EXPECT_EQ(MustParse(Minimal("  basebackup:\n    checkpoint: spread\n")).postgresql.basebackup,
            std::vector<std::string>{"--checkpoint=spread"});
  EXPECT_EQ(ErrorOf(Minimal("  basebackup:\n    - pgdata: /x\n")),
            "postgresql.basebackup: option pgdata is set by pgha itself");
  EXPECT_THAT(ErrorOf(Minimal("  basebackup: fast\n")),
              StartsWith("postgresql.basebackup: expected a list or a mapping"));
  EXPECT_FALSE(HasWarning(MustParse(Minimal("  basebackup: [verbose]\n")), "basebackup"));
}

TEST(ParseConfig, WatchdogTestingDriver) {
  EXPECT_EQ(MustParse(Minimal("")).watchdog.driver, "default");
  EXPECT_EQ(MustParse(Minimal("watchdog:\n  driver: testing\n")).watchdog.driver, "testing");
  EXPECT_THAT(ErrorOf(Minimal("watchdog:\n  driver: softdog\n")), StartsWith("watchdog.driver: "));
}

TEST(ParseConfig, WatchdogModes) {
  EXPECT_EQ(MustParse(Minimal("watchdog:\n  mode: off\n")).watchdog.mode, "off");
  EXPECT_EQ(MustParse(Minimal("watchdog:\n  mode: false\n")).watchdog.mode, "off");
  EXPECT_EQ(MustParse(Minimal("watchdog:\n  mode: required\n")).watchdog.mode, "required");
  EXPECT_EQ(MustParse(Minimal("watchdog:\n  mode: auto\n")).watchdog.mode, "automatic");
  EXPECT_EQ(MustParse(Minimal("watchdog:\n  safety_margin: -1\n")).watchdog.safety_margin, -1);
  EXPECT_EQ(ErrorOf(Minimal("watchdog:\n  mode: sometimes\n")),
            "watchdog.mode: expected off, automatic or required, got \"sometimes\"");
  EXPECT_THAT(ErrorOf(Minimal("watchdog:\n  mode: on\n")), StartsWith("watchdog.mode: expected"));
  EXPECT_THAT(ErrorOf(Minimal("watchdog:\n  safety_margin: -2\n")),
              StartsWith("watchdog.safety_margin: must be between -1"));
}

TEST(ParseConfig, Tags) {
  Config c = MustParse(Minimal(
      "tags:\n  nofailover: true\n  replicatefrom: pg1\n  custom: {a: 1}\n  nosync: yes\n"));
  EXPECT_TRUE(c.tags.nofailover);
  EXPECT_TRUE(c.tags.nosync);
  EXPECT_EQ(c.tags.replicatefrom, "pg1");
  EXPECT_EQ(c.tags.raw.at("custom"), "{\"a\":1}");
  EXPECT_EQ(c.tags.raw.at("nosync"), "true");
  EXPECT_FALSE(c.tags.CanPromote());
  EXPECT_EQ(ErrorOf(Minimal("tags:\n  nofailover: maybe\n")),
            "tags.nofailover: expected a boolean, got \"maybe\"");
  EXPECT_EQ(ErrorOf(Minimal("tags:\n  failover_priority: high\n")),
            "tags.failover_priority: expected an integer, got \"high\"");
  EXPECT_THAT(ErrorOf(Minimal("tags:\n  failover_priority: -1\n")),
              StartsWith("tags.failover_priority: must be between 0"));
  EXPECT_EQ(ErrorOf(Minimal("tags:\n  replicatefrom: [a]\n")),
            "tags.replicatefrom: expected a string, got a list");
  EXPECT_EQ(ErrorOf(Minimal("tags: [nofailover]\n")), "tags: expected a mapping, got a list");
  // Patroni's warning, word for word; nofailover decides either way.
  c = MustParse(Minimal("tags:\n  nofailover: true\n  failover_priority: 3\n"));
  EXPECT_TRUE(HasWarning(c,
                         "Conflicting configuration between nofailover: True and "
                         "failover_priority: 3. Defaulting to nofailover: True"));
  EXPECT_FALSE(c.tags.CanPromote());
  c = MustParse(Minimal("tags:\n  nofailover: false\n  failover_priority: 0\n"));
  EXPECT_TRUE(HasWarning(c,
                         "Conflicting configuration between nofailover: False and "
                         "failover_priority: 0. Defaulting to nofailover: False"));
  EXPECT_TRUE(c.tags.CanPromote());
  c = MustParse(Minimal("tags:\n  failover_priority: 0\n"));
  EXPECT_FALSE(c.tags.CanPromote());  // no nofailover given: priority 0 forbids
  EXPECT_TRUE(c.warnings.empty());
  // The same for nosync and sync_priority.
  c = MustParse(Minimal("tags:\n  nosync: true\n  sync_priority: 2\n"));
  EXPECT_TRUE(HasWarning(c,
                         "Conflicting configuration between nosync: True and "
                         "sync_priority: 2. Defaulting to nosync: True"));
  EXPECT_FALSE(c.tags.CanBeSync());
  c = MustParse(Minimal("tags:\n  nosync: false\n  sync_priority: 0\n"));
  EXPECT_TRUE(HasWarning(c,
                         "Conflicting configuration between nosync: False and "
                         "sync_priority: 0. Defaulting to nosync: False"));
  EXPECT_TRUE(c.tags.CanBeSync());
  EXPECT_EQ(c.tags.SyncPriority(), 0);
  c = MustParse(Minimal("tags:\n  sync_priority: 0\n"));
  EXPECT_FALSE(c.tags.CanBeSync());
  EXPECT_EQ(ErrorOf(Minimal("tags:\n  sync_priority: high\n")),
            "tags.sync_priority: expected an integer, got \"high\"");
}

TEST(ParseConfig, UnknownKeysWarn) {
  Config c = MustParse(
      MinimalWith("  listen: 127.0.0.1:8008", "  listen: 127.0.0.1:8008\n  lisen: 127.0.0.1:8009") +
      "colour: blue\nbootstrap:\n  dcs:\n    tll: 30\n");
  EXPECT_TRUE(HasWarning(c, "unknown key restapi.lisen"));
  EXPECT_TRUE(HasWarning(c, "unknown key colour"));
  EXPECT_TRUE(HasWarning(c, "bootstrap.dcs.tll: unknown dynamic setting"));
  c = MustParse(Minimal("log:\n  format: '%(message)s'\n  level: WARNING\n"));
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(c.log_level, "warning");
}

TEST(ParseConfig, UnusedPatroniKeysWarn) {
  Config c =
      MustParse(Minimal("  callbacks:\n    on_start: /x\n  pre_promote: /fence.sh\n"
                        "citus:\n  group: 0\nthread_pool_size: 5\n"));
  EXPECT_FALSE(HasWarning(c, "postgresql.callbacks"));  // run (agent/callbacks.h)
  EXPECT_EQ(c.postgresql.callbacks.at("on_start"), "/x");
  EXPECT_FALSE(HasWarning(c, "postgresql.pre_promote"));  // run (agent/hooks.cc)
  EXPECT_EQ(c.postgresql.pre_promote, std::vector<std::string>{"/fence.sh"});
  EXPECT_EQ(ErrorOf(Minimal("  before_stop: \"echo 'x\"\n")).rfind("postgresql.before_stop", 0),
            0u);
  EXPECT_TRUE(HasWarning(c, "citus:"));
  EXPECT_TRUE(HasWarning(c, "thread_pool_size: accepted for Patroni compatibility"));
  // A top-level dynamic key's note reaches the file's warnings (and --validate-config) once.
  c =
      MustParse(Minimal("  remove_data_directory_on_rewind_failure: true\n"
                        "check_timeline: false\n"));
  EXPECT_TRUE(HasWarning(c, "postgresql.remove_data_directory_on_rewind_failure: accepted"));
  EXPECT_EQ(std::count_if(c.warnings.begin(), c.warnings.end(),
                          [](const std::string& w) {
                            return w.find("check_timeline: pgha never promotes") !=
                                   std::string::npos;
                          }),
            1);
  // Tags pgha acts on (replicatefrom, clonefrom) say nothing; nostream is not honoured yet.
  c = MustParse(Minimal("tags:\n  replicatefrom: pg1\n  clonefrom: true\n  nostream: true\n"));
  EXPECT_TRUE(HasWarning(c, "tags.nostream: accepted for Patroni compatibility"));
  EXPECT_FALSE(HasWarning(c, "replicatefrom"));
  EXPECT_FALSE(HasWarning(c, "clonefrom"));
}

TEST(ParseConfig, CallbacksAreReadAndMistakesNamed) {
  Config c =
      MustParse(Minimal("  callbacks:\n    on_role_change: /usr/bin/python3 cb.py pg0\n"
                        "    on_promote: /x\n"));
  EXPECT_EQ(c.postgresql.callbacks.at("on_role_change"), "/usr/bin/python3 cb.py pg0");
  EXPECT_EQ(c.postgresql.callbacks.size(), 1u);
  EXPECT_TRUE(HasWarning(c, "unknown key postgresql.callbacks.on_promote"));
  EXPECT_EQ(ErrorOf(Minimal("  callbacks:\n    on_stop: ''\n")),
            "postgresql.callbacks.on_stop: expected a command, got an empty string");
}

TEST(ParseConfig, LocalParameterThatMustBeClusterWideWarns) {
  Config c = MustParse(Minimal("  parameters:\n    max_connections: 500\n"));
  EXPECT_TRUE(HasWarning(c, "postgresql.parameters.max_connections: must be identical"));
}

TEST(ParseConfig, YamlSyntaxErrorHasLineAndColumn) {
  std::string message = ErrorOf("scope: batman\nname: [unclosed\nrestapi:\n  listen: x\n");
  EXPECT_THAT(message, StartsWith("YAML syntax error at line "));
  EXPECT_THAT(message, HasSubstr(", column "));
  EXPECT_EQ(ErrorOf("scope: a\n  name: b\n"),
            ErrorOf("scope: a\n  name: b\n"));  // deterministic
  EXPECT_THAT(ErrorOf("scope: a\n  bad: [\n"), StartsWith("YAML syntax error at line 2"));
  EXPECT_EQ(ErrorOf("- a\n- b\n"),
            "configuration: expected a mapping at the top level, got a list");
}

TEST(ParseConfig, EtcdSectionAliasAndForms) {
  Config c = MustParse(MinimalWith("etcd3:", "etcd:"));
  EXPECT_TRUE(HasWarning(c, "pgha always speaks the etcd v3 API"));
  EXPECT_EQ(c.etcd.hosts, std::vector<std::string>{"127.0.0.1:2379"});
  c = MustParse(MinimalWith("  host: 127.0.0.1:2379", "  url: https://etcd.example:2379/"));
  EXPECT_EQ(c.etcd.Endpoints(), std::vector<std::string>{"https://etcd.example:2379"});
  c = MustParse(MinimalWith("  host: 127.0.0.1:2379", "  hosts: [a, 'b:2380', '[::1]:2381']"));
  EXPECT_EQ(c.etcd.hosts, (std::vector<std::string>{"a:2379", "b:2380", "[::1]:2381"}));
  c = MustParse(MinimalWith("  host: 127.0.0.1:2379",
                            "  hosts: h1:2379, h2:2379\n  protocol: https\n  username: root"));
  EXPECT_EQ(c.etcd.Endpoints(), (std::vector<std::string>{"https://h1:2379", "https://h2:2379"}));
  EXPECT_EQ(c.etcd.username, "root");
}

TEST(ParseConfig, EtcdErrors) {
  EXPECT_THAT(ErrorOf(MinimalWith("  host: 127.0.0.1:2379", "  srv: example.com")),
              StartsWith("etcd3.srv: DNS SRV discovery is not supported"));
  EXPECT_EQ(ErrorOf(MinimalWith("  host: 127.0.0.1:2379", "  host: h\n  protocol: grpc")),
            "etcd3.protocol: expected one of http, https, got \"grpc\"");
  EXPECT_THAT(ErrorOf(Minimal("etcd:\n  host: h\n")), StartsWith("etcd, etcd3: give only one"));
  EXPECT_THAT(ErrorOf(Minimal("consul:\n  host: h\n")), StartsWith("consul: pgha supports only"));
  EXPECT_THAT(ErrorOf(MinimalWith("  host: 127.0.0.1:2379", "  url: ftp://h:1")),
              StartsWith("etcd3.url: expected an http or https URL"));
  EXPECT_THAT(ErrorOf(MinimalWith("  host: 127.0.0.1:2379", "  hosts: http://a:1,https://b:1")),
              StartsWith("etcd3.hosts: mixes http and https"));
}

TEST(ParseConfig, LocalDynamicIsBootstrapDcsWithTopLevelOnTop) {
  Config c = MustParse(
      Minimal("ttl: 40\nbootstrap:\n  dcs:\n    ttl: 30\n    loop_wait: 5\n    postgresql:\n"
              "      parameters:\n        max_connections: 100\n"));
  EXPECT_EQ(c.local_dynamic["ttl"], 40);
  EXPECT_EQ(c.local_dynamic["loop_wait"], 5);
  EXPECT_EQ(c.local_dynamic["postgresql"]["parameters"]["max_connections"], 100);
  EXPECT_EQ(c.bootstrap.dcs["ttl"], 30);  // bootstrap.dcs itself is left as written
}

}  // namespace
}  // namespace pgha::config

namespace pgha::config {
namespace {

// Whatever the input, ParseConfig answers with a value and never throws.
TEST(ParseConfig, OddInputsAreErrorsNotExceptions) {
  const std::string odd[] = {
      "[a]: 1\n",
      "? [a, b]\n: c\nscope: s\n",
      testing::Minimal("postgresql: [1, 2]\n"),
      testing::Minimal("bootstrap:\n  dcs: 5\n"),
      testing::Minimal("bootstrap: [dcs]\n"),
      testing::Minimal("watchdog:\n  mode: [on]\n"),
      testing::Minimal("etcd3: 7\n"),
      testing::Minimal("tags:\n  ? [x]\n  : 1\n"),
      std::string("scope: \x01\x02\xff\n"),
      "&a [*a]\n",
      "scope: *undefined\n",
  };
  for (const std::string& yaml : odd) {
    EXPECT_NO_THROW({ (void)ParseConfig(yaml, {}); }) << yaml;
  }
  EXPECT_EQ(ErrorOf(testing::Minimal("bootstrap:\n  dcs: 5\n")),
            "bootstrap.dcs: expected a mapping, got \"5\"");
}

}  // namespace
}  // namespace pgha::config
