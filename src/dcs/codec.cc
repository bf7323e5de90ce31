// Member, status, history, failover and sync values as Patroni writes them (docs/interfaces.md §1).
#include "dcs/codec.h"

#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>

#include "core/strings.h"

namespace pgha::dcs {
namespace {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

// Parses without exceptions; nullopt on malformed text.
std::optional<json> ParseJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// Reads a field of an object; a field that is missing or null leaves `out` alone. A field of
// the wrong type is an error (the value is malformed, not merely older or newer).
bool ReadString(const json& obj, const char* field, std::string* out) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

template <class T>
bool ReadUint(const json& obj, const char* field, std::optional<T>* out) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return true;
  if (it->is_number_unsigned()) {
    *out = static_cast<T>(it->get<uint64_t>());
    return true;
  }
  if (it->is_number_integer() && it->get<int64_t>() >= 0) {
    *out = static_cast<T>(it->get<int64_t>());
    return true;
  }
  return false;
}

// Patroni's tag booleans come from YAML and may be true/false or strings like "true".
bool TagBool(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s == "true" || s == "yes" || s == "on" || s == "1" || s == "y";
  }
  return false;
}

std::optional<int> TagInt(const json& v) {
  if (v.is_number_integer()) return static_cast<int>(v.get<int64_t>());
  if (v.is_string()) {
    try {
      return std::stoi(v.get<std::string>());
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

// Typed fields win over `raw` for the tags they model; other tags go out verbatim.
ordered EncodeTags(const ha::Tags& tags) {
  ordered out = ordered::object();
  for (const auto& [name, text] : tags.raw) {
    if (!ha::PublishTag(tags, name, text)) continue;
    ordered v = ordered::parse(text, nullptr, /*allow_exceptions=*/false);
    out[name] = v.is_discarded() ? ordered(text) : v;
  }
  auto set_bool = [&](const char* name, bool value) {
    if (value || out.contains(name)) out[name] = value;
  };
  set_bool("nofailover", tags.nofailover);
  set_bool("noloadbalance", tags.noloadbalance);
  set_bool("nosync", tags.nosync);
  set_bool("clonefrom", tags.clonefrom);
  set_bool("nostream", tags.nostream);
  // The configured value as written ('1' stays a string, as Patroni publishes it).
  if (tags.failover_priority && !out.contains("failover_priority")) {
    out["failover_priority"] = *tags.failover_priority;
  }
  if (tags.sync_priority && !out.contains("sync_priority")) {
    out["sync_priority"] = *tags.sync_priority;
  }
  if (!tags.replicatefrom.empty()) out["replicatefrom"] = tags.replicatefrom;
  return out;
}

Result<ha::Member> DecodeMemberObject(const std::string& name, const json& j) {
  if (!j.is_object()) return Err("member " + name + ": not a JSON object");
  ha::Member m;
  m.name = name;
  bool ok =
      ReadString(j, "conn_url", &m.conn_url) && ReadString(j, "api_url", &m.api_url) &&
      ReadString(j, "state", &m.state) && ReadString(j, "role", &m.role) &&
      ReadString(j, "version", &m.version) && ReadUint(j, "xlog_location", &m.xlog_location) &&
      ReadUint(j, "receive_lsn", &m.receive_lsn) && ReadUint(j, "replay_lsn", &m.replay_lsn) &&
      ReadString(j, "replication_state", &m.replication_state) &&
      ReadUint(j, "timeline", &m.timeline) && ReadString(j, "reason", &m.reason);
  if (!ok) return Err("member " + name + ": a field has the wrong type");
  if (auto it = j.find("tags"); it != j.end() && it->is_object()) m.tags = DecodeTags(*it);
  m.pending_restart = j.contains("pending_restart") && TagBool(j["pending_restart"]);
  m.pause = j.contains("pause") && TagBool(j["pause"]);
  if (auto it = j.find("checkpoint_after_promote"); it != j.end() && it->is_boolean()) {
    m.checkpoint_after_promote = it->get<bool>();
  }
  return m;
}

std::string SyncStandbyText(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

ha::Tags DecodeTags(const json& obj) {
  ha::Tags tags;
  for (const auto& [name, value] : obj.items()) {
    tags.raw[name] = value.dump();
    if (name == "nofailover") tags.nofailover = TagBool(value);
    if (name == "failover_priority") tags.failover_priority = TagInt(value);
    if (name == "noloadbalance") tags.noloadbalance = TagBool(value);
    if (name == "nosync") tags.nosync = TagBool(value);
    if (name == "sync_priority") tags.sync_priority = TagInt(value);
    if (name == "clonefrom") tags.clonefrom = TagBool(value);
    if (name == "nostream") tags.nostream = TagBool(value);
    if (name == "replicatefrom" && value.is_string()) tags.replicatefrom = value.get<std::string>();
  }
  return tags;
}

std::string EncodeMember(const ha::Member& m) {
  ordered j;
  j["conn_url"] = m.conn_url;
  j["api_url"] = m.api_url;
  j["state"] = m.state;
  j["role"] = m.role;
  j["version"] = m.version;
  if (m.xlog_location) j["xlog_location"] = *m.xlog_location;
  if (m.receive_lsn) j["receive_lsn"] = *m.receive_lsn;
  if (m.replay_lsn) j["replay_lsn"] = *m.replay_lsn;
  if (!m.replication_state.empty()) j["replication_state"] = m.replication_state;
  if (m.timeline) j["timeline"] = *m.timeline;
  if (!m.tags.raw.empty() || m.tags != ha::Tags{}) j["tags"] = EncodeTags(m.tags);
  if (m.pending_restart) j["pending_restart"] = true;
  if (m.pause) j["pause"] = true;
  if (m.checkpoint_after_promote) j["checkpoint_after_promote"] = *m.checkpoint_after_promote;
  if (!m.reason.empty()) j["reason"] = m.reason;
  return j.dump();
}

Result<ha::Member> DecodeMember(const std::string& name, const std::string& text) {
  auto j = ParseJson(text);
  if (!j) return Err("member " + name + ": invalid JSON");
  return DecodeMemberObject(name, *j);
}

std::string EncodeStatus(uint64_t optime, const std::map<std::string, uint64_t>& slots,
                         const std::vector<std::string>& retain_slots) {
  ordered j;
  j["optime"] = optime;
  j["slots"] = slots;
  j["retain_slots"] = retain_slots;
  return j.dump();
}

std::string EncodeFailsafe(const std::map<std::string, std::string>& members) {
  return json(members).dump();
}

Result<std::map<std::string, std::string>> DecodeFailsafe(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Err("not a JSON object");
  std::map<std::string, std::string> members;
  for (const auto& [name, url] : j.items()) {
    if (!url.is_string()) return Err("the value of " + name + " is not a string");
    members[name] = url.get<std::string>();
  }
  return members;
}

std::string EncodeHistory(const std::vector<ha::HistoryEntry>& history) {
  json arr = json::array();
  for (const auto& e : history) {
    json line = {e.timeline, e.switch_lsn, e.reason};
    // Patroni's legacy entries have three fields; keep them short when nothing more is known.
    if (!e.timestamp.empty() || !e.new_leader.empty()) {
      line.push_back(e.timestamp);
      line.push_back(e.new_leader);
    }
    arr.push_back(line);
  }
  return arr.dump();
}

Result<std::vector<ha::HistoryEntry>> DecodeHistory(const std::string& text) {
  auto j = ParseJson(text);
  if (!j || !j->is_array()) return Err("history: not a JSON list");
  std::vector<ha::HistoryEntry> out;
  for (const auto& line : *j) {
    if (!line.is_array() || line.size() < 3 || !line[0].is_number_unsigned() ||
        !line[1].is_number_unsigned()) {
      return Err("history: malformed entry " + line.dump());
    }
    ha::HistoryEntry e;
    e.timeline = line[0].get<uint32_t>();
    e.switch_lsn = line[1].get<uint64_t>();
    if (line[2].is_string()) e.reason = line[2].get<std::string>();
    if (line.size() > 3 && line[3].is_string()) e.timestamp = line[3].get<std::string>();
    if (line.size() > 4 && line[4].is_string()) e.new_leader = line[4].get<std::string>();
    out.push_back(std::move(e));
  }
  return out;
}

std::string EncodeFailover(const ha::FailoverRequest& f) {
  ordered j = ordered::object();
  if (!f.leader.empty()) j["leader"] = f.leader;
  if (!f.member.empty()) j["member"] = f.member;
  if (!f.scheduled_at.empty()) j["scheduled_at"] = f.scheduled_at;
  return j.dump();
}

Result<std::optional<ha::FailoverRequest>> DecodeFailover(const std::string& text) {
  std::string trimmed = Trim(text);
  if (trimmed.empty()) return std::optional<ha::FailoverRequest>();
  ha::FailoverRequest f;
  if (trimmed.front() != '{') {  // legacy "leader:member"
    size_t colon = trimmed.find(':');
    f.leader = Trim(trimmed.substr(0, colon));
    if (colon != std::string::npos) f.member = Trim(trimmed.substr(colon + 1));
  } else {
    auto j = ParseJson(trimmed);
    if (!j || !j->is_object()) return Err("failover: invalid JSON");
    if (!ReadString(*j, "leader", &f.leader) || !ReadString(*j, "member", &f.member) ||
        !ReadString(*j, "scheduled_at", &f.scheduled_at)) {
      return Err("failover: a field has the wrong type");
    }
  }
  if (f == ha::FailoverRequest{}) return std::optional<ha::FailoverRequest>();  // {} = none
  return std::optional<ha::FailoverRequest>(f);
}

std::string EncodeSync(const ha::SyncState& s) {
  ordered j;
  j["leader"] = s.leader;
  // Patroni writes null rather than "" when there is no synchronous standby.
  j["sync_standby"] = s.sync_standby.empty() ? ordered() : ordered(SyncStandbyText(s.sync_standby));
  j["quorum"] = s.quorum;
  return j.dump();
}

Result<ha::SyncState> DecodeSync(const std::string& text) {
  auto j = ParseJson(text);
  if (!j || !j->is_object()) return Err("sync: invalid JSON");
  ha::SyncState s;
  if (!ReadString(*j, "leader", &s.leader)) return Err("sync: leader is not a string");
  const json& standby = j->value("sync_standby", json());
  if (standby.is_string()) {
    for (const auto& name : Split(standby.get<std::string>(), ',')) {
      if (std::string n = Trim(name); !n.empty()) s.sync_standby.push_back(n);
    }
  } else if (standby.is_array()) {
    for (const auto& n : standby) {
      if (n.is_string()) s.sync_standby.push_back(n.get<std::string>());
    }
  }
  if (auto it = j->find("quorum"); it != j->end() && it->is_number_integer()) {
    s.quorum = it->get<int>();
  }
  return s;
}

std::string EncodeTimelineClaim(const ha::TimelineClaim& c) {
  return json{{"timeline", c.timeline}, {"member", c.member}}.dump();
}

Result<ha::TimelineClaim> DecodeTimelineClaim(const std::string& text) {
  auto j = ParseJson(text);
  if (!j || !j->is_object()) return Err("pgha_timeline: invalid JSON");
  ha::TimelineClaim c;
  auto tl = j->find("timeline");
  if (tl == j->end() || !tl->is_number_unsigned() || tl->get<uint64_t>() > UINT32_MAX) {
    return Err("pgha_timeline: timeline is not a timeline number");
  }
  c.timeline = tl->get<uint32_t>();
  if (!ReadString(*j, "member", &c.member)) return Err("pgha_timeline: member is not a string");
  return c;
}

}  // namespace pgha::dcs
