// The etcd v3 JSON-gateway client: endpoint rotation, stale-member guard, auth, deadlines.
#include <algorithm>
#include <map>
#include <mutex>

#include "core/strings.h"
#include "dcs/etcd_errors.h"
#include "dcs/etcd_json.h"
#include "dcs/etcd_watch.h"
#include "dcs/http.h"

namespace pgha::dcs {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kMinAttempt{1000};  // per-endpoint share of the deadline, where possible
constexpr milliseconds kMinUseful{50};     // below this an attempt cannot succeed

// One attempt's outcome: a parsed body, or an error and whether another endpoint may help.
struct Attempt {
  std::optional<json> body;
  EtcdErrc errc = EtcdErrc::kNone;
  std::string message;
};

class EtcdClientImpl final : public EtcdClient {
 public:
  explicit EtcdClientImpl(EtcdOptions options) : options_(std::move(options)) {}

  Result<RangeResult> Range(const std::string& key, bool prefix, bool serializable) override {
    auto body = Call("/v3/kv/range", etcd_json::RangeRequest(key, prefix, serializable));
    if (!body.ok()) return body.error();
    return etcd_json::ParseRange(*body);
  }

  Result<int64_t> Put(const std::string& key, const std::string& value, int64_t lease) override {
    auto body = Call("/v3/kv/put", etcd_json::PutRequest(key, value, lease));
    if (!body.ok()) return body.error();
    return etcd_json::ParseHeader(*body).revision;
  }

  Result<int64_t> Delete(const std::string& key, bool prefix) override {
    auto body = Call("/v3/kv/deleterange", etcd_json::DeleteRequest(key, prefix));
    if (!body.ok()) return body.error();
    return etcd_json::ParseDeleted(*body);
  }

  Result<TxnResult> Txn(const std::vector<Compare>& compares, const std::vector<TxnOp>& success,
                        const std::vector<TxnOp>& failure) override {
    auto body = Call("/v3/kv/txn", etcd_json::TxnRequest(compares, success, failure));
    if (!body.ok()) return body.error();
    return etcd_json::ParseTxn(*body);
  }

  Result<int64_t> LeaseGrant(int64_t ttl_seconds) override {
    auto body = Call("/v3/lease/grant", etcd_json::LeaseGrantRequest(ttl_seconds));
    if (!body.ok()) return body.error();
    auto id = etcd_json::ParseLeaseGrant(*body);
    if (!id.ok()) return EtcdErr(EtcdErrc::kOther, "lease grant: " + id.message());
    return id;
  }

  Result<KeepAliveResult> LeaseKeepAlive(int64_t lease_id) override {
    auto body = Call("/v3/lease/keepalive", etcd_json::LeaseIdRequest(lease_id));
    if (!body.ok()) {
      if (ClassifyError(body.error()) == EtcdErrc::kLeaseNotFound) return KeepAliveResult{};
      return body.error();
    }
    return etcd_json::ParseKeepAlive(*body);
  }

  Status LeaseRevoke(int64_t lease_id) override {
    auto body = Call("/v3/lease/revoke", etcd_json::LeaseIdRequest(lease_id));
    if (!body.ok()) return body.error();
    return OkStatus();
  }

  Status Watch(const std::string& prefix, int64_t start_revision,
               const std::function<bool(const std::vector<WatchEvent>&, int64_t)>& on_event,
               const std::atomic<bool>& stop) override {
    if (options_.endpoints.empty()) return EtcdErr(EtcdErrc::kOther, "no etcd endpoints");
    if (NeedsAuth()) {
      Attempt auth = Authenticate(Endpoint(), Clock::now() + options_.timeout);
      if (!auth.body) {
        Rotate();
        return EtcdErr(auth.errc, auth.message);
      }
    }
    WatchRequest request{Endpoint(),
                         prefix,
                         start_revision,
                         AuthHeaders(),
                         Tls(),
                         std::max(options_.timeout, kMinAttempt),
                         &watch_rhythm_[Endpoint()]};
    Status status = RunWatch(request, on_event, stop);
    // The next watch tries another member unless this one merely reported compaction.
    if (!status.ok() && ClassifyError(status.error()) != EtcdErrc::kCompacted) Rotate();
    if (!status.ok() && ClassifyError(status.error()) == EtcdErrc::kAuth) token_.clear();
    return status;
  }

  void Bound(milliseconds timeout, std::optional<Clock::time_point> not_after) override {
    options_.timeout = timeout;
    not_after_ = not_after;
  }

 private:
  std::optional<Clock::time_point> not_after_;
  bool NeedsAuth() const { return !options_.username.empty() && token_.empty(); }
  const std::string& Endpoint() const { return options_.endpoints[current_]; }
  void Rotate() { current_ = (current_ + 1) % options_.endpoints.size(); }
  http::Tls Tls() const { return {options_.cacert, options_.cert, options_.key}; }
  std::vector<std::string> AuthHeaders() const {
    if (token_.empty()) return {};
    return {"Authorization: " + token_};  // raw token, no "Bearer" (docs/interfaces.md §2.3)
  }

  // Runs one RPC against the endpoints in turn until one answers or the deadline passes.
  Result<json> Call(const std::string& path, const std::string& body) {
    if (options_.endpoints.empty()) return EtcdErr(EtcdErrc::kOther, "no etcd endpoints");
    auto deadline = Clock::now() + options_.timeout;
    if (not_after_ && *not_after_ < deadline) deadline = *not_after_;
    const size_t n = options_.endpoints.size();
    const size_t max_attempts = n == 1 ? 2 : n;  // one endpoint: one retry, as Patroni
    std::vector<std::string> failures;
    bool reauthenticated = false;
    for (size_t attempt = 0; attempt < max_attempts; ++attempt) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left < kMinUseful) break;
      milliseconds share = std::min(
          left, std::max(left / static_cast<int64_t>(max_attempts - attempt), kMinAttempt));
      Attempt a = Once(path, body, Clock::now() + share);
      if (a.body) return std::move(*a.body);
      if (a.errc == EtcdErrc::kAuth && !reauthenticated && !options_.username.empty()) {
        token_.clear();  // expired token: authenticate again and retry on the same member
        reauthenticated = true;
        --attempt;
        continue;
      }
      if (a.errc != EtcdErrc::kUnavailable) return EtcdErr(a.errc, a.message);
      failures.push_back(a.message);
      Rotate();
    }
    std::string detail = failures.empty()
                             ? "deadline of " + std::to_string(options_.timeout.count()) +
                                   " ms exceeded before " + path
                             : failures.back();
    if (failures.size() > 1) detail += " (and " + std::to_string(failures.size() - 1) + " more)";
    return EtcdErr(EtcdErrc::kUnavailable, detail);
  }

  Attempt Once(const std::string& path, const std::string& body, Clock::time_point deadline) {
    const std::string& endpoint = Endpoint();
    if (NeedsAuth()) {
      Attempt auth = Authenticate(endpoint, deadline);
      if (!auth.body) return auth;
    }
    return Post(endpoint, path, body, deadline, AuthHeaders());
  }

  Attempt Authenticate(const std::string& endpoint, Clock::time_point deadline) {
    Attempt a =
        Post(endpoint, "/v3/auth/authenticate",
             etcd_json::AuthenticateRequest(options_.username, options_.password), deadline, {});
    if (!a.body) {
      if (a.errc != EtcdErrc::kUnavailable) a.errc = EtcdErrc::kAuth;
      return a;
    }
    token_ = a.body->value("token", "");
    if (token_.empty()) return {std::nullopt, EtcdErrc::kAuth, endpoint + ": no token returned"};
    return a;
  }

  Attempt Post(const std::string& endpoint, const std::string& path, const std::string& body,
               Clock::time_point deadline, std::vector<std::string> headers) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    left = std::max(left, kMinUseful);
    http::Request request{
        endpoint + path, body, std::move(headers), left, std::min(left, kMinAttempt), Tls()};
    auto response = http::Post(session_, request);
    const std::string where = endpoint + path;
    if (!response.ok())
      return {std::nullopt, EtcdErrc::kUnavailable, where + ": " + response.message()};
    auto parsed = etcd_json::Parse(response->body);
    if (auto error = parsed.ok() ? etcd_json::FindError(*parsed) : std::nullopt) {
      return {std::nullopt, ClassifyGrpc(error->code, error->message),
              where + ": " + error->message + " (code " + std::to_string(error->code) + ")"};
    }
    if (response->status == 503) {
      return {std::nullopt, EtcdErrc::kUnavailable, where + ": HTTP 503"};
    }
    if (response->status != 200 || !parsed.ok()) {
      return {std::nullopt, EtcdErrc::kOther,
              where + ": HTTP " + std::to_string(response->status) + ": " +
                  (parsed.ok() ? response->body.substr(0, 200) : parsed.message())};
    }
    if (auto stale = CheckRaftTerm(*parsed))
      return {std::nullopt, EtcdErrc::kUnavailable, where + ": " + *stale};
    return {std::move(*parsed), EtcdErrc::kNone, ""};
  }

  // A member whose raft term is behind one we already saw is partitioned or lagging: its
  // answers may be stale (docs/interfaces.md §2.5). A new cluster id starts the count afresh.
  std::optional<std::string> CheckRaftTerm(const json& body) {
    // Keepalive wraps its response (header included) in "result".
    etcd_json::Header h = etcd_json::ParseHeader(body.contains("result") ? body["result"] : body);
    if (h.cluster_id == 0 && h.raft_term == 0) return std::nullopt;
    if (h.cluster_id != cluster_id_) {
      cluster_id_ = h.cluster_id;
      raft_term_ = h.raft_term;
      return std::nullopt;
    }
    if (h.raft_term < raft_term_) {
      return "stale member: raft_term " + std::to_string(h.raft_term) + " < " +
             std::to_string(raft_term_);
    }
    raft_term_ = h.raft_term;
    return std::nullopt;
  }

  EtcdOptions options_;
  http::Session session_;
  size_t current_ = 0;
  // Per endpoint: the progress-notification rhythm earlier watch streams learned from it.
  std::map<std::string, std::optional<std::chrono::milliseconds>> watch_rhythm_;
  std::string token_;
  uint64_t cluster_id_ = 0, raft_term_ = 0;
};

}  // namespace

std::unique_ptr<EtcdClient> MakeEtcdClient(const EtcdOptions& options) {
  return std::make_unique<EtcdClientImpl>(options);
}

}  // namespace pgha::dcs
