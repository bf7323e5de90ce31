// sim_runner: runs the deterministic simulator over many seeds, or replays one with a trace.
//   sim_runner --seeds 10000 [--first-seed S] [--nodes 3] [--faults a,b,...] [--sync]
//   sim_runner --seed S --trace
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/world.h"

namespace {

using pgha::sim::Outcome;
using pgha::sim::SimOptions;

// Fault kinds left out by default because they expose a known, reported agent bug (README.md).
// Opt-in families: slow-link runs alone (sim.modes' "slow" line), where invariant (f) applies.
// Opt-in kinds, each run as a mode of its own by run.sh (slow, cold): adding a kind to the
// default set would change every seed's schedule.
const std::set<std::string> kExcludedByDefault = {"slow-link", "power-all"};

struct Args {
  SimOptions sim;
  uint64_t first_seed = 1;
  uint64_t seeds = 100;
  bool single = false;
  std::string faults_text;
  std::string tolerate_text;
  std::vector<std::string> expect;  // --expect: a control; stop at the first matching violation
};

std::set<std::string> ParseFaults(const std::string& text) {
  std::set<std::string> out;
  if (text == "all") {
    for (const auto& k : pgha::sim::AllFaultKinds()) out.insert(k);
    return out;
  }
  if (text == "none") return out;
  std::stringstream in(text);
  std::string kind;
  while (std::getline(in, kind, ',')) {
    bool known = false;
    for (const auto& k : pgha::sim::AllFaultKinds()) known = known || k == kind;
    if (!known) {
      std::cerr << "unknown fault kind: " << kind << "\n";
      std::exit(2);
    }
    out.insert(kind);
  }
  return out;
}

std::set<std::string> DefaultFaults() {
  std::set<std::string> out;
  for (const auto& k : pgha::sim::AllFaultKinds()) {
    if (!kExcludedByDefault.count(k)) out.insert(k);
  }
  return out;
}

void Usage() {
  std::cerr
      << "usage: sim_runner [--seeds N] [--first-seed S] [--seed S] [--nodes 2..5]\n"
         "                  [--faults all|none|kind,kind...] [--steps N] [--quiet SECONDS]\n"
         "                  [--lenient-rewind] [--tolerate B1,B2,S1,S2] [--no-fence] [--trace]\n"
         "                  [--sync] [--sync-strict] [--sync-quorum] [--sync-count N]\n"
         "                  [--reload-lag SECONDS] [--no-sync-wait] [--failsafe]\n"
         "  negative controls: [--lie-ttl] [--hide-unqueryable] [--fake-sync-member]\n"
         "                  [--break-leader] [--stopped-veto] [--stopped-at-zero] [--drop-slots] "
         "[--no-timeline-claim]\n"
         "                  [--no-former-leader-probe] [--late-fence] [--thin-journal]\n"
         "                  [--stale-peer-positions] [--zero-quorum]\n"
         "                  [--failsafe-forget]\n"
         "                  [--expect '(a)|(b)']  (exit 0 at the first violation naming one)\n";
  std::cerr << "fault kinds:";
  for (const auto& k : pgha::sim::AllFaultKinds()) std::cerr << " " << k;
  std::cerr << "\n";
  std::exit(2);
}

Args Parse(int argc, char** argv) {
  Args a;
  a.sim.faults = DefaultFaults();
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage();
      return argv[++i];
    };
    if (f == "--seeds") {
      a.seeds = std::stoull(value());
    } else if (f == "--first-seed") {
      a.first_seed = std::stoull(value());
    } else if (f == "--seed") {
      a.first_seed = std::stoull(value());
      a.seeds = 1;
      a.single = true;
    } else if (f == "--nodes") {
      a.sim.nodes = std::stoi(value());
    } else if (f == "--faults") {
      a.faults_text = value();
      a.sim.faults = ParseFaults(a.faults_text);
    } else if (f == "--steps") {
      a.sim.fault_steps = std::stoi(value());
    } else if (f == "--quiet") {
      a.sim.quiet_seconds = std::stod(value());
    } else if (f == "--lenient-rewind") {
      a.sim.strict_rewind = false;
    } else if (f == "--tolerate") {
      a.tolerate_text = value();
      std::stringstream in(a.tolerate_text);
      for (std::string bug; std::getline(in, bug, ',');) a.sim.tolerate.insert(bug);
    } else if (f == "--no-fence") {
      a.sim.fence = false;
    } else if (f == "--trace") {
      a.sim.trace = true;
    } else if (f == "--sync") {
      a.sim.sync = true;
    } else if (f == "--sync-count") {
      a.sim.sync = true;
      a.sim.sync_count = std::stoi(value());
    } else if (f == "--no-sync-wait") {
      a.sim.sync_wait = false;
    } else if (f == "--reload-lag") {
      a.sim.reload_lag = std::stod(value());
    } else if (f == "--lie-ttl") {
      a.sim.lie_ttl = true;
    } else if (f == "--hide-unqueryable") {
      a.sim.hide_unqueryable = true;
    } else if (f == "--fake-sync-member") {
      a.sim.fake_sync_member = true;
    } else if (f == "--break-leader") {
      a.sim.break_leader = true;
    } else if (f == "--stopped-veto") {
      a.sim.stopped_veto = true;
    } else if (f == "--stopped-at-zero") {
      a.sim.stopped_at_zero = true;
    } else if (f == "--drop-slots") {
      a.sim.drop_slots = true;
    } else if (f == "--no-timeline-claim") {
      a.sim.no_timeline_claim = true;
    } else if (f == "--no-former-leader-probe") {
      a.sim.no_former_leader_probe = true;
    } else if (f == "--zero-quorum") {
      a.sim.zero_quorum = true;
    } else if (f == "--stale-peer-positions") {
      a.sim.stale_peer_positions = true;
    } else if (f == "--late-fence") {
      a.sim.late_fence = true;
    } else if (f == "--thin-journal") {
      a.sim.thin_journal = true;
    } else if (f == "--failsafe") {
      a.sim.failsafe = true;
    } else if (f == "--failsafe-forget") {
      a.sim.failsafe = true;
      a.sim.failsafe_forget = true;
    } else if (f == "--expect") {
      std::stringstream in(value());
      for (std::string p; std::getline(in, p, '|');) a.expect.push_back(p);
    } else if (f == "--sync-quorum") {
      a.sim.sync = true;
      a.sim.sync_quorum = true;
    } else if (f == "--sync-strict") {
      a.sim.sync = true;
      a.sim.sync_strict = true;
    } else {
      Usage();
    }
  }
  if (a.sim.nodes < 2 || a.sim.nodes > 5) Usage();
  return a;
}

std::string ReplayCommand(const Args& a, uint64_t seed) {
  std::string cmd = "build/tests/sim/sim_runner --seed " + std::to_string(seed) + " --trace";
  if (a.sim.nodes != 3) cmd += " --nodes " + std::to_string(a.sim.nodes);
  if (!a.faults_text.empty()) cmd += " --faults " + a.faults_text;
  if (a.sim.fault_steps != SimOptions{}.fault_steps) {
    cmd += " --steps " + std::to_string(a.sim.fault_steps);
  }
  if (!a.sim.strict_rewind) cmd += " --lenient-rewind";
  if (!a.tolerate_text.empty()) cmd += " --tolerate " + a.tolerate_text;
  if (!a.sim.fence) cmd += " --no-fence";
  if (!a.sim.sync_wait) cmd += " --no-sync-wait";
  if (a.sim.lie_ttl) cmd += " --lie-ttl";
  if (a.sim.hide_unqueryable) cmd += " --hide-unqueryable";
  if (a.sim.fake_sync_member) cmd += " --fake-sync-member";
  if (a.sim.break_leader) cmd += " --break-leader";
  if (a.sim.stopped_veto) cmd += " --stopped-veto";
  if (a.sim.stopped_at_zero) cmd += " --stopped-at-zero";
  if (a.sim.drop_slots) cmd += " --drop-slots";
  if (a.sim.no_timeline_claim) cmd += " --no-timeline-claim";
  if (a.sim.no_former_leader_probe) cmd += " --no-former-leader-probe";
  if (a.sim.late_fence) cmd += " --late-fence";
  if (a.sim.stale_peer_positions) cmd += " --stale-peer-positions";
  if (a.sim.zero_quorum) cmd += " --zero-quorum";
  if (a.sim.thin_journal) cmd += " --thin-journal";
  if (a.sim.failsafe_forget) {
    cmd += " --failsafe-forget";
  } else if (a.sim.failsafe) {
    cmd += " --failsafe";
  }
  if (a.sim.reload_lag != SimOptions{}.reload_lag) {
    cmd += " --reload-lag " + fmt::format("{}", a.sim.reload_lag);
  }
  if (a.sim.sync_count > 0) cmd += " --sync-count " + std::to_string(a.sim.sync_count);
  if (a.sim.sync_quorum) cmd += " --sync-quorum";
  if (a.sim.sync_strict) {
    cmd += " --sync-strict";
  } else if (a.sim.sync && !a.sim.sync_quorum) {
    cmd += " --sync";
  }
  return cmd;
}

// Every failure gets its line; the first few also get their trace.
void Report(const Args& a, uint64_t seed, const Outcome& out, bool with_trace) {
  std::cout << "FAIL seed=" << seed << " step=" << out.step << ": " << out.violation << "\n";
  if (with_trace && !a.sim.trace) {
    for (const auto& line : out.trace) std::cout << "    " << line << "\n";
  }
  std::cout << "  replay: " << ReplayCommand(a, seed) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Args args = Parse(argc, argv);
  if (args.sim.trace) {
    spdlog::set_level(spdlog::level::debug);
    spdlog::set_pattern("                                  %l: %v");
  } else {
    spdlog::set_level(spdlog::level::off);
  }
  uint64_t passed = 0, failed = 0;
  long diverged = 0, lost = 0, failovers = 0, fence_kills = 0;
  long key_removals = 0, slot_checks = 0, operator_requests = 0;
  long acked_at_once = 0, acked_after_wait = 0, released = 0, never_acked = 0;
  std::map<std::string, int> tolerated;
  for (uint64_t seed = args.first_seed; seed < args.first_seed + args.seeds; ++seed) {
    SimOptions opt = args.sim;
    opt.seed = seed;
    Outcome out = pgha::sim::World(opt).Run();
    diverged += out.diverged;
    lost += out.lost_writes;
    failovers += out.failovers;
    fence_kills += out.fence_kills;
    key_removals += out.key_removals;
    slot_checks += out.slot_checks;
    operator_requests += out.operator_requests;
    acked_at_once += out.writes_acked_at_once;
    acked_after_wait += out.writes_acked_after_wait;
    released += out.writes_released;
    never_acked += out.writes_never_acked;
    if (!out.tolerated.empty()) ++tolerated[out.tolerated];
    if (out.ok) {
      ++passed;
      continue;
    }
    ++failed;
    if (!args.expect.empty()) {
      bool wanted = false;
      for (const auto& p : args.expect)
        wanted = wanted || out.violation.find(p) != std::string::npos;
      if (wanted) {
        std::cout << "CONTROL found its violation at seed " << seed << " ("
                  << (seed - args.first_seed + 1) << " seeds): " << out.violation
                  << "\n  replay: " << ReplayCommand(args, seed) << "\n";
        return 0;
      }
      std::cout << "control: seed " << seed << " failed otherwise: " << out.violation << "\n";
      continue;
    }
    Report(args, seed, out, failed <= 3 || args.single);
  }
  if (!args.expect.empty()) {
    std::cout << "CONTROL MISSED: no violation matching the expectation in " << args.seeds
              << " seeds (" << failed << " other failures)\n";
    return 1;
  }
  std::cout << "stats: " << failovers << " promotions, " << fence_kills << " fencing kills, "
            << diverged << " replicas left diverged (need pg_rewind), " << lost
            << (args.sim.sync
                    ? " acknowledged writes lost (synchronous mode: only in tolerated runs)\n"
                    : " acknowledged writes lost to async failover\n");
  std::cout << "checked: " << key_removals << " leader key removals (a, b), " << slot_checks
            << " leader loops for slots (e); " << operator_requests << " operator requests\n";
  std::cout << "writes: " << acked_at_once << " acknowledged at once, " << acked_after_wait
            << " once the synchronous standbys had them, " << released
            << " once the setting was emptied, " << never_acked
            << " never acknowledged (primary stopped, or still waiting at the end)\n";
  for (const auto& [bug, seeds] : tolerated) {
    std::cout << "KNOWN BUG " << bug << " tolerated (--tolerate) in " << seeds
              << " seeds: see tests/sim/README.md\n";
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
