#pragma once
// The data directory on disk: when it counts as empty, and how pgha makes room for a new cluster
// without ever deleting what it did not create (docs/safety.md).
#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace pgha::pg {

// Entries of `dir` other than lost+found (what a fresh filesystem holds); empty when `dir` is
// absent. A data directory is empty exactly when this is empty.
std::vector<std::string> DataDirEntries(const std::string& dir);

// True when `dir` is the root of a mounted filesystem (a volume): it cannot be renamed.
bool IsMountPoint(const std::string& dir);

// Renames `dir` to `dir.failed-<epoch seconds>` and creates a new empty `dir` (0700). Returns
// where the old one went. Refuses a mount point (the error says what to do instead). Only the
// newest copy of a PostgreSQL data directory is kept: older `dir.failed-*` copies holding one
// (PG_VERSION) are removed, each named in a warning; files that were no cluster stay. Else
// repeated failures would fill the disk and leave no room for the clone that follows (the
// fault suite's storm did exactly that).
Result<std::string> MoveDataDirAside(const std::string& dir);

// Makes `dir` an empty directory (0700) for initdb or a clone: created when absent, left as it
// is when empty, moved aside (never deleted) when it holds anything. `moved_to` receives where.
Status MakeRoomForNewCluster(const std::string& dir, std::string* moved_to);

// True when `pid` runs: not gone and not a zombie. A killed postmaster stays a zombie until its
// parent (often init) reaps it, and kill(pid, 0) succeeds on zombies: /proc tells them apart.
bool ProcessRunning(pid_t pid);

// True when a live process (not a zombie) has `dir` as its working directory: every PostgreSQL
// process of a data directory has. Processes of other users may be invisible (not PostgreSQL's).
bool AnyProcessWorkingIn(const std::string& dir);

// Removes <dir>/postmaster.pid when it is stale: the postmaster it names is gone or a zombie not
// reaped yet (PostgreSQL's own check counts a zombie as alive and refuses to start, also in the
// single-user recovery pg_rewind runs), and no process of that server is left. True if removed.
bool RemoveStalePostmasterPid(const std::string& dir);

// Where a clone is built before it is renamed into place: a sibling of `dir`, or `dir` itself
// when it is a mount point.
std::string CloneStagingDir(const std::string& dir);

}  // namespace pgha::pg
