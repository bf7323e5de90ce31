#pragma once
// An in-memory dcs::Dcs for the REST handler tests: a ClusterView with revisions, CAS on
// /config and /failover, and hooks to make the next write or load fail.
#include <functional>

#include "dcs/codec.h"
#include "dcs/dcs.h"

namespace pgha::api::testing {

class FakeDcs final : public dcs::Dcs {
 public:
  ha::ClusterView view;
  bool load_fails = false;
  bool write_fails = false;
  int wakes = 0;
  int failover_writes = 0;
  int config_writes = 0;
  std::string last_failover;
  // Runs after each Load (e.g. the agent completing a switchover).
  std::function<void(ha::ClusterView&)> on_load;

  Result<ha::ClusterView> Load() override {
    if (load_fails) return Err("etcd down");
    ha::ClusterView copy = view;
    if (on_load) on_load(view);
    return copy;
  }
  Status EnsureLease(int) override { return OkStatus(); }
  Result<bool> KeepAlive() override { return true; }
  Status RevokeLease() override { return OkStatus(); }
  int64_t lease_id() const override { return 1; }
  int64_t lease_ttl() const override { return 30; }
  Status ReplaceLease(int) override { return OkStatus(); }
  void BoundCalls(std::chrono::milliseconds, std::optional<MonoTime>) override {}
  Status TouchMember(const std::string&) override { return OkStatus(); }
  Status DeleteMember(const std::string&) override { return OkStatus(); }
  Result<bool> RaceInitialize() override { return false; }
  Status SetInitialize(const std::string&) override { return OkStatus(); }
  Status CancelInitialize() override { return OkStatus(); }
  Result<bool> AcquireLeader() override { return false; }
  Result<bool> RefreshLeader() override { return false; }
  Status ReleaseLeader() override { return OkStatus(); }
  Status WriteStatus(const std::string&) override { return OkStatus(); }
  Status WriteHistory(const std::string&) override { return OkStatus(); }
  Result<bool> WriteConfig(const std::string& json, int64_t mod_revision) override {
    if (write_fails) return Err("etcd down");
    if (!Matches(view.config_mod_revision, mod_revision)) return false;
    ++config_writes;
    view.config_json = json;
    view.config_mod_revision = ++view.revision;
    return true;
  }
  Result<bool> WriteFailover(const std::string& json, int64_t mod_revision) override {
    if (write_fails) return Err("etcd down");
    if (!Matches(view.failover_mod_revision, mod_revision)) return false;
    ++failover_writes;
    last_failover = json;
    auto decoded = dcs::DecodeFailover(json);
    view.failover = decoded.ok() ? *decoded : std::nullopt;
    view.failover_mod_revision = ++view.revision;
    return true;
  }
  Result<bool> WriteSync(const std::string&, int64_t) override { return true; }
  Result<bool> WriteTimelineClaim(const std::string&, int64_t) override { return true; }
  Result<bool> DeleteSync(int64_t) override { return true; }
  Result<bool> WriteFailsafe(const std::optional<std::string>&) override { return true; }
  Status DeleteCluster() override { return OkStatus(); }
  bool WaitForChange(int64_t, std::chrono::steady_clock::time_point) override { return false; }
  void Wake() override { ++wakes; }

 private:
  static bool Matches(int64_t current, int64_t expected) {
    return expected == -1 || current == expected;
  }
};

inline ha::Member MemberNamed(const std::string& name, const std::string& role) {
  ha::Member m;
  m.name = name;
  m.role = role;
  m.state = "running";
  m.api_url = "http://127.0.0.1:8008/patroni";
  m.conn_url = "postgres://127.0.0.1:5432/postgres";
  return m;
}

// node1 leads, node2 and node3 replicate; /config holds loop_wait and ttl.
inline ha::ClusterView ThreeNodes() {
  ha::ClusterView v;
  v.revision = 10;
  v.leader = "node1";
  v.members = {MemberNamed("node1", "primary"), MemberNamed("node2", "replica"),
               MemberNamed("node3", "replica")};
  v.config_json = R"({"loop_wait":1,"ttl":5,"postgresql":{"parameters":{"work_mem":"4MB"}}})";
  v.config_mod_revision = 5;
  return v;
}

}  // namespace pgha::api::testing
