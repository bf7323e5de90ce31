// ParseConfig: YAML tree + environment -> validated Config.
#include "config/config.h"

#include <exception>

#include "config/dynamic.h"
#include "config/env.h"
#include "config/parse.h"
#include "config/sections.h"
#include "config/values.h"
#include "config/yaml_util.h"
#include "core/strings.h"

namespace pgha::config {
namespace internal {
namespace {

// Patroni refuses this name: it is its placeholder for a synchronous standby.
constexpr char kForbiddenName[] = "__patroni_strict_sync_replica_placeholder__";

bool IsTopLevelKey(const std::string& key) {
  for (const char* k : {"scope",
                        "namespace",
                        "name",
                        "log",
                        "restapi",
                        "ctl",
                        "etcd3",
                        "etcd",
                        "bootstrap",
                        "postgresql",
                        "tags",
                        "watchdog",
                        "citus",
                        "thread_pool_size",
                        "thread_stack_size",
                        "consul",
                        "zookeeper",
                        "kubernetes",
                        "raft",
                        "exhibitor"}) {
    if (key == k) return true;
  }
  return IsDynamicKey(key);
}

std::string NormalizeNamespace(const std::string& text) {
  std::string out;
  for (const std::string& part : Split(text, '/')) {
    if (!Trim(part).empty()) out += "/" + Trim(part);
  }
  return out;  // "/" and "" mean the root: keys are /<scope>/...
}

Status ReadIdentity(const Section& top, Config* c) {
  // pghactl may take the cluster name from its command line, and needs no member name.
  if (!top.AgentOnlyAbsent("scope")) {
    PGHA_TRY(top.Require("scope", "PATRONI_SCOPE"));
    PGHA_TRY(top.NonEmptyStr("scope", &c->scope));
  }
  if (!top.AgentOnlyAbsent("name")) {
    PGHA_TRY(top.Require("name", "PATRONI_NAME"));
    PGHA_TRY(top.NonEmptyStr("name", &c->name));
  }
  if (c->name == kForbiddenName) return top.Fail("name", "this name is reserved by Patroni");
  PGHA_TRY(top.Str("namespace", &c->namespace_));
  c->namespace_ = NormalizeNamespace(c->namespace_);
  return OkStatus();
}

// Top-level dynamic keys are validated like bootstrap.dcs and laid over it.
Status ReadLocalDynamic(const Section& top, Config* c) {
  nlohmann::json layer = nlohmann::json::object();
  for (const auto& kv : top.node()) {
    const std::string key = kv.first.Scalar();
    // The top-level postgresql section is the local one, not a dynamic override.
    if (IsDynamicKey(key) && key != "postgresql") layer[key] = NodeToJson(kv.second);
  }
  c->local_dynamic = c->bootstrap.dcs;
  MergeJson(&c->local_dynamic, layer);
  // bootstrap.dcs alone was checked with its own key paths (ReadDcs): what is left to find here
  // is a top-level value, or the two layers together breaking the lease arithmetic. Its notes
  // were reported with their bootstrap.dcs paths; those about top-level keys are reported here.
  std::vector<std::string> notes;
  Status st = ValidateDynamicConfig(c->local_dynamic, nullptr, "", &notes);
  for (auto& note : notes) {
    bool top_level = std::any_of(layer.items().begin(), layer.items().end(), [&](const auto& kv) {
      const std::string& k = kv.key();
      return note.rfind(k + ":", 0) == 0 || note.rfind(k + ".", 0) == 0;
    });
    if (top_level) top.Warn(std::move(note));
  }
  return st;
}

void WarnIgnoredTopLevel(const Section& top) {
  for (const auto& kv : top.node()) {
    if (!IsTopLevelKey(kv.first.Scalar())) top.Warn("unknown key " + kv.first.Scalar());
  }
  top.WarnUnused("citus", "Citus clusters are not supported");
  top.WarnUnused("thread_pool_size", "the REST API's threads are pgha's own");
  top.WarnUnused("thread_stack_size", "the REST API's threads are pgha's own");
}

// Every section is read even after one failed, so that one run names the first error of each
// section (one per line); the top-level dynamic keys only once bootstrap.dcs has been read.
Status ReadSections(const Section& top, Config* c) {
  std::string errors;
  auto note = [&errors](const Status& st) {
    if (!st.ok()) errors += (errors.empty() ? "" : "\n") + st.message();
    return st.ok();
  };
  note(ReadIdentity(top, c));
  note(ReadLog(top, c));
  note(ReadRestApi(top, &c->restapi));
  note(ReadCtl(top, &c->ctl));
  note(ReadEtcd(top, &c->etcd));
  const bool bootstrap = note(ReadBootstrap(top, &c->bootstrap));
  note(ReadPostgresql(top, &c->postgresql));
  note(ReadTags(top, &c->tags));
  note(ReadWatchdog(top, &c->watchdog));
  if (bootstrap) note(ReadLocalDynamic(top, c));
  if (!errors.empty()) return Err(errors);
  return OkStatus();
}

}  // namespace

Result<Config> ParseTree(YAML::Node root, const Env& env, std::vector<std::string> warnings,
                         bool ctl_only) {
  try {
    if (!root.IsDefined() || root.IsNull()) root.reset(YAML::Node(YAML::NodeType::Map));
    if (!root.IsMap()) {
      return Err("configuration: expected a mapping at the top level, got " + Describe(root));
    }
    ParseContext ctx;
    ctx.warnings = std::move(warnings);
    ctx.ctl_only = ctl_only;
    PGHA_TRY(ApplyEnvironment(env, root, &ctx));
    Section top(root, "", &ctx);
    Config config;
    WarnIgnoredTopLevel(top);
    PGHA_TRY(ReadSections(top, &config));
    config.warnings = std::move(ctx.warnings);
    return config;
  } catch (const std::exception& e) {  // yaml-cpp conversions; never escape the module
    return Err(std::string("configuration: ") + e.what());
  }
}

const std::string* ConfigurationFromEnv(const Env& env, std::string* var) {
  const std::string* text = LookupEnv(env, "CONFIGURATION", var);
  return text != nullptr && !Trim(*text).empty() ? text : nullptr;
}

}  // namespace internal

Result<Config> ParseConfig(const std::string& yaml_text, const Env& env) {
  std::vector<std::string> warnings;
  std::string text = yaml_text, var;
  if (const std::string* from_env = internal::ConfigurationFromEnv(env, &var)) {
    if (!Trim(yaml_text).empty()) {
      warnings.push_back(var + " is set: it replaces the configuration file");
    }
    text = *from_env;
  }
  auto root = internal::ParseYaml(text);
  if (!root.ok()) return Err(var.empty() ? root.message() : var + ": " + root.message());
  return internal::ParseTree(*root, env, std::move(warnings));
}

}  // namespace pgha::config
