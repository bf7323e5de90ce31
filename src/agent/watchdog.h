#pragma once
// Linux /dev/watchdog support (watchdog.mode off | automatic | required, as in Patroni). pgha does
// not need it for safety — the fencing guard stops PostgreSQL when the agent dies or hangs — but
// where a hardware watchdog exists it also covers a frozen kernel or machine.
#include <string>

#include "core/result.h"

namespace pgha::agent {

// The watchdog must fire before the lease can expire, yet never between two loops of a healthy
// agent: ttl - safety_margin, the margin at most half the ttl (Patroni's default margin of 5 s
// would leave 0 s of a 5 s ttl), and at least loop_wait + 1 s. safety_margin < 0: ttl / 2.
int WatchdogTimeout(int ttl, int loop_wait, int safety_margin);

class Watchdog {
 public:
  // mode: off | automatic | required; timeout: seconds before the machine is reset.
  // `testing`: Patroni's test driver, which writes commands to a named pipe instead of ioctls.
  Watchdog(std::string mode, std::string device, int timeout_seconds, bool testing = false)
      : mode_(std::move(mode)),
        device_(std::move(device)),
        timeout_(timeout_seconds),
        wanted_timeout_(timeout_seconds),
        testing_(testing) {}
  ~Watchdog() { Disable(); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Arms (or keeps alive) the device while this node is the primary. Fails when the device cannot
  // be used; in `automatic` mode that is only a warning for the caller.
  Status Keepalive();
  // Disarms cleanly (magic close) when this node stops being the primary.
  void Disable();
  // Follows the current ttl: applied to the device at the next Keepalive when it changed.
  void SetTimeout(int timeout_seconds) { wanted_timeout_ = timeout_seconds; }
  int timeout() const { return wanted_timeout_; }
  bool required() const { return mode_ == "required"; }
  bool enabled() const { return mode_ != "off"; }
  // True when leadership is allowed: mode is not `required`, or the device can be opened.
  bool UsableForLeadership();

 private:
  Status Open();
  Status SetDeviceTimeout(int fd, int seconds);
  Status Ping();
  std::string mode_, device_;
  int timeout_;         // what the open device was set to
  int wanted_timeout_;  // what the current ttl asks for
  bool testing_ = false;
  int fd_ = -1;
};

}  // namespace pgha::agent
