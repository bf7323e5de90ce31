// Parameters renamed between PostgreSQL majors: converted for the running major as Patroni does
// (a Patroni file with wal_keep_segments must start PostgreSQL 13+, which refuses that name).
#include "config/guc_versions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/guc_catalog.h"

namespace pgha::config {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json Converted(const json& in, int major) {
  auto out = ConvertRenamedParameters(in, major);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.message());
  return out.ok() ? *out : json();
}

TEST(GucVersions, WalKeepSegmentsBecomesWalKeepSizeOn13AndLater) {
  for (int major : {13, 15, 17}) {
    EXPECT_EQ(Converted(json{{"wal_keep_segments", 100}}, major),
              json({{"wal_keep_size", "1600MB"}}))
        << major;
  }
  EXPECT_EQ(Converted(json{{"wal_keep_segments", "8"}, {"work_mem", "4MB"}}, 15),
            json({{"wal_keep_size", "128MB"}, {"work_mem", "4MB"}}));
}

TEST(GucVersions, BothGivenTheLargerWins) {
  EXPECT_EQ(Converted(json{{"wal_keep_segments", 100}, {"wal_keep_size", "1GB"}}, 15),
            json({{"wal_keep_size", "1600MB"}}));
  EXPECT_EQ(Converted(json{{"wal_keep_segments", 10}, {"wal_keep_size", "1GB"}}, 15),
            json({{"wal_keep_size", "1024MB"}}));
  EXPECT_EQ(Converted(json{{"wal_keep_segments", 1}, {"wal_keep_size", "16385kB"}}, 15),
            json({{"wal_keep_size", "17MB"}}));
}

TEST(GucVersions, WalKeepSizeBecomesSegmentsBefore13) {
  EXPECT_EQ(Converted(json{{"wal_keep_size", "128MB"}}, 12), json({{"wal_keep_segments", 8}}));
  EXPECT_EQ(Converted(json{{"wal_keep_size", 100}}, 12), json({{"wal_keep_segments", 7}}));
  EXPECT_EQ(Converted(json{{"wal_keep_size", "1GB"}, {"wal_keep_segments", 100}}, 11),
            json({{"wal_keep_segments", 100}}));
}

TEST(GucVersions, NothingChangesWhenTheMajorIsUnknownOrTheNameIsCurrent) {
  json p{{"wal_keep_segments", 100}};
  EXPECT_EQ(Converted(p, 0), p);
  EXPECT_EQ(Converted(json{{"wal_keep_size", "128MB"}}, 15), json({{"wal_keep_size", "128MB"}}));
  EXPECT_EQ(RenamedParameter("wal_keep_segments", 15), "wal_keep_size");
  EXPECT_EQ(RenamedParameter("wal_keep_size", 12), "wal_keep_segments");
  EXPECT_FALSE(RenamedParameter("wal_keep_size", 15));
  EXPECT_FALSE(RenamedParameter("wal_keep_segments", 0));
}

TEST(GucVersions, AValueThatCannotBeConvertedIsAnErrorNamingIt) {
  auto bad = ConvertRenamedParameters(json{{"wal_keep_segments", "lots"}}, 15);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("wal_keep_segments: \"lots\""));
  auto size = ConvertRenamedParameters(json{{"wal_keep_size", "12 parsecs"}}, 12);
  ASSERT_FALSE(size.ok());
  EXPECT_THAT(size.message(), HasSubstr("\"12 parsecs\""));
}

// Validation accepts the old name where it will be converted, and checks the converted value.
TEST(GucVersions, CheckParametersAcceptsTheOldNameAndChecksTheConvertedValue) {
  std::string here = __FILE__;
  std::ifstream in(here.substr(0, here.rfind('/')) + "/data/pg15_describe_config.txt");
  std::stringstream s;
  s << in.rdbuf();
  auto pg15 = ParseDescribeConfig(s.str(), 15);
  ASSERT_TRUE(pg15.ok());
  std::vector<std::string> errors;
  CheckParameters(json{{"wal_keep_segments", 100}}, &*pg15, "p.", &errors);
  EXPECT_TRUE(errors.empty()) << errors[0];
  CheckParameters(json{{"wal_keep_segments", "lots"}}, &*pg15, "p.", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("p.wal_keep_segments: \"lots\""));
  errors.clear();
  CheckParameters(json{{"checkpoint_segments", 3}}, &*pg15, "p.", &errors);
  ASSERT_EQ(errors.size(), 1u);  // removed in 9.5: unknown, not converted
  EXPECT_THAT(errors[0], HasSubstr("unknown parameter"));
}

}  // namespace
}  // namespace pgha::config
