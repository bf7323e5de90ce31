// GET /cluster and GET /history bodies (docs/interfaces.md §3.3), as Patroni's
// utils.cluster_as_json.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/facts.h"
#include "api/health.h"
#include "core/lsn.h"
#include "core/strings.h"
#include "core/url.h"

namespace pgha::api {
namespace {

using nlohmann::json;

struct HostPort {
  std::string host;
  std::optional<int> port;
};

// "postgres://host:port/db" (host may be "[v6]"); empty host when the URL has none.
HostPort ParseConnUrl(const std::string& url) {
  Url u = ParseUrlOrAddress(url);
  return {u.host, u.port};
}

json ParseConfig(const std::string& text) {
  json config = json::parse(text.empty() ? "{}" : text, nullptr, /*allow_exceptions=*/false);
  return config.is_object() ? config : json::object();
}

bool Truthy(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    return s == "on" || s == "true" || s == "yes" || s == "quorum";
  }
  return false;
}

std::string MemberRole(const ha::ClusterView& view, const ha::Member& m, const json& config) {
  if (view.leader && *view.leader == m.name) return "leader";
  bool synchronous = Truthy(config.value("synchronous_mode", json(false)));
  if (synchronous && view.sync) {
    const auto& list = view.sync->sync_standby;
    if (std::find(list.begin(), list.end(), m.name) != list.end()) {
      return config.value("synchronous_mode", json()) == "quorum" ? "quorum_standby"
                                                                  : "sync_standby";
    }
  }
  return "replica";
}

json Lag(std::optional<uint64_t> reference, std::optional<uint64_t> position) {
  if (!reference || !position) return "unknown";
  return *reference > *position ? *reference - *position : 0;
}

// Reference position for lag: the leader's published xlog_location, else status.optime.
std::optional<uint64_t> ReferenceLsn(const ha::ClusterView& view) {
  const ha::Member* leader = view.LeaderMember();
  if (leader && leader->xlog_location) return leader->xlog_location;
  return view.optime;
}

void AddPositions(const ha::ClusterView& view, const ha::Member& m, bool is_leader, json& out) {
  if (is_leader) {
    if (m.xlog_location) out["lsn"] = Lsn{*m.xlog_location}.ToString();
    return;
  }
  std::optional<uint64_t> reference = ReferenceLsn(view);
  out["lag"] = Lag(reference, m.xlog_location);
  if (m.receive_lsn) {
    out["receive_lsn"] = Lsn{*m.receive_lsn}.ToString();
    out["receive_lag"] = Lag(reference, m.receive_lsn);
  }
  if (m.replay_lsn) {
    out["replay_lsn"] = Lsn{*m.replay_lsn}.ToString();
    out["replay_lag"] = Lag(reference, m.replay_lsn);
  }
}

json MemberJson(const ha::ClusterView& view, const ha::Member& m, const json& config) {
  std::string role = MemberRole(view, m, config);
  bool is_leader = role == "leader";
  // Patroni 3+ shows a replica's replication_state ("streaming") in place of its state.
  std::string state = !is_leader && !m.replication_state.empty() ? m.replication_state : m.state;
  json out = {{"name", m.name}, {"role", role}, {"state", state}, {"api_url", m.api_url}};
  HostPort hp = ParseConnUrl(m.conn_url);
  if (!hp.host.empty()) {
    out["host"] = hp.host;
    if (hp.port) out["port"] = *hp.port;
  }
  if (m.timeline) out["timeline"] = *m.timeline;
  if (m.pending_restart) out["pending_restart"] = true;
  json tags = TagsJson(m.tags);
  if (!tags.empty()) out["tags"] = std::move(tags);
  AddPositions(view, m, is_leader, out);
  return out;
}

json ScheduledSwitchover(const ha::FailoverRequest& f) {
  json out = {{"at", f.scheduled_at}};
  if (!f.leader.empty()) out["from"] = f.leader;
  if (!f.member.empty()) out["to"] = f.member;
  return out;
}

}  // namespace

json ClusterJson(const ha::ClusterView& view, const std::string& scope) {
  json config = ParseConfig(view.config_json);
  std::vector<const ha::Member*> members;
  for (const auto& m : view.members) members.push_back(&m);
  std::sort(members.begin(), members.end(),
            [](const ha::Member* a, const ha::Member* b) { return a->name < b->name; });
  json out = {{"members", json::array()}};
  for (const ha::Member* m : members) out["members"].push_back(MemberJson(view, *m, config));
  out["scope"] = scope;
  if (Truthy(config.value("pause", json(false)))) out["pause"] = true;
  if (view.failover && !view.failover->scheduled_at.empty()) {
    out["scheduled_switchover"] = ScheduledSwitchover(*view.failover);
  }
  return out;
}

json HistoryJson(const ha::ClusterView& view) {
  json out = json::array();
  for (const auto& h : view.history) {
    json line = {h.timeline, h.switch_lsn, h.reason};
    if (!h.timestamp.empty() || !h.new_leader.empty()) line.push_back(h.timestamp);
    if (!h.new_leader.empty()) line.push_back(h.new_leader);
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace pgha::api
