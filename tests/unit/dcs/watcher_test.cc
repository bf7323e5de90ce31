// Which etcd changes wake the HA loop (dcs/watcher.h).
#include "dcs/watcher.h"

#include <gtest/gtest.h>

namespace pgha::dcs {
namespace {

const std::string kPrefix = "/service/demo/";

bool Wakes(const std::string& self, const std::string& leader, const std::string& rel) {
  return ChangeWatcher::Wakes(kPrefix, self, leader, kPrefix + rel);
}

TEST(ChangeWatcherWakes, SharedKeysWakeEveryone) {
  for (const char* rel : {"leader", "failover", "config", "sync", "initialize", "failsafe"}) {
    EXPECT_TRUE(Wakes("n2", "n1", rel)) << rel;
  }
}

TEST(ChangeWatcherWakes, StatusHistoryAndOwnKeyDoNot) {
  EXPECT_FALSE(Wakes("n2", "n1", "status"));
  EXPECT_FALSE(Wakes("n2", "n1", "history"));
  EXPECT_FALSE(Wakes("n2", "n1", "pgha_timeline"));
  EXPECT_FALSE(Wakes("n2", "n1", "members/n2"));
  EXPECT_FALSE(Wakes("n1", "n1", "members/n1"));
}

TEST(ChangeWatcherWakes, OnlyTheLeadersMemberKeyWhileALeaderIsKnown) {
  EXPECT_TRUE(Wakes("n2", "n1", "members/n1"));
  EXPECT_FALSE(Wakes("n2", "n1", "members/n3"));
  EXPECT_FALSE(Wakes("n1", "n1", "members/n3"));
  EXPECT_TRUE(Wakes("n2", "", "members/n3"));  // no leader: any member may matter
}

TEST(ChangeWatcherWakes, KeysOutsideThePrefixWake) {
  EXPECT_TRUE(ChangeWatcher::Wakes(kPrefix, "n2", "n1", "/other/key"));
}

}  // namespace
}  // namespace pgha::dcs
