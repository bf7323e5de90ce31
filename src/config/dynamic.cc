#include "config/dynamic.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "config/config.h"
#include "config/values.h"

namespace pgha::config {
namespace internal {
namespace {

struct IntKey {
  const char* name;
  int ha::Settings::*field;
  int min;
};

// pgha's minimums: ttl >= 2 (Patroni: 20), loop_wait >= 1, retry_timeout >= 1 (Patroni: 3).
constexpr IntKey kIntKeys[] = {
    {"ttl", &ha::Settings::ttl, 2},
    {"loop_wait", &ha::Settings::loop_wait, 1},
    {"retry_timeout", &ha::Settings::retry_timeout, 1},
    {"primary_start_timeout", &ha::Settings::primary_start_timeout, 0},
    {"primary_stop_timeout", &ha::Settings::primary_stop_timeout, 0},
    {"synchronous_node_count", &ha::Settings::synchronous_node_count, 1},
    {"member_slots_ttl", &ha::Settings::member_slots_ttl, 0},
};

struct BoolKey {
  const char* name;
  bool ha::Settings::*field;
};

constexpr BoolKey kBoolKeys[] = {
    {"pause", &ha::Settings::pause},
    {"check_timeline", &ha::Settings::check_timeline},
    {"synchronous_mode_strict", &ha::Settings::synchronous_mode_strict},
    {"failsafe_mode", &ha::Settings::failsafe_mode},
};

// Patroni dynamic keys pgha accepts without acting on them.
constexpr const char* kOtherKeys[] = {"maximum_lag_on_failover",
                                      "synchronous_mode",
                                      "master_start_timeout",
                                      "master_stop_timeout",
                                      "maximum_lag_on_syncnode",
                                      "max_timelines_history",
                                      "primary_race_backoff",
                                      "slots",
                                      "ignore_slots",
                                      "standby_cluster",
                                      "postgresql"};

// Collects what is wrong with one layer: an error (strict) or warnings (lenient).
class Checker {
 public:
  Checker(std::string prefix, bool strict, std::vector<std::string>* warnings)
      : prefix_(std::move(prefix)), strict_(strict), warnings_(warnings) {}
  // Returns false when the value must be skipped.
  bool Invalid(const std::string& key, const std::string& reason) {
    std::string message = prefix_ + key + ": " + reason;
    if (strict_ && !error_) error_ = Err(message);
    if (!strict_ && warnings_) warnings_->push_back("ignoring invalid dynamic setting " + message);
    return false;
  }
  void Note(const std::string& key, const std::string& message) {
    if (warnings_) warnings_->push_back(prefix_ + key + ": " + message);
  }
  bool strict() const { return strict_; }
  Status result() const { return error_ ? Status(*error_) : OkStatus(); }

 private:
  std::string prefix_;
  bool strict_;
  std::vector<std::string>* warnings_;
  std::optional<Error> error_;
};

void ApplyInt(const nlohmann::json& value, const IntKey& key, Checker* c, ha::Settings* s) {
  auto parsed = JsonInt(value);
  if (!parsed.ok()) return (void)c->Invalid(key.name, parsed.message());
  int64_t v = std::min<int64_t>(*parsed, INT32_MAX);
  if (v < key.min) {
    std::string reason = "must be at least " + std::to_string(key.min) + ", got " + Shown(value);
    if (c->strict()) return (void)c->Invalid(key.name, reason);
    c->Note(key.name, reason + "; using " + std::to_string(key.min));
    v = key.min;
  }
  s->*key.field = static_cast<int>(v);
}

void ApplyBool(const nlohmann::json& value, const char* name, bool* field, Checker* c) {
  auto parsed = JsonBool(value);
  if (!parsed.ok()) return (void)c->Invalid(name, parsed.message());
  *field = *parsed;
}

void ApplyLag(const nlohmann::json& value, Checker* c, ha::Settings* s) {
  auto parsed = JsonInt(value);
  if (!parsed.ok()) return (void)c->Invalid("maximum_lag_on_failover", parsed.message());
  if (*parsed < 0) {
    return (void)c->Invalid("maximum_lag_on_failover", "must not be negative, got " + Shown(value));
  }
  s->maximum_lag_on_failover = static_cast<uint64_t>(*parsed);
}

// Boolean, or Patroni's "on" / "off" / "quorum".
void ApplySyncMode(const nlohmann::json& value, Checker* c, ha::Settings* s) {
  if (value.is_string() && value.get<std::string>() == "quorum") {
    c->Note("synchronous_mode",
            "quorum commit is not supported by pgha; using synchronous_mode: on");
    s->synchronous_mode = true;
    return;
  }
  auto parsed = JsonBool(value);
  if (!parsed.ok()) {
    return (void)c->Invalid("synchronous_mode", "expected on, off or quorum, got " + Shown(value));
  }
  s->synchronous_mode = *parsed;
}

void ApplyPostgresql(const nlohmann::json& pg, Checker* c, ha::Settings* s) {
  if (!pg.is_object())
    return (void)c->Invalid("postgresql", "expected a mapping, got " + Shown(pg));
  if (pg.contains("use_pg_rewind")) {
    ApplyBool(pg["use_pg_rewind"], "postgresql.use_pg_rewind", &s->use_pg_rewind, c);
  }
  if (pg.contains("use_slots"))
    ApplyBool(pg["use_slots"], "postgresql.use_slots", &s->use_slots, c);
  if (pg.contains("parameters") && !pg["parameters"].is_object() && !pg["parameters"].is_null()) {
    c->Invalid("postgresql.parameters", "expected a mapping, got " + Shown(pg["parameters"]));
  }
}

// Legacy master_*_timeout count only when the primary_* spelling is absent from the layer.
void ApplyLegacy(const nlohmann::json& layer, Checker* c, ha::Settings* s) {
  const std::pair<const char*, const IntKey*> legacy[] = {{"master_start_timeout", &kIntKeys[3]},
                                                          {"master_stop_timeout", &kIntKeys[4]}};
  for (const auto& [old_name, key] : legacy) {
    if (!layer.contains(old_name) || layer.contains(key->name)) continue;
    IntKey renamed = *key;
    renamed.name = old_name;
    ApplyInt(layer[old_name], renamed, c, s);
  }
}

void ApplyKnownKeys(const nlohmann::json& layer, Checker* c, ha::Settings* s) {
  for (const IntKey& key : kIntKeys) {
    if (layer.contains(key.name)) ApplyInt(layer[key.name], key, c, s);
  }
  for (const BoolKey& key : kBoolKeys) {
    if (layer.contains(key.name)) ApplyBool(layer[key.name], key.name, &(s->*key.field), c);
  }
  ApplyLegacy(layer, c, s);
  if (layer.contains("maximum_lag_on_failover")) ApplyLag(layer["maximum_lag_on_failover"], c, s);
  if (layer.contains("synchronous_mode")) ApplySyncMode(layer["synchronous_mode"], c, s);
  if (layer.contains("postgresql")) ApplyPostgresql(layer["postgresql"], c, s);
}

}  // namespace

bool IsDynamicKey(const std::string& key) {
  for (const IntKey& k : kIntKeys) {
    if (key == k.name) return true;
  }
  for (const BoolKey& k : kBoolKeys) {
    if (key == k.name) return true;
  }
  for (const char* k : kOtherKeys) {
    if (key == k) return true;
  }
  return false;
}

Status ApplyDynamicLayer(const nlohmann::json& layer, const std::string& prefix, bool strict,
                         ha::Settings* settings, std::vector<std::string>* warnings) {
  Checker checker(prefix, strict, warnings);
  if (layer.is_null()) return OkStatus();
  if (!layer.is_object()) {
    checker.Invalid("", "expected a mapping, got " + Shown(layer));
    return checker.result();
  }
  if (strict) {
    for (const auto& [key, value] : layer.items()) {
      if (!IsDynamicKey(key)) checker.Note(key, "unknown dynamic setting");
    }
  }
  ApplyKnownKeys(layer, &checker, settings);
  return checker.result();
}

void AdjustTimeouts(ha::Settings* s, std::vector<std::string>* warnings) {
  if (s->loop_wait + 2 * s->retry_timeout <= s->ttl) return;
  std::string before = "ttl=" + std::to_string(s->ttl) +
                       ", loop_wait=" + std::to_string(s->loop_wait) +
                       ", retry_timeout=" + std::to_string(s->retry_timeout);
  s->loop_wait = std::max(1, s->ttl - 2 * s->retry_timeout);
  if (s->loop_wait + 2 * s->retry_timeout > s->ttl) {
    s->retry_timeout = std::max(1, (s->ttl - s->loop_wait) / 2);
  }
  if (warnings == nullptr) return;
  std::string after = "loop_wait=" + std::to_string(s->loop_wait) +
                      ", retry_timeout=" + std::to_string(s->retry_timeout);
  std::string still =
      s->loop_wait + 2 * s->retry_timeout > s->ttl ? " (ttl is still too short)" : "";
  warnings->push_back("loop_wait + 2*retry_timeout must not exceed ttl (" + before + "); using " +
                      after + still);
}

}  // namespace internal

ha::Settings MergeDynamic(const Config& local, const nlohmann::json& dcs_config,
                          std::vector<std::string>* warnings) {
  ha::Settings settings;
  (void)internal::ApplyDynamicLayer(local.local_dynamic, "", false, &settings, warnings);
  (void)internal::ApplyDynamicLayer(dcs_config, "/config ", false, &settings, warnings);
  // Either side may turn pg_rewind off: the local postgresql.use_pg_rewind (default true) and the
  // dynamic postgresql.use_pg_rewind.
  settings.use_pg_rewind = settings.use_pg_rewind && local.postgresql.use_pg_rewind;
  internal::AdjustTimeouts(&settings, warnings);
  return settings;
}

}  // namespace pgha::config
