#pragma once
// Timeline numbers a promotion may take (docs/safety.md, "Timeline numbers"). PostgreSQL promotes
// to the first number after its recovery timeline that has no pg_wal/<tl>.history file; pgha
// writes placeholder files for numbers another member has claimed, so that no two members ever
// promote to the same number (pg_rewind compares timelines by number only).
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "pg/postgres.h"

namespace pgha::pg {

// The reason written for a number a lineage skipped, in placeholder files and in /history.
inline constexpr const char* kSkippedTimelineReason =
    "pgha: timeline number reserved, claimed by another member's promotion";

// A lineage (the lines of the current timeline's history file) with the numbers it skipped: each
// number g between a parent timeline p and its child gets {g, p's switch LSN, the reason above},
// so /history names every number below `current`, in order.
std::vector<TimelineSwitch> WithSkippedTimelines(const std::vector<TimelineSwitch>& lineage,
                                                 uint32_t current);

// The highest timeline with a WAL segment file in <data_dir>/pg_wal (24 hex digits: timeline,
// log, segment; not history files, .partial or .backup files); 0 when none. The newest timeline
// this data directory wrote or received WAL on.
uint32_t HighestSegmentTimeline(const std::string& data_dir);

// Writes a placeholder <pg_wal>/<tl>.history for every number from current + 1 up to
// `at_least` - 1 that has no file, and returns the number PostgreSQL's next promotion takes: the
// first number after `current` with no file, at least `at_least`. A placeholder holds the current
// timeline's lineage (`parent_history`) and a line forking at `lsn`, so it parses like a real one.
Result<uint32_t> ReserveTimelineNumbers(const std::string& pg_wal, uint32_t current, uint64_t lsn,
                                        uint32_t at_least, const std::string& parent_history);

}  // namespace pgha::pg
