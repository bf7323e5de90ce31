// pghactl: the operator CLI (patronictl's commands and options) and the local cluster runner.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "ctl/commands.h"
#include "ctl/gen.h"
#include "ctl/list.h"
#include "ctl/target.h"
#include "ctl/why.h"
#include "local/local.h"

namespace {

using namespace pgha;

void PrintTimestamp() {
  std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local);
  std::printf("%s\n", text);
}

int List(const ctl::Cluster& c, const std::string& format, int watch_seconds, bool timestamp) {
  while (true) {
    auto view = c.Load();
    if (!view.ok()) return ctl::Fail(view.message());
    auto text = ctl::FormatList(*view, c.name, format);
    if (!text.ok()) {
      std::fprintf(stderr, "Error: %s\n", text.message().c_str());
      return ctl::kExitUsage;
    }
    if (timestamp) PrintTimestamp();
    std::fputs(text->c_str(), stdout);
    std::fflush(stdout);
    if (watch_seconds <= 0) return ctl::kExitOk;
    std::this_thread::sleep_for(std::chrono::seconds(watch_seconds));
  }
}

struct Options {
  ctl::TargetOptions target;
  std::string format = "pretty";
  bool extended = false, timestamp = false, watch_forever = false, insecure = false;
  int watch = 0;
  ctl::FailoverOptions failover;
  ctl::MemberOptions member;
  std::vector<std::string> positional;  // flush: [MEMBER...] restart|switchover
  bool wait = false;
  ctl::EditOptions edit;
  std::string dsn_role, dsn_member;
  std::vector<std::string> why_args;  // why: [CLUSTER] [MEMBER]
  ctl::QueryOptions query;
  bool raw = false;
  ctl::LocalOptions local;
  ctl::GenOptions gen;
};

CLI::App* AddCluster(CLI::App& app, const char* name, const char* help, Options& o) {
  CLI::App* sub = app.add_subcommand(name, help);
  sub->add_option("cluster", o.target.cluster, "Cluster name (scope)");
  return sub;
}

void AddMemberCommands(CLI::App& app, Options& o) {
  const std::vector<std::string> roles = {"leader",  "primary", "standby-leader", "replica",
                                          "standby", "any",     "master"};
  auto* restart = AddCluster(app, "restart", "Restart cluster members", o);
  restart->add_option("members", o.member.members, "Members (default: all)");
  restart->add_option("-r,--role", o.member.role, "Only members with this role")
      ->check(CLI::IsMember(roles));
  restart->add_flag("--any", o.member.any, "Restart a single member only");
  restart->add_option("--scheduled", o.member.scheduled, "ISO 8601 time of a scheduled restart");
  restart->add_option("--pg-version", o.member.pg_version, "Restart if PostgreSQL is older");
  restart->add_flag("--pending", o.member.pending, "Restart only if a restart is pending");
  restart->add_option("--timeout", o.member.timeout, "Fail the restart after this many seconds");
  restart->add_flag("--force", o.member.force, "Do not ask for confirmation");

  auto* reload = AddCluster(app, "reload", "Reload cluster members' configuration", o);
  reload->add_option("members", o.member.members, "Members (default: all)");
  reload->add_option("-r,--role", o.member.role, "Only members with this role")
      ->check(CLI::IsMember(roles));
  reload->add_flag("--force", o.member.force, "Do not ask for confirmation");

  auto* reinit = AddCluster(app, "reinit", "Reinitialize (re-clone) replicas", o);
  reinit->add_option("members", o.member.members, "Members");
  reinit->add_flag("--force", o.member.force, "Do not ask; cancel a running reinit");
  reinit->add_flag("--from-leader", o.member.from_leader, "Clone from the leader");
  reinit->add_flag("--wait", o.member.wait, "Wait until reinitialization completes");

  auto* flush = AddCluster(app, "flush", "Discard scheduled events", o);
  flush->add_option("args", o.positional, "[MEMBER...] restart|switchover")->required();
  flush->add_option("-r,--role", o.member.role, "Only members with this role")
      ->check(CLI::IsMember(roles));
  flush->add_flag("--force", o.member.force, "Do not ask for confirmation");

  auto* version = AddCluster(app, "version", "Versions of pghactl and of the members", o);
  version->add_option("members", o.member.members, "Members");
}

void AddClusterCommands(CLI::App& app, Options& o) {
  auto* list = AddCluster(app, "list", "Show the cluster's members", o);
  list->add_option("-f,--format", o.format, "pretty, json, yaml or tsv");
  list->add_flag("-e,--extended", o.extended, "Show every column");
  list->add_flag("-t,--timestamp", o.timestamp, "Print a timestamp");
  list->add_flag("-W", o.watch_forever, "Refresh every 2 seconds");
  list->add_option("-w,--watch", o.watch, "Refresh every N seconds")->check(CLI::PositiveNumber);
  auto* topology = AddCluster(app, "topology", "Members as a replication tree", o);
  topology->add_flag("-W", o.watch_forever, "Refresh every 2 seconds");
  topology->add_option("-w,--watch", o.watch, "Refresh every N seconds")
      ->check(CLI::PositiveNumber);

  for (const char* verb : {"switchover", "failover"}) {
    auto* sub = AddCluster(
        app, verb,
        std::string(verb) == "switchover" ? "Switchover to a replica" : "Failover to a replica", o);
    sub->add_option("--leader,--primary,--master", o.failover.leader, "The current leader");
    sub->add_option("--candidate", o.failover.candidate, "The member to promote");
    if (std::string(verb) == "switchover") {
      sub->add_option("--scheduled", o.failover.scheduled, "ISO 8601 time, or now");
    }
    sub->add_flag("--force", o.failover.force, "Do not ask for confirmation");
  }
  for (const char* verb : {"pause", "resume"}) {
    auto* sub = AddCluster(app, verb,
                           std::string(verb) == "pause" ? "Disable automatic failover (maintenance)"
                                                        : "Resume automatic failover",
                           o);
    sub->add_flag("--wait", o.wait, "Wait until every member has applied it");
  }
  auto* edit = AddCluster(app, "edit-config", "Edit the cluster configuration (/config)", o);
  edit->add_flag("-q,--quiet", o.edit.quiet, "Do not show the changes");
  edit->add_option("-s,--set", o.edit.set, "key.path=value (YAML value; null deletes)");
  edit->add_option("-p,--pg", o.edit.pg, "postgresql parameter=value");
  edit->add_option("--apply", o.edit.apply, "Apply changes from a YAML file (- for stdin)");
  edit->add_option("--replace", o.edit.replace, "Replace the configuration from a file (-)");
  edit->add_flag("--force", o.edit.force, "Do not ask for confirmation");
  AddCluster(app, "show-config", "Show the cluster configuration", o);
  auto* history = AddCluster(app, "history", "Timeline history (failovers, switchovers)", o);
  history->add_option("-f,--format", o.format, "pretty, json, yaml or tsv");
  auto* dsn = AddCluster(app, "dsn", "libpq connection string of the leader or a member", o);
  dsn->add_option("-r,--role", o.dsn_role, "A member with this role");
  dsn->add_option("-m,--member", o.dsn_member, "This member");
  auto* query = AddCluster(app, "query", "Run SQL on a member (default: the leader)", o);
  query->add_option("-c,--command", o.query.command, "The SQL commands to execute");
  query->add_option("-f,--file", o.query.file,
                    "Execute the SQL commands from this file (-: stdin)");
  query->add_option("-m,--member", o.query.member, "Query a specific member");
  query->add_option("-r,--role", o.query.role, "A member with this role")
      ->check(CLI::IsMember(
          {"leader", "primary", "standby-leader", "replica", "standby", "any", "master"}));
  query->add_option("-U,--username", o.query.username, "Database user name");
  query->add_flag("--password", o.query.password, "Ask for a password");
  query->add_option("-d,--dbname", o.query.dbname, "Database name to connect to");
  query->add_option("--format", o.query.format, "tsv, pretty, json or yaml");
  query->add_option("--delimiter", o.query.delimiter, "The column delimiter (tsv)");
  auto* why = app.add_subcommand(
      "why", "A member's latest decision and the inputs it was made from (its journal)");
  why->add_option("args", o.why_args, "[CLUSTER] [MEMBER] (default: the leader)")->expected(0, 2);
  why->add_flag("--raw", o.raw, "The decision as a scenario file (scenario_runner replays it)");
  auto* remove = AddCluster(app, "remove", "Remove the cluster from the DCS", o);
  remove->add_option("-f,--format", o.format, "Output format (ignored)");
  remove->get_option("cluster")->required();
}

void AddGen(CLI::App& app, Options& o) {
  auto* gen = app.add_subcommand(
      "gen", "Write per-host configuration and systemd units, or a docker-compose project");
  gen->add_option("-f,--file", o.gen.values_file, "Values file (the format of `local up -f`)")
      ->required();
  gen->add_option("--hosts", o.gen.hosts, "NAME=ADDRESS,... (one PostgreSQL node each)");
  gen->add_flag("--compose", o.gen.compose, "A docker-compose project instead of hosts");
  gen->add_option("--subnet", o.gen.subnet, "--compose: the project network (IPv4 CIDR)");
  gen->add_option("--out", o.gen.out_dir, "Directory to write into")->required();
  gen->add_option("--clients", o.gen.clients, "CIDRs allowed to connect (pg_hba)")->delimiter(',');
  gen->add_option("--pgha-bin", o.gen.pgha_bin, "Where pgha is installed on the hosts");
  gen->add_option("--data-dir", o.gen.data_dir, "PostgreSQL data directory on the hosts");
  gen->add_option("--pg-major", o.gen.pg_major, "PostgreSQL major on the hosts (13-17)");
}

void AddLocal(CLI::App& app, Options& o) {
  auto* local = app.add_subcommand("local", "Run a whole cluster on this machine");
  local->require_subcommand(1);
  local->add_option("--dir", o.local.dir, "Cluster directory");
  for (const char* verb : {"up", "down", "status", "destroy", "kill", "stop", "start"}) {
    auto* sub = local->add_subcommand(verb);
    sub->add_option("--dir", o.local.dir, "Cluster directory");
    std::string v = verb;
    if (v == "up") {
      sub->add_option("-f,--file", o.local.cluster_file, "cluster.yaml");
      sub->add_option("--nodes", o.local.nodes, "Number of PostgreSQL nodes")
          ->check(CLI::Range(1, 9));
    }
    if (v == "destroy") sub->add_flag("--force", o.local.force, "Do not ask");
    if (v == "kill" || v == "stop" || v == "start") {
      sub->add_option("node", o.local.node, "Node name (node2) or number")->required();
    }
  }
}

int RunClusterCommand(const std::string& name, Options& o) {
  if (name == "flush") {
    std::string target = o.positional.back();
    if (target != "restart" && target != "switchover") {
      std::fprintf(stderr, "Error: flush: the last argument must be restart or switchover\n");
      return ctl::kExitUsage;
    }
    o.member.members.assign(o.positional.begin(), o.positional.end() - 1);
  }
  std::string why_member;
  if (name == "why") {  // one word names a member of the configured cluster; two, CLUSTER MEMBER
    if (o.why_args.size() == 2) o.target.cluster = o.why_args[0];
    if (!o.why_args.empty()) why_member = o.why_args.back();
  }
  if (name == "version" && o.target.cluster.empty() && o.target.config_file.empty() &&
      o.target.dcs_url.empty()) {
    return ctl::Version(nullptr, {});
  }
  auto cluster = ctl::OpenCluster(o.target);
  if (!cluster.ok()) return ctl::Fail(cluster.message());
  const ctl::Cluster& c = *cluster;
  int watch = o.watch_forever ? 2 : o.watch;
  if (name == "list") return List(c, o.format, watch, o.timestamp);
  if (name == "topology") {
    while (true) {
      int rc = ctl::Topology(c);
      if (rc != 0 || watch <= 0) return rc;
      std::this_thread::sleep_for(std::chrono::seconds(watch));
    }
  }
  if (name == "switchover") return ctl::Switchover(c, o.failover);
  if (name == "failover") return ctl::Failover(c, o.failover);
  if (name == "restart") return ctl::Restart(c, o.member);
  if (name == "reload") return ctl::Reload(c, o.member);
  if (name == "reinit") return ctl::Reinit(c, o.member);
  if (name == "flush") return ctl::Flush(c, o.member, o.positional.back());
  if (name == "version") return ctl::Version(&c, o.member.members);
  if (name == "pause" || name == "resume") return ctl::TogglePause(c, name == "pause", o.wait);
  if (name == "edit-config") return ctl::EditConfig(c, o.edit);
  if (name == "show-config") return ctl::ShowConfig(c);
  if (name == "history") return ctl::History(c, o.format);
  if (name == "dsn") return ctl::Dsn(c, o.dsn_role, o.dsn_member);
  if (name == "remove") return ctl::Remove(c, o.target.cluster);
  if (name == "why") return ctl::Why(c, why_member, o.raw);
  if (name == "query") return ctl::Query(c, o.query);
  return ctl::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pghactl: operate pgha (and Patroni) clusters"};
  app.require_subcommand(1);
  app.fallthrough();
  Options o;
  app.add_option("-c,--config-file", o.target.config_file, "pgha or Patroni configuration file")
      ->envname("PATRONICTL_CONFIG_FILE");
  app.add_option("-d,--dcs-url,--dcs", o.target.dcs_url, "etcd3://host:port")->envname("DCS_URL");
  app.add_flag("-k,--insecure", o.insecure,
               "Allow connections to REST APIs without verifying certificates");
  app.add_option("--dir", o.target.local_dir, "Local cluster directory (default: pghactl local's)");
  AddClusterCommands(app, o);
  AddMemberCommands(app, o);
  AddLocal(app, o);
  AddGen(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A word that is no command is named (as patronictl does), with the commands there are.
    auto left = app.remaining();
    if (app.get_subcommands().empty() && !left.empty() && !left.front().empty() &&
        left.front()[0] != '-') {
      std::string names;
      for (const CLI::App* sub : app.get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      std::fprintf(stderr, "Error: No such command '%s'. The commands are: %s\n",
                   left.front().c_str(), names.c_str());
      return ctl::kExitUsage;
    }
    int rc = app.exit(e);
    return rc == 0 ? 0 : ctl::kExitUsage;
  }
  o.target.insecure = o.insecure;
  for (CLI::App* sub : app.get_subcommands()) {
    if (sub->get_name() == "local") {
      if (o.local.dir.empty()) o.local.dir = o.target.local_dir;
      for (CLI::App* verb : sub->get_subcommands()) return ctl::RunLocal(verb->get_name(), o.local);
      return ctl::kExitUsage;
    }
    if (sub->get_name() == "gen") return ctl::Gen(o.gen);
    return RunClusterCommand(sub->get_name(), o);
  }
  return ctl::kExitUsage;
}
