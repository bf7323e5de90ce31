#pragma once
// An in-memory etcd v3: revisions, transactions with compares, and leases that expire on the
// simulated clock, deleting their keys. Shared by every node's SimEtcdClient.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "dcs/etcd_client.h"
#include "sim/fake_clock.h"

namespace pgha::sim {

class SimEtcd {
 public:
  explicit SimEtcd(const FakeClock& clock) : clock_(clock) {}
  MonoTime Now() const { return clock_.Now(); }

  dcs::RangeResult Range(const std::string& prefix) const;
  std::optional<dcs::KeyValue> Get(const std::string& key) const;
  // Fails with etcd's "lease not found" when `lease` names no live lease.
  Result<int64_t> Put(const std::string& key, const std::string& value, int64_t lease);
  int64_t Delete(const std::string& key, bool prefix);
  Result<dcs::TxnResult> Txn(const std::vector<dcs::Compare>& compares,
                             const std::vector<dcs::TxnOp>& success,
                             const std::vector<dcs::TxnOp>& failure);

  int64_t LeaseGrant(int64_t ttl_seconds);
  // Remaining TTL in seconds; 0 when the lease is gone (as the gateway answers).
  int64_t LeaseKeepAlive(int64_t id);
  bool LeaseRevoke(int64_t id);

  // Deletes the keys of every lease whose deadline has passed (no-op while frozen).
  void ExpireLeases();
  // etcd leader change: the new lessor gives every lease its full TTL again (docs/interfaces.md
  // §2.5).
  void ExtendAllLeases();
  // etcd 3.4's stale raft leader (issues 12528, 15247): back from a freeze, it revokes every
  // lease it believes expired, which is every lease it knew (docs/safety.md, section 9).
  void RevokeEveryLease();
  // The whole etcd cluster is down: nothing expires until it is back.
  void SetFrozen(bool frozen) { frozen_ = frozen; }

  int64_t revision() const { return revision_; }

  // Who issues the next requests (a member's agent or guard, "operator", ...): the removal hook
  // below reports it. SimEtcdClient and the world set it before every request.
  void set_actor(std::string actor) { actor_ = std::move(actor); }
  const std::string& actor() const { return actor_; }
  // How a key left: a delete (DeleteRange or a transaction's delete), a lease revoke, expiry.
  enum class Removal { kDelete, kRevoke, kExpiry };
  // Observes every key removal: the key as it was, how, and the actor of the request.
  using RemoveHook =
      std::function<void(const dcs::KeyValue& kv, Removal how, const std::string& actor)>;
  void OnRemove(RemoveHook hook) { on_remove_ = std::move(hook); }

  // Observes every put: the key, its value before (nullopt: it did not exist) and after.
  using PutHook = std::function<void(
      const std::string& key, const std::optional<std::string>& before, const std::string& after)>;
  void OnPut(PutHook hook) { on_put_ = std::move(hook); }

 private:
  struct Lease {
    int64_t ttl = 0;
    MonoTime deadline{};
  };
  bool Holds(const dcs::Compare& c) const;
  bool LeaseAlive(int64_t id) const { return id == 0 || leases_.count(id) > 0; }
  void PutAt(const std::string& key, const std::string& value, int64_t lease, int64_t rev);
  bool DeleteAt(const std::string& key, bool prefix);
  bool Revoke(int64_t id, Removal how);

  void Removed(const dcs::KeyValue& kv, Removal how);
  void Run(const std::vector<dcs::TxnOp>& ops, dcs::TxnResult* out);

  const FakeClock& clock_;
  std::map<std::string, dcs::KeyValue> kv_;
  std::map<int64_t, Lease> leases_;
  int64_t revision_ = 1;
  int64_t next_lease_ = 7000;
  bool frozen_ = false;
  PutHook on_put_;
  RemoveHook on_remove_;
  std::string actor_;
};

}  // namespace pgha::sim
