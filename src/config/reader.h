#pragma once
// Typed, path-aware reading of one YAML mapping. Every error names the key path
// ("postgresql.listen: ...") or, when the value came from the environment, the variable.
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace pgha::config::internal {

struct ParseContext {
  std::map<std::string, std::string> origins;  // key path -> environment variable that set it
  std::vector<std::string> warnings;
  // pghactl's -c file (LoadCtlConfigFile): what only an agent needs may be absent.
  bool ctl_only = false;
};

class Section {
 public:
  Section(YAML::Node node, std::string path, ParseContext* ctx)
      : node_(std::move(node)), path_(std::move(path)), ctx_(ctx) {}

  bool present() const { return node_.IsDefined() && !node_.IsNull(); }
  const std::string& path() const { return path_; }
  ParseContext* ctx() const { return ctx_; }
  // `key` is absent and only an agent needs it: this is pghactl's -c file (ParseContext).
  bool AgentOnlyAbsent(std::string_view key) const { return ctx_->ctl_only && !Has(key); }
  std::string PathOf(std::string_view key) const;
  // The value at `key`; undefined when absent or when this is not a mapping.
  YAML::Node Get(std::string_view key) const;
  bool Has(std::string_view key) const;  // present and not null

  Error Fail(std::string_view key, std::string_view reason) const;
  Error FailSelf(std::string_view reason) const;
  void Warn(std::string message) const { ctx_->warnings.push_back(std::move(message)); }
  // "<path>: accepted for Patroni compatibility but not used by pgha" when `key` is present.
  void WarnUnused(std::string_view key, std::string_view why = "") const;

  // Checks this is a mapping (absent/null is fine) and warns about keys that are neither in
  // `known` nor start with one of `known_prefixes`.
  Status CheckKeys(const std::vector<std::string_view>& known,
                   const std::vector<std::string_view>& known_prefixes = {}) const;
  // The value at `key` as a section (check it with CheckKeys before trusting its type).
  Section Child(std::string_view key) const { return Section(Get(key), PathOf(key), ctx_); }
  const YAML::Node& node() const { return node_; }

  // Readers leave *out unchanged when the key is absent or null.
  Status Str(std::string_view key, std::string* out) const;
  Status NonEmptyStr(std::string_view key, std::string* out) const;
  Status Bool(std::string_view key, bool* out) const;
  Status Int(std::string_view key, int* out, int min, int max) const;
  // A list of scalars, or a comma-separated string (Patroni accepts both for hosts/allowlist).
  Status StrList(std::string_view key, std::vector<std::string>* out) const;
  // A list of scalars only.
  Status Lines(std::string_view key, std::vector<std::string>* out) const;
  Status Require(std::string_view key, std::string_view env_hint) const;
  Status OneOf(std::string_view key, const std::string& value,
               std::initializer_list<std::string_view> allowed) const;

 private:
  std::string Label(std::string_view key) const;
  YAML::Node node_;
  std::string path_;
  ParseContext* ctx_;
};

}  // namespace pgha::config::internal
