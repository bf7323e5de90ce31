#pragma once
// etcd v3 spoken through its JSON gateway (docs/interfaces.md §2). Low level: one method per RPC.
// Thread-compatible: one EtcdClient per thread (the HA loop has one, the watch thread another).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace pgha::dcs {

struct EtcdOptions {
  std::vector<std::string> endpoints;       // "http://127.0.0.1:2379" (scheme + host + port)
  std::string username, password;           // empty: no auth
  std::string cacert, cert, key;            // TLS (optional)
  std::chrono::milliseconds timeout{3000};  // deadline of one call, split across endpoints
};

struct KeyValue {
  std::string key, value;
  int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
};

struct Compare {
  enum class Target { kCreate, kMod, kValue, kLease, kVersion };
  enum class Op { kEqual, kNotEqual, kGreater, kLess };
  std::string key;
  Target target = Target::kCreate;
  Op op = Op::kEqual;
  int64_t number = 0;  // for CREATE/MOD/LEASE/VERSION
  std::string value;   // for VALUE
};

struct TxnOp {
  enum class Kind { kPut, kDelete, kRange };
  Kind kind = Kind::kRange;
  std::string key, value;
  int64_t lease = 0;
  bool prefix = false;  // range/delete over the key as a prefix
};

struct TxnResult {
  bool succeeded = false;
  int64_t revision = 0;
  std::vector<KeyValue> kvs;  // from range ops in the branch that ran
};

struct RangeResult {
  int64_t revision = 0;
  std::vector<KeyValue> kvs;
};

struct KeepAliveResult {
  int64_t ttl = 0;       // remaining seconds; 0: the lease is gone (grant a new one)
  int64_t revision = 0;  // the store's revision when the serving member answered (its header)
};

struct WatchEvent {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  KeyValue kv;
};

// Error kinds a caller acts on differently.
enum class EtcdErrc { kNone, kUnavailable, kLeaseNotFound, kCompacted, kAuth, kOther };
EtcdErrc ClassifyError(const Error& e);  // from the code EtcdErr wrote (core/result.h Errc)

class EtcdClient {
 public:
  virtual ~EtcdClient() = default;
  virtual Result<RangeResult> Range(const std::string& key, bool prefix, bool serializable) = 0;
  virtual Result<int64_t> Put(const std::string& key, const std::string& value, int64_t lease) = 0;
  virtual Result<int64_t> Delete(const std::string& key, bool prefix) = 0;
  virtual Result<TxnResult> Txn(const std::vector<Compare>& compares,
                                const std::vector<TxnOp>& success,
                                const std::vector<TxnOp>& failure) = 0;
  virtual Result<int64_t> LeaseGrant(int64_t ttl_seconds) = 0;  // returns the lease id
  virtual Result<KeepAliveResult> LeaseKeepAlive(int64_t lease_id) = 0;
  virtual Status LeaseRevoke(int64_t lease_id) = 0;
  // Blocks streaming events for keys under `prefix` from `start_revision` until `stop` is set,
  // the stream breaks, or on_event returns false. Returns the error that ended it.
  virtual Status Watch(
      const std::string& prefix, int64_t start_revision,
      const std::function<bool(const std::vector<WatchEvent>&, int64_t revision)>& on_event,
      const std::atomic<bool>& stop) = 0;
  // Bounds every later call (not Watch): each ends within `timeout`, and none after `not_after`
  // when set (the caller must act before then, e.g. a primary before its lease may expire).
  virtual void Bound(std::chrono::milliseconds timeout,
                     std::optional<std::chrono::steady_clock::time_point> not_after) = 0;
};

std::unique_ptr<EtcdClient> MakeEtcdClient(const EtcdOptions& options);

// Helpers exposed for unit tests.
std::string Base64Encode(const std::string& raw);
Result<std::string> Base64Decode(const std::string& text);
std::string PrefixRangeEnd(const std::string& prefix);

}  // namespace pgha::dcs
