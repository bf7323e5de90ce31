#include "local/plan.h"

#include <charconv>
#include <map>
#include <random>
#include <sstream>

namespace pgha::ctl {

std::string NodeName(int i) { return "node" + std::to_string(i); }
std::string MemberName(int j) { return "m" + std::to_string(j); }
int PostgresPort(const ClusterSpec& spec, int i) { return spec.ports.postgres + i - 1; }
int ApiPort(const ClusterSpec& spec, int i) { return spec.ports.api + i - 1; }
int EtcdClientPort(const ClusterSpec& spec, int j) {
  return spec.ports.etcd_client + 100 * (j - 1);
}
int EtcdPeerPort(const ClusterSpec& spec, int j) { return spec.ports.etcd_peer + 100 * (j - 1); }

Result<std::vector<PlannedPort>> PlanPorts(const ClusterSpec& spec) {
  std::vector<PlannedPort> plan = {{spec.ports.write, "haproxy write"},
                                   {spec.ports.read, "haproxy read"},
                                   {spec.ports.stats, "haproxy stats"}};
  for (int i = 1; i <= spec.replicas; ++i) {
    plan.push_back({PostgresPort(spec, i), NodeName(i) + " postgres"});
    plan.push_back({ApiPort(spec, i), NodeName(i) + " api"});
  }
  for (int j = 1; j <= spec.etcd_replicas; ++j) {
    plan.push_back({EtcdClientPort(spec, j), "etcd " + MemberName(j) + " client"});
    plan.push_back({EtcdPeerPort(spec, j), "etcd " + MemberName(j) + " peer"});
  }
  std::map<int, std::string> seen;
  for (const auto& p : plan) {
    if (p.port < 1 || p.port > 65535) {
      return Err("ports: " + p.what + " would be port " + std::to_string(p.port) +
                 ", outside 1..65535");
    }
    auto [it, inserted] = seen.emplace(p.port, p.what);
    if (!inserted) {
      return Err("ports: " + p.what + " and " + it->second + " would both use port " +
                 std::to_string(p.port));
    }
  }
  return plan;
}

std::string RandomPassword() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::random_device rd;  // /dev/urandom on Linux
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string out;
  for (int i = 0; i < 24; ++i) out += kAlphabet[pick(rd)];
  return out;
}

LocalCluster ResolveCluster(const ClusterSpec& spec) {
  LocalCluster c;
  c.spec = spec;
  if (c.spec.password.empty()) c.spec.password = RandomPassword();
  c.superuser = {"postgres", RandomPassword()};
  c.replication = {"replicator", RandomPassword()};
  c.rewind = {"rewind_user", RandomPassword()};
  return c;
}

nlohmann::ordered_json RoleJson(const Role& r) {
  return {{"username", r.username}, {"password", r.password}};
}

namespace {

Result<Role> RoleFromJson(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_object()) return Err(std::string("missing ") + key);
  const auto& r = j[key];
  if (!r.value("username", nlohmann::json()).is_string() ||
      !r.value("password", nlohmann::json()).is_string()) {
    return Err(std::string(key) + ": username/password missing");
  }
  return Role{r["username"].get<std::string>(), r["password"].get<std::string>()};
}

}  // namespace

nlohmann::ordered_json ClusterToJson(const LocalCluster& c) {
  const ClusterSpec& s = c.spec;
  nlohmann::ordered_json j;
  j["version"] = 1;
  j["name"] = s.name;
  j["replicas"] = s.replicas;
  j["etcd_replicas"] = s.etcd_replicas;
  j["postgres"] = {{"username", s.username}, {"password", s.password}, {"database", s.database}};
  j["resources"] = {{"cpu", s.cpu}, {"memory_bytes", s.memory_bytes}};
  j["ports"] = {
      {"write", s.ports.write},        {"read", s.ports.read}, {"stats", s.ports.stats},
      {"postgres", s.ports.postgres},  {"api", s.ports.api},   {"etcd_client", s.ports.etcd_client},
      {"etcd_peer", s.ports.etcd_peer}};
  j["superuser"] = RoleJson(c.superuser);
  j["replication"] = RoleJson(c.replication);
  j["rewind"] = RoleJson(c.rewind);
  j["init_sql"] = s.init_sql;
  j["init_sql_done"] = c.init_sql_done;
  return j;
}

Result<LocalCluster> ClusterFromJson(const nlohmann::json& j) {
  try {
    LocalCluster c;
    ClusterSpec& s = c.spec;
    s.name = j.at("name").get<std::string>();
    s.replicas = j.at("replicas").get<int>();
    s.etcd_replicas = j.at("etcd_replicas").get<int>();
    const auto& pg = j.at("postgres");
    s.username = pg.at("username").get<std::string>();
    s.password = pg.at("password").get<std::string>();
    s.database = pg.at("database").get<std::string>();
    s.cpu = j.at("resources").at("cpu").get<double>();
    s.memory_bytes = j.at("resources").at("memory_bytes").get<int64_t>();
    const auto& p = j.at("ports");
    s.ports = {p.at("write"), p.at("read"),        p.at("stats"),    p.at("postgres"),
               p.at("api"),   p.at("etcd_client"), p.at("etcd_peer")};
    s.init_sql = j.at("init_sql").get<std::vector<std::string>>();
    c.init_sql_done = j.at("init_sql_done").get<std::vector<std::string>>();
    auto su = RoleFromJson(j, "superuser");
    auto rep = RoleFromJson(j, "replication");
    auto rw = RoleFromJson(j, "rewind");
    if (!su.ok() || !rep.ok() || !rw.ok()) {
      return Err(!su.ok() ? su.message() : !rep.ok() ? rep.message() : rw.message());
    }
    c.superuser = *su;
    c.replication = *rep;
    c.rewind = *rw;
    if (s.replicas < 1 || s.replicas > 9) return Err("replicas out of range");
    PGHA_TRY(PlanPorts(s));
    return c;
  } catch (const nlohmann::json::exception& e) {
    return Err(std::string("malformed: ") + e.what());
  }
}

Result<LocalCluster> MergeStoredCluster(const LocalCluster& stored, const ClusterSpec& wanted) {
  const ClusterSpec& s = stored.spec;
  auto differs = [](const char* what, auto was, auto now) -> std::string {
    if (was == now) return "";
    std::ostringstream msg;
    msg << what << " (was " << was << ", now " << now << ")";
    return msg.str();
  };
  std::string diff;
  for (const std::string& d :
       {differs("name", s.name, wanted.name), differs("replicas", s.replicas, wanted.replicas),
        differs("etcd.replicas", s.etcd_replicas, wanted.etcd_replicas),
        differs("ports.write", s.ports.write, wanted.ports.write),
        differs("ports.read", s.ports.read, wanted.ports.read),
        differs("ports.stats", s.ports.stats, wanted.ports.stats),
        differs("ports.postgres", s.ports.postgres, wanted.ports.postgres),
        differs("ports.api", s.ports.api, wanted.ports.api),
        differs("ports.etcd_client", s.ports.etcd_client, wanted.ports.etcd_client),
        differs("ports.etcd_peer", s.ports.etcd_peer, wanted.ports.etcd_peer),
        differs("postgres.username", s.username, wanted.username),
        differs("postgres.database", s.database, wanted.database)}) {
    if (!d.empty()) diff += (diff.empty() ? "" : ", ") + d;
  }
  if (!diff.empty()) {
    return Err("the existing cluster cannot change " + diff +
               "; use `pghactl local destroy` first or another --dir");
  }
  if (!wanted.password.empty() && wanted.password != s.password) {
    return Err("the existing cluster cannot change postgres.password");
  }
  LocalCluster merged = stored;
  merged.spec.cpu = wanted.cpu;
  merged.spec.memory_bytes = wanted.memory_bytes;
  merged.spec.init_sql = wanted.init_sql;
  merged.spec.ignored_keys = wanted.ignored_keys;
  merged.spec.access = wanted.access;
  merged.spec.etcd_access = wanted.etcd_access;
  return merged;
}

Result<int> ParseNodeName(const std::string& text, int nodes) {
  std::string digits = text.starts_with("node") ? text.substr(4) : text;
  int i = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), i);
  if (!digits.empty() && r.ec == std::errc() && r.ptr == digits.data() + digits.size() && i >= 1 &&
      i <= nodes) {
    return i;
  }
  std::string valid;
  for (int k = 1; k <= nodes; ++k) valid += (k > 1 ? ", " : "") + NodeName(k);
  return Err("unknown node '" + text + "'; valid: " + valid);
}

}  // namespace pgha::ctl
