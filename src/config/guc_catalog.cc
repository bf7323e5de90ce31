#include "config/guc_catalog.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "config/guc_versions.h"
#include "config/values.h"
#include "core/strings.h"

namespace pgha::config {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool ParseDouble(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// Fills unit and enum values from the built-in tables.
void Enrich(GucSpec* spec, int major) {
  const std::string key = Lower(spec->name);
  if (spec->type == GucType::kInteger || spec->type == GucType::kReal) {
    auto unit = internal::BuiltinUnits().find(key);
    if (unit != internal::BuiltinUnits().end()) spec->unit = unit->second;
  }
  if (spec->type != GucType::kEnum) return;
  auto values = internal::BuiltinEnums().find(key);
  if (values == internal::BuiltinEnums().end()) return;
  spec->shown_values = values->second;
  spec->enum_values.clear();
  for (const auto& v : values->second) spec->enum_values.push_back(Lower(v));
  for (const auto& v : internal::EnumSynonyms(key, spec->enum_values, major)) {
    spec->enum_values.push_back(v);
  }
}

Result<GucType> TypeOf(const std::string& vartype) {
  const std::string t = Lower(vartype);
  if (t == "boolean" || t == "bool") return GucType::kBool;
  if (t == "integer") return GucType::kInteger;
  if (t == "real") return GucType::kReal;
  if (t == "string") return GucType::kString;
  if (t == "enum") return GucType::kEnum;
  return Err("unknown vartype \"" + vartype + "\"");
}

// "{a,b,\"read committed\"}" -> a, b, read committed.
std::vector<std::string> ParseArrayText(const std::string& text) {
  std::vector<std::string> out;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return out;
  std::string current;
  bool quoted = false, any = false;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\' && i + 2 < text.size()) {
      current += text[++i];
    } else if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ',' && !quoted) {
      out.push_back(current);
      current.clear();
      any = false;
    } else {
      current += c;
      any = true;
    }
  }
  if (any || !out.empty()) out.push_back(current);
  return out;
}

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || std::isdigit(c); }

bool IsIdentifier(const std::string& s) {
  if (s.empty() || !IsIdentStart(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return IsIdentChar(c); });
}

}  // namespace

const GucSpec* GucCatalog::Find(const std::string& name) const {
  auto it = specs_.find(Lower(name));
  return it == specs_.end() ? nullptr : &it->second;
}

void GucCatalog::Add(GucSpec spec) {
  std::string key = Lower(spec.name);
  specs_[key] = std::move(spec);
}

int ParsePostgresMajor(const std::string& version_output) {
  const std::string marker = "(PostgreSQL) ";
  size_t at = version_output.find(marker);
  if (at == std::string::npos) return 0;
  int major = std::atoi(version_output.c_str() + at + marker.size());
  return major >= 10 && major < 100 ? major : 0;
}

Result<GucCatalog> ParseDescribeConfig(const std::string& text, int major) {
  GucCatalog catalog(major);
  int line_no = 0;
  for (const std::string& line : Split(text, '\n')) {
    ++line_no;
    if (Trim(line).empty()) continue;
    std::vector<std::string> f = Split(line, '\t');
    const std::string where = "postgres --describe-config line " + std::to_string(line_no);
    if (f.size() < 7) return Err(where + ": expected at least 7 tab-separated fields");
    auto type = TypeOf(f[3]);
    if (!type.ok()) return Err(where + ": " + type.message());
    GucSpec spec{f[0], *type};
    if (!IsValidGucName(spec.name)) return Err(where + ": invalid name \"" + f[0] + "\"");
    if (*type == GucType::kInteger || *type == GucType::kReal) {
      if (!ParseDouble(f[5], &spec.min) || !ParseDouble(f[6], &spec.max)) {
        return Err(where + ": " + f[0] + " has no numeric min/max");
      }
    }
    Enrich(&spec, major);
    catalog.Add(std::move(spec));
  }
  if (catalog.size() == 0) return Err("postgres --describe-config printed no parameters");
  for (GucSpec spec : internal::BuiltinHidden(major)) {
    if (catalog.Find(spec.name)) continue;
    Enrich(&spec, major);
    catalog.Add(std::move(spec));
  }
  return catalog;
}

void AddSettingsRows(const std::vector<SettingsRow>& rows, GucCatalog* catalog) {
  for (const SettingsRow& row : rows) {
    auto type = TypeOf(row.vartype);
    if (!type.ok() || !IsValidGucName(row.name)) continue;
    GucSpec spec{row.name, *type};
    spec.unit = row.unit;
    if (*type == GucType::kInteger || *type == GucType::kReal) {
      if (!ParseDouble(row.min_val, &spec.min) || !ParseDouble(row.max_val, &spec.max)) continue;
    }
    if (*type == GucType::kEnum) {
      spec.shown_values = ParseArrayText(row.enumvals);
      for (const auto& v : spec.shown_values) spec.enum_values.push_back(Lower(v));
      for (const auto& v :
           internal::EnumSynonyms(Lower(row.name), spec.enum_values, catalog->major())) {
        spec.enum_values.push_back(v);
      }
    }
    catalog->Add(std::move(spec));
  }
}

bool IsValidGucName(const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos) return IsIdentifier(name);
  return IsIdentifier(name.substr(0, dot)) && IsIdentifier(name.substr(dot + 1));
}

std::string GucText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "on" : "off";
  if (value.is_null()) return "";
  return value.dump();
}

void CheckParameters(const nlohmann::json& parameters, const GucCatalog* catalog,
                     const std::string& prefix, std::vector<std::string>* errors) {
  if (parameters.is_null()) return;
  if (!parameters.is_object()) {
    std::string path = prefix.empty() ? "parameters" : prefix.substr(0, prefix.size() - 1);
    errors->push_back(path + ": expected a mapping, got " + internal::Shown(parameters));
    return;
  }
  for (const auto& [name, value] : parameters.items()) {
    const std::string key = prefix + name;
    if (!IsValidGucName(name)) {
      errors->push_back(key + ": not a valid parameter name");
      continue;
    }
    if (value.is_object() || value.is_array()) {
      errors->push_back(key + ": expected a single value, got " + internal::Shown(value));
      continue;
    }
    const std::string text = GucText(value);
    if (text.find_first_of(std::string("\n\r\0", 3)) != std::string::npos) {
      errors->push_back(key + ": a value cannot contain a line break, got " +
                        internal::Shown(value));
      continue;
    }
    if (catalog == nullptr) continue;
    const GucSpec* spec = catalog->Find(name);
    if (spec == nullptr) {
      if (auto to = RenamedParameter(name, catalog->major())) {  // written under its new name
        auto converted = ConvertRenamedParameters(nlohmann::json{{name, value}}, catalog->major());
        const GucSpec* target = catalog->Find(*to);
        if (!converted.ok()) {
          errors->push_back(prefix + converted.message());
        } else if (target != nullptr) {
          Status st = CheckGucValue(*target, (*converted)[*to]);
          if (!st.ok()) errors->push_back(key + " (as " + *to + "): " + st.message());
        }
        continue;
      }
      if (name.find('.') != std::string::npos) continue;  // a custom (extension) parameter
      errors->push_back(key + ": unknown parameter for PostgreSQL " +
                        std::to_string(catalog->major()) +
                        " (a custom parameter needs a dot, e.g. myext." + name + ")");
      continue;
    }
    Status st = CheckGucValue(*spec, value);
    if (!st.ok()) errors->push_back(key + ": " + st.message());
  }
}

nlohmann::json ValidParameters(const nlohmann::json& parameters, const GucCatalog* catalog,
                               const std::string& prefix, std::vector<std::string>* dropped) {
  nlohmann::json out = nlohmann::json::object();
  if (!parameters.is_object()) return out;
  for (const auto& [name, value] : parameters.items()) {
    std::vector<std::string> errors;
    CheckParameters(nlohmann::json{{name, value}}, catalog, prefix, &errors);
    if (errors.empty()) {
      out[name] = value;
    } else if (dropped) {
      dropped->insert(dropped->end(), errors.begin(), errors.end());
    }
  }
  return out;
}

}  // namespace pgha::config
