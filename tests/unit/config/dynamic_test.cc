#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "helpers.h"

namespace pgha::config {
namespace {

using nlohmann::json;
using testing::HasWarning;

Config LocalWith(const std::string& extra) {
  auto config = ParseConfig(testing::Minimal(extra), {});
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.message());
  return config.ok() ? *config : Config{};
}

TEST(MergeDynamic, DefaultsWhenNothingIsSet) {
  std::vector<std::string> warnings;
  EXPECT_EQ(MergeDynamic(LocalWith(""), json::object(), &warnings), ha::Settings{});
  EXPECT_EQ(MergeDynamic(LocalWith(""), nullptr, &warnings), ha::Settings{});
  EXPECT_TRUE(warnings.empty());
}

TEST(MergeDynamic, LocalOverDefaultsAndDcsOverLocal) {
  Config local = LocalWith(
      "ttl: 40\nbootstrap:\n  dcs:\n    ttl: 30\n    retry_timeout: 5\n"
      "    maximum_lag_on_failover: 100\n");
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(local, json::object(), &warnings);
  EXPECT_EQ(s.ttl, 40);  // top-level beats bootstrap.dcs
  EXPECT_EQ(s.retry_timeout, 5);
  EXPECT_EQ(s.maximum_lag_on_failover, 100u);
  EXPECT_EQ(s.loop_wait, 1);  // pgha default
  s = MergeDynamic(local, json{{"ttl", 20}, {"loop_wait", 2}, {"pause", true}}, &warnings);
  EXPECT_EQ(s.ttl, 20);
  EXPECT_EQ(s.loop_wait, 2);
  EXPECT_EQ(s.retry_timeout, 5);
  EXPECT_TRUE(s.pause);
  EXPECT_TRUE(warnings.empty());
}

TEST(MergeDynamic, ShrinksLoopWaitThenRetryTimeout) {
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(
      LocalWith(""), json{{"ttl", 30}, {"loop_wait", 20}, {"retry_timeout", 10}}, &warnings);
  EXPECT_EQ(s.loop_wait, 10);
  EXPECT_EQ(s.retry_timeout, 10);
  EXPECT_TRUE(HasWarning(warnings, "loop_wait + 2*retry_timeout must not exceed ttl"));
  warnings.clear();
  s = MergeDynamic(LocalWith(""), json{{"ttl", 10}, {"loop_wait", 5}, {"retry_timeout", 8}},
                   &warnings);
  EXPECT_EQ(s.loop_wait, 1);
  EXPECT_EQ(s.retry_timeout, 4);
  EXPECT_LE(s.loop_wait + 2 * s.retry_timeout, s.ttl);
  ASSERT_EQ(warnings.size(), 1u);
  warnings.clear();
  s = MergeDynamic(LocalWith(""), json{{"ttl", 30}, {"loop_wait", 10}, {"retry_timeout", 10}},
                   &warnings);
  EXPECT_EQ(s.loop_wait, 10);  // exactly fits: untouched
  EXPECT_TRUE(warnings.empty());
}

TEST(MergeDynamic, InvalidDcsValuesAreIgnoredWithAWarning) {
  Config local = LocalWith("ttl: 15\n");
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(local,
                                json{{"ttl", "abc"},
                                     {"loop_wait", 2},
                                     {"synchronous_mode", "maybe"},
                                     {"pause", 7},
                                     {"maximum_lag_on_failover", -5},
                                     {"postgresql", "x"}},
                                &warnings);
  EXPECT_EQ(s.ttl, 15);
  EXPECT_EQ(s.loop_wait, 2);
  EXPECT_FALSE(s.synchronous_mode);
  EXPECT_FALSE(s.pause);
  EXPECT_EQ(s.maximum_lag_on_failover, 1048576u);
  EXPECT_TRUE(HasWarning(warnings, "/config ttl: expected an integer, got \"abc\""));
  EXPECT_TRUE(HasWarning(warnings, "synchronous_mode"));
  EXPECT_TRUE(HasWarning(warnings, "pause: expected a boolean, got 7"));
  EXPECT_TRUE(HasWarning(warnings, "maximum_lag_on_failover: must not be negative"));
  EXPECT_TRUE(HasWarning(warnings, "postgresql: expected a mapping"));
  warnings.clear();
  s = MergeDynamic(local, json::array(), &warnings);
  EXPECT_EQ(s.ttl, 15);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(MergeDynamic, DcsValuesBelowTheMinimumAreRaised) {
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(LocalWith(""), json{{"ttl", 1}, {"retry_timeout", 0}}, &warnings);
  EXPECT_EQ(s.ttl, 2);
  EXPECT_EQ(s.retry_timeout, 1);
  EXPECT_TRUE(HasWarning(warnings, "ttl: must be at least 2, got 1; using 2"));
}

TEST(MergeDynamic, StringsAndLegacyNames) {
  std::vector<std::string> warnings;
  ha::Settings s = MergeDynamic(LocalWith(""),
                                json{{"ttl", "25"},
                                     {"master_start_timeout", 60},
                                     {"master_stop_timeout", 5},
                                     {"primary_stop_timeout", 7},
                                     {"synchronous_mode", "on"},
                                     {"synchronous_mode_strict", "true"},
                                     {"synchronous_node_count", 2}},
                                &warnings);
  EXPECT_EQ(s.ttl, 25);
  EXPECT_EQ(s.primary_start_timeout, 60);
  EXPECT_EQ(s.primary_stop_timeout, 7);  // the primary_* spelling wins
  EXPECT_TRUE(s.synchronous_mode);
  EXPECT_TRUE(s.synchronous_mode_strict);
  EXPECT_EQ(s.synchronous_node_count, 2);
  EXPECT_TRUE(warnings.empty());
  s = MergeDynamic(LocalWith(""), json{{"synchronous_mode", "quorum"}}, &warnings);
  EXPECT_TRUE(s.synchronous_mode);
  EXPECT_TRUE(HasWarning(warnings, "quorum"));
  s = MergeDynamic(LocalWith(""), json{{"synchronous_mode", "off"}}, &warnings);
  EXPECT_FALSE(s.synchronous_mode);
}

TEST(MergeDynamic, PostgresqlRewindAndSlots) {
  std::vector<std::string> warnings;
  json dcs = {{"postgresql", {{"use_pg_rewind", false}, {"use_slots", false}}}};
  ha::Settings s = MergeDynamic(LocalWith(""), dcs, &warnings);
  EXPECT_FALSE(s.use_pg_rewind);
  EXPECT_FALSE(s.use_slots);
  s = MergeDynamic(LocalWith("  use_pg_rewind: false\n"), json::object(), &warnings);
  EXPECT_FALSE(s.use_pg_rewind);  // the local file can turn rewind off on its node
  s = MergeDynamic(LocalWith(""), json{{"postgresql", {{"use_pg_rewind", "on"}}}}, &warnings);
  EXPECT_TRUE(s.use_pg_rewind);
  EXPECT_TRUE(warnings.empty());
}

TEST(EffectiveParameters, DcsThenLocalExceptClusterWide) {
  Config local = LocalWith(
      "  parameters:\n    work_mem: 8MB\n    max_connections: 500\n    shared_buffers: 1GB\n"
      "bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        max_connections: 150\n"
      "        wal_level: logical\n        work_mem: 1MB\n        max_wal_senders: 5\n");
  json dcs = {
      {"ttl", 30},
      {"postgresql",
       {{"parameters", {{"max_connections", 300}, {"work_mem", "2MB"}, {"hot_standby", "on"}}}}}};
  json p = EffectiveParameters(local, dcs);
  EXPECT_EQ(p["max_connections"], 300);  // DCS only, local 500 ignored
  EXPECT_EQ(p["work_mem"], "8MB");       // local beats DCS
  EXPECT_EQ(p["shared_buffers"], "1GB");
  EXPECT_EQ(p["hot_standby"], "on");
  EXPECT_EQ(p["wal_level"], "logical");  // cluster-wide, missing in DCS: from bootstrap.dcs
  EXPECT_EQ(p["max_wal_senders"], 5);
}

TEST(EffectiveParameters, BeforeTheDcsHasAConfig) {
  Config local = LocalWith(
      "  parameters:\n    work_mem: 8MB\n    max_connections: 500\n"
      "bootstrap:\n  dcs:\n    postgresql:\n      parameters:\n        max_connections: 150\n"
      "        work_mem: 1MB\n        autovacuum: off\n");
  json p = EffectiveParameters(local, json::object());
  EXPECT_EQ(p["max_connections"], 150);
  EXPECT_EQ(p["work_mem"], "8MB");
  EXPECT_EQ(p["autovacuum"], false);
  EXPECT_EQ(EffectiveParameters(LocalWith(""), nullptr), json::object());
}

}  // namespace
}  // namespace pgha::config
