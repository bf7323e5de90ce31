#include <array>
#include <string_view>

#include "ha/cluster.h"

namespace pgha::ha {

bool PublishTag(const Tags& tags, const std::string& name, const std::string& json_text) {
  static constexpr std::array<std::string_view, 5> kFlags = {"clonefrom", "nofailover",
                                                             "noloadbalance", "nosync", "nostream"};
  bool flag = false;
  for (auto f : kFlags) flag = flag || name == f;
  if (!flag) return true;
  // Kept beside the priority it would contradict, so that readers can see both.
  if (name == "nofailover" && tags.raw.count("failover_priority")) return true;
  if (name == "nosync" && tags.raw.count("sync_priority")) return true;
  static constexpr std::array<std::string_view, 6> kFalsy = {"false", "null", "0",
                                                             "\"\"",  "0.0",  "[]"};
  for (auto f : kFalsy) {
    if (json_text == f) return false;
  }
  return json_text != "{}";
}

}  // namespace pgha::ha
