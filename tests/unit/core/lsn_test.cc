#include "core/lsn.h"

#include <gtest/gtest.h>

#include "core/strings.h"

namespace pgha {
namespace {

TEST(Lsn, RoundTrips) {
  auto lsn = Lsn::Parse("16/B374D848");
  ASSERT_TRUE(lsn.has_value());
  EXPECT_EQ(lsn->value, 0x16B374D848ull);
  EXPECT_EQ(lsn->ToString(), "16/B374D848");
  EXPECT_EQ(Lsn{0}.ToString(), "0/0");
}

TEST(Lsn, RejectsMalformed) {
  EXPECT_FALSE(Lsn::Parse("").has_value());
  EXPECT_FALSE(Lsn::Parse("16").has_value());
  EXPECT_FALSE(Lsn::Parse("/5").has_value());
  EXPECT_FALSE(Lsn::Parse("0/").has_value());
  EXPECT_FALSE(Lsn::Parse("0/5x").has_value());
}

TEST(ByteSize, Units) {
  EXPECT_EQ(ParseByteSize("1048576"), 1048576u);
  EXPECT_EQ(ParseByteSize("16kB"), 16384u);
  EXPECT_EQ(ParseByteSize("64MB"), 64u * 1024 * 1024);
  EXPECT_EQ(ParseByteSize("1GB"), 1024u * 1024 * 1024);
  EXPECT_FALSE(ParseByteSize("abc").has_value());
  EXPECT_FALSE(ParseByteSize("10XB").has_value());
}

TEST(Strings, HostPort) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:8008", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8008);
  EXPECT_FALSE(SplitHostPort("127.0.0.1", &host, &port));
  EXPECT_FALSE(SplitHostPort("h:0", &host, &port));
  EXPECT_FALSE(SplitHostPort("h:99999", &host, &port));
  EXPECT_EQ(QuoteConfValue("it's"), "'it''s'");
  EXPECT_EQ(QuoteConninfoValue("a'b\\c"), "'a\\'b\\\\c'");
}

}  // namespace
}  // namespace pgha
