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
}

TEST(Metrics, LabelsAreEscaped) {
  Snapshot s = Primary();
  s.scope = "a\"b\\c";
  EXPECT_NE(MetricsText(s).find("{scope=\"a\\\"b\\\\c\",name=\"node1\"}"), std::string::npos);
}

}  // namespace
}  // namespace pgha::api
