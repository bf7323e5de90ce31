// libFuzzer target: arbitrary bytes through the REST request parsing and validation
// (api/requests.h) — the same functions every POST/PUT/PATCH/DELETE body reaches. The first byte
// picks the parser; the rest is the body. Crashes, sanitizer reports and assertion failures are
// findings; refusals are expected.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/requests.h"
#include "core/iso_time.h"
#include "core/sync_standby_names.h"
#include "ha/quorum.h"

namespace {

using namespace pgha;
using nlohmann::json;

ha::ClusterView View() {
  ha::ClusterView v;
  v.leader = "node1";
  for (const char* name : {"node1", "node2", "node3"}) {
    ha::Member m;
    m.name = name;
    m.api_url = "http://127.0.0.1:8008/patroni";
    v.members.push_back(m);
  }
  v.members[2].tags.nofailover = true;
  v.sync = ha::SyncState{"node1", {"node2"}, 0};
  return v;
}

void Failover(const json& body, std::string_view action, SystemTime now) {
  static const ha::ClusterView view = View();
  for (bool sync : {false, true}) {
    api::DynamicView dynamic{.pause = !sync, .synchronous_mode = sync};
    auto parsed = api::ParseFailoverBody(body, action, dynamic, now);
    if (parsed.ok()) (void)api::FailoverTargets(*parsed.value, view, dynamic);
  }
  (void)api::FailoverLimitation(body, true);
  ha::ClusterView after = view;
  after.leader = body.value("leader", json()).is_string() ? body["leader"].get<std::string>() : "";
  json candidate = body.value("candidate", json());
  (void)api::FailoverOutcome(after, "node1",
                             candidate.is_string() ? candidate.get<std::string>() : "", action);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const SystemTime now = ParseIsoTime("2026-01-01T12:00:00Z")->at;
  (void)ParseIsoTime(text);
  // synchronous_standby_names as PostgreSQL reports it: parsed, then judged by the quorum rule.
  if (auto names = ParseSyncStandbyNames(std::string(text))) {
    (void)ha::QuorumSafe(*names, {"a", "b"}, selector % 3);
  }
  (void)api::ReadDynamic(std::string(text));
  auto body = api::ParseJsonObject(text, selector & 1);
  if (!body.ok()) return 0;
  const json& j = *body.value;
  switch (selector % 6) {
    case 0:
      Failover(j, "switchover", now);
      break;
    case 1:
      Failover(j, "failover", now);
      break;
    case 2:
      (void)api::ParseRestart(j, selector & 8, now);
      break;
    case 3:
      (void)api::ParseReinit(j);
      break;
    case 4: {
      json target = json::parse(R"({"ttl":30,"postgresql":{"parameters":{"a":1}},"pause":true})");
      // Patroni's patch_config is not idempotent ({"x":{"a":null}} adds x with a null, then
      // removes a): what must hold is that the change it reports is the change it made.
      for (int round = 0; round < 2; ++round) {
        json before = target;
        if (api::MergePatch(target, j) != (before != target)) __builtin_trap();
      }
      break;
    }
    default:
      for (const auto& [key, value] : j.items()) {
        (void)api::ParseSchedule(value, key, now);
        (void)api::ParsePostgresVersion(value);
        (void)api::ParseBool(value);
      }
  }
  return 0;
}
