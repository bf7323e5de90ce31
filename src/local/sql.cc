#include "local/sql.h"

#include <libpq-fe.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "core/strings.h"
#include "pg/libpq_handles.h"

namespace pgha::ctl {
namespace {

using Conn = pg::PgConnPtr;
using PgResult = pg::PgResultPtr;

Result<Conn> Connect(const std::string& conninfo) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    return Err(Trim(conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  return conn;
}

// Executes `sql` (possibly many statements); error with the server's message.
Status Exec(PGconn* conn, const std::string& sql) {
  PgResult res(PQexec(conn, sql.c_str()));
  ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    return OkStatus();
  }
  return Err(Trim(PQerrorMessage(conn)));
}

Result<bool> Exists(PGconn* conn, const char* query, const std::string& name) {
  const char* params[] = {name.c_str()};
  PgResult res(PQexecParams(conn, query, 1, nullptr, params, nullptr, nullptr, 0));
  if (!res || PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    return Err(Trim(PQerrorMessage(conn)));
  }
  return PQntuples(res.get()) > 0;
}

std::string Escaped(PGconn* conn, const std::string& text, bool identifier) {
  char* raw = identifier ? PQescapeIdentifier(conn, text.c_str(), text.size())
                         : PQescapeLiteral(conn, text.c_str(), text.size());
  std::string out = raw != nullptr ? raw : "";
  PQfreemem(raw);
  return out;
}

// Connects as superuser through the write port once it reaches a primary (not in recovery).
Result<Conn> ConnectToPrimary(const LocalCluster& c, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string info = Conninfo(c.spec.ports.write, c.superuser, "postgres");
  std::string last = "no attempt";
  while (std::chrono::steady_clock::now() < deadline) {
    auto conn = Connect(info);
    if (conn.ok()) {
      PgResult r(PQexec(conn->get(), "SELECT pg_is_in_recovery()"));
      if (r && PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1 &&
          std::string(PQgetvalue(r.get(), 0, 0)) == "f") {
        return std::move(conn).value();
      }
      last = "write port reached a server in recovery";
    } else {
      last = conn.message();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return Err("cannot reach the primary through 127.0.0.1:" + std::to_string(c.spec.ports.write) +
             ": " + last);
}

}  // namespace

std::string Conninfo(int port, const Role& role, const std::string& dbname) {
  return "host=127.0.0.1 port=" + std::to_string(port) +
         " user=" + QuoteConninfoValue(role.username) +
         " password=" + QuoteConninfoValue(role.password) +
         " dbname=" + QuoteConninfoValue(dbname) + " connect_timeout=3 application_name=pghactl";
}

std::string ConnectionUrl(int port, const Role& role, const std::string& dbname) {
  auto encode = [](const std::string& s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
      auto ch = static_cast<unsigned char>(c);
      if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
        out += static_cast<char>(ch);
      } else {
        out += '%';
        out += kHex[ch >> 4];
        out += kHex[ch & 15];
      }
    }
    return out;
  };
  return "postgresql://" + encode(role.username) + ":" + encode(role.password) +
         "@127.0.0.1:" + std::to_string(port) + "/" + encode(dbname);
}

Status EnsureAppRoleAndDatabase(const LocalCluster& c, std::chrono::seconds timeout) {
  auto conn = ConnectToPrimary(c, timeout);
  PGHA_TRY(conn);
  PGconn* pg = conn->get();
  const Role app = c.app();
  auto role = Exists(pg, "SELECT 1 FROM pg_roles WHERE rolname = $1", app.username);
  PGHA_TRY(role);
  if (!*role) {
    PGHA_TRY(Exec(pg, "CREATE ROLE " + Escaped(pg, app.username, true) + " LOGIN PASSWORD " +
                          Escaped(pg, app.password, false)));
  }
  auto db = Exists(pg, "SELECT 1 FROM pg_database WHERE datname = $1", c.spec.database);
  PGHA_TRY(db);
  if (!*db) {
    PGHA_TRY(Exec(pg, "CREATE DATABASE " + Escaped(pg, c.spec.database, true) + " OWNER " +
                          Escaped(pg, app.username, true)));
  }
  return OkStatus();
}

Status RunSqlFile(const LocalCluster& c, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err("cannot read init_sql file " + path);
  std::stringstream sql;
  sql << in.rdbuf();
  auto conn = Connect(Conninfo(c.spec.ports.write, c.app(), c.spec.database));
  if (!conn.ok()) return Err("init_sql " + path + ": " + conn.message());
  Status st = Exec(conn->get(), sql.str());
  if (!st.ok()) return Err("init_sql " + path + ": " + st.message());
  return OkStatus();
}

}  // namespace pgha::ctl
