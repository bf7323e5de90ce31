#pragma once
// Telling a silently stalled watch stream from a quiet one. Pure: times come from the caller.
//
// etcd sends an idle watch a progress notification (no events) every
// --experimental-watch-progress-notify-interval when the watch asked for them (pgha's watches
// do; the clusters pgha runs set the interval to 50 ms, docs/timing.md). Once the stream has
// shown that rhythm — two progress notifications kGapsToLearn apart at most — a stream silent
// for kStallFactor times the shortest gap seen is stalled: a hung member or a dropped network
// path, which ends no connection and so would otherwise go unnoticed for the 30 s idle limit.
// With etcd's default interval (10 minutes) nothing is learned and nothing is declared stalled.
#include <chrono>
#include <optional>

namespace pgha::dcs {

class StallDetector {
 public:
  using Time = std::chrono::steady_clock::time_point;
  static constexpr int kStallFactor = 4;
  // Gaps longer than this say nothing about a fast rhythm (etcd's default is 10 minutes).
  static constexpr std::chrono::milliseconds kLongestUsefulGap{1000};
  // ...nor do shorter ones: notifications that arrive together (a busy machine, a proxy that
  // delivers in bursts) once taught a 1 ms rhythm, and a healthy stream was then "stalled"
  // after 4 ms, again and again.
  static constexpr std::chrono::milliseconds kShortestUsefulGap{20};

  // `known`: the rhythm an earlier stream to the same cluster learned. A new stream silent from
  // its start (re-opened on a member that hangs) is then stalled too; it has nothing to learn
  // from (EtcdDcsTest.AStalledWatchIsNoticedAndTheMissedChangeWakes, flaky before).
  explicit StallDetector(Time start, std::optional<std::chrono::milliseconds> known = std::nullopt)
      : last_message_(start), interval_(known) {}
  // Any message on the stream; `progress_only`: a progress notification (no events).
  void OnMessage(Time at, bool progress_only);
  bool Stalled(Time now) const;
  std::optional<std::chrono::milliseconds> interval() const { return interval_; }

 private:
  Time last_message_;
  std::optional<Time> last_progress_;
  std::optional<std::chrono::milliseconds> interval_;  // shortest gap between notifications
};

}  // namespace pgha::dcs
