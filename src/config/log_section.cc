// The `log` section (config/log_options.h): level, type, format, dateformat, static_fields, dir,
// mode, file_num, file_size; the keys pgha reads and does not act on are warned about by name.
#include <algorithm>
#include <cctype>
#include <climits>

#include "config/sections.h"
#include "config/yaml_util.h"

namespace pgha::config::internal {
namespace {

Status ReadLevel(const Section& s, Config* config) {
  std::string level = config->log_level;
  PGHA_TRY(s.Str("level", &level));
  std::transform(level.begin(), level.end(), level.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (level == "warn") level = "warning";
  if (level == "fatal") level = "critical";
  PGHA_TRY(s.OneOf("level", level, {"debug", "info", "warning", "error", "critical"}));
  config->log_level = level;
  return OkStatus();
}

// A JSON line's fields: a format string's placeholders, or a list of names and {name: key}.
Status ReadJsonFields(const Section& s, LogOptions* log) {
  YAML::Node list = s.Get("format");
  log->format.clear();
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = "format[" + std::to_string(i) + "]";
    YAML::Node item = list[i];
    std::vector<std::pair<std::string, std::string>> fields;
    if (item.IsScalar()) {
      fields.emplace_back(item.Scalar(), "");
    } else if (item.IsMap()) {
      for (const auto& kv : item) {
        if (!kv.second.IsScalar())
          return s.Fail(where, "the new name of " + kv.first.Scalar() + " must be a string");
        fields.emplace_back(kv.first.Scalar(), kv.second.Scalar());
      }
    } else {
      return s.Fail(where, "expected a field name or {field: name}, got " + Describe(item));
    }
    for (auto& [field, key] : fields) {
      auto piece = ParseLogFormat("%(" + field + ")s");
      if (!piece.ok()) return s.Fail(where, piece.message());
      log->format.push_back(piece->front());
      if (!key.empty()) log->renames.emplace_back(field, key);
    }
  }
  return OkStatus();
}

Status ReadFormat(const Section& s, LogOptions* log) {
  PGHA_TRY(s.OneOf("type", log->type, {"plain", "json"}));
  log->format = DefaultLogFormat();
  YAML::Node format = s.Get("format");
  if (!format.IsDefined() || format.IsNull()) return OkStatus();
  if (format.IsSequence()) {
    if (log->type != "json") return s.Fail("format", "a list of fields needs log.type: json");
    return ReadJsonFields(s, log);
  }
  if (!format.IsScalar()) return s.Fail("format", "expected a string, got " + Describe(format));
  auto parsed = ParseLogFormat(format.Scalar());
  if (!parsed.ok()) return s.Fail("format", parsed.message());
  log->format = std::move(*parsed);
  return OkStatus();
}

Status ReadStaticFields(const Section& s, LogOptions* log) {
  YAML::Node fields = s.Get("static_fields");
  if (!fields.IsDefined() || fields.IsNull()) return OkStatus();
  if (!fields.IsMap())
    return s.Fail("static_fields", "expected a mapping, got " + Describe(fields));
  if (log->type != "json") s.Warn(s.PathOf("static_fields") + ": used only with log.type: json");
  for (const auto& kv : fields) {
    if (!kv.second.IsScalar())
      return s.Fail("static_fields", kv.first.Scalar() + ": expected a scalar value");
    log->static_fields.emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
  return OkStatus();
}

// "0644" and "0o644" are octal, as Patroni reads them; so is a bare YAML 1.1 octal like 0644.
Status ReadMode(const Section& s, LogOptions* log) {
  YAML::Node n = s.Get("mode");
  if (!n.IsDefined() || n.IsNull()) return OkStatus();
  std::string text = n.IsScalar() ? n.Scalar() : "";
  int base = 10;
  if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text = text.substr(text[1] == 'o' || text[1] == 'O' ? 2 : 1);
  }
  unsigned value = 0;
  bool ok = !text.empty();
  for (char c : text) {
    int digit = c - '0';
    ok = ok && digit >= 0 && digit < base && value <= 0777;
    value = value * static_cast<unsigned>(base) + static_cast<unsigned>(digit);
  }
  if (!ok || value > 0777)
    return s.Fail("mode", "expected file permissions such as 0644, got " + Describe(n));
  log->mode = value;
  return OkStatus();
}

}  // namespace

Status ReadLog(const Section& root, Config* config) {
  Section s = root.Child("log");
  PGHA_TRY(s.CheckKeys({"level", "dir", "type", "traceback_level", "format", "dateformat",
                        "file_num", "file_size", "mode", "max_queue_size", "loggers",
                        "deduplicate_heartbeat_logs", "static_fields"}));
  PGHA_TRY(ReadLevel(s, config));
  LogOptions& log = config->log;
  PGHA_TRY(s.Str("type", &log.type));
  PGHA_TRY(ReadFormat(s, &log));
  PGHA_TRY(s.Str("dateformat", &log.dateformat));
  PGHA_TRY(ReadStaticFields(s, &log));
  PGHA_TRY(s.Str("dir", &config->log_dir));
  PGHA_TRY(s.Int("file_num", &log.file_num, 0, 1000));
  PGHA_TRY(s.Int("file_size", &log.file_size, 0, INT_MAX));
  PGHA_TRY(ReadMode(s, &log));
  if (config->log_dir.empty()) {
    for (const char* key : {"file_num", "file_size", "mode"})
      if (s.Has(key)) s.Warn(s.PathOf(key) + ": used only with log.dir");
  }
  s.WarnUnused("traceback_level", "pgha logs no tracebacks");
  s.WarnUnused("max_queue_size", "pgha writes each line as it is logged, without a queue");
  s.WarnUnused("loggers", "pgha has one logger; log.level sets it");
  bool dedup = true;
  PGHA_TRY(s.Bool("deduplicate_heartbeat_logs", &dedup));
  if (s.Has("deduplicate_heartbeat_logs") && !dedup) {
    s.Warn(s.PathOf("deduplicate_heartbeat_logs") +
           ": false is not available; pgha logs a loop's decision only when it changes");
  }
  return OkStatus();
}

}  // namespace pgha::config::internal
