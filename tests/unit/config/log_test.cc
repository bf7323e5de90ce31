#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/log_options.h"
#include "helpers.h"

namespace pgha::config {
namespace {

using testing::ErrorOf;
using ::testing::HasSubstr;
using testing::HasWarning;
using testing::Minimal;

Config MustParse(const std::string& yaml, const Env& env = {}) {
  auto config = ParseConfig(yaml, env);
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.message());
  return config.ok() ? *config : Config{};
}

TEST(LogFormat, ParsesPythonPlaceholdersWidthsAndLiterals) {
  auto pieces = ParseLogFormat("%(asctime)s %(levelname)-8s [%(process)5d] 100%% %(message)s");
  ASSERT_TRUE(pieces.ok()) << pieces.message();
  ASSERT_EQ(pieces->size(), 7u);
  EXPECT_EQ((*pieces)[2].field, "levelname");
  EXPECT_TRUE((*pieces)[2].left);
  EXPECT_EQ((*pieces)[2].width, 8);
  EXPECT_EQ((*pieces)[4].field, "process");
  EXPECT_EQ((*pieces)[4].width, 5);
  EXPECT_EQ((*pieces)[4].conversion, 'd');
  EXPECT_EQ((*pieces)[5].literal, "] 100% ");
}

TEST(LogFormat, NamesTheBadPlaceholder) {
  auto unknown = ParseLogFormat("%(asctime)s %(colour)s");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.message(), HasSubstr("\"colour\""));
  EXPECT_FALSE(ParseLogFormat("%(message)").ok());
  EXPECT_FALSE(ParseLogFormat("50% done").ok());
}

TEST(LogSection, DefaultsArePatronisAndTheAcceptanceSuitesFormatLoads) {
  Config plain = MustParse(Minimal());
  EXPECT_EQ(plain.log.type, "plain");
  EXPECT_EQ(plain.log.format, DefaultLogFormat());
  EXPECT_EQ(plain.log.file_num, 4);
  EXPECT_EQ(plain.log.file_size, 25000000);
  // Patroni's features/environment.py writes this format and a loggers section.
  Config behave = MustParse(Minimal(
      "log:\n  format: '%(asctime)s %(levelname)s [%(pathname)s:%(lineno)d - %(funcName)s]: "
      "%(message)s'\n  loggers:\n    patroni.postgresql.callback_executor: DEBUG\n"));
  EXPECT_EQ(behave.log.format.size(), 11u);
  EXPECT_TRUE(HasWarning(behave, "log.loggers"));
}

TEST(LogSection, JsonFieldListWithRenamesAndStaticFields) {
  Config c = MustParse(Minimal(
      "log:\n  type: json\n  format:\n    - message\n    - module\n    - asctime: '@timestamp'\n"
      "    - levelname: level\n  static_fields:\n    app: patroni\n"));
  EXPECT_EQ(c.log.type, "json");
  ASSERT_EQ(c.log.format.size(), 4u);
  EXPECT_EQ(c.log.format[2].field, "asctime");
  EXPECT_EQ(c.log.renames, (std::vector<std::pair<std::string, std::string>>{
                               {"asctime", "@timestamp"}, {"levelname", "level"}}));
  EXPECT_EQ(c.log.static_fields,
            (std::vector<std::pair<std::string, std::string>>{{"app", "patroni"}}));
}

TEST(LogSection, FileSettingsAndTheirErrors) {
  Config c = MustParse(
      Minimal("log:\n  dir: /var/log/pgha\n  file_num: 2\n  file_size: 1000\n  mode: 0640\n"));
  EXPECT_EQ(c.log_dir, "/var/log/pgha");
  EXPECT_EQ(c.log.file_num, 2);
  EXPECT_EQ(c.log.file_size, 1000);
  EXPECT_EQ(c.log.mode, 0640u);
  EXPECT_EQ(MustParse(Minimal("log:\n  dir: /x\n  mode: '0o600'\n")).log.mode, 0600u);
  EXPECT_THAT(ErrorOf(Minimal("log:\n  mode: 0999\n")), HasSubstr("log.mode"));
  EXPECT_THAT(ErrorOf(Minimal("log:\n  file_size: -1\n")), HasSubstr("log.file_size"));
  EXPECT_THAT(ErrorOf(Minimal("log:\n  type: xml\n")), HasSubstr("log.type"));
  EXPECT_THAT(ErrorOf(Minimal("log:\n  format: '%(nope)s'\n")), HasSubstr("log.format"));
  EXPECT_THAT(ErrorOf(Minimal("log:\n  format: [message]\n")), HasSubstr("log.type: json"));
  EXPECT_THAT(ErrorOf(Minimal("log:\n  type: json\n  format: [message, {asctime: [1]}]\n")),
              HasSubstr("log.format[1]"));
  EXPECT_TRUE(HasWarning(MustParse(Minimal("log:\n  file_num: 3\n")), "used only with log.dir"));
}

TEST(LogSection, KeysPghaDoesNotActOnAreWarnedByName) {
  Config c =
      MustParse(Minimal("log:\n  traceback_level: DEBUG\n  max_queue_size: 10\n"
                        "  deduplicate_heartbeat_logs: false\n  static_fields: {a: b}\n"));
  EXPECT_TRUE(HasWarning(c, "log.traceback_level"));
  EXPECT_TRUE(HasWarning(c, "log.max_queue_size"));
  EXPECT_TRUE(HasWarning(c, "log.deduplicate_heartbeat_logs"));
  EXPECT_TRUE(HasWarning(c, "log.static_fields: used only with log.type: json"));
  EXPECT_FALSE(
      HasWarning(MustParse(Minimal("log:\n  deduplicate_heartbeat_logs: true\n")), "dedup"));
}

TEST(LogSection, EnvironmentSetsTheNewKeys) {
  Config c = MustParse(Minimal(), {{"PATRONI_LOG_TYPE", "json"}, {"PATRONI_LOG_FILE_NUM", "7"}});
  EXPECT_EQ(c.log.type, "json");
  EXPECT_EQ(c.log.file_num, 7);
}

}  // namespace
}  // namespace pgha::config
