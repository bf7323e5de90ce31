#pragma once
// PostgreSQL's synchronous_standby_names grammar (syncrep_gram.y), parsed in one place: the
// leader's quorum rules read the value in force with it (ha/sync.h), and the simulator's
// PostgreSQL applies it (tests/sim/fake_postgres.h).
#include <optional>
#include <string>
#include <vector>

namespace pgha {

// `num` of `names` must confirm a commit. `quorum`: ANY (any `num` of them); otherwise the
// priority form (the first `num` connected, in list order). num == 0: asynchronous ("").
struct SyncStandbyNames {
  int num = 0;
  std::vector<std::string> names;
  bool quorum = false;
  bool operator==(const SyncStandbyNames&) const = default;
  // '*' is listed: any standby may confirm.
  bool Wildcard() const;
};

// "" ; name ; name,name ; [FIRST|ANY] n (name,...) ; names are identifiers, numbers, '*' or
// double-quoted with "" for a quote. nullopt: PostgreSQL would reject the value.
std::optional<SyncStandbyNames> ParseSyncStandbyNames(const std::string& value);

// PostgreSQL matches standby names case-insensitively; '*' matches any standby.
bool SyncStandbyMatches(const std::string& listed, const std::string& application_name);

}  // namespace pgha
