// LoadGucCatalog against the PostgreSQL installed here (skipped when there is none): the
// command's output format is the one ParseDescribeConfig expects.
#include "pg/guc_loader.h"

#include <gtest/gtest.h>

#include "pg/postgres.h"

namespace pgha::pg {
namespace {

TEST(LoadGucCatalog, ReadsTheInstalledBinaries) {
  auto bin_dir = FindBinDir("");
  if (!bin_dir.ok()) GTEST_SKIP() << "no PostgreSQL installed: " << bin_dir.message();
  auto catalog = LoadGucCatalog(*bin_dir);
  ASSERT_TRUE(catalog.ok()) << catalog.message();
  EXPECT_GE(catalog->major(), 13);
  EXPECT_GT(catalog->size(), 250u);
  const config::GucSpec* max_connections = catalog->Find("max_connections");
  ASSERT_NE(max_connections, nullptr);
  EXPECT_EQ(max_connections->type, config::GucType::kInteger);
  EXPECT_TRUE(config::CheckGucValue(*max_connections, 100).ok());
  EXPECT_FALSE(config::CheckGucValue(*max_connections, "lots").ok());
}

TEST(LoadGucCatalog, MissingBinariesAreAnError) {
  EXPECT_FALSE(LoadGucCatalog("/nonexistent/bin").ok());
}

}  // namespace
}  // namespace pgha::pg
