#pragma once
// systemd's readiness protocol without libsystemd: one datagram to $NOTIFY_SOCKET (a path, or an
// abstract name written with a leading '@'). Without the variable (not started by systemd with
// Type=notify) every call does nothing and succeeds.
#include <string>

#include "core/result.h"

namespace pgha::agent {

// Sends `state` (e.g. "READY=1\nMAINPID=123") to the socket `notify_socket` names; empty name:
// nothing to do. An error names the socket and the reason.
Status SdNotifyTo(const std::string& notify_socket, const std::string& state);

}  // namespace pgha::agent
