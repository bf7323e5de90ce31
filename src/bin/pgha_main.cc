// pgha: the agent. Wires the real etcd, PostgreSQL, REST API and clock into the HA loop.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/agent.h"
#include "agent/guard.h"
#include "agent/log_format.h"
#include "agent/sd_notify.h"
#include "api/server.h"
#include "config/config.h"
#include "config/sample.h"
#include "dcs/config_options.h"
#include "dcs/dcs.h"
#include "pg/commit_gate.h"
#include "pg/guc_loader.h"
#include "pg/postgres.h"

namespace {

using namespace pgha;

// systemd's $NOTIFY_SOCKET, taken out of the environment at start so that PostgreSQL (built
// with systemd support on Debian) never reports readiness in the agent's name.
std::string& NotifySocket() {
  static std::string socket = [] {
    const char* s = std::getenv("NOTIFY_SOCKET");
    std::string v = s ? s : "";
    ::unsetenv("NOTIFY_SOCKET");
    return v;
  }();
  return socket;
}

// Two agents under one name would both act as that member (a split-brain recipe: a copied
// configuration, a forgotten old host). Refuse to start while the REST API at the address the
// member key publishes answers, as Patroni does; a member key left by a dead agent does not stop
// a restart. Without etcd nothing can be checked, and the agent starts as usual.
bool OtherAgentRunsAs(const std::string& name, dcs::Dcs& dcs, agent::PeerProber& prober) {
  auto view = dcs.Load();
  if (!view.ok()) {
    spdlog::warn("cannot check that no other agent runs as {}: {}", name, view.message());
    return false;
  }
  const ha::Member* m = view->FindMember(name);
  if (m == nullptr || m->api_url.empty()) return false;
  auto status = prober.Probe({*m}, "", nullptr);
  if (status.empty() || !status[0].reachable) return false;
  spdlog::critical(
      "Can't start; there is already a node named '{}' running (its REST API answers "
      "at {})",
      name, m->api_url);
  return true;
}

void NotifySystemd(const std::string& state) {
  if (auto st = agent::SdNotifyTo(NotifySocket(), state); !st.ok()) {
    spdlog::warn("{}", st.message());
  }
}

// The installed PostgreSQL's parameters (postgresql.bin_dir or the newest installed major);
// null, with the reason in *why, when the binaries cannot describe them.
std::shared_ptr<const config::GucCatalog> LoadGucs(const std::string& bin_dir, std::string* why) {
  auto gucs = pg::LoadGucCatalog(bin_dir);
  if (!gucs.ok()) {
    *why = gucs.message();
    return nullptr;
  }
  return std::make_shared<const config::GucCatalog>(std::move(gucs).value());
}

// One line per error: a configuration error holds one line per section that failed.
void SayInvalid(const std::string& prefix, const std::string& message) {
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    std::fprintf(stderr, "%sinvalid configuration: %s\n", prefix.c_str(),
                 message.substr(start, end - start).c_str());
    start = end + 1;
  }
}

// `strict`: every warning (an unknown key, a key pgha accepts and does not act on, a value it
// had to choose for you) fails the check.
int ValidateOnly(const std::string& path, bool strict) {
  auto cfg = config::LoadConfigFile(path, config::ProcessEnvironment());
  if (!cfg.ok()) {
    SayInvalid(path + ": ", cfg.message());
    return 1;
  }
  for (const auto& w : cfg->warnings)
    std::fprintf(stderr, "%s: warning: %s\n", path.c_str(), w.c_str());
  std::string why;
  auto bin_dir = pg::FindBinDir(cfg->postgresql.bin_dir);
  if (bin_dir.ok()) cfg->postgresql.gucs = LoadGucs(*bin_dir, &why);
  if (!bin_dir.ok()) why = bin_dir.message();
  if (!cfg->postgresql.gucs) {
    std::fprintf(stderr, "%s: warning: PostgreSQL parameters checked for name and shape only: %s\n",
                 path.c_str(), why.c_str());
  }
  std::vector<std::string> problems = config::LocalParameterProblems(*cfg);
  for (const auto& p : problems) {
    std::fprintf(stderr, "%s: invalid configuration: %s\n", path.c_str(), p.c_str());
  }
  if (!problems.empty()) return 1;
  if (strict && !cfg->warnings.empty()) {
    std::fprintf(stderr, "%s: invalid under --strict: %zu warning(s) above\n", path.c_str(),
                 cfg->warnings.size());
    return 1;
  }
  std::printf("%s: configuration is valid\n", path.c_str());
  return 0;
}

// Invalid local parameters are not written (config::EffectiveParameters); say which.
void WarnLocalParameters(config::Config* cfg) {
  for (const auto& p : config::LocalParameterProblems(*cfg)) {
    cfg->warnings.push_back("not writing invalid " + p + " into postgresql.conf");
  }
}

using dcs::DcsOptionsFor;

// The etcd endpoints the fencing guard revokes the lease at itself: plain HTTP without
// authentication only (the guard is libc-only). With TLS or authentication it runs
// `pgha --revoke-lease LEASE CONFIG` instead (agent/guard.h).
std::string GuardRevokeEndpoints(const config::Config& cfg) {
  if (!cfg.etcd.username.empty()) return "";
  std::string out;
  for (const auto& e : cfg.etcd.Endpoints()) {
    if (e.rfind("http://", 0) != 0) return "";
    out += (out.empty() ? "" : ",") + e.substr(7);
  }
  return out;
}

// pgha --revoke-lease LEASE CONFIG: what the fencing guard runs when etcd needs TLS or
// authentication. Exit 0 when the lease is gone (revoked now, or already expired).
// The configuration file with the environment's overrides, or nullopt after saying why not.
std::optional<config::Config> LoadOrSay(const std::string& path) {
  auto loaded = config::LoadConfigFile(path, config::ProcessEnvironment());
  if (!loaded.ok()) {
    SayInvalid("pgha: " + path + ": ", loaded.message());
    return std::nullopt;
  }
  return std::move(loaded).value();
}

int RevokeLease(const std::string& lease_text, const std::string& path) {
  char* end = nullptr;
  long long lease = std::strtoll(lease_text.c_str(), &end, 10);
  if (lease_text.empty() || !end || *end != '\0' || lease <= 0) {
    std::fprintf(stderr, "pgha: --revoke-lease needs a lease id (a positive integer), not '%s'\n",
                 lease_text.c_str());
    return 2;
  }
  auto loaded = LoadOrSay(path);
  if (!loaded) return 1;
  dcs::DcsOptions o = DcsOptionsFor(*loaded, false);
  o.etcd.timeout = std::chrono::milliseconds(1000);
  auto client = dcs::MakeEtcdClient(o.etcd);
  client->Bound(std::chrono::milliseconds(1000),
                std::chrono::steady_clock::now() + std::chrono::seconds(4));
  auto st = client->LeaseRevoke(lease);
  if (st.ok() || dcs::ClassifyError(st.error()) == dcs::EtcdErrc::kLeaseNotFound) {
    std::printf("lease %lld is gone\n", lease);
    return 0;
  }
  std::fprintf(stderr, "pgha: revoking lease %lld: %s\n", lease, st.message().c_str());
  return 1;
}

int RunAgent(const std::string& path) {
  if (::geteuid() == 0) {
    std::fprintf(stderr,
                 "pgha: refusing to run as root: PostgreSQL cannot run as root. Run pgha as the "
                 "PostgreSQL OS user, e.g. `sudo -u postgres pgha %s`.\n",
                 path.c_str());
    return 1;
  }
  auto loaded = LoadOrSay(path);
  if (!loaded) return 1;
  config::Config cfg = std::move(*loaded);
  if (auto st = agent::UseLogOptions(cfg); !st.ok()) {
    std::fprintf(stderr, "pgha: %s\n", st.message().c_str());
    return 1;
  }
  auto bin_dir = pg::FindBinDir(cfg.postgresql.bin_dir);
  if (!bin_dir.ok()) {
    for (const auto& w : cfg.warnings) spdlog::warn("config: {}", w);
    spdlog::critical("{}", bin_dir.message());
    return 1;
  }
  std::string why;
  cfg.postgresql.gucs = LoadGucs(*bin_dir, &why);
  if (!cfg.postgresql.gucs) {
    spdlog::warn("PostgreSQL parameters are checked for name and shape only: {}", why);
  }
  WarnLocalParameters(&cfg);
  for (const auto& w : cfg.warnings) spdlog::warn("config: {}", w);

  NotifySocket();  // before any child is started
  // Signals go to one thread (no work in handlers): SIGTERM/SIGINT stop the agent, SIGHUP
  // reloads the configuration file as POST /reload does (systemd's ExecReload, Patroni's unit).
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto dcs = dcs::MakeEtcdDcs(DcsOptionsFor(cfg, true));
  auto api_dcs = dcs::MakeEtcdDcs(DcsOptionsFor(cfg, false));
  std::mutex api_dcs_mu;
  auto postgres = pg::MakePostgres(cfg, *bin_dir);
  // The REST API's own connection, for GET /patroni's live WAL positions (api::Handlers).
  auto api_pg = pg::MakePostgres(cfg, *bin_dir);
  std::mutex api_pg_mu;
  agent::HttpPeerProber prober(std::chrono::milliseconds(1500), node::MemberClientCert(cfg));
  if (OtherAgentRunsAs(cfg.name, *dcs, prober)) return 1;
  RealClock clock;
  std::error_code ec;
  const std::string abs_path = std::filesystem::absolute(path, ec).string();
  auto guard = agent::GuardFence::Start("/proc/self/exe", cfg.postgresql.data_dir,
                                        GuardRevokeEndpoints(cfg), ec ? path : abs_path);
  if (!guard.ok()) {
    spdlog::critical("cannot start the fencing guard: {}", guard.message());
    return 1;
  }
  // The commit gate holds commits back once the guard's deadline passed (pg/commit_gate.h).
  std::unique_ptr<pg::CommitGate> gate;
  std::optional<agent::GatedFence<pg::CommitGate>> gated;
  if (cfg.postgresql.commit_gate) {
    gate = std::make_unique<pg::CommitGate>(cfg.postgresql, clock);
    gated.emplace(**guard, *gate);
  }
  agent::Agent agent(cfg, *dcs, *postgres, prober,
                     gated ? static_cast<agent::Fence&>(*gated) : **guard, clock);

  // The timeout follows the cluster's ttl (the agent updates it when /config changes).
  std::vector<std::string> ignored;
  ha::Settings initial = config::MergeDynamic(cfg, nlohmann::json::object(), &ignored);
  agent::Watchdog watchdog(
      cfg.watchdog.mode, cfg.watchdog.device,
      agent::WatchdogTimeout(initial.ttl, initial.loop_wait, cfg.watchdog.safety_margin),
      cfg.watchdog.driver == "testing");
  if (watchdog.required() && !watchdog.UsableForLeadership()) {
    spdlog::warn("watchdog.mode is required but {} is not usable: this member will not lead",
                 cfg.watchdog.device);
  }
  agent.set_watchdog(&watchdog);
  agent::OperationQueue operations([&] { dcs->Wake(); });
  agent.set_operations(&operations);
  node::FailsafeInbox failsafe_inbox(clock);
  agent::HttpFailsafeCaller failsafe_caller(node::MemberClientCert(cfg), node::MemberAuth(cfg));
  agent.set_failsafe(&failsafe_caller, &failsafe_inbox);
  agent.set_config_reloader([path, gucs = cfg.postgresql.gucs] {
    auto fresh = config::LoadConfigFile(path, config::ProcessEnvironment());
    if (fresh.ok()) {
      fresh->postgresql.gucs = gucs;
      WarnLocalParameters(&*fresh);
    }
    return fresh;
  });
  auto server = api::MakeRestServer(
      cfg.restapi, [&] { return agent.snapshot(); },
      [&]() -> Result<ha::ClusterView> {
        std::lock_guard<std::mutex> lock(api_dcs_mu);
        return api_dcs->Load();
      },
      api::Handlers{api_dcs.get(), &api_dcs_mu, &operations, [&] { dcs->Wake(); },
                    node::MemberClientCert(cfg), cfg.postgresql.gucs,
                    [&](api::Snapshot* s) {
                      // One query at a time; a request that finds it busy (a server that does
                      // not answer) serves the loop's positions rather than queue behind it.
                      std::unique_lock lock(api_pg_mu, std::try_to_lock);
                      return lock.owns_lock() && pg::ReadLivePositions(*api_pg, &s->pg);
                    },
                    &failsafe_inbox});
  if (auto st = server->Start(); !st.ok()) {
    spdlog::critical("REST API: {}", st.message());
    return 1;
  }

  std::atomic<bool> stop{false};
  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      sigwait(&sigs, &sig);
      if (sig == SIGHUP && !stop) {
        spdlog::info("received SIGHUP: reloading {}", path);
        NotifySystemd("RELOADING=1");
        api::OpResponse r = operations.Reload();
        if (r.status < 300) {
          spdlog::info("reload: {}", r.body);
        } else {
          spdlog::error("reload failed ({}): {}", r.status, r.body);
        }
        NotifySystemd("READY=1");
        continue;
      }
      spdlog::info("received signal {}", sig);
      stop = true;
      dcs->Wake();
      return;
    }
  });
  spdlog::info("pgha {} starting: scope {}, member {}, PostgreSQL binaries in {}", PGHA_VERSION,
               cfg.scope, cfg.name, *bin_dir);
  // Ready for systemd (Type=notify) once the REST API serves: HAProxy and patronictl can ask.
  NotifySystemd("READY=1\nMAINPID=" + std::to_string(::getpid()));
  int code = agent.Run(stop);
  NotifySystemd("STOPPING=1");
  if (code == 0) agent.Shutdown();
  server->Stop();
  if (!stop) {
    // Wakes the signal thread from sigwait(); the signal is blocked everywhere, never delivered.
    // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
    pthread_kill(signal_thread.native_handle(), SIGTERM);
  }
  signal_thread.join();
  if (code != 0) spdlog::critical("exiting: {}", agent.halt_message());
  return code;
}

// As `patroni --generate-sample-config [FILE]`, except that an existing file is never replaced.
int WriteSampleConfig(const std::string& path) {
  char host[256] = "localhost";
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  const std::string text = config::SampleConfig(host, "127.0.0.1");
  if (path.empty()) {
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  std::FILE* f = std::fopen(path.c_str(), "wx");  // x: fails when the file exists
  if (f == nullptr) {
    std::fprintf(stderr, "pgha: cannot write the sample configuration to %s: %s\n", path.c_str(),
                 std::strerror(errno));
    return 1;
  }
  const bool ok = std::fputs(text.c_str(), f) >= 0;
  if (std::fclose(f) != 0 || !ok) {
    std::fprintf(stderr, "pgha: writing %s failed: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pgha: highly available PostgreSQL agent (Patroni-compatible)"};
  std::string config_path, validate_path, revoke_lease;
  bool version = false, sample = false, strict = false;
  app.add_option("config", config_path, "Configuration file (Patroni YAML format)");
  app.add_flag("--generate-sample-config", sample,
               "Write a sample configuration to the file given (never over an existing one), or "
               "to standard output, and exit");
  app.add_option("--validate-config", validate_path,
                 "Check a configuration file, print every error and warning, and exit");
  app.add_flag("--strict", strict,
               "With --validate-config: fail on any warning too (an unknown key, or one pgha "
               "accepts and does not act on)");
  app.add_flag("--version", version, "Print the version and exit");
  app.add_option("--revoke-lease", revoke_lease,
                 "Revoke this etcd lease with the configuration's etcd settings and exit (run by "
                 "the fencing guard)");
  CLI11_PARSE(app, argc, argv);
  if (version) {
    std::printf("pgha %s\n", PGHA_VERSION);
    return 0;
  }
  if (sample) return WriteSampleConfig(config_path);
  if (strict && validate_path.empty()) {
    std::fprintf(stderr, "pgha: --strict goes with --validate-config FILE\n");
    return 2;
  }
  if (!validate_path.empty()) return ValidateOnly(validate_path, strict);
  if (!revoke_lease.empty()) {
    if (config_path.empty()) {
      std::fprintf(stderr, "pgha: --revoke-lease needs the configuration file\n");
      return 2;
    }
    return RevokeLease(revoke_lease, config_path);
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "pgha: a configuration file is required (see --help)\n");
    return 2;
  }
  return RunAgent(config_path);
}
