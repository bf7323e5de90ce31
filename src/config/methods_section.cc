// Script methods: postgresql.create_replica_methods and bootstrap.method (Patroni's keys).
#include "config/sections.h"
#include "config/values.h"
#include "config/yaml_util.h"
#include "core/strings.h"

namespace pgha::config::internal {
namespace {

// A scalar as the text Patroni passes: YAML booleans stay as written ("true", "1").
Status ScalarText(const Section& s, const std::string& key, std::string* out) {
  YAML::Node n = s.Get(key);
  if (!n.IsScalar()) return s.Fail(key, "expected a single value, got " + Describe(n));
  *out = n.Scalar();
  return OkStatus();
}

// The keys of `s` other than `reserved`, as --key=value arguments in file order.
Status ExtraArgs(const Section& s, const std::vector<std::string_view>& reserved,
                 std::vector<std::pair<std::string, std::string>>* out) {
  for (const auto& kv : s.node()) {
    std::string key = kv.first.Scalar();
    bool skip = false;
    for (std::string_view r : reserved) skip = skip || r == key;
    if (skip) continue;
    std::string value;
    PGHA_TRY(ScalarText(s, key, &value));
    out->emplace_back(key, value);
  }
  return OkStatus();
}

Status ReadCommand(const Section& s, const std::string& fallback, ScriptMethod* m) {
  std::string text = fallback;
  PGHA_TRY(s.Str("command", &text));
  auto argv = SplitCommandLine(text);
  if (!argv.ok()) return s.Fail("command", argv.message() + ", got " + Shown(text));
  m->command = std::move(*argv);
  return OkStatus();
}

}  // namespace

Status ReadReplicaMethods(const Section& pg, Postgresql* out) {
  YAML::Node list = pg.Get("create_replica_methods");
  if (!list.IsDefined() || list.IsNull()) return OkStatus();
  if (!list.IsSequence() || list.size() == 0) {
    return pg.Fail("create_replica_methods",
                   "expected a list of method names, got " + Describe(list));
  }
  std::vector<ScriptMethod> methods;
  for (const auto& item : list) {
    if (!item.IsScalar() || Trim(item.Scalar()).empty()) {
      return pg.Fail("create_replica_methods",
                     "expected method names, got an entry " + Describe(item));
    }
    ScriptMethod m;
    m.name = item.Scalar();
    if (m.name == "basebackup") {
      methods.push_back(std::move(m));
      continue;
    }
    Section s = pg.Child(m.name);
    if (s.present() && !s.node().IsMap()) {
      return pg.Fail(m.name, "expected the mapping of replica method " + m.name + ", got " +
                                 Describe(s.node()));
    }
    // As Patroni: without a section (or a command) the method's name is the command.
    PGHA_TRY(ReadCommand(s, m.name, &m));
    PGHA_TRY(s.Bool("no_leader", &m.no_leader));
    PGHA_TRY(s.Bool("keep_data", &m.keep_data));
    PGHA_TRY(s.Bool("no_params", &m.no_params));
    if (s.present()) {
      PGHA_TRY(ExtraArgs(s, {"command", "no_leader", "keep_data", "no_params"}, &m.args));
    }
    methods.push_back(std::move(m));
  }
  out->create_replica_methods = std::move(methods);
  return OkStatus();
}

// postgresql.basebackup as Patroni takes it: a list of flags and single-key mappings, or one
// mapping; the options pgha sets itself are refused by name.
Status ReadBasebackupOptions(const Section& pg, Postgresql* out) {
  YAML::Node node = pg.Get("basebackup");
  if (!node.IsDefined() || node.IsNull()) return OkStatus();
  std::vector<std::pair<std::string, std::optional<std::string>>> options;
  auto add_map = [&](const YAML::Node& m) -> Status {
    for (const auto& kv : m) {
      if (!kv.second.IsScalar()) {
        return pg.Fail("basebackup", "expected a value for " + kv.first.Scalar() + ", got " +
                                         Describe(kv.second));
      }
      options.emplace_back(kv.first.Scalar(), kv.second.Scalar());
    }
    return OkStatus();
  };
  if (node.IsMap()) {
    PGHA_TRY(add_map(node));
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (item.IsScalar()) {
        options.emplace_back(item.Scalar(), std::nullopt);
      } else if (item.IsMap() && item.size() == 1) {
        PGHA_TRY(add_map(item));
      } else {
        return pg.Fail("basebackup",
                       "expected option names or one-key mappings, got " + Describe(item));
      }
    }
  } else {
    return pg.Fail("basebackup",
                   "expected a list or a mapping of pg_basebackup options, got " + Describe(node));
  }
  for (const auto& [key, value] : options) {
    for (const char* own : {"pgdata", "D", "wal-method", "X", "dbname", "d", "no-password", "w"}) {
      if (key == own) {
        return pg.Fail("basebackup", "option " + key + " is set by pgha itself");
      }
    }
    if (key.empty() || key.front() == '-') {
      return pg.Fail("basebackup", "expected option names without dashes, got " + Shown(key));
    }
    out->basebackup.push_back("--" + key + (value ? "=" + *value : ""));
  }
  return OkStatus();
}

Status ReadBootstrapMethod(const Section& bootstrap, const std::string& name, Bootstrap* out) {
  Section s = bootstrap.Child(name);
  if (!s.present() || !s.node().IsMap()) {
    return bootstrap.Fail(name, "bootstrap.method is " + name +
                                    ": expected its mapping with a command, got " +
                                    Describe(s.node()));
  }
  if (!s.Has("command")) {
    // Patroni would quietly run initdb instead: an empty cluster where a restore was asked for.
    return s.Fail("command", "required: the script that creates the data directory");
  }
  ScriptMethod m;
  m.name = name;
  PGHA_TRY(ReadCommand(s, "", &m));
  PGHA_TRY(s.Bool("no_params", &m.no_params));
  PGHA_TRY(s.Bool("keep_existing_recovery_conf", &m.keep_existing_recovery_conf));
  Section recovery = s.Child("recovery_conf");
  if (recovery.present()) {
    if (!recovery.node().IsMap()) {
      return s.Fail("recovery_conf",
                    "expected a mapping of recovery settings, got " + Describe(recovery.node()));
    }
    PGHA_TRY(ExtraArgs(recovery, {}, &m.recovery_conf));
  }
  PGHA_TRY(ExtraArgs(
      s,
      {"command", "no_params", "keep_existing_recovery_conf", "recovery_conf", "scope", "datadir"},
      &m.args));
  out->method = std::move(m);
  return OkStatus();
}

}  // namespace pgha::config::internal
