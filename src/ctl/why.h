#pragma once
// `pghactl why [MEMBER]`: a member's latest decision from its journal (GET /journal?n=1), with
// the inputs that mattered; --raw prints the scenario file itself, which the scenario runner
// replays to the same actions and reason.
#include <string>

#include "ctl/commands.h"

namespace pgha::ctl {

int Why(const Cluster& c, const std::string& member, bool raw);

}  // namespace pgha::ctl
