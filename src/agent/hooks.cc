// postgresql.pre_promote and postgresql.before_stop, run as Patroni runs them: synchronously, in
// the loop, each bounded (config/config.h).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/agent.h"
#include "pg/process.h"

namespace pgha::agent {

Status Agent::RunHook(const char* name, const std::vector<std::string>& argv, Millis timeout) {
  auto args = pg::ResolveProgram(argv);
  if (!args.ok()) return Err(std::string(name) + " " + args.message());
  auto r = pg::RunCommand(*args, {}, std::max(timeout, Millis(1000)));
  if (!r.ok()) return Err(std::string(name) + " " + argv[0] + ": " + r.message());
  spdlog::info("{} script `{}` exited with {}", name, argv[0], r->exit_code);
  if (r->exit_code != 0) return Err(pg::DescribeFailure(std::string(name) + " " + argv[0], *r));
  return OkStatus();
}

// Before a planned stop (shutdown, restart, switchover); its exit code is only logged. Never
// before a stop forced by a lost lease or etcd: fencing does not wait for a user's script.
void Agent::BeforeStop() {
  if (cfg_.postgresql.before_stop.empty()) return;
  auto timeout = std::chrono::seconds(cfg_.postgresql.pg_ctl_timeout);
  if (auto st = RunHook("before_stop", cfg_.postgresql.before_stop, timeout); !st.ok()) {
    spdlog::warn("{}", st.message());
  }
}

// After taking the key, before promoting: a non-zero exit (or a run that would outlast the
// lease) cancels the promotion and gives the key up; the race then backs off for a ttl
// (ha::Observation::released_key_at), as Patroni's. A switchover or failover request naming
// this member is over: left in place, it would hand the key straight back.
Status Agent::PrePromote(const ha::Observation& obs) {
  if (cfg_.postgresql.pre_promote.empty()) return OkStatus();
  Millis timeout = std::chrono::seconds(std::max(1, settings_.ttl / 2));
  if (leader_valid_until_) {
    timeout = std::chrono::duration_cast<Millis>(*leader_valid_until_ - clock_.Now()) -
              std::chrono::seconds(1);
  }
  Status st = timeout > Millis(0) ? RunHook("pre_promote", cfg_.postgresql.pre_promote, timeout)
                                  : Err("pre_promote: no time left in the lease to run it");
  if (st.ok()) return st;
  if (obs.cluster.failover && obs.cluster.failover->member == cfg_.name) {
    (void)dcs_.WriteFailover("{}", obs.cluster.failover_mod_revision);
  }
  (void)dcs_.ReleaseLeader();
  durations_.released_key_at = clock_.Now();
  return Err("promotion cancelled because the pre_promote script failed (" + st.message() +
             "); leader key released");
}

}  // namespace pgha::agent
