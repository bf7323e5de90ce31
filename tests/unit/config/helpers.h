#pragma once
// Helpers for the config tests: a minimal valid file edited line by line.
#include <string>
#include <vector>

#include "config/config.h"

namespace pgha::config::testing {

inline const std::vector<std::string> kMinimalLines = {"scope: batman",
                                                       "name: pg0",
                                                       "restapi:",
                                                       "  listen: 127.0.0.1:8008",
                                                       "etcd3:",
                                                       "  host: 127.0.0.1:2379",
                                                       "postgresql:",
                                                       "  listen: 127.0.0.1:5432",
                                                       "  data_dir: /var/lib/pg0"};

inline std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

inline std::string Minimal(const std::string& extra = "") { return Join(kMinimalLines) + extra; }

// The minimal file with `from` (an exact line) replaced by `to` (may hold several lines, or be
// empty to drop the line).
inline std::string MinimalWith(const std::string& from, const std::string& to) {
  std::vector<std::string> lines;
  bool found = false;
  for (const auto& l : kMinimalLines) {
    if (l == from) {
      found = true;
      if (!to.empty()) lines.push_back(to);
    } else {
      lines.push_back(l);
    }
  }
  return found ? Join(lines) : "line not found: " + from;
}

inline std::string ErrorOf(const std::string& yaml, const Env& env = {}) {
  auto config = ParseConfig(yaml, env);
  return config.ok() ? "OK" : config.message();
}

inline bool HasWarning(const Config& config, const std::string& part) {
  for (const auto& w : config.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

inline bool HasWarning(const std::vector<std::string>& warnings, const std::string& part) {
  for (const auto& w : warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace pgha::config::testing
