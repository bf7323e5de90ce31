#include "local/local.h"

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>

#include "local/commands.h"

namespace pgha::ctl {

std::string DefaultLocalDir() {
  if (::geteuid() == 0) return "/var/lib/pgha/local";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : "/tmp") + "/.local/share/pgha/local";
}

int RunLocal(const std::string& verb, const LocalOptions& opt) {
  try {
    if (verb == "up") return LocalUp(opt);
    if (verb == "down") return LocalDown(opt);
    if (verb == "status") return LocalStatus(opt);
    if (verb == "destroy") return LocalDestroy(opt);
    if (verb == "kill") return LocalKill(opt);
    if (verb == "stop") return LocalStopNode(opt);
    if (verb == "start") return LocalStartNode(opt);
    std::cerr << "error: unknown verb '" << verb
              << "' (up, down, status, destroy, kill, stop, start)\n";
    return 2;
  } catch (const std::exception& e) {  // third-party code (filesystem, json, yaml) at the boundary
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace pgha::ctl
