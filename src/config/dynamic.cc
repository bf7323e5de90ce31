#include "config/dynamic.h"

#include <algorithm>
#include <cstdint>

#include "config/config.h"
#include "config/guc_catalog.h"
#include "config/values.h"
#include "core/strings.h"
#include "ha/slots.h"

namespace pgha::config {
namespace internal {
namespace {

struct IntKey {
  const char* name;
  int ha::Settings::*field;
  int min;
  int max;
};

// pgha's ranges; 5 is ttl's minimum. A loop_wait or retry_timeout too long for the ttl is
// lowered (AdjustTiming), as Patroni does, so ttl >= loop_wait + 2 x retry_timeout holds; with
// retry_timeout >= 2 that is also >= loop_wait + retry_timeout + 2 (docs/timing.md). Patroni:
// ttl >= 20, retry_timeout >= 3.
constexpr IntKey kIntKeys[] = {
    {"ttl", &ha::Settings::ttl, 5, 3600},
    {"loop_wait", &ha::Settings::loop_wait, 1, 600},
    {"retry_timeout", &ha::Settings::retry_timeout, 2, 600},
    {"primary_start_timeout", &ha::Settings::primary_start_timeout, 0, 86400},
    {"primary_stop_timeout", &ha::Settings::primary_stop_timeout, 0, 86400},
    {"synchronous_node_count", &ha::Settings::synchronous_node_count, 1, 100},
    {"member_slots_ttl", &ha::Settings::member_slots_ttl, 0, 7 * 86400},
};
constexpr int kAbsoluteMinimumTtl = 5;

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

// Patroni dynamic keys pgha accepts without acting on them (two are type-checked below).
constexpr const char* kOtherKeys[] = {"maximum_lag_on_failover",
                                      "synchronous_mode",
                                      "master_start_timeout",
                                      "master_stop_timeout",
                                      "maximum_lag_on_syncnode",  // applied below
                                      "max_timelines_history",
                                      "slots",         // applied below
                                      "ignore_slots",  // checked below
                                      "standby_cluster",
                                      "postgresql"};

// Collects what is wrong with one layer: errors (strict) or warnings (lenient).
class Checker {
 public:
  Checker(std::string prefix, bool strict, std::vector<std::string>* warnings,
          const ha::Settings* fallback)
      : prefix_(std::move(prefix)), strict_(strict), warnings_(warnings), fallback_(fallback) {}
  // Records the problem; the caller skips the value.
  void Invalid(const std::string& key, const std::string& reason) {
    std::string message = prefix_ + key + ": " + reason;
    if (strict_) {
      errors_.push_back(message);
    } else if (warnings_) {
      warnings_->push_back("ignoring invalid dynamic setting " + message + KeptNote(key));
    }
  }
  void Note(const std::string& key, const std::string& message) {
    if (warnings_) warnings_->push_back(prefix_ + key + ": " + message);
  }
  const ha::Settings* fallback() const { return fallback_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string KeptNote(const std::string& key) const {
    if (!fallback_) return "";
    for (const IntKey& k : kIntKeys) {
      if (key == k.name) return "; keeping " + std::to_string(fallback_->*k.field);
    }
    return "; keeping the previous value";
  }
  std::string prefix_;
  bool strict_;
  std::vector<std::string>* warnings_;
  const ha::Settings* fallback_;
  std::vector<std::string> errors_;
};

// Integers: JSON integers, integral floats and numeric strings ("30"), as Patroni.
void ApplyInt(const nlohmann::json& value, const IntKey& key, Checker* c, ha::Settings* s) {
  auto invalid = [&](const std::string& reason) {
    c->Invalid(key.name, reason);
    if (c->fallback()) s->*key.field = c->fallback()->*key.field;
  };
  auto parsed = JsonInt(value);
  if (!parsed.ok()) return invalid(parsed.message());
  // ttl below its absolute minimum is left to the timing rule (TimingProblem), whose message
  // states the minimum for the loop_wait and retry_timeout in force.
  const bool timing_checked = std::string(key.name) == "ttl" && *parsed < key.min;
  if (!timing_checked && (*parsed < key.min || *parsed > key.max)) {
    return invalid(Shown(value) + " is out of range (allowed: " + std::to_string(key.min) + " to " +
                   std::to_string(key.max) + ")");
  }
  s->*key.field = static_cast<int>(std::max<int64_t>(*parsed, INT32_MIN));
}

void ApplyBool(const nlohmann::json& value, const char* name, bool* field, const bool* fallback,
               Checker* c) {
  auto parsed = JsonBool(value);
  if (!parsed.ok()) {
    c->Invalid(name, parsed.message());
    if (fallback) *field = *fallback;
    return;
  }
  *field = *parsed;
}

void ApplyLag(const nlohmann::json& value, Checker* c, ha::Settings* s) {
  auto parsed = JsonInt(value);
  std::string why = parsed.ok() ? "" : parsed.message();
  if (parsed.ok() && *parsed < 0) {
    why = Shown(value) + " is out of range (allowed: 0 to " + std::to_string(INT64_MAX) + ")";
  }
  if (why.empty()) {
    s->maximum_lag_on_failover = static_cast<uint64_t>(*parsed);
    return;
  }
  c->Invalid("maximum_lag_on_failover", why);
  if (c->fallback()) s->maximum_lag_on_failover = c->fallback()->maximum_lag_on_failover;
}

// maximum_lag_on_syncnode: any integer from -1 (Patroni: <= 0 turns it off).
void ApplySyncnodeLag(const nlohmann::json& value, Checker* c, ha::Settings* s) {
  auto parsed = JsonInt(value);
  std::string why = parsed.ok() ? "" : parsed.message();
  if (parsed.ok() && *parsed < -1) {
    why = Shown(value) + " is out of range (allowed: -1 to " + std::to_string(INT64_MAX) + ")";
  }
  if (why.empty()) {
    s->maximum_lag_on_syncnode = *parsed;
    return;
  }
  c->Invalid("maximum_lag_on_syncnode", why);
  if (c->fallback()) s->maximum_lag_on_syncnode = c->fallback()->maximum_lag_on_syncnode;
}

// An integer key pgha does not act on: type and lower bound only.
void CheckOtherInt(const nlohmann::json& layer, const char* name, int64_t min, Checker* c) {
  if (!layer.contains(name)) return;
  auto parsed = JsonInt(layer[name]);
  if (!parsed.ok()) return c->Invalid(name, parsed.message());
  if (*parsed < min) {
    c->Invalid(name, Shown(layer[name]) + " is out of range (allowed: " + std::to_string(min) +
                         " to " + std::to_string(INT64_MAX) + ")");
  }
}

// Boolean, or Patroni's "on" / "off" / "quorum".
void ApplySyncMode(const nlohmann::json& value, Checker* c, ha::Settings* s) {
  if (value.is_string() && value.get<std::string>() == "quorum") {
    s->synchronous_mode = true;
    s->synchronous_mode_quorum = true;
    return;
  }
  auto parsed = JsonBool(value);
  if (!parsed.ok()) {
    c->Invalid("synchronous_mode", "expected on, off or quorum, got " + Shown(value));
    if (c->fallback()) {
      s->synchronous_mode = c->fallback()->synchronous_mode;
      s->synchronous_mode_quorum = c->fallback()->synchronous_mode_quorum;
    }
    return;
  }
  s->synchronous_mode = *parsed;
  s->synchronous_mode_quorum = false;
}

void ApplyPostgresql(const nlohmann::json& pg, Checker* c, ha::Settings* s) {
  if (!pg.is_object()) return c->Invalid("postgresql", "expected a mapping, got " + Shown(pg));
  const ha::Settings* f = c->fallback();
  if (pg.contains("use_pg_rewind")) {
    ApplyBool(pg["use_pg_rewind"], "postgresql.use_pg_rewind", &s->use_pg_rewind,
              f ? &f->use_pg_rewind : nullptr, c);
  }
  if (pg.contains("use_slots")) {
    ApplyBool(pg["use_slots"], "postgresql.use_slots", &s->use_slots, f ? &f->use_slots : nullptr,
              c);
  }
  // postgresql.parameters are checked against the PostgreSQL catalog (ValidateDynamicConfig,
  // MergeDynamic): their problems are not about these settings.
  if (auto it = pg.find("pg_hba"); it != pg.end() && !it->is_null()) {
    bool lines = it->is_array() &&
                 std::all_of(it->begin(), it->end(), [](const auto& l) { return l.is_string(); });
    if (!lines) c->Invalid("postgresql.pg_hba", "expected a list of lines, got " + Shown(*it));
  }
  for (const auto& [key, value] : pg.items()) {
    if (key == "use_pg_rewind" || key == "use_slots" || key == "parameters" || key == "pg_hba") {
      continue;
    }
    c->Note("postgresql." + key,
            "not used from the dynamic configuration: pgha reads it from the local file only");
  }
}

// Patroni's `slots`: {name: null | {type: physical} | {type: logical, database, plugin}}. A value
// without `type` is logical when it names a database and a plugin. The whole mapping replaces
// the previous layer's (PATCH /config merges before it gets here).
void ApplySlots(const nlohmann::json& value, Checker* c, ha::Settings* s) {
  std::map<std::string, ha::PermanentSlot> slots;
  if (!value.is_null() && !value.is_object()) {
    c->Invalid("slots", "expected a mapping of slot names, got " + Shown(value));
    if (c->fallback()) s->slots = c->fallback()->slots;
    return;
  }
  if (value.is_null()) {
    s->slots.clear();
    return;
  }
  for (auto item = value.begin(); item != value.end(); ++item) {
    const std::string& name = item.key();
    const nlohmann::json& v = item.value();
    const std::string key = "slots." + name;
    if (!ha::ValidSlotName(name)) {
      c->Invalid(key,
                 "invalid replication slot name: only lower-case letters, digits and '_', "
                 "at most 63 characters");
      continue;
    }
    ha::PermanentSlot slot;
    const bool empty = v.is_null() || (v.is_number() && v == 0) || (v.is_boolean() && !v) ||
                       (v.is_string() && v.get<std::string>().empty());
    if (!empty && !v.is_object()) {
      c->Invalid(key, "expected a mapping with type physical or logical, got " + Shown(v));
      continue;
    }
    if (v.is_object()) {
      auto text = [&](const char* field) {
        auto it = v.find(field);
        return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
      };
      std::string cluster_type = text("cluster_type");
      if (v.contains("cluster_type") && cluster_type != "primary" && cluster_type != "standby") {
        c->Invalid(key + ".cluster_type",
                   "expected primary or standby, got " + Shown(v["cluster_type"]));
        continue;
      }
      if (cluster_type == "standby") {
        c->Note(key,
                "not created: cluster_type standby is for standby clusters, which pgha "
                "does not run");
        continue;
      }
      std::string type = text("type");
      if (v.contains("type") && type != "physical" && type != "logical") {
        c->Invalid(key + ".type", "expected physical or logical, got " + Shown(v["type"]));
        continue;
      }
      if (type.empty())
        type = !text("database").empty() && !text("plugin").empty() ? "logical" : "physical";
      if (type == "logical") {
        slot.database = text("database");
        slot.plugin = text("plugin");
        if (slot.database.empty() || slot.plugin.empty()) {
          c->Invalid(key, "a logical slot needs a database and a plugin");
          continue;
        }
        c->Note(key,
                "kept on the primary only: pgha does not copy logical slots to replicas, so after "
                "a failover it is created anew and its consumer must resynchronise");
      }
    }
    slots[name] = slot;
  }
  s->slots = std::move(slots);
}

// Keys pgha reads and does not act on, each named: what Patroni would do with it does not happen.
// A standby cluster is refused outright: going on without it would bootstrap a writable primary
// where the user asked for a read-only copy of another cluster.
void NoteUnsupported(const nlohmann::json& layer, Checker* c) {
  if (auto it = layer.find("standby_cluster");
      it != layer.end() && !it->is_null() && !(it->is_object() && it->empty())) {
    c->Invalid("standby_cluster",
               "standby clusters are not supported by pgha: refusing it rather than running a "
               "writable primary where a standby leader was asked for");
  }
  auto positive = [&](const char* key) {
    auto it = layer.find(key);
    return it != layer.end() && JsonInt(*it).ok() && *JsonInt(*it) > 0;
  };
  if (auto it = layer.find("check_timeline");
      it != layer.end() && JsonBool(*it).ok() && !*JsonBool(*it)) {
    c->Note("check_timeline",
            "pgha never promotes a member on a timeline older than the cluster's, as with "
            "check_timeline: true");
  }
  for (const char* key : {"primary_stop_timeout", "master_stop_timeout"}) {
    if (positive(key)) c->Note(key, "not used: pgha does not kill a primary that stops slowly");
  }
  if (positive("max_timelines_history")) {
    c->Note("max_timelines_history", "not used: pgha keeps every /history entry");
  }
  if (layer.contains("ignore_slots") && !layer["ignore_slots"].is_null()) {
    c->Note("ignore_slots",
            "pgha never drops a slot it did not create (only members' slots, after "
            "member_slots_ttl, and permanent slots removed from `slots`), so every other slot is "
            "left alone as if listed here");
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
    if (!layer.contains(key.name)) continue;
    const bool* fallback = c->fallback() ? &(c->fallback()->*key.field) : nullptr;
    ApplyBool(layer[key.name], key.name, &(s->*key.field), fallback, c);
  }
  ApplyLegacy(layer, c, s);
  if (layer.contains("maximum_lag_on_failover")) ApplyLag(layer["maximum_lag_on_failover"], c, s);
  if (layer.contains("maximum_lag_on_syncnode")) {
    ApplySyncnodeLag(layer["maximum_lag_on_syncnode"], c, s);
  }
  CheckOtherInt(layer, "max_timelines_history", 0, c);
  if (layer.contains("synchronous_mode")) ApplySyncMode(layer["synchronous_mode"], c, s);
  if (layer.contains("postgresql")) ApplyPostgresql(layer["postgresql"], c, s);
  if (layer.contains("slots")) ApplySlots(layer["slots"], c, s);
  NoteUnsupported(layer, c);
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

std::vector<std::string> CheckDynamicLayer(const nlohmann::json& layer, const std::string& prefix,
                                           bool strict, ha::Settings* settings,
                                           std::vector<std::string>* warnings,
                                           const ha::Settings* fallback) {
  Checker checker(prefix, strict, warnings, fallback);
  if (layer.is_null()) return {};
  if (!layer.is_object()) {
    checker.Invalid("", "expected a mapping, got " + Shown(layer));
    return checker.errors();
  }
  if (strict) {
    for (const auto& [key, value] : layer.items()) {
      if (!IsDynamicKey(key)) checker.Note(key, "unknown dynamic setting");
    }
  }
  ApplyKnownKeys(layer, &checker, settings);
  return checker.errors();
}

Status ApplyDynamicLayer(const nlohmann::json& layer, const std::string& prefix, bool strict,
                         ha::Settings* settings, std::vector<std::string>* warnings,
                         const ha::Settings* fallback) {
  return JoinProblems(CheckDynamicLayer(layer, prefix, strict, settings, warnings, fallback));
}

Status JoinProblems(const std::vector<std::string>& problems) {
  if (problems.empty()) return OkStatus();
  std::string joined;
  for (const auto& p : problems) joined += (joined.empty() ? "" : "; ") + p;
  return Err(joined);
}

std::string TimingProblem(const ha::Settings& s) {
  if (s.ttl >= kAbsoluteMinimumTtl) return "";
  return "ttl: " + std::to_string(s.ttl) + " is below the minimum " +
         std::to_string(kAbsoluteMinimumTtl) + " for loop_wait " + std::to_string(s.loop_wait) +
         " and retry_timeout " + std::to_string(s.retry_timeout) +
         " (ttl >= max(5, loop_wait + 2 x retry_timeout))";
}

std::string AdjustTiming(ha::Settings* s) {
  if (s->ttl < kAbsoluteMinimumTtl || s->loop_wait + 2 * s->retry_timeout <= s->ttl) return "";
  const int loop_wait = s->loop_wait, retry_timeout = s->retry_timeout;
  constexpr int kMinLoopWait = 1;
  if (kMinLoopWait + 2 * retry_timeout > s->ttl) {
    s->loop_wait = kMinLoopWait;
    s->retry_timeout = (s->ttl - kMinLoopWait) / 2;  // >= 2: ttl >= 5
  } else {
    s->loop_wait = s->ttl - 2 * retry_timeout;
  }
  return "violated the rule \"loop_wait + 2*retry_timeout <= ttl\" (ttl " + std::to_string(s->ttl) +
         "): using loop_wait " + std::to_string(s->loop_wait) + " instead of " +
         std::to_string(loop_wait) + " and retry_timeout " + std::to_string(s->retry_timeout) +
         " instead of " + std::to_string(retry_timeout) + ", as Patroni does";
}

}  // namespace internal

namespace {

nlohmann::json ParametersIn(const nlohmann::json& config) {
  if (!config.is_object() || !config.contains("postgresql")) return nullptr;
  const nlohmann::json& pg = config["postgresql"];
  if (!pg.is_object() || !pg.contains("parameters")) return nullptr;
  return pg["parameters"];
}

// Every problem of a document, each naming its key path.
std::vector<std::string> Problems(const nlohmann::json& config, const GucCatalog* gucs,
                                  const std::string& prefix, std::vector<std::string>* warnings) {
  ha::Settings settings;
  std::vector<std::string> problems =
      internal::CheckDynamicLayer(config, prefix, true, &settings, warnings, nullptr);
  bool timing_keys_valid = true;
  for (const char* key : {"ttl:", "loop_wait:", "retry_timeout:"}) {
    for (const auto& p : problems)
      timing_keys_valid = timing_keys_valid && !StartsWith(p, prefix + key);
  }
  std::string timing = internal::TimingProblem(settings);
  if (timing_keys_valid && !timing.empty()) problems.push_back(prefix + timing);
  if (std::string adjusted = internal::AdjustTiming(&settings);
      timing_keys_valid && !adjusted.empty() && warnings) {
    warnings->push_back(prefix + adjusted);
  }
  CheckParameters(ParametersIn(config), gucs, prefix + "postgresql.parameters.", &problems);
  return problems;
}

}  // namespace

Status ValidateDynamicConfig(const nlohmann::json& config, const GucCatalog* gucs,
                             const std::string& prefix, std::vector<std::string>* warnings) {
  return internal::JoinProblems(Problems(config, gucs, prefix, warnings));
}

Status ValidateDynamicChange(const nlohmann::json& before, const nlohmann::json& after,
                             const GucCatalog* gucs, std::vector<std::string>* warnings) {
  std::vector<std::string> old_problems = Problems(before, gucs, "", nullptr);
  std::vector<std::string> added;
  for (const std::string& p : Problems(after, gucs, "", warnings)) {
    if (std::find(old_problems.begin(), old_problems.end(), p) == old_problems.end()) {
      added.push_back(p);
    } else if (warnings) {
      warnings->push_back("left as it was, still invalid: " + p);
    }
  }
  return internal::JoinProblems(added);
}

namespace {

// `previous` null: an invalid /config value leaves the local (or default) one.
ha::Settings Merge(const Config& local, const nlohmann::json& dcs_config,
                   const ha::Settings* previous, std::vector<std::string>* warnings) {
  ha::Settings settings;
  (void)internal::ApplyDynamicLayer(local.local_dynamic, "", false, &settings, warnings);
  const ha::Settings local_settings = settings;
  (void)internal::ApplyDynamicLayer(dcs_config, "/config ", false, &settings, warnings, previous);
  // The three timing values are kept together: a mix of new and old ones could break the lease
  // arithmetic that each valid set keeps.
  if (std::string problem = internal::TimingProblem(settings); !problem.empty()) {
    const ha::Settings* keep = previous;
    if (!keep || !internal::TimingProblem(*keep).empty()) keep = &local_settings;
    if (!internal::TimingProblem(*keep).empty()) keep = nullptr;
    settings.ttl = keep ? keep->ttl : ha::Settings{}.ttl;
    settings.loop_wait = keep ? keep->loop_wait : ha::Settings{}.loop_wait;
    settings.retry_timeout = keep ? keep->retry_timeout : ha::Settings{}.retry_timeout;
    if (warnings) {
      warnings->push_back("ignoring invalid dynamic setting /config " + problem + "; keeping ttl " +
                          std::to_string(settings.ttl) + ", loop_wait " +
                          std::to_string(settings.loop_wait) + " and retry_timeout " +
                          std::to_string(settings.retry_timeout));
    }
  }
  if (std::string adjusted = internal::AdjustTiming(&settings); !adjusted.empty() && warnings) {
    warnings->push_back(adjusted);
  }
  std::vector<std::string> dropped;
  (void)ValidParameters(ParametersIn(dcs_config), local.postgresql.gucs.get(),
                        "/config postgresql.parameters.", &dropped);
  for (const auto& d : dropped) {
    if (warnings) warnings->push_back("not writing invalid " + d + " into postgresql.conf");
  }
  // Either side may turn pg_rewind off: the local postgresql.use_pg_rewind (default true) and the
  // dynamic postgresql.use_pg_rewind.
  settings.use_pg_rewind = settings.use_pg_rewind && local.postgresql.use_pg_rewind;
  return settings;
}

}  // namespace

ha::Settings MergeDynamic(const Config& local, const nlohmann::json& dcs_config,
                          std::vector<std::string>* warnings) {
  return Merge(local, dcs_config, nullptr, warnings);
}

ha::Settings MergeDynamic(const Config& local, const nlohmann::json& dcs_config,
                          const ha::Settings& previous, std::vector<std::string>* warnings) {
  return Merge(local, dcs_config, &previous, warnings);
}

}  // namespace pgha::config
