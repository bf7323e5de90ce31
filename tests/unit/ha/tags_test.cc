// Which configured tags are published (Patroni's tags.py rule).
#include <gtest/gtest.h>

#include "ha/cluster.h"

namespace pgha::ha {
namespace {

TEST(PublishTag, FlagsOnlyWhenSetOtherTagsAlways) {
  Tags t;
  EXPECT_FALSE(PublishTag(t, "clonefrom", "false"));
  EXPECT_FALSE(PublishTag(t, "noloadbalance", "null"));
  EXPECT_FALSE(PublishTag(t, "nostream", "0"));
  EXPECT_TRUE(PublishTag(t, "nosync", "true"));
  EXPECT_TRUE(PublishTag(t, "new_tag", "\"new_value\""));
  EXPECT_TRUE(PublishTag(t, "dc", "false"));  // not a flag: published whatever its value
  // Beside the priority it would contradict, the flag is shown even when false.
  EXPECT_FALSE(PublishTag(t, "nofailover", "false"));
  t.raw["failover_priority"] = "2";
  EXPECT_TRUE(PublishTag(t, "nofailover", "false"));
  t.raw["sync_priority"] = "1";
  EXPECT_TRUE(PublishTag(t, "nosync", "false"));
}

}  // namespace
}  // namespace pgha::ha
