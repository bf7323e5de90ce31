#include "api/security.h"

#include <gtest/gtest.h>

namespace pgha::api {
namespace {

bool Permits(const std::vector<std::string>& entries, const std::string& address) {
  Result<Allowlist> list = ParseAllowlist(entries);
  EXPECT_TRUE(list.ok());
  return list.ok() && AllowlistPermits(list->networks, address);
}

TEST(Allowlist, Ipv4CidrsAndAddresses) {
  EXPECT_TRUE(Permits({"10.0.0.0/8"}, "10.200.3.4"));
  EXPECT_FALSE(Permits({"10.0.0.0/8"}, "11.0.0.1"));
  EXPECT_FALSE(Permits({"10.0.0.0/8"}, "127.0.0.1"));
  EXPECT_TRUE(Permits({"192.168.1.0/25"}, "192.168.1.127"));
  EXPECT_FALSE(Permits({"192.168.1.0/25"}, "192.168.1.128"));
  EXPECT_TRUE(Permits({"127.0.0.1"}, "127.0.0.1"));
  EXPECT_FALSE(Permits({"127.0.0.1"}, "127.0.0.2"));
  EXPECT_TRUE(Permits({"0.0.0.0/0"}, "8.8.8.8"));
  EXPECT_TRUE(Permits({"10.0.0.0/8", " 127.0.0.0/8 "}, "127.0.0.1"));
  EXPECT_FALSE(Permits({}, "127.0.0.1"));
}

TEST(Allowlist, Ipv6AndMappedIpv4) {
  EXPECT_TRUE(Permits({"::1"}, "::1"));
  EXPECT_FALSE(Permits({"::1"}, "::2"));
  EXPECT_TRUE(Permits({"fd00::/8"}, "fd12:3456::1"));
  EXPECT_FALSE(Permits({"fd00::/8"}, "fe80::1"));
  EXPECT_TRUE(Permits({"2001:db8::/33"}, "2001:db8:7fff::1"));
  EXPECT_FALSE(Permits({"2001:db8::/33"}, "2001:db8:8000::1"));
  // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d.
  EXPECT_TRUE(Permits({"127.0.0.0/8"}, "::ffff:127.0.0.1"));
  EXPECT_FALSE(Permits({"127.0.0.0/8"}, "::ffff:10.0.0.1"));
  EXPECT_FALSE(Permits({"127.0.0.1"}, "not-an-address"));
  EXPECT_FALSE(Permits({"::/0"}, "garbage"));
}

TEST(Allowlist, ParsingAndErrors) {
  EXPECT_FALSE(ParseIpNetwork("10.0.0.0/33"));
  EXPECT_FALSE(ParseIpNetwork("::/129"));
  EXPECT_FALSE(ParseIpNetwork("10.0.0.0/"));
  EXPECT_FALSE(ParseIpNetwork("10.0.0.0/x"));
  EXPECT_FALSE(ParseIpNetwork("10.0.0"));
  ASSERT_TRUE(ParseIpNetwork("10.0.0.0/8"));
  EXPECT_EQ(ParseIpNetwork("10.0.0.0/8")->prefix, 104);
  Result<Allowlist> bad = ParseAllowlist({"10.0.0.0/99"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("10.0.0.0/99"), std::string::npos);
  Result<Allowlist> mixed = ParseAllowlist({"db1.example", "10.1.0.0/16"});
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->hostnames, std::vector<std::string>{"db1.example"});
  EXPECT_EQ(mixed->networks.size(), 1u);
}

TEST(BasicAuth, Parsing) {
  // base64("admin:s3cr:et") = YWRtaW46czNjcjpldA==
  EXPECT_EQ(ParseBasicAuth("Basic YWRtaW46czNjcjpldA=="), (BasicCredentials{"admin", "s3cr:et"}));
  EXPECT_EQ(ParseBasicAuth("basic   YWRtaW46czNjcjpldA"), (BasicCredentials{"admin", "s3cr:et"}));
  // base64(":") = Og==
  EXPECT_EQ(ParseBasicAuth("Basic Og=="), (BasicCredentials{"", ""}));
  EXPECT_FALSE(ParseBasicAuth(""));
  EXPECT_FALSE(ParseBasicAuth("Basic"));
  EXPECT_FALSE(ParseBasicAuth("Bearer YWRtaW46eA=="));
  EXPECT_FALSE(ParseBasicAuth("Basic !!!!"));
  EXPECT_FALSE(ParseBasicAuth("Basic YWRtaW4="));  // "admin": no colon
}

TEST(BasicAuth, CredentialsMatch) {
  BasicCredentials expected{"admin", "secret"};
  EXPECT_TRUE(CredentialsMatch({"admin", "secret"}, expected));
  EXPECT_FALSE(CredentialsMatch({"admin", "secreT"}, expected));
  EXPECT_FALSE(CredentialsMatch({"admin", "secret2"}, expected));
  EXPECT_FALSE(CredentialsMatch({"admin", "secre"}, expected));
  EXPECT_FALSE(CredentialsMatch({"root", "secret"}, expected));
}

TEST(Base64, Decode) {
  EXPECT_EQ(DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8"), "hello");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("a b"));
}

}  // namespace
}  // namespace pgha::api
