#pragma once
// Internal: the watch thread behind Dcs::WaitForChange. It only wakes the HA loop early;
// correctness never depends on it (etcd.md §2: the watch is an accelerator).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "dcs/etcd_client.h"

namespace pgha::dcs {

class ChangeWatcher {
 public:
  // With a client, a thread watches `prefix`; without one only Wake() and deadlines end waits.
  ChangeWatcher(std::unique_ptr<EtcdClient> client, std::string prefix);
  ~ChangeWatcher();  // stops and joins the thread
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

  bool WaitForChange(int64_t revision, std::chrono::steady_clock::time_point deadline);
  void Wake();

 private:
  void Run();
  // Lists the prefix; returns the revision to watch from, 0 on failure.
  int64_t Relist();
  void Record(int64_t revision);
  void Backoff(std::chrono::milliseconds* delay);

  std::unique_ptr<EtcdClient> client_;
  const std::string prefix_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t seen_revision_ = 0;  // guarded by mu_
  bool woken_ = false;         // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace pgha::dcs
