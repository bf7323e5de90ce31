#include "ctl/gen_compose.h"

#include <arpa/inet.h>

#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "local/internal_access.h"
#include "local/render.h"

namespace pgha::ctl {
namespace {

using Json = nlohmann::ordered_json;

// Host parts of the fixed addresses (docker keeps .1 for the network's gateway).
constexpr uint32_t kHaproxyHost = 5, kInitHost = 6, kNodeBase = 10, kEtcdBase = 20;
constexpr int kLargestPrefix = 27;  // 32 addresses: .5 to .25 must fit

std::string Address(uint32_t host_order) {
  in_addr a{htonl(host_order)};
  char buf[INET_ADDRSTRLEN] = {0};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

// "10.89.0.0/24" -> network address (host order) and prefix length.
Result<std::pair<uint32_t, int>> ParseSubnet(const std::string& subnet) {
  const std::string why = "--subnet: '" + subnet + "' ";
  if (!ValidCidr(subnet)) return Err(why + "is not an IPv4 CIDR (172.28.89.0/24)");
  const size_t slash = subnet.find('/');
  in_addr a{};
  inet_pton(AF_INET, subnet.substr(0, slash).c_str(), &a);
  const int prefix = std::stoi(subnet.substr(slash + 1));
  if (prefix > kLargestPrefix) {
    return Err(why + "is too small: the project needs a /" + std::to_string(kLargestPrefix) +
               " or larger");
  }
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  const uint32_t net = ntohl(a.s_addr);
  if ((net & mask) != net) {
    return Err(why + "has host bits set (the network is " + Address(net & mask) + "/" +
               std::to_string(prefix) + ")");
  }
  return std::make_pair(net, prefix);
}

std::string SubnetHost(const std::string& subnet, uint32_t host) {
  auto parsed = ParseSubnet(subnet);
  return parsed.ok() ? Address(parsed->first + host) : "";
}

std::string Params(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : " ") + k + "=" + v;
  return out;
}

// Limits of one container from values.yaml's resources (nothing when not given).
void Limits(double cpu, int64_t memory, Json* service) {
  if (cpu > 0) (*service)["cpus"] = cpu;
  if (memory > 0) (*service)["mem_limit"] = memory;
}

Json Network(const std::string& address) { return {{"pgha", {{"ipv4_address", address}}}}; }

Json NodeEnvironment(const GenPlan& plan, const std::string& subnet) {
  const LocalCluster& c = plan.cluster;
  std::string etcd;
  for (const auto& h : EtcdMembers(plan)) etcd += (etcd.empty() ? "" : ",") + h.address + ":2379";
  const ResourceParameters rp = ParametersForResources(c.spec.cpu, c.spec.memory_bytes);
  Json env = {{"SCOPE", c.spec.name},
              {"ETCD3_HOSTS", etcd},
              {"PGUSER_SUPERUSER", c.superuser.username},
              {"PGPASSWORD_SUPERUSER", "${PGHA_SUPERUSER_PASSWORD}"},
              {"PGUSER_STANDBY", c.replication.username},
              {"PGPASSWORD_STANDBY", "${PGHA_REPLICATION_PASSWORD}"}};
  if (!rp.local.empty()) env["PGHA_PARAMETERS"] = Params(rp.local);
  if (!rp.dcs.empty()) env["PGHA_DCS_PARAMETERS"] = Params(rp.dcs);
  // Clients come through HAProxy, whose address is on the project's network: samenet admits
  // them, and HAProxy itself admits only what internal_access names.
  std::vector<std::string> hba = {"samenet"};
  for (const auto& s : HbaSources(c.spec.access)) {
    if (s != "samenet") hba.push_back(s);
  }
  env["PGHA_HBA_SOURCES"] = Join(hba, " ");
  if (!c.spec.access.type.empty()) {
    std::vector<std::string> allow = {"127.0.0.1", subnet};
    for (const auto& s : AllowlistSources(c.spec.access)) allow.push_back(s);
    env["PATRONI_RESTAPI_ALLOWLIST"] = Join(allow, ",");
  }
  return env;
}

}  // namespace

Status PlanComposeHosts(const std::string& subnet, GenPlan* plan) {
  auto parsed = ParseSubnet(subnet);
  if (!parsed.ok()) return parsed.error();
  plan->hosts.clear();
  plan->etcd_hosts.clear();
  for (int i = 1; i <= plan->cluster.nodes(); ++i) {
    plan->hosts.push_back(
        {NodeName(i), Address(parsed->first + kNodeBase + static_cast<uint32_t>(i))});
  }
  for (int j = 1; j <= plan->cluster.members(); ++j) {
    plan->etcd_hosts.push_back({"etcd" + std::to_string(j),
                                Address(parsed->first + kEtcdBase + static_cast<uint32_t>(j))});
  }
  return OkStatus();
}

std::string GenComposeYaml(const GenPlan& plan, const std::string& subnet) {
  const LocalCluster& c = plan.cluster;
  Json services = Json::object();
  Json volumes = Json::object();
  Json etcd_names = Json::array();
  for (const auto& e : plan.etcd_hosts) {
    Json svc = {{"image", "pgha/etcd:latest"},
                {"hostname", e.name},
                {"env_file", Json::array({e.name + "/etcd.env"})},
                {"volumes", Json::array({e.name + "-data:/var/lib/etcd"})},
                {"networks", Network(e.address)},
                {"restart", "unless-stopped"}};
    Limits(c.spec.etcd_cpu, c.spec.etcd_memory_bytes, &svc);
    services[e.name] = svc;
    volumes[e.name + "-data"] = Json::object();
    etcd_names.push_back(e.name);
  }
  const Json env = NodeEnvironment(plan, subnet);
  // deploy/images/build.sh tags PostgreSQL 15 "latest" and other majors "pgN".
  const std::string image =
      "pgha/pgha:${PGHA_IMAGE_TAG:-" +
      (plan.pg_major == 15 ? std::string("latest") : "pg" + std::to_string(plan.pg_major)) + "}";
  Json node_names = Json::array();
  for (const auto& h : plan.hosts) {
    Json svc = {{"image", image},
                {"hostname", h.name},
                {"environment", env},
                {"volumes", Json::array({h.name + "-data:/var/lib/pgha"})},
                {"networks", Network(h.address)},
                {"depends_on", etcd_names},
                {"restart", "unless-stopped"},
                {"stop_grace_period", "30s"}};
    Limits(c.spec.cpu, c.spec.memory_bytes, &svc);
    services[h.name] = svc;
    volumes[h.name + "-data"] = Json::object();
    node_names.push_back(h.name);
  }
  const LocalPorts& p = c.spec.ports;
  Json ports = Json::array();
  for (int port : {p.write, p.read, p.stats}) {
    ports.push_back(std::to_string(port) + ":" + std::to_string(port));
  }
  services["haproxy"] = {{"image", "pgha/haproxy:latest"},
                         {"volumes", Json::array({"./haproxy.cfg:/etc/haproxy/haproxy.cfg:ro"})},
                         {"ports", ports},
                         {"networks", Network(SubnetHost(subnet, kHaproxyHost))},
                         {"depends_on", node_names},
                         {"restart", "unless-stopped"}};
  // init.sql holds the application's password (mode 0600): the one-off service reads it as root.
  services["init"] = {{"image", image},
                      {"entrypoint", Json::array({"/usr/local/bin/pgha-run-init"})},
                      {"user", "root"},
                      {"environment",
                       {{"PGUSER_SUPERUSER", c.superuser.username},
                        {"PGPASSWORD_SUPERUSER", "${PGHA_SUPERUSER_PASSWORD}"},
                        {"ROUTER_HOST", SubnetHost(subnet, kHaproxyHost)},
                        {"ROUTER_PORT", std::to_string(p.write)}}},
                      {"volumes", Json::array({"./init.sql:/init/init.sql:ro"})},
                      {"networks", Network(SubnetHost(subnet, kInitHost))},
                      {"depends_on", Json::array({"haproxy"})},
                      {"restart", "no"}};
  Json doc = {
      {"services", services},
      {"networks", {{"pgha", {{"ipam", {{"config", Json::array({{{"subnet", subnet}}})}}}}}}},
      {"volumes", volumes}};
  return "# Written by `pghactl gen --compose` for cluster " + c.spec.name +
         ": docker-compose up -d (here; .env beside it holds the passwords).\n"
         "# Writes: port " +
         std::to_string(p.write) + "; reads: " + std::to_string(p.read) +
         "; HAProxy stats: " + std::to_string(p.stats) + ". Images: deploy/images/build.sh.\n" +
         ToYaml(doc);
}

std::vector<std::string> ComposeAdmits(const GenPlan& plan, const std::string& subnet) {
  const InternalAccess& a = plan.cluster.spec.access;
  std::vector<std::string> admit;
  if (a.type == "workload-list") {
    admit = {"127.0.0.1", SubnetHost(subnet, kInitHost)};
  } else if (!a.type.empty()) {
    admit = {"127.0.0.1", subnet};
  }
  if (!a.type.empty()) {
    for (const auto& s : AddressSources(a)) admit.push_back(s);
  }
  return admit;
}

std::string GenComposeHaproxyCfg(const GenPlan& plan, const std::string& subnet) {
  std::vector<HaproxyServer> servers;
  for (const auto& h : plan.hosts) servers.push_back({h.name, h.address, 5432, 8008});
  return RenderHaproxy("# Written by `pghactl gen --compose` for cluster " +
                           plan.cluster.spec.name + " (mounted by docker-compose.yml).\n",
                       "0.0.0.0", plan.cluster.spec.ports, servers, ComposeAdmits(plan, subnet));
}

std::string GenComposeEnv(const GenPlan& plan) {
  return "# Written by `pghactl gen --compose`: the passwords docker-compose.yml refers to.\n"
         "PGHA_SUPERUSER_PASSWORD=" +
         plan.cluster.superuser.password +
         "\n"
         "PGHA_REPLICATION_PASSWORD=" +
         plan.cluster.replication.password + "\n";
}

}  // namespace pgha::ctl
