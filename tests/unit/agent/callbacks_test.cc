// postgresql.callbacks: Patroni's arguments, asynchronous, one at a time.
#include "agent/callbacks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace pgha::agent {
namespace {

namespace fs = std::filesystem;

TEST(SplitCommandLine, SplitsAsAShellWouldWithoutExpanding) {
  auto w = SplitCommandLine(R"(/usr/bin/python3 features/cb.py 'a b' "c \"d\"" e\ f $HOME)");
  ASSERT_TRUE(w.ok()) << w.message();
  EXPECT_EQ(*w, (std::vector<std::string>{"/usr/bin/python3", "features/cb.py", "a b", "c \"d\"",
                                          "e f", "$HOME"}));
  EXPECT_FALSE(SplitCommandLine("cb 'open").ok());
  EXPECT_FALSE(SplitCommandLine("   ").ok());
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls (bounded) until `p` holds `lines` lines.
bool WaitForLines(const fs::path& p, int lines) {
  for (int i = 0; i < 500; ++i) {
    std::string text = ReadAll(p);
    if (std::count(text.begin(), text.end(), '\n') >= lines) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class CallbacksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pgha-callbacks.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    log_ = dir_ / "cb.log";
    script_ = dir_ / "cb.sh";
    std::ofstream(script_) << "#!/bin/sh\necho \"$*\" >> '" << log_.string() << "'\n";
    fs::permissions(script_, fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_, log_, script_;
};

TEST_F(CallbacksTest, RunsTheCommandWithActionRoleAndScope) {
  Callbacks cb("batman");
  cb.SetCommands({{"on_role_change", script_.string() + " extra"}});
  cb.Fire("on_start", "replica");  // not configured: nothing runs
  cb.Fire("on_role_change", "primary");
  ASSERT_TRUE(WaitForLines(log_, 1));
  EXPECT_EQ(ReadAll(log_), "extra on_role_change primary batman\n");
}

TEST_F(CallbacksTest, ANewCallbackKillsTheOneStillRunning) {
  Callbacks cb("batman");
  const fs::path slow = dir_ / "slow.sh";
  std::ofstream(slow) << "#!/bin/sh\nsleep 30\necho slow >> '" << log_.string() << "'\n";
  fs::permissions(slow, fs::perms::owner_all);
  cb.SetCommands({{"on_start", slow.string()}, {"on_role_change", script_.string()}});
  auto start = std::chrono::steady_clock::now();
  cb.Fire("on_start", "replica");
  cb.Fire("on_role_change", "primary");
  ASSERT_TRUE(WaitForLines(log_, 1));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(ReadAll(log_), "on_role_change primary batman\n");  // the slow one never wrote
}

}  // namespace
}  // namespace pgha::agent
