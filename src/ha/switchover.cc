// Planned switchover and manual failover (the /failover key, docs/interfaces.md §5.2):
// the pure pieces Decide uses on the leader and on the candidate.
#include <cstdio>
#include <ctime>

#include "ha/decision.h"

namespace pgha::ha {

std::string IsoTime(double epoch_seconds) {
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

std::optional<double> ParseIsoTime(const std::string& text) {
  int y, mo, d, h, mi;
  double sec;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec,
                  &consumed) != 6) {
    return std::nullopt;
  }
  std::string zone = text.substr(static_cast<size_t>(consumed));
  int offset = 0;
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int zh = 0, zm = 0;
    if (std::sscanf(zone.c_str() + 1, "%2d:%2d", &zh, &zm) != 2) return std::nullopt;
    offset = (zh * 60 + zm) * 60 * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 || sec >= 61) {
    return std::nullopt;
  }
  std::tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  t.tm_sec = 0;
  return static_cast<double>(timegm(&t)) + sec - offset;
}

std::string CandidateProblem(const ClusterView& view, const std::string& candidate) {
  const Member* m = view.FindMember(candidate);
  if (!m) return candidate + " is not a member of the cluster";
  if (view.leader == candidate) return candidate + " is already the leader";
  if (m->state != "running" || m->role != "replica") {
    return candidate + " is not a running replica (state " + m->state + ")";
  }
  if (!m->tags.CanPromote()) return candidate + " has tags that forbid promotion";
  return "";
}

}  // namespace pgha::ha
