#pragma once
// A TCP proxy on 127.0.0.1 that can go silent: Freeze() stops moving bytes in both directions
// while every connection stays open — a stalled stream, as a hung peer or a dropped network
// path looks to the client (no reset, no error, nothing).
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pgha::testing {

class FreezableProxy {
 public:
  // Forwards connections to target_host:target_port.
  FreezableProxy(std::string target_host, int target_port);
  ~FreezableProxy();
  FreezableProxy(const FreezableProxy&) = delete;
  FreezableProxy& operator=(const FreezableProxy&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Returns once every open connection has stopped moving bytes (a read already under way when
  // it was called is still delivered), so nothing sent after it gets through.
  void Freeze();
  // Bytes moved from the target to clients so far (etcd's progress notifications show up here).
  long bytes_to_clients() const { return bytes_to_clients_; }

 private:
  void Accept();
  void Pump(int client);

  std::string host_;
  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> frozen_{false};
  std::atomic<int> pumping_{0};
  std::atomic<long> bytes_to_clients_{0};  // connections not yet parked by a freeze
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::vector<std::thread> pumps_;
};

}  // namespace pgha::testing
