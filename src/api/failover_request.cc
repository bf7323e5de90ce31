// POST /switchover and /failover: body, eligibility of the candidate, and the outcome poll
// (Patroni's do_POST_failover, is_failover_possible and poll_failover_result).
#include "api/requests.h"
#include "ha/sync.h"

namespace pgha::api {
namespace {

using nlohmann::json;

std::string Title(std::string_view action) {
  std::string t(action);
  if (!t.empty()) t[0] = static_cast<char>(std::toupper(t[0]));
  return t;
}

// A string field or null/absent (patronictl sends null for what it does not set).
std::optional<std::string> StringField(const json& body, const char* key, bool* bad) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    *bad = true;
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace

Checked<FailoverBody> ParseFailoverBody(const json& body, std::string_view action,
                                        const DynamicView& dynamic, SystemTime now) {
  using R = Checked<FailoverBody>;
  FailoverBody out;
  out.action = std::string(action);
  bool bad = false;
  out.leader = StringField(body, "leader", &bad).value_or("");
  if (bad) return R::Refuse(400, "Bad request: leader must be a string");
  out.candidate = StringField(body, "candidate", &bad).value_or("");
  if (bad) return R::Refuse(400, "Bad request: candidate must be a string");
  if (out.candidate.empty()) out.candidate = StringField(body, "member", &bad).value_or("");
  if (bad) return R::Refuse(400, "Bad request: member must be a string");
  if (action == "failover" && out.candidate.empty()) {
    return R::Refuse(400, "Failover could be performed only to a specific candidate");
  }
  if (action == "switchover" && out.leader.empty()) {
    return R::Refuse(400, "Switchover could be performed only from a specific leader");
  }
  auto scheduled = body.find("scheduled_at");
  if (scheduled != body.end() && !scheduled->is_null()) {
    if (out.leader.empty()) {
      return R::Refuse(400, "Scheduled " + out.action + " is possible only from a specific leader");
    }
    if (dynamic.pause)
      return R::Refuse(400, "Can't schedule " + out.action + " in the paused state");
    Checked<SystemTime> at = ParseSchedule(*scheduled, action, now);
    if (!at.ok()) return R{std::nullopt, at.refusal};
    out.scheduled_at = *at.value;
  }
  if (dynamic.pause && out.candidate.empty()) {
    return R::Refuse(400,
                     Title(action) + " is possible only to a specific candidate in a paused state");
  }
  return R::Accept(std::move(out));
}

Checked<std::vector<ha::Member>> FailoverTargets(const FailoverBody& request,
                                                 const ha::ClusterView& view,
                                                 const DynamicView& dynamic) {
  using R = Checked<std::vector<ha::Member>>;
  const std::string& action = request.action;
  const std::string not_possible = action + " is not possible: ";
  if (!request.leader.empty() && view.leader != request.leader) {
    return R::Refuse(412, "leader name does not match: " + request.leader +
                              " is not the leader (leader: " + view.leader.value_or("none") + ")");
  }
  std::vector<ha::Member> targets;
  if (!request.candidate.empty()) {
    const ha::Member* m = view.FindMember(request.candidate);
    if (!m) return R::Refuse(412, "candidate does not exists: " + request.candidate);
    if (view.leader == request.candidate) {
      return R::Refuse(400, Title(action) + " target and source are the same: " +
                                request.candidate + " is the current leader");
    }
    // A failover too: only a member /sync names holds every acknowledged commit, and no agent
    // promotes another one (docs/safety.md, rule 3), so accepting it would promise nothing.
    if (dynamic.synchronous_mode && !ha::IsSyncStandby(view, request.candidate)) {
      return R::Refuse(412, "candidate name does not match with sync_standby");
    }
    if (!m->tags.CanPromote()) {  // Patroni's words: its users' scripts compare them
      return R::Refuse(412, not_possible + "no good candidates have been found");
    }
    targets.push_back(*m);
  } else if (dynamic.synchronous_mode) {
    for (const ha::Member& m : view.members) {
      if (ha::IsSyncStandby(view, m.name) && m.tags.CanPromote()) targets.push_back(m);
    }
    if (targets.empty()) return R::Refuse(412, not_possible + "can not find sync_standby");
  } else {
    for (const ha::Member& m : view.members) {
      if (view.leader != m.name && !m.api_url.empty() && m.tags.CanPromote()) targets.push_back(m);
    }
    if (targets.empty()) {
      return R::Refuse(412, not_possible + "cluster does not have members except leader");
    }
  }
  return R::Accept(std::move(targets));
}

std::optional<std::string> FailoverLimitation(const std::optional<json>& status, bool named) {
  if (!status || !status->is_object()) return "not reachable";
  const json& s = *status;
  auto tags = s.find("tags");
  if (tags != s.end() && tags->is_object() &&
      ParseBool(tags->value("nofailover", json(false))).value_or(false)) {
    return "not allowed to promote";
  }
  if (s.value("watchdog_failed", json(false)) == json(true)) return "not watchdog capable";
  if (named && s.value("state", json("")) != json("running")) return "not running";
  if (named && s.value("role", json("")) != json("replica")) return "not a replica";
  return std::nullopt;
}

std::optional<OpResponse> FailoverOutcome(const ha::ClusterView& view,
                                          const std::string& old_leader,
                                          const std::string& candidate, std::string_view action) {
  std::string verb(action.substr(0, action.size() - 4));  // switch / fail
  if (view.leader && !view.leader->empty() && *view.leader != old_leader) {
    if (candidate.empty() || candidate == *view.leader) {
      return OpResponse{200, "Successfully " + verb + "ed over to \"" + *view.leader + "\"", false};
    }
    return OpResponse{
        200, Title(verb) + "ed over to \"" + *view.leader + "\" instead of \"" + candidate + "\"",
        false};
  }
  bool pending = view.failover && !(view.failover->leader.empty() && view.failover->member.empty());
  if (!pending) return OpResponse{503, Title(action) + " failed", false};
  return std::nullopt;
}

}  // namespace pgha::api
