#include "dcs/etcd_watch.h"

#include <optional>

#include "dcs/etcd_errors.h"
#include "dcs/etcd_json.h"
#include "dcs/stall_detector.h"

namespace pgha::dcs {
namespace {

// Turns one stream message into "keep going" (nullopt) or the error that ends the watch.
std::optional<Error> Handle(
    const std::string& where, const std::string& text,
    const std::function<bool(const std::vector<WatchEvent>&, int64_t)>& on_event, bool* declined,
    bool* progress_only) {
  auto body = etcd_json::Parse(text);
  if (!body.ok()) return EtcdErr(EtcdErrc::kUnavailable, where + ": " + body.message());
  auto msg = etcd_json::ParseWatchMessage(*body);
  if (!msg.ok()) return EtcdErr(EtcdErrc::kOther, where + ": " + msg.message());
  if (msg->error) {
    EtcdErrc errc = ClassifyGrpc(msg->error->code, msg->error->message);
    if (errc == EtcdErrc::kOther) errc = EtcdErrc::kUnavailable;  // a broken stream, re-list
    return EtcdErr(errc, where + ": " + msg->error->message + " (code " +
                             std::to_string(msg->error->code) + ")");
  }
  if (msg->canceled) {
    if (msg->compact_revision > 0) {
      return EtcdErr(EtcdErrc::kCompacted, where + ": watch canceled, compact_revision " +
                                               std::to_string(msg->compact_revision));
    }
    EtcdErrc errc = msg->cancel_reason.find("auth") != std::string::npos ||
                            msg->cancel_reason.find("Unauthenticated") != std::string::npos
                        ? EtcdErrc::kAuth
                        : EtcdErrc::kUnavailable;
    return EtcdErr(errc, where + ": watch canceled: " + msg->cancel_reason);
  }
  if (msg->created) return std::nullopt;
  *progress_only = msg->events.empty();
  if (!on_event(msg->events, msg->revision)) *declined = true;
  return std::nullopt;
}

}  // namespace

Status RunWatch(const WatchRequest& request,
                const std::function<bool(const std::vector<WatchEvent>&, int64_t)>& on_event,
                const std::atomic<bool>& stop) {
  const std::string where = request.endpoint + "/v3/watch";
  http::Request req;
  req.url = where;
  req.body = etcd_json::WatchCreateRequest(request.prefix, request.start_revision);
  req.headers = request.headers;
  // Without it a watch on a member that lost quorum stays silently "created" (docs/interfaces.md
  // §2.2).
  req.headers.push_back("Grpc-Metadata-hasleader: true");
  req.connect_timeout = request.connect_timeout;
  req.tls = request.tls;

  etcd_json::JsonObjectSplitter splitter;
  std::optional<Error> ended;
  bool declined = false;
  StallDetector stall(std::chrono::steady_clock::now(),
                      request.rhythm ? *request.rhythm : std::nullopt);
  auto on_data = [&](std::string_view data) {
    for (const auto& object : splitter.Feed(data)) {
      bool progress_only = false;
      ended = Handle(where, object, on_event, &declined, &progress_only);
      stall.OnMessage(std::chrono::steady_clock::now(), progress_only);
      if (ended || declined) return false;
    }
    return true;
  };
  auto alive = [&] { return !stall.Stalled(std::chrono::steady_clock::now()); };
  auto end = http::PostStream(req, kWatchIdleLimit, on_data, stop, alive);
  if (request.rhythm && stall.interval()) *request.rhythm = stall.interval();
  if (ended) return *ended;
  if (declined || stop.load()) return OkStatus();
  if (!end.ok()) return EtcdErr(EtcdErrc::kUnavailable, where + ": " + end.message());
  return EtcdErr(EtcdErrc::kUnavailable,
                 where + ": watch stream ended (HTTP " + std::to_string(end->status) + ")");
}

}  // namespace pgha::dcs
