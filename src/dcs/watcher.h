#pragma once
// Internal: the watch thread behind Dcs::WaitForChange. It only wakes the HA loop early;
// correctness never depends on it (docs/interfaces.md §2.4: the watch is an accelerator).
//
// Only changes a loop must react to wake it: not /status, /history or /pgha_timeline, not this
// member's own key, and not the keys of members other than the leader (while a leader is known).
// Under writes every member key changes every loop; waking on them made every agent loop back to
// back, each wake causing the next (docs/timing.md).
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
  // With a client, a thread watches `prefix` (ending in '/'); without one only Wake() and
  // deadlines end waits. `self` is this member's name.
  ChangeWatcher(std::unique_ptr<EtcdClient> client, std::string prefix, std::string self = "");
  // Whether a change of `key` should wake the loop of member `self` while `leader` leads ("" =
  // none known). Exposed for tests.
  static bool Wakes(const std::string& prefix, const std::string& self, const std::string& leader,
                    const std::string& key);
  ~ChangeWatcher();  // stops and joins the thread
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

  bool WaitForChange(int64_t revision, std::chrono::steady_clock::time_point deadline);
  void Wake();

  // For reading the cluster from a cache: an opaque token taken before a read, and whether no
  // change under the prefix has been seen since that read at `revision`. False whenever the
  // stream broke or re-listed in between, there is no watch thread, or the stream has been
  // quiet for longer than kQuietLimit: a stream stuck on a member that died without a word
  // (its packets dropped) delivers nothing, and without etcd's progress notifications nothing
  // else tells it from a quiet one, so the loop reads etcd itself instead (docs/timing.md).
  uint64_t Epoch();
  bool UnchangedSince(uint64_t epoch, int64_t revision);
  static constexpr std::chrono::milliseconds kQuietLimit{300};

 private:
  void Run();
  // Lists the prefix; returns the revision to watch from, 0 on failure.
  int64_t Relist();
  void Record(int64_t revision);
  void Backoff(std::chrono::milliseconds* delay);

  // Tracks the leader key from the listing and the events (watch thread only).
  void NoteLeader(const KeyValue& kv, bool deleted);

  std::unique_ptr<EtcdClient> client_;
  const std::string prefix_;
  const std::string self_;
  std::string leader_;          // watch thread only
  bool listed_before_ = false;  // watch thread only
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t seen_revision_ = 0;  // guarded by mu_: the last change that wakes the loop
  bool woken_ = false;         // guarded by mu_
  uint64_t epoch_ = 1;         // guarded by mu_: bumped on every re-list and broken stream
  bool streaming_ = false;     // guarded by mu_: a stream runs from the last re-list
  int64_t any_revision_ = 0;   // guarded by mu_: the last change of any key under the prefix
  // guarded by mu_: the stream's last message (events or a progress notification)
  std::chrono::steady_clock::time_point last_message_{};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace pgha::dcs
