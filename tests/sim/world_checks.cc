// Invariants (a)-(e) of the safety issue (tests/sim/README.md, "Invariants"): the leader key
// leaves etcd only by its holder or by expiry, every writable server holds the key, writes
// acknowledged after another member's promotion survive, no long leaderless period while a
// member could be promoted, the leader holds a slot for every streaming member.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/strings.h"
#include "dcs/codec.h"
#include "ha/slots.h"
#include "ha/sync.h"
#include "pg/render.h"
#include "scenario/scenario.h"
#include "sim/world.h"

namespace pgha::sim {
namespace {

const char* HowText(SimEtcd::Removal how) {
  switch (how) {
    case SimEtcd::Removal::kDelete:
      return "deleted";
    case SimEtcd::Removal::kRevoke:
      return "revoked with its lease";
    case SimEtcd::Removal::kExpiry:
      return "expired with its lease";
  }
  return "?";
}

// Node faults that keep a member from reaching etcd (it may still veto a race over REST).
bool CutsFromEtcd(const std::string& kind) {
  return kind == "isolate" || kind == "etcd-cut" || kind == "flaky" || kind == "latency";
}

nlohmann::json ConfigJson(const SimEtcd& etcd) {
  auto kv = etcd.Get("/service/" + std::string(kScope) + "/config");
  auto j = nlohmann::json::parse(kv ? kv->value : "", nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

}  // namespace

// (g) The decision journal's newest entry, parsed as a scenario file and given to Decide again,
// gives the same actions and reason: what GET /journal shows is what the agent decided on.
void World::CheckJournal(Node& n) {
  auto journal = n.agent->snapshot()->journal;
  if (!journal || journal->empty() || journal == n.journal) return;
  n.journal = journal;
  std::string entry = journal->back();
  if (opt_.thin_journal) {
    // Negative control: a journal that leaves out one input Decide used (the lease deadline).
    std::string thin;
    for (const auto& line : Split(entry, '\n')) {
      if (line.rfind("lease_valid_until:", 0) != 0) thin += line + "\n";
    }
    entry = thin;
  }
  try {
    scenario::Scenario s = scenario::ParseScenario(n.name() + " journal", entry);
    ha::Decision d = ha::Decide(s.obs);
    std::vector<std::string> got;
    for (const auto& a : d.actions) got.push_back(ha::Describe(a));
    if (got.empty()) got.push_back("none");
    if (got != s.expect || d.reason != s.reason) {
      Fail(fmt::format("(g) {}'s journal entry replays to '{}' ({}), not to what it recorded:\n{}",
                       n.name(), d.reason, fmt::join(got, "; "), entry));
    }
  } catch (const scenario::ParseError& e) {
    Fail(fmt::format("(g) {}'s journal entry does not parse: {}", n.name(), e.what()));
  }
}

bool World::Paused() const {
  if (ConfigJson(etcd_).value("pause", false) == true) return true;
  for (const auto& n : nodes_) {
    if (n->agent && n->agent->snapshot()->settings.pause) return true;
  }
  return false;
}

// (a) The leader key leaves etcd only by its holder's own delete (ReleaseLeader, from any session
// of that member), a revoke of the lease it is bound to by the holder (its agent or its fencing
// guard), or expiry. (b), at that moment: the holder's PostgreSQL no longer accepts writes.
void World::OnEtcdRemove(const dcs::KeyValue& kv, SimEtcd::Removal how, const std::string& actor) {
  if (kv.key != kLeaderKey) return;
  ++out_.key_removals;
  const std::string& holder = kv.value;
  std::string by = actor.substr(0, actor.find(' '));
  if (how != SimEtcd::Removal::kExpiry) {
    Log("etcd", fmt::format("leader key of {} (lease {}) {} by {}", holder, kv.lease, HowText(how),
                            actor.empty() ? "?" : actor));
  }
  // etcd's own bug (fault etcd-revoke): the holder is still a writable primary, by nobody's
  // doing. What must hold then is that nobody else is promoted while it is (invariants 1, b, c).
  if (actor == kStaleEtcdLeader) return;
  if (how != SimEtcd::Removal::kExpiry && by != holder) {
    Fail(fmt::format(
        "(a) the leader key leaves etcd only by its holder or by expiry: {}'s key (lease {}) was "
        "{} by {}",
        holder, kv.lease, HowText(how), actor));
    return;
  }
  Node* h = FindNode(holder);
  if (h && h->pg->writable() && !Paused() && !FailsafeCovers(holder, how)) {
    Fail(fmt::format(
        "(b) a writable PostgreSQL is fenced before its leader key leaves etcd: {}'s key (lease "
        "{}) {}{} while its PostgreSQL still accepts writes",
        holder, kv.lease, HowText(how), how == SimEtcd::Removal::kExpiry ? "" : " by " + actor));
  }
}

// Failsafe mode: the key may expire under a writable primary when every other member /failsafe
// lists has promised it not to race (its inbox names the holder), or cannot keep a promise it
// forgot: its agent is down, or started less than ttl ago (ha::FailsafeRaceBlock). Whether
// nobody else is promoted meanwhile is what invariants 1 and (b) check.
bool World::FailsafeCovers(const std::string& holder, SimEtcd::Removal how) const {
  if (!opt_.failsafe || how != SimEtcd::Removal::kExpiry) return false;
  // The members /failsafe lists; when the leader's write of it failed as etcd went (seed 12813),
  // every member. A member /failsafe leaves out takes the key neither in a race nor for an
  // operator's failover (ha::FailsafeRaceBlock).
  std::optional<std::map<std::string, std::string>> listed;
  if (auto kv = etcd_.Get(kFailsafeKey)) {
    auto members = dcs::DecodeFailsafe(kv->value);
    if (!members.ok() || members->count(holder) == 0) return false;
    listed = *members;
  }
  // Each must have promised, or be unable to have kept a promise, or be unable to be promoted
  // at all (an empty data directory: a clone needs a leader).
  for (const auto& other : nodes_) {
    const Node* n = other.get();
    if (n->name() == holder || !n->agent || !n->pg->data().exists) continue;
    if (listed && listed->count(n->name()) == 0) continue;
    auto promise = n->failsafe_inbox ? n->failsafe_inbox->Active() : std::nullopt;
    if (promise && promise->name == holder) continue;
    if (clock_.Now() - n->agent_started < std::chrono::seconds(MaxTtl())) continue;
    return false;
  }
  return true;
}

// (b) Every writable PostgreSQL is the key holder: once another member holds the key, the old
// primary must already be fenced (it had to be before its key left etcd).
void World::CheckWritableHoldsKey() {
  auto kv = etcd_.Get(kLeaderKey);
  if (!kv) return;
  for (const auto& n : nodes_) {
    if (!n->pg->writable() || n->name() == kv->value) continue;
    if (Paused()) return;
    Fail(fmt::format(
        "(b) every writable PostgreSQL holds the leader key: {} accepts writes while {} holds it",
        n->name(), kv->value));
    return;
  }
}

int World::MaxTtl() const {
  int ttl = ConfigJson(etcd_).value("ttl", 10);
  for (const auto& n : nodes_) {
    if (n->agent) ttl = std::max(ttl, n->agent->snapshot()->settings.ttl);
  }
  return ttl;
}

// A member the agents would let take the key now: its agent runs and reaches etcd, its
// PostgreSQL runs and answers, it is on the cluster's newest timeline, within
// maximum_lag_on_failover of the last published optime (replicas), and named in /sync when
// synchronous mode restricts the race.
bool World::Promotable(const Node& n, const ha::ClusterView& view) const {
  if (!n.powered || !n.agent || n.paused) return false;
  const FakePostgres& pg = *n.pg;
  if (!pg.queryable()) return false;
  if (pg.data().Timeline() < view.HistoryTimeline()) return false;
  const ha::Settings& s = n.agent->snapshot()->settings;
  if (pg.in_recovery() && view.optime && *view.optime > pg.data().lsn &&
      *view.optime - pg.data().lsn > s.maximum_lag_on_failover) {
    return false;
  }
  if (s.synchronous_mode && view.sync && !view.sync->leader.empty() &&
      !ha::InSyncKey(view, n.name())) {
    return false;
  }
  // Failsafe mode: a member /failsafe does not list races only when an operator asks.
  if (s.failsafe_mode && !view.failsafe.empty() && view.failsafe.count(n.name()) == 0) {
    return false;
  }
  return true;
}

// When a leaderless period cannot be held against the agents: etcd down or without a leader,
// pause mode, a member cut off from etcd (it can still veto over REST but not take the key), or
// no member that could be promoted.
bool World::LeaderlessExcused() const {
  if (etcd_down_ || Paused()) return true;
  for (const auto& f : faults_) {
    if (f.kind == "etcd-leader" || CutsFromEtcd(f.kind)) return true;
  }
  auto view = ReadView(etcd_);
  for (const auto& n : nodes_) {
    if (Promotable(*n, view)) return false;
  }
  return true;
}

// (d) No leaderless period longer than 3 x ttl (the largest ttl in /config or any agent) while a
// promotable member runs and nothing excuses it (LeaderlessExcused), in simulated time.
void World::CheckLeaderless() {
  if (etcd_.Get(kLeaderKey) || LeaderlessExcused()) {
    leaderless_since_.reset();
    return;
  }
  if (!leaderless_since_) {
    leaderless_since_ = clock_.Now();
    return;
  }
  int ttl = MaxTtl();
  if (clock_.Now() - *leaderless_since_ <= std::chrono::seconds(3 * ttl)) return;
  auto view = ReadView(etcd_);
  if (view.failover && !view.failover->member.empty()) {
    const Node* wanted = FindNode(view.failover->member);
    if (wanted && !Promotable(*wanted, view) && opt_.tolerate.count("B4")) {
      if (out_.tolerated.find("B4") == std::string::npos) {
        out_.tolerated += (out_.tolerated.empty() ? "" : "+") + std::string("B4");
        Log("CHECK", "known bug B4 tolerated: leaderless, every member waits for " +
                         view.failover->member + ", which will not take the key");
      }
      return;
    }
  }
  std::string promotable;
  for (const auto& n : nodes_) {
    if (Promotable(*n, view)) promotable += (promotable.empty() ? "" : ", ") + n->name();
  }
  double since =
      clock_.Seconds() - std::chrono::duration<double>(clock_.Now() - *leaderless_since_).count();
  Fail(fmt::format(
      "(d) no leaderless period longer than 3 x ttl ({} s): no leader key since t={:.3f} while "
      "{} could be promoted",
      3 * ttl, since, promotable));
}

std::set<std::string> World::MemberNames() const {
  std::set<std::string> out;
  const std::string prefix = "/service/" + std::string(kScope) + "/members/";
  for (const auto& kv : etcd_.Range(prefix).kvs) out.insert(kv.key.substr(prefix.size()));
  return out;
}

// (e) After a leader loop that ran its slot step (Agent::EnsureSlots) to the end, the leader's
// PostgreSQL has a physical slot for every member streaming from it whose member key existed
// throughout the loop.
void World::CheckSlots(const Node& leader, const std::set<std::string>& members_before) {
  if (!leader.agent || !leader.pg->queryable() || !leader.pg->writable()) return;
  auto kv = etcd_.Get(kLeaderKey);
  if (!kv || kv->value != leader.name()) return;
  auto snapshot = leader.agent->snapshot();
  if (!snapshot->settings.use_slots) return;
  const std::string& r = snapshot->reason;
  bool slot_step = r.rfind("no action: I am the leader", 0) == 0 ||
                   r.rfind("updating synchronous replication", 0) == 0 ||
                   r.rfind("synchronous_mode is off: deleting /sync", 0) == 0;
  if (!slot_step) return;
  ++out_.slot_checks;
  auto members_after = MemberNames();
  for (const auto& n : nodes_) {
    if (n.get() == &leader || !members_before.count(n->name()) || !members_after.count(n->name())) {
      continue;
    }
    if (!n->pg->streaming() || n->pg->upstream_port() != leader.pg->port()) continue;
    std::string slot = ha::SlotName(n->name());
    if (leader.pg->data().slots.count(slot)) continue;
    std::string have;
    for (const auto& s : leader.pg->data().slots) have += (have.empty() ? "" : ",") + s;
    Fail(fmt::format(
        "(e) the leader holds a slot for every streaming member: {} streams from {}, which has "
        "no slot {} (slots: [{}]) after a leader loop",
        n->name(), leader.name(), slot, have));
    return;
  }
}

// (c) Asynchronous mode too: a write acknowledged by a primary that was already writable when
// another member's promotion began, and acknowledged after it began, is in the final leader's
// history (the old primary had to be fenced before the new one could be promoted).
void World::CheckColdStart(const FakePostgres& promoted) {
  std::vector<size_t> writes = std::move(cold_->writes);
  cold_.reset();
  for (size_t i : writes) {
    const AckedWrite& w = acked_[i];
    if (HasWrite(promoted, w)) continue;
    Fail(fmt::format(
        "(h) a whole-cluster power loss loses no write a member held: {} acknowledged lsn {} "
        "before every node lost power; {} was promoted at the cold start without it",
        w.primary, w.lsn, promoted.name()));
    return;
  }
}

void World::CheckWritesAfterPromotion(const FakePostgres& leader) {
  for (const auto& w : acked_) {
    for (const auto& p : promotions_) {
      if (p.who == w.primary || w.primary_since > p.seq || p.seq > w.acked_seq) continue;
      if (HasWrite(leader, w)) break;
      auto ago = [&](MonoTime t) {
        return clock_.Seconds() - std::chrono::duration<double>(clock_.Now() - t).count();
      };
      Fail(fmt::format(
          "(c) no write acknowledged after another member's promotion is lost: {} acknowledged "
          "lsn {} at t={:.3f}, after {} was promoted at t={:.3f}; leader {} does not have it",
          w.primary, w.lsn, ago(w.acked_at), p.who, ago(p.at), leader.name()));
      return;
    }
  }
}

}  // namespace pgha::sim
