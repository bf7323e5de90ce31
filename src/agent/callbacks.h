#pragma once
// postgresql.callbacks, as Patroni runs them: `<command> <action> <role> <scope>`, the command
// split as a shell would (quotes, backslashes; no expansion), started without waiting for it.
// One runs at a time: a new callback kills the one still running, with its child processes
// (Patroni's rule, so the latest role change always gets through); the HA loop waits at most
// the kill (bounded) and never for the script itself.
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/strings.h"

namespace pgha::agent {

using pgha::SplitCommandLine;  // core/strings.h

class Callbacks {
 public:
  explicit Callbacks(std::string scope) : scope_(std::move(scope)) {}
  ~Callbacks();
  Callbacks(const Callbacks&) = delete;
  Callbacks& operator=(const Callbacks&) = delete;

  // action ("on_start", "on_stop", "on_restart", "on_reload", "on_role_change") -> command.
  void SetCommands(std::map<std::string, std::string> commands);
  // Starts the command configured for `action`, if any; `role`: "primary", "replica"...
  void Fire(std::string_view action, std::string_view role);

 private:
  void KillRunning(const char* why);

  const std::string scope_;
  std::mutex mu_;  // Fire and SetCommands
  std::map<std::string, std::string> commands_;
  std::atomic<int> running_{0};  // process group of the running callback, 0 if none
  std::thread waiter_;
};

}  // namespace pgha::agent
