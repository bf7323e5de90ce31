#include "sim/fake_dcs.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "dcs/codec.h"
#include "dcs/etcd_errors.h"

namespace pgha::sim {
namespace {

using dcs::Compare;
using dcs::TxnOp;
using Target = Compare::Target;

Compare Cmp(const std::string& key, Target target, int64_t number) {
  Compare c;
  c.key = key;
  c.target = target;
  c.number = number;
  return c;
}

Compare ValueIs(const std::string& key, const std::string& value) {
  Compare c;
  c.key = key;
  c.target = Target::kValue;
  c.value = value;
  return c;
}

TxnOp PutOp(const std::string& key, const std::string& value, int64_t lease = 0) {
  return TxnOp{TxnOp::Kind::kPut, key, value, lease, false};
}
TxnOp RangeOp(const std::string& key) { return TxnOp{TxnOp::Kind::kRange, key, "", 0, false}; }
TxnOp DeleteOp(const std::string& key) { return TxnOp{TxnOp::Kind::kDelete, key, "", 0, false}; }

}  // namespace

// A call past the BoundCalls deadline fails at once, as EtcdClient::Call does; otherwise it
// crosses the node's link.
Status FakeDcs::Enter() {
  if (not_after_ && etcd_.Now() >= *not_after_) {
    return dcs::EtcdErr(dcs::EtcdErrc::kUnavailable, "deadline passed before the call");
  }
  PGHA_TRY(link_.Cross());
  etcd_.set_actor(name_);
  return OkStatus();
}

Result<ha::ClusterView> FakeDcs::Load() {
  PGHA_TRY(Enter());
  auto range = etcd_.Range(keys_.prefix());
  ha::ClusterView view = dcs::BuildClusterView(keys_, range.kvs, range.revision, nullptr);
  if (hazards_.fake_sync_member && view.sync && view.sync->leader != name_) {
    auto& standbys = view.sync->sync_standby;
    if (std::find(standbys.begin(), standbys.end(), name_) == standbys.end()) {
      standbys.push_back(name_);
    }
  }
  return view;
}

int64_t FakeDcs::lease_ttl() const {
  if (lease_ == 0) return 0;
  if (hazards_.lie_ttl) {
    auto config = etcd_.Get(keys_.config());
    auto j = nlohmann::json::parse(config ? config->value : "", nullptr, false);
    if (j.is_object() && j.contains("ttl") && j["ttl"].is_number_integer()) {
      return j["ttl"].get<int64_t>();
    }
  }
  return lease_ttl_;
}

Status FakeDcs::EnsureLease(int ttl_seconds) {
  if (lease_ != 0) return OkStatus();
  PGHA_TRY(Enter());
  lease_ = etcd_.LeaseGrant(ttl_seconds);
  lease_ttl_ = ttl_seconds;
  return OkStatus();
}

Status FakeDcs::ReplaceLease(int ttl_seconds) {
  PGHA_TRY(Enter());
  lease_ = etcd_.LeaseGrant(ttl_seconds);
  lease_ttl_ = ttl_seconds;
  return OkStatus();
}

Result<bool> FakeDcs::KeepAlive() {
  if (lease_ == 0) return false;
  PGHA_TRY(Enter());
  if (int64_t ttl = etcd_.LeaseKeepAlive(lease_); ttl > 0) {
    lease_ttl_ = ttl;
    return true;
  }
  lease_ = 0;
  return false;
}

Status FakeDcs::RevokeLease() {
  if (lease_ == 0) return OkStatus();
  PGHA_TRY(Enter());
  etcd_.LeaseRevoke(lease_);  // "lease not found" counts as revoked, as in EtcdDcs
  lease_ = 0;
  return OkStatus();
}

Status FakeDcs::RequireLease() const {
  if (lease_ != 0) return OkStatus();
  return dcs::EtcdErr(dcs::EtcdErrc::kLeaseNotFound, "no lease granted yet (EnsureLease first)");
}

template <class T>
Result<T> FakeDcs::Checked(Result<T> r) {
  if (!r.ok() && dcs::ClassifyError(r.error()) == dcs::EtcdErrc::kLeaseNotFound) lease_ = 0;
  return r;
}

Result<dcs::TxnResult> FakeDcs::Txn(const std::vector<Compare>& compares,
                                    const std::vector<TxnOp>& success,
                                    const std::vector<TxnOp>& failure) {
  PGHA_TRY(Enter());
  return etcd_.Txn(compares, success, failure);
}

Status FakeDcs::Put(const std::string& key, const std::string& value, int64_t lease) {
  PGHA_TRY(Enter());
  auto r = etcd_.Put(key, value, lease);
  if (!r.ok()) return r.error();
  return OkStatus();
}

Status FakeDcs::TouchMember(const std::string& member_json) {
  PGHA_TRY(RequireLease());
  auto r = Checked(Put(keys_.member(name_), member_json, lease_));
  return r;
}

Status FakeDcs::DeleteMember(const std::string& name) {
  PGHA_TRY(Enter());
  etcd_.Delete(keys_.member(name), false);
  return OkStatus();
}

Result<bool> FakeDcs::RaceInitialize() {
  auto txn =
      Txn({Cmp(keys_.initialize(), Target::kCreate, 0)}, {PutOp(keys_.initialize(), "")}, {});
  if (!txn.ok()) return txn.error();
  return txn->succeeded;
}

Status FakeDcs::SetInitialize(const std::string& sysid) {
  return Put(keys_.initialize(), sysid, 0);
}

Status FakeDcs::CancelInitialize() {
  PGHA_TRY(Enter());
  etcd_.Delete(keys_.initialize(), false);
  return OkStatus();
}

Result<bool> FakeDcs::AcquireLeader() {
  PGHA_TRY(RequireLease());
  const std::string key = keys_.leader();
  auto txn =
      Checked(Txn({Cmp(key, Target::kCreate, 0)}, {PutOp(key, name_, lease_)}, {RangeOp(key)}));
  if (!txn.ok()) return txn.error();
  bool mine = !txn->kvs.empty() && txn->kvs[0].value == name_ && txn->kvs[0].lease == lease_;
  return txn->succeeded || mine;
}

Result<bool> FakeDcs::RefreshLeader() {
  if (lease_ == 0) return false;
  const std::string key = keys_.leader();
  auto check =
      Txn({ValueIs(key, name_), Cmp(key, Target::kLease, lease_)}, {RangeOp(key)}, {RangeOp(key)});
  if (!check.ok()) return check.error();
  if (check->succeeded) return true;
  if (check->kvs.empty() || check->kvs[0].value != name_) return false;
  auto rebind = Checked(Txn({ValueIs(key, name_)}, {PutOp(key, name_, lease_)}, {}));
  if (!rebind.ok()) return rebind.error();
  return rebind->succeeded;
}

Status FakeDcs::ReleaseLeader() {
  const std::string key = keys_.leader();
  auto txn = Txn({ValueIs(key, name_)}, {DeleteOp(key)}, {});
  if (!txn.ok()) return txn.error();
  return OkStatus();
}

Status FakeDcs::WriteStatus(const std::string& status_json) {
  return Put(keys_.status(), status_json, 0);
}

Status FakeDcs::WriteHistory(const std::string& history_json) {
  return Put(keys_.history(), history_json, 0);
}

Result<bool> FakeDcs::CasWrite(const std::string& key, const std::string& value,
                               int64_t mod_revision) {
  if (mod_revision < 0) {
    PGHA_TRY(Put(key, value, 0));
    return true;
  }
  Compare cmp =
      mod_revision == 0 ? Cmp(key, Target::kCreate, 0) : Cmp(key, Target::kMod, mod_revision);
  auto txn = Txn({cmp}, {PutOp(key, value)}, {});
  if (!txn.ok()) return txn.error();
  return txn->succeeded;
}

Result<bool> FakeDcs::WriteConfig(const std::string& config_json, int64_t mod_revision) {
  return CasWrite(keys_.config(), config_json, mod_revision);
}
Result<bool> FakeDcs::WriteFailover(const std::string& json, int64_t mod_revision) {
  return CasWrite(keys_.failover(), json, mod_revision);
}
Result<bool> FakeDcs::WriteSync(const std::string& json, int64_t mod_revision) {
  return CasWrite(keys_.sync(), json, mod_revision);
}
Result<bool> FakeDcs::WriteTimelineClaim(const std::string& json, int64_t mod_revision) {
  return CasWrite(keys_.timeline_claim(), json, mod_revision);
}
Result<bool> FakeDcs::DeleteSync(int64_t mod_revision) {
  auto txn = Txn({Cmp(keys_.sync(), Target::kMod, mod_revision)}, {DeleteOp(keys_.sync())}, {});
  if (!txn.ok()) return txn.error();
  return txn->succeeded;
}

Status FakeDcs::DeleteCluster() {
  PGHA_TRY(Enter());
  etcd_.Delete(keys_.prefix(), true);
  return OkStatus();
}

}  // namespace pgha::sim
