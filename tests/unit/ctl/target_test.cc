#include "ctl/target.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace pgha::ctl {
namespace {

namespace fs = std::filesystem;

// Sets XDG_CONFIG_HOME to a fresh directory for one test, and puts the old value back.
class PatronictlDefault : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* old = std::getenv("XDG_CONFIG_HOME")) old_ = old;
    dir_ = fs::temp_directory_path() / ("pgha_target_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "patroni");
    ::setenv("XDG_CONFIG_HOME", dir_.c_str(), 1);
  }
  void TearDown() override {
    if (old_) {
      ::setenv("XDG_CONFIG_HOME", old_->c_str(), 1);
    } else {
      ::unsetenv("XDG_CONFIG_HOME");
    }
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::optional<std::string> old_;
};

TEST_F(PatronictlDefault, ItsOwnFileIsTheDefaultTarget) {
  EXPECT_EQ(PatronictlConfigPath(), (dir_ / "patroni" / "patronictl.yaml").string());
  std::ofstream(dir_ / "patroni" / "patronictl.yaml") << "etcd3:\n  hosts: 127.0.0.1:2379\n";
  TargetOptions opt;
  opt.cluster = "batman";
  auto t = ResolveTarget(opt);
  ASSERT_TRUE(t.ok()) << t.message();
  EXPECT_EQ(t->config.scope, "batman");
  ASSERT_EQ(t->config.etcd.hosts.size(), 1u);
  EXPECT_EQ(t->config.etcd.hosts[0], "127.0.0.1:2379");
}

TEST_F(PatronictlDefault, ANamedLocalDirectoryWinsOverIt) {
  std::ofstream(dir_ / "patroni" / "patronictl.yaml") << "etcd3:\n  hosts: 127.0.0.1:2379\n";
  TargetOptions opt;
  opt.local_dir = (dir_ / "no-cluster-here").string();
  auto t = ResolveTarget(opt);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.message().find("no-cluster-here/node1/pgha.yml"), std::string::npos) << t.message();
}

TEST_F(PatronictlDefault, WithoutItTheLocalClusterIsLookedFor) {
  TargetOptions opt;
  opt.local_dir = (dir_ / "local").string();
  auto t = ResolveTarget(opt);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.message().find("pghactl local up"), std::string::npos) << t.message();
}

}  // namespace
}  // namespace pgha::ctl
