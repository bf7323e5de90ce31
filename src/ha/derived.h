#pragma once
// The inputs of ha::Decide that are not read from one place but derived from consecutive
// observations: how long a condition has lasted, and the settle point of
// synchronous_standby_names. Pure: the agent keeps the previous value and calls these once per
// loop with the new facts (tests/unit/ha/derived_test.cc).
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "ha/local_state.h"

namespace pgha::ha {

struct Durations {
  // Since when this member has held the leader key with PostgreSQL not running.
  std::optional<MonoTime> primary_down_since;
  // Since when every start as primary under the key held has failed (set by the executor when a
  // start fails; cleared here once the key is gone or PostgreSQL runs).
  std::optional<MonoTime> primary_start_failing_since;
  // Since when this running replica has had no streaming WAL receiver.
  std::optional<MonoTime> not_streaming_since;
  // When the executor last released the leader key while PostgreSQL was not running
  // (Observation::released_key_at); kept as it is.
  std::optional<MonoTime> released_key_at;
  bool operator==(const Durations&) const = default;
};

// `holding`: the last etcd read named this member as the leader. `pg`: PostgreSQL as just read.
Durations NextDurations(const Durations& prev, bool holding, const LocalPg& pg, MonoTime now);

// synchronous_standby_names as PostgreSQL reported it, since when, and the WAL position read once
// it had held kSyncSettleTime (ha/sync.h): Observation::sync_names_settled_lsn.
struct SyncSettle {
  std::string value;
  MonoTime since{};
  std::optional<uint64_t> settled;
  bool operator==(const SyncSettle&) const = default;
};

// `observed_at` is taken before PostgreSQL was read, so a settled position is never from before
// the settle time. Only a running primary's value settles; anything else starts over.
SyncSettle NextSyncSettle(const SyncSettle& prev, const LocalPg& pg, MonoTime observed_at);

}  // namespace pgha::ha
