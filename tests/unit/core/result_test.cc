#include "core/result.h"

#include <gtest/gtest.h>

namespace pgha {
namespace {

Result<int> Fails(Errc code) { return Err(code, "the service has no leader"); }

Status Propagates(Errc code) {
  PGHA_TRY(Fails(code));
  return OkStatus();
}

Result<std::string> Converts(Errc code) {
  auto n = Fails(code);
  if (!n.ok()) return n.error();
  return std::to_string(*n);
}

TEST(Result, ErrWithoutACodeIsOther) {
  Status st = Err("plain");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kOther);
  EXPECT_EQ(st.message(), "plain");
}

// The code travels with the error through PGHA_TRY and across Result types: callers decide on
// it, never on the text.
TEST(Result, TheCodeSurvivesPropagation) {
  for (Errc code : {Errc::kUnavailable, Errc::kNotFound, Errc::kGone, Errc::kAuth}) {
    Status st = Propagates(code);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, code);
    EXPECT_EQ(st.message(), "the service has no leader");
    auto converted = Converts(code);
    ASSERT_FALSE(converted.ok());
    EXPECT_EQ(converted.error().code, code);
  }
}

}  // namespace
}  // namespace pgha
