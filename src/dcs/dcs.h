#pragma once
// The DCS as the agent uses it: Patroni's key layout and compare-and-swap operations.
// Every write that decides ownership is a compare-and-swap (docs/safety.md).
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "dcs/etcd_client.h"
#include "ha/cluster.h"

namespace pgha::dcs {

class Dcs {
 public:
  virtual ~Dcs() = default;
  // One consistent read of the whole cluster prefix.
  virtual Result<ha::ClusterView> Load() = 0;

  // Lease of this agent (one per process, TTL = ttl). Keepalive returns false if the lease was
  // lost; the caller then grants a new one (EnsureLease) and re-puts its keys.
  virtual Status EnsureLease(int ttl_seconds) = 0;
  virtual Result<bool> KeepAlive() = 0;
  virtual Status RevokeLease() = 0;
  virtual int64_t lease_id() const = 0;
  // The TTL etcd reported for the current lease (granted, then every keepalive); 0 without one.
  virtual int64_t lease_ttl() const = 0;
  // Grants a new lease of `ttl_seconds` and makes it the current one (ttl changed). Keys stay on
  // the old lease until re-put: the caller re-binds the leader key and re-puts its member key.
  // On failure the current lease is kept.
  virtual Status ReplaceLease(int ttl_seconds) = 0;
  // Every later call ends within `timeout` and, when set, by `not_after` (steady_clock; failing
  // fast once it
  // has passed): a primary's etcd calls must leave it time to demote cleanly before its lease
  // may expire (docs/safety.md).
  virtual void BoundCalls(std::chrono::milliseconds timeout, std::optional<MonoTime> not_after) = 0;

  // members/<me> = JSON, attached to the lease.
  virtual Status TouchMember(const std::string& member_json) = 0;
  virtual Status DeleteMember(const std::string& name) = 0;

  // initialize: create-if-absent race (value ""), then the sysid.
  virtual Result<bool> RaceInitialize() = 0;
  virtual Status SetInitialize(const std::string& sysid) = 0;
  virtual Status CancelInitialize() = 0;

  // leader: create-if-absent with my lease. Returns true when I hold it afterwards.
  virtual Result<bool> AcquireLeader() = 0;
  // Confirms I still hold the key with my current lease (re-binding it to a re-granted lease
  // when the value is still mine). Returns false when someone else holds it or it is gone.
  virtual Result<bool> RefreshLeader() = 0;
  // Deletes leader only if its value is my name.
  virtual Status ReleaseLeader() = 0;
  virtual Status WriteStatus(const std::string& status_json) = 0;
  virtual Status WriteHistory(const std::string& history_json) = 0;
  // Compare-and-swap on mod_revision (0 = create only if absent; -1 = unconditional).
  virtual Result<bool> WriteConfig(const std::string& config_json, int64_t mod_revision) = 0;
  virtual Result<bool> WriteFailover(const std::string& json, int64_t mod_revision) = 0;
  virtual Result<bool> WriteSync(const std::string& json, int64_t mod_revision) = 0;
  // /pgha_timeline, compare-and-swap like the above (0 = create only if absent).
  virtual Result<bool> WriteTimelineClaim(const std::string& json, int64_t mod_revision) = 0;
  // Deletes /sync if its mod_revision is still `mod_revision` (synchronous_mode turned off).
  virtual Result<bool> DeleteSync(int64_t mod_revision) = 0;
  // /failsafe = `json`, or deleted (nullopt), only while the leader key holds my name: a deposed
  // leader never rewrites the topology the next one counts on. Returns false when it did not.
  virtual Result<bool> WriteFailsafe(const std::optional<std::string>& json) = 0;
  virtual Status DeleteCluster() = 0;  // pghactl remove

  // Blocks until something under the prefix changes after `revision`, or the deadline.
  // Returns true if woken by a change. Backed by a watch thread.
  virtual bool WaitForChange(int64_t revision, std::chrono::steady_clock::time_point deadline) = 0;
  // Wakes WaitForChange from another thread (REST requests use this).
  virtual void Wake() = 0;
};

struct DcsOptions {
  EtcdOptions etcd;
  std::string namespace_ = "/service";  // without trailing slash
  std::string scope;
  std::string name;   // this member
  bool watch = true;  // start the watch thread (the agent); pghactl does not need it
};

std::unique_ptr<Dcs> MakeEtcdDcs(const DcsOptions& options);
// The same over a given client (the simulator's, tests/sim/sim_etcd_client.h), without a watch:
// every Load() reads etcd. options.etcd is not used.
std::unique_ptr<Dcs> MakeEtcdDcs(const DcsOptions& options, std::unique_ptr<EtcdClient> client);
// Over given clients, one for the calls and one for the watch stream (null: no watch).
std::unique_ptr<Dcs> MakeEtcdDcs(const DcsOptions& options, std::unique_ptr<EtcdClient> client,
                                 std::unique_ptr<EtcdClient> watch_client);

}  // namespace pgha::dcs
