#include "agent/watchdog.h"

#include <fcntl.h>
#include <linux/watchdog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pgha::agent {

int WatchdogTimeout(int ttl, int loop_wait, int safety_margin) {
  int margin = safety_margin < 0 ? ttl / 2 : std::min(safety_margin, ttl / 2);
  return std::max(loop_wait + 1, ttl - margin);
}

Status Watchdog::Open() {
  if (fd_ >= 0 && timeout_ != wanted_timeout_) {
    int timeout = wanted_timeout_;
    if (::ioctl(fd_, WDIOC_SETTIMEOUT, &timeout) != 0) {
      return Err("watchdog " + device_ + ": cannot change the timeout to " +
                 std::to_string(wanted_timeout_) + " s: " + std::strerror(errno));
    }
    timeout_ = wanted_timeout_;
  }
  if (fd_ >= 0) return OkStatus();
  timeout_ = wanted_timeout_;
  int fd = ::open(device_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Err("watchdog " + device_ + ": " + std::strerror(errno));
  int timeout = timeout_;
  if (::ioctl(fd, WDIOC_SETTIMEOUT, &timeout) != 0) {
    std::string why = std::strerror(errno);
    // Not a watchdog (or no settable timeout): close without arming anything further.
    if (::write(fd, "V", 1) < 0) {
    }
    ::close(fd);
    return Err("watchdog " + device_ + ": cannot set a " + std::to_string(timeout_) +
               " s timeout: " + why);
  }
  fd_ = fd;
  return OkStatus();
}

Status Watchdog::Keepalive() {
  if (!enabled()) return OkStatus();
  PGHA_TRY(Open());
  if (::ioctl(fd_, WDIOC_KEEPALIVE, 0) != 0) {
    return Err("watchdog " + device_ + ": keepalive failed: " + std::strerror(errno));
  }
  return OkStatus();
}

void Watchdog::Disable() {
  if (fd_ < 0) return;
  if (::write(fd_, "V", 1) < 0) {  // magic close: the driver stops the timer on close
  }
  ::close(fd_);
  fd_ = -1;
}

bool Watchdog::UsableForLeadership() {
  if (!required()) return true;
  if (fd_ >= 0) return true;
  Status st = Open();
  if (!st.ok()) return false;
  Disable();  // only a probe: arm it when we really lead
  return true;
}

}  // namespace pgha::agent
