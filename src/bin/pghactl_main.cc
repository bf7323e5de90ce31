// pghactl: the operator CLI (patronictl's commands) and the local cluster runner.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "ctl/list.h"
#include "ctl/local.h"
#include "ctl/target.h"
#include "dcs/dcs.h"

namespace {

using namespace pgha;

int List(const ctl::TargetOptions& topt, const std::string& format, int watch_seconds) {
  auto target = ctl::ResolveTarget(topt);
  if (!target.ok()) {
    std::fprintf(stderr, "Error: %s\n", target.message().c_str());
    return 1;
  }
  auto dcs = dcs::MakeEtcdDcs(ctl::DcsOptionsFor(target->config));
  while (true) {
    auto view = dcs->Load();
    if (!view.ok()) {
      std::fprintf(stderr, "Error: cannot read cluster %s from etcd: %s\n",
                   target->config.scope.c_str(), view.message().c_str());
      return 1;
    }
    auto text = ctl::FormatList(*view, target->config.scope, format);
    if (!text.ok()) {
      std::fprintf(stderr, "Error: %s\n", text.message().c_str());
      return 2;
    }
    std::fputs(text->c_str(), stdout);
    std::fflush(stdout);
    if (watch_seconds <= 0) return 0;
    std::this_thread::sleep_for(std::chrono::seconds(watch_seconds));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pghactl: operate pgha (and Patroni) clusters"};
  app.require_subcommand(1);
  ctl::TargetOptions topt;
  app.add_option("-c,--config-file", topt.config_file, "pgha or Patroni configuration file")
      ->envname("PATRONICTL_CONFIG_FILE");
  app.add_option("-d,--dcs-url,--dcs", topt.dcs_url, "etcd3://host:port")->envname("DCS_URL");
  app.add_option("--dir", topt.local_dir, "Local cluster directory (default: pghactl local's)");

  auto* list = app.add_subcommand("list", "Show the cluster's members");
  std::string format = "pretty";
  bool extended = false, watch_forever = false;
  int watch = 0;
  list->add_option("cluster", topt.cluster, "Cluster name");
  list->add_option("-f,--format", format, "pretty, json, yaml or tsv");
  list->add_flag("-e,--extended", extended, "Show every column");
  list->add_flag("-W", watch_forever, "Refresh every 2 seconds");
  list->add_option("-w,--watch", watch, "Refresh every N seconds")->check(CLI::PositiveNumber);

  app.add_subcommand("version", "Print the version");

  auto* local = app.add_subcommand("local", "Run a whole cluster on this machine");
  local->require_subcommand(1);
  ctl::LocalOptions lopt;
  local->add_option("--dir", lopt.dir, "Cluster directory");
  for (const char* verb : {"up", "down", "status", "destroy", "kill", "stop", "start"}) {
    auto* sub = local->add_subcommand(verb);
    sub->add_option("--dir", lopt.dir, "Cluster directory");
    if (std::string(verb) == "up") {
      sub->add_option("-f,--file", lopt.cluster_file, "cluster.yaml");
      sub->add_option("--nodes", lopt.nodes, "Number of PostgreSQL nodes")->check(CLI::Range(1, 9));
    }
    if (std::string(verb) == "destroy") sub->add_flag("--force", lopt.force, "Do not ask");
    if (std::string(verb) == "kill" || std::string(verb) == "stop" ||
        std::string(verb) == "start") {
      sub->add_option("node", lopt.node, "Node name (node2) or number")->required();
    }
  }
  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("version")) {
    std::printf("pghactl version %s\n", PGHA_VERSION);
    return 0;
  }
  if (app.got_subcommand(list)) return List(topt, format, watch_forever ? 2 : watch);
  (void)extended;
  for (auto* sub : local->get_subcommands()) {
    if (lopt.dir.empty()) lopt.dir = topt.local_dir;
    return ctl::RunLocal(sub->get_name(), lopt);
  }
  return 2;
}
