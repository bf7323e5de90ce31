// The dcs module against a real single-node etcd on loopback.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "dcs/codec.h"
#include "dcs/dcs.h"
#include "dcs/etcd_client.h"
#include "dcs/http.h"
#include "support/etcd_process.h"
#include "support/freezable_proxy.h"

namespace pgha::dcs {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::WaitFor;

class EtcdDcsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = testing::EtcdCluster::Start();
    ASSERT_TRUE(started.ok()) << started.message();
    etcd_ = std::move(*started).release();
  }
  static void TearDownTestSuite() {
    delete etcd_;
    etcd_ = nullptr;
  }

  static EtcdOptions Etcd() {
    EtcdOptions o;
    o.endpoints = etcd_->endpoints();
    o.timeout = 3000ms;
    return o;
  }
  // A scope of its own per test, so tests never see each other's keys.
  static std::string Scope() {
    return ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  static std::unique_ptr<Dcs> MakeDcs(const std::string& name, bool watch = false) {
    DcsOptions o;
    o.etcd = Etcd();
    o.scope = Scope();
    o.name = name;
    o.watch = watch;
    return MakeEtcdDcs(o);
  }
  static Keys ScopeKeys() { return Keys("/service", Scope()); }

  static testing::EtcdCluster* etcd_;
};
testing::EtcdCluster* EtcdDcsTest::etcd_ = nullptr;

TEST_F(EtcdDcsTest, PutRangeDelete) {
  auto client = MakeEtcdClient(Etcd());
  const std::string p = ScopeKeys().prefix();
  ASSERT_TRUE(client->Put(p + "a", "1", 0).ok());
  ASSERT_TRUE(client->Put(p + "b", "2", 0).ok());
  auto one = client->Range(p + "a", false, false);
  ASSERT_TRUE(one.ok()) << one.message();
  ASSERT_EQ(one->kvs.size(), 1u);
  EXPECT_EQ(one->kvs[0].value, "1");
  auto all = client->Range(p, true, true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->kvs.size(), 2u);
  auto missing = client->Range(p + "zzz", false, false);
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->kvs.empty());
  auto deleted = client->Delete(p, true);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(*client->Delete(p, true), 0);
  EXPECT_TRUE(client->Range(p, true, false)->kvs.empty());
}

TEST_F(EtcdDcsTest, RotatesPastDeadEndpoint) {
  EtcdOptions o = Etcd();
  const std::string dead = "http://127.0.0.1:" + std::to_string(testing::FreePort());
  o.endpoints.insert(o.endpoints.begin(), dead);
  auto client = MakeEtcdClient(o);
  EXPECT_TRUE(client->Range("/x", false, false).ok());

  o.endpoints = {dead};
  auto only_dead = MakeEtcdClient(o)->Range("/x", false, false);
  ASSERT_FALSE(only_dead.ok());
  EXPECT_EQ(ClassifyError(only_dead.error()), EtcdErrc::kUnavailable);
  EXPECT_NE(only_dead.message().find(dead), std::string::npos) << only_dead.message();
}

TEST_F(EtcdDcsTest, LeaderRaceHasExactlyOneWinner) {
  auto a = MakeDcs("a"), b = MakeDcs("b");
  ASSERT_TRUE(a->EnsureLease(10).ok());
  ASSERT_TRUE(b->EnsureLease(10).ok());
  std::atomic<int> wins{0};
  std::thread ta([&] { wins += a->AcquireLeader().value() ? 1 : 0; });
  std::thread tb([&] { wins += b->AcquireLeader().value() ? 1 : 0; });
  ta.join();
  tb.join();
  EXPECT_EQ(wins.load(), 1);

  auto view = a->Load();
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(view->leader.has_value());
  Dcs* holder = *view->leader == "a" ? a.get() : b.get();
  Dcs* other = holder == a.get() ? b.get() : a.get();
  EXPECT_EQ(view->leader_lease, holder->lease_id());
  EXPECT_TRUE(holder->RefreshLeader().value());
  EXPECT_FALSE(other->RefreshLeader().value());
  EXPECT_FALSE(other->AcquireLeader().value());

  ASSERT_TRUE(other->ReleaseLeader().ok());  // not the holder: nothing happens
  EXPECT_EQ(a->Load()->leader, view->leader);
  ASSERT_TRUE(holder->ReleaseLeader().ok());
  EXPECT_FALSE(a->Load()->leader.has_value());
  EXPECT_FALSE(holder->RefreshLeader().value());
}

TEST_F(EtcdDcsTest, LeaseExpiryFreesTheLeaderKey) {
  auto a = MakeDcs("a"), b = MakeDcs("b");
  ASSERT_TRUE(a->EnsureLease(2).ok());
  ASSERT_TRUE(b->EnsureLease(10).ok());
  ASSERT_TRUE(a->AcquireLeader().value());
  ASSERT_TRUE(a->TouchMember(R"({"role":"primary"})").ok());
  EXPECT_FALSE(b->AcquireLeader().value());
  // a stops renewing: its leader and member keys vanish with its lease.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto v = b->Load();
        return v.ok() && !v->leader && v->members.empty();
      },
      8000ms));
  EXPECT_TRUE(b->AcquireLeader().value());
  EXPECT_FALSE(a->RefreshLeader().value());
  EXPECT_FALSE(a->KeepAlive().value());
  EXPECT_EQ(a->lease_id(), 0);
}

TEST_F(EtcdDcsTest, RefreshRebindsLeaderToRegrantedLease) {
  auto a = MakeDcs("a");
  auto raw = MakeEtcdClient(Etcd());
  ASSERT_TRUE(a->EnsureLease(10).ok());
  auto foreign_lease = raw->LeaseGrant(10);
  ASSERT_TRUE(foreign_lease.ok());
  // The key still says "a" but hangs on a lease that is not a's current one.
  ASSERT_TRUE(raw->Put(ScopeKeys().leader(), "a", *foreign_lease).ok());
  EXPECT_TRUE(a->RefreshLeader().value());
  EXPECT_EQ(a->Load()->leader_lease, a->lease_id());
  ASSERT_TRUE(raw->Put(ScopeKeys().leader(), "b", *foreign_lease).ok());
  EXPECT_FALSE(a->RefreshLeader().value());
  EXPECT_EQ(a->Load()->leader, "b");
}

TEST_F(EtcdDcsTest, KeepAliveOnRevokedLeaseReturnsFalse) {
  auto a = MakeDcs("a");
  auto raw = MakeEtcdClient(Etcd());
  ASSERT_TRUE(a->EnsureLease(10).ok());
  EXPECT_TRUE(a->KeepAlive().value());
  ASSERT_TRUE(raw->LeaseRevoke(a->lease_id()).ok());
  EXPECT_EQ(raw->LeaseKeepAlive(a->lease_id()).value().ttl, 0);
  EXPECT_FALSE(a->KeepAlive().value());
  EXPECT_EQ(a->lease_id(), 0);
  ASSERT_TRUE(a->EnsureLease(10).ok());
  EXPECT_NE(a->lease_id(), 0);
  EXPECT_TRUE(a->TouchMember("{}").ok());
}

TEST_F(EtcdDcsTest, WriteNamingDeadLeaseIsLeaseNotFound) {
  auto a = MakeDcs("a");
  auto raw = MakeEtcdClient(Etcd());
  ASSERT_TRUE(a->EnsureLease(10).ok());
  ASSERT_TRUE(raw->LeaseRevoke(a->lease_id()).ok());
  Status touched = a->TouchMember("{}");
  ASSERT_FALSE(touched.ok());
  EXPECT_EQ(ClassifyError(touched.error()), EtcdErrc::kLeaseNotFound) << touched.message();
  EXPECT_EQ(a->lease_id(), 0);  // forgotten, so EnsureLease grants a new one
  auto put = raw->Put(ScopeKeys().prefix() + "x", "y", 424242);
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(ClassifyError(put.error()), EtcdErrc::kLeaseNotFound);
}

TEST_F(EtcdDcsTest, ConfigCompareAndSwap) {
  auto a = MakeDcs("a"), b = MakeDcs("b");
  EXPECT_TRUE(a->WriteConfig(R"({"ttl":30})", 0).value());
  EXPECT_FALSE(b->WriteConfig(R"({"ttl":20})", 0).value());  // exists already
  int64_t rev = a->Load()->config_mod_revision;
  ASSERT_GT(rev, 0);
  EXPECT_TRUE(a->WriteConfig(R"({"ttl":40})", rev).value());
  EXPECT_FALSE(b->WriteConfig(R"({"ttl":50})", rev).value());  // stale revision: conflict
  EXPECT_EQ(a->Load()->config_json, R"({"ttl":40})");
  EXPECT_TRUE(b->WriteConfig(R"({"ttl":60})", -1).value());
  EXPECT_EQ(a->Load()->config_json, R"({"ttl":60})");

  EXPECT_TRUE(a->WriteFailover(EncodeFailover({"a", "b", ""}), 0).value());
  auto view = a->Load();
  ASSERT_TRUE(view->failover.has_value());
  EXPECT_EQ(view->failover->member, "b");
  EXPECT_TRUE(a->WriteFailover("{}", view->failover_mod_revision).value());
  EXPECT_FALSE(a->Load()->failover.has_value());
  EXPECT_TRUE(a->WriteSync(EncodeSync({"a", {"b"}, 0}), 0).value());
  EXPECT_EQ(a->Load()->sync->sync_standby, std::vector<std::string>{"b"});
}

TEST_F(EtcdDcsTest, InitializeRaceAndDeleteCluster) {
  auto a = MakeDcs("a"), b = MakeDcs("b");
  EXPECT_TRUE(a->RaceInitialize().value());
  EXPECT_FALSE(b->RaceInitialize().value());
  EXPECT_EQ(a->Load()->initialize, "");
  ASSERT_TRUE(a->SetInitialize("7710918677133999698").ok());
  EXPECT_EQ(b->Load()->initialize, "7710918677133999698");
  ASSERT_TRUE(a->WriteStatus(EncodeStatus(100, {}, {})).ok());
  EXPECT_EQ(b->Load()->optime, 100u);
  ASSERT_TRUE(a->DeleteCluster().ok());
  auto view = b->Load();
  EXPECT_FALSE(view->initialize.has_value());
  EXPECT_FALSE(view->optime.has_value());
}

TEST_F(EtcdDcsTest, WaitForChangeWakesOnAnotherClientsWrite) {
  auto a = MakeDcs("a", /*watch=*/true);
  auto raw = MakeEtcdClient(Etcd());
  auto view = a->Load();
  ASSERT_TRUE(view.ok());
  // Nothing changes: the wait lasts until the deadline.
  auto start = Clock::now();
  EXPECT_FALSE(a->WaitForChange(view->revision, start + 300ms));
  EXPECT_GE(Clock::now() - start, 300ms);

  ASSERT_TRUE(raw->Put(ScopeKeys().config(), "{}", 0).ok());
  start = Clock::now();
  EXPECT_TRUE(a->WaitForChange(view->revision, start + 5s));
  EXPECT_LT(Clock::now() - start, 1000ms);

  // Wake() from another thread ends a wait too.
  int64_t now_rev = a->Load()->revision;
  std::thread waker([&] { a->Wake(); });
  EXPECT_TRUE(a->WaitForChange(now_rev, Clock::now() + 5s));
  waker.join();
}

// A watch stream that goes silent without an error (a hung member, a dropped path) is noticed by
// the progress notifications that stop coming: the watcher re-lists from the next endpoint and
// wakes the loop for the change it missed, long before the 30 s idle limit would end the stream.
TEST_F(EtcdDcsTest, AStalledWatchIsNoticedAndTheMissedChangeWakes) {
  const std::string real = etcd_->endpoints().front();  // http://127.0.0.1:PORT
  testing::FreezableProxy proxy("127.0.0.1", std::stoi(real.substr(real.rfind(':') + 1)));
  DcsOptions o;
  o.etcd = Etcd();
  o.etcd.endpoints = {proxy.endpoint(), real};
  o.scope = Scope();
  o.name = "a";
  o.watch = true;
  auto a = MakeEtcdDcs(o);
  auto raw = MakeEtcdClient(Etcd());
  ASSERT_TRUE(raw->Put(ScopeKeys().leader(), "b", 0).ok());
  auto view = a->Load();
  ASSERT_TRUE(view.ok());
  // The stream works through the proxy: a change wakes the wait.
  ASSERT_TRUE(raw->Put(ScopeKeys().config(), "{}", 0).ok());
  ASSERT_TRUE(a->WaitForChange(view->revision, Clock::now() + 5s));
  int64_t before = a->Load()->revision;
  // The stream learns etcd's rhythm from its progress notifications (50 ms apart here) before
  // it can call a silence a stall: let a few of them through first.
  const long seen = proxy.bytes_to_clients();
  ASSERT_TRUE(WaitFor([&] { return proxy.bytes_to_clients() > seen + 800; }, 5000ms))
      << "no progress notifications came through the proxy";
  proxy.Freeze();
  ASSERT_TRUE(raw->Delete(ScopeKeys().leader(), false).ok());
  auto start = Clock::now();
  EXPECT_TRUE(a->WaitForChange(before, start + 10s)) << "the stalled stream was never noticed";
  EXPECT_LT(Clock::now() - start, 5s);
}

// Without etcd's progress notifications (its default interval is 10 minutes) a stream stuck on a
// member whose packets are dropped looks like a quiet one. Load() must then read etcd once the
// stream has said nothing for ChangeWatcher::kQuietLimit, not answer from its cache for up to
// 5 s: replicas saw an expired leader key 5 s late that way (host death, synchronous mode).
TEST(EtcdDcsQuietStream, LoadReadsEtcdOnceTheStreamIsQuiet) {
  testing::EtcdClusterOptions eo;
  eo.extra_args = {"--experimental-watch-progress-notify-interval=10m"};
  auto started = testing::EtcdCluster::Start(eo);
  ASSERT_TRUE(started.ok()) << started.message();
  const std::string real = (*started)->endpoints().front();
  testing::FreezableProxy proxy("127.0.0.1", std::stoi(real.substr(real.rfind(':') + 1)));
  DcsOptions o;
  o.etcd.endpoints = {proxy.endpoint(), real};
  o.etcd.timeout = 1000ms;
  o.scope = "quiet";
  o.name = "a";
  o.watch = true;
  auto a = MakeEtcdDcs(o);
  EtcdOptions direct;
  direct.endpoints = {real};
  auto raw = MakeEtcdClient(direct);
  const Keys k("/service", "quiet");
  ASSERT_TRUE(raw->Put(k.leader(), "b", 0).ok());
  auto view = a->Load();
  ASSERT_TRUE(view.ok()) << view.message();
  // The stream works through the proxy: a change wakes the wait, and the next read sees it.
  ASSERT_TRUE(raw->Put(k.config(), "{}", 0).ok());
  ASSERT_TRUE(a->WaitForChange(view->revision, Clock::now() + 5s));
  view = a->Load();
  ASSERT_TRUE(view.ok() && view->leader == std::optional<std::string>("b"));
  proxy.Freeze();
  ASSERT_TRUE(raw->Delete(k.leader(), false).ok());
  auto start = Clock::now();
  EXPECT_TRUE(WaitFor(
      [&] {
        auto v = a->Load();
        return v.ok() && !v->leader;
      },
      3000ms))
      << "Load() kept answering from its cache while the stream was stuck";
  EXPECT_LT(Clock::now() - start, 4s);
}

TEST_F(EtcdDcsTest, WaitForChangeIgnoresStatusAndOtherMembersKeys) {
  auto a = MakeDcs("a", /*watch=*/true);
  auto raw = MakeEtcdClient(Etcd());
  const Keys k = ScopeKeys();
  ASSERT_TRUE(raw->Put(k.leader(), "b", 0).ok());
  auto view = a->Load();
  ASSERT_TRUE(view.ok());
  // Writes every loop makes under load: /status, my own key, a replica's key.
  ASSERT_TRUE(raw->Put(k.status(), "{}", 0).ok());
  ASSERT_TRUE(raw->Put(k.member("a"), "{}", 0).ok());
  ASSERT_TRUE(raw->Put(k.member("c"), "{}", 0).ok());
  auto start = Clock::now();
  EXPECT_FALSE(a->WaitForChange(view->revision, start + 500ms));
  // The leader's member key does wake (replicas clone once the leader is running).
  ASSERT_TRUE(raw->Put(k.member("b"), "{}", 0).ok());
  EXPECT_TRUE(a->WaitForChange(view->revision, Clock::now() + 5s));
  // So does the leader key's deletion (the race starts on it).
  view = a->Load();
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(raw->Delete(k.leader(), false).ok());
  start = Clock::now();
  EXPECT_TRUE(a->WaitForChange(view->revision, start + 5s));
  EXPECT_LT(Clock::now() - start, 1s);
}

// Load() may answer from its last read while the watch sees no change; any change under the
// prefix (even one that does not wake the loop) and every own write must void that at once.
TEST_F(EtcdDcsTest, CachedLoadFollowsEveryChange) {
  auto a = MakeDcs("a", /*watch=*/true);
  auto raw = MakeEtcdClient(Etcd());
  const Keys k = ScopeKeys();
  ASSERT_TRUE(raw->Put(k.leader(), "b", 0).ok());
  ASSERT_TRUE(a->Load().ok());
  ASSERT_TRUE(a->Load().ok());  // possibly from the cache now
  ASSERT_TRUE(raw->Put(k.status(), EncodeStatus(777, {}, {}), 0).ok());
  auto sees_status = [&] {
    auto v = a->Load();
    return v.ok() && v->optime == std::optional<uint64_t>(777);
  };
  auto start = Clock::now();
  while (!sees_status() && Clock::now() - start < 10s) std::this_thread::sleep_for(10ms);
  EXPECT_LT(Clock::now() - start, 2s) << "a change under the prefix must void the cache";
  ASSERT_TRUE(a->EnsureLease(10).ok());
  ASSERT_TRUE(a->TouchMember(R"({"role":"replica"})").ok());
  auto v = a->Load();  // at once, with no wait for the watch: own writes void the cache
  ASSERT_TRUE(v.ok());
  EXPECT_NE(v->FindMember("a"), nullptr);
}

// Counts the ranges a real client sends (the reads Load() did not answer from its cache).
class CountingClient final : public EtcdClient {
 public:
  CountingClient(std::unique_ptr<EtcdClient> real, std::atomic<int>* ranges)
      : real_(std::move(real)), ranges_(ranges) {}
  Result<RangeResult> Range(const std::string& key, bool prefix, bool serializable) override {
    ++*ranges_;
    return real_->Range(key, prefix, serializable);
  }
  Result<int64_t> Put(const std::string& key, const std::string& value, int64_t lease) override {
    return real_->Put(key, value, lease);
  }
  Result<int64_t> Delete(const std::string& key, bool prefix) override {
    return real_->Delete(key, prefix);
  }
  Result<TxnResult> Txn(const std::vector<Compare>& c, const std::vector<TxnOp>& s,
                        const std::vector<TxnOp>& f) override {
    return real_->Txn(c, s, f);
  }
  Result<int64_t> LeaseGrant(int64_t ttl) override { return real_->LeaseGrant(ttl); }
  Result<KeepAliveResult> LeaseKeepAlive(int64_t id) override { return real_->LeaseKeepAlive(id); }
  Status LeaseRevoke(int64_t id) override { return real_->LeaseRevoke(id); }
  Status Watch(const std::string& prefix, int64_t start,
               const std::function<bool(const std::vector<WatchEvent>&, int64_t)>& on_event,
               const std::atomic<bool>& stop) override {
    return real_->Watch(prefix, start, on_event, stop);
  }
  void Bound(std::chrono::milliseconds timeout,
             std::optional<Clock::time_point> not_after) override {
    real_->Bound(timeout, not_after);
  }

 private:
  std::unique_ptr<EtcdClient> real_;
  std::atomic<int>* ranges_;
};

// The key holder answers Load() from its last read only right after a keepalive whose header
// carries that read's revision (nothing in etcd changed since); without that keepalive, or once
// anything under any prefix changed, it reads etcd.
TEST_F(EtcdDcsTest, TheKeyHolderReusesItsReadOnlyWhenAKeepaliveProvesItCurrent) {
  DcsOptions o;
  o.etcd = Etcd();
  o.scope = Scope();
  o.name = "a";
  std::atomic<int> ranges{0};
  auto a = MakeEtcdDcs(o, std::make_unique<CountingClient>(MakeEtcdClient(Etcd()), &ranges),
                       MakeEtcdClient(Etcd()));
  ASSERT_TRUE(a->EnsureLease(10).ok());
  ASSERT_TRUE(a->AcquireLeader().value());
  auto first = a->Load();
  ASSERT_TRUE(first.ok() && first->leader == std::optional<std::string>("a"));
  // The watch must have delivered something recently for any reuse (ChangeWatcher): wait for it.
  auto proven_reuse = [&] {
    int before = ranges.load();
    if (!a->KeepAlive().value()) return false;
    auto v = a->Load();
    return v.ok() && ranges.load() == before;
  };
  ASSERT_TRUE(WaitFor(proven_reuse, 5000ms)) << "a proven read was never reused";
  int before = ranges.load();
  ASSERT_TRUE(a->Load().ok());  // no keepalive since the last Load(): read again
  EXPECT_EQ(ranges.load(), before + 1);
  // A write anywhere in etcd (another scope) raises the revision: the keepalive proves nothing.
  auto raw = MakeEtcdClient(Etcd());
  ASSERT_TRUE(raw->Put("/elsewhere/" + Scope(), "x", 0).ok());
  before = ranges.load();
  ASSERT_TRUE(a->KeepAlive().value());
  ASSERT_TRUE(a->Load().ok());
  EXPECT_EQ(ranges.load(), before + 1);
}

TEST_F(EtcdDcsTest, WatchDeliversEventsAndStopsPromptly) {
  auto client = MakeEtcdClient(Etcd());
  auto raw = MakeEtcdClient(Etcd());
  const std::string p = ScopeKeys().prefix();
  int64_t start = client->Range(p, true, false)->revision + 1;
  std::atomic<bool> stop{false};
  std::atomic<int> puts{0}, deletes{0};
  Status ended = OkStatus();
  std::thread watcher([&] {
    ended = client->Watch(
        p, start,
        [&](const std::vector<WatchEvent>& events, int64_t) {
          for (const auto& e : events) (e.type == WatchEvent::Type::kPut ? puts : deletes)++;
          return true;
        },
        stop);
  });
  ASSERT_TRUE(raw->Put(p + "k", "v", 0).ok());
  ASSERT_TRUE(raw->Delete(p + "k", false).ok());
  EXPECT_TRUE(WaitFor([&] { return puts == 1 && deletes == 1; }, 5000ms));
  auto stop_at = Clock::now();
  stop = true;
  watcher.join();
  EXPECT_LT(Clock::now() - stop_at, 1000ms);
  EXPECT_TRUE(ended.ok()) << ended.message();
}

TEST_F(EtcdDcsTest, WatchFromCompactedRevisionIsClassifiedCompacted) {
  auto client = MakeEtcdClient(Etcd());
  const std::string p = ScopeKeys().prefix();
  ASSERT_TRUE(client->Put(p + "k", "1", 0).ok());
  int64_t rev = client->Put(p + "k", "2", 0).value();
  http::Session easy;
  http::Request compact;
  compact.url = etcd_->endpoint(0) + "/v3/kv/compaction";
  compact.body = R"({"revision":")" + std::to_string(rev) + R"(","physical":true})";
  auto compacted = http::Post(easy, compact);
  ASSERT_TRUE(compacted.ok()) << compacted.message();
  ASSERT_EQ(compacted->status, 200) << compacted->body;

  std::atomic<bool> stop{false};
  Status ended = client->Watch(
      p, rev - 1, [](const std::vector<WatchEvent>&, int64_t) { return true; }, stop);
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ClassifyError(ended.error()), EtcdErrc::kCompacted) << ended.message();
}

}  // namespace
}  // namespace pgha::dcs
