#include "config/guc_versions.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "config/values.h"

namespace pgha::config {
namespace {

constexpr int64_t kSegmentMb = 16;  // the default wal_segment_size, as Patroni assumes

// A whole number from a JSON number or a decimal string.
std::optional<int64_t> WholeNumber(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  if (s.empty() || s.size() > 15) return std::nullopt;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::stoll(s);
}

// wal_keep_size in MB: a number (MB, its base unit) or a number with one of PostgreSQL's memory
// units (kB, MB, GB, TB; case-sensitive as PostgreSQL reads them), rounded up to whole MB.
std::optional<int64_t> SizeMb(const nlohmann::json& v) {
  if (auto n = WholeNumber(v)) return n;
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0 || i > 12) return std::nullopt;
  int64_t n = std::stoll(s.substr(0, i));
  std::string unit = s.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  if (unit == "kB") return (n + 1023) / 1024;
  if (unit == "MB") return n;
  if (unit == "GB") return n * 1024;
  if (unit == "TB") return n * 1024 * 1024;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> RenamedParameter(const std::string& name, int major) {
  if (major <= 0) return std::nullopt;
  if (major >= 13 && name == "wal_keep_segments") return "wal_keep_size";
  if (major < 13 && name == "wal_keep_size") return "wal_keep_segments";
  return std::nullopt;
}

Result<nlohmann::json> ConvertRenamedParameters(const nlohmann::json& parameters, int major) {
  if (!parameters.is_object() || major <= 0) return parameters;
  nlohmann::json out = parameters;
  const bool has_segments = out.contains("wal_keep_segments");
  const bool has_size = out.contains("wal_keep_size");
  if (major >= 13 && has_segments) {
    auto segments = WholeNumber(out["wal_keep_segments"]);
    if (!segments) {
      return Err("wal_keep_segments: " + internal::Shown(out["wal_keep_segments"]) +
                 " is not a whole number of segments (PostgreSQL " + std::to_string(major) +
                 " takes it as wal_keep_size)");
    }
    int64_t mb = *segments * kSegmentMb;
    if (has_size) {
      auto size = SizeMb(out["wal_keep_size"]);
      if (!size)
        return Err("wal_keep_size: " + internal::Shown(out["wal_keep_size"]) + " is not a size");
      mb = std::max(mb, *size);
    }
    out.erase("wal_keep_segments");
    out["wal_keep_size"] = std::to_string(mb) + "MB";
  } else if (major < 13 && has_size) {
    auto size = SizeMb(out["wal_keep_size"]);
    if (!size) {
      return Err("wal_keep_size: " + internal::Shown(out["wal_keep_size"]) +
                 " is not a size (PostgreSQL " + std::to_string(major) +
                 " takes it as wal_keep_segments)");
    }
    int64_t segments = (*size + kSegmentMb - 1) / kSegmentMb;
    if (has_segments) {
      auto given = WholeNumber(out["wal_keep_segments"]);
      if (!given) {
        return Err("wal_keep_segments: " + internal::Shown(out["wal_keep_segments"]) +
                   " is not a whole number of segments");
      }
      segments = std::max(segments, *given);
    }
    out.erase("wal_keep_size");
    out["wal_keep_segments"] = segments;
  }
  return out;
}

}  // namespace pgha::config
