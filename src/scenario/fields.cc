// The one table-like place that maps scenario keys onto Observation fields, both ways: each row
// sets a field from `key=value` (the parser) and writes it back as words (the decision journal).
// To expose a new field to scenarios, add one row to the matching table below.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <functional>
#include <map>
#include <stdexcept>
#include <type_traits>

#include "scenario/scenario.h"

namespace pgha::scenario {
namespace {

using Value = std::optional<std::string_view>;

[[noreturn]] void Bad(const std::string& message) { throw std::invalid_argument(message); }

std::string_view Need(Value v) {
  if (!v) Bad("needs a value (key=value)");
  return *v;
}

void Set(bool& out, Value v) {
  if (!v || *v == "true" || *v == "yes") {
    out = true;
  } else if (*v == "false" || *v == "no") {
    out = false;
  } else {
    Bad("expects true or false, not '" + std::string(*v) + "'");
  }
}

template <std::integral Int>
Int ParseNumber(std::string_view text, int base = 10) {
  Int n{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    Bad("expects a number, not '" + std::string(text) + "'");
  }
  return n;
}

// Plain decimal, or PostgreSQL's LSN notation "16/B374D848" for 64-bit positions.
template <std::integral Int>
void Set(Int& out, Value v) {
  std::string_view text = Need(v);
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || sizeof(Int) < 8) {
    out = ParseNumber<Int>(text);
    return;
  }
  uint64_t hi = ParseNumber<uint64_t>(text.substr(0, slash), 16);
  uint64_t lo = ParseNumber<uint64_t>(text.substr(slash + 1), 16);
  out = static_cast<Int>((hi << 32) | lo);
}

void Set(std::string& out, Value v) { out = std::string(Need(v)); }

void Set(std::vector<std::string>& out, Value v) {
  out.clear();
  std::string_view text = Need(v);
  while (!text.empty()) {
    size_t comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
  }
}

template <class T>
void Set(std::optional<T>& out, Value v) {
  T value{};
  Set(value, v);
  out = std::move(value);
}

// The words a field is written as ("key=value", a bare "key" for true); none when unset.
using Words = std::vector<std::string>;

std::string Word(std::string_view key, std::string_view value) {
  return std::string(key) + "=" + QuoteValue(value);
}
Words Text(std::string_view key, bool b) {
  return {b ? std::string(key) : std::string(key) + "=false"};
}
template <std::integral Int>
Words Text(std::string_view key, Int n) {
  return {Word(key, std::to_string(n))};
}
Words Text(std::string_view key, const std::string& v) { return {Word(key, v)}; }
Words Text(std::string_view key, const std::vector<std::string>& v) {
  std::string joined;
  for (const auto& x : v) joined += (joined.empty() ? "" : ",") + x;
  return {Word(key, joined)};
}
template <class T>
Words Text(std::string_view key, const std::optional<T>& v) {
  return v ? Text(key, *v) : Words{};
}

template <class T>
struct Entry {
  std::function<void(T&, Value)> set;
  std::function<Words(const T&, std::string_view key)> get;
};
template <class T>
using Table = std::map<std::string, Entry<T>, std::less<>>;

template <class T, class F>
Entry<T> Field(F T::*member) {
  return {[member](T& t, Value v) { Set(t.*member, v); },
          [member](const T& t, std::string_view key) { return Text(key, t.*member); }};
}

// Adds every key of `inner` (e.g. the tags) to `outer`, applied to `outer.*member`.
template <class T, class U>
Table<T> With(Table<T> outer, U T::*member, const Table<U>& inner) {
  for (const auto& [key, entry] : inner) {
    outer.emplace(key, Entry<T>{[member, set = entry.set](T& t, Value v) { set(t.*member, v); },
                                [member, get = entry.get](const T& t, std::string_view k) {
                                  return get(t.*member, k);
                                }});
  }
  return outer;
}

template <class T>
void Apply(const Table<T>& table, T& target, std::string_view key, Value v) {
  auto it = table.find(key);
  if (it == table.end()) Bad("unknown key '" + std::string(key) + "'");
  it->second.set(target, v);
}

// Every field that differs from a default-constructed T, in the table's (alphabetical) order;
// `skip` names keys written elsewhere (a positional name).
template <class T>
std::string Print(const Table<T>& table, const T& t, const std::vector<std::string>& skip = {},
                  const T& defaults = T{}) {
  std::string out;
  for (const auto& [key, entry] : table) {
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
    Words words = entry.get(t, key);
    if (words == entry.get(defaults, key)) continue;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

// "host:port" -> the conn_url a member publishes (written back as conn_url).
void SetConn(ha::Member& m, Value v) {
  m.conn_url = "postgres://" + std::string(Need(v)) + "/postgres";
}
Words NoWords(const ha::Member&, std::string_view) { return {}; }

// "name:value" -> one entry of a map (tags' raw JSON text, status.slots).
template <class T>
void SetEntry(std::map<std::string, T>& out, Value v) {
  std::string_view text = Need(v);
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) Bad("expects name:value");
  Set(out[std::string(text.substr(0, colon))], Value(text.substr(colon + 1)));
}

// One word per entry of a map: "key=name:value".
template <class T>
Words EntryWords(std::string_view key, const std::map<std::string, T>& m) {
  Words out;
  for (const auto& [name, value] : m) {
    std::string text;
    if constexpr (std::is_same_v<T, std::string>) {
      text = value;
    } else {
      text = std::to_string(value);
    }
    out.push_back(Word(key, name + ":" + text));
  }
  return out;
}

Words TimelineClaimWords(const ha::ClusterView& c, std::string_view key) {
  if (!c.timeline_claim) return {};
  return {Word(key, std::to_string(c.timeline_claim->timeline) + ":" + c.timeline_claim->member)};
}

Words UpstreamWords(const ha::LocalPg& pg, std::string_view key) {
  if (pg.upstream_host.empty()) return {};
  return {Word(key, pg.upstream_host + ":" + std::to_string(pg.upstream_port))};
}

// timeline_claim=N:member (/pgha_timeline).
void SetTimelineClaim(ha::ClusterView& c, Value v) {
  std::string_view text = Need(v);
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) Bad("timeline_claim expects timeline:member");
  c.timeline_claim = ha::TimelineClaim{ParseNumber<uint32_t>(text.substr(0, colon)),
                                       std::string(text.substr(colon + 1))};
}

void SetUpstream(ha::LocalPg& pg, Value v) {
  std::string_view text = Need(v);
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) Bad("upstream expects host:port");
  pg.upstream_host = std::string(text.substr(0, colon));
  pg.upstream_port = ParseNumber<int>(text.substr(colon + 1));
}

void SetPermanentSlot(ha::Settings& s, Value v) {
  std::string_view text = Need(v);
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) {
    Bad("permanent_slot expects name:physical or name:logical/database/plugin");
  }
  std::string_view kind = text.substr(colon + 1);
  ha::PermanentSlot slot;
  if (kind.rfind("logical/", 0) == 0) {
    std::string_view rest = kind.substr(8);
    size_t slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos || slash + 1 == rest.size()) {
      Bad("permanent_slot expects name:logical/database/plugin");
    }
    slot.database = std::string(rest.substr(0, slash));
    slot.plugin = std::string(rest.substr(slash + 1));
  } else if (kind != "physical") {
    Bad("permanent_slot expects name:physical or name:logical/database/plugin");
  }
  s.slots[std::string(text.substr(0, colon))] = slot;
}

Words PermanentSlotWords(const ha::Settings& s, std::string_view key) {
  Words out;
  for (const auto& [name, slot] : s.slots) {
    out.push_back(Word(key, name + ":" +
                                (slot.Logical() ? "logical/" + slot.database + "/" + slot.plugin
                                                : std::string("physical"))));
  }
  return out;
}

const Table<ha::Tags>& TagsTable() {
  static const Table<ha::Tags> t = {
      {"nofailover", Field(&ha::Tags::nofailover)},
      {"failover_priority", Field(&ha::Tags::failover_priority)},
      {"noloadbalance", Field(&ha::Tags::noloadbalance)},
      {"nosync", Field(&ha::Tags::nosync)},
      {"sync_priority", Field(&ha::Tags::sync_priority)},
      {"clonefrom", Field(&ha::Tags::clonefrom)},
      {"nostream", Field(&ha::Tags::nostream)},
      {"replicatefrom", Field(&ha::Tags::replicatefrom)},
      {"raw",  // raw=name:json, repeatable
       {[](ha::Tags& tags, Value v) { SetEntry(tags.raw, v); },
        [](const ha::Tags& tags, std::string_view k) { return EntryWords(k, tags.raw); }}},
  };
  return t;
}

const Table<ha::Settings>& SettingsTable() {
  using S = ha::Settings;
  static const Table<S> t = {
      {"ttl", Field(&S::ttl)},
      {"loop_wait", Field(&S::loop_wait)},
      {"retry_timeout", Field(&S::retry_timeout)},
      {"maximum_lag_on_failover", Field(&S::maximum_lag_on_failover)},
      {"primary_start_timeout", Field(&S::primary_start_timeout)},
      {"primary_stop_timeout", Field(&S::primary_stop_timeout)},
      {"member_slots_ttl", Field(&S::member_slots_ttl)},
      {"pause", Field(&S::pause)},
      {"check_timeline", Field(&S::check_timeline)},
      {"synchronous_mode", Field(&S::synchronous_mode)},
      {"synchronous_mode_quorum", Field(&S::synchronous_mode_quorum)},
      {"synchronous_mode_strict", Field(&S::synchronous_mode_strict)},
      {"synchronous_node_count", Field(&S::synchronous_node_count)},
      {"maximum_lag_on_syncnode", Field(&S::maximum_lag_on_syncnode)},
      {"use_pg_rewind", Field(&S::use_pg_rewind)},
      {"use_slots", Field(&S::use_slots)},
      {"failsafe_mode", Field(&S::failsafe_mode)},
      {"permanent_slot",  // permanent_slot=name:physical or name:logical/database/plugin
       {SetPermanentSlot, PermanentSlotWords}},
  };
  return t;
}

const Table<ha::ClusterView>& ClusterTable() {
  using C = ha::ClusterView;
  static const Table<C> t = {
      {"revision", Field(&C::revision)},
      {"initialize", Field(&C::initialize)},  // `initialize=` alone: key present, empty (racing)
      {"leader", Field(&C::leader)},
      {"leader_lease", Field(&C::leader_lease)},
      {"leader_mod_revision", Field(&C::leader_mod_revision)},
      {"optime", Field(&C::optime)},
      {"slot",  // slot=name:lsn, repeatable
       {[](C& c, Value v) { SetEntry(c.slots, v); },
        [](const C& c, std::string_view k) { return EntryWords(k, c.slots); }}},
      {"config_mod_revision", Field(&C::config_mod_revision)},
      {"failover_mod_revision", Field(&C::failover_mod_revision)},
      {"sync_mod_revision", Field(&C::sync_mod_revision)},
      {"timeline_claim", {SetTimelineClaim, TimelineClaimWords}},
      {"timeline_claim_mod_revision", Field(&C::timeline_claim_mod_revision)},
      {"failsafe",  // failsafe=name:api_url, repeatable (/failsafe)
       {[](C& c, Value v) { SetEntry(c.failsafe, v); },
        [](const C& c, std::string_view k) { return EntryWords(k, c.failsafe); }}},
  };
  return t;
}

const Table<ha::Member>& MemberTable() {
  using M = ha::Member;
  static const Table<M> t = With<M, ha::Tags>(
      {
          {"name", Field(&M::name)},
          {"conn", {SetConn, NoWords}},
          {"conn_url", Field(&M::conn_url)},
          {"api_url", Field(&M::api_url)},
          {"state", Field(&M::state)},
          {"role", Field(&M::role)},
          {"version", Field(&M::version)},
          {"xlog", Field(&M::xlog_location)},
          {"receive", Field(&M::receive_lsn)},
          {"replay", Field(&M::replay_lsn)},
          {"replication_state", Field(&M::replication_state)},
          {"timeline", Field(&M::timeline)},
          {"pending_restart", Field(&M::pending_restart)},
          {"pause", Field(&M::pause)},
          {"checkpoint_after_promote", Field(&M::checkpoint_after_promote)},
          {"reason", Field(&M::reason)},
      },
      &M::tags, TagsTable());
  return t;
}

const Table<ha::LocalPg>& LocalPgTable() {
  using P = ha::LocalPg;
  static const Table<P> t = {
      {"data_dir_empty", Field(&P::data_dir_empty)},
      {"sysid", Field(&P::sysid)},
      {"control_state", Field(&P::control_state)},
      {"control_timeline", Field(&P::control_timeline)},
      {"control_checkpoint", Field(&P::control_checkpoint)},
      {"timeline_start_of", Field(&P::timeline_start_of)},
      {"timeline_start", Field(&P::timeline_start)},
      {"standby_signal", Field(&P::standby_signal)},
      {"running", Field(&P::running)},
      {"postmaster", Field(&P::postmaster)},
      {"in_recovery", Field(&P::in_recovery)},
      {"timeline", Field(&P::timeline)},
      {"wal", Field(&P::wal_lsn)},
      {"receive", Field(&P::receive_lsn)},
      {"replay", Field(&P::replay_lsn)},
      {"replayed_timestamp", Field(&P::replayed_timestamp)},
      {"replay_paused", Field(&P::replay_paused)},
      {"streaming", Field(&P::streaming)},
      {"upstream", {SetUpstream, UpstreamWords}},
      {"server_version", Field(&P::server_version)},
      {"postmaster_start_time", Field(&P::postmaster_start_time)},
      {"pending_restart", Field(&P::pending_restart)},
      {"synchronous_standby_names", Field(&P::synchronous_standby_names)},
      {"synchronous_commit", Field(&P::synchronous_commit)},
      {"state", Field(&P::state)},
  };
  return t;
}

const Table<ha::PeerStatus>& PeerTable() {
  using P = ha::PeerStatus;
  static const Table<P> t = With<P, ha::Tags>(
      {
          {"name", Field(&P::name)},
          {"reachable", Field(&P::reachable)},
          {"running", Field(&P::running)},
          {"starting", Field(&P::starting)},
          {"role", Field(&P::role)},
          {"wal", Field(&P::wal_position)},
          {"timeline", Field(&P::timeline)},
          {"positions_stale", Field(&P::positions_stale)},
      },
      &P::tags, TagsTable());
  return t;
}

const Table<ha::HistoryEntry>& HistoryTable() {
  using H = ha::HistoryEntry;
  static const Table<H> t = {
      {"timeline", Field(&H::timeline)},     {"lsn", Field(&H::switch_lsn)},
      {"new_leader", Field(&H::new_leader)}, {"reason", Field(&H::reason)},
      {"timestamp", Field(&H::timestamp)},
  };
  return t;
}

const Table<ha::FailoverRequest>& FailoverTable() {
  using F = ha::FailoverRequest;
  static const Table<F> t = {
      {"leader", Field(&F::leader)},
      {"member", Field(&F::member)},
      {"scheduled_at", Field(&F::scheduled_at)},
  };
  return t;
}

const Table<ha::SyncState>& SyncTable() {
  using S = ha::SyncState;
  static const Table<S> t = {
      {"leader", Field(&S::leader)},
      {"sync_standby", Field(&S::sync_standby)},  // comma-separated
      {"quorum", Field(&S::quorum)},
  };
  return t;
}

const Table<ha::ReplicationClient>& ReplicationTable() {
  using R = ha::ReplicationClient;
  static const Table<R> t = {
      {"usename", Field(&R::usename)},         {"application_name", Field(&R::application_name)},
      {"client_addr", Field(&R::client_addr)}, {"state", Field(&R::state)},
      {"sync_state", Field(&R::sync_state)},   {"sync_priority", Field(&R::sync_priority)},
      {"flush", Field(&R::flush_lsn)},         {"replay", Field(&R::replay_lsn)},
  };
  return t;
}

// Every field has a key above. Each structured binding below names every field of its struct, so
// adding or removing a field stops the build here until the table above (and README.md) follow.
[[maybe_unused]] void EveryFieldHasAKey(ha::Tags& t, ha::Settings& s, ha::ClusterView& c,
                                        ha::Member& m, ha::LocalPg& pg, ha::PeerStatus& p,
                                        ha::HistoryEntry& h, ha::FailoverRequest& f,
                                        ha::SyncState& sy, ha::ReplicationClient& r) {
  [[maybe_unused]] auto& [nofailover, failover_priority, noloadbalance, nosync, t_sync_priority,
                          clonefrom, nostream, replicatefrom, raw] = t;
  [[maybe_unused]] auto& [ttl, loop_wait, retry_timeout, maximum_lag_on_failover,
                          primary_start_timeout, primary_stop_timeout, pause, check_timeline,
                          synchronous_mode, synchronous_mode_quorum, synchronous_mode_strict,
                          synchronous_node_count, maximum_lag_on_syncnode, use_pg_rewind, use_slots,
                          failsafe_mode, member_slots_ttl, permanent_slots] = s;
  [[maybe_unused]] auto& [revision, initialize, leader, leader_lease, leader_mod_revision, members,
                          optime, slots, config_json, config_mod_revision, history, failover,
                          failover_mod_revision, sync, sync_mod_revision, timeline_claim,
                          timeline_claim_mod_revision, failsafe] = c;
  [[maybe_unused]] auto& [m_name, conn_url, api_url, state, role, version, xlog_location,
                          receive_lsn, replay_lsn, replication_state, timeline, tags,
                          pending_restart, m_pause, checkpoint_after_promote, reason] = m;
  [[maybe_unused]] auto& [data_dir_empty, sysid, control_state, control_timeline,
                          control_checkpoint, standby_signal, timeline_start_of, timeline_start,
                          running, postmaster, in_recovery, pg_timeline, wal_lsn, pg_receive_lsn,
                          pg_replay_lsn, replayed_timestamp, replay_paused, streaming,
                          upstream_host, upstream_port, replication, synchronous_standby_names,
                          synchronous_commit, server_version, postmaster_start_time,
                          pg_pending_restart, pg_state] = pg;
  [[maybe_unused]] auto& [p_name, reachable, p_running, p_starting, p_role, wal_position,
                          p_timeline, p_positions_stale, p_tags] = p;
  [[maybe_unused]] auto& [h_timeline, switch_lsn, h_reason, timestamp, new_leader] = h;
  [[maybe_unused]] auto& [f_leader, member, scheduled_at] = f;
  [[maybe_unused]] auto& [sy_leader, sync_standby, quorum] = sy;
  [[maybe_unused]] auto& [usename, application_name, client_addr, r_state, sync_state,
                          sync_priority, flush_lsn, r_replay_lsn] = r;
}

}  // namespace

void ApplySettings(ha::Settings& s, std::string_view key, Value v) {
  Apply(SettingsTable(), s, key, v);
}
void ApplyTags(ha::Tags& t, std::string_view key, Value v) { Apply(TagsTable(), t, key, v); }
void ApplyCluster(ha::ClusterView& c, std::string_view key, Value v) {
  Apply(ClusterTable(), c, key, v);
}
void ApplyMember(ha::Member& m, std::string_view key, Value v) { Apply(MemberTable(), m, key, v); }
void ApplyLocalPg(ha::LocalPg& pg, std::string_view key, Value v) {
  Apply(LocalPgTable(), pg, key, v);
}
void ApplyPeer(ha::PeerStatus& p, std::string_view key, Value v) { Apply(PeerTable(), p, key, v); }
void ApplyHistory(ha::HistoryEntry& h, std::string_view key, Value v) {
  Apply(HistoryTable(), h, key, v);
}
void ApplyFailover(ha::FailoverRequest& f, std::string_view key, Value v) {
  Apply(FailoverTable(), f, key, v);
}
void ApplySync(ha::SyncState& s, std::string_view key, Value v) { Apply(SyncTable(), s, key, v); }
void ApplyReplication(ha::ReplicationClient& r, std::string_view key, Value v) {
  Apply(ReplicationTable(), r, key, v);
}

std::string PrintSettings(const ha::Settings& s) { return Print(SettingsTable(), s); }
std::string PrintTags(const ha::Tags& t) { return Print(TagsTable(), t); }
std::string PrintCluster(const ha::ClusterView& c) { return Print(ClusterTable(), c); }
std::string PrintMember(const ha::Member& m) { return Print(MemberTable(), m, {"name"}); }
std::string PrintLocalPg(const ha::LocalPg& pg) {
  ha::LocalPg defaults;
  defaults.data_dir_empty = false;  // the scenario default (ParseScenario)
  return Print(LocalPgTable(), pg, {}, defaults);
}
std::string PrintPeer(const ha::PeerStatus& p) { return Print(PeerTable(), p, {"name"}); }
std::string PrintHistory(const ha::HistoryEntry& h) {
  return Print(HistoryTable(), h, {"timeline", "lsn"});
}
std::string PrintFailover(const ha::FailoverRequest& f) { return Print(FailoverTable(), f); }
std::string PrintSync(const ha::SyncState& s) { return Print(SyncTable(), s); }
std::string PrintReplication(const ha::ReplicationClient& r) {
  return Print(ReplicationTable(), r);
}

MonoTime ParseTime(std::string_view text) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || seconds < 0) {
    Bad("expects seconds on the fake clock, not '" + std::string(text) + "'");
  }
  return MonoTime{} + std::chrono::milliseconds(std::llround(seconds * 1000));
}

}  // namespace pgha::scenario
