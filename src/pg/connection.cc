#include "pg/connection.h"

#include <libpq-fe.h>

#include "core/strings.h"

namespace pgha::pg {

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (c == nullptr) return Err("libpq: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = Trim(PQerrorMessage(c));
    PQfinish(c);
    return Err(msg);
  }
  return std::unique_ptr<Connection>(new Connection(c));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

Result<std::vector<Row>> Connection::Query(const std::string& sql) {
  auto table = QueryTable(sql);
  if (!table.ok()) return table.error();
  return std::move(table->rows);
}

Result<Connection::Table> Connection::QueryTable(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  std::unique_ptr<PGresult, decltype(&PQclear)> guard(r, &PQclear);
  auto status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return Err(Trim(PQerrorMessage(conn_)));
  }
  Table table;
  std::vector<Row>& rows = table.rows;
  int n = PQntuples(r), cols = PQnfields(r);
  for (int j = 0; j < cols; ++j) table.columns.emplace_back(PQfname(r, j));
  for (int i = 0; i < n; ++i) {
    Row row;
    for (int j = 0; j < cols; ++j) {
      if (PQgetisnull(r, i, j))
        row.emplace_back(std::nullopt);
      else
        row.emplace_back(std::string(PQgetvalue(r, i, j)));
    }
    rows.push_back(std::move(row));
  }
  return table;
}

Status Connection::Execute(const std::string& sql) {
  auto r = Query(sql);
  if (!r.ok()) return r.error();
  return OkStatus();
}

std::string Connection::QuoteLiteral(const std::string& value) {
  char* q = PQescapeLiteral(conn_, value.c_str(), value.size());
  std::string out = q ? q : "''";
  PQfreemem(q);
  return out;
}

std::string Connection::QuoteIdent(const std::string& value) {
  char* q = PQescapeIdentifier(conn_, value.c_str(), value.size());
  std::string out = q ? q : "\"\"";
  PQfreemem(q);
  return out;
}

std::string BuildConninfo(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    if (!out.empty()) out += ' ';
    out += k + "=" + QuoteConninfoValue(v);
  }
  return out;
}

}  // namespace pgha::pg
