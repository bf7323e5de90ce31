#pragma once
// Where everything of a local cluster lives under its directory.
#include <string>

#include "local/plan.h"

namespace pgha::ctl {

struct LocalLayout {
  std::string dir;  // absolute

  std::string ClusterJson() const { return dir + "/cluster.json"; }
  std::string EtcdDir(int j) const { return dir + "/etcd/" + MemberName(j); }
  std::string EtcdData(int j) const { return EtcdDir(j) + "/data"; }
  std::string EtcdLog(int j) const { return EtcdDir(j) + "/etcd.log"; }
  std::string EtcdOut(int j) const { return EtcdDir(j) + "/etcd.out"; }  // stdout/stderr
  std::string NodeDir(int i) const { return dir + "/" + NodeName(i); }
  std::string NodeConfig(int i) const { return NodeDir(i) + "/pgha.yml"; }
  std::string NodeData(int i) const { return NodeDir(i) + "/data"; }
  std::string NodeLog(int i) const { return NodeDir(i) + "/pgha.log"; }
  std::string PostmasterPid(int i) const { return NodeData(i) + "/postmaster.pid"; }
  std::string HaproxyCfg() const { return dir + "/haproxy.cfg"; }
  std::string HaproxyLog() const { return dir + "/haproxy.log"; }
  std::string PidDir() const { return dir + "/pids"; }
  std::string EtcdPid(int j) const { return PidDir() + "/etcd" + std::to_string(j) + ".pid"; }
  std::string AgentPid(int i) const { return PidDir() + "/" + NodeName(i) + ".pid"; }
  std::string HaproxyPid() const { return PidDir() + "/haproxy.pid"; }
};

}  // namespace pgha::ctl
