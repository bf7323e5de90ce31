// The operator: /config edits (PATCH /config), switchover and failover requests (the /failover key
// as POST /switchover and /failover write it), node-local restart and reinitialize (through the
// agent's OperationQueue, as the REST API posts them). And control (4), the removed
// processes-gone takeover, played by a simulator actor.
#include <fmt/format.h>

#include "api/handlers.h"
#include "api/health.h"
#include "core/iso_time.h"
#include "dcs/codec.h"
#include "sim/world.h"

namespace pgha::sim {
namespace {

const std::string kConfigKey = "/service/" + std::string(kScope) + "/config";

}  // namespace

SystemTime World::WallNow() const {
  return SystemTime(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::duration<double>(clock_.WallSeconds())));
}

std::optional<nlohmann::json> World::StatusOf(const std::string& name) {
  auto snapshot = PeerSnapshot("operator", name);
  if (!snapshot) return std::nullopt;
  return api::StatusJson(*snapshot);
}

namespace {

node::OpResponse Patch(dcs::Dcs& dcs, const nlohmann::json& patch) {
  api::OperationContext ctx;
  ctx.handlers.dcs = &dcs;
  ctx.sleep = [](std::chrono::milliseconds) {};
  api::OperationHandlers handlers(ctx);
  return handlers.PatchConfig(patch.dump());
}

}  // namespace

// One /config edit as an operator makes it (PATCH /config): ttl 5..30 with loop_wait 1 and
// retry_timeout 2..3, synchronous_mode on (asynchronous runs only: turning it off in a
// synchronous run would void invariant 6 by the operator's own choice), or pause. Healing
// patches the previous values back.
bool World::OperatorConfig(Fault& f) {
  auto kv = etcd_.Get(kConfigKey);
  if (!kv) return false;
  auto current = nlohmann::json::parse(kv->value, nullptr, false);
  if (!current.is_object()) return false;
  std::vector<std::string> edits = {"ttl", "ttl"};
  if (!opt_.sync) edits.push_back("synchronous_mode");
  if (faults_.empty()) edits.push_back("pause");  // pause only alone (see InjectFault)
  std::string edit = PickOf(edits);
  nlohmann::json patch = nlohmann::json::object();
  if (edit == "ttl") {
    int ttl = 5 + Pick(26);
    patch = {{"ttl", ttl}, {"loop_wait", 1}, {"retry_timeout", ttl >= 7 ? 2 + Pick(2) : 2}};
  } else {
    patch[edit] = true;
  }
  nlohmann::json undo = nlohmann::json::object();
  for (const auto& [key, value] : patch.items()) {
    undo[key] = current.contains(key) ? current[key] : nlohmann::json();
  }
  auto r = Patch(*operator_dcs_, patch);
  if (r.status != 200) return false;
  f.undo = undo.dump();
  ++out_.operator_requests;
  Log("operator", "PATCH /config " + patch.dump());
  return true;
}

bool World::HealConfig(const Fault& f) {
  auto undo = nlohmann::json::parse(f.undo, nullptr, false);
  auto r = Patch(*operator_dcs_, undo);
  if (r.status != 200) return false;
  Log("operator", "HEAL config: PATCH /config " + f.undo);
  return true;
}

// POST /switchover (from the leader, to a named or any candidate, now or scheduled 1-8 s ahead)
// or POST /failover (to a named member): the REST API's checks, then its /failover write.
bool World::OperatorFailover(const std::string& kind) {
  if (etcd_down_) return false;
  ha::ClusterView view = ReadView(etcd_);
  api::DynamicView dynamic = api::ReadDynamic(view.config_json);
  std::vector<std::string> others;
  for (const auto& m : view.members) {
    if (m.name != view.leader) others.push_back(m.name);
  }
  nlohmann::json body = nlohmann::json::object();
  if (kind == "switchover") {
    if (!view.leader) return false;
    body["leader"] = *view.leader;
    if (!others.empty() && Chance(0.6)) body["candidate"] = PickOf(others);
    if (Chance(0.3)) {
      auto at = WallNow() + std::chrono::milliseconds(static_cast<int64_t>(Uniform(1, 8) * 1000));
      body["scheduled_at"] = FormatIsoTime(at);
    }
  } else {
    if (others.empty()) return false;
    body["candidate"] = PickOf(others);
  }
  std::string what = "POST /" + kind + " " + body.dump();
  auto refused = [&](const node::OpResponse& r) {
    Log("operator", fmt::format("{}: refused {} {}", what, r.status, r.body));
    return true;
  };
  auto request = api::ParseFailoverBody(body, kind, dynamic, WallNow());
  if (!request.ok()) return refused(request.refusal);
  if (!request.value->scheduled_at) {
    auto targets = api::FailoverTargets(*request.value, view, dynamic);
    if (!targets.ok()) return refused(targets.refusal);
    std::string why;
    bool any = false;
    for (const auto& m : *targets.value) {
      auto limit = api::FailoverLimitation(StatusOf(m.name), !request.value->candidate.empty());
      if (!limit) any = true;
      if (limit) why += (why.empty() ? "" : ", ") + m.name + " " + *limit;
    }
    if (!any) return refused({412, kind + " is not possible: " + why, false});
  }
  ha::FailoverRequest value{request.value->leader, request.value->candidate, ""};
  if (request.value->scheduled_at) value.scheduled_at = FormatIsoTime(*request.value->scheduled_at);
  auto written =
      operator_dcs_->WriteFailover(dcs::EncodeFailover(value), view.failover_mod_revision);
  if (!written.ok() || !*written) {
    return refused({503, "failed to write " + kind + " key into DCS", false});
  }
  ++out_.operator_requests;
  Log("operator", what + ": /failover written " + dcs::EncodeFailover(value));
  return true;
}

// POST /restart or /reinitialize on one member: queued for its HA loop as the REST API queues
// it. The REST thread's wait is not modelled (the deadline has passed: it answers 503 at once);
// the agent still serves the request on its next loop.
bool World::OperatorNodeRequest(const std::string& kind, Node& n) {
  if (!n.ops) return false;
  auto past = std::chrono::steady_clock::time_point{};
  if (kind == "restart") {
    node::RestartRequest r;
    if (Chance(0.3)) r.role = Chance(0.5) ? "primary" : "replica";
    (void)n.ops->Restart(r, past);
    Log(n.name(), fmt::format("OPERATOR POST /restart{}", r.role ? " role=" + *r.role : ""));
  } else {
    bool force = Chance(0.5);
    (void)n.ops->Reinitialize(force, false, past);
    Log(n.name(), fmt::format("OPERATOR POST /reinitialize{}", force ? " force" : ""));
  }
  ++out_.operator_requests;
  return true;
}

// Control (4): the processes-gone takeover pgha removed. A replica whose leader's REST port and
// PostgreSQL port both refuse connections (the agent process gone or its port refusing; no
// postmaster, or one refusing connections) deletes the leader key, as the old BreakLeader did.
void World::BreakLeaderIfRefused(Node& replica) {
  auto kv = etcd_.Get(kLeaderKey);
  if (!kv || kv->value == replica.name()) return;
  Node* leader = FindNode(kv->value);
  if (!leader || !leader->powered || LinkCut(replica.index, leader->index)) return;
  if (!replica.pg->running() || !replica.pg->in_recovery()) return;
  bool rest_refused = !leader->agent || Active("rest-refuse", leader->index);
  bool pg_refused = !leader->pg->queryable();
  if (!rest_refused || !pg_refused) return;
  if (!CrossLink(replica).ok()) return;
  etcd_.set_actor(replica.name() + " (processes-gone takeover)");
  dcs::Compare value;
  value.key = kLeaderKey;
  value.target = dcs::Compare::Target::kValue;
  value.value = kv->value;
  dcs::Compare lease;
  lease.key = kLeaderKey;
  lease.target = dcs::Compare::Target::kLease;
  lease.number = kv->lease;
  (void)etcd_.Txn({value, lease}, {dcs::TxnOp{dcs::TxnOp::Kind::kDelete, kLeaderKey, "", 0, false}},
                  {});
}

}  // namespace pgha::sim
