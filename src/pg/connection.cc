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

Result<ConninfoSecret> SplitPassword(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (!options) {
    std::string why = error ? error : "out of memory";
    PQfreemem(error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Err("malformed connection string: " + why);
  }
  ConninfoSecret out;
  std::vector<std::pair<std::string, std::string>> kept;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    const std::string key = o->keyword, value = o->val;
    if (key == "password") {
      out.password = value;
      continue;
    }
    if (key == "host") out.host = value;
    if (key == "port") out.port = value;
    if (key == "user") out.user = value;
    kept.emplace_back(key, value);
  }
  PQconninfoFree(options);
  out.conninfo = BuildConninfo(kept);
  return out;
}

std::string PgpassLines(const ConninfoSecret& c) {
  if (c.password.empty()) return "";
  auto escape = [](const std::string& v) {
    std::string e;
    for (char ch : v) {
      if (ch == ':' || ch == '\\') e += '\\';
      e += ch;
    }
    return e.empty() ? std::string("*") : e;
  };
  std::vector<std::string> hosts;
  for (const std::string& h : Split(c.host.empty() ? std::string("*") : c.host, ',')) {
    if (!h.empty()) hosts.push_back(h);
  }
  bool socket = false, localhost = false;
  for (const auto& h : hosts) {
    socket = socket || h.front() == '/';
    localhost = localhost || h == "localhost";
  }
  if (socket && !localhost) hosts.emplace_back("localhost");
  std::string out;
  for (const auto& h : hosts) {
    out +=
        escape(h) + ":" + escape(c.port) + ":*:" + escape(c.user) + ":" + escape(c.password) + "\n";
  }
  return out;
}

}  // namespace pgha::pg
