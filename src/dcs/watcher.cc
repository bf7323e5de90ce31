#include "dcs/watcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace pgha::dcs {
namespace {

constexpr std::chrono::milliseconds kMinBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

}  // namespace

ChangeWatcher::ChangeWatcher(std::unique_ptr<EtcdClient> client, std::string prefix,
                             std::string self)
    : client_(std::move(client)), prefix_(std::move(prefix)), self_(std::move(self)) {
  if (client_) thread_ = std::thread([this] { Run(); });
}

bool ChangeWatcher::Wakes(const std::string& prefix, const std::string& self,
                          const std::string& leader, const std::string& key) {
  if (key.compare(0, prefix.size(), prefix) != 0) return true;
  const std::string rel = key.substr(prefix.size());
  if (rel == "status" || rel == "history" || rel == "pgha_timeline") return false;
  static const std::string kMembers = "members/";
  if (rel.compare(0, kMembers.size(), kMembers) != 0) return true;
  const std::string name = rel.substr(kMembers.size());
  if (name == self) return false;
  return leader.empty() || name == leader;
}

void ChangeWatcher::NoteLeader(const KeyValue& kv, bool deleted) {
  if (kv.key != prefix_ + "leader") return;
  leader_ = deleted ? "" : kv.value;
}

ChangeWatcher::~ChangeWatcher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ChangeWatcher::WaitForChange(int64_t revision,
                                  std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  bool changed =
      cv_.wait_until(lock, deadline, [&] { return woken_ || seen_revision_ > revision; });
  woken_ = false;
  return changed;
}

void ChangeWatcher::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

uint64_t ChangeWatcher::Epoch() {
  std::lock_guard lock(mu_);
  return epoch_;
}

bool ChangeWatcher::UnchangedSince(uint64_t epoch, int64_t revision) {
  std::lock_guard lock(mu_);
  return client_ && streaming_ && epoch == epoch_ && any_revision_ <= revision &&
         std::chrono::steady_clock::now() - last_message_ <= kQuietLimit;
}

void ChangeWatcher::Record(int64_t revision) {
  {
    std::lock_guard lock(mu_);
    if (revision <= seen_revision_) return;
    seen_revision_ = revision;
  }
  cv_.notify_all();
}

// Waits before the next attempt, but returns at once when asked to stop.
void ChangeWatcher::Backoff(std::chrono::milliseconds* delay) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, *delay, [&] { return stop_.load(); });
  *delay = std::min(*delay * 2, kMaxBackoff);
}

int64_t ChangeWatcher::Relist() {
  {
    std::lock_guard lock(mu_);
    ++epoch_;
    streaming_ = false;
  }
  auto listed = client_->Range(prefix_, /*prefix=*/true, /*serializable=*/false);
  if (!listed.ok()) {
    spdlog::debug("watch: re-list of {} failed: {}", prefix_, listed.message());
    return 0;
  }
  leader_.clear();
  for (const auto& kv : listed->kvs) NoteLeader(kv, false);
  // A change missed while the stream was down shows up here. The first listing is only the
  // starting point: the loop reads the cluster itself.
  if (listed_before_) Record(listed->revision);
  listed_before_ = true;
  {
    std::lock_guard lock(mu_);
    any_revision_ = listed->revision;
    streaming_ = true;  // the watch from here on sees every later change, or ends the epoch
  }
  return listed->revision + 1;
}

void ChangeWatcher::Run() {
  auto delay = kMinBackoff;
  while (!stop_) {
    int64_t next = Relist();
    if (next == 0) {
      Backoff(&delay);
      continue;
    }
    auto on_event = [&](const std::vector<WatchEvent>& events, int64_t revision) {
      // One response can carry events up to a later header revision: wake at the revision of
      // the relevant event itself, so a wait that began after it is not woken by its batch.
      int64_t wake_at = 0;
      for (const auto& e : events) {
        // Judge a member key against the leader before this batch changed it.
        if (Wakes(prefix_, self_, leader_, e.kv.key)) {
          wake_at = std::max(wake_at, e.kv.mod_revision > 0 ? e.kv.mod_revision : revision);
        }
        NoteLeader(e.kv, e.type == WatchEvent::Type::kDelete);
      }
      {
        std::lock_guard lock(mu_);
        if (!events.empty()) any_revision_ = std::max(any_revision_, revision);
        last_message_ = std::chrono::steady_clock::now();
      }
      if (wake_at > 0) Record(wake_at);
      next = revision + 1;
      delay = kMinBackoff;  // the stream works again
      return true;
    };
    Status ended = client_->Watch(prefix_, next, on_event, stop_);
    {
      std::lock_guard lock(mu_);
      ++epoch_;
      streaming_ = false;
    }
    if (stop_) break;
    // Compaction, a broken stream or an idle timeout: re-list and watch again.
    if (!ended.ok()) spdlog::debug("watch: {}", ended.message());
    Backoff(&delay);
  }
}

}  // namespace pgha::dcs
