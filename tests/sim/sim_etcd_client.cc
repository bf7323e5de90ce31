#include "sim/sim_etcd_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "dcs/codec.h"
#include "dcs/etcd_errors.h"
#include "dcs/keys.h"

namespace pgha::sim {

// A call past the Bound deadline fails at once, as the real client does; otherwise it crosses the
// node's link.
Status SimEtcdClient::Enter() {
  if (not_after_ && etcd_.Now() >= *not_after_) {
    return dcs::EtcdErr(dcs::EtcdErrc::kUnavailable, "deadline passed before the call");
  }
  PGHA_TRY(link_.Cross());
  etcd_.set_actor(actor_);
  return OkStatus();
}

void SimEtcdClient::ShowMeAsSyncStandby(std::vector<dcs::KeyValue>* kvs) const {
  for (auto& kv : *kvs) {
    if (kv.key != sync_key_) continue;
    auto sync = dcs::DecodeSync(kv.value);
    if (!sync.ok() || sync->leader == actor_) continue;
    auto& standbys = sync->sync_standby;
    if (std::find(standbys.begin(), standbys.end(), actor_) == standbys.end()) {
      standbys.push_back(actor_);
    }
    kv.value = dcs::EncodeSync(*sync);
  }
}

void SimEtcdClient::ShowZeroQuorum(std::vector<dcs::KeyValue>* kvs) const {
  for (auto& kv : *kvs) {
    if (kv.key != sync_key_) continue;
    auto sync = dcs::DecodeSync(kv.value);
    if (!sync.ok() || sync->leader == actor_) continue;
    sync->quorum = 0;
    kv.value = dcs::EncodeSync(*sync);
  }
}

Result<dcs::RangeResult> SimEtcdClient::Range(const std::string& key, bool prefix, bool) {
  PGHA_TRY(Enter());
  dcs::RangeResult r;
  if (prefix) {
    r = etcd_.Range(key);
  } else {
    r.revision = etcd_.revision();
    if (auto kv = etcd_.Get(key)) r.kvs.push_back(*kv);
  }
  if (hazards_.fake_sync_member) ShowMeAsSyncStandby(&r.kvs);
  if (hazards_.zero_quorum) ShowZeroQuorum(&r.kvs);
  return r;
}

Result<int64_t> SimEtcdClient::Put(const std::string& key, const std::string& value,
                                   int64_t lease) {
  PGHA_TRY(Enter());
  return etcd_.Put(key, value, lease);
}

Result<int64_t> SimEtcdClient::Delete(const std::string& key, bool prefix) {
  PGHA_TRY(Enter());
  return etcd_.Delete(key, prefix);
}

Result<dcs::TxnResult> SimEtcdClient::Txn(const std::vector<dcs::Compare>& compares,
                                          const std::vector<dcs::TxnOp>& success,
                                          const std::vector<dcs::TxnOp>& failure) {
  PGHA_TRY(Enter());
  return etcd_.Txn(compares, success, failure);
}

Result<int64_t> SimEtcdClient::LeaseGrant(int64_t ttl_seconds) {
  PGHA_TRY(Enter());
  return etcd_.LeaseGrant(ttl_seconds);
}

Result<dcs::KeepAliveResult> SimEtcdClient::LeaseKeepAlive(int64_t lease_id) {
  PGHA_TRY(Enter());
  dcs::KeepAliveResult out{etcd_.LeaseKeepAlive(lease_id), etcd_.revision()};
  if (out.ttl > 0 && hazards_.lie_ttl) {
    auto config = etcd_.Get(config_key_);
    auto j = nlohmann::json::parse(config ? config->value : "", nullptr, false);
    if (j.is_object() && j.contains("ttl") && j["ttl"].is_number_integer()) {
      out.ttl = j["ttl"].get<int64_t>();
    }
  }
  return out;
}

Status SimEtcdClient::LeaseRevoke(int64_t lease_id) {
  PGHA_TRY(Enter());
  if (!etcd_.LeaseRevoke(lease_id)) {
    return dcs::EtcdErr(dcs::EtcdErrc::kLeaseNotFound, "requested lease not found");
  }
  return OkStatus();
}

Status SimEtcdClient::Watch(
    const std::string&, int64_t,
    const std::function<bool(const std::vector<dcs::WatchEvent>&, int64_t)>&,
    const std::atomic<bool>&) {
  return Err("the simulator has no watch stream");
}

std::unique_ptr<dcs::Dcs> MakeSimDcs(SimEtcd& etcd, EtcdLink& link, const std::string& scope,
                                     const std::string& name, EtcdHazards hazards) {
  dcs::DcsOptions o;
  o.scope = scope;
  o.name = name;
  o.watch = false;
  const dcs::Keys keys(o.namespace_, scope);
  return dcs::MakeEtcdDcs(
      o, std::make_unique<SimEtcdClient>(etcd, link, name, keys.config(), keys.sync(), hazards));
}

}  // namespace pgha::sim
