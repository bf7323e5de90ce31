#pragma once
// ISO 8601 timestamps as Patroni and PostgreSQL write them: the one parser and the one formatter.
// Accepts 2026-05-01, 2026-05-01T10:00, ...T10:00:00[.123456] with 'T', 't' or ' ' between date
// and time, and a zone Z, +02, +0200 or +02:00 (PostgreSQL's timestamptz text: "+00").
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pgha {

using SystemTime = std::chrono::system_clock::time_point;

struct ParsedTime {
  SystemTime at;
  bool has_zone = false;  // false: the text named no zone, and `at` reads it as UTC
};
// Nullopt when malformed, or outside 1970..2200 (64-bit nanoseconds end in 2262).
std::optional<ParsedTime> ParseIsoTime(std::string_view text);
// Epoch seconds of a timestamp that names its zone; nullopt when malformed or zone-less.
std::optional<double> ParseZonedEpoch(std::string_view text);

double EpochSeconds(SystemTime at);
// 2026-05-01T10:00:00+00:00 (whole seconds, UTC).
std::string FormatIsoTime(SystemTime at);
// Patroni's /history timestamp: 2026-11-22T09:04:12.229119+00:00 (UTC, microseconds).
std::string FormatIsoTimeMicros(double epoch_seconds);

}  // namespace pgha
