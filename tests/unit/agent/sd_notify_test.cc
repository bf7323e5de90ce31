#include "agent/sd_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace pgha::agent {
namespace {

// A datagram socket bound where systemd would listen, to read what the agent sends.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& name) : name_(name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
    if (name[0] == '/') ::unlink(name.c_str());
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr),
                    static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())) == 0;
  }
  ~NotifySocket() {
    ::close(fd_);
    if (name_[0] == '/') ::unlink(name_.c_str());
  }
  bool bound() const { return bound_; }
  std::string Receive() {
    char buf[256];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n < 0 ? std::string("<nothing>") : std::string(buf, static_cast<size_t>(n));
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(SdNotifyTest, SendsTheStateToAPathSocket) {
  std::string path = testing::TempDir() + "pgha-notify-" + std::to_string(::getpid());
  NotifySocket sock(path);
  ASSERT_TRUE(sock.bound());
  ASSERT_TRUE(SdNotifyTo(path, "READY=1\nMAINPID=42").ok());
  EXPECT_EQ(sock.Receive(), "READY=1\nMAINPID=42");
}

TEST(SdNotifyTest, SendsTheStateToAnAbstractSocket) {
  std::string name = "@pgha-notify-test-" + std::to_string(::getpid());
  NotifySocket sock(name);
  ASSERT_TRUE(sock.bound());
  ASSERT_TRUE(SdNotifyTo(name, "RELOADING=1").ok());
  EXPECT_EQ(sock.Receive(), "RELOADING=1");
}

TEST(SdNotifyTest, NoSocketMeansNothingToDo) { EXPECT_TRUE(SdNotifyTo("", "READY=1").ok()); }

TEST(SdNotifyTest, ABadSocketNameIsAnErrorNamingIt) {
  auto st = SdNotifyTo("relative/path", "READY=1");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("relative/path"), std::string::npos);
  auto gone = SdNotifyTo("/nonexistent-dir-pgha/notify", "READY=1");
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.message().find("/nonexistent-dir-pgha/notify"), std::string::npos);
}

}  // namespace
}  // namespace pgha::agent
