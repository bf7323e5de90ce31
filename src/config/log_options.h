#pragma once
// The `log` section as Patroni reads it: plain or JSON lines, a Python %-style format over
// LogRecord attribute names, and an optional rotating file (<dir>/patroni.log).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace pgha::config {

// One piece of a format: literal text, or a %(field)<spec><conversion> placeholder.
struct LogPiece {
  std::string literal;  // used when field is empty
  std::string field;    // a LogRecord attribute: asctime, levelname, message, ...
  bool left = false;    // '-' flag: pad on the right
  int width = 0;
  int precision = -1;  // -1: none
  char conversion = 's';
  bool operator==(const LogPiece&) const = default;
};

struct LogOptions {
  std::string type = "plain";    // or "json"
  std::vector<LogPiece> format;  // the fields of a JSON line are the placeholders, in order
  std::vector<std::pair<std::string, std::string>> renames;  // JSON: field -> key
  std::string dateformat;  // strftime; empty: "%Y-%m-%d %H:%M:%S,<ms>" as Python's asctime
  std::vector<std::pair<std::string, std::string>> static_fields;  // JSON: key -> value
  int file_num = 4;
  int file_size = 25000000;      // bytes; 0: never rolls over
  std::optional<unsigned> mode;  // permissions of the log files; else from the umask
  bool operator==(const LogOptions&) const = default;
};

// The attribute names a format may use: Python's LogRecord names. pgha has one logger and no
// Python source locations: name, module, filename and pathname print "pgha", funcName "-",
// lineno 0; processName is "MainProcess".
const std::vector<std::string_view>& LogFields();
// Python's %-format with %(name)s placeholders; the error names the bad placeholder.
Result<std::vector<LogPiece>> ParseLogFormat(std::string_view format);
// Patroni's default: "%(asctime)s %(levelname)s: %(message)s".
const std::vector<LogPiece>& DefaultLogFormat();

}  // namespace pgha::config
