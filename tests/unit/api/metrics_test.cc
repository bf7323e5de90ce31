#include "api/metrics.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace pgha::api {
namespace {

using namespace testing;  // NOLINT

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(Metrics, PaddedVersion) {
  EXPECT_EQ(PaddedVersion("4.1.4"), "040104");
  EXPECT_EQ(PaddedVersion("0.1.0"), "000100");
  EXPECT_EQ(PaddedVersion("3.10.2"), "031002");
}

TEST(Metrics, PrimaryValuesAndLabels) {
  std::string text = MetricsText(Primary());
  const std::string l = "{scope=\"demo\",name=\"node1\"}";
  EXPECT_TRUE(HasLine(text, "# TYPE patroni_version gauge")) << text;
  EXPECT_TRUE(HasLine(text, "patroni_version" + l + " 000100")) << text;
  EXPECT_TRUE(HasLine(text, "patroni_postgres_running" + l + " 1"));
  EXPECT_TRUE(HasLine(text, "patroni_primary" + l + " 1"));
  EXPECT_TRUE(HasLine(text, "patroni_replica" + l + " 0"));
  EXPECT_TRUE(HasLine(text, "patroni_xlog_location" + l + " " + std::to_string(0x5000060)));
  EXPECT_TRUE(HasLine(text, "patroni_postgres_timeline" + l + " 2"));
  EXPECT_TRUE(HasLine(text, "patroni_postgres_server_version" + l + " 150018"));
  EXPECT_TRUE(HasLine(text, "patroni_dcs_last_seen" + l + " 1700000000"));
  EXPECT_TRUE(HasLine(text, "patroni_is_paused" + l + " 0"));
  EXPECT_TRUE(HasLine(text, "patroni_failover_priority" + l + " 1"));
  EXPECT_TRUE(HasLine(text, "patroni_postmaster_start_time" + l + " 1767225600.000000"));
  EXPECT_TRUE(HasLine(text, "patroni_postgres_state" + l + " 5"));
  EXPECT_TRUE(HasLine(text, "patroni_failsafe_mode_enabled" + l + " 0"));
  EXPECT_TRUE(HasLine(text, "patroni_failsafe_member" + l + " 0"));
  EXPECT_TRUE(HasLine(text, "patroni_xlog_replayed_timestamp" + l + " 0"));
}

// Every name Patroni exports, each once, with Patroni's type.
TEST(Metrics, PatronisTwentySixNamesAndTypes) {
  const std::vector<std::pair<std::string, std::string>> names = {
      {"version", "gauge"},
      {"postgres_running", "gauge"},
      {"postmaster_start_time", "gauge"},
      {"primary", "gauge"},
      {"xlog_location", "counter"},
      {"standby_leader", "gauge"},
      {"replica", "gauge"},
      {"sync_standby", "gauge"},
      {"quorum_standby", "gauge"},
      {"xlog_received_location", "counter"},
      {"xlog_replayed_location", "counter"},
      {"xlog_replayed_timestamp", "gauge"},
      {"xlog_paused", "gauge"},
      {"postgres_streaming", "gauge"},
      {"postgres_in_archive_recovery", "gauge"},
      {"postgres_server_version", "gauge"},
      {"cluster_unlocked", "gauge"},
      {"failsafe_mode_is_active", "gauge"},
      {"failsafe_mode_enabled", "gauge"},
      {"failsafe_member", "gauge"},
      {"postgres_timeline", "gauge"},
      {"dcs_last_seen", "gauge"},
      {"pending_restart", "gauge"},
      {"is_paused", "gauge"},
      {"postgres_state", "gauge"},
      {"failover_priority", "gauge"}};
  ASSERT_EQ(names.size(), 26u);
  const std::string text = MetricsText(Replica());
  size_t types = 0;
  for (size_t at = text.find("# TYPE "); at != std::string::npos; at = text.find("# TYPE ", at + 1))
    ++types;
  EXPECT_EQ(types, names.size()) << text;
  for (const auto& [name, type] : names) {
    EXPECT_TRUE(HasLine(text, "# TYPE patroni_" + name + " " + type)) << name;
  }
}

TEST(Metrics, PostgresStateCodesArePatronis) {
  EXPECT_EQ(PostgresStateCode("initializing new cluster"), 0);
  EXPECT_EQ(PostgresStateCode("creating replica"), 4);
  EXPECT_EQ(PostgresStateCode("running"), 5);
  EXPECT_EQ(PostgresStateCode("starting"), 6);
  EXPECT_EQ(PostgresStateCode("restarting"), 9);
  EXPECT_EQ(PostgresStateCode("stopped"), 12);
  EXPECT_EQ(PostgresStateCode("crashed"), 14);
  EXPECT_EQ(PostgresStateCode("dancing"), -1);
  Snapshot s = Stopped();
  EXPECT_TRUE(HasLine(MetricsText(s), "patroni_postgres_state{scope=\"demo\",name=\"node1\"} 12"));
  EXPECT_TRUE(
      HasLine(MetricsText(s), "patroni_postmaster_start_time{scope=\"demo\",name=\"node1\"} 0"));
}

TEST(Metrics, FailsafeEnabledAndMember) {
  Snapshot s = Replica();
  s.settings.failsafe_mode = true;
  s.failsafe_members = {{"node1", "http://a/patroni"}, {"node2", "http://b/patroni"}};
  const std::string text = MetricsText(s);
  const std::string l = "{scope=\"demo\",name=\"node2\"}";
  EXPECT_TRUE(HasLine(text, "patroni_failsafe_mode_enabled" + l + " 1"));
  EXPECT_TRUE(HasLine(text, "patroni_failsafe_member" + l + " 1"));
  s.failsafe_members.erase("node2");
  EXPECT_TRUE(HasLine(MetricsText(s), "patroni_failsafe_member" + l + " 0"));
}

TEST(Metrics, ReplicaValues) {
  std::string text = MetricsText(Replica());
  const std::string l = "{scope=\"demo\",name=\"node2\"}";
  EXPECT_TRUE(HasLine(text, "patroni_replica" + l + " 1"));
  EXPECT_TRUE(HasLine(text, "patroni_primary" + l + " 0"));
  EXPECT_TRUE(HasLine(text, "patroni_xlog_location" + l + " 0"));
  EXPECT_TRUE(
      HasLine(text, "patroni_xlog_received_location" + l + " " + std::to_string(0x5000060)));
  EXPECT_TRUE(
      HasLine(text, "patroni_xlog_replayed_location" + l + " " + std::to_string(0x5000000)));
  EXPECT_TRUE(HasLine(text, "patroni_postgres_streaming" + l + " 1"));
  EXPECT_TRUE(HasLine(text, "patroni_postgres_in_archive_recovery" + l + " 0"));
  EXPECT_TRUE(HasLine(text, "patroni_xlog_replayed_timestamp" + l + " 1767225601.000000"));
}

TEST(Metrics, LabelsAreEscaped) {
  Snapshot s = Primary();
  s.scope = "a\"b\\c";
  EXPECT_NE(MetricsText(s).find("{scope=\"a\\\"b\\\\c\",name=\"node1\"}"), std::string::npos);
}

}  // namespace
}  // namespace pgha::api
