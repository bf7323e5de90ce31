#include "ctl/gen_render.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "core/strings.h"
#include "local/internal_access.h"
#include "local/render.h"

namespace pgha::ctl {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kPgPort = 5432, kApiPort = 8008, kEtcdClient = 2379, kEtcdPeer = 2380;

bool ValidMemberName(const std::string& s) {
  return !s.empty() && s.size() <= 63 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string HostPort(const std::string& address, int port) {
  return address + ":" + std::to_string(port);
}

Json PgHba(const GenPlan& plan) {
  Json hba = Json::array({"local all all peer", "host all all 127.0.0.1/32 scram-sha-256"});
  for (const auto& h : plan.hosts) {
    hba.push_back("host all all " + h.address + "/32 scram-sha-256");
    hba.push_back("host replication " + plan.cluster.replication.username + " " + h.address +
                  "/32 scram-sha-256");
  }
  for (const auto& cidr : plan.clients) hba.push_back("host all all " + cidr + " scram-sha-256");
  for (const auto& src : HbaSources(plan.cluster.spec.access)) {
    hba.push_back("host all all " + src + " scram-sha-256");
  }
  return hba;
}

// With internal_access given, the REST API's unsafe requests (switchover, restart, config...)
// come only from the hosts, 127.0.0.1, --clients and the entries internal_access names.
Json RestApi(const GenPlan& plan, const GenHost& me) {
  Json api = {{"listen", HostPort("0.0.0.0", kApiPort)},
              {"connect_address", HostPort(me.address, kApiPort)}};
  if (plan.cluster.spec.access.type.empty()) return api;
  Json allow = Json::array({"127.0.0.1"});
  for (const auto& h : plan.hosts) allow.push_back(h.address);
  for (const auto& c : plan.clients) allow.push_back(c);
  for (const auto& s : AllowlistSources(plan.cluster.spec.access)) allow.push_back(s);
  api["allowlist"] = allow;
  return api;
}

// SQL string literal.
std::string Literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// SQL identifier.
std::string Ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

Result<std::vector<GenHost>> ParseGenHosts(const std::string& text) {
  std::vector<GenHost> hosts;
  std::set<std::string> names, addresses;
  for (std::string item : Split(text, ',')) {
    item = Trim(item);
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      return Err("--hosts: expected NAME=ADDRESS, got '" + item + "'");
    }
    GenHost h{Trim(item.substr(0, eq)), Trim(item.substr(eq + 1))};
    if (!ValidMemberName(h.name)) {
      return Err("--hosts: '" + h.name +
                 "' is not a valid member name (letters, digits, '-', '_', '.')");
    }
    in_addr parsed{};
    if (inet_pton(AF_INET, h.address.c_str(), &parsed) != 1) {
      return Err("--hosts: '" + h.address + "' (for " + h.name + ") is not an IPv4 address");
    }
    if (!names.insert(h.name).second) return Err("--hosts: '" + h.name + "' is named twice");
    if (!addresses.insert(h.address).second) {
      return Err("--hosts: " + h.address + " is given twice");
    }
    hosts.push_back(h);
  }
  if (hosts.empty()) return Err("--hosts: no host given");
  return hosts;
}

std::vector<GenHost> EtcdMembers(const GenPlan& plan) {
  if (!plan.etcd_hosts.empty()) return plan.etcd_hosts;
  const size_t n = std::min(plan.hosts.size(), static_cast<size_t>(plan.cluster.members()));
  return {plan.hosts.begin(), plan.hosts.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::vector<std::string> HaproxyAdmits(const GenPlan& plan) {
  const InternalAccess& a = plan.cluster.spec.access;
  if (a.type.empty() || a.type == "same-gvc") return {};  // same-gvc: the hosts' networks, unknown
  std::vector<std::string> admit = {"127.0.0.1"};
  for (const auto& h : plan.hosts) admit.push_back(h.address);
  for (const auto& c : plan.clients) admit.push_back(c);
  for (const auto& s : AddressSources(a)) admit.push_back(s);
  return admit;
}

Status CheckGenPlan(const GenPlan& plan) {
  const ClusterSpec& s = plan.cluster.spec;
  const int n = static_cast<int>(plan.hosts.size());
  if (s.replicas != n) {
    return Err("values file: replicas is " + std::to_string(s.replicas) + " but --hosts names " +
               std::to_string(n) + " host(s); every host runs one PostgreSQL node");
  }
  if (!plan.etcd_hosts.empty() && static_cast<int>(plan.etcd_hosts.size()) != s.etcd_replicas) {
    return Err("etcd.replicas is " + std::to_string(s.etcd_replicas) + " but " +
               std::to_string(plan.etcd_hosts.size()) + " etcd host(s) are planned");
  }
  if (plan.etcd_hosts.empty() && s.etcd_replicas > n) {
    return Err("values file: etcd.replicas is " + std::to_string(s.etcd_replicas) +
               " but there are only " + std::to_string(n) +
               " hosts (etcd members run on the first hosts)");
  }
  if (plan.pg_major < 13 || plan.pg_major > 17) {
    return Err("--pg-major: " + std::to_string(plan.pg_major) + " is not supported (13 to 17)");
  }
  return OkStatus();
}

nlohmann::ordered_json GenAgentConfig(const GenPlan& plan, size_t i) {
  const GenHost& me = plan.hosts[i];
  const LocalCluster& c = plan.cluster;
  Json etcd_hosts = Json::array();
  for (const auto& h : EtcdMembers(plan)) etcd_hosts.push_back(HostPort(h.address, kEtcdClient));
  Json params = Json::object();
  for (const auto& [k, v] : ParametersForResources(c.spec.cpu, c.spec.memory_bytes).local) {
    params[k] = v;
  }
  params["unix_socket_directories"] = "/var/run/postgresql";
  Json cfg;
  cfg["scope"] = c.spec.name;
  cfg["namespace"] = "/service";
  cfg["name"] = me.name;
  cfg["restapi"] = RestApi(plan, me);
  cfg["etcd3"] = {{"hosts", etcd_hosts}};
  cfg["bootstrap"] = {{"dcs", BootstrapDcs(c)},
                      {"initdb", Json::array({Json{{"encoding", "UTF8"}}, "data-checksums"})},
                      {"pg_hba", PgHba(plan)}};
  // internal_access: PostgreSQL listens on the host's internal address (and loopback) only, not
  // on whatever other interfaces the host has.
  const std::string listen = c.spec.access.type.empty() ? "0.0.0.0" : me.address + ",127.0.0.1";
  cfg["postgresql"] = {{"listen", HostPort(listen, kPgPort)},
                       {"connect_address", HostPort(me.address, kPgPort)},
                       {"data_dir", plan.data_dir},
                       {"bin_dir", "/usr/lib/postgresql/" + std::to_string(plan.pg_major) + "/bin"},
                       {"use_unix_socket", true},
                       {"authentication",
                        {{"superuser", RoleJson(c.superuser)},
                         {"replication", RoleJson(c.replication)},
                         {"rewind", RoleJson(c.rewind)}}},
                       {"parameters", params},
                       {"pg_hba", PgHba(plan)}};
  cfg["tags"] = Json::object();
  return cfg;
}

std::string GenAgentYaml(const GenPlan& plan, size_t i) {
  return "# Written by `pghactl gen` for " + plan.hosts[i].name + " of cluster " +
         plan.cluster.spec.name + ": install as " + plan.config_path +
         " (mode 0600, owner postgres).\n" + ToYaml(GenAgentConfig(plan, i));
}

std::string GenEtcdEnv(const GenPlan& plan, size_t i) {
  const std::vector<GenHost> members = EtcdMembers(plan);
  const GenHost& me = members[i];
  std::string initial;
  for (const auto& h : members) {
    initial += (initial.empty() ? "" : ",") + h.name + "=http://" + HostPort(h.address, kEtcdPeer);
  }
  std::ostringstream o;
  o << "# Written by `pghactl gen` for " << me.name << ": install as /etc/default/etcd (read by "
    << "Debian's etcd-server unit).\n"
    << "ETCD_NAME=" << me.name << "\n"
    << "ETCD_DATA_DIR=/var/lib/etcd/" << plan.cluster.spec.name << "\n"
    << "ETCD_LISTEN_CLIENT_URLS=http://" << HostPort(me.address, kEtcdClient)
    << ",http://127.0.0.1:" << kEtcdClient << "\n"
    << "ETCD_ADVERTISE_CLIENT_URLS=http://" << HostPort(me.address, kEtcdClient) << "\n"
    << "ETCD_LISTEN_PEER_URLS=http://" << HostPort(me.address, kEtcdPeer) << "\n"
    << "ETCD_INITIAL_ADVERTISE_PEER_URLS=http://" << HostPort(me.address, kEtcdPeer) << "\n"
    << "ETCD_INITIAL_CLUSTER=" << initial << "\n"
    << "ETCD_INITIAL_CLUSTER_STATE=new\n"
    << "ETCD_INITIAL_CLUSTER_TOKEN=pgha-" << plan.cluster.spec.name << "\n"
    << "ETCD_HEARTBEAT_INTERVAL=100\n"
    << "ETCD_ELECTION_TIMEOUT=1000\n"
    << "ETCD_PRE_VOTE=true\n"
    << "# Idle watches hear from etcd every 50 ms, so a stalled stream is noticed within ~0.2 s.\n"
    << "ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL=50ms\n"
    << "ETCD_AUTO_COMPACTION_MODE=periodic\n"
    << "ETCD_AUTO_COMPACTION_RETENTION=1h\n";
  return o.str();
}

std::string GenAgentUnit(const GenPlan& plan) {
  std::ostringstream o;
  o << "# Written by `pghactl gen`: install as /etc/systemd/system/pgha.service.\n"
    << "[Unit]\n"
    << "Description=pgha agent for PostgreSQL cluster " << plan.cluster.spec.name << "\n"
    << "Documentation=https://github.com/pgha/pgha\n"
    << "After=network-online.target etcd.service\n"
    << "Wants=network-online.target\n\n"
    << "[Service]\n"
    << "Type=notify\n"
    << "NotifyAccess=main\n"
    << "User=postgres\n"
    << "Group=postgres\n"
    << "ExecStartPre=" << plan.pgha_bin << " --validate-config " << plan.config_path << "\n"
    << "ExecStart=" << plan.pgha_bin << " " << plan.config_path << "\n"
    << "ExecReload=/bin/kill -HUP $MAINPID\n"
    << "# The agent stops PostgreSQL itself (a clean shutdown, or fencing): systemd must signal\n"
    << "# only the agent, never the postmaster or the fencing guard behind its back.\n"
    << "KillMode=process\n"
    << "TimeoutStartSec=120\n"
    << "TimeoutStopSec=120\n"
    << "Restart=on-failure\n"
    << "RestartSec=2\n"
    << "LimitNOFILE=65536\n\n"
    << "[Install]\n"
    << "WantedBy=multi-user.target\n";
  return o.str();
}

std::string GenHaproxyCfg(const GenPlan& plan) {
  std::vector<HaproxyServer> servers;
  for (const auto& h : plan.hosts) servers.push_back({h.name, h.address, kPgPort, kApiPort});
  return RenderHaproxy("# Written by `pghactl gen` for cluster " + plan.cluster.spec.name +
                           ": install as /etc/haproxy/haproxy.cfg on the HAProxy host.\n",
                       "0.0.0.0", plan.cluster.spec.ports, servers, HaproxyAdmits(plan));
}

std::string GenInitSql(const GenPlan& plan) {
  const Role app = plan.cluster.app();
  return "-- Written by `pghactl gen` for cluster " + plan.cluster.spec.name +
         ": run once on the leader after the first start,\n-- e.g. sudo -u postgres psql -f "
         "init.sql\nCREATE ROLE " +
         Ident(app.username) + " LOGIN PASSWORD " + Literal(app.password) + ";\nCREATE DATABASE " +
         Ident(plan.cluster.spec.database) + " OWNER " + Ident(app.username) + ";\n";
}

}  // namespace pgha::ctl
