// An observation and the decision taken on it, written as a scenario file (README.md in
// tests/scenario): the directives in the order the hand-written files use, each struct through
// the same tables the parser reads (fields.cc).
#include <chrono>
#include <cstdio>

#include "scenario/scenario.h"

namespace pgha::scenario {
namespace {

std::string Seconds(MonoTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

void Line(std::string& out, const char* directive, const std::string& rest) {
  out += directive;
  out += ":";
  if (!rest.empty()) out += " " + rest;
  out += "\n";
}

void OptionalLine(std::string& out, const char* directive, const std::string& rest) {
  if (!rest.empty()) Line(out, directive, rest);
}

void TimeLine(std::string& out, const char* directive, const std::optional<MonoTime>& t) {
  if (t) Line(out, directive, Seconds(*t));
}

void FlagLine(std::string& out, const char* directive, bool value, bool default_value) {
  if (value != default_value) Line(out, directive, value ? "true" : "false");
}

}  // namespace

std::string FormatScenario(const ha::Observation& obs, const ha::Decision& decision,
                           const std::string& comment) {
  std::string out;
  if (!comment.empty()) out += "# " + comment + "\n";
  Line(out, "me", obs.me);
  Line(out, "now", Seconds(obs.now));
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.3f", obs.wall_now);
  Line(out, "wall_now", wall);
  TimeLine(out, "agent_started", obs.agent_started);
  FlagLine(out, "leader_seen", obs.leader_seen, false);
  TimeLine(out, "lease_valid_until", obs.lease_valid_until);
  TimeLine(out, "primary_down_since", obs.primary_down_since);
  TimeLine(out, "not_streaming_since", obs.not_streaming_since);
  TimeLine(out, "released_key_at", obs.released_key_at);
  TimeLine(out, "failsafe_valid_until", obs.failsafe_valid_until);
  FlagLine(out, "failsafe_refused", obs.failsafe_refused, false);
  if (obs.failsafe_leader) {
    Line(out, "failsafe_leader",
         QuoteValue(obs.failsafe_leader->name) + " " + Seconds(obs.failsafe_leader->until));
  }
  if (obs.sync_names_settled_lsn) {
    Line(out, "sync_names_settled_lsn", std::to_string(*obs.sync_names_settled_lsn));
  }
  FlagLine(out, "watchdog_usable", obs.watchdog_usable, true);
  FlagLine(out, "watchdog_failed", obs.watchdog_failed, false);
  FlagLine(out, "fence_failed", obs.fence_failed, false);
  FlagLine(out, "primary_start_failed", obs.primary_start_failed, false);
  FlagLine(out, "checkpoint_after_promote_pending", obs.checkpoint_after_promote_pending, false);
  FlagLine(out, "replica_method_without_leader", obs.replica_method_without_leader, false);
  Line(out, "dcs", obs.dcs_ok ? "up" : "down");
  OptionalLine(out, "settings", PrintSettings(obs.settings));
  OptionalLine(out, "tags", PrintTags(obs.tags));
  const ha::ClusterView& c = obs.cluster;
  OptionalLine(out, "cluster", PrintCluster(c));
  if (!c.config_json.empty()) {
    std::string config = c.config_json;  // one line: JSON reads the same with spaces
    for (char& ch : config) {
      if (ch == '\n' || ch == '\r') ch = ' ';
    }
    Line(out, "config", config);
  }
  for (const auto& m : c.members) {
    std::string rest = PrintMember(m);
    Line(out, "member", QuoteValue(m.name) + (rest.empty() ? "" : " " + rest));
  }
  for (const auto& h : c.history) {
    std::string rest = PrintHistory(h);
    Line(out, "history",
         std::to_string(h.timeline) + " " + std::to_string(h.switch_lsn) +
             (rest.empty() ? "" : " " + rest));
  }
  if (c.failover) Line(out, "failover", PrintFailover(*c.failover));
  if (c.sync) Line(out, "sync", PrintSync(*c.sync));
  OptionalLine(out, "pg", PrintLocalPg(obs.pg));
  for (const auto& r : obs.pg.replication) Line(out, "replication", PrintReplication(r));
  for (const auto& p : obs.peers) {
    std::string rest = PrintPeer(p);
    Line(out, "peer", QuoteValue(p.name) + (rest.empty() ? "" : " " + rest));
  }
  if (decision.actions.empty()) Line(out, "expect", "none");
  for (const auto& a : decision.actions) Line(out, "expect", ha::Describe(a));
  Line(out, "reason", decision.reason);
  return out;
}

}  // namespace pgha::scenario
