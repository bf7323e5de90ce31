#include "config/yaml_util.h"

#include <cctype>
#include <cstdlib>
#include <exception>

#include "config/values.h"

namespace pgha::config::internal {

Result<YAML::Node> ParseYaml(const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Err("YAML syntax error at line " + std::to_string(e.mark.line + 1) + ", column " +
               std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return Err(std::string("YAML error: ") + e.what());
  }
}

namespace {

bool IsYamlNull(const std::string& t) {
  return t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL";
}

bool YamlBool(const std::string& t, bool* out) {
  static const char* kTrue[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static const char* kFalse[] = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  for (const char* s : kTrue) {
    if (t == s) {
      *out = true;
      return true;
    }
  }
  for (const char* s : kFalse) {
    if (t == s) {
      *out = false;
      return true;
    }
  }
  return false;
}

bool YamlInt(const std::string& t, int64_t* out) {
  size_t digits = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (t.size() > digits + 1 && t[digits] == '0') return false;  // octal-looking: keep text
  return ParseIntText(t, out);
}

bool YamlFloat(const std::string& t, double* out) {
  if (t.find('.') == std::string::npos) return false;
  bool has_digit = false;
  for (char c : t) {
    if (std::isdigit(static_cast<unsigned char>(c)))
      has_digit = true;
    else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E')
      return false;
  }
  char* end = nullptr;
  *out = std::strtod(t.c_str(), &end);
  return has_digit && end == t.c_str() + t.size();
}

}  // namespace

nlohmann::json ScalarToJson(const YAML::Node& scalar) {
  if (!scalar.IsDefined() || scalar.IsNull()) return nullptr;
  const std::string& t = scalar.Scalar();
  const std::string& tag = scalar.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return t;  // quoted or !!str
  if (IsYamlNull(t)) return nullptr;
  bool b = false;
  if (YamlBool(t, &b)) return b;
  int64_t i = 0;
  if (YamlInt(t, &i)) return i;
  double d = 0;
  if (YamlFloat(t, &d)) return d;
  return t;
}

nlohmann::json NodeToJson(const YAML::Node& node) {
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : node) out.push_back(NodeToJson(item));
    return out;
  }
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& kv : node) {
      out[kv.first.IsScalar() ? kv.first.Scalar() : YAML::Dump(kv.first)] = NodeToJson(kv.second);
    }
    return out;
  }
  return ScalarToJson(node);
}

std::string Describe(const YAML::Node& node) {
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  return Shown(node.Scalar());
}

void MergeYaml(YAML::Node base, const YAML::Node& top) {
  for (const auto& kv : top) {
    const std::string key = kv.first.Scalar();
    YAML::Node current = base[key];
    if (current.IsMap() && kv.second.IsMap()) {
      MergeYaml(current, kv.second);
    } else {
      base[key] = kv.second;
    }
  }
}

}  // namespace pgha::config::internal
