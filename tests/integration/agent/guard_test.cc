// The fencing guard on real processes: a stand-in "postmaster" (a sleeping child) is killed when
// the deadline passes after the agent died, and left alone after a clean exit or a disarm.
#include "agent/guard.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "support/wait.h"

namespace pgha::agent {
namespace {

using std::chrono::milliseconds;

class GuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pgha-guard-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    data_ = dir_ + "/data";
    std::filesystem::create_directory(data_);
    postmaster_ = fork();
    if (postmaster_ == 0) {
      execl("/bin/sleep", "sleep", "60", nullptr);
      _exit(127);
    }
    std::ofstream(data_ + "/postmaster.pid") << postmaster_ << "\n" << data_ << "\n";
  }
  void TearDown() override {
    kill(postmaster_, SIGKILL);
    waitpid(postmaster_, nullptr, 0);
    std::filesystem::remove_all(dir_);
  }
  // True once the stand-in postmaster has died (reaped here, so no zombie confusion).
  bool PostmasterDead() { return waitpid(postmaster_, nullptr, WNOHANG) == postmaster_; }
  // Runs `body` with a guard in a child process that then dies without a clean exit (kill -9).
  void InDyingAgent(const std::function<void(GuardFence&)>& body) {
    pid_t agent = fork();
    if (agent == 0) {
      auto guard = GuardFence::Start(std::string(PGHA_BIN_DIR) + "/pgha", data_);
      if (!guard.ok()) _exit(3);
      body(**guard);
      kill(getpid(), SIGKILL);
    }
    int status = 0;
    waitpid(agent, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "agent stand-in failed to start the guard";
  }
  std::string dir_, data_;
  pid_t postmaster_ = 0;
};

TEST_F(GuardTest, FencesAtTheDeadlineAfterTheAgentDies) {
  auto armed_at = std::chrono::steady_clock::now();
  InDyingAgent([](GuardFence& g) { g.Arm(std::chrono::steady_clock::now() + milliseconds(700)); });
  EXPECT_FALSE(PostmasterDead()) << "fenced before the deadline";
  ASSERT_TRUE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(5000)));
  EXPECT_GE(std::chrono::steady_clock::now() - armed_at, milliseconds(650));
}

TEST_F(GuardTest, DisarmedGuardLeavesPostgresRunning) {
  InDyingAgent([](GuardFence& g) {
    g.Arm(std::chrono::steady_clock::now() + milliseconds(300));
    g.Disarm();
  });
  EXPECT_FALSE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(1500)));
}

TEST_F(GuardTest, CleanExitNeverFences) {
  {
    auto guard = GuardFence::Start(std::string(PGHA_BIN_DIR) + "/pgha", data_);
    ASSERT_TRUE(guard.ok()) << guard.message();
    (*guard)->Arm(std::chrono::steady_clock::now() + milliseconds(300));
  }  // destructor: "exit"
  EXPECT_FALSE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(1500)));
}

TEST_F(GuardTest, ReArmingPostponesTheFence) {
  auto guard = GuardFence::Start(std::string(PGHA_BIN_DIR) + "/pgha", data_);
  ASSERT_TRUE(guard.ok()) << guard.message();
  for (int i = 0; i < 10; ++i) {
    (*guard)->Arm(std::chrono::steady_clock::now() + milliseconds(400));
    EXPECT_FALSE(pgha::testing::WaitFor([&] { return PostmasterDead(); }, milliseconds(150)));
  }
}

TEST_F(GuardTest, MissingGuardBinaryIsAClearError) {
  auto guard = GuardFence::Start("/nonexistent/pgha", data_);
  ASSERT_FALSE(guard.ok());
  EXPECT_NE(guard.message().find("pgha-fence-guard"), std::string::npos);
}

}  // namespace
}  // namespace pgha::agent
