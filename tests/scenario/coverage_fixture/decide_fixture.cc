// Fixture for coverage_selftest.sh: every form of Do() call coverage.py must read. Not compiled.
#include "ha/decision.h"  // Do("in a preprocessor line") is not a reason

namespace pgha::ha {
namespace {

Decision Do(std::string reason, std::vector<Action> actions = {}) {
  return Decision{std::move(actions), std::move(reason)};
}

// Do("in a comment") is not a reason; /* Do("nor here") */
Decision Plain() { return Do("a plain literal"); }

Decision Concatenated(const std::string& leader, int n) {
  return Do("following leader " + leader + " on timeline " + std::to_string(n),
            {A(ActionKind::kFollow, leader)});
}

Decision AcrossLines(const Observation& obs) {
  return Do(
      "adjacent literals "
      "are one literal, "
      "then " +
          obs.me,
      {A(ActionKind::kHalt, "Do(\"inside a string\") is not a reason")});
}

Decision Alternatives(bool sync_only, const std::string& why) {
  if (why.empty()) return Do(sync_only ? "alternative one" : "alternative two");
  return Do((sync_only ? "nested " + why : "other"), {});
}

Decision Variable(bool a, bool b) {
  std::string reason = "variable: initial";
  if (a) reason = "variable: assigned " + std::string("later");
  if (b) {
    reason = R"(variable: raw "string")";
  }
  return Do(std::move(reason));
}

Decision Appended(bool a) {
  std::string reason = "appended: base";
  if (a) reason += ", more";
  return Do(reason);
}

Decision Leading(const std::string& name) { return Do(name + " leads with a name"); }

Decision Duplicate() { return Do("a plain literal"); }  // the same reason twice: listed once

}  // namespace
}  // namespace pgha::ha
