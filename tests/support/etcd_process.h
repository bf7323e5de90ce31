#pragma once
// A throwaway etcd cluster for tests: 1 or 3 members of /usr/bin/etcd on free loopback ports in
// a fresh temporary directory. The destructor SIGKILLs every member and removes the directory.
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "support/wait.h"  // WaitFor, FreePort: tests using etcd need them too

namespace pgha::testing {

struct EtcdClusterOptions {
  int members = 1;  // 1 or 3 (any small N works)
  std::string binary = "/usr/bin/etcd";
  std::chrono::milliseconds start_timeout{20000};
  std::vector<std::string> extra_args;  // e.g. "--auth-token-ttl=5"
};

class EtcdCluster {
 public:
  // Starts the members and waits until every one reports healthy (a leader exists).
  static Result<std::unique_ptr<EtcdCluster>> Start(EtcdClusterOptions options = {});
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  int size() const { return static_cast<int>(members_.size()); }
  // "http://127.0.0.1:<port>" of member i, and of all members.
  std::string endpoint(int i) const;
  std::vector<std::string> endpoints() const;
  pid_t pid(int i) const { return At(i).pid; }
  const std::string& dir() const { return dir_; }

  // Fault injection on member i: SIGKILL (crash), SIGSTOP / SIGCONT (hang).
  void Kill(int i);
  void Pause(int i);
  void Resume(int i);
  // Restarts a killed member with its data dir (it rejoins the cluster).
  Status Restart(int i);
  // True when member i answers GET /health with "true" within `timeout`.
  bool Healthy(int i, std::chrono::milliseconds timeout = std::chrono::milliseconds(500)) const;

 private:
  struct Member {
    std::string name;
    int client_port = 0, peer_port = 0;
    pid_t pid = -1;
    bool exited = false;
  };
  EtcdCluster() = default;
  Member& At(int i) { return members_[static_cast<size_t>(i)]; }
  const Member& At(int i) const { return members_[static_cast<size_t>(i)]; }
  Status Spawn(int i);
  bool Exited(int i);
  std::string InitialCluster() const;

  EtcdClusterOptions options_;
  std::string dir_;
  std::vector<Member> members_;
};

}  // namespace pgha::testing
