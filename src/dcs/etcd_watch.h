#pragma once
// Internal: one streaming POST /v3/watch on one endpoint (docs/interfaces.md §2.2).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "dcs/etcd_client.h"
#include "dcs/http.h"

namespace pgha::dcs {

struct WatchRequest {
  std::string endpoint;
  std::string prefix;
  int64_t start_revision = 0;
  std::vector<std::string> headers;
  http::Tls tls;
  std::chrono::milliseconds connect_timeout{1000};
  // The progress-notification rhythm earlier streams learned from this endpoint
  // (StallDetector), read and updated; null: every stream learns it afresh.
  std::optional<std::chrono::milliseconds>* rhythm = nullptr;
};

// A stream quiet this long is presumed dead (a SIGSTOPped member sends nothing at all); the
// caller re-lists and re-watches, which costs one range.
inline constexpr std::chrono::seconds kWatchIdleLimit{30};

// Streams until `stop` (returns Ok), on_event declines (Ok), or the stream ends (an error
// classified kCompacted, kAuth or kUnavailable). on_event also sees progress notifications
// (no events, newer revision).
Status RunWatch(const WatchRequest& request,
                const std::function<bool(const std::vector<WatchEvent>&, int64_t)>& on_event,
                const std::atomic<bool>& stop);

}  // namespace pgha::dcs
