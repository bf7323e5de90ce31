#include "pg/failures.h"

namespace pgha::pg {
namespace {

bool Has(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

}  // namespace

bool RewindFailureIsTransient(const std::string& output) {
  if (Has(output, "servers diverged") || Has(output, "fetch") || Has(output, "rewinding from")) {
    return false;
  }
  // libpq's connect failures: PG 14+ "connection to server at ... failed: ...", older majors
  // "could not connect to server", plus a connect_timeout expiry and an unresolvable name.
  return (Has(output, "connection to server") && Has(output, "failed")) ||
         Has(output, "could not connect to server") || Has(output, "timeout expired") ||
         Has(output, "could not translate host name");
}

}  // namespace pgha::pg
