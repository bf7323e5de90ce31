#pragma once
// JSON values of the DCS keys, exactly as Patroni writes and reads them (docs/interfaces.md §1).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "dcs/etcd_client.h"
#include "dcs/keys.h"
#include "ha/cluster.h"

namespace pgha::dcs {

std::string EncodeMember(const ha::Member& m);  // name is not part of the value
// A member's `tags` object, as the member key and GET /patroni carry it: the flags and
// failover_priority typed (strings such as "true" or "2" accepted), every tag kept in `raw`.
ha::Tags DecodeTags(const nlohmann::json& obj);
Result<ha::Member> DecodeMember(const std::string& name, const std::string& text);
std::string EncodeStatus(uint64_t optime, const std::map<std::string, uint64_t>& slots,
                         const std::vector<std::string>& retain_slots);
std::string EncodeHistory(const std::vector<ha::HistoryEntry>& history);
// /failsafe: {"name": "api_url", ...}, compact as Patroni writes it.
std::string EncodeFailsafe(const std::map<std::string, std::string>& members);
// Anything but a JSON object of strings is an error (the view then holds no members: Patroni
// ignores such a /failsafe).
Result<std::map<std::string, std::string>> DecodeFailsafe(const std::string& text);
Result<std::vector<ha::HistoryEntry>> DecodeHistory(const std::string& text);
std::string EncodeFailover(const ha::FailoverRequest& f);
// Accepts {"leader","member","scheduled_at"}, {} and the legacy "leader:member" form.
Result<std::optional<ha::FailoverRequest>> DecodeFailover(const std::string& text);
std::string EncodeSync(const ha::SyncState& s);
Result<ha::SyncState> DecodeSync(const std::string& text);
std::string EncodeTimelineClaim(const ha::TimelineClaim& c);  // {"timeline":N,"member":"x"}
Result<ha::TimelineClaim> DecodeTimelineClaim(const std::string& text);
// Builds a view from a prefix range. Malformed values are skipped (and named in `warnings`),
// never fatal: one bad member key must not blind the agent to the rest of the cluster.
ha::ClusterView BuildClusterView(const Keys& keys, const std::vector<KeyValue>& kvs,
                                 int64_t revision, std::vector<std::string>* warnings);

}  // namespace pgha::dcs
