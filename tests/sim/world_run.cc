// The simulation loop: each step runs one agent, lets time pass, writes, or injects a fault;
// invariants are checked after every step and whenever simulated time moves.
#include <fmt/format.h>

#include <map>

#include "sim/world.h"

namespace pgha::sim {

Outcome World::Run() {
  Log("sim", fmt::format("seed {} with {} nodes", opt_.seed, opt_.nodes));
  while (step_ < opt_.fault_steps && out_.ok) Step(true);
  if (out_.ok) {
    HealDue(true);
    // A slow-start's crash recovery outlives its fault (up to 20 s): the quiet period counts
    // from its end, or a member that only then can see it must be rewound has no time to.
    MonoTime start = clock_.Now();
    for (const auto& n : nodes_) {
      if (auto until = n->pg->recovering_until()) start = std::max(start, *until);
    }
    Log("sim", "quiet period: every fault healed");
    MonoTime end = start + Ms(opt_.quiet_seconds);
    while (clock_.Now() < end && out_.ok) Step(false);
  }
  if (out_.ok) FinalChecks();
  return out_;
}

Node* World::NextDue() {
  Node* next = nullptr;
  for (auto& n : nodes_) {
    if (!n->agent || n->paused || !n->powered) continue;
    if (!next || n->next_run < next->next_run) next = n.get();
  }
  return next;
}

void World::Step(bool faults_allowed) {
  ++step_;
  HealDue(false);
  double r = Uniform(0, 1);
  Node* due = NextDue();
  if (faults_allowed && r < 0.04) {
    InjectFault();
  } else if (r < 0.25) {
    ClientWrite();
  } else if (due && due->next_run <= clock_.Now()) {
    RunAgent(*due);
  } else {
    AdvanceTime(due);
  }
  ReleaseCommits();
  CheckStep();
}

void World::RunAgent(Node& n) {
  MonoTime started = clock_.Now();
  std::set<std::string> members_before = MemberNames();
  bool keep_running = n.agent->RunOnce();
  if (!n.agent) return;  // cannot happen: faults are injected between steps
  n.fence.Flush();
  const std::string& reason = n.agent->snapshot()->reason;
  if (reason != n.last_reason) Log(n.name(), reason);
  n.last_reason = reason;
  if (!keep_running) {
    Fail("agent " + n.name() + " halted: " + n.agent->halt_message());
    StopAgent(n);
    return;
  }
  CheckSlots(n, members_before);
  CheckJournal(n);
  if (opt_.break_leader) BreakLeaderIfRefused(n);
  // Run() waits up to loop_wait from the start of the cycle; a DCS change may wake it early.
  int loop_wait = n.agent->snapshot()->settings.loop_wait;
  n.next_run = started + Ms(loop_wait * Uniform(0.3, 1.0));
  // wake-delay: the watch stalls silently (no early wake-up) and the thread is scheduled late.
  if (Active("wake-delay", n.index)) n.next_run = started + Ms(loop_wait + Uniform(0, 3));
}

void World::AdvanceTime(const Node* due) {
  Millis dt = Ms(Uniform(0.02, 0.4));
  if (due) dt = std::min(dt, std::chrono::duration_cast<Millis>(due->next_run - clock_.Now()));
  clock_.Advance(std::max(dt, Millis(1)));
}

void World::ClientWrite() {
  FakePostgres* primary = nullptr;
  for (auto& n : nodes_) {
    if (!n->pg->writable()) continue;
    if (primary) return;  // two writable primaries: CheckStep reports it
    primary = n->pg.get();
  }
  if (!primary || !primary->accepting()) return;  // refusing connections: the client fails
  uint64_t bytes = std::uniform_int_distribution<uint64_t>(4096, 393216)(rng_);
  primary->Write(bytes);
  AckedWrite w{primary->data().history, primary->data().lsn, primary->name()};
  w.primary_since = primary->writable_since();
  if (!opt_.sync_wait || !primary->CommitsWait()) {
    // No synchronous standby required: the commit returns as soon as it is in the local WAL.
    Acknowledge(std::move(w), false);
    ++out_.writes_acked_at_once;
    LogWrite(*primary, "acknowledged");
    return;
  }
  waiting_.push_back(WaitingCommit{primary->port(), primary->incarnation(), std::move(w)});
  LogWrite(*primary, "waiting for synchronous standbys '" + primary->sync_names_value() + "'");
  ReleaseCommits();
}

void World::LogWrite(const FakePostgres& primary, const std::string& what) {
  // One trace line per burst of writes to the same primary with the same outcome.
  std::string key = primary.name() + " " + what;
  bool burst = last_writer_ == key && !trace_.empty();
  if (burst) trace_.pop_back();
  burst_ = burst ? burst_ + 1 : 1;
  Log(primary.name(),
      fmt::format("client writes x{} {}, lsn now {}", burst_, what, primary.data().lsn));
  last_writer_ = key;
}

void World::ReleaseCommits() {
  if (waiting_.empty() || releasing_) return;
  releasing_ = true;
  std::vector<WaitingCommit> keep;
  std::map<std::string, std::pair<int, uint64_t>> acked, dropped;  // primary: count, last lsn
  for (auto& c : waiting_) {
    FakePostgres& pg = *NodeAtPort(c.port)->pg;
    if (!pg.writable() || pg.incarnation() != c.incarnation) {
      // The backend died with the server: the client never hears that the commit happened.
      auto& d = dropped[pg.name()];
      d = {d.first + 1, c.write.lsn};
      ++out_.writes_never_acked;
      continue;
    }
    bool released = !pg.CommitsWait();  // the setting was emptied: every waiter is released
    bool confirmed = false;
    if (!released) {
      auto flushed = pg.SyncFlushLsn();
      confirmed = flushed && *flushed >= c.write.lsn;
    }
    if (!released && !confirmed) {
      keep.push_back(std::move(c));
      continue;
    }
    auto& a = acked[pg.name()];
    a = {a.first + 1, c.write.lsn};
    ++(confirmed ? out_.writes_acked_after_wait : out_.writes_released);
    Acknowledge(std::move(c.write), confirmed);
  }
  waiting_ = std::move(keep);
  for (const auto& [name, a] : acked) {
    const FakePostgres& pg = *FindNode(name)->pg;
    Log(name,
        fmt::format("{} waiting commit(s) acknowledged up to lsn {} (synchronous_standby_names "
                    "'{}')",
                    a.first, a.second, pg.sync_names_value()));
  }
  for (const auto& [name, d] : dropped) {
    Log(name,
        fmt::format("{} waiting commit(s) up to lsn {} never acknowledged: the primary is gone",
                    d.first, d.second));
  }
  releasing_ = false;
}

void World::FinalChecks() {
  auto view = ReadView(etcd_);
  Servers servers = AllServers();
  if (auto v = Converged(view.leader, servers, opt_.strict_rewind, &out_.diverged)) {
    std::string bug = KnownBug(view, servers);
    if (!bug.empty() && opt_.tolerate.count(bug)) {
      out_.tolerated += (out_.tolerated.empty() ? "" : "+") + bug;
      Log("CHECK", "known bug " + bug + " tolerated: " + *v);
    } else {
      Fail(bug.empty() ? *v : *v + " [known bug " + bug + "]");
    }
  }
  Node* leader = view.leader ? FindNode(*view.leader) : nullptr;
  if (leader) out_.lost_writes = LostWrites(acked_, *leader->pg);
  if (leader && opt_.sync) CheckNoAckedWriteLost(*leader->pg, "leads after the quiet period");
  if (leader) CheckWritesAfterPromotion(*leader->pg);
  out_.writes_never_acked += static_cast<int>(waiting_.size());  // still waiting at the end
}

}  // namespace pgha::sim
