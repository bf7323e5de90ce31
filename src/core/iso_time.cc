#include "core/iso_time.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace pgha {
namespace {

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

struct TimeOfDay {
  int hour = 0, minute = 0, second = 0;
  std::chrono::microseconds fraction{0};
};

std::optional<TimeOfDay> ReadTimeOfDay(std::string_view text, size_t& pos) {
  TimeOfDay c;
  std::optional<int> h = Digits(text, pos, 2);
  if (!h || !Expect(text, pos, ':')) return std::nullopt;
  std::optional<int> m = Digits(text, pos, 2);
  if (!m || *h > 23 || *m > 59) return std::nullopt;
  c.hour = *h;
  c.minute = *m;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    std::optional<int> s = Digits(text, pos, 2);
    if (!s || *s > 60) return std::nullopt;  // 60: a leap second, as PostgreSQL accepts
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
  TimeOfDay clock;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    std::optional<TimeOfDay> c = ReadTimeOfDay(text, pos);
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

std::optional<double> ParseZonedEpoch(std::string_view text) {
  std::optional<ParsedTime> t = ParseIsoTime(text);
  if (!t || !t->has_zone) return std::nullopt;
  return EpochSeconds(t->at);
}

double EpochSeconds(SystemTime at) {
  return std::chrono::duration<double>(at.time_since_epoch()).count();
}

std::string FormatIsoTime(SystemTime at) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S+00:00", &utc);
  return text;
}

std::string FormatIsoTimeMicros(double epoch_seconds) {
  auto secs = static_cast<std::time_t>(epoch_seconds);
  auto micros = static_cast<long>((epoch_seconds - static_cast<double>(secs)) * 1e6);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%06ld+00:00", buf, micros);
  return out;
}

}  // namespace pgha
