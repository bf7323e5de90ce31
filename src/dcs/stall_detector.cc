#include "dcs/stall_detector.h"

namespace pgha::dcs {

void StallDetector::OnMessage(Time at, bool progress_only) {
  last_message_ = at;
  if (!progress_only) return;
  if (last_progress_) {
    auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(at - *last_progress_);
    if (gap >= kShortestUsefulGap && gap <= kLongestUsefulGap && (!interval_ || gap < *interval_)) {
      interval_ = gap;
    }
  }
  last_progress_ = at;
}

bool StallDetector::Stalled(Time now) const {
  return interval_ && now - last_message_ > kStallFactor * *interval_;
}

}  // namespace pgha::dcs
