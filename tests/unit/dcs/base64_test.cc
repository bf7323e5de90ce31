#include <gtest/gtest.h>

#include "dcs/etcd_client.h"
#include "dcs/keys.h"

namespace pgha::dcs {
namespace {

TEST(Base64, EncodesWithPadding) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("/service/pg1/config"), "L3NlcnZpY2UvcGcxL2NvbmZpZw==");
  EXPECT_EQ(Base64Encode(std::string("\xff\x00\xfe", 3)), "/wD+");
}

TEST(Base64, DecodesWhatItEncodes) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "{\"ttl\":30}", "\x01\x02\xff\x80"}) {
    auto decoded = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(decoded.ok()) << s;
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_EQ(*Base64Decode("eyJ0dGwiOjMwfQ=="), "{\"ttl\":30}");
}

TEST(Base64, RejectsBadInput) {
  EXPECT_FALSE(Base64Decode("abc").ok());       // length not a multiple of 4
  EXPECT_FALSE(Base64Decode("ab!d").ok());      // outside the alphabet
  EXPECT_FALSE(Base64Decode("a===").ok());      // too much padding
  EXPECT_FALSE(Base64Decode("ab=d").ok());      // padding in the middle
  EXPECT_FALSE(Base64Decode("ab==abcd").ok());  // padding before the end
  EXPECT_NE(Base64Decode("ab!d").message().find("byte 2"), std::string::npos);
}

TEST(PrefixRangeEnd, BumpsLastByte) {
  EXPECT_EQ(PrefixRangeEnd("/service/pg1/"), "/service/pg10");
  EXPECT_EQ(PrefixRangeEnd("a\xff"), "b");
  EXPECT_EQ(PrefixRangeEnd("\xff\xff"), std::string(1, '\0'));
  EXPECT_EQ(Base64Encode(PrefixRangeEnd("/service/pg1/")), "L3NlcnZpY2UvcGcxMA==");
}

TEST(Keys, NormalizesNamespace) {
  for (const char* ns : {"/service", "service", "/service/", "service/", "//service//"}) {
    EXPECT_EQ(Keys(ns, "demo").prefix(), "/service/demo/") << ns;
  }
  EXPECT_EQ(Keys("/", "demo").prefix(), "/demo/");
  Keys k("/service", "demo");
  EXPECT_EQ(k.leader(), "/service/demo/leader");
  EXPECT_EQ(k.member("node1"), "/service/demo/members/node1");
  EXPECT_EQ(k.failsafe(), "/service/demo/failsafe");
}

}  // namespace
}  // namespace pgha::dcs
