// PostgreSQL parameter validation: `postgres --describe-config` text in -> catalog; catalog +
// value in -> OK or a reason naming the value and what is allowed. The fixture is the real
// output of PostgreSQL 15 on Debian 12.
#include "config/guc_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config.h"

namespace pgha::config {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string Pg15Text() {
  std::string here = __FILE__;
  std::ifstream in(here.substr(0, here.rfind('/')) + "/data/pg15_describe_config.txt");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const GucCatalog& Pg15() {
  static const GucCatalog catalog = [] {
    auto parsed = ParseDescribeConfig(Pg15Text(), 15);
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.message());
    return parsed.ok() ? *parsed : GucCatalog(15);
  }();
  return catalog;
}

// "" when `value` is accepted for `name`, else the reason.
std::string Check(const std::string& name, const json& value) {
  std::vector<std::string> errors;
  CheckParameters(json{{name, value}}, &Pg15(), "postgresql.parameters.", &errors);
  return errors.empty() ? "" : errors[0];
}

TEST(GucCatalog, ParsesTheMajorFromPostgresVersion) {
  EXPECT_EQ(ParsePostgresMajor("postgres (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)\n"), 15);
  EXPECT_EQ(ParsePostgresMajor("postgres (PostgreSQL) 17beta1\n"), 17);
  EXPECT_EQ(ParsePostgresMajor("postgres (PostgreSQL) 13.2"), 13);
  EXPECT_EQ(ParsePostgresMajor("nonsense"), 0);
}

TEST(GucCatalog, ParsesDescribeConfigOfPostgres15) {
  const GucCatalog& c = Pg15();
  EXPECT_EQ(c.major(), 15);
  EXPECT_GT(c.size(), 320u);  // 307 printed + the settable ones the command leaves out
  const GucSpec* max_connections = c.Find("max_connections");
  ASSERT_NE(max_connections, nullptr);
  EXPECT_EQ(max_connections->type, GucType::kInteger);
  EXPECT_EQ(max_connections->min, 1);
  EXPECT_EQ(max_connections->max, 262143);
  EXPECT_EQ(c.Find("shared_buffers")->unit, "8kB");
  EXPECT_EQ(c.Find("Shared_Buffers"), c.Find("shared_buffers"));  // names are case-insensitive
  EXPECT_EQ(c.Find("random_page_cost")->type, GucType::kReal);
  EXPECT_EQ(c.Find("hot_standby")->type, GucType::kBool);
  EXPECT_EQ(c.Find("wal_level")->shown_values,
            (std::vector<std::string>{"minimal", "replica", "logical"}));
  ASSERT_NE(c.Find("jit_expressions"), nullptr);       // not printed by --describe-config
  ASSERT_NE(c.Find("application_name"), nullptr);      // idem
  EXPECT_EQ(c.Find("server_version"), nullptr);        // internal: cannot be set in a file
  EXPECT_EQ(c.Find("debug_parallel_query"), nullptr);  // PostgreSQL 16+
}

TEST(GucCatalog, MalformedDescribeConfigNamesTheLine) {
  auto bad = ParseDescribeConfig("max_connections\tpostmaster\tX\tINTEGER\t0\t1\n", 15);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("line 1"));
  bad = ParseDescribeConfig("a\tb\tc\tINTEGER\t0\t1\t2\nb\tb\tc\tWHAT\t0\t1\t2\n", 15);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("line 2: unknown vartype \"WHAT\""));
  bad = ParseDescribeConfig("x\tb\tc\tINTEGER\t0\tlow\thigh\n", 15);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("no numeric min/max"));
  EXPECT_FALSE(ParseDescribeConfig("", 15).ok());
}

TEST(GucCatalog, GoodValuesPass) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, json>>{
           {"max_connections", 200},
           {"max_connections", "200"},
           {"max_connections", " 200 "},
           {"max_connections", "0x10"},  // parse_int takes hex and octal
           {"max_connections", 1.5},     // rounded, as PostgreSQL 12+
           {"shared_buffers", "128MB"},
           {"shared_buffers", "128 MB"},
           {"shared_buffers", 16384},
           {"work_mem", "64kB"},
           {"work_mem", "1GB"},
           {"wal_keep_size", "128MB"},
           {"checkpoint_timeout", "5min"},
           {"checkpoint_timeout", "1d"},
           {"checkpoint_timeout", 300},
           {"statement_timeout", "10s"},
           {"log_min_duration_statement", -1},
           {"random_page_cost", 1.1},
           {"random_page_cost", "4"},
           {"vacuum_cost_delay", "2ms"},
           {"vacuum_cost_delay", "500us"},
           {"hot_standby", "on"},
           {"hot_standby", true},
           {"hot_standby", "TRUE"},
           {"hot_standby", "of"},  // parse_bool takes unique prefixes
           {"hot_standby", 1},
           {"wal_level", "logical"},
           {"wal_level", "REPLICA"},
           {"wal_level", "hot_standby"},  // a hidden synonym of replica
           {"synchronous_commit", "remote_apply"},
           {"synchronous_commit", true},
           {"synchronous_commit", "yes"},
           {"default_transaction_isolation", "read committed"},
           {"application_name", "anything at all"},
           {"jit_expressions", "off"},
           {"pg_stat_statements.max", "whatever"},  // custom: PostgreSQL takes any value
       }) {
    EXPECT_EQ(Check(name, value), "") << name << " = " << value.dump();
  }
}

TEST(GucCatalog, WrongTypeNamesTheParameterAndTheRange) {
  EXPECT_EQ(Check("max_connections", "lots"),
            "postgresql.parameters.max_connections: \"lots\" is not an integer "
            "(allowed: 1 to 262143)");
  EXPECT_EQ(Check("random_page_cost", "high"),
            "postgresql.parameters.random_page_cost: \"high\" is not a number "
            "(allowed: 0 to 1.79769e+308)");
  EXPECT_THAT(Check("hot_standby", "maybe"),
              HasSubstr("hot_standby: \"maybe\" is not a boolean (allowed: on, off"));
  EXPECT_THAT(Check("hot_standby", 2), HasSubstr("is not a boolean"));
  EXPECT_THAT(Check("hot_standby", "o"), HasSubstr("is not a boolean"));  // on or off?
  EXPECT_THAT(Check("max_connections", json::array({1})), HasSubstr("expected a single value"));
  EXPECT_THAT(Check("max_connections", json::object()), HasSubstr("expected a single value"));
  EXPECT_THAT(Check("max_connections", nullptr), HasSubstr("is not an integer"));
}

TEST(GucCatalog, OutOfRangeIsRefused) {
  EXPECT_EQ(Check("max_connections", -5),
            "postgresql.parameters.max_connections: -5 is outside the valid range "
            "(allowed: 1 to 262143)");
  EXPECT_THAT(Check("max_connections", 1000000000), HasSubstr("outside the valid range"));
  EXPECT_THAT(Check("max_connections", "99999999999"), HasSubstr("exceeds the integer range"));
  EXPECT_THAT(Check("max_connections", 0), HasSubstr("outside the valid range"));
  EXPECT_THAT(Check("checkpoint_timeout", "2d"), HasSubstr("outside the valid range"));
  EXPECT_THAT(Check("checkpoint_timeout", "10"), HasSubstr("outside the valid range"));  // < 30 s
  EXPECT_THAT(Check("shared_buffers", "1kB"), HasSubstr("outside the valid range"));     // 0 pages
  EXPECT_THAT(Check("shared_buffers", "100TB"), HasSubstr("allowed: 16 to 1073741823, in units "
                                                          "of 8kB"));
  EXPECT_THAT(Check("vacuum_cost_delay", 101), HasSubstr("outside the valid range"));
}

TEST(GucCatalog, BadUnitsAreRefused) {
  EXPECT_EQ(Check("work_mem", "10s"),
            "postgresql.parameters.work_mem: \"10s\" has an invalid unit: valid units for this "
            "parameter are B, kB, MB, GB, TB (allowed: 64 to 2147483647, in units of kB)");
  EXPECT_THAT(Check("shared_buffers", "128mb"), HasSubstr("valid units for this parameter are B"));
  EXPECT_THAT(Check("statement_timeout", "10MB"),
              HasSubstr("valid units for this parameter are us, ms, s, min, h, d"));
  EXPECT_THAT(Check("max_connections", "100MB"), HasSubstr("this parameter takes no unit"));
  EXPECT_THAT(Check("work_mem", "64 kB x"), HasSubstr("invalid unit"));
}

TEST(GucCatalog, EnumValuesAreChecked) {
  EXPECT_EQ(Check("wal_level", "fast"),
            "postgresql.parameters.wal_level: \"fast\" is not one of: minimal, replica, logical");
  EXPECT_THAT(Check("wal_level", true), HasSubstr("wal_level: true is not one of"));
  EXPECT_THAT(Check("synchronous_commit", "sometimes"),
              HasSubstr("is not one of: local, remote_write, remote_apply, on, off"));
  EXPECT_THAT(Check("ssl_max_protocol_version", "TLSv9"), HasSubstr("is not one of: \"\", TLSv1"));
}

TEST(GucCatalog, UnknownNamesAndBadNames) {
  EXPECT_EQ(Check("max_connectoins", 100),
            "postgresql.parameters.max_connectoins: unknown parameter for PostgreSQL 15 (a "
            "custom parameter needs a dot, e.g. myext.max_connectoins)");
  EXPECT_THAT(Check("debug_parallel_query", "on"), HasSubstr("unknown parameter"));
  EXPECT_THAT(Check("server_version", "99"), HasSubstr("unknown parameter"));
  EXPECT_THAT(Check("a.b.c", 1), HasSubstr("not a valid parameter name"));
  EXPECT_THAT(Check("work_mem = 1GB\nfsync", "off"), HasSubstr("not a valid parameter name"));
  EXPECT_THAT(Check(".x", 1), HasSubstr("not a valid parameter name"));
  EXPECT_THAT(Check("application_name", "two\nlines"), HasSubstr("cannot contain a line break"));
}

TEST(GucCatalog, WithoutACatalogOnlyNamesAndShapesAreChecked) {
  std::vector<std::string> errors;
  CheckParameters(
      json{{"max_connections", "lots"}, {"whatever", 1}, {"bad name", 1}, {"x", json::array()}},
      nullptr, "p.", &errors);
  EXPECT_EQ(errors, (std::vector<std::string>{"p.bad name: not a valid parameter name",
                                              "p.x: expected a single value, got []"}));
}

TEST(GucCatalog, ValidParametersDropsOnlyTheInvalidOnes) {
  std::vector<std::string> dropped;
  json kept = ValidParameters(json{{"max_connections", "lots"},
                                   {"work_mem", "8MB"},
                                   {"wal_level", "fast"},
                                   {"foo", 1},
                                   {"ext.foo", 1}},
                              &Pg15(), "/config postgresql.parameters.", &dropped);
  EXPECT_EQ(kept, (json{{"work_mem", "8MB"}, {"ext.foo", 1}}));
  ASSERT_EQ(dropped.size(), 3u);
  EXPECT_THAT(dropped[0], HasSubstr("/config postgresql.parameters.foo: unknown parameter"));
  EXPECT_THAT(dropped[1], HasSubstr("max_connections: \"lots\" is not an integer"));
  EXPECT_THAT(dropped[2], HasSubstr("wal_level: \"fast\" is not one of"));
}

TEST(GucCatalog, EveryParameterPghaWritesByDefaultIsValid) {
  // agent/publish.cc Parameters() defaults and local/render.cc's DCS and resource values.
  json defaults = {{"wal_level", "replica"},
                   {"hot_standby", "on"},
                   {"max_wal_senders", 10},
                   {"max_replication_slots", 10},
                   {"wal_keep_size", "128MB"},
                   {"wal_log_hints", "on"},
                   {"listen_addresses", "127.0.0.1"},
                   {"port", 5432},
                   {"cluster_name", "demo"},
                   {"synchronous_standby_names", "*"},
                   {"max_worker_processes", "8"},
                   {"max_parallel_workers", "1"},
                   {"max_parallel_workers_per_gather", "0"},
                   {"effective_cache_size", "384MB"},
                   {"shared_buffers", "128MB"},
                   {"work_mem", "8MB"},
                   {"unix_socket_directories", "/var/lib/pgha/local/node1"}};
  std::vector<std::string> errors;
  CheckParameters(defaults, &Pg15(), "", &errors);
  EXPECT_TRUE(errors.empty()) << errors[0];
}

TEST(GucCatalog, SettingsRowsReplaceTheBuiltInTables) {
  GucCatalog c(16);
  AddSettingsRows({{"debug_parallel_query", "enum", "", "", "", "{off,on,regress}"},
                   {"default_transaction_isolation", "enum", "", "", "",
                    "{serializable,\"repeatable read\",\"read committed\"}"},
                   {"work_mem", "integer", "kB", "64", "2147483647", ""}},
                  &c);
  ASSERT_NE(c.Find("debug_parallel_query"), nullptr);
  EXPECT_TRUE(CheckGucValue(*c.Find("debug_parallel_query"), "regress").ok());
  EXPECT_TRUE(CheckGucValue(*c.Find("debug_parallel_query"), "true").ok());  // on/off synonyms
  EXPECT_FALSE(CheckGucValue(*c.Find("debug_parallel_query"), "sometimes").ok());
  EXPECT_TRUE(CheckGucValue(*c.Find("default_transaction_isolation"), "repeatable read").ok());
  EXPECT_TRUE(CheckGucValue(*c.Find("work_mem"), "4MB").ok());
  EXPECT_FALSE(CheckGucValue(*c.Find("work_mem"), "4").ok());
}

}  // namespace
}  // namespace pgha::config
