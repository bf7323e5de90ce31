#pragma once
// The SQL the agent needs, one function per question or command: no SQL text outside pg/.
// Each runs over the agent's own connection (Postgres::Query), or over a connection to another
// member (pg::Connection) where it says so.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"
#include "pg/postgres.h"

namespace pgha::pg {

Status Checkpoint(Postgres& pg);
// The WAL receiver's status is "streaming" (false when it is not, or there is none).
bool WalReceiverStreaming(Postgres& pg);

// One row of pg_replication_slots.
struct SlotInfo {
  std::string name;
  bool logical = false;
  std::string database, plugin;  // logical slots
  bool active = false;
  std::optional<uint64_t> restart_lsn, confirmed_flush_lsn;
  // Where the slot stands: confirmed_flush_lsn for a logical slot, restart_lsn for a physical one.
  std::optional<uint64_t> Position() const { return logical ? confirmed_flush_lsn : restart_lsn; }
};
Result<std::vector<SlotInfo>> ReplicationSlots(Postgres& pg);
Status CreatePhysicalSlot(Postgres& pg, const std::string& slot);
// Moves `slot` forward to `lsn` (PostgreSQL stops at what it has flushed or replayed).
Status AdvanceSlot(Postgres& pg, const std::string& slot, uint64_t lsn);
// Creates logical slot `slot` with output plugin `plugin`, over `conn` (a connection to the
// slot's database: a logical slot belongs to the database it is created in).
Status CreateLogicalSlot(Connection& conn, const std::string& slot, const std::string& plugin);
// Drops `slot` unless a WAL sender is using it (then the next call tries again).
Status DropInactiveSlot(Postgres& pg, const std::string& slot);

// Creates the login role `name` if it does not exist, and sets its password and `attributes`
// (e.g. "REPLICATION").
Status EnsureLoginRole(Postgres& pg, const std::string& name, const std::string& password,
                       const std::string& attributes);
// What pg_rewind needs of a role that is not a superuser (PostgreSQL's documentation: the file
// functions it calls).
Status GrantRewindFunctions(Postgres& pg, const std::string& role);

// The WAL position another member's server has received (pg_last_wal_receive_lsn), over `conn`.
Result<uint64_t> ReceivedLsn(Connection& conn);

// Makes the primary behind `conn` flush the WAL it has inserted: one committed transaction
// with a transaction id (its commit record is flushed, and everything before it). An idle
// primary can hold a record in a partial page unflushed for minutes (walwriter writes whole pages
// only); pg_rewind sets a rewound member's minimum recovery point to the primary's insert
// position, and the member cannot become consistent until that record is sent.
Status FlushWal(Connection& conn);

}  // namespace pgha::pg
