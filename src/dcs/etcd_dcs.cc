// Dcs over etcd: Patroni's key layout and compare-and-swap operations (docs/interfaces.md §1).
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <utility>

#include "dcs/codec.h"
#include "dcs/dcs.h"
#include "dcs/etcd_errors.h"
#include "dcs/keys.h"
#include "dcs/watcher.h"

namespace pgha::dcs {
namespace {

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

Status AsStatus(const Result<int64_t>& r) {
  if (!r.ok()) return r.error();
  return OkStatus();
}

class EtcdDcs final : public Dcs {
 public:
  EtcdDcs(const DcsOptions& options, std::unique_ptr<EtcdClient> client,
          std::unique_ptr<EtcdClient> watch_client)
      : keys_(options.namespace_, options.scope),
        name_(options.name),
        client_(std::move(client)),
        watcher_(std::move(watch_client), keys_.prefix(), options.name) {}

  Result<ha::ClusterView> Load() override {
    std::lock_guard lock(mu_);
    // The last read is reused while the watch has seen no change since, for at most
    // kCacheMaxAge after it was read or last proven current: a keepalive whose header carries
    // the read's revision proves nothing in etcd changed in between (any write anywhere raises
    // the revision). The key holder acts as primary on its view of its own key: it reuses the
    // read only when the keepalive it sent just before proved it current.
    auto now = std::chrono::steady_clock::now();
    bool proven = std::exchange(cache_proven_, false);
    if (cache_ && (cache_->leader != name_ || proven) && now - cache_time_ < kCacheMaxAge &&
        watcher_.UnchangedSince(cache_epoch_, cache_->revision)) {
      return *cache_;
    }
    uint64_t epoch = watcher_.Epoch();  // before the read: a re-list during it voids the cache
    // Linearizable: ownership decisions follow from this read (docs/interfaces.md §2.5, stale
    // members).
    auto range = client_->Range(keys_.prefix(), /*prefix=*/true, /*serializable=*/false);
    if (!range.ok()) return range.error();
    std::vector<std::string> warnings;
    ha::ClusterView view = BuildClusterView(keys_, range->kvs, range->revision, &warnings);
    for (const auto& w : warnings) spdlog::warn("dcs: {}", w);
    cache_ = view;
    cache_epoch_ = epoch;
    cache_time_ = now;
    return view;
  }

  Status EnsureLease(int ttl_seconds) override {
    std::lock_guard lock(mu_);
    if (lease_ != 0) return OkStatus();
    auto id = client_->LeaseGrant(ttl_seconds);
    if (!id.ok()) return id.error();
    lease_ = *id;
    lease_ttl_ = ttl_seconds;
    return OkStatus();
  }

  Status ReplaceLease(int ttl_seconds) override {
    std::lock_guard lock(mu_);
    auto id = client_->LeaseGrant(ttl_seconds);
    if (!id.ok()) return id.error();
    lease_ = *id;
    lease_ttl_ = ttl_seconds;
    return OkStatus();
  }

  void BoundCalls(std::chrono::milliseconds timeout, std::optional<MonoTime> not_after) override {
    std::lock_guard lock(mu_);
    client_->Bound(timeout, not_after);
  }

  int64_t lease_ttl() const override { return lease_ == 0 ? 0 : lease_ttl_.load(); }

  Result<bool> KeepAlive() override {
    std::lock_guard lock(mu_);
    if (lease_ == 0) return false;
    auto alive = client_->LeaseKeepAlive(lease_);
    if (!alive.ok()) return alive.error();
    if (alive->ttl > 0) {
      lease_ttl_ = alive->ttl;
      if (cache_ && alive->revision != 0 && alive->revision == cache_->revision) {
        cache_proven_ = true;
        cache_time_ = std::chrono::steady_clock::now();
      }
      return true;
    }
    spdlog::warn("dcs: lease {} is gone", lease_.load());
    lease_ = 0;
    return false;
  }

  Status RevokeLease() override {
    auto lock = WriteLock();
    if (lease_ == 0) return OkStatus();
    Status revoked = client_->LeaseRevoke(lease_);
    if (!revoked.ok() && ClassifyError(revoked.error()) != EtcdErrc::kLeaseNotFound) {
      return revoked;
    }
    lease_ = 0;
    return OkStatus();
  }

  int64_t lease_id() const override { return lease_; }

  Status TouchMember(const std::string& member_json) override {
    auto lock = WriteLock();
    PGHA_TRY(RequireLease());
    return AsStatus(Checked(client_->Put(keys_.member(name_), member_json, lease_)));
  }

  Status DeleteMember(const std::string& name) override {
    auto lock = WriteLock();
    return AsStatus(client_->Delete(keys_.member(name), false));
  }

  Result<bool> RaceInitialize() override {
    auto lock = WriteLock();
    auto txn = client_->Txn({Cmp(keys_.initialize(), Target::kCreate, 0)},
                            {PutOp(keys_.initialize(), "")}, {});
    if (!txn.ok()) return txn.error();
    return txn->succeeded;
  }

  Status SetInitialize(const std::string& sysid) override {
    auto lock = WriteLock();
    return AsStatus(client_->Put(keys_.initialize(), sysid, 0));
  }

  Status CancelInitialize() override {
    auto lock = WriteLock();
    return AsStatus(client_->Delete(keys_.initialize(), false));
  }

  Result<bool> AcquireLeader() override {
    auto lock = WriteLock();
    PGHA_TRY(RequireLease());
    const std::string key = keys_.leader();
    auto txn = Checked(
        client_->Txn({Cmp(key, Target::kCreate, 0)}, {PutOp(key, name_, lease_)}, {RangeOp(key)}));
    if (!txn.ok()) return txn.error();
    // A retried call whose first attempt already won finds the key holding our name and lease.
    return txn->succeeded || HeldByMe(txn->kvs, lease_);
  }

  Result<bool> RefreshLeader() override {
    auto lock = WriteLock();
    if (lease_ == 0) return false;
    const std::string key = keys_.leader();
    auto check = client_->Txn({ValueIs(key, name_), Cmp(key, Target::kLease, lease_)},
                              {RangeOp(key)}, {RangeOp(key)});
    if (!check.ok()) return check.error();
    if (check->succeeded) return true;
    if (check->kvs.empty() || check->kvs[0].value != name_) return false;
    // Still my name but an older lease: the lease was re-granted. Re-bind the key to it.
    auto rebind = Checked(client_->Txn({ValueIs(key, name_)}, {PutOp(key, name_, lease_)}, {}));
    if (!rebind.ok()) return rebind.error();
    return rebind->succeeded;
  }

  Status ReleaseLeader() override {
    auto lock = WriteLock();
    const std::string key = keys_.leader();
    auto txn = client_->Txn({ValueIs(key, name_)}, {DeleteOp(key)}, {});
    if (!txn.ok()) return txn.error();
    return OkStatus();
  }

  Status WriteStatus(const std::string& status_json) override {
    auto lock = WriteLock();
    return AsStatus(client_->Put(keys_.status(), status_json, 0));
  }

  Status WriteHistory(const std::string& history_json) override {
    auto lock = WriteLock();
    return AsStatus(client_->Put(keys_.history(), history_json, 0));
  }

  Result<bool> WriteConfig(const std::string& config_json, int64_t mod_revision) override {
    return CasWrite(keys_.config(), config_json, mod_revision);
  }
  Result<bool> WriteFailover(const std::string& json, int64_t mod_revision) override {
    return CasWrite(keys_.failover(), json, mod_revision);
  }
  Result<bool> WriteSync(const std::string& json, int64_t mod_revision) override {
    return CasWrite(keys_.sync(), json, mod_revision);
  }
  Result<bool> WriteTimelineClaim(const std::string& json, int64_t mod_revision) override {
    return CasWrite(keys_.timeline_claim(), json, mod_revision);
  }
  Result<bool> DeleteSync(int64_t mod_revision) override {
    auto lock = WriteLock();
    const std::string key = keys_.sync();
    auto txn = client_->Txn({Cmp(key, Target::kMod, mod_revision)}, {DeleteOp(key)}, {});
    if (!txn.ok()) return txn.error();
    return txn->succeeded;
  }

  Result<bool> WriteFailsafe(const std::optional<std::string>& json) override {
    auto lock = WriteLock();
    const std::string key = keys_.failsafe();
    auto txn = client_->Txn({ValueIs(keys_.leader(), name_)},
                            {json ? PutOp(key, *json) : DeleteOp(key)}, {});
    if (!txn.ok()) return txn.error();
    return txn->succeeded;
  }

  Status DeleteCluster() override {
    auto lock = WriteLock();
    return AsStatus(client_->Delete(keys_.prefix(), /*prefix=*/true));
  }

  bool WaitForChange(int64_t revision, std::chrono::steady_clock::time_point deadline) override {
    return watcher_.WaitForChange(revision, deadline);
  }
  void Wake() override { watcher_.Wake(); }

 private:
  // Every write takes the lock through here: it voids the cached read, so the next Load() sees
  // this agent's own change without waiting for the watch to report it.
  std::unique_lock<std::mutex> WriteLock() {
    std::unique_lock lock(mu_);
    cache_.reset();
    return lock;
  }

  Status RequireLease() const {
    if (lease_ != 0) return OkStatus();
    return EtcdErr(EtcdErrc::kLeaseNotFound, "no lease granted yet (EnsureLease first)");
  }

  bool HeldByMe(const std::vector<KeyValue>& kvs, int64_t lease) const {
    return !kvs.empty() && kvs[0].value == name_ && kvs[0].lease == lease;
  }

  // A write naming a dead lease fails as a whole: forget the lease so EnsureLease grants anew.
  template <class T>
  Result<T> Checked(Result<T> r) {
    if (!r.ok() && ClassifyError(r.error()) == EtcdErrc::kLeaseNotFound) {
      spdlog::warn("dcs: lease {} not found: {}", lease_.load(), r.message());
      lease_ = 0;
    }
    return r;
  }

  // mod_revision: -1 unconditional, 0 create only if absent, else the revision last read.
  Result<bool> CasWrite(const std::string& key, const std::string& value, int64_t mod_revision) {
    auto lock = WriteLock();
    if (mod_revision < 0) {
      auto put = client_->Put(key, value, 0);
      if (!put.ok()) return put.error();
      return true;
    }
    Compare cmp =
        mod_revision == 0 ? Cmp(key, Target::kCreate, 0) : Cmp(key, Target::kMod, mod_revision);
    auto txn = client_->Txn({cmp}, {PutOp(key, value)}, {});
    if (!txn.ok()) return txn.error();
    return txn->succeeded;
  }

  const Keys keys_;
  const std::string name_;
  std::mutex mu_;  // the client is single-threaded; Dcs may be shared with the REST thread
  std::unique_ptr<EtcdClient> client_;
  std::atomic<int64_t> lease_{0};
  std::atomic<int64_t> lease_ttl_{0};  // TTL etcd reported for lease_
  ChangeWatcher watcher_;
  // The last read, reused by Load() while the watch shows nothing changed (guarded by mu_).
  static constexpr std::chrono::seconds kCacheMaxAge{5};
  std::optional<ha::ClusterView> cache_;
  uint64_t cache_epoch_ = 0;
  std::chrono::steady_clock::time_point cache_time_{};  // read, or last proven current
  bool cache_proven_ = false;  // by the last keepalive, for the next Load() only
};

}  // namespace

std::unique_ptr<Dcs> MakeEtcdDcs(const DcsOptions& options) {
  return std::make_unique<EtcdDcs>(options, MakeEtcdClient(options.etcd),
                                   options.watch ? MakeEtcdClient(options.etcd) : nullptr);
}

std::unique_ptr<Dcs> MakeEtcdDcs(const DcsOptions& options, std::unique_ptr<EtcdClient> client) {
  return std::make_unique<EtcdDcs>(options, std::move(client), nullptr);
}

std::unique_ptr<Dcs> MakeEtcdDcs(const DcsOptions& options, std::unique_ptr<EtcdClient> client,
                                 std::unique_ptr<EtcdClient> watch_client) {
  return std::make_unique<EtcdDcs>(options, std::move(client), std::move(watch_client));
}

}  // namespace pgha::dcs
