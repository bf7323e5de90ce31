// `pghactl switchover` and `failover` (patronictl's _do_failover_or_switchover).
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "api/requests.h"
#include "core/iso_time.h"
#include "ctl/commands.h"
#include "ctl/list.h"
#include "ctl/prompt.h"
#include "dcs/codec.h"
#include "ha/sync.h"

namespace pgha::ctl {
namespace {

using nlohmann::json;

std::string Now() {
  std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

// "now" or empty -> nullopt; ISO 8601, local time when no zone is given (as patronictl).
Result<std::optional<std::string>> ParseScheduled(const std::string& text) {
  if (text.empty() || text == "now") return std::optional<std::string>();
  std::optional<ParsedTime> t = ParseIsoTime(text);
  if (!t) {
    return Err("Unable to parse scheduled timestamp (" + text +
               "). It should be in an unambiguous format (e.g. ISO 8601)");
  }
  if (!t->has_zone) {
    std::time_t guess = std::chrono::system_clock::to_time_t(t->at);
    std::tm local{};
    localtime_r(&guess, &local);
    t->at -= std::chrono::seconds(local.tm_gmtoff);
  }
  return std::optional<std::string>(FormatIsoTime(t->at));
}

std::vector<std::string> CandidateNames(const ha::ClusterView& view, const std::string& leader) {
  std::vector<std::string> out;
  for (const ha::Member& m : view.members) {
    if (m.name != leader && !m.tags.nofailover) out.push_back(m.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return "[" + out + "]";
}

void PrintTopology(const Cluster& c, const ha::ClusterView& view) {
  Result<std::string> table = FormatList(view, c.name, "pretty");
  if (table.ok()) std::fputs(table->c_str(), stdout);
}

struct Plan {
  std::string leader, candidate;
  std::optional<std::string> scheduled_at;
};

Result<Plan> MakePlan(const Cluster& c, const ha::ClusterView& view, const std::string& action,
                      const FailoverOptions& o) {
  Plan p{o.leader, o.candidate, std::nullopt};
  if (action == "switchover" && !view.leader) return Err("This cluster has no leader");
  if (p.leader.empty()) {
    if (o.force || action == "failover") {
      p.leader = view.leader.value_or("");
    } else {
      Result<std::string> asked = Ask("Primary", view.leader.value_or(""));
      if (!asked.ok()) return asked.error();
      p.leader = *asked;
    }
  }
  if (!p.leader.empty() && view.leader && *view.leader != p.leader) {
    return Err("Member " + p.leader + " is not the leader of cluster " + c.name);
  }
  std::vector<std::string> names = CandidateNames(view, p.leader);
  if (names.empty()) return Err("No candidates found to " + action + " to");
  if (p.candidate.empty() && !o.force) {
    Result<std::string> asked = Ask("Candidate " + Joined(names), "");
    if (!asked.ok()) return asked.error();
    p.candidate = *asked;
  }
  if (action == "failover" && p.candidate.empty()) {
    return Err("Failover could be performed only to a specific candidate");
  }
  if (!p.candidate.empty() && p.candidate == p.leader) {
    return Err(std::string(action == "switchover" ? "Switchover" : "Failover") +
               " target and source are the same.");
  }
  if (!p.candidate.empty() && std::find(names.begin(), names.end(), p.candidate) == names.end()) {
    if (view.FindMember(p.candidate)) {
      return Err("Member " + p.candidate + " is tagged nofailover and cannot be promoted");
    }
    return Err("Member " + p.candidate + " does not exist in cluster " + c.name);
  }
  if (!p.candidate.empty() && api::ReadDynamic(view.config_json).synchronous_mode &&
      !ha::IsSyncStandby(view, p.candidate)) {
    // The REST API refuses it too (412): only a member /sync names holds every acknowledged
    // commit, and no agent promotes another one.
    return Err(p.candidate + " is not a synchronous standby in /sync: synchronous_mode allows a " +
               action + " only to one");
  }
  if (action == "switchover") {
    std::string when = o.scheduled;
    if (when.empty() && !o.force) {
      Result<std::string> asked =
          Ask("When should the switchover take place (e.g. 2030-01-01T10:00)", "now");
      if (!asked.ok()) return asked.error();
      when = *asked;
    }
    Result<std::optional<std::string>> at = ParseScheduled(when);
    if (!at.ok()) return at.error();
    if (*at && api::ReadDynamic(view.config_json).pause) {
      return Err("Can't schedule switchover in the paused state");
    }
    p.scheduled_at = *at;
  }
  return p;
}

int Run(const Cluster& c, const std::string& action, const FailoverOptions& o) {
  Result<ha::ClusterView> view = c.Load();
  if (!view.ok()) return Fail(view.message());
  std::printf("Current cluster topology\n");
  PrintTopology(c, *view);
  Result<Plan> plan = MakePlan(c, *view, action, o);
  if (!plan.ok()) return Fail(plan.message());
  std::string demote = plan->leader.empty() ? "" : ", demoting current leader " + plan->leader;
  std::string question =
      plan->scheduled_at
          ? "Are you sure you want to schedule " + action + " of cluster " + c.name + " at " +
                *plan->scheduled_at + demote + "?"
          : "Are you sure you want to " + action + " cluster " + c.name + demote + "?";
  Result<bool> yes = Confirm(question, o.force);
  if (!yes.ok()) return Fail(yes.message());
  if (!*yes)
    return Fail(std::string(plan->scheduled_at ? "Aborting scheduled " : "Aborting ") + action);

  json body = {{"leader", plan->leader.empty() ? json() : json(plan->leader)},
               {"candidate", plan->candidate.empty() ? json() : json(plan->candidate)},
               {"scheduled_at", plan->scheduled_at ? json(*plan->scheduled_at) : json()}};
  const ha::Member* target =
      view->LeaderMember() ? view->LeaderMember() : view->FindMember(plan->candidate);
  if (!plan->scheduled_at) {
    std::printf("%s Waiting for %s to %s (up to %d s)...\n", Now().c_str(),
                plan->candidate.empty() ? "a replica" : plan->candidate.c_str(),
                action == "switchover" ? "take over" : "be promoted",
                2 * std::max(10, api::ReadDynamic(view->config_json).loop_wait));
    std::fflush(stdout);
  }
  Result<RestReply> reply = target ? c.rest->Call(*target, "POST", action, body)
                                   : Result<RestReply>(Err("no member to ask"));
  if (!reply.ok()) {
    std::printf("%s Could not %s using the REST API (%s), falling back to DCS\n", Now().c_str(),
                action.c_str(), reply.message().c_str());
    ha::FailoverRequest f{plan->leader, plan->candidate, plan->scheduled_at.value_or("")};
    Result<bool> written = c.dcs->WriteFailover(dcs::EncodeFailover(f), -1);
    if (!written.ok()) return Fail("cannot write /failover: " + written.message());
  } else if (reply->status == 200 || reply->status == 202) {
    std::printf("%s %s\n", Now().c_str(), reply->body.c_str());
  } else {
    std::string title = action;
    title[0] = static_cast<char>(std::toupper(title[0]));
    std::printf("%s failed, details: %d, %s\n", title.c_str(), reply->status, reply->body.c_str());
    return kExitFailed;
  }
  Result<ha::ClusterView> after = c.Load();
  if (after.ok()) PrintTopology(c, *after);
  return kExitOk;
}

}  // namespace

int Switchover(const Cluster& c, const FailoverOptions& o) { return Run(c, "switchover", o); }
int Failover(const Cluster& c, const FailoverOptions& o) { return Run(c, "failover", o); }

}  // namespace pgha::ctl
