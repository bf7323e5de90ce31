// RunCommand's environment: what PostgreSQL and its tools inherit from the agent.
#include "pg/process.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace pgha::pg {
namespace {

TEST(RunCommand, AddsAndRemovesEnvironmentVariables) {
  ::setenv("PGHA_TEST_INHERITED", "from-agent", 1);
  ::setenv("PGPASSWORD", "agents-own", 1);
  auto r = RunCommand({"/usr/bin/env"}, {{"PGHA_TEST_ADDED", "yes"}}, std::chrono::seconds(5),
                      {"PGPASSWORD"});
  ::unsetenv("PGPASSWORD");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_NE(r->output.find("PGHA_TEST_INHERITED=from-agent\n"), std::string::npos);
  EXPECT_NE(r->output.find("PGHA_TEST_ADDED=yes\n"), std::string::npos);
  EXPECT_EQ(r->output.find("PGPASSWORD"), std::string::npos) << r->output;
}

}  // namespace
}  // namespace pgha::pg

namespace pgha::pg {
namespace {

TEST(ResolveProgram, BareNamesFromPathPathsAsGiven) {
  auto sh = ResolveProgram({"sh", "-c", "true"});
  ASSERT_TRUE(sh.ok()) << sh.message();
  EXPECT_EQ(sh->front().front(), '/');
  EXPECT_EQ((*sh)[1], "-c");
  auto given = ResolveProgram({"./no/such/script"});
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->front(), "./no/such/script");  // exec says what is wrong with a path
  EXPECT_EQ(ResolveProgram({"pgha-no-such-program"}).message(),
            "pgha-no-such-program: not found in PATH");
  EXPECT_FALSE(ResolveProgram({}).ok());
}

}  // namespace
}  // namespace pgha::pg
