#include "agent/log_format.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

namespace pgha::agent {
namespace {

using Clock = std::chrono::system_clock;

spdlog::details::log_msg Msg(spdlog::level::level_enum level, std::string_view text) {
  return spdlog::details::log_msg(spdlog::source_loc{}, "pgha", level, text);
}

config::LogOptions Options(const std::string& yaml_format, const std::string& type = "plain") {
  config::LogOptions o;
  o.type = type;
  auto parsed = config::ParseLogFormat(yaml_format);
  EXPECT_TRUE(parsed.ok());
  if (parsed.ok()) o.format = *parsed;
  return o;
}

TEST(LogLine, DefaultIsPatronisLineWithTheMemberName) {
  config::LogOptions o;
  o.format = config::DefaultLogFormat();
  auto msg = Msg(spdlog::level::warn, "no action");
  std::string line = FormatLogLine(o, "node1", msg, Clock::now());
  EXPECT_TRUE(std::regex_match(
      line, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING: \[node1\] no action)")))
      << line;
}

TEST(LogLine, WidthsConversionsAndDateformat) {
  config::LogOptions o =
      Options("%(levelname)-8s|%(levelno)3d|%(lineno)d|%(asctime)s|%(message).4s");
  o.dateformat = "%Y";
  std::string line = FormatLogLine(o, "", Msg(spdlog::level::info, "abcdefgh"), Clock::now());
  EXPECT_TRUE(std::regex_match(line, std::regex(R"(INFO    \| 20\|0\|\d{4}\|abcd)"))) << line;
}

TEST(LogLine, JsonInFormatOrderWithRenamesAndStaticFields) {
  config::LogOptions o = Options("%(message)s %(levelname)s %(process)d", "json");
  o.renames = {{"levelname", "level"}};
  o.static_fields = {{"app", "patroni"}};
  std::string line = FormatLogLine(o, "node1", Msg(spdlog::level::err, "say \"hi\""), Clock::now());
  EXPECT_EQ(line, R"({"message": "say \"hi\"", "level": "ERROR", "process": )" +
                      std::to_string(::getpid()) + R"(, "app": "patroni"})");
}

TEST(LogFile, RollsOverIntoNumberedFilesWithTheAskedMode) {
  auto dir = std::filesystem::temp_directory_path() / ("pgha-log-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  config::Config cfg;
  cfg.name = "node1";
  cfg.log_dir = dir.string();
  cfg.log.format = config::DefaultLogFormat();
  cfg.log.file_num = 2;
  cfg.log.file_size = 200;
  cfg.log.mode = 0640;
  auto before = spdlog::default_logger();
  ASSERT_TRUE(UseLogOptions(cfg).ok());
  for (int i = 0; i < 20; ++i) spdlog::info("line {} of twenty, long enough to roll", i);
  spdlog::set_default_logger(before);
  const auto base = dir / "patroni.log";
  ASSERT_TRUE(std::filesystem::exists(base));
  EXPECT_TRUE(std::filesystem::exists(dir / "patroni.log.1"));
  EXPECT_TRUE(std::filesystem::exists(dir / "patroni.log.2"));
  EXPECT_FALSE(std::filesystem::exists(dir / "patroni.log.3"));
  EXPECT_LT(std::filesystem::file_size(base), 200u);
  struct stat st {};
  ASSERT_EQ(::stat(base.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  std::ifstream in(base);
  std::string last, line;
  while (std::getline(in, line)) last = line;
  EXPECT_NE(last.find("INFO: [node1] line 19 of twenty"), std::string::npos) << last;
  std::filesystem::remove_all(dir);

  cfg.log_dir = (dir / "missing").string();
  auto refused = UseLogOptions(cfg);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("missing/patroni.log"), std::string::npos);
}

}  // namespace
}  // namespace pgha::agent
