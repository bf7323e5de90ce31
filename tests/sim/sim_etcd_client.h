#pragma once
// dcs::EtcdClient over the shared SimEtcd, one per agent process (and one for the operator): the
// simulator runs the production EtcdDcs (src/dcs/etcd_dcs.cc) on it, so the agent's etcd
// transactions, lease handling and read cache are the ones that ship. Every call first crosses
// the node's simulated network link, which may fail it (etcd down, partition, flaky) or make it
// take time.
#include <memory>
#include <optional>
#include <string>

#include "dcs/dcs.h"
#include "dcs/etcd_client.h"
#include "sim/sim_etcd.h"

namespace pgha::sim {

// The network path from one node to etcd.
class EtcdLink {
 public:
  virtual ~EtcdLink() = default;
  // Called before each request: an error fails it (possibly after simulated time passed).
  virtual Status Cross() = 0;
};

// Negative controls: hazards reintroduced on the etcd side (tests/sim/README.md).
struct EtcdHazards {
  bool lie_ttl = false;           // a keepalive reports the ttl in /config, not the lease's own
  bool fake_sync_member = false;  // reads show the caller as a synchronous standby in /sync
  bool zero_quorum = false;       // reads by any member but the /sync leader show quorum 0
};

class SimEtcdClient final : public dcs::EtcdClient {
 public:
  SimEtcdClient(SimEtcd& etcd, EtcdLink& link, std::string actor, std::string config_key = "",
                std::string sync_key = "", EtcdHazards hazards = {})
      : etcd_(etcd),
        link_(link),
        actor_(std::move(actor)),
        config_key_(std::move(config_key)),
        sync_key_(std::move(sync_key)),
        hazards_(hazards) {}

  Result<dcs::RangeResult> Range(const std::string& key, bool prefix, bool serializable) override;
  Result<int64_t> Put(const std::string& key, const std::string& value, int64_t lease) override;
  Result<int64_t> Delete(const std::string& key, bool prefix) override;
  Result<dcs::TxnResult> Txn(const std::vector<dcs::Compare>& compares,
                             const std::vector<dcs::TxnOp>& success,
                             const std::vector<dcs::TxnOp>& failure) override;
  Result<int64_t> LeaseGrant(int64_t ttl_seconds) override;
  Result<dcs::KeepAliveResult> LeaseKeepAlive(int64_t lease_id) override;
  Status LeaseRevoke(int64_t lease_id) override;
  // The simulator steps every agent itself: no watch stream (EtcdDcs then reads on every Load).
  Status Watch(const std::string&, int64_t,
               const std::function<bool(const std::vector<dcs::WatchEvent>&, int64_t)>&,
               const std::atomic<bool>&) override;
  // A call after `not_after` fails at once (the link decides how long other failures take).
  void Bound(std::chrono::milliseconds, std::optional<MonoTime> not_after) override {
    not_after_ = not_after;
  }

 private:
  // Crosses the link, then tells etcd who is asking.
  Status Enter();
  void ShowMeAsSyncStandby(std::vector<dcs::KeyValue>* kvs) const;
  void ShowZeroQuorum(std::vector<dcs::KeyValue>* kvs) const;

  SimEtcd& etcd_;
  EtcdLink& link_;
  const std::string actor_;
  const std::string config_key_, sync_key_;
  const EtcdHazards hazards_;
  std::optional<MonoTime> not_after_;
};

// The production EtcdDcs for member `name` of cluster `scope`, over a SimEtcdClient.
std::unique_ptr<dcs::Dcs> MakeSimDcs(SimEtcd& etcd, EtcdLink& link, const std::string& scope,
                                     const std::string& name, EtcdHazards hazards = {});

}  // namespace pgha::sim
