// Request bodies and timestamps: JSON object bodies, ISO 8601 schedules, the /config settings the
// handlers need.
#include "api/requests.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace pgha::api {
namespace {

using nlohmann::json;

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int> Digits(std::string_view text, size_t& pos, size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// "Z", "+02", "+0200", "+02:00" -> offset in minutes east of UTC.
std::optional<int> ZoneOffset(std::string_view text, size_t& pos) {
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
    return 0;
  }
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
  int sign = text[pos++] == '-' ? -1 : 1;
  std::optional<int> hours = Digits(text, pos, 2);
  if (!hours || *hours > 23) return std::nullopt;
  int minutes = 0;
  if (pos < text.size()) {
    Expect(text, pos, ':');
    std::optional<int> m = Digits(text, pos, 2);
    if (!m || *m > 59) return std::nullopt;
    minutes = *m;
  }
  return sign * (*hours * 60 + minutes);
}

struct Clock {
  int hour = 0, minute = 0, second = 0;
  std::chrono::microseconds fraction{0};
};

std::optional<Clock> TimeOfDay(std::string_view text, size_t& pos) {
  Clock c;
  std::optional<int> h = Digits(text, pos, 2);
  if (!h || !Expect(text, pos, ':')) return std::nullopt;
  std::optional<int> m = Digits(text, pos, 2);
  if (!m || *h > 23 || *m > 59) return std::nullopt;
  c.hour = *h;
  c.minute = *m;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    std::optional<int> s = Digits(text, pos, 2);
    if (!s || *s > 59) return std::nullopt;
    c.second = *s;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      int64_t micros = 0, scale = 100000;
      size_t start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        micros += (text[pos++] - '0') * scale;
        scale /= 10;
      }
      if (pos == start) return std::nullopt;
      c.fraction = std::chrono::microseconds(micros);
    }
  }
  return c;
}

}  // namespace

Checked<json> ParseJsonObject(std::string_view body, bool optional) {
  using R = Checked<json>;
  if (body.empty()) {
    return optional ? R::Accept(json::object()) : R::Refuse(400, "Bad request: empty body");
  }
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return R::Refuse(400, "Bad request: body is not valid JSON");
  if (!parsed.is_object()) return R::Refuse(400, "Bad request: body must be a JSON object");
  if (parsed.empty() && !optional) return R::Refuse(400, "Bad request: empty JSON object");
  return R::Accept(std::move(parsed));
}

std::optional<ParsedTime> ParseIsoTime(std::string_view text) {
  size_t pos = 0;
  std::optional<int> y = Digits(text, pos, 4);
  if (!y || !Expect(text, pos, '-')) return std::nullopt;
  std::optional<int> mo = Digits(text, pos, 2);
  if (!mo || !Expect(text, pos, '-')) return std::nullopt;
  std::optional<int> d = Digits(text, pos, 2);
  if (!d) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(*y),
                                   std::chrono::month(static_cast<unsigned>(*mo)),
                                   std::chrono::day(static_cast<unsigned>(*d))};
  // system_clock counts nanoseconds in 64 bits: years past 2262 would overflow (fuzzer finding).
  if (!date.ok() || *y < 1970 || *y > 2200) return std::nullopt;
  Clock clock;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    std::optional<Clock> c = TimeOfDay(text, pos);
    if (!c) return std::nullopt;
    clock = *c;
  }
  ParsedTime out;
  int offset_minutes = 0;
  if (pos < text.size()) {
    std::optional<int> zone = ZoneOffset(text, pos);
    if (!zone || pos != text.size()) return std::nullopt;
    offset_minutes = *zone;
    out.has_zone = true;
  }
  using namespace std::chrono;
  out.at = time_point_cast<system_clock::duration>(sys_days(date) + hours(clock.hour) +
                                                   minutes(clock.minute) + seconds(clock.second) +
                                                   clock.fraction - minutes(offset_minutes));
  return out;
}

Checked<SystemTime> ParseSchedule(const json& value, std::string_view action, SystemTime now) {
  using R = Checked<SystemTime>;
  const std::string what(action);
  std::optional<ParsedTime> parsed =
      value.is_string() ? ParseIsoTime(value.get_ref<const std::string&>()) : std::nullopt;
  if (!parsed) {
    return R::Refuse(422,
                     "Unable to parse scheduled timestamp. It should be in an unambiguous format, "
                     "e.g. ISO 8601");
  }
  if (!parsed->has_zone) {
    return R::Refuse(400, "Timezone information is mandatory for the scheduled " + what);
  }
  if (parsed->at < now) return R::Refuse(422, "Cannot schedule " + what + " in the past");
  return R::Accept(parsed->at);
}

std::string FormatIsoTime(SystemTime at) {
  using namespace std::chrono;
  std::time_t seconds = system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S+00:00", &utc);
  return text;
}

DynamicView ReadDynamic(const std::string& config_json) {
  DynamicView out;
  json c = json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (!c.is_object()) return out;
  out.pause = ParseBool(c.value("pause", json())).value_or(false);
  json sync = c.value("synchronous_mode", json());
  out.synchronous_mode = sync.is_string() ? sync == "quorum" || ParseBool(sync).value_or(false)
                                          : ParseBool(sync).value_or(false);
  json loop_wait = c.value("loop_wait", json());
  if (loop_wait.is_number_integer() && loop_wait.get<int64_t>() > 0 &&
      loop_wait.get<int64_t>() < 3600) {
    out.loop_wait = loop_wait.get<int>();
  }
  return out;
}

std::optional<bool> ParseBool(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  std::string text;
  if (value.is_number_integer()) {
    text = std::to_string(value.get<int64_t>());
  } else if (value.is_string()) {
    for (char c : value.get_ref<const std::string&>()) text += static_cast<char>(std::tolower(c));
  } else {
    return std::nullopt;
  }
  if (text == "on" || text == "true" || text == "yes" || text == "1") return true;
  if (text == "off" || text == "false" || text == "no" || text == "0") return false;
  return std::nullopt;
}

bool MergePatch(json& target, const json& patch) {
  if (!patch.is_object()) {
    bool changed = target != patch;
    target = patch;
    return changed;
  }
  bool changed = false;
  if (!target.is_object()) {
    target = json::object();
    changed = true;
  }
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      changed = target.erase(key) > 0 || changed;
    } else if (value.is_object() && target.contains(key) && target[key].is_object()) {
      changed = MergePatch(target[key], value) || changed;
    } else if (!target.contains(key) || target[key] != value) {
      // As Patroni's patch_config: a value for a key the target lacks (or holds as no object)
      // goes in as given, nulls inside it included: {"slots": {"s1": null}} adds the
      // physical slot s1 (its features rely on it), where RFC 7386 would drop it.
      target[key] = value;
      changed = true;
    }
  }
  return changed;
}

}  // namespace pgha::api
