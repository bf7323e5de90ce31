#include "local/spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "local/plan.h"

namespace pgha::ctl {
namespace {

namespace fs = std::filesystem;

std::string Quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

Error BadValue(const std::string& key, const YAML::Node& node, const std::string& why) {
  std::string shown = node.IsScalar() ? Quoted(node.Scalar()) : std::string("(not a scalar)");
  return Err("cluster file: " + key + ": bad value " + shown + ": " + why);
}

Result<int> IntValue(const std::string& key, const YAML::Node& node, int lo, int hi) {
  if (!node.IsScalar()) return BadValue(key, node, "expected an integer");
  const std::string& s = node.Scalar();
  int v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
    return BadValue(key, node, "expected an integer");
  }
  if (v < lo || v > hi) {
    return BadValue(key, node, "must be " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return v;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool IsScopeName(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

Result<std::string> StringValue(const std::string& key, const YAML::Node& node) {
  if (!node.IsScalar() || node.Scalar().empty()) return BadValue(key, node, "expected a string");
  return node.Scalar();
}

// One mapping level: every key must be handled or listed as ignored.
using Handler = std::function<Status(const YAML::Node&)>;
Status WalkMap(const std::string& prefix, const YAML::Node& node,
               const std::map<std::string, Handler>& handlers,
               const std::vector<std::string>& ignorable, ClusterSpec* spec) {
  std::string where = prefix.empty() ? "top level" : prefix;
  if (!node.IsMap()) return Err("cluster file: " + where + ": expected a mapping");
  std::vector<std::string> unknown;
  for (const auto& kv : node) {
    std::string key = kv.first.Scalar();
    std::string full = prefix.empty() ? key : prefix + "." + key;
    if (handlers.count(key) != 0) continue;
    bool ignored = std::find(ignorable.begin(), ignorable.end(), key) != ignorable.end();
    (ignored ? spec->ignored_keys : unknown).push_back(full);
  }
  if (unknown.empty()) {  // this level is known; now its values, in file order
    for (const auto& kv : node) {
      auto it = handlers.find(kv.first.Scalar());
      if (it == handlers.end() || kv.second.IsNull()) continue;  // "key:" keeps the default
      PGHA_TRY(it->second(kv.second));
    }
  }
  if (unknown.empty()) return OkStatus();
  std::string names;
  for (const auto& u : unknown) names += (names.empty() ? "" : ", ") + u;
  std::string known;
  for (const auto& [k, h] : handlers) known += (known.empty() ? "" : ", ") + k;
  return Err("cluster file: unknown key" + std::string(unknown.size() > 1 ? "s " : " ") + names +
             " (known at " + where + ": " + known + ")");
}

Status ParsePostgres(const YAML::Node& node, ClusterSpec* spec) {
  std::map<std::string, Handler> h;
  h["username"] = [spec](const YAML::Node& n) -> Status {
    if (!n.IsScalar() || !IsIdentifier(n.Scalar())) {
      return BadValue("postgres.username", n, "expected an identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
    const std::string& u = n.Scalar();
    if (u == "postgres" || u == "replicator" || u == "rewind_user") {
      return BadValue("postgres.username", n, "reserved for the cluster's own roles");
    }
    spec->username = u;
    return OkStatus();
  };
  h["password"] = [spec](const YAML::Node& n) -> Status {
    auto s = StringValue("postgres.password", n);
    PGHA_TRY(s);
    spec->password = *s;
    return OkStatus();
  };
  h["database"] = [spec](const YAML::Node& n) -> Status {
    if (!n.IsScalar() || !IsIdentifier(n.Scalar())) {
      return BadValue("postgres.database", n, "expected an identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
    spec->database = n.Scalar();
    return OkStatus();
  };
  return WalkMap("postgres", node, h, {}, spec);
}

// resources (the nodes) or etcd.resources: cpu and memory into *cpu and *memory.
Status ParseResources(const std::string& prefix, const YAML::Node& node, ClusterSpec* spec,
                      double* cpu, int64_t* memory) {
  std::map<std::string, Handler> h;
  h["cpu"] = [prefix, cpu](const YAML::Node& n) -> Status {
    if (!n.IsScalar()) return BadValue(prefix + ".cpu", n, "expected a number of cores");
    auto v = ParseCpu(n.Scalar());
    if (!v.ok()) return BadValue(prefix + ".cpu", n, v.message());
    *cpu = *v;
    return OkStatus();
  };
  h["memory"] = [prefix, memory](const YAML::Node& n) -> Status {
    if (!n.IsScalar()) return BadValue(prefix + ".memory", n, "expected a size like 2Gi");
    auto v = ParseMemory(n.Scalar());
    if (!v.ok()) return BadValue(prefix + ".memory", n, v.message());
    if (*v < (int64_t{64} << 20)) return BadValue(prefix + ".memory", n, "must be at least 64Mi");
    *memory = *v;
    return OkStatus();
  };
  return WalkMap(prefix, node, h, {}, spec);
}

Status ParseEtcd(const YAML::Node& node, ClusterSpec* spec) {
  std::map<std::string, Handler> h;
  h["replicas"] = [spec](const YAML::Node& n) -> Status {
    auto v = IntValue("etcd.replicas", n, 1, 5);
    PGHA_TRY(v);
    if (*v % 2 == 0) return BadValue("etcd.replicas", n, "must be 1, 3 or 5");
    spec->etcd_replicas = *v;
    return OkStatus();
  };
  h["internal_access"] = [spec](const YAML::Node& n) -> Status {
    auto a = ParseInternalAccess("etcd.internal_access", n);
    PGHA_TRY(a);
    spec->etcd_access = *a;
    return OkStatus();
  };
  h["resources"] = [spec](const YAML::Node& n) -> Status {
    PGHA_TRY(ParseResources("etcd.resources", n, spec, &spec->etcd_cpu, &spec->etcd_memory_bytes));
    spec->ignored_keys.push_back("etcd.resources");  // applied by `gen --compose` only
    return OkStatus();
  };
  return WalkMap("etcd", node, h, {}, spec);
}

Status ParsePorts(const YAML::Node& node, ClusterSpec* spec) {
  std::map<std::string, Handler> h;
  auto port = [](const std::string& key, int* out) {
    return [key, out](const YAML::Node& n) -> Status {
      auto v = IntValue("ports." + key, n, 1, 65535);
      PGHA_TRY(v);
      *out = *v;
      return OkStatus();
    };
  };
  LocalPorts& p = spec->ports;
  h["write"] = port("write", &p.write);
  h["read"] = port("read", &p.read);
  h["stats"] = port("stats", &p.stats);
  h["postgres"] = port("postgres", &p.postgres);
  h["api"] = port("api", &p.api);
  h["etcd_client"] = port("etcd_client", &p.etcd_client);
  h["etcd_peer"] = port("etcd_peer", &p.etcd_peer);
  return WalkMap("ports", node, h, {}, spec);
}

Status ParseInitSql(const YAML::Node& node, const std::string& base_dir, ClusterSpec* spec) {
  if (!node.IsSequence()) return BadValue("init_sql", node, "expected a list of .sql file paths");
  for (const auto& item : node) {
    auto s = StringValue("init_sql", item);
    PGHA_TRY(s);
    fs::path p(*s);
    if (p.is_relative()) p = fs::path(base_dir) / p;
    spec->init_sql.push_back(p.lexically_normal().string());
  }
  return OkStatus();
}

Status ParseTop(const YAML::Node& root, const std::string& base_dir, ClusterSpec* spec) {
  std::map<std::string, Handler> h;
  h["name"] = [spec](const YAML::Node& n) -> Status {
    if (!n.IsScalar() || !IsScopeName(n.Scalar())) {
      return BadValue("name", n, "expected 1-63 characters of [A-Za-z0-9._-]");
    }
    spec->name = n.Scalar();
    return OkStatus();
  };
  h["replicas"] = [spec](const YAML::Node& n) -> Status {
    auto v = IntValue("replicas", n, 1, 9);
    PGHA_TRY(v);
    spec->replicas = *v;
    return OkStatus();
  };
  h["postgres"] = [spec](const YAML::Node& n) { return ParsePostgres(n, spec); };
  h["etcd"] = [spec](const YAML::Node& n) { return ParseEtcd(n, spec); };
  h["resources"] = [spec](const YAML::Node& n) {
    return ParseResources("resources", n, spec, &spec->cpu, &spec->memory_bytes);
  };
  h["ports"] = [spec](const YAML::Node& n) { return ParsePorts(n, spec); };
  h["init_sql"] = [spec, &base_dir](const YAML::Node& n) {
    return ParseInitSql(n, base_dir, spec);
  };
  h["internal_access"] = [spec](const YAML::Node& n) -> Status {
    auto a = ParseInternalAccess("internal_access", n);
    PGHA_TRY(a);
    spec->access = *a;
    return OkStatus();
  };
  return WalkMap("", root, h, {}, spec);
}

}  // namespace

Result<ClusterSpec> ParseClusterYaml(const std::string& text, const std::string& base_dir) {
  ClusterSpec spec;
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return spec;  // empty file: all defaults
    PGHA_TRY(ParseTop(root, base_dir, &spec));
  } catch (const YAML::Exception& e) {
    return Err(std::string("cluster file: invalid YAML: ") + e.what());
  }
  PGHA_TRY(PlanPorts(spec));
  return spec;
}

Result<ClusterSpec> LoadClusterFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Err("cannot read cluster file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  auto spec = ParseClusterYaml(ss.str(), abs.parent_path().string());
  if (!spec.ok()) return Err(path + ": " + spec.message());
  return spec;
}

Result<int64_t> ParseMemory(std::string_view text) {
  static const std::pair<std::string_view, int64_t> kUnits[] = {{"Ki", int64_t{1} << 10},
                                                                {"Mi", int64_t{1} << 20},
                                                                {"Gi", int64_t{1} << 30},
                                                                {"Ti", int64_t{1} << 40},
                                                                {"k", 1000},
                                                                {"K", 1000},
                                                                {"M", 1000000},
                                                                {"G", 1000000000},
                                                                {"T", 1000000000000},
                                                                {"", 1}};
  for (const auto& [suffix, mult] : kUnits) {
    if (text.size() <= suffix.size() || !text.ends_with(suffix)) continue;
    std::string num(text.substr(0, text.size() - suffix.size()));
    double v = 0;
    auto r = std::from_chars(num.data(), num.data() + num.size(), v);
    if (r.ec != std::errc() || r.ptr != num.data() + num.size() || !(v > 0) || v > 1e15) break;
    return static_cast<int64_t>(v * static_cast<double>(mult));
  }
  return Err("expected a size like 2Gi, 512Mi, 1G or a number of bytes");
}

Result<double> ParseCpu(std::string_view text) {
  bool milli = text.ends_with("m");
  std::string num(milli ? text.substr(0, text.size() - 1) : text);
  double v = 0;
  auto r = std::from_chars(num.data(), num.data() + num.size(), v);
  if (num.empty() || r.ec != std::errc() || r.ptr != num.data() + num.size() || !(v > 0)) {
    return Err("expected a number of cores like 1, 2.5 or 500m");
  }
  if (milli) v /= 1000;
  if (v > 1024) return Err("more than 1024 cores");
  return v;
}

std::string PgMemory(int64_t bytes) {
  int64_t kb = bytes / 1024;
  if (kb % 1024 == 0) return std::to_string(kb / 1024) + "MB";
  return std::to_string(kb) + "kB";
}

ResourceParameters ParametersForResources(double cpu, int64_t memory_bytes) {
  ResourceParameters out;
  if (memory_bytes > 0) {
    int64_t mb = int64_t{1} << 20;
    int64_t work_mem = std::clamp(memory_bytes / 64, 4 * mb, 64 * mb);
    out.local.emplace_back("effective_cache_size", PgMemory(memory_bytes / 4 * 3));
    out.local.emplace_back("shared_buffers", PgMemory(memory_bytes / 4));
    out.local.emplace_back("work_mem", PgMemory(work_mem));
  }
  if (cpu > 0) {
    int cores = std::max(1, static_cast<int>(std::ceil(cpu)));
    out.local.emplace_back("max_parallel_workers", std::to_string(cores));
    // One core: no parallel query (a gather would only compete with its own workers).
    out.local.emplace_back("max_parallel_workers_per_gather", std::to_string(cores / 2));
    // max_worker_processes must match on every node, so it lives in the DCS config.
    out.dcs.emplace_back("max_worker_processes", std::to_string(std::max(8, cores + 4)));
  }
  std::sort(out.local.begin(), out.local.end());
  return out;
}

}  // namespace pgha::ctl
