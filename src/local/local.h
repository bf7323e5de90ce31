#pragma once
// `pghactl local …`: a whole pgha cluster (etcd, agents, HAProxy) on one machine, under one
// directory. The CLI wires its flags into LocalOptions and calls RunLocal.
#include <string>

namespace pgha::ctl {

struct LocalOptions {
  std::string dir;           // empty: DefaultLocalDir()
  std::string cluster_file;  // optional cluster.yaml (seed 000 values format)
  int nodes = 0;             // 0 = from file / cluster.json / default 3
  bool force = false;        // destroy without confirmation
  std::string node;          // kill/stop/start: "node2" or "2"
};

// verb: up, down, status, destroy, kill, stop, start. Returns the process exit code; prints to
// stdout/stderr. Never throws.
int RunLocal(const std::string& verb, const LocalOptions& opt);

// /var/lib/pgha/local when root, else $HOME/.local/share/pgha/local.
std::string DefaultLocalDir();

}  // namespace pgha::ctl
