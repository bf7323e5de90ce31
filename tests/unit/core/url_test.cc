#include "core/url.h"

#include <gtest/gtest.h>

namespace pgha {
namespace {

TEST(Url, SplitsAnApiUrl) {
  auto url = ParseUrl("https://10.0.0.5:8008/patroni");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "10.0.0.5");
  EXPECT_EQ(url->port, 8008);
  EXPECT_EQ(url->path, "/patroni");
  EXPECT_EQ(url->base(), "https://10.0.0.5:8008");
}

TEST(Url, DropsUserInfoAndQueryFromTheAuthority) {
  auto url = ParseUrl("postgres://app:s3cr@t@db1:5433/app?sslmode=require");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "db1");
  EXPECT_EQ(url->port, 5433);
  EXPECT_EQ(url->authority, "db1:5433");
  EXPECT_EQ(url->path, "/app?sslmode=require");
  auto query_only = ParseUrl("postgres://db1:5433?sslmode=require");
  ASSERT_TRUE(query_only.has_value());
  EXPECT_EQ(query_only->authority, "db1:5433");
}

TEST(Url, UnbracketsIpv6Hosts) {
  auto with_port = ParseUrl("http://[fd00::1]:8008");
  ASSERT_TRUE(with_port.has_value());
  EXPECT_EQ(with_port->host, "fd00::1");
  EXPECT_EQ(with_port->port, 8008);
  EXPECT_EQ(with_port->path, "");
  auto without_port = ParseUrl("postgres://[fd00::1]/db");
  ASSERT_TRUE(without_port.has_value());
  EXPECT_EQ(without_port->host, "fd00::1");
  EXPECT_FALSE(without_port->port.has_value());
}

TEST(Url, KeepsABadPortInTheHostAndRefusesNoScheme) {
  auto bad = ParseUrl("http://db1:99999/x");
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(bad->port.has_value());
  EXPECT_EQ(bad->host, "db1:99999");
  EXPECT_FALSE(ParseUrl("db1:5432").has_value());
  Url address = ParseUrlOrAddress("db1:5432/app");
  EXPECT_EQ(address.scheme, "");
  EXPECT_EQ(address.host, "db1");
  EXPECT_EQ(address.port, 5432);
  EXPECT_EQ(address.path, "/app");
  EXPECT_EQ(ParseUrlOrAddress("http://db1:8008").scheme, "http");
  EXPECT_FALSE(ParseUrl("://db1:5432").has_value());
}

}  // namespace
}  // namespace pgha
