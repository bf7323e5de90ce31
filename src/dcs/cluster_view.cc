// BuildClusterView: one prefix range -> ha::ClusterView. Bad values are skipped and reported.
#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "dcs/codec.h"

namespace pgha::dcs {
namespace {

using nlohmann::json;

// status = {"optime":N,"slots":{name:N},"retain_slots":[...]}.
Status ApplyStatus(const std::string& text, ha::ClusterView* view) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Err("invalid JSON");
  if (auto it = j.find("optime"); it != j.end() && it->is_number_unsigned()) {
    view->optime = it->get<uint64_t>();
  }
  if (auto it = j.find("slots"); it != j.end() && it->is_object()) {
    for (const auto& [name, lsn] : it->items()) {
      if (lsn.is_number_unsigned()) view->slots[name] = lsn.get<uint64_t>();
    }
  }
  return OkStatus();
}

// Legacy optime/leader (Patroni < 2.1): a plain integer; /status wins when both exist.
Status ApplyLegacyOptime(const std::string& text, ha::ClusterView* view) {
  try {
    size_t used = 0;
    uint64_t lsn = std::stoull(text, &used);
    if (used != text.size()) return Err("not an integer");
    if (!view->optime) view->optime = lsn;
  } catch (const std::exception&) {
    return Err("not an integer");
  }
  return OkStatus();
}

// Applies one key under the prefix; an error means the value was malformed.
Status Apply(const std::string& rel, const KeyValue& kv, ha::ClusterView* view) {
  if (rel == "initialize") {
    view->initialize = kv.value;
  } else if (rel == "leader") {
    view->leader = kv.value;  // the key existing is what locks the cluster
    view->leader_lease = kv.lease;
    view->leader_mod_revision = kv.mod_revision;
  } else if (StartsWith(rel, "members/")) {
    std::string name = rel.substr(8);
    if (name.empty()) return Err("empty member name");
    auto member = DecodeMember(name, kv.value);
    if (!member.ok()) return member.error();
    view->members.push_back(std::move(*member));
  } else if (rel == "config") {
    view->config_json = kv.value;
    view->config_mod_revision = kv.mod_revision;
  } else if (rel == "status") {
    return ApplyStatus(kv.value, view);
  } else if (rel == "optime/leader") {
    return ApplyLegacyOptime(kv.value, view);
  } else if (rel == "history") {
    auto history = DecodeHistory(kv.value);
    if (!history.ok()) return history.error();
    view->history = std::move(*history);
  } else if (rel == "failover") {
    view->failover_mod_revision = kv.mod_revision;  // needed to CAS even when the value is {}
    auto failover = DecodeFailover(kv.value);
    if (!failover.ok()) return failover.error();
    view->failover = std::move(*failover);
  } else if (rel == "sync") {
    view->sync_mod_revision = kv.mod_revision;
    auto sync = DecodeSync(kv.value);
    if (!sync.ok()) return sync.error();
    view->sync = std::move(*sync);
  } else if (rel == "pgha_timeline") {
    view->timeline_claim_mod_revision = kv.mod_revision;
    auto claim = DecodeTimelineClaim(kv.value);
    if (!claim.ok()) return claim.error();
    view->timeline_claim = std::move(*claim);
  } else if (rel == "failsafe") {
    auto members = DecodeFailsafe(kv.value);
    if (!members.ok()) return members.error();
    view->failsafe = std::move(*members);
  }
  return OkStatus();  // unknown keys are not part of the view
}

}  // namespace

ha::ClusterView BuildClusterView(const Keys& keys, const std::vector<KeyValue>& kvs,
                                 int64_t revision, std::vector<std::string>* warnings) {
  ha::ClusterView view;
  view.revision = revision;
  for (const auto& kv : kvs) {
    if (!StartsWith(kv.key, keys.prefix())) continue;
    Status applied = Apply(kv.key.substr(keys.prefix().size()), kv, &view);
    if (!applied.ok() && warnings != nullptr) {
      warnings->push_back("skipping malformed value of " + kv.key + ": " + applied.message());
    }
  }
  std::sort(view.members.begin(), view.members.end(),
            [](const ha::Member& a, const ha::Member& b) { return a.name < b.name; });
  return view;
}

}  // namespace pgha::dcs
