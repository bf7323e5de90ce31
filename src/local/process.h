#pragma once
// Processes of a local cluster: detached spawning (optionally as another OS user), PID files,
// signalling only recorded PIDs whose identity still matches, and port ownership.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace pgha::ctl {

struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  std::string home;
  std::vector<gid_t> groups;  // supplementary groups, looked up before fork
};
// Looks up an OS user; error when it does not exist.
Result<RunAs> LookupUser(const std::string& name);

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0]: absolute path of the binary
  std::string log_file;           // stdout + stderr, appended
  std::string cwd;
  std::optional<RunAs> user;  // switch to this user (only when running as root)
};
// fork + setsid + exec; the child is detached (own session, stdin /dev/null). An exec failure is
// reported as an error, not as a dead child.
Result<pid_t> SpawnDetached(const SpawnSpec& spec);

struct Captured {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};
// Runs a short command to completion, capturing its output.
Result<Captured> RunCapture(const std::vector<std::string>& argv);

// How a recorded PID is recognised: a token of its command line equal to `token`, or (for the
// postmaster, which chdirs into PGDATA) its working directory equal to `cwd`.
struct Identity {
  std::string token;
  std::string cwd;
};
bool IsAlive(pid_t pid);  // reaps it first when it is our exited child
bool Matches(pid_t pid, const Identity& id);
std::string Cmdline(pid_t pid);  // arguments joined by spaces

Status WritePidFile(const std::string& path, pid_t pid);
// First line of a PID file (also postmaster.pid); nullopt when missing or malformed.
std::optional<pid_t> ReadPidFile(const std::string& path);
// The PID recorded in `path` when that process is alive and still matches `id`.
std::optional<pid_t> LiveRecorded(const std::string& path, const Identity& id);

// Sends `sig` only when pid is alive and matches id. Returns whether it was sent.
bool SignalIfMatches(pid_t pid, const Identity& id, int sig);
// Polls until the process is gone; false when the deadline passed first.
bool WaitForExit(pid_t pid, std::chrono::milliseconds timeout);
// SIGTERM (or `first_signal`), wait up to `timeout`, then SIGKILL and wait. True when gone.
bool StopProcess(pid_t pid, const Identity& id, std::chrono::milliseconds timeout,
                 int first_signal);
std::vector<pid_t> ChildrenOf(pid_t parent);

// Whether 127.0.0.1:port can be bound now.
bool PortFree(int port);
// "pid 1234 (etcd)" for the process listening on the port, or "" when it cannot be told.
std::string PortOwner(int port);

std::string TailFile(const std::string& path, int lines);
// Absolute path of an executable found in $PATH (then /usr/sbin, /sbin); "" if none.
std::string FindExecutable(const std::string& name);

}  // namespace pgha::ctl
