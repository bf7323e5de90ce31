#pragma once
// How to read a PostgreSQL tool's failure: which ones are worth retrying as they are. Pure.
#include <string>

namespace pgha::pg {

// True when pg_rewind failed before it touched the data directory because it could not reach
// the source server (refused, timed out, name not resolved): running it again later is safe. A
// failure after it connected (it printed where the servers diverged, or a fetch failed) may
// have left the data directory half-rewound: that one is not transient.
bool RewindFailureIsTransient(const std::string& output);

}  // namespace pgha::pg
