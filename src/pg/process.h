#pragma once
// Running PostgreSQL's command-line tools: fork/exec with a deadline and captured output.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace pgha::pg {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (a path) with argv; extra_env is added to the environment and unset_env taken
// out of it. The child is killed (SIGKILL, whole process group) when the timeout passes, and
// that is reported as an error.
Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& extra_env,
                                 std::chrono::milliseconds timeout,
                                 const std::vector<std::string>& unset_env = {});

// The executable `name` in $PATH, as a shell finds it; nullopt when there is none.
std::optional<std::string> FindInPath(const std::string& name);
// `argv` with a bare program name (no '/') replaced by its path in $PATH, as RunCommand needs;
// "<name>: not found in PATH" when there is none.
Result<std::vector<std::string>> ResolveProgram(std::vector<std::string> argv);

// "initdb failed (exit 1): <last lines of output>"
std::string DescribeFailure(const std::string& what, const CommandResult& r);

}  // namespace pgha::pg
