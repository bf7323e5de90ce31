#pragma once
// A scenario file: given cluster + local state -> expected actions and reason (README.md here).
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ha/decision.h"

namespace pgha::scenario {

struct Scenario {
  std::string path;
  ha::Observation obs;
  std::vector<std::string> expect;  // ha::Describe() of each action in order; {"none"}: no action
  std::optional<std::string> reason;
  std::vector<std::string> lines;         // the file as read, for --rewrite
  std::vector<size_t> expectation_lines;  // indices of its `expect:` / `reason:` lines
};

// Every message starts with "<file>:<line>: ".
struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Scenario ParseScenario(const std::string& path, const std::string& text);
Scenario LoadScenario(const std::string& path);  // also throws ParseError if unreadable

// Field setters, used by the parser: `key=value` (or a bare `key` for booleans) into a struct.
void ApplySettings(ha::Settings& s, std::string_view key, std::optional<std::string_view> value);
void ApplyTags(ha::Tags& t, std::string_view key, std::optional<std::string_view> value);
void ApplyCluster(ha::ClusterView& c, std::string_view key, std::optional<std::string_view> value);
void ApplyMember(ha::Member& m, std::string_view key, std::optional<std::string_view> value);
void ApplyLocalPg(ha::LocalPg& pg, std::string_view key, std::optional<std::string_view> value);
void ApplyPeer(ha::PeerStatus& p, std::string_view key, std::optional<std::string_view> value);
void ApplyHistory(ha::HistoryEntry& h, std::string_view key, std::optional<std::string_view> value);
void ApplyFailover(ha::FailoverRequest& f, std::string_view key,
                   std::optional<std::string_view> value);
void ApplySync(ha::SyncState& s, std::string_view key, std::optional<std::string_view> value);
void ApplyReplication(ha::ReplicationClient& r, std::string_view key,
                      std::optional<std::string_view> value);

// Seconds (decimals allowed) on the fake monotonic clock whose zero is MonoTime{}.
MonoTime ParseTime(std::string_view text);

// The inverse of the setters: the `key=value` words of every field that differs from the
// struct's default (the scenario default for LocalPg), in key order; positional names left out.
std::string PrintSettings(const ha::Settings& s);
std::string PrintTags(const ha::Tags& t);
std::string PrintCluster(const ha::ClusterView& c);
std::string PrintMember(const ha::Member& m);
std::string PrintLocalPg(const ha::LocalPg& pg);
std::string PrintPeer(const ha::PeerStatus& p);
std::string PrintHistory(const ha::HistoryEntry& h);
std::string PrintFailover(const ha::FailoverRequest& f);
std::string PrintSync(const ha::SyncState& s);
std::string PrintReplication(const ha::ReplicationClient& r);

// A value as one word the parser reads back unchanged: quoted when it holds spaces or begins and
// ends with a double quote. Where inner double quotes would leave a space outside every quoted
// part, they become single ones (only free text, such as a member's reason, can have them).
std::string QuoteValue(std::string_view value);

// The observation a decision was made from and that decision, as a scenario file: replayed by
// the scenario runner, Decide returns the same actions and reason (the agent's decision journal).
// `comment` (one line or empty) opens the file after "# ".
std::string FormatScenario(const ha::Observation& obs, const ha::Decision& decision,
                           const std::string& comment);

}  // namespace pgha::scenario
