#include "sim/sim_etcd.h"

#include "dcs/etcd_errors.h"

namespace pgha::sim {
namespace {

using dcs::Compare;
using dcs::KeyValue;
using dcs::TxnOp;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

template <class T>
bool CompareOp(Compare::Op op, const T& have, const T& want) {
  switch (op) {
    case Compare::Op::kEqual:
      return have == want;
    case Compare::Op::kNotEqual:
      return have != want;
    case Compare::Op::kGreater:
      return have > want;
    case Compare::Op::kLess:
      return have < want;
  }
  return false;
}

}  // namespace

dcs::RangeResult SimEtcd::Range(const std::string& prefix) const {
  dcs::RangeResult out;
  out.revision = revision_;
  for (auto it = kv_.lower_bound(prefix); it != kv_.end() && StartsWith(it->first, prefix); ++it) {
    out.kvs.push_back(it->second);
  }
  return out;
}

std::optional<KeyValue> SimEtcd::Get(const std::string& key) const {
  auto it = kv_.find(key);
  if (it == kv_.end()) return std::nullopt;
  return it->second;
}

void SimEtcd::PutAt(const std::string& key, const std::string& value, int64_t lease, int64_t rev) {
  KeyValue& kv = kv_[key];
  std::optional<std::string> before;
  if (kv.create_revision != 0) before = kv.value;
  if (kv.create_revision == 0) {
    kv.key = key;
    kv.create_revision = rev;
    kv.version = 0;
  }
  kv.value = value;
  kv.lease = lease;
  kv.mod_revision = rev;
  kv.version++;
  if (on_put_) on_put_(key, before, value);
}

void SimEtcd::Removed(const KeyValue& kv, Removal how) {
  if (on_remove_) on_remove_(kv, how, actor_);
}

bool SimEtcd::DeleteAt(const std::string& key, bool prefix) {
  std::vector<KeyValue> gone;
  if (!prefix) {
    auto it = kv_.find(key);
    if (it == kv_.end()) return false;
    gone.push_back(it->second);
    kv_.erase(it);
  } else {
    for (auto it = kv_.lower_bound(key); it != kv_.end() && StartsWith(it->first, key);) {
      gone.push_back(it->second);
      it = kv_.erase(it);
    }
  }
  for (const auto& kv : gone) Removed(kv, Removal::kDelete);
  return !gone.empty();
}

Result<int64_t> SimEtcd::Put(const std::string& key, const std::string& value, int64_t lease) {
  if (!LeaseAlive(lease)) {
    return dcs::EtcdErr(dcs::EtcdErrc::kLeaseNotFound, "etcdserver: requested lease not found");
  }
  PutAt(key, value, lease, ++revision_);
  return revision_;
}

int64_t SimEtcd::Delete(const std::string& key, bool prefix) {
  if (DeleteAt(key, prefix)) ++revision_;
  return revision_;
}

bool SimEtcd::Holds(const Compare& c) const {
  auto it = kv_.find(c.key);
  // etcd: a VALUE compare on a missing key always fails; the others compare against zeros.
  if (it == kv_.end() && c.target == Compare::Target::kValue) return false;
  KeyValue kv = it == kv_.end() ? KeyValue{} : it->second;
  switch (c.target) {
    case Compare::Target::kCreate:
      return CompareOp(c.op, kv.create_revision, c.number);
    case Compare::Target::kMod:
      return CompareOp(c.op, kv.mod_revision, c.number);
    case Compare::Target::kVersion:
      return CompareOp(c.op, kv.version, c.number);
    case Compare::Target::kLease:
      return CompareOp(c.op, kv.lease, c.number);
    case Compare::Target::kValue:
      return CompareOp(c.op, kv.value, c.value);
  }
  return false;
}

void SimEtcd::Run(const std::vector<TxnOp>& ops, dcs::TxnResult* out) {
  bool writes = false;
  for (const auto& op : ops) writes = writes || op.kind != TxnOp::Kind::kRange;
  int64_t rev = writes ? revision_ + 1 : revision_;
  bool changed = false;
  for (const auto& op : ops) {
    if (op.kind == TxnOp::Kind::kPut) {
      PutAt(op.key, op.value, op.lease, rev);
      changed = true;
    } else if (op.kind == TxnOp::Kind::kDelete) {
      changed = DeleteAt(op.key, op.prefix) || changed;
    } else {
      auto range = op.prefix ? Range(op.key).kvs : std::vector<KeyValue>{};
      if (!op.prefix) {
        if (auto kv = Get(op.key)) range.push_back(*kv);
      }
      out->kvs.insert(out->kvs.end(), range.begin(), range.end());
    }
  }
  if (changed) revision_ = rev;
  out->revision = revision_;
}

Result<dcs::TxnResult> SimEtcd::Txn(const std::vector<Compare>& compares,
                                    const std::vector<TxnOp>& success,
                                    const std::vector<TxnOp>& failure) {
  dcs::TxnResult out;
  out.succeeded = true;
  for (const auto& c : compares) out.succeeded = out.succeeded && Holds(c);
  const auto& ops = out.succeeded ? success : failure;
  // etcd validates the whole branch first: a put naming a dead lease fails the request.
  for (const auto& op : ops) {
    if (op.kind == TxnOp::Kind::kPut && !LeaseAlive(op.lease)) {
      return dcs::EtcdErr(dcs::EtcdErrc::kLeaseNotFound, "etcdserver: requested lease not found");
    }
  }
  Run(ops, &out);
  return out;
}

int64_t SimEtcd::LeaseGrant(int64_t ttl_seconds) {
  int64_t id = next_lease_++;
  leases_[id] = Lease{ttl_seconds, clock_.Now() + std::chrono::seconds(ttl_seconds)};
  return id;
}

int64_t SimEtcd::LeaseKeepAlive(int64_t id) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return 0;
  it->second.deadline = clock_.Now() + std::chrono::seconds(it->second.ttl);
  return it->second.ttl;
}

bool SimEtcd::LeaseRevoke(int64_t id) { return Revoke(id, Removal::kRevoke); }

bool SimEtcd::Revoke(int64_t id, Removal how) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return false;
  leases_.erase(it);
  std::vector<KeyValue> gone;
  for (auto kv = kv_.begin(); kv != kv_.end();) {
    if (kv->second.lease == id) {
      gone.push_back(kv->second);
      kv = kv_.erase(kv);
    } else {
      ++kv;
    }
  }
  if (!gone.empty()) ++revision_;
  for (const auto& kv : gone) Removed(kv, how);
  return true;
}

void SimEtcd::RevokeEveryLease() {
  std::vector<int64_t> ids;
  for (const auto& [id, lease] : leases_) ids.push_back(id);
  for (int64_t id : ids) Revoke(id, Removal::kRevoke);
}

void SimEtcd::ExpireLeases() {
  if (frozen_) return;
  std::vector<int64_t> dead;
  for (const auto& [id, lease] : leases_) {
    if (clock_.Now() >= lease.deadline) dead.push_back(id);
  }
  for (int64_t id : dead) Revoke(id, Removal::kExpiry);
}

void SimEtcd::ExtendAllLeases() {
  for (auto& [id, lease] : leases_) {
    lease.deadline = clock_.Now() + std::chrono::seconds(lease.ttl);
  }
}

}  // namespace pgha::sim
