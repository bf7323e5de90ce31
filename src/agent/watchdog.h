#pragma once
// Linux /dev/watchdog support (watchdog.mode off | automatic | required, as in Patroni). pgha does
// not need it for safety — the fencing guard stops PostgreSQL when the agent dies or hangs — but
// where a hardware watchdog exists it also covers a frozen kernel or machine.
#include <string>

#include "core/result.h"

namespace pgha::agent {

class Watchdog {
 public:
  // mode: off | automatic | required; timeout: seconds before the machine is reset.
  Watchdog(std::string mode, std::string device, int timeout_seconds)
      : mode_(std::move(mode)), device_(std::move(device)), timeout_(timeout_seconds) {}
  ~Watchdog() { Disable(); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Arms (or keeps alive) the device while this node is the primary. Fails when the device cannot
  // be used; in `automatic` mode that is only a warning for the caller.
  Status Keepalive();
  // Disarms cleanly (magic close) when this node stops being the primary.
  void Disable();
  bool required() const { return mode_ == "required"; }
  bool enabled() const { return mode_ != "off"; }
  // True when leadership is allowed: mode is not `required`, or the device can be opened.
  bool UsableForLeadership();

 private:
  Status Open();
  std::string mode_, device_;
  int timeout_;
  int fd_ = -1;
};

}  // namespace pgha::agent
