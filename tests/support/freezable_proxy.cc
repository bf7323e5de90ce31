#include "support/freezable_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pgha::testing {

FreezableProxy::FreezableProxy(std::string target_host, int target_port)
    : host_(std::move(target_host)), target_port_(target_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  ::listen(listen_fd_, 16);
  acceptor_ = std::thread([this] { Accept(); });
}

FreezableProxy::~FreezableProxy() {
  stop_ = true;
  acceptor_.join();
  for (auto& t : pumps_) t.join();
  ::close(listen_fd_);
}

void FreezableProxy::Accept() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) != 1) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client >= 0) {
      ++pumping_;
      pumps_.emplace_back([this, client] { Pump(client); });
    }
  }
}

// Moves bytes both ways until either side closes or the proxy stops; while frozen it reads
// nothing and writes nothing, but keeps both sockets open.
void FreezableProxy::Pump(int client) {
  int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(target_port_));
  ::inet_pton(AF_INET, host_.c_str(), &a.sin_addr);
  if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    --pumping_;
    ::close(server);
    ::close(client);
    return;
  }
  char buf[16384];
  bool open = true;
  bool parked = false;
  while (open && !stop_) {
    if (frozen_) {
      if (!parked) --pumping_;
      parked = true;
      ::poll(nullptr, 0, 20);
      continue;
    }
    pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(p, 2, 50) <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(p[i].fd, buf, sizeof buf);
      int to = i == 0 ? server : client;
      // Counted before the client can see them: a count read after a reply arrived includes it
      // (counted after send(), a busy machine let a test read the count before a Load()'s reply
      // was added and take those bytes for progress notifications).
      if (n > 0 && i == 1) bytes_to_clients_ += n;
      open = n > 0 && ::send(to, buf, static_cast<size_t>(n), MSG_NOSIGNAL) == n;
    }
  }
  if (!parked) --pumping_;
  ::close(server);
  ::close(client);
}

void FreezableProxy::Freeze() {
  frozen_ = true;
  // Each connection parks within one poll (50 ms); bounded in case one is stuck in send().
  for (int i = 0; i < 200 && pumping_ > 0; ++i) ::poll(nullptr, 0, 5);
}

}  // namespace pgha::testing
