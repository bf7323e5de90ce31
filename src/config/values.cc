#include "config/values.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "core/strings.h"

namespace pgha::config::internal {

std::string Shown(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool ParseIntText(const std::string& text, int64_t* out) {
  std::string t = Trim(text);
  const char* begin = t.data();
  if (!t.empty() && t[0] == '+') ++begin;
  auto r = std::from_chars(begin, t.data() + t.size(), *out);
  return !t.empty() && r.ec == std::errc() && r.ptr == t.data() + t.size();
}

bool ParseBoolText(const std::string& text, bool* out) {
  std::string t = Trim(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "on" || t == "true" || t == "yes" || t == "1") {
    *out = true;
    return true;
  }
  if (t == "off" || t == "false" || t == "no" || t == "0") {
    *out = false;
    return true;
  }
  return false;
}

Result<int64_t> JsonInt(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() && value.get<uint64_t>() > INT64_MAX) {
      return Err("integer out of range, got " + Shown(value));
    }
    return value.get<int64_t>();
  }
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9e18) return static_cast<int64_t>(d);
  }
  int64_t parsed = 0;
  if (value.is_string() && ParseIntText(value.get<std::string>(), &parsed)) return parsed;
  return Err("expected an integer, got " + Shown(value));
}

Result<bool> JsonBool(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>();
  bool parsed = false;
  if (value.is_string() && ParseBoolText(value.get<std::string>(), &parsed)) return parsed;
  if (value.is_number_integer()) {
    const auto n = value.get<int64_t>();
    if (n == 0 || n == 1) return n == 1;
  }
  return Err("expected a boolean, got " + Shown(value));
}

void MergeJson(nlohmann::json* base, const nlohmann::json& top) {
  if (!base->is_object() || !top.is_object()) {
    *base = top;
    return;
  }
  for (const auto& [key, value] : top.items()) MergeJson(&(*base)[key], value);
}

}  // namespace pgha::config::internal
