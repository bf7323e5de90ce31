#include "pg/failures.h"

#include <gtest/gtest.h>

namespace pgha::pg {
namespace {

TEST(RewindFailure, UnreachableSourceIsTransient) {
  EXPECT_TRUE(RewindFailureIsTransient(
      "pg_rewind failed (exit 1): pg_rewind: error: connection to server at \"10.0.0.2\", port "
      "5432 failed: Connection refused\n\tIs the server running on that host and accepting "
      "TCP/IP connections?"));
  EXPECT_TRUE(RewindFailureIsTransient(
      "pg_rewind: error: could not connect to server: Connection refused"));  // PG 13
  EXPECT_TRUE(
      RewindFailureIsTransient("pg_rewind: error: connection to server at \"h\" (1.2.3.4), "
                               "port 5432 failed: timeout expired"));
  EXPECT_TRUE(RewindFailureIsTransient(
      "pg_rewind: error: could not translate host name \"node1\" to address"));
}

TEST(RewindFailure, FailureAfterConnectingIsNot) {
  EXPECT_FALSE(RewindFailureIsTransient(
      "pg_rewind: servers diverged at WAL location 0/3000000 on timeline 1\n"
      "pg_rewind: error: connection to server at \"h\", port 5432 failed: server closed the "
      "connection unexpectedly"));
  EXPECT_FALSE(RewindFailureIsTransient("pg_rewind: error: could not fetch remote file"));
  EXPECT_FALSE(
      RewindFailureIsTransient("pg_rewind: error: target server must be shut down cleanly"));
  EXPECT_FALSE(RewindFailureIsTransient(""));
}

}  // namespace
}  // namespace pgha::pg
