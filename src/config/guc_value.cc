// CheckGucValue: PostgreSQL's own parsing rules (guc.c parse_int, parse_real, parse_bool,
// convert_to_base_unit, config_enum_lookup_by_name), so that what passes here also starts.
#include <strings.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "config/guc_catalog.h"
#include "config/values.h"

namespace pgha::config {
namespace {

struct UnitFactor {
  const char* unit;
  double factor;  // bytes, or microseconds
};
constexpr UnitFactor kMemory[] = {{"B", 1.0},
                                  {"kB", 1024.0},
                                  {"MB", 1024.0 * 1024},
                                  {"GB", 1024.0 * 1024 * 1024},
                                  {"TB", 1024.0 * 1024 * 1024 * 1024}};
constexpr UnitFactor kTime[] = {{"us", 1.0},       {"ms", 1e3},       {"s", 1e6},
                                {"min", 60 * 1e6}, {"h", 3600 * 1e6}, {"d", 86400 * 1e6}};

// The size of one base unit ("8kB" -> 8192 bytes, "min" -> 6e7 us); 0 when not a unit.
double BaseFactor(const std::string& base, bool* memory) {
  if (base == "8kB") {
    *memory = true;
    return 8192.0;
  }
  for (const auto& u : kMemory) {
    if (base == u.unit) {
      *memory = true;
      return u.factor;
    }
  }
  for (const auto& u : kTime) {
    if (base == u.unit) {
      *memory = false;
      return u.factor;
    }
  }
  return 0;
}

std::string Number(double v, bool integer) {
  char buf[64];
  if (integer) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%g", v);
  }
  return buf;
}

std::string Range(const GucSpec& spec) {
  bool integer = spec.type == GucType::kInteger;
  std::string out = "allowed: " + Number(spec.min, integer) + " to " + Number(spec.max, integer);
  if (!spec.unit.empty()) out += ", in units of " + spec.unit;
  return out;
}

std::string UnitList(bool memory) { return memory ? "B, kB, MB, GB, TB" : "us, ms, s, min, h, d"; }

// Converts the unit suffix `unit` (whitespace already skipped) into `spec`'s base unit.
Status ConvertUnit(const GucSpec& spec, const char* unit, double* value) {
  std::string text(unit);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (spec.unit.empty()) return Err("this parameter takes no unit");
  bool memory = false;
  double base = BaseFactor(spec.unit, &memory);
  if (base == 0) return OkStatus();  // a base unit this table does not know: let it through
  const auto* begin = memory ? std::begin(kMemory) : std::begin(kTime);
  const auto* end = memory ? std::end(kMemory) : std::end(kTime);
  for (const auto* u = begin; u != end; ++u) {
    if (text == u->unit) {
      *value = *value * u->factor / base;
      return OkStatus();
    }
  }
  return Err("valid units for this parameter are " + UnitList(memory));
}

// parse_int / parse_real: a number (integers also in octal/hex), optional whitespace, an
// optional unit. The result is in the parameter's base unit.
Status ParseNumber(const GucSpec& spec, const std::string& text, double* out) {
  const bool integer = spec.type == GucType::kInteger;
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  double v = 0;
  if (integer) {
    v = static_cast<double>(std::strtoll(s, &end, 0));
    if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
      errno = 0;
      v = std::strtod(s, &end);
    }
  } else {
    v = std::strtod(s, &end);
  }
  if (end == s || errno == ERANGE || std::isnan(v)) {
    return Err(std::string(integer ? "is not an integer" : "is not a number"));
  }
  while (std::isspace(static_cast<unsigned char>(*end))) ++end;
  if (*end != '\0') {
    Status unit = ConvertUnit(spec, end, &v);
    if (!unit.ok()) return Err("has an invalid unit: " + unit.message());
  }
  if (integer) {
    v = std::rint(v);
    if (v > 2147483647.0 || v < -2147483648.0) return Err("exceeds the integer range");
  }
  *out = v;
  return OkStatus();
}

bool ParsePgBool(const std::string& v) {
  const size_t n = v.size();
  auto prefix_of = [&](const char* word, size_t min_len) {
    return n >= min_len && n <= std::strlen(word) && strncasecmp(v.c_str(), word, n) == 0;
  };
  if (n == 0) return false;
  switch (std::tolower(static_cast<unsigned char>(v[0]))) {
    case 't':
      return prefix_of("true", 1);
    case 'f':
      return prefix_of("false", 1);
    case 'y':
      return prefix_of("yes", 1);
    case 'n':
      return prefix_of("no", 1);
    case 'o':
      return prefix_of("on", 2) || prefix_of("off", 2);
    case '0':
    case '1':
      return n == 1;
  }
  return false;
}

std::string Joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + (v.empty() ? "\"\"" : v);
  return out;
}

Status CheckEnum(const GucSpec& spec, const std::string& text) {
  if (spec.enum_values.empty()) return OkStatus();  // values unknown for this major
  std::string lower = text;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& v : spec.enum_values) {
    if (v == lower) return OkStatus();
  }
  return Err("is not one of: " + Joined(spec.shown_values));
}

}  // namespace

Status CheckGucValue(const GucSpec& spec, const nlohmann::json& value) {
  const std::string text = GucText(value);
  const std::string shown = internal::Shown(value);
  auto fail = [&](const std::string& why, bool range) -> Status {
    return Err(shown + " " + why + (range ? " (" + Range(spec) + ")" : ""));
  };
  switch (spec.type) {
    case GucType::kString:
      return OkStatus();
    case GucType::kBool:
      if (ParsePgBool(text)) return OkStatus();
      return fail("is not a boolean (allowed: on, off, true, false, yes, no, 1, 0)", false);
    case GucType::kEnum: {
      Status st = CheckEnum(spec, text);
      return st.ok() ? st : fail(st.message(), false);
    }
    case GucType::kInteger:
    case GucType::kReal: {
      double v = 0;
      Status st = ParseNumber(spec, text, &v);
      if (!st.ok()) return fail(st.message(), true);
      if (v < spec.min || v > spec.max) return fail("is outside the valid range", true);
      return OkStatus();
    }
  }
  return OkStatus();
}

}  // namespace pgha::config
