#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "helpers.h"
#include "sample.h"

namespace pgha::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class LoadConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pgha_config_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  fs::path dir_;
};

TEST_F(LoadConfigFileTest, ReadsAFile) {
  auto config = LoadConfigFile(Write("postgres0.yml", testing::kPostgres0Yml), {});
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->name, "postgresql0");
}

TEST_F(LoadConfigFileTest, MissingFileNamesThePath) {
  std::string path = (dir_ / "absent.yml").string();
  auto config = LoadConfigFile(path, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.message(),
            "cannot read configuration file " + path + ": No such file or directory");
}

TEST_F(LoadConfigFileTest, SyntaxErrorNamesTheFile) {
  std::string path = Write("bad.yml", "scope: a\nname: [\n");
  auto config = LoadConfigFile(path, {});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.message(), StartsWith(path + ": YAML syntax error at line "));
}

TEST_F(LoadConfigFileTest, DirectoryIsMergedInNameOrder) {
  Write("conf.d/10-base.yml", testing::Minimal("tags:\n  zone: a\n"));
  Write("conf.d/20-node.yaml", "name: pg1\ntags:\n  nosync: true\n");
  Write("conf.d/30-zone.yml", "tags:\n  zone: b\n");
  Write("conf.d/notes.txt", "scope: [not yaml\n");
  auto config = LoadConfigFile((dir_ / "conf.d").string(), {});
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->name, "pg1");
  EXPECT_EQ(config->scope, "batman");
  EXPECT_TRUE(config->tags.nosync);
  EXPECT_EQ(config->tags.raw.at("zone"), "\"b\"");
}

TEST_F(LoadConfigFileTest, EmptyDirectoryIsAnError) {
  fs::create_directories(dir_ / "empty");
  auto config = LoadConfigFile((dir_ / "empty").string(), {});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.message(), HasSubstr("has no *.yml or *.yaml file"));
}

TEST_F(LoadConfigFileTest, PatroniConfigurationWinsOverThePath) {
  Env env = {{"PATRONI_CONFIGURATION", testing::Minimal()}};
  auto config = LoadConfigFile((dir_ / "absent.yml").string(), env);
  ASSERT_TRUE(config.ok()) << config.message();
  EXPECT_EQ(config->scope, "batman");
  EXPECT_TRUE(testing::HasWarning(*config, "absent.yml was not read"));
}

// pghactl -c, as patronictl -c: a file with only the DCS, ctl and restapi.authentication.
TEST_F(LoadConfigFileTest, CtlFileNeedsNoAgentKeys) {
  std::string path = Write("patronictl.yaml",
                           "scope: batman\n"
                           "etcd3:\n  hosts: 127.0.0.1:2379\n"
                           "ctl:\n  insecure: true\n"
                           "restapi:\n  authentication: {username: u, password: p}\n");
  auto ctl = LoadCtlConfigFile(path, {});
  ASSERT_TRUE(ctl.ok()) << ctl.message();
  EXPECT_EQ(ctl->scope, "batman");
  EXPECT_EQ(ctl->name, "");
  EXPECT_EQ(ctl->restapi.listen, "");
  ASSERT_TRUE(ctl->restapi.authentication.has_value());
  EXPECT_EQ(ctl->restapi.authentication->username, "u");
  EXPECT_TRUE(ctl->ctl.insecure);
  // The agent still requires what it needs, and names each.
  auto agent = LoadConfigFile(path, {});
  ASSERT_FALSE(agent.ok());
  EXPECT_THAT(agent.message(), HasSubstr("name: required"));
  EXPECT_THAT(agent.message(), HasSubstr("postgresql.listen: required"));
}

TEST_F(LoadConfigFileTest, CtlFileWithoutScopeLoads) {
  auto ctl = LoadCtlConfigFile(Write("ctl.yml", "etcd3:\n  hosts: 127.0.0.1:2379\n"), {});
  ASSERT_TRUE(ctl.ok()) << ctl.message();
  EXPECT_EQ(ctl->scope, "");
}

TEST_F(LoadConfigFileTest, CtlFileStillChecksWhatItHas) {
  auto bad = LoadCtlConfigFile(Write("ctl.yml", "scope: b\npostgresql:\n  listen: nowhere\n"), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("postgresql.listen"));
  auto relative =
      LoadCtlConfigFile(Write("ctl2.yml", "scope: b\npostgresql:\n  data_dir: rel/dir\n"), {});
  ASSERT_FALSE(relative.ok());
  EXPECT_THAT(relative.message(), HasSubstr("postgresql.data_dir: must be an absolute path"));
}

TEST_F(LoadConfigFileTest, CtlFileMayBeAFullAgentConfig) {
  auto ctl = LoadCtlConfigFile(Write("postgres0.yml", testing::kPostgres0Yml), {});
  ASSERT_TRUE(ctl.ok()) << ctl.message();
  EXPECT_EQ(ctl->name, "postgresql0");
}

}  // namespace
}  // namespace pgha::config
