// Derived inputs of Decide (ha/derived.h).
#include "ha/derived.h"

#include "ha/sync.h"

namespace pgha::ha {
namespace {

// `since` while `condition` holds (set now if it just began), else nothing.
std::optional<MonoTime> Lasting(bool condition, const std::optional<MonoTime>& since,
                                MonoTime now) {
  if (!condition) return std::nullopt;
  return since ? since : std::optional<MonoTime>(now);
}

}  // namespace

Durations NextDurations(const Durations& prev, bool holding, const LocalPg& pg, MonoTime now) {
  Durations next;
  next.primary_down_since = Lasting(holding && !pg.running, prev.primary_down_since, now);
  if (holding && !pg.running) next.primary_start_failing_since = prev.primary_start_failing_since;
  next.not_streaming_since =
      Lasting(pg.running && pg.in_recovery && !pg.streaming, prev.not_streaming_since, now);
  next.released_key_at = prev.released_key_at;
  return next;
}

SyncSettle NextSyncSettle(const SyncSettle& prev, const LocalPg& pg, MonoTime observed_at) {
  const bool primary = pg.running && !pg.in_recovery;
  SyncSettle next = prev;
  if (!primary || pg.synchronous_standby_names != prev.value) {
    next = SyncSettle{pg.synchronous_standby_names, observed_at, std::nullopt};
  }
  if (!next.settled && primary && observed_at - next.since >= kSyncSettleTime) {
    next.settled = pg.wal_lsn;
  }
  return next;
}

}  // namespace pgha::ha
