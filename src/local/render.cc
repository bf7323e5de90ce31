#include "local/render.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace pgha::ctl {
namespace {

using Json = nlohmann::ordered_json;

bool IsPlainSafe(const std::string& s) {
  if (s.empty()) return false;
  unsigned char first = static_cast<unsigned char>(s[0]);
  if (!(std::isalpha(first) || s[0] == '_' || s[0] == '/')) return false;
  bool chars_ok = std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' ||
           c == '-' || c == '+' || c == '@';
  });
  if (!chars_ok) return false;
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const char* kReserved[] = {"true", "false", "yes", "no", "on", "off", "y", "n", "null"};
  return std::none_of(std::begin(kReserved), std::end(kReserved),
                      [&](const char* r) { return lower == r; });
}

std::string Scalar(const Json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return IsPlainSafe(s) ? s : Json(s).dump();
  }
  if (v.is_object()) return "{}";
  if (v.is_array()) return "[]";
  return v.dump();
}

bool IsBlock(const Json& v) { return (v.is_object() || v.is_array()) && !v.empty(); }

void Emit(const Json& v, size_t indent, std::string* out) {
  std::string pad(indent, ' ');
  if (v.is_object()) {
    for (const auto& [key, item] : v.items()) {
      *out += pad + Scalar(Json(key)) + ":";
      if (IsBlock(item)) {
        *out += "\n";
        Emit(item, indent + 2, out);
      } else {
        *out += " " + Scalar(item) + "\n";
      }
    }
    return;
  }
  for (const auto& item : v) {  // array: "- " replaces the first two spaces of the item
    if (!IsBlock(item)) {
      *out += pad + "- " + Scalar(item) + "\n";
      continue;
    }
    std::string nested;
    Emit(item, indent + 2, &nested);
    nested.replace(indent, 2, "- ");
    *out += nested;
  }
}

Json PgHba() {
  return Json::array({"local all all trust", "host all all 127.0.0.1/32 scram-sha-256",
                      "host replication replicator 127.0.0.1/32 scram-sha-256",
                      "host all all ::1/128 scram-sha-256"});
}

}  // namespace

nlohmann::ordered_json BootstrapDcs(const LocalCluster& c) {
  Json params = {{"wal_level", "replica"}, {"hot_standby", "on"},
                 {"max_wal_senders", 10},  {"max_replication_slots", 10},
                 {"wal_log_hints", "on"},  {"wal_keep_size", "128MB"}};
  for (const auto& [k, v] : ParametersForResources(c.spec.cpu, c.spec.memory_bytes).dcs) {
    params[k] = v;
  }
  // ttl / loop_wait / retry_timeout are left out on purpose: pgha's own defaults apply
  // (docs/timing.md), and `pghactl edit-config` can change them for the whole cluster.
  return {{"maximum_lag_on_failover", 1048576},
          {"postgresql", {{"use_pg_rewind", true}, {"use_slots", true}, {"parameters", params}}}};
}

namespace {

Json PostgresqlConfig(const LocalCluster& c, const LocalLayout& layout, int i) {
  std::string addr = "127.0.0.1:" + std::to_string(PostgresPort(c.spec, i));
  Json params = Json::object();
  for (const auto& [k, v] : ParametersForResources(c.spec.cpu, c.spec.memory_bytes).local) {
    params[k] = v;
  }
  params["unix_socket_directories"] = layout.NodeDir(i);
  return {{"listen", addr},
          {"connect_address", addr},
          {"data_dir", layout.NodeData(i)},
          {"authentication",
           {{"superuser", RoleJson(c.superuser)},
            {"replication", RoleJson(c.replication)},
            {"rewind", RoleJson(c.rewind)}}},
          {"parameters", params},
          {"pg_hba", PgHba()}};
}

}  // namespace

std::string ToYaml(const nlohmann::ordered_json& value) {
  if (!IsBlock(value)) return Scalar(value) + "\n";
  std::string out;
  Emit(value, 0, &out);
  return out;
}

nlohmann::ordered_json AgentConfig(const LocalCluster& c, const LocalLayout& layout, int i) {
  std::string api = "127.0.0.1:" + std::to_string(ApiPort(c.spec, i));
  Json hosts = Json::array();
  for (int j = 1; j <= c.members(); ++j) {
    hosts.push_back("127.0.0.1:" + std::to_string(EtcdClientPort(c.spec, j)));
  }
  Json cfg;
  cfg["scope"] = c.spec.name;
  cfg["namespace"] = "/service";
  cfg["name"] = NodeName(i);
  cfg["restapi"] = {{"listen", api}, {"connect_address", api}};
  cfg["etcd3"] = {{"hosts", hosts}};
  cfg["bootstrap"] = {{"dcs", BootstrapDcs(c)},
                      {"initdb", Json::array({Json{{"encoding", "UTF8"}}, "data-checksums"})},
                      {"pg_hba", PgHba()}};
  cfg["postgresql"] = PostgresqlConfig(c, layout, i);
  cfg["tags"] = Json::object();
  return cfg;
}

std::string RenderAgentYaml(const LocalCluster& c, const LocalLayout& layout, int i) {
  return "# Written by `pghactl local up` for " + NodeName(i) + " of cluster " + c.spec.name +
         "; rewritten on every up.\n" + ToYaml(AgentConfig(c, layout, i));
}

std::string RenderHaproxy(const std::string& header, const std::string& bind_address,
                          const LocalPorts& p, const std::vector<HaproxyServer>& servers,
                          const std::vector<std::string>& admit) {
  std::ostringstream o;
  std::string filter;
  if (!admit.empty()) {
    filter = "    tcp-request connection reject unless { src";
    for (const auto& a : admit) filter += " " + a;
    filter += " }\n";
  }
  auto list = [&]() {
    for (const auto& sv : servers) {
      o << "    server " << sv.name << " " << sv.address << ":" << sv.pg_port
        << " maxconn 100 check port " << sv.api_port << "\n";
    }
  };
  o << header << "global\n    maxconn 1000\n    log stderr format iso local0 notice\n\n"
    << "defaults\n    mode tcp\n    log global\n    retries 3\n    option redispatch\n    timeout "
       "connect 200ms\n"
    << "    timeout client 30m\n    timeout server 30m\n    timeout check 2s\n\n"
    << "listen stats\n    mode http\n    bind " << bind_address << ":" << p.stats
    << "\n    stats enable\n    stats uri /\n    stats refresh 5s\n\n"
    << "listen primary\n    bind " << bind_address << ":" << p.write << "\n"
    << filter << "    option httpchk OPTIONS /primary\n    http-check expect status 200\n"
    << "    default-server inter 500ms fastinter 100ms downinter 100ms fall 2 rise 1 "
       "on-marked-down shutdown-sessions\n";
  list();
  o << "\nlisten replicas\n    bind " << bind_address << ":" << p.read << "\n"
    << filter << "    balance roundrobin\n    option httpchk OPTIONS /replica\n"
    << "    http-check expect status 200\n"
    << "    default-server inter 500ms fastinter 100ms downinter 100ms fall 2 rise 1 "
       "on-marked-down shutdown-sessions\n";
  list();
  return o.str();
}

std::string RenderHaproxyCfg(const LocalCluster& c) {
  std::vector<HaproxyServer> servers;
  for (int i = 1; i <= c.nodes(); ++i) {
    servers.push_back({NodeName(i), "127.0.0.1", PostgresPort(c.spec, i), ApiPort(c.spec, i)});
  }
  return RenderHaproxy(
      "# Written by `pghactl local up` for cluster " + c.spec.name + "; rewritten on every up.\n",
      "127.0.0.1", c.spec.ports, servers);
}

std::vector<std::string> EtcdArgs(const LocalCluster& c, const LocalLayout& layout, int j) {
  std::string initial;
  for (int k = 1; k <= c.members(); ++k) {
    initial += (k > 1 ? "," : "") + MemberName(k) +
               "=http://127.0.0.1:" + std::to_string(EtcdPeerPort(c.spec, k));
  }
  std::string client = "http://127.0.0.1:" + std::to_string(EtcdClientPort(c.spec, j));
  std::string peer = "http://127.0.0.1:" + std::to_string(EtcdPeerPort(c.spec, j));
  return {"--name", MemberName(j), "--data-dir", layout.EtcdData(j), "--listen-client-urls", client,
          "--advertise-client-urls", client, "--listen-peer-urls", peer,
          "--initial-advertise-peer-urls", peer, "--initial-cluster", initial,
          "--initial-cluster-state", "new", "--initial-cluster-token", "pgha-" + c.spec.name,
          "--heartbeat-interval", "100", "--election-timeout", "1000", "--pre-vote=true",
          // Idle watches hear from etcd every 50 ms: a stream silent for 4 intervals is stalled
          // (dcs/stall_detector.h), so replicas notice a hung path within ~0.2 s.
          "--experimental-watch-progress-notify-interval=50ms", "--auto-compaction-mode",
          "periodic", "--auto-compaction-retention", "1h", "--logger", "zap", "--log-outputs",
          layout.EtcdLog(j)};
}

}  // namespace pgha::ctl
