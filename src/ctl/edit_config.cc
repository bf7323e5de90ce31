#include "ctl/edit_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/strings.h"

namespace pgha::ctl {
namespace {

using nlohmann::json;

json PlainScalar(const std::string& s) {
  static const char* kNull[] = {"", "~", "null", "Null", "NULL"};
  static const char* kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const char* kFalse[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  for (const char* n : kNull)
    if (s == n) return nullptr;
  for (const char* t : kTrue)
    if (s == t) return true;
  for (const char* f : kFalse)
    if (s == f) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  bool digits = i < s.size() && s.size() - i <= 18 &&
                std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i), s.end(),
                            [](char c) { return c >= '0' && c <= '9'; });
  if (digits) return std::stoll(s);
  json number = json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (number.is_number_float() && std::isfinite(number.get<double>())) return number;
  return s;
}

Result<json> NodeToJson(const YAML::Node& node, int depth) {
  if (depth > 64) return Err("YAML nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar:
      return node.Tag() == "!" ? json(node.Scalar()) : PlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const YAML::Node& item : node) {
        Result<json> v = NodeToJson(item, depth + 1);
        if (!v.ok()) return v;
        out.push_back(std::move(*v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) return Err("YAML keys must be scalars");
        Result<json> v = NodeToJson(kv.second, depth + 1);
        if (!v.ok()) return v;
        out[kv.first.Scalar()] = std::move(*v);
      }
      return out;
    }
  }
  return json(nullptr);
}

void Emit(YAML::Emitter& out, const json& v) {
  if (v.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, item] : v.items()) {
      out << YAML::Key << k << YAML::Value;
      Emit(out, item);
    }
    out << YAML::EndMap;
  } else if (v.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& item : v) Emit(out, item);
    out << YAML::EndSeq;
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (!PlainScalar(s).is_string()) {
      out << YAML::DoubleQuoted << s;
    } else {
      out << s;
    }
  } else if (v.is_null()) {
    out << YAML::Null;
  } else {
    out << v.dump();
  }
}

void SetPath(json& config, std::vector<std::string> path, const json& value,
             const std::vector<std::string>& prefix) {
  if (prefix.size() == 2 && prefix[0] == "postgresql" && prefix[1] == "parameters") {
    std::string joined = path[0];
    for (size_t i = 1; i < path.size(); ++i) joined += "." + path[i];
    path = {joined};
  }
  const std::string key = path[0];
  if (path.size() == 1) {
    if (value.is_null()) {
      config.erase(key);
    } else {
      config[key] = value;
    }
    return;
  }
  if (!config.contains(key) || !config[key].is_object()) config[key] = json::object();
  std::vector<std::string> next_prefix = prefix;
  next_prefix.push_back(key);
  SetPath(config[key], std::vector<std::string>(path.begin() + 1, path.end()), value, next_prefix);
  if (config[key].empty()) config.erase(key);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

Result<json> YamlToJson(const std::string& text) {
  try {
    return NodeToJson(YAML::Load(text), 0);
  } catch (const YAML::Exception& e) {
    return Err(std::string("invalid YAML: ") + e.what());
  }
}

std::string JsonToYaml(const json& value) {
  YAML::Emitter out;
  Emit(out, value);
  std::string text = out.c_str();
  return text.empty() || text.back() == '\n' ? text : text + "\n";
}

Result<json> ApplySetPairs(json config, const std::vector<std::string>& pairs,
                           bool postgresql_parameter) {
  if (!config.is_object()) config = json::object();
  for (const std::string& pair : pairs) {
    size_t eq = pair.find('=');
    if (pair.empty() || eq == std::string::npos || Trim(pair.substr(0, eq)).empty()) {
      return Err("Invalid parameter setting " + pair);
    }
    std::string key = Trim(pair.substr(0, eq));
    if (postgresql_parameter) key = "postgresql.parameters." + key;
    Result<json> value = YamlToJson(pair.substr(eq + 1));
    if (!value.ok()) return Err("Invalid parameter setting " + pair + ": " + value.message());
    std::vector<std::string> path = Split(key, '.');
    if (std::any_of(path.begin(), path.end(), [](auto& p) { return p.empty(); })) {
      return Err("Invalid parameter setting " + pair + ": empty path component");
    }
    SetPath(config, path, *value, {});
  }
  return config;
}

std::string UnifiedDiff(const std::string& before, const std::string& after,
                        const std::string& before_label, const std::string& after_label) {
  std::vector<std::string> a = Lines(before), b = Lines(after);
  size_t n = a.size(), m = b.size();
  // LCS table (configs are small: hundreds of lines at most).
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  struct Op {
    char kind;  // ' ', '-', '+'
    size_t ai, bi;
  };
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ops.push_back({' ', i++, j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push_back({'-', i++, j});  // deletions before insertions, as diff -u
    } else {
      ops.push_back({'+', i, j++});
    }
  }
  std::string out;
  const size_t context = 3;
  for (size_t k = 0; k < ops.size();) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    size_t start = k >= context ? k - context : 0;
    size_t last = k;  // the hunk ends `context` lines after its last change
    for (size_t t = k; t < ops.size() && t - last <= 2 * context; ++t) {
      if (ops[t].kind != ' ') last = t;
    }
    size_t end = std::min(ops.size(), last + 1 + context);
    size_t a_count = 0, b_count = 0;
    std::string body;
    for (size_t t = start; t < end; ++t) {
      const Op& op = ops[t];
      if (op.kind != '+') ++a_count;
      if (op.kind != '-') ++b_count;
      body += op.kind + (op.kind == '+' ? b[op.bi] : a[op.ai]) + "\n";
    }
    if (out.empty()) out = "--- " + before_label + "\n+++ " + after_label + "\n";
    out += "@@ -" + std::to_string(ops[start].ai + (a_count ? 1 : 0)) + "," +
           std::to_string(a_count) + " +" + std::to_string(ops[start].bi + (b_count ? 1 : 0)) +
           "," + std::to_string(b_count) + " @@\n" + body;
    k = end;
  }
  return out;
}

}  // namespace pgha::ctl
