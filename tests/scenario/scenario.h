#pragma once
// A scenario file: given cluster + local state -> expected actions and reason (README.md here).
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
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

}  // namespace pgha::scenario
