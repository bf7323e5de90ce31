#pragma once
// dcs::Dcs over the shared SimEtcd, one per agent process. It issues the same transactions as
// the real EtcdDcs (src/dcs/etcd_dcs.cc); every call first crosses the node's simulated network
// link, which may fail it (etcd down, partition, flaky) or make it take time.
#include <string>

#include "dcs/dcs.h"
#include "dcs/keys.h"
#include "sim/sim_etcd.h"

namespace pgha::sim {

// The network path from one node to etcd.
class EtcdLink {
 public:
  virtual ~EtcdLink() = default;
  // Called before each request: an error fails it (possibly after simulated time passed).
  virtual Status Cross() = 0;
};

class FakeDcs final : public dcs::Dcs {
 public:
  FakeDcs(SimEtcd& etcd, EtcdLink& link, const std::string& scope, const std::string& name)
      : etcd_(etcd), link_(link), keys_("/service", scope), name_(name) {}

  Result<ha::ClusterView> Load() override;
  Status EnsureLease(int ttl_seconds) override;
  Result<bool> KeepAlive() override;
  Status RevokeLease() override;
  int64_t lease_id() const override { return lease_; }
  int64_t lease_ttl() const override;
  Status ReplaceLease(int ttl_seconds) override;
  // A call after `not_after` fails at once (the link decides how long other failures take).
  void BoundCalls(std::chrono::milliseconds, std::optional<MonoTime> not_after) override {
    not_after_ = not_after;
  }
  const std::optional<MonoTime>& not_after() const { return not_after_; }
  Status TouchMember(const std::string& member_json) override;
  Status DeleteMember(const std::string& name) override;
  Result<bool> RaceInitialize() override;
  Status SetInitialize(const std::string& sysid) override;
  Status CancelInitialize() override;
  Result<bool> AcquireLeader() override;
  Result<bool> RefreshLeader() override;
  Status ReleaseLeader() override;
  Status WriteStatus(const std::string& status_json) override;
  Status WriteHistory(const std::string& history_json) override;
  Result<bool> WriteConfig(const std::string& config_json, int64_t mod_revision) override;
  Result<bool> WriteFailover(const std::string& json, int64_t mod_revision) override;
  Result<bool> WriteSync(const std::string& json, int64_t mod_revision) override;
  Result<bool> WriteTimelineClaim(const std::string& json, int64_t mod_revision) override;
  Result<bool> DeleteSync(int64_t mod_revision) override;
  Status DeleteCluster() override;
  // The simulator calls RunOnce itself: never block.
  bool WaitForChange(int64_t, std::chrono::steady_clock::time_point) override { return false; }
  void Wake() override {}

  // Negative controls: hazards reintroduced on the simulator's side (tests/sim/README.md).
  struct Hazards {
    bool lie_ttl = false;           // lease_ttl() reports the ttl in /config, not the granted one
    bool fake_sync_member = false;  // Load() shows me as a synchronous standby in /sync
  };
  void set_hazards(Hazards h) { hazards_ = h; }

 private:
  Status RequireLease() const;
  // Crosses the link, then tells etcd who is asking.
  Status Enter();
  Result<dcs::TxnResult> Txn(const std::vector<dcs::Compare>& compares,
                             const std::vector<dcs::TxnOp>& success,
                             const std::vector<dcs::TxnOp>& failure);
  Status Put(const std::string& key, const std::string& value, int64_t lease);
  Result<bool> CasWrite(const std::string& key, const std::string& value, int64_t mod_revision);
  template <class T>
  Result<T> Checked(Result<T> r);

  SimEtcd& etcd_;
  EtcdLink& link_;
  const dcs::Keys keys_;
  const std::string name_;
  int64_t lease_ = 0;
  int64_t lease_ttl_ = 0;
  std::optional<MonoTime> not_after_;  // BoundCalls: calls fail at once after this
  Hazards hazards_;
};

}  // namespace pgha::sim
