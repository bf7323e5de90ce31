#pragma once
// Small string helpers shared by every module.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pgha {

std::vector<std::string> Split(std::string_view text, char sep);
std::string Trim(std::string_view text);
// {"a", "b"}, ", " -> "a, b".
std::string Join(const std::vector<std::string>& items, std::string_view sep);
bool StartsWith(std::string_view text, std::string_view prefix);
// Splits "host:port"; returns false when the port is missing or not a number in 1..65535.
bool SplitHostPort(std::string_view text, std::string* host, int* port);
// Quotes a value for postgresql.conf / libpq conninfo: 'it''s'.
std::string QuoteConfValue(std::string_view value);
std::string QuoteConninfoValue(std::string_view value);

// "/bin/cb --flag 'a b'" -> {"/bin/cb", "--flag", "a b"}, as a POSIX shell splits words (quotes
// and backslashes, no expansion); unbalanced quotes or no word at all are an error.
Result<std::vector<std::string>> SplitCommandLine(std::string_view text);

}  // namespace pgha
