// Scenario files: one `directive: words` per line, `#` comments, blank lines ignored.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "core/iso_time.h"
#include "scenario/scenario.h"

namespace pgha::scenario {
namespace {

using Value = std::optional<std::string_view>;
using Handler = std::function<void(Scenario&, std::string_view)>;

struct Directive {
  Handler handle;
  bool repeatable = false;
};

[[noreturn]] void Bad(const std::string& message) { throw std::invalid_argument(message); }

std::string_view Trim(std::string_view s) {
  const char* space = " \t\r\n";
  size_t begin = s.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(space) - begin + 1);
}

// Whitespace-separated words; a double-quoted part may contain spaces: state="in production".
std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  while (!(text = Trim(text)).empty()) {
    size_t end = 0;
    bool quoted = false;
    for (; end < text.size() && (quoted || (text[end] != ' ' && text[end] != '\t')); ++end) {
      if (text[end] == '"') quoted = !quoted;
    }
    if (quoted) Bad("unterminated quote");
    words.push_back(text.substr(0, end));
    text = text.substr(end);
  }
  return words;
}

std::string_view Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

std::string_view Single(std::string_view rest) {
  auto words = Words(rest);
  if (words.size() != 1) Bad("expects exactly one value");
  return words[0];
}

// `key=value` words and bare `flag` words; the leading bare words fill `positional` in order.
template <class T, class ApplyFn>
void ApplyWords(T& target, std::string_view rest, ApplyFn apply,
                const std::vector<std::string_view>& positional = {}, size_t required = 0) {
  size_t filled = 0;
  bool leading = true;  // positional values only lead
  for (std::string_view word : Words(rest)) {
    size_t eq = word.find('=');
    if (leading && eq == std::string_view::npos && filled < positional.size()) {
      apply(target, positional[filled++], word);
      continue;
    }
    leading = false;
    if (eq == std::string_view::npos) {
      apply(target, word, std::nullopt);
    } else {
      apply(target, word.substr(0, eq), Unquote(word.substr(eq + 1)));
    }
  }
  if (filled < required) Bad("missing <" + std::string(positional[filled]) + ">");
}

std::optional<MonoTime> OptionalTime(std::string_view rest) {
  std::string_view word = Single(rest);
  if (word == "none") return std::nullopt;
  return ParseTime(word);
}

bool Bool(std::string_view rest) {
  std::string_view word = Single(rest);
  if (word != "true" && word != "false") Bad("expects true or false");
  return word == "true";
}

// Epoch seconds (decimals allowed) or an ISO 8601 time with a zone, as /failover's scheduled_at.
double WallTime(std::string_view rest) {
  std::string word(Single(rest));
  if (auto iso = ParseZonedEpoch(word)) return *iso;
  char* end = nullptr;
  double seconds = std::strtod(word.c_str(), &end);
  if (word.empty() || end != word.c_str() + word.size()) {
    Bad("expects epoch seconds or an ISO 8601 time with a zone");
  }
  return seconds;
}

bool DcsUp(std::string_view rest) {
  std::string_view word = Single(rest);
  if (word != "up" && word != "down") Bad("expects up or down");
  return word == "up";
}

template <class T, class ApplyFn>
void Append(std::vector<T>& list, std::string_view rest, ApplyFn apply,
            const std::vector<std::string_view>& positional, size_t required) {
  T item{};
  ApplyWords(item, rest, apply, positional, required);
  list.push_back(std::move(item));
}

template <class T, class ApplyFn>
void Merge(std::optional<T>& slot, std::string_view rest, ApplyFn apply) {
  T item = slot.value_or(T{});
  ApplyWords(item, rest, apply);
  slot = std::move(item);
}

Directive Once(Handler h) { return Directive{std::move(h), false}; }
Directive Many(Handler h) { return Directive{std::move(h), true}; }

// The directive table: add a row to expose a new part of the Observation.
const std::map<std::string, Directive, std::less<>>& Directives() {
  static const std::map<std::string, Directive, std::less<>> table = {
      {"me", Once([](Scenario& s, std::string_view r) { s.obs.me = Single(r); })},
      {"now", Once([](Scenario& s, std::string_view r) { s.obs.now = ParseTime(Single(r)); })},
      {"lease_valid_until",
       Once([](Scenario& s, std::string_view r) { s.obs.lease_valid_until = OptionalTime(r); })},
      {"not_streaming_since",
       Once([](Scenario& s, std::string_view r) { s.obs.not_streaming_since = OptionalTime(r); })},
      {"released_key_at",
       Once([](Scenario& s, std::string_view r) { s.obs.released_key_at = OptionalTime(r); })},
      {"sync_names_settled_lsn", Once([](Scenario& s, std::string_view r) {
         std::string_view word = Single(r);
         if (word == "none") return;
         uint64_t lsn = 0;
         for (char c : word) {
           if (c < '0' || c > '9') Bad("expects a decimal LSN or none");
           lsn = lsn * 10 + static_cast<uint64_t>(c - '0');
         }
         s.obs.sync_names_settled_lsn = lsn;
       })},
      {"agent_started",
       Once([](Scenario& s, std::string_view r) { s.obs.agent_started = OptionalTime(r); })},
      {"leader_seen", Once([](Scenario& s, std::string_view r) { s.obs.leader_seen = Bool(r); })},
      {"failsafe_refused",
       Once([](Scenario& s, std::string_view r) { s.obs.failsafe_refused = Bool(r); })},
      {"replica_method_without_leader", Once([](Scenario& s, std::string_view r) {
         s.obs.replica_method_without_leader = Bool(r);
       })},
      {"failsafe_valid_until",
       Once([](Scenario& s, std::string_view r) { s.obs.failsafe_valid_until = OptionalTime(r); })},
      {"failsafe_leader", Once([](Scenario& s, std::string_view r) {
         auto words = Words(r);
         if (words.size() == 1 && words[0] == "none") return;
         if (words.size() != 2) Bad("expects <member> <until> or none");
         s.obs.failsafe_leader =
             ha::Observation::FailsafeLeader{std::string(Unquote(words[0])), ParseTime(words[1])};
       })},
      {"wall_now", Once([](Scenario& s, std::string_view r) { s.obs.wall_now = WallTime(r); })},
      {"primary_down_since",
       Once([](Scenario& s, std::string_view r) { s.obs.primary_down_since = OptionalTime(r); })},
      {"watchdog_usable",
       Once([](Scenario& s, std::string_view r) { s.obs.watchdog_usable = Bool(r); })},
      {"watchdog_failed",
       Once([](Scenario& s, std::string_view r) { s.obs.watchdog_failed = Bool(r); })},
      {"fence_failed", Once([](Scenario& s, std::string_view r) { s.obs.fence_failed = Bool(r); })},
      {"primary_start_failed",
       Once([](Scenario& s, std::string_view r) { s.obs.primary_start_failed = Bool(r); })},
      {"checkpoint_after_promote_pending", Once([](Scenario& s, std::string_view r) {
         s.obs.checkpoint_after_promote_pending = Bool(r);
       })},
      {"dcs", Once([](Scenario& s, std::string_view r) { s.obs.dcs_ok = DcsUp(r); })},
      {"settings",
       Many([](Scenario& s, std::string_view r) { ApplyWords(s.obs.settings, r, ApplySettings); })},
      {"tags", Many([](Scenario& s, std::string_view r) { ApplyWords(s.obs.tags, r, ApplyTags); })},
      {"cluster",
       Many([](Scenario& s, std::string_view r) { ApplyWords(s.obs.cluster, r, ApplyCluster); })},
      {"config", Once([](Scenario& s, std::string_view r) { s.obs.cluster.config_json = r; })},
      {"member", Many([](Scenario& s, std::string_view r) {
         Append(s.obs.cluster.members, r, ApplyMember, {"name"}, 1);
       })},
      {"history", Many([](Scenario& s, std::string_view r) {
         Append(s.obs.cluster.history, r, ApplyHistory, {"timeline", "lsn", "new_leader"}, 2);
       })},
      {"failover", Once([](Scenario& s, std::string_view r) {
         Merge(s.obs.cluster.failover, r, ApplyFailover);
       })},
      {"sync",
       Once([](Scenario& s, std::string_view r) { Merge(s.obs.cluster.sync, r, ApplySync); })},
      {"pg", Many([](Scenario& s, std::string_view r) { ApplyWords(s.obs.pg, r, ApplyLocalPg); })},
      {"replication", Many([](Scenario& s, std::string_view r) {
         Append(s.obs.pg.replication, r, ApplyReplication, {}, 0);
       })},
      {"peer", Many([](Scenario& s, std::string_view r) {
         Append(s.obs.peers, r, ApplyPeer, {"name"}, 1);
       })},
      {"expect", Many([](Scenario& s, std::string_view r) {
         if (r.empty()) Bad("expects an action (ha::Describe text) or none");
         s.expect.emplace_back(r);
       })},
      {"reason", Once([](Scenario& s, std::string_view r) { s.reason = std::string(r); })},
  };
  return table;
}

// Every Observation field has a directive above (the lists and maps have repeatable ones). This
// binding names every field, so adding or removing one stops the build here until the table above
// (and README.md) follow. fields.cc does the same for the structs inside.
[[maybe_unused]] void EveryFieldHasADirective(ha::Observation& o) {
  [[maybe_unused]] auto& [me, now, wall_now, settings, tags, dcs_ok, cluster, pg, peers,
                          lease_valid_until, checkpoint_after_promote_pending, watchdog_usable,
                          watchdog_failed, fence_failed, primary_down_since, primary_start_failed,
                          not_streaming_since, released_key_at, sync_names_settled_lsn,
                          agent_started, leader_seen, failsafe_valid_until, failsafe_refused,
                          failsafe_leader, replica_method_without_leader] = o;
}

void ParseLine(Scenario& s, size_t index, std::set<std::string, std::less<>>& seen) {
  std::string_view line = Trim(s.lines[index]);
  if (line.empty() || line.front() == '#') return;
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) Bad("expected 'directive: ...'");
  std::string_view key = Trim(line.substr(0, colon));
  auto it = Directives().find(key);
  if (it == Directives().end()) Bad("unknown directive '" + std::string(key) + ":'");
  if (!it->second.repeatable && !seen.emplace(key).second) {
    Bad("'" + std::string(key) + ":' given twice");
  }
  if (key == "expect" || key == "reason") s.expectation_lines.push_back(index);
  try {
    it->second.handle(s, Trim(line.substr(colon + 1)));
  } catch (const std::invalid_argument& e) {
    Bad(std::string(key) + ": " + e.what());
  }
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void Finish(Scenario& s) {
  if (s.obs.me.empty()) throw ParseError(s.path + ": missing 'me:'");
  auto by_name = [](const ha::Member& a, const ha::Member& b) { return a.name < b.name; };
  std::sort(s.obs.cluster.members.begin(), s.obs.cluster.members.end(), by_name);
}

}  // namespace

std::string QuoteValue(std::string_view value) {
  std::string v(value);
  bool spaced = v.find_first_of(" \t") != std::string::npos;
  bool wrapped = v.size() >= 2 && v.front() == '"' && v.back() == '"';
  if (!spaced && !wrapped) return v;
  std::string quoted = "\"" + v + "\"";
  try {
    auto words = Words(quoted);
    if (words.size() == 1 && Unquote(words[0]) == v) return quoted;
  } catch (const std::invalid_argument&) {
  }
  std::replace(v.begin(), v.end(), '"', '\'');
  return "\"" + v + "\"";
}

Scenario ParseScenario(const std::string& path, const std::string& text) {
  Scenario s;
  s.path = path;
  s.obs.dcs_ok = true;              // scenario default: etcd answers
  s.obs.pg.data_dir_empty = false;  // scenario default: an initialized data directory
  s.lines = SplitLines(text);
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < s.lines.size(); ++i) {
    try {
      ParseLine(s, i, seen);
    } catch (const std::invalid_argument& e) {
      throw ParseError(path + ":" + std::to_string(i + 1) + ": " + e.what());
    }
  }
  Finish(s);
  return s;
}

Scenario LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenario(path, text.str());
}

}  // namespace pgha::scenario
