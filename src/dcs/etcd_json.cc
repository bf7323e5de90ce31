#include "dcs/etcd_json.h"

#include <exception>

namespace pgha::dcs::etcd_json {
namespace {

using ordered = nlohmann::ordered_json;

// int64 travels as a JSON string: safe for every id and revision (docs/interfaces.md §2.1).
std::string Str(int64_t n) { return std::to_string(n); }

void SetRange(ordered& req, const std::string& key, bool prefix) {
  req["key"] = Base64Encode(key);
  if (prefix) req["range_end"] = Base64Encode(PrefixRangeEnd(key));
}

// The gateway's names, in the order the enums declare their values (etcd_client.h).
const char* TargetName(Compare::Target t) {
  static constexpr const char* kNames[] = {"CREATE", "MOD", "VALUE", "LEASE", "VERSION"};
  return kNames[static_cast<size_t>(t)];
}

const char* OpName(Compare::Op op) {
  static constexpr const char* kNames[] = {"EQUAL", "NOT_EQUAL", "GREATER", "LESS"};
  return kNames[static_cast<size_t>(op)];
}

ordered CompareJson(const Compare& c) {
  ordered j;
  j["key"] = Base64Encode(c.key);
  j["target"] = TargetName(c.target);
  j["result"] = OpName(c.op);
  switch (c.target) {
    case Compare::Target::kCreate:
      j["create_revision"] = Str(c.number);
      break;
    case Compare::Target::kMod:
      j["mod_revision"] = Str(c.number);
      break;
    case Compare::Target::kValue:
      j["value"] = Base64Encode(c.value);
      break;
    case Compare::Target::kLease:
      j["lease"] = Str(c.number);
      break;
    case Compare::Target::kVersion:
      j["version"] = Str(c.number);
      break;
  }
  return j;
}

ordered OpJson(const TxnOp& op) {
  ordered body;
  ordered j;
  switch (op.kind) {
    case TxnOp::Kind::kPut:
      body["key"] = Base64Encode(op.key);
      body["value"] = Base64Encode(op.value);
      if (op.lease != 0) body["lease"] = Str(op.lease);
      j["request_put"] = body;
      break;
    case TxnOp::Kind::kDelete:
      SetRange(body, op.key, op.prefix);
      j["request_delete_range"] = body;
      break;
    case TxnOp::Kind::kRange:
      SetRange(body, op.key, op.prefix);
      j["request_range"] = body;
      break;
  }
  return j;
}

ordered OpsJson(const std::vector<TxnOp>& ops) {
  ordered arr = ordered::array();
  for (const auto& op : ops) arr.push_back(OpJson(op));
  return arr;
}

const nlohmann::json& Field(const nlohmann::json& obj, const char* field) {
  static const nlohmann::json null;
  if (!obj.is_object()) return null;
  auto it = obj.find(field);
  return it == obj.end() ? null : *it;
}

bool GetBool(const nlohmann::json& obj, const char* field) {
  const auto& v = Field(obj, field);
  return v.is_boolean() && v.get<bool>();
}

std::string GetString(const nlohmann::json& obj, const char* field) {
  const auto& v = Field(obj, field);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// Range responses inside a txn, in order, including nested txns.
Status CollectTxnKvs(const nlohmann::json& responses, std::vector<KeyValue>* kvs) {
  if (!responses.is_array()) return OkStatus();
  for (const auto& r : responses) {
    if (const auto& range = Field(r, "response_range"); range.is_object()) {
      auto parsed = ParseRange(range);
      if (!parsed.ok()) return parsed.error();
      for (auto& kv : parsed->kvs) kvs->push_back(std::move(kv));
    }
    if (const auto& txn = Field(r, "response_txn"); txn.is_object()) {
      PGHA_TRY(CollectTxnKvs(Field(txn, "responses"), kvs));
    }
  }
  return OkStatus();
}

}  // namespace

std::string RangeRequest(const std::string& key, bool prefix, bool serializable) {
  ordered req;
  SetRange(req, key, prefix);
  if (serializable) req["serializable"] = true;
  return req.dump();
}

std::string PutRequest(const std::string& key, const std::string& value, int64_t lease) {
  ordered req;
  req["key"] = Base64Encode(key);
  req["value"] = Base64Encode(value);
  if (lease != 0) req["lease"] = Str(lease);
  return req.dump();
}

std::string DeleteRequest(const std::string& key, bool prefix) {
  ordered req;
  SetRange(req, key, prefix);
  return req.dump();
}

std::string TxnRequest(const std::vector<Compare>& compares, const std::vector<TxnOp>& success,
                       const std::vector<TxnOp>& failure) {
  ordered req;
  ordered cmp = ordered::array();
  for (const auto& c : compares) cmp.push_back(CompareJson(c));
  req["compare"] = cmp;
  req["success"] = OpsJson(success);
  req["failure"] = OpsJson(failure);
  return req.dump();
}

// "TTL" must be spelt in capitals: etcd ignores "ttl" and grants its 2 s minimum.
std::string LeaseGrantRequest(int64_t ttl_seconds) {
  ordered req;
  req["TTL"] = Str(ttl_seconds);
  return req.dump();
}

std::string LeaseIdRequest(int64_t lease_id) {
  ordered req;
  req["ID"] = Str(lease_id);
  return req.dump();
}

std::string AuthenticateRequest(const std::string& name, const std::string& password) {
  ordered req;
  req["name"] = name;
  req["password"] = password;
  return req.dump();
}

std::string WatchCreateRequest(const std::string& prefix, int64_t start_revision) {
  ordered create;
  SetRange(create, prefix, true);
  if (start_revision > 0) create["start_revision"] = Str(start_revision);
  create["progress_notify"] = true;
  ordered req;
  req["create_request"] = create;
  return req.dump();
}

Result<nlohmann::json> Parse(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::string head(body.substr(0, 200));
    return Err("invalid JSON from etcd: " + head);
  }
  return j;
}

std::optional<EtcdError> FindError(const nlohmann::json& body) {
  const auto& err = Field(body, "error");
  if (err.is_object()) {
    return EtcdError{static_cast<int>(GetInt(err, "grpc_code")), GetString(err, "message")};
  }
  if (err.is_string()) {
    std::string msg = GetString(body, "message");
    return EtcdError{static_cast<int>(GetInt(body, "code")),
                     msg.empty() ? err.get<std::string>() : msg};
  }
  if (GetInt(body, "code") != 0) {
    return EtcdError{static_cast<int>(GetInt(body, "code")), GetString(body, "message")};
  }
  return std::nullopt;
}

int64_t GetInt(const nlohmann::json& obj, const char* field, int64_t fallback) {
  const auto& v = Field(obj, field);
  try {
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_string()) return std::stoll(v.get<std::string>());
  } catch (const std::exception&) {
  }
  return fallback;
}

uint64_t GetUint(const nlohmann::json& obj, const char* field, uint64_t fallback) {
  const auto& v = Field(obj, field);
  try {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) return static_cast<uint64_t>(v.get<int64_t>());
    if (v.is_string()) return std::stoull(v.get<std::string>());
  } catch (const std::exception&) {
  }
  return fallback;
}

Header ParseHeader(const nlohmann::json& body) {
  const auto& h = Field(body, "header");
  Header header;
  header.cluster_id = GetUint(h, "cluster_id");
  header.member_id = GetUint(h, "member_id");
  header.raft_term = GetUint(h, "raft_term");
  header.revision = GetInt(h, "revision");
  return header;
}

Result<KeyValue> ParseKeyValue(const nlohmann::json& kv) {
  KeyValue out;
  auto key = Base64Decode(GetString(kv, "key"));
  if (!key.ok()) return Err("etcd kv key: " + key.message());
  auto value = Base64Decode(GetString(kv, "value"));
  if (!value.ok()) return Err("etcd kv value of " + *key + ": " + value.message());
  out.key = std::move(*key);
  out.value = std::move(*value);
  out.create_revision = GetInt(kv, "create_revision");
  out.mod_revision = GetInt(kv, "mod_revision");
  out.version = GetInt(kv, "version");
  out.lease = GetInt(kv, "lease");
  return out;
}

Result<RangeResult> ParseRange(const nlohmann::json& body) {
  RangeResult out;
  out.revision = ParseHeader(body).revision;
  const auto& kvs = Field(body, "kvs");
  if (!kvs.is_array()) return out;  // omitted when empty
  for (const auto& kv : kvs) {
    auto parsed = ParseKeyValue(kv);
    if (!parsed.ok()) return parsed.error();
    out.kvs.push_back(std::move(*parsed));
  }
  return out;
}

Result<TxnResult> ParseTxn(const nlohmann::json& body) {
  TxnResult out;
  out.succeeded = GetBool(body, "succeeded");  // a failed txn has no "succeeded" key
  out.revision = ParseHeader(body).revision;
  PGHA_TRY(CollectTxnKvs(Field(body, "responses"), &out.kvs));
  return out;
}

int64_t ParseDeleted(const nlohmann::json& body) { return GetInt(body, "deleted"); }

Result<int64_t> ParseLeaseGrant(const nlohmann::json& body) {
  std::string error = GetString(body, "error");
  if (!error.empty()) return Err(error);
  int64_t id = GetInt(body, "ID");
  if (id == 0 || GetInt(body, "TTL") <= 0) return Err("lease grant returned no lease");
  return id;
}

KeepAliveResult ParseKeepAlive(const nlohmann::json& body) {
  const auto& result = Field(body, "result");
  const auto& fields = result.is_object() ? result : body;
  int64_t ttl = GetInt(fields, "TTL");
  return KeepAliveResult{ttl > 0 ? ttl : 0, ParseHeader(fields).revision};
}

Result<WatchMessage> ParseWatchMessage(const nlohmann::json& body) {
  WatchMessage msg;
  msg.error = FindError(body);
  if (msg.error) return msg;
  const auto& result = Field(body, "result");
  msg.revision = ParseHeader(result).revision;
  msg.created = GetBool(result, "created");
  msg.canceled = GetBool(result, "canceled");
  msg.compact_revision = GetInt(result, "compact_revision");
  msg.cancel_reason = GetString(result, "cancel_reason");
  const auto& events = Field(result, "events");
  if (!events.is_array()) return msg;
  for (const auto& e : events) {
    WatchEvent event;
    event.type =
        GetString(e, "type") == "DELETE" ? WatchEvent::Type::kDelete : WatchEvent::Type::kPut;
    auto kv = ParseKeyValue(Field(e, "kv"));
    if (!kv.ok()) return kv.error();
    event.kv = std::move(*kv);
    msg.events.push_back(std::move(event));
  }
  return msg;
}

std::vector<std::string> JsonObjectSplitter::Feed(std::string_view data) {
  buffer_.append(data);
  std::vector<std::string> objects;
  size_t consumed = 0;
  for (size_t i = scanned_; i < buffer_.size(); ++i) {
    char c = buffer_[i];
    if (depth_ == 0) {
      if (c == '{') {
        start_ = i;
        depth_ = 1;
      } else {
        consumed = i + 1;  // whitespace or stray bytes between objects
      }
      continue;
    }
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{') {
      ++depth_;
    } else if (c == '}' && --depth_ == 0) {
      objects.push_back(buffer_.substr(start_, i + 1 - start_));
      consumed = i + 1;
    }
  }
  if (depth_ > 0) consumed = start_;
  buffer_.erase(0, consumed);
  start_ -= std::min(start_, consumed);
  scanned_ = buffer_.size();
  return objects;
}

}  // namespace pgha::dcs::etcd_json
