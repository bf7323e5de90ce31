#pragma once
// Internal: JSON bodies of etcd gateway requests and parsers of its responses. Pure functions,
// exposed so unit tests can pin the exact bytes sent (etcd silently ignores misspelt fields).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "dcs/etcd_client.h"

namespace pgha::dcs::etcd_json {

std::string RangeRequest(const std::string& key, bool prefix, bool serializable);
std::string PutRequest(const std::string& key, const std::string& value, int64_t lease);
std::string DeleteRequest(const std::string& key, bool prefix);
std::string TxnRequest(const std::vector<Compare>& compares, const std::vector<TxnOp>& success,
                       const std::vector<TxnOp>& failure);
std::string LeaseGrantRequest(int64_t ttl_seconds);
std::string LeaseIdRequest(int64_t lease_id);  // keepalive and revoke
std::string AuthenticateRequest(const std::string& name, const std::string& password);
std::string WatchCreateRequest(const std::string& prefix, int64_t start_revision);

struct Header {
  uint64_t cluster_id = 0, member_id = 0, raft_term = 0;
  int64_t revision = 0;
};

// An error as etcd reports it, unary ({"error":msg,"message":msg,"code":N}) or streamed
// ({"error":{"grpc_code":N,"message":msg,...}}).
struct EtcdError {
  int code = 0;  // gRPC code
  std::string message;
};

// Parses a body; JSON errors become Error values (never exceptions).
Result<nlohmann::json> Parse(std::string_view body);
std::optional<EtcdError> FindError(const nlohmann::json& body);
Header ParseHeader(const nlohmann::json& body);

// Integer fields arrive as strings ("revision":"2") or numbers; missing = default.
int64_t GetInt(const nlohmann::json& obj, const char* field, int64_t fallback = 0);
uint64_t GetUint(const nlohmann::json& obj, const char* field, uint64_t fallback = 0);

Result<KeyValue> ParseKeyValue(const nlohmann::json& kv);
Result<RangeResult> ParseRange(const nlohmann::json& body);
Result<TxnResult> ParseTxn(const nlohmann::json& body);
int64_t ParseDeleted(const nlohmann::json& body);
Result<int64_t> ParseLeaseGrant(const nlohmann::json& body);
// Remaining TTL (0 when etcd omitted it or sent 0/-1: the lease is gone) and the header's revision.
KeepAliveResult ParseKeepAlive(const nlohmann::json& body);

struct WatchMessage {
  std::optional<EtcdError> error;  // stream error: the stream is over
  int64_t revision = 0;
  bool created = false;
  bool canceled = false;
  int64_t compact_revision = 0;
  std::string cancel_reason;
  std::vector<WatchEvent> events;
};
Result<WatchMessage> ParseWatchMessage(const nlohmann::json& body);

// Splits a byte stream into complete top-level JSON objects, however the chunks fall.
class JsonObjectSplitter {
 public:
  // Appends data and returns the objects completed by it, in order.
  std::vector<std::string> Feed(std::string_view data);
  size_t buffered() const { return buffer_.size(); }

 private:
  std::string buffer_;
  size_t scanned_ = 0;  // bytes of buffer_ already scanned
  int depth_ = 0;
  bool in_string_ = false, escaped_ = false;
  size_t start_ = 0;
};

}  // namespace pgha::dcs::etcd_json
