#include "pg/admin.h"

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

Result<std::vector<std::string>> PhysicalSlots(Postgres& pg) {
  auto r = pg.Query("SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'physical'");
  if (!r.ok()) return r.error();
  std::vector<std::string> out;
  for (const auto& row : *r) {
    if (!row.empty() && row[0]) out.push_back(*row[0]);
  }
  return out;
}

Status CreatePhysicalSlot(Postgres& pg, const std::string& slot) {
  auto lit = pg.Literal(slot);
  if (!lit.ok()) return lit.error();
  return Run(pg, "SELECT pg_create_physical_replication_slot(" + *lit + ", true)");
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

}  // namespace pgha::pg
