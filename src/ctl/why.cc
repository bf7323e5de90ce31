#include "ctl/why.h"

#include <cstdio>

#include "core/iso_time.h"
#include "core/lsn.h"
#include "scenario/scenario.h"

namespace pgha::ctl {
namespace {

std::string Position(std::optional<uint64_t> v) {
  return v ? Lsn{*v}.ToString() : std::string("-");
}

std::string Seconds(MonoTime::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f s",
                std::chrono::duration_cast<std::chrono::duration<double>>(d).count());
  return buf;
}

std::string LocalText(const ha::LocalPg& pg) {
  if (!pg.postmaster) return "PostgreSQL not running";
  std::string role = !pg.running ? "not answering" : pg.in_recovery ? "replica" : "primary";
  std::string out = "PostgreSQL " + role + ", timeline " + std::to_string(pg.timeline) + ", wal " +
                    Lsn{pg.wal_lsn}.ToString();
  if (pg.in_recovery) {
    out += ", receive " + Position(pg.receive_lsn) + ", replay " + Position(pg.replay_lsn);
    out += pg.streaming ? ", streaming" : ", not streaming";
  }
  return out;
}

void PrintDecision(const scenario::Scenario& s) {
  const ha::Observation& o = s.obs;
  std::string actions;
  for (const auto& a : s.expect) actions += (actions.empty() ? "" : "; ") + a;
  std::printf("%s at %s: %s\n", o.me.c_str(), FormatIsoTimeMicros(o.wall_now).c_str(),
              actions.c_str());
  std::printf("  reason:     %s\n", s.reason.value_or("-").c_str());
  if (!o.dcs_ok) {
    std::printf("  etcd:       not reachable\n");
  } else {
    const ha::ClusterView& c = o.cluster;
    std::printf("  leader key: %s\n", c.leader ? c.leader->c_str() : "none (free)");
    if (c.optime) std::printf("  optime:     %s\n", Lsn{*c.optime}.ToString().c_str());
    if (c.sync) {
      std::string names;
      for (const auto& n : c.sync->sync_standby) names += (names.empty() ? "" : ",") + n;
      std::printf("  /sync:      leader %s, standbys %s\n", c.sync->leader.c_str(),
                  names.empty() ? "none" : names.c_str());
    }
  }
  std::printf("  lease:      %s\n",
              o.lease_valid_until
                  ? ("valid until now " + Seconds(*o.lease_valid_until - o.now)).c_str()
                  : "none held for the leader key");
  std::printf("  this node:  %s\n", LocalText(o.pg).c_str());
  std::string tags = scenario::PrintTags(o.tags);
  if (!tags.empty()) std::printf("  tags:       %s\n", tags.c_str());
  for (const auto& p : o.peers) {
    std::string text = !p.reachable ? "unreachable"
                       : !p.running ? "answering, PostgreSQL not running"
                                    : p.role + ", timeline " + std::to_string(p.timeline) +
                                          ", wal " + Lsn{p.wal_position}.ToString();
    std::printf("  peer %-6s %s\n", p.name.c_str(), text.c_str());
  }
  std::string settings = scenario::PrintSettings(o.settings);
  std::printf("  settings:   %s\n", settings.empty() ? "pgha's defaults" : settings.c_str());
}

}  // namespace

int Why(const Cluster& c, const std::string& member, bool raw) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  std::string name = member;
  if (name.empty()) {
    if (!view->leader) return Fail("the cluster has no leader: name a member (pghactl why NAME)");
    name = *view->leader;
  }
  const ha::Member* m = view->FindMember(name);
  if (!m) return Fail("no member named '" + name + "' in cluster " + c.name);
  Result<RestReply> r = c.rest->Call(*m, "GET", "journal?n=1", std::nullopt);
  if (!r.ok()) return Fail(name + ": " + r.message());
  if (r->status != 200)
    return Fail(name + ": GET /journal answered HTTP " + std::to_string(r->status));
  if (r->body.empty()) return Fail(name + " has made no decision yet");
  if (raw) {
    std::fputs(r->body.c_str(), stdout);
    return kExitOk;
  }
  try {
    PrintDecision(scenario::ParseScenario(name + " /journal", r->body));
  } catch (const scenario::ParseError& e) {
    return Fail(std::string("cannot read the journal: ") + e.what());
  }
  std::printf("replay: pghactl why %s --raw > why.txt; scenario_runner why.txt\n", name.c_str());
  return kExitOk;
}

}  // namespace pgha::ctl
