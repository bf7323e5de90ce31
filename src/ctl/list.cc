#include "ctl/list.h"

#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/lsn.h"
#include "core/url.h"

namespace pgha::ctl {
namespace {

std::string Host(const std::string& conn_url) {
  std::optional<Url> u = ParseUrl(conn_url);
  return u ? u->authority : "";
}

std::string Role(const ha::ClusterView& view, const ha::Member& m) {
  if (view.leader == m.name) return "Leader";
  if (view.sync) {
    for (const auto& s : view.sync->sync_standby)
      if (s == m.name) return "Sync Standby";
  }
  return "Replica";
}

std::string Mb(std::optional<uint64_t> lag) {
  if (!lag) return "unknown";
  return std::to_string((*lag + 512ULL * 1024) / (1024ULL * 1024));
}

std::string LsnText(std::optional<uint64_t> v) { return v ? Lsn{*v}.ToString() : ""; }

std::string Pretty(const std::vector<ListRow>& rows, const ha::ClusterView& view,
                   const std::string& scope) {
  std::vector<std::string> head = {"Member",      "Host", "Role",       "State", "TL",
                                   "Receive LSN", "Lag",  "Replay LSN", "Lag",   "Reason"};
  bool pending = std::any_of(rows.begin(), rows.end(), [](auto& r) { return r.pending_restart; });
  if (pending) head.insert(head.end() - 1, "Pending restart");
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    bool leader = r.role == "Leader";
    cells.push_back({r.member, r.host, r.role, r.state,
                     r.timeline ? std::to_string(*r.timeline) : "", LsnText(r.receive_lsn),
                     leader ? "" : Mb(r.receive_lag), LsnText(r.replay_lsn),
                     leader ? "" : Mb(r.replay_lag), r.reason});
    if (pending) cells.back().insert(cells.back().end() - 1, r.pending_restart ? "*" : "");
  }
  std::string out = BoxTable(
      "+ Cluster: " + scope + " (" + view.initialize.value_or("uninitialized") + ") ", head, cells);
  if (!view.leader) out += " No leader: the leader key is free\n";
  nlohmann::json config = nlohmann::json::parse(view.config_json, nullptr, false);
  if (config.is_object() && config.value("pause", nlohmann::json(false)) == nlohmann::json(true)) {
    out += " Maintenance mode: on\n";
  }
  if (view.failover && !view.failover->scheduled_at.empty()) {
    out += " Switchover scheduled at: " + view.failover->scheduled_at + "\n";
    out += "                    from: " + view.failover->leader + "\n";
    if (!view.failover->member.empty())
      out += "                      to: " + view.failover->member + "\n";
  }
  return out;
}

nlohmann::json AsJson(const std::vector<ListRow>& rows, const std::string& scope) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json j = {{"Cluster", scope}, {"Member", r.member}, {"Host", r.host},
                        {"Role", r.role},   {"State", r.state},   {"Reason", r.reason}};
    if (r.timeline) j["TL"] = *r.timeline;
    if (r.receive_lsn) j["Receive LSN"] = LsnText(r.receive_lsn);
    if (r.replay_lsn) j["Replay LSN"] = LsnText(r.replay_lsn);
    if (r.role != "Leader") {
      j["Receive Lag"] = r.receive_lag ? nlohmann::json(*r.receive_lag) : "unknown";
      j["Replay Lag"] = r.replay_lag ? nlohmann::json(*r.replay_lag) : "unknown";
    }
    if (r.pending_restart) j["Pending restart"] = "*";
    out.push_back(j);
  }
  return out;
}

std::string AsTsv(const std::vector<ListRow>& rows, const std::string& scope) {
  std::string out = "Cluster\tMember\tHost\tRole\tState\tTL\tReceive LSN\tLag\tReplay LSN\tLag\n";
  for (const auto& r : rows) {
    bool leader = r.role == "Leader";
    out += scope + "\t" + r.member + "\t" + r.host + "\t" + r.role + "\t" + r.state + "\t" +
           (r.timeline ? std::to_string(*r.timeline) : "") + "\t" + LsnText(r.receive_lsn) + "\t" +
           (leader ? "" : Mb(r.receive_lag)) + "\t" + LsnText(r.replay_lsn) + "\t" +
           (leader ? "" : Mb(r.replay_lag)) + "\n";
  }
  return out;
}

}  // namespace

std::vector<ListRow> ListRows(const ha::ClusterView& view) {
  const ha::Member* leader = view.LeaderMember();
  std::optional<uint64_t> top = view.optime;
  if (leader && leader->xlog_location) top = std::max(top.value_or(0), *leader->xlog_location);
  std::vector<ListRow> rows;
  for (const auto& m : view.members) {
    ListRow r;
    r.member = m.name;
    r.host = Host(m.conn_url);
    r.role = Role(view, m);
    r.state = m.state == "running" && m.replication_state == "streaming" ? "streaming" : m.state;
    r.reason = m.reason;
    r.timeline = m.timeline;
    r.pending_restart = m.pending_restart;
    if (r.role == "Leader") {
      r.receive_lsn = m.xlog_location;
    } else {
      r.receive_lsn = m.receive_lsn ? m.receive_lsn : m.xlog_location;
      r.replay_lsn = m.replay_lsn ? m.replay_lsn : m.xlog_location;
      auto lag = [&](std::optional<uint64_t> v) -> std::optional<uint64_t> {
        if (!v || !top) return std::nullopt;
        return *top > *v ? *top - *v : 0;
      };
      r.receive_lag = lag(r.receive_lsn);
      r.replay_lag = lag(r.replay_lsn);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

// Members under the member they stream from (replicatefrom tag, else the leader), "+ " per level.
std::string BoxTable(const std::string& title, const std::vector<std::string>& head,
                     const std::vector<std::vector<std::string>>& cells) {
  std::vector<size_t> width(head.size());
  for (size_t i = 0; i < head.size(); ++i) {
    width[i] = head[i].size();
    for (const auto& c : cells) width[i] = std::max(width[i], i < c.size() ? c[i].size() : 0);
  }
  auto line = [&](const std::vector<std::string>& v) {
    std::string out = "|";
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < v.size() ? v[i] : "";
      out += " " + cell + std::string(width[i] - cell.size(), ' ') + " |";
    }
    return out + "\n";
  };
  std::string sep = "+";
  for (size_t w : width) sep += std::string(w + 2, '-') + "+";
  std::string top = title.empty() ? sep
                                  : title + (title.size() < sep.size() ? sep.substr(title.size())
                                                                       : std::string("+"));
  std::string out = top + "\n" + line(head) + sep + "\n";
  for (const auto& c : cells) out += line(c);
  return out + sep + "\n";
}

std::string YamlRows(const nlohmann::json& rows) {
  std::string out;
  for (const auto& r : rows) {
    bool first = true;
    for (const auto& [k, v] : r.items()) {
      out += (first ? "- " : "  ") + k + ": " + (v.is_string() ? v.get<std::string>() : v.dump()) +
             "\n";
      first = false;
    }
  }
  return out;
}

std::string FormatTopology(const ha::ClusterView& view, const std::string& scope) {
  std::vector<ListRow> rows = ListRows(view);
  std::map<std::string, std::string> upstream;
  for (const auto& m : view.members) {
    if (view.leader == m.name) continue;
    std::string from = m.tags.replicatefrom;
    if (from.empty() || !view.FindMember(from) || from == m.name) from = view.leader.value_or("");
    upstream[m.name] = from;
  }
  std::vector<ListRow> ordered;
  std::set<std::string> seen;
  std::function<void(const std::string&, int)> add = [&](const std::string& name, int level) {
    if (!seen.insert(name).second) return;  // each member once, even with a replicatefrom cycle
    for (const auto& r : rows) {
      if (r.member != name) continue;
      ordered.push_back(r);
      if (level)
        ordered.back().member = std::string(2 * static_cast<size_t>(level - 1), ' ') + "+ " + name;
    }
    for (const auto& [member, from] : upstream) {
      if (from == name) add(member, level + 1);
    }
  };
  if (view.leader) add(*view.leader, 0);
  for (const auto& r : rows) add(r.member, 0);
  return Pretty(ordered, view, scope);
}

Result<std::string> FormatList(const ha::ClusterView& view, const std::string& scope,
                               const std::string& format) {
  auto rows = ListRows(view);
  if (format == "pretty") return Pretty(rows, view, scope);
  if (format == "json") return AsJson(rows, scope).dump() + "\n";
  if (format == "yaml") return YamlRows(AsJson(rows, scope));
  if (format == "tsv") return AsTsv(rows, scope);
  return Err("unknown format \"" + format + "\": use pretty, json, yaml or tsv");
}

}  // namespace pgha::ctl
