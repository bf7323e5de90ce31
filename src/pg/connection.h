#pragma once
// A thin RAII wrapper over one libpq connection.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

struct pg_conn;

namespace pgha::pg {

using Row = std::vector<std::optional<std::string>>;  // nullopt = SQL NULL

class Connection {
 public:
  // conninfo is a libpq key=value string; connect_timeout should be part of it.
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Result<std::vector<Row>> Query(const std::string& sql);
  // The same with the result's column names (the last statement's, for several statements).
  struct Table {
    std::vector<std::string> columns;
    std::vector<Row> rows;
  };
  Result<Table> QueryTable(const std::string& sql);
  Status Execute(const std::string& sql);
  std::string QuoteLiteral(const std::string& value);
  std::string QuoteIdent(const std::string& value);
  bool Healthy() const;

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

// "host=... port=... user=... password=... dbname=... connect_timeout=..." with quoting.
std::string BuildConninfo(const std::vector<std::pair<std::string, std::string>>& params);

// A key=value conninfo with its password taken out, so that the password travels in PGPASSWORD
// or a passfile and never on a command line or in postgresql.conf.
struct ConninfoSecret {
  std::string conninfo;  // the same settings, in order, without password
  std::string password;  // empty when there was none
  std::string host, port, user;
};
// An error names what libpq could not parse (the conninfo itself is not repeated: it may hold
// the password).
Result<ConninfoSecret> SplitPassword(const std::string& conninfo);
// The .pgpass lines that give `c`'s password to its host, port and user (libpq's format:
// host:port:database:user:password, ':' and '\' escaped). A socket directory also gets a
// "localhost" line, which libpq matches for socket connections. Empty without a password.
std::string PgpassLines(const ConninfoSecret& c);

}  // namespace pgha::pg
