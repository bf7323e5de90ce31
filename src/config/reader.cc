#include "config/reader.h"

#include "config/values.h"
#include "config/yaml_util.h"
#include "core/strings.h"

namespace pgha::config::internal {

std::string Section::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

YAML::Node Section::Get(std::string_view key) const {
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node& map = node_;  // const lookup: never inserts
  YAML::Node value = map[std::string(key)];
  // A missing key yields an invalid "zombie" node that throws on use; hand out a plain one.
  return value.IsDefined() ? value : YAML::Node(YAML::NodeType::Undefined);
}

bool Section::Has(std::string_view key) const {
  YAML::Node n = Get(key);
  return n.IsDefined() && !n.IsNull();
}

std::string Section::Label(std::string_view key) const {
  std::string path = key.empty() ? path_ : PathOf(key);
  auto it = ctx_->origins.find(path);
  return it == ctx_->origins.end() ? path : it->second;
}

Error Section::Fail(std::string_view key, std::string_view reason) const {
  return Err(Label(key) + ": " + std::string(reason));
}

Error Section::FailSelf(std::string_view reason) const {
  return Err((path_.empty() ? std::string("configuration") : Label("")) + ": " +
             std::string(reason));
}

void Section::WarnUnused(std::string_view key, std::string_view why) const {
  if (!Has(key)) return;
  std::string message = PathOf(key) + ": accepted for Patroni compatibility but not used by pgha";
  if (!why.empty()) message += " (" + std::string(why) + ")";
  Warn(std::move(message));
}

Status Section::CheckKeys(const std::vector<std::string_view>& known,
                          const std::vector<std::string_view>& known_prefixes) const {
  if (!present()) return OkStatus();
  if (!node_.IsMap()) return FailSelf("expected a mapping, got " + Describe(node_));
  for (const auto& kv : node_) {
    std::string key = kv.first.Scalar();
    bool found = false;
    for (std::string_view k : known) found = found || k == key;
    for (std::string_view p : known_prefixes) found = found || StartsWith(key, p);
    if (!found) Warn("unknown key " + PathOf(key));
  }
  return OkStatus();
}

Status Section::Str(std::string_view key, std::string* out) const {
  YAML::Node n = Get(key);
  if (!n.IsDefined() || n.IsNull()) return OkStatus();
  if (!n.IsScalar()) return Fail(key, "expected a string, got " + Describe(n));
  *out = n.Scalar();
  return OkStatus();
}

Status Section::NonEmptyStr(std::string_view key, std::string* out) const {
  std::string value = *out;
  PGHA_TRY(Str(key, &value));
  if (Has(key) && Trim(value).empty()) return Fail(key, "must not be empty");
  *out = value;
  return OkStatus();
}

Status Section::Bool(std::string_view key, bool* out) const {
  YAML::Node n = Get(key);
  if (!n.IsDefined() || n.IsNull()) return OkStatus();
  if (!n.IsScalar() || !ParseBoolText(n.Scalar(), out)) {
    return Fail(key, "expected a boolean, got " + Describe(n));
  }
  return OkStatus();
}

Status Section::Int(std::string_view key, int* out, int min, int max) const {
  YAML::Node n = Get(key);
  if (!n.IsDefined() || n.IsNull()) return OkStatus();
  int64_t value = 0;
  if (!n.IsScalar() || !ParseIntText(n.Scalar(), &value)) {
    return Fail(key, "expected an integer, got " + Describe(n));
  }
  if (value < min || value > max) {
    return Fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                         ", got " + std::to_string(value));
  }
  *out = static_cast<int>(value);
  return OkStatus();
}

Status Section::StrList(std::string_view key, std::vector<std::string>* out) const {
  YAML::Node n = Get(key);
  if (n.IsScalar()) {
    out->clear();
    for (const std::string& item : Split(n.Scalar(), ',')) {
      if (!Trim(item).empty()) out->push_back(Trim(item));
    }
    return OkStatus();
  }
  return Lines(key, out);
}

Status Section::Lines(std::string_view key, std::vector<std::string>* out) const {
  YAML::Node n = Get(key);
  if (!n.IsDefined() || n.IsNull()) return OkStatus();
  if (!n.IsSequence()) return Fail(key, "expected a list, got " + Describe(n));
  out->clear();
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      return Fail(key,
                  "item " + std::to_string(i + 1) + ": expected a string, got " + Describe(n[i]));
    }
    out->push_back(n[i].Scalar());
  }
  return OkStatus();
}

Status Section::Require(std::string_view key, std::string_view env_hint) const {
  if (Has(key)) return OkStatus();
  std::string reason = "required";
  if (!env_hint.empty()) reason += " (set it in the file or with " + std::string(env_hint) + ")";
  return Err(PathOf(key) + ": " + reason);
}

Status Section::OneOf(std::string_view key, const std::string& value,
                      std::initializer_list<std::string_view> allowed) const {
  std::string list;
  for (std::string_view a : allowed) {
    if (a == value) return OkStatus();
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return Fail(key, "expected one of " + list + ", got " + Shown(value));
}

}  // namespace pgha::config::internal
