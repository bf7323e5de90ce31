#include "config/sample.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace pgha::config {
namespace {

TEST(SampleConfig, IsAValidConfigurationWithoutWarnings) {
  auto config = ParseConfig(SampleConfig("pg-1", "10.0.0.1"), {});
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->name, "pg-1");
  EXPECT_EQ(config->scope, "postgres-cluster");
  EXPECT_TRUE(config->warnings.empty()) << config->warnings.front();
}

}  // namespace
}  // namespace pgha::config
