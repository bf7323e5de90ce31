#include "api/facts.h"

#include <algorithm>

namespace pgha::api {
namespace {

bool InSyncList(const Snapshot& s) {
  if (!s.sync) return false;
  const auto& list = s.sync->sync_standby;
  return std::find(list.begin(), list.end(), s.name) != list.end();
}

}  // namespace

bool IsSyncStandby(const Snapshot& s) {
  return s.pg.in_recovery && InSyncList(s) && !s.settings.synchronous_mode_quorum;
}

// As Patroni: a voter is a quorum standby while quorum commit is configured, whatever /sync's
// quorum (it is 0 when every voter must confirm).
bool IsQuorumStandby(const Snapshot& s) {
  return s.pg.in_recovery && InSyncList(s) && s.settings.synchronous_mode_quorum;
}

std::string StatusRole(const Snapshot& s) { return s.pg.Role(); }

uint64_t LagBytes(const Snapshot& s, bool by_receive) {
  uint64_t reference = std::max(s.cluster_optime.value_or(0), s.pg.receive_lsn);
  uint64_t position = by_receive ? s.pg.receive_lsn : s.pg.replay_lsn;
  return reference > position ? reference - position : 0;
}

nlohmann::json TagsJson(const ha::Tags& tags) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, text] : tags.raw) {
    if (!ha::PublishTag(tags, name, text)) continue;
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    out[name] = value.is_discarded() ? nlohmann::json(text) : value;
  }
  return out;
}

std::string TagQueryText(const std::string& raw_json) {
  nlohmann::json value = nlohmann::json::parse(raw_json, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return raw_json;
  if (value.is_string()) return value.get<std::string>();
  return value.dump();  // true/false/null are lower-case already; numbers verbatim
}

}  // namespace pgha::api
