#include "agent/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace pgha::agent {

Status SdNotifyTo(const std::string& notify_socket, const std::string& state) {
  if (notify_socket.empty()) return OkStatus();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (notify_socket.size() >= sizeof(addr.sun_path) ||
      (notify_socket[0] != '/' && notify_socket[0] != '@')) {
    return Err("NOTIFY_SOCKET '" + notify_socket +
               "' is neither an absolute path nor an abstract name (@...)");
  }
  std::memcpy(addr.sun_path, notify_socket.data(), notify_socket.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + notify_socket.size());
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Err(std::string("sd_notify: socket: ") + std::strerror(errno));
  ssize_t n = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&addr), len);
  int err = errno;
  ::close(fd);
  if (n < 0) {
    return Err("sd_notify to " + notify_socket + ": " + std::strerror(err));
  }
  return OkStatus();
}

}  // namespace pgha::agent
