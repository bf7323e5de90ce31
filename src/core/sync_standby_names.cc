// synchronous_standby_names parsing (core/sync_standby_names.h).
#include "core/sync_standby_names.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

namespace pgha {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80);
}
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }

// The tokens of PostgreSQL's syncrep scanner: NAME (identifier, '*' or "quoted"), NUM, '(', ')',
// ','. `quoted` tells a "FIRST" name from the keyword.
struct Token {
  enum Kind { kName, kNum, kOpen, kClose, kComma } kind;
  std::string text;
  bool quoted = false;
};

// A double-quoted identifier starting at v[*i] == '"'; nullopt when unterminated or empty.
std::optional<std::string> QuotedName(const std::string& v, size_t* i) {
  std::string name;
  for (++*i;; ++*i) {
    if (*i >= v.size()) return std::nullopt;
    if (v[*i] != '"') {
      name += v[*i];
    } else if (*i + 1 < v.size() && v[*i + 1] == '"') {
      name += '"';
      ++*i;
    } else {
      ++*i;
      break;
    }
  }
  if (name.empty()) return std::nullopt;  // zero-length delimited identifier
  return name;
}

std::optional<std::vector<Token>> Scan(const std::string& v) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < v.size()) {
    char c = v[i];
    if (IsSpace(c)) {
      ++i;
    } else if (c == '(' || c == ')' || c == ',') {
      out.push_back({c == '(' ? Token::kOpen : c == ')' ? Token::kClose : Token::kComma, {}});
      ++i;
    } else if (c == '*') {
      out.push_back({Token::kName, "*"});
      ++i;
    } else if (IsDigit(c)) {
      size_t j = i;
      while (j < v.size() && IsDigit(v[j])) ++j;
      out.push_back({Token::kNum, v.substr(i, j - i)});
      i = j;
    } else if (c == '"') {
      auto name = QuotedName(v, &i);
      if (!name) return std::nullopt;
      out.push_back({Token::kName, *name, true});
    } else if (IsIdentStart(c)) {
      size_t j = i;
      while (j < v.size() && IsIdentChar(v[j])) ++j;
      out.push_back({Token::kName, v.substr(i, j - i)});
      i = j;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

bool Keyword(const Token& t, const char* word) {
  return t.kind == Token::kName && !t.quoted && strcasecmp(t.text.c_str(), word) == 0;
}

// standby_list: NAME (',' NAME)* over [at, end); a number is a name too.
bool ParseList(const std::vector<Token>& t, size_t at, size_t end, std::vector<std::string>* out) {
  if (at >= end) return false;
  for (size_t i = at; i < end; ++i) {
    bool name_slot = (i - at) % 2 == 0;
    if (name_slot && t[i].kind != Token::kName && t[i].kind != Token::kNum) return false;
    if (!name_slot && t[i].kind != Token::kComma) return false;
    if (name_slot) out->push_back(t[i].text);
  }
  return (end - at) % 2 == 1;
}

}  // namespace

bool SyncStandbyNames::Wildcard() const {
  return std::find(names.begin(), names.end(), "*") != names.end();
}

std::optional<SyncStandbyNames> ParseSyncStandbyNames(const std::string& value) {
  auto tokens = Scan(value);
  if (!tokens) return std::nullopt;
  const std::vector<Token>& t = *tokens;
  SyncStandbyNames out;
  if (t.empty()) return out;
  size_t at = 0;
  if ((Keyword(t[0], "FIRST") || Keyword(t[0], "ANY")) && t.size() > 1 &&
      t[1].kind == Token::kNum) {
    out.quorum = Keyword(t[0], "ANY");
    at = 1;
  }
  if (t[at].kind == Token::kNum && at + 1 < t.size() && t[at + 1].kind == Token::kOpen) {
    // [FIRST|ANY] n ( list )
    if (t.back().kind != Token::kClose) return std::nullopt;
    if (t[at].text.size() > 9) return std::nullopt;  // PostgreSQL: out of range
    out.num = std::stoi(t[at].text);
    if (!ParseList(t, at + 2, t.size() - 1, &out.names)) return std::nullopt;
    if (out.num <= 0) return std::nullopt;  // "number of synchronous standbys must be > 0"
    return out;
  }
  if (at != 0 || !ParseList(t, 0, t.size(), &out.names)) return std::nullopt;
  out.num = 1;  // the pre-9.6 form: a plain list means FIRST 1
  return out;
}

bool SyncStandbyMatches(const std::string& listed, const std::string& application_name) {
  return listed == "*" || strcasecmp(listed.c_str(), application_name.c_str()) == 0;
}

}  // namespace pgha
