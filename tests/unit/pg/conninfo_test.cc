// Passwords out of conninfo strings (pg/connection.h): what pg_basebackup and pg_rewind get on
// their command line, and what primary_conninfo and its passfile hold.
#include <gtest/gtest.h>

#include "config/config.h"
#include "pg/connection.h"
#include "pg/render.h"

namespace pgha::pg {
namespace {

TEST(SplitPassword, TakesThePasswordOutAndKeepsTheRest) {
  config::Credentials c{"replicator", "p'w d", {{"sslmode", "require"}}};
  auto split = SplitPassword(PrimaryConninfo("10.0.0.1", 5432, c, "node2"));
  ASSERT_TRUE(split.ok()) << split.message();
  EXPECT_EQ(split->password, "p'w d");
  EXPECT_EQ(split->host, "10.0.0.1");
  EXPECT_EQ(split->port, "5432");
  EXPECT_EQ(split->user, "replicator");
  EXPECT_EQ(split->conninfo.find("password"), std::string::npos) << split->conninfo;
  EXPECT_EQ(split->conninfo.find("p'w"), std::string::npos) << split->conninfo;
  for (const char* kept : {"host='10.0.0.1'", "port='5432'", "user='replicator'",
                           "application_name='node2'", "sslmode='require'"}) {
    EXPECT_NE(split->conninfo.find(kept), std::string::npos) << kept << " in " << split->conninfo;
  }
  // What is left parses again, to the same settings.
  auto again = SplitPassword(split->conninfo);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->conninfo, split->conninfo);
  EXPECT_EQ(again->password, "");
}

TEST(SplitPassword, MalformedIsAnErrorWithoutTheText) {
  auto bad = SplitPassword("host=x password='secret");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("malformed connection string"), std::string::npos);
  EXPECT_EQ(bad.message().find("secret"), std::string::npos) << bad.message();
}

TEST(PgpassLines, LibpqFormatWithEscapes) {
  ConninfoSecret c{"", "a:b\\c", "10.0.0.1", "5432", "repl"};
  EXPECT_EQ(PgpassLines(c), "10.0.0.1:5432:*:repl:a\\:b\\\\c\n");
  c.password.clear();
  EXPECT_EQ(PgpassLines(c), "");
}

TEST(PgpassLines, SocketDirectoryAlsoMatchesLocalhostAndEveryHostGetsALine) {
  ConninfoSecret c{"", "pw", "/run/postgresql", "", "postgres"};
  EXPECT_EQ(PgpassLines(c), "/run/postgresql:*:*:postgres:pw\nlocalhost:*:*:postgres:pw\n");
  c.host = "a,b";
  c.port = "5432";
  EXPECT_EQ(PgpassLines(c), "a:5432:*:postgres:pw\nb:5432:*:postgres:pw\n");
}

TEST(PgpassPath, ConfiguredOrBesideTheDataDirectory) {
  config::Postgresql p;
  p.data_dir = "/var/lib/postgresql/15/main/";
  EXPECT_EQ(p.PgpassPath(), "/var/lib/postgresql/15/main.pgpass");
  p.pgpass = "/tmp/pgpass0";
  EXPECT_EQ(p.PgpassPath(), "/tmp/pgpass0");
}

}  // namespace
}  // namespace pgha::pg
