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

namespace {

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Status Watchdog::SetDeviceTimeout(int fd, int seconds) {
  bool ok = false;
  if (testing_) {
    ok = WriteAll(fd, "Ctimeout=" + std::to_string(seconds) + "\n");
  } else {
    int timeout = seconds;
    ok = ::ioctl(fd, WDIOC_SETTIMEOUT, &timeout) == 0;
  }
  if (ok) return OkStatus();
  return Err("watchdog " + device_ + ": cannot set a " + std::to_string(seconds) +
             " s timeout: " + std::strerror(errno));
}

Status Watchdog::Ping() {
  bool ok = testing_ ? WriteAll(fd_, "1") : ::ioctl(fd_, WDIOC_KEEPALIVE, 0) == 0;
  if (ok) return OkStatus();
  return Err("watchdog " + device_ + ": keepalive failed: " + std::strerror(errno));
}

Status Watchdog::Open() {
  if (fd_ >= 0 && timeout_ != wanted_timeout_) {
    PGHA_TRY(SetDeviceTimeout(fd_, wanted_timeout_));
    timeout_ = wanted_timeout_;
  }
  if (fd_ >= 0) return OkStatus();
  timeout_ = wanted_timeout_;
  // The testing driver's pipe: without a reader, fail now rather than block the loop.
  int fd = ::open(device_.c_str(), O_WRONLY | O_CLOEXEC | (testing_ ? O_NONBLOCK : 0));
  if (fd < 0) return Err("watchdog " + device_ + ": " + std::strerror(errno));
  if (testing_) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (Status st = SetDeviceTimeout(fd, timeout_); !st.ok()) {
    // Not a watchdog (or no settable timeout): close without arming anything further.
    if (::write(fd, "V", 1) < 0) {
    }
    ::close(fd);
    return st;
  }
  fd_ = fd;
  return OkStatus();
}

Status Watchdog::Keepalive() {
  if (!enabled()) return OkStatus();
  PGHA_TRY(Open());
  return Ping();
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
