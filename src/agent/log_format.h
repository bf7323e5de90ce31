#pragma once
// The agent's log lines as Patroni writes them (config/log_options.h): by default
//   2026-12-06 23:00:45,166 CRITICAL: [postgres-0] Can't start; there is already a node ...
// Python's asctime (comma before the milliseconds), its level names and ": ", then the member
// name, which pgha's plain lines always carried; or, with log.type: json, one JSON object per
// line with the format's fields (renamed as asked) and the static fields. With log.dir the lines
// go to <dir>/patroni.log, rolled over at file_size into patroni.log.1 .. .<file_num> as
// Python's RotatingFileHandler does; without it, to standard output.
#include <spdlog/details/log_msg.h>

#include <chrono>
#include <string>

#include "config/config.h"
#include "core/result.h"

namespace pgha::agent {

// One line (without the newline) for `msg`: exposed for the unit tests.
std::string FormatLogLine(const config::LogOptions& options, const std::string& member,
                          const spdlog::details::log_msg& msg,
                          std::chrono::system_clock::time_point started);

// Makes the default logger follow cfg.log / cfg.log_dir / cfg.log_level. On error (a log file
// that cannot be opened) the logger is left as it was and the error names the file.
Status UseLogOptions(const config::Config& cfg);

}  // namespace pgha::agent
