#include "local/internal_access.h"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

#include "core/strings.h"

namespace pgha::ctl {
namespace {

bool ValidAddress(const std::string& text) {
  in_addr a{};
  return inet_pton(AF_INET, text.c_str(), &a) == 1;
}

// RFC 1123 host name: labels of letters, digits and '-', not starting or ending with '-'.
bool ValidHostName(const std::string& text) {
  if (text.empty() || text.size() > 253) return false;
  for (const auto& label : Split(text, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
  }
  return true;
}

Error Bad(const std::string& key, const std::string& value, const std::string& why) {
  return Err("cluster file: " + key + ": bad value '" + value + "': " + why);
}

Result<std::vector<std::string>> StringList(const std::string& key, const YAML::Node& node) {
  if (!node.IsSequence()) return Err("cluster file: " + key + ": expected a list");
  std::vector<std::string> out;
  for (const auto& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return Err("cluster file: " + key + ": every entry must be a string");
    }
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace

bool ValidCidr(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos || !ValidAddress(text.substr(0, slash))) return false;
  const std::string bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 2) return false;
  if (!std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return std::stoi(bits) <= 32;
}

Result<InternalAccess> ParseInternalAccess(const std::string& key, const YAML::Node& node) {
  if (!node.IsMap()) return Err("cluster file: " + key + ": expected a mapping with `type`");
  InternalAccess a;
  for (const auto& kv : node) {
    const std::string k = kv.first.Scalar();
    if (k != "type" && k != "workloads" && k != "networks") {
      return Err("cluster file: unknown key " + key + "." + k + " (known at " + key +
                 ": networks, type, workloads)");
    }
  }
  if (!node["type"] || !node["type"].IsScalar()) {
    return Err("cluster file: " + key + ".type is required: same-gvc, same-org or workload-list");
  }
  a.type = node["type"].Scalar();
  if (a.type != "same-gvc" && a.type != "same-org" && a.type != "workload-list") {
    return Bad(key + ".type", a.type, "expected same-gvc, same-org or workload-list");
  }
  if (node["workloads"] && !node["workloads"].IsNull()) {
    auto w = StringList(key + ".workloads", node["workloads"]);
    PGHA_TRY(w);
    a.workloads = *w;
  }
  if (node["networks"] && !node["networks"].IsNull()) {
    auto n = StringList(key + ".networks", node["networks"]);
    PGHA_TRY(n);
    a.networks = *n;
  }
  for (const auto& w : a.workloads) {
    if (StartsWith(w, "//")) {
      return Bad(key + ".workloads", w,
                 "a platform workload link cannot be resolved here: give the workload's "
                 "address, network (CIDR) or host name");
    }
    if (!ValidAddress(w) && !ValidCidr(w) && !ValidHostName(w)) {
      return Bad(key + ".workloads", w, "expected an IPv4 address, a CIDR or a host name");
    }
  }
  for (const auto& n : a.networks) {
    if (!ValidCidr(n)) return Bad(key + ".networks", n, "expected an IPv4 CIDR (10.1.0.0/16)");
  }
  if (a.type == "same-org" && a.networks.empty()) {
    return Err("cluster file: " + key +
               ".networks: same-org needs the organisation's networks (IPv4 CIDRs)");
  }
  if (a.type != "same-org" && !a.networks.empty()) {
    return Err("cluster file: " + key + ".networks: only for type same-org (type is " + a.type +
               ")");
  }
  if (a.type == "workload-list" && a.workloads.empty()) {
    return Err("cluster file: " + key + ".workloads: workload-list needs at least one workload");
  }
  if (a.type == "same-org" && !a.workloads.empty()) {
    return Err("cluster file: " + key +
               ".workloads: not used with same-org (it admits the networks in " + key +
               ".networks)");
  }
  return a;
}

std::vector<std::string> AllowlistSources(const InternalAccess& access) {
  return access.type == "same-org" ? access.networks : access.workloads;
}

std::vector<std::string> AddressSources(const InternalAccess& access) {
  std::vector<std::string> out;
  for (const auto& s : AllowlistSources(access)) {
    if (ValidAddress(s) || ValidCidr(s)) out.push_back(s);
  }
  return out;
}

std::vector<std::string> HbaSources(const InternalAccess& access) {
  std::vector<std::string> out;
  if (access.type == "same-gvc") out.push_back("samenet");
  for (const auto& s : AllowlistSources(access)) out.push_back(ValidAddress(s) ? s + "/32" : s);
  return out;
}

std::string DescribeAccess(const InternalAccess& access) {
  if (access.type.empty()) return "";
  std::string what = access.type == "same-gvc"   ? "the hosts' own networks (pg_hba samenet)"
                     : access.type == "same-org" ? "the networks " + Join(access.networks, ", ")
                                                 : "the workloads " + Join(access.workloads, ", ");
  if (access.type == "same-gvc" && !access.workloads.empty()) {
    what += " and the workloads " + Join(access.workloads, ", ");
  }
  return "internal_access " + access.type + ": PostgreSQL admits " + what;
}

}  // namespace pgha::ctl
