#include "pg/admin.h"

#include "core/lsn.h"

namespace pgha::pg {
namespace {

Status Run(Postgres& pg, const std::string& sql) {
  auto r = pg.Query(sql);
  if (!r.ok()) return r.error();
  return OkStatus();
}

}  // namespace

Status Checkpoint(Postgres& pg) { return Run(pg, "CHECKPOINT"); }

bool WalReceiverStreaming(Postgres& pg) {
  auto r = pg.Query("SELECT status FROM pg_stat_wal_receiver");
  return r.ok() && !r->empty() && (*r)[0][0] == std::optional<std::string>("streaming");
}

Result<std::vector<SlotInfo>> ReplicationSlots(Postgres& pg) {
  auto r = pg.Query(
      "SELECT slot_name, slot_type, database, plugin, active, (restart_lsn - '0/0')::bigint, "
      "(confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots");
  if (!r.ok()) return r.error();
  std::vector<SlotInfo> out;
  auto lsn = [](const std::optional<std::string>& v) -> std::optional<uint64_t> {
    if (!v || v->empty() || v->find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return static_cast<uint64_t>(std::stoull(*v));
  };
  for (const auto& row : *r) {
    if (row.size() < 7 || !row[0]) continue;
    SlotInfo s;
    s.name = *row[0];
    s.logical = row[1] == std::optional<std::string>("logical");
    s.database = row[2].value_or("");
    s.plugin = row[3].value_or("");
    s.active = row[4] == std::optional<std::string>("t");
    s.restart_lsn = lsn(row[5]);
    s.confirmed_flush_lsn = lsn(row[6]);
    out.push_back(std::move(s));
  }
  return out;
}

Status CreatePhysicalSlot(Postgres& pg, const std::string& slot) {
  auto lit = pg.Literal(slot);
  if (!lit.ok()) return lit.error();
  return Run(pg, "SELECT pg_create_physical_replication_slot(" + *lit + ", true)");
}

Status AdvanceSlot(Postgres& pg, const std::string& slot, uint64_t lsn) {
  auto lit = pg.Literal(slot);
  if (!lit.ok()) return lit.error();
  return Run(pg, "SELECT pg_replication_slot_advance(" + *lit + ", '" + Lsn{lsn}.ToString() +
                     "'::pg_lsn)");
}

Status CreateLogicalSlot(Connection& conn, const std::string& slot, const std::string& plugin) {
  auto r = conn.Query("SELECT pg_create_logical_replication_slot(" + conn.QuoteLiteral(slot) +
                      ", " + conn.QuoteLiteral(plugin) + ")");
  if (!r.ok()) return r.error();
  return OkStatus();
}

Status DropInactiveSlot(Postgres& pg, const std::string& slot) {
  auto lit = pg.Literal(slot);
  if (!lit.ok()) return lit.error();
  return Run(pg,
             "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
             "slot_name = " +
                 *lit + " AND NOT active");
}

Status EnsureLoginRole(Postgres& pg, const std::string& name, const std::string& password,
                       const std::string& attributes) {
  auto name_lit = pg.Literal(name);
  if (!name_lit.ok()) return name_lit.error();
  auto pw_lit = pg.Literal(password);
  if (!pw_lit.ok()) return pw_lit.error();
  return Run(pg, "DO $pgha$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = " +
                     *name_lit + ") THEN EXECUTE format('CREATE ROLE %I', " + *name_lit +
                     "); END IF; EXECUTE format('ALTER ROLE %I WITH LOGIN " + attributes +
                     " PASSWORD %L', " + *name_lit + ", " + *pw_lit + "); END $pgha$");
}

Status GrantRewindFunctions(Postgres& pg, const std::string& role) {
  auto lit = pg.Literal(role);
  if (!lit.ok()) return lit.error();
  for (const char* fn :
       {"pg_catalog.pg_ls_dir(text, boolean, boolean)", "pg_catalog.pg_stat_file(text, boolean)",
        "pg_catalog.pg_read_binary_file(text)",
        "pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)"}) {
    PGHA_TRY(Run(pg, std::string("DO $pgha$ BEGIN EXECUTE format('GRANT EXECUTE ON FUNCTION ") +
                         fn + " TO %I', " + *lit + "); END $pgha$"));
  }
  return OkStatus();
}

Result<uint64_t> ReceivedLsn(Connection& conn) {
  auto r = conn.Query("SELECT (pg_last_wal_receive_lsn() - '0/0')::bigint");
  if (!r.ok()) return r.error();
  if (r->empty() || r->front().empty() || !r->front()[0]) return uint64_t{0};
  try {
    return static_cast<uint64_t>(std::stoull(*r->front()[0]));
  } catch (const std::exception&) {
    return Err("unexpected receive position: " + *r->front()[0]);
  }
}

Status FlushWal(Connection& conn) {
  // The commit record is flushed before a synchronous standby is waited for; a standby that is
  // down (the rewound member itself may be the one named) must not hold the caller: the
  // timeout cancels the wait, and the flush has happened by then.
  auto timeout = conn.Query("SET statement_timeout = 2000");
  if (!timeout.ok()) return timeout.error();
  auto r = conn.Query("SELECT txid_current()");
  if (!r.ok()) return r.error();
  return OkStatus();
}

}  // namespace pgha::pg
