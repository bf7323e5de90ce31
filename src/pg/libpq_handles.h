#pragma once
// libpq's connection and result handles, owned: PQfinish / PQclear when they go out of scope.
#include <libpq-fe.h>

#include <memory>

namespace pgha::pg {

struct PgConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultCloser>;

}  // namespace pgha::pg
