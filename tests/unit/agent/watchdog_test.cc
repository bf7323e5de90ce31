// The watchdog driver's modes on devices that are not watchdogs (this machine has no
// /dev/watchdog; the success path needs real hardware or softdog).
#include "agent/watchdog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace pgha::agent {
namespace {

TEST(Watchdog, OffNeverTouchesTheDevice) {
  Watchdog w("off", "/nonexistent/watchdog", 3);
  EXPECT_TRUE(w.Keepalive().ok());
  EXPECT_TRUE(w.UsableForLeadership());
  EXPECT_FALSE(w.enabled());
}

TEST(Watchdog, RequiredWithoutDeviceForbidsLeadership) {
  Watchdog w("required", "/nonexistent/watchdog", 3);
  EXPECT_FALSE(w.UsableForLeadership());
  auto st = w.Keepalive();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("/nonexistent/watchdog"), std::string::npos);
}

TEST(Watchdog, AutomaticWithoutDeviceStillAllowsLeadership) {
  Watchdog w("automatic", "/nonexistent/watchdog", 3);
  EXPECT_TRUE(w.UsableForLeadership());
  EXPECT_FALSE(w.Keepalive().ok());  // reported, but not fatal in automatic mode
}

TEST(Watchdog, ARegularFileIsNotAWatchdog) {
  char path[] = "/tmp/pgha-wd-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  Watchdog w("required", path, 3);
  EXPECT_FALSE(w.UsableForLeadership());
  auto st = w.Keepalive();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("timeout"), std::string::npos);
  std::remove(path);
}

TEST(Watchdog, TheTestingDriverWritesPatronisHarnessCommands) {
  char path[] = "/tmp/pgha-wd-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    Watchdog w("required", path, 15, /*testing=*/true);
    ASSERT_TRUE(w.Keepalive().ok());
    ASSERT_TRUE(w.Keepalive().ok());
    w.SetTimeout(25);  // the ttl changed
    ASSERT_TRUE(w.Keepalive().ok());
    w.Disable();
  }
  std::ifstream in(path);
  std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, "Ctimeout=15\n11Ctimeout=25\n1V");
  std::remove(path);
}

}  // namespace
TEST(WatchdogTimeout, FollowsTtlAndNeverUndercutsALoop) {
  EXPECT_EQ(WatchdogTimeout(30, 10, 5), 25);  // Patroni's defaults
  EXPECT_EQ(WatchdogTimeout(5, 1, 5), 3);     // pgha's ttl with Patroni's margin: not 0
  EXPECT_EQ(WatchdogTimeout(20, 1, -1), 10);  // margin -1: half the ttl
  EXPECT_EQ(WatchdogTimeout(5, 4, 1), 5);     // at least loop_wait + 1
}

}  // namespace pgha::agent
