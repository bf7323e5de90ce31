// The bootstrap section: initial dynamic configuration, initdb options, extra pg_hba lines.
#include "config/dynamic.h"
#include "config/sections.h"
#include "config/values.h"
#include "config/yaml_util.h"
#include "core/strings.h"

namespace pgha::config::internal {
namespace {

// Options pgha (like Patroni) sets itself or that would break the cluster.
bool ForbiddenInitdbOption(const std::string& name) {
  for (const char* f : {"pgdata", "nosync", "pwfile", "sync-only", "version"}) {
    if (name == f) return true;
  }
  return false;
}

// One item: "data-checksums" -> "--data-checksums"; {encoding: UTF8} -> "--encoding=UTF8".
Result<std::string> InitdbOption(const Section& s, const YAML::Node& item, size_t index) {
  std::string where = "item " + std::to_string(index + 1) + ": ";
  std::string name, value;
  if (item.IsScalar()) {
    name = item.Scalar();
  } else if (item.IsMap() && item.size() == 1 && item.begin()->second.IsScalar()) {
    name = item.begin()->first.Scalar();
    value = "=" + item.begin()->second.Scalar();
  } else {
    return s.Fail("initdb",
                  where + "expected an option or a single-key mapping, got " + Describe(item));
  }
  if (name.rfind("--", 0) == 0) name = name.substr(2);
  if (name.empty()) return s.Fail("initdb", where + "empty option name");
  if (ForbiddenInitdbOption(name)) {
    return s.Fail("initdb", where + "option " + name + " is not allowed (pgha sets it itself)");
  }
  return "--" + name + value;
}

Status ReadInitdb(const Section& s, Bootstrap* b) {
  YAML::Node initdb = s.Get("initdb");
  if (!initdb.IsDefined() || initdb.IsNull()) return OkStatus();
  if (!initdb.IsSequence()) return s.Fail("initdb", "expected a list, got " + Describe(initdb));
  for (size_t i = 0; i < initdb.size(); ++i) {
    auto option = InitdbOption(s, initdb[i], i);
    if (!option.ok()) return option.error();
    b->initdb.push_back(*option);
  }
  return OkStatus();
}

Status ReadDcs(const Section& s, Bootstrap* b) {
  YAML::Node dcs = s.Get("dcs");
  if (!dcs.IsDefined() || dcs.IsNull()) return OkStatus();
  if (!dcs.IsMap()) return s.Fail("dcs", "expected a mapping, got " + Describe(dcs));
  b->dcs = NodeToJson(dcs);
  return ValidateDynamicConfig(b->dcs, nullptr, s.PathOf("dcs") + ".", &s.ctx()->warnings);
}

// post_bootstrap, or its older name post_init (Patroni takes post_bootstrap when both are set).
Status ReadPostBootstrap(const Section& s, Bootstrap* b) {
  for (const char* key : {"post_bootstrap", "post_init"}) {
    std::string text;
    PGHA_TRY(s.Str(key, &text));
    if (text.empty()) continue;
    auto argv = SplitCommandLine(text);
    if (!argv.ok() || argv->empty()) {
      return s.Fail(
          key, (argv.ok() ? std::string("no command") : argv.message()) + ", got " + Shown(text));
    }
    if (b->post_bootstrap.empty()) b->post_bootstrap = std::move(*argv);
  }
  return OkStatus();
}

}  // namespace

Status ReadBootstrap(const Section& root, Bootstrap* b) {
  Section s = root.Child("bootstrap");
  std::string method = "initdb";
  if (s.node().IsMap()) PGHA_TRY(s.Str("method", &method));
  PGHA_TRY(s.CheckKeys(
      {"dcs", "initdb", "pg_hba", "method", "post_bootstrap", "post_init", "users", method}));
  PGHA_TRY(ReadDcs(s, b));
  PGHA_TRY(ReadInitdb(s, b));
  PGHA_TRY(s.Lines("pg_hba", &b->pg_hba));
  if (method != "initdb") PGHA_TRY(ReadBootstrapMethod(s, method, b));
  PGHA_TRY(ReadPostBootstrap(s, b));
  s.WarnUnused("users", "removed in Patroni 4.0");
  return OkStatus();
}

}  // namespace pgha::config::internal
