// Per-member commands over REST: restart, reload, reinit, flush, version (patronictl's
// get_members + request_patroni).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "api/requests.h"
#include "core/iso_time.h"
#include "ctl/commands.h"
#include "ctl/list.h"
#include "ctl/prompt.h"

namespace pgha::ctl {
namespace {

using nlohmann::json;

std::string Names(const std::vector<ha::Member>& members) {
  std::string out;
  for (const auto& m : members) out += (out.empty() ? "" : ", ") + m.name;
  return out;
}

Result<std::vector<ha::Member>> SelectMembers(const Cluster& c, const ha::ClusterView& view,
                                              const MemberOptions& o, const std::string& action,
                                              bool confirm) {
  if (view.members.empty()) return Err(c.name + " cluster doesn't have any members");
  if (!o.force) {
    Result<std::string> table = FormatList(view, c.name, "pretty");
    if (table.ok()) std::fputs(table->c_str(), stdout);
  }
  std::vector<ha::Member> candidates;
  for (const ha::Member& m : view.members) {
    if (RoleMatches(view, m, o.role)) candidates.push_back(m);
  }
  if (candidates.empty()) return Err("No " + o.role + " among provided members");
  std::vector<std::string> names = o.members;
  if (names.empty() && !o.force) {
    Result<std::string> asked =
        Ask("Which member do you want to " + action + " [" + Names(candidates) + "]?", "all");
    if (!asked.ok()) return asked.error();
    names = {*asked};
  }
  std::vector<ha::Member> out;
  if (names.empty() || names == std::vector<std::string>{"all"}) {
    out = candidates;
  } else {
    for (const std::string& n : names) {
      auto it = std::find_if(candidates.begin(), candidates.end(),
                             [&](const ha::Member& m) { return m.name == n; });
      if (it == candidates.end()) {
        if (view.FindMember(n)) return Err(n + " is not a " + o.role + " of cluster " + c.name);
        return Err(n + " is not a member of cluster " + c.name);
      }
      out.push_back(*it);
    }
  }
  if (confirm) {
    Result<bool> yes =
        Confirm("Are you sure you want to " + action + " members " + Names(out) + "?", o.force);
    if (!yes.ok()) return yes.error();
    if (!*yes) return Err("Aborted " + action);
  }
  return out;
}

// patronictl's check_response.
bool Report(const Result<RestReply>& r, const std::string& member, const std::string& action) {
  if (!r.ok()) {
    std::printf("Failed: %s for member %s, (%s)\n", action.c_str(), member.c_str(),
                r.message().c_str());
    return false;
  }
  if (r->status >= 400) {
    std::printf("Failed: %s for member %s, status code=%d, (%s)\n", action.c_str(), member.c_str(),
                r->status, r->body.c_str());
    return false;
  }
  std::printf("Success: %s for member %s\n", action.c_str(), member.c_str());
  return true;
}

Result<json> RestartBody(const Cluster& c, const ha::ClusterView& view, const MemberOptions& o) {
  json body = json::object();
  if (o.pending) body["restart_pending"] = true;
  if (!o.pg_version.empty()) {
    api::Checked<int> v = api::ParsePostgresVersion(o.pg_version);
    if (!v.ok()) return Err(v.refusal.body);
    body["postgres_version"] = o.pg_version;
  }
  if (!o.scheduled.empty() && o.scheduled != "now") {
    std::optional<ParsedTime> t = ParseIsoTime(o.scheduled);
    if (!t) {
      return Err("Unable to parse scheduled timestamp (" + o.scheduled +
                 "). It should be in an unambiguous format (e.g. ISO 8601)");
    }
    if (api::ReadDynamic(view.config_json).pause) {
      return Err("Can't schedule restart in the paused state");
    }
    if (!t->has_zone) {
      std::time_t guess = std::chrono::system_clock::to_time_t(t->at);
      std::tm local{};
      localtime_r(&guess, &local);
      t->at -= std::chrono::seconds(local.tm_gmtoff);
    }
    body["schedule"] = FormatIsoTime(t->at);
  }
  if (!o.timeout.empty()) body["timeout"] = o.timeout;
  (void)c;
  return body;
}

}  // namespace

int Restart(const Cluster& c, const MemberOptions& o) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  Result<std::vector<ha::Member>> members = SelectMembers(c, *view, o, "restart", true);
  if (!members.ok()) return Fail(members.message());
  Result<json> body = RestartBody(c, *view, o);
  if (!body.ok()) return Fail(body.message());
  if (o.any) {
    std::shuffle(members->begin(), members->end(), std::mt19937(std::random_device{}()));
    members->resize(1);
  }
  int code = kExitOk;
  for (const ha::Member& m : *members) {
    Result<RestReply> r = c.rest->Call(m, "POST", "restart", *body);
    if (r.ok() && r->status == 200) {
      std::printf("Success: restart on member %s\n", m.name.c_str());
    } else if (r.ok() && r->status == 202) {
      std::printf("Success: restart scheduled on member %s\n", m.name.c_str());
    } else if (r.ok() && r->status == 409) {
      std::printf("Failed: another restart is already scheduled on member %s\n", m.name.c_str());
      code = kExitFailed;
    } else {
      Report(r, m.name, "restart");
      code = kExitFailed;
    }
  }
  return code;
}

int Reload(const Cluster& c, const MemberOptions& o) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  Result<std::vector<ha::Member>> members = SelectMembers(c, *view, o, "reload", true);
  if (!members.ok()) return Fail(members.message());
  int code = kExitOk;
  for (const ha::Member& m : *members) {
    Result<RestReply> r = c.rest->Call(m, "POST", "reload", std::nullopt);
    if (r.ok() && r->status == 200) {
      std::printf("No changes to apply on member %s\n", m.name.c_str());
    } else if (r.ok() && r->status == 202) {
      std::printf("Reload request received for member %s and will be processed within %d seconds\n",
                  m.name.c_str(), api::ReadDynamic(view->config_json).loop_wait);
    } else {
      Report(r, m.name, "reload");
      code = kExitFailed;
    }
  }
  return code;
}

int Reinit(const Cluster& c, const MemberOptions& o) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  MemberOptions replicas = o;
  replicas.role = "replica";
  Result<std::vector<ha::Member>> members = SelectMembers(c, *view, replicas, "reinitialize", true);
  if (!members.ok()) return Fail(members.message());
  std::vector<ha::Member> waiting;
  int code = kExitOk;
  for (const ha::Member& m : *members) {
    json body = {{"force", o.force}};
    if (o.from_leader) body["from_leader"] = true;
    if (Report(c.rest->Call(m, "POST", "reinitialize", body), m.name, "reinitialize")) {
      if (o.wait) waiting.push_back(m);
    } else {
      code = kExitFailed;
    }
  }
  if (!waiting.empty()) {
    std::printf("Waiting for reinitialize to complete on: %s\n", Names(waiting).c_str());
  }
  while (!waiting.empty()) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    for (auto it = waiting.begin(); it != waiting.end();) {
      Result<RestReply> r = c.rest->Call(*it, "GET", "patroni", std::nullopt);
      json s = r.ok() ? json::parse(r->body, nullptr, false) : json();
      if (s.is_object() && s.value("state", json()) != json("creating replica")) {
        std::printf("Reinitialize is completed on: %s\n", it->name.c_str());
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    if (!waiting.empty()) std::printf("  still creating a replica: %s\n", Names(waiting).c_str());
    std::fflush(stdout);
  }
  return code;
}

int Flush(const Cluster& c, const MemberOptions& o, const std::string& target) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  if (target == "restart") {
    Result<std::vector<ha::Member>> members = SelectMembers(c, *view, o, "flush", true);
    if (!members.ok()) return Fail(members.message());
    int code = kExitOk;
    for (const ha::Member& m : *members) {
      Result<RestReply> r = c.rest->Call(m, "DELETE", "restart", std::nullopt);
      if (r.ok() && r->status == 404) {
        std::printf("No scheduled restart for member %s\n", m.name.c_str());
      } else if (!Report(r, m.name, "flush scheduled restart")) {
        code = kExitFailed;
      }
    }
    return code;
  }
  if (!view->failover || view->failover->scheduled_at.empty()) {
    std::printf("No pending scheduled switchover\n");
    return kExitOk;
  }
  std::vector<ha::Member> order;
  if (const ha::Member* l = view->LeaderMember()) order.push_back(*l);
  for (const ha::Member& m : view->members) {
    if (view->leader != m.name) order.push_back(m);
  }
  for (const ha::Member& m : order) {
    Result<RestReply> r = c.rest->Call(m, "DELETE", "switchover", std::nullopt);
    if (r.ok() && (r->status == 200 || r->status == 404)) {
      std::printf("%s: %s\n", r->status == 200 ? "Success" : "Failed", r->body.c_str());
      return r->status == 200 ? kExitOk : kExitFailed;
    }
    std::printf("Failed: member=%s, (%s)\n", m.name.c_str(),
                r.ok() ? (std::to_string(r->status) + " " + r->body).c_str() : r.message().c_str());
  }
  std::printf("Could not find any accessible member of cluster %s\n", c.name.c_str());
  Result<bool> written = c.dcs->WriteFailover("{}", view->failover_mod_revision);
  return written.ok() && *written ? kExitOk : Fail("cannot clear /failover in the DCS");
}

int Version(const Cluster* c, const std::vector<std::string>& members) {
  std::printf("pghactl version %s\n", PGHA_VERSION);
  if (!c) return kExitOk;
  Result<ha::ClusterView> view = c->Load();
  if (!view.ok()) return Fail(view.message());
  std::printf("\n");
  for (const ha::Member& m : view->members) {
    if (!members.empty() && std::find(members.begin(), members.end(), m.name) == members.end()) {
      continue;
    }
    Result<RestReply> r = c->rest->Call(m, "GET", "patroni", std::nullopt);
    json s = r.ok() ? json::parse(r->body, nullptr, false) : json();
    if (!s.is_object()) {
      std::printf("%s: failed to get version: %s\n", m.name.c_str(),
                  r.ok() ? "bad reply" : r.message().c_str());
      continue;
    }
    // A peer's answer is untrusted: read it without the throwing typed accessors.
    json pg_json = s.value("server_version", json(0));
    int pg = pg_json.is_number_integer() ? pg_json.get<int>() : 0;
    json agent = s.value("patroni", json::object());
    json version_json = agent.is_object() ? agent.value("version", json("?")) : json("?");
    std::string version = version_json.is_string() ? version_json.get<std::string>() : "?";
    std::printf("%s: pgha %s PostgreSQL %d.%d\n", m.name.c_str(), version.c_str(), pg / 10000,
                pg % 10000);
  }
  return kExitOk;
}

}  // namespace pgha::ctl
