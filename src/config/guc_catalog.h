#pragma once
// PostgreSQL's parameters (GUCs) as the installed major describes them, and the checks a value
// must pass before pgha writes it into postgresql.conf: an unknown name or a value PostgreSQL
// cannot parse makes the server refuse to start (docs/timing.md, "Validated configuration").
// Pure: the text of `postgres --describe-config` in, a catalog out; a catalog and a value in,
// OK or a reason out. Running the binary is pg::LoadGucCatalog's job.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"

namespace pgha::config {

enum class GucType { kBool, kInteger, kReal, kString, kEnum };

struct GucSpec {
  std::string name;  // as PostgreSQL spells it
  GucType type = GucType::kString;
  double min = 0, max = 0;  // integer and real parameters, in `unit`
  // The base unit (pg_settings.unit): "", "B", "kB", "8kB", "MB", "us", "ms", "s", "min".
  std::string unit;
  // Enum values PostgreSQL accepts (lower case, hidden synonyms included); empty: not known
  // for this major, and any string is accepted.
  std::vector<std::string> enum_values;
  // The values shown in messages (pg_settings.enumvals, without the hidden synonyms).
  std::vector<std::string> shown_values;
};

class GucCatalog {
 public:
  GucCatalog() = default;
  explicit GucCatalog(int major) : major_(major) {}
  int major() const { return major_; }
  // Case-insensitive, as PostgreSQL; null when this major has no such parameter.
  const GucSpec* Find(const std::string& name) const;
  void Add(GucSpec spec);
  size_t size() const { return specs_.size(); }

 private:
  int major_ = 0;
  std::map<std::string, GucSpec> specs_;  // lower-case name -> spec
};

// "postgres (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)" -> 15; 0 when not recognised.
int ParsePostgresMajor(const std::string& version_output);

// `postgres --describe-config` output (tab-separated: name, context, group, vartype, boot value,
// min, max, descriptions) -> a catalog. Units, enum values and the settable parameters the
// command leaves out (jit_expressions, application_name...) come from built-in tables
// (guc_builtin.cc); rows of pg_settings, when a server is running, can replace them
// (AddSettingsRows). Errors name the line.
Result<GucCatalog> ParseDescribeConfig(const std::string& text, int major);

// One row of `SELECT name, vartype, unit, min_val, max_val, enumvals FROM pg_settings` (enumvals
// as PostgreSQL's array text "{a,b}"). Replaces the catalog's entry for that name.
struct SettingsRow {
  std::string name, vartype, unit, min_val, max_val, enumvals;
};
void AddSettingsRows(const std::vector<SettingsRow>& rows, GucCatalog* catalog);

// A GUC name PostgreSQL's configuration-file parser reads: an identifier, or two joined by one
// dot (a custom parameter such as "pg_stat_statements.max"). Anything else would corrupt
// postgresql.conf.
bool IsValidGucName(const std::string& name);

// The text pgha writes for a JSON value (as pg::GucValue: strings as-is, booleans on/off).
std::string GucText(const nlohmann::json& value);

// Whether PostgreSQL would accept `value` for `spec`: type, unit and range, enum value. The
// error is the reason only, naming the value and what is allowed
// ("\"lots\" is not an integer (allowed: 1 to 262143)"); callers prefix the key path.
Status CheckGucValue(const GucSpec& spec, const nlohmann::json& value);

// Checks every entry of a postgresql.parameters mapping. Without a catalog only the name's
// syntax and the value's shape are checked. Errors read "<prefix><name>: <reason>". A name
// without a dot that the catalog does not know is an error (PostgreSQL would not start); a
// dotted custom name is accepted.
void CheckParameters(const nlohmann::json& parameters, const GucCatalog* catalog,
                     const std::string& prefix, std::vector<std::string>* errors);

// The entries of `parameters` that pass CheckParameters; each one left out is reported in
// *dropped as "<prefix><name>: <reason>".
nlohmann::json ValidParameters(const nlohmann::json& parameters, const GucCatalog* catalog,
                               const std::string& prefix, std::vector<std::string>* dropped);

namespace internal {
// Built-in knowledge of PostgreSQL 13-17 (guc_builtin.cc).
const std::map<std::string, std::string>& BuiltinUnits();               // name -> base unit
const std::map<std::string, std::vector<std::string>>& BuiltinEnums();  // name -> values
// Settable parameters `--describe-config` does not print, valid for the major.
std::vector<GucSpec> BuiltinHidden(int major);
// Hidden synonyms PostgreSQL also accepts for an enum (true/false/yes/no/1/0 where on/off are
// listed, "debug" for debug2, wal_level's archive/hot_standby...).
std::vector<std::string> EnumSynonyms(const std::string& name,
                                      const std::vector<std::string>& values, int major);
}  // namespace internal

}  // namespace pgha::config
