#include "agent/log_format.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

namespace pgha::agent {
namespace {

using Clock = std::chrono::system_clock;

// Python's logging name and number for a spdlog level.
struct PythonLevel {
  std::string_view name;
  int number;
};

PythonLevel ToPython(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return {"DEBUG", 10};
    case spdlog::level::info:
      return {"INFO", 20};
    case spdlog::level::warn:
      return {"WARNING", 30};
    case spdlog::level::err:
      return {"ERROR", 40};
    default:
      return {"CRITICAL", 50};
  }
}

// A field's value: text, or a number (JSON writes it bare, %d takes its integer part).
struct Value {
  std::string text;
  std::optional<double> number;
};

std::string AscTime(Clock::time_point t, const std::string& dateformat) {
  std::time_t secs = Clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[256];
  const std::string& fmt = dateformat.empty() ? std::string("%Y-%m-%d %H:%M:%S") : dateformat;
  size_t n = std::strftime(buf, sizeof(buf), fmt.c_str(), &tm);
  std::string out(buf, n);
  if (dateformat.empty()) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()) % 1000;
    char frac[8];
    std::snprintf(frac, sizeof(frac), ",%03d", static_cast<int>(ms.count()));
    out += frac;
  }
  return out;
}

std::string Fixed(double v, int precision) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", precision, v);
  return buf;
}

Value FieldValue(const std::string& field, const config::LogOptions& o, const std::string& member,
                 const spdlog::details::log_msg& msg, Clock::time_point started) {
  using std::chrono::duration;
  const double created = duration<double>(msg.time.time_since_epoch()).count();
  if (field == "asctime") return {AscTime(msg.time, o.dateformat)};
  if (field == "created") return {Fixed(created, 6), created};
  if (field == "msecs") {
    double ms = std::floor(std::fmod(created, 1.0) * 1000.0);
    return {Fixed(ms, 1), ms};
  }
  if (field == "relativeCreated") {
    double ms = duration<double, std::milli>(msg.time - started).count();
    return {Fixed(ms, 3), ms};
  }
  if (field == "levelname") return {std::string(ToPython(msg.level).name)};
  if (field == "levelno") {
    int n = ToPython(msg.level).number;
    return {std::to_string(n), n};
  }
  if (field == "message") {
    std::string text(msg.payload.data(), msg.payload.size());
    return {o.type == "json" || member.empty() ? text : "[" + member + "] " + text};
  }
  if (field == "process") {
    int pid = static_cast<int>(::getpid());
    return {std::to_string(pid), pid};
  }
  if (field == "thread") return {std::to_string(msg.thread_id), static_cast<double>(msg.thread_id)};
  if (field == "processName") return {"MainProcess"};
  // pgha has one logger and no Python source locations.
  if (field == "lineno") return {"0", 0};
  if (field == "funcName") return {"-"};
  return {"pgha"};  // name, module, filename, pathname
}

std::string Render(const config::LogPiece& p, const Value& v) {
  std::string text;
  switch (p.conversion) {
    case 'd':
    case 'i':
      text = v.number ? std::to_string(static_cast<long long>(*v.number)) : v.text;
      break;
    case 'f':
      text = v.number ? Fixed(*v.number, p.precision < 0 ? 6 : p.precision) : v.text;
      break;
    case 'r':
      text = v.number ? v.text : "'" + v.text + "'";
      break;
    default:
      text = v.text;
      if (p.precision >= 0 && text.size() > static_cast<size_t>(p.precision))
        text.resize(static_cast<size_t>(p.precision));
  }
  if (text.size() < static_cast<size_t>(p.width)) {
    std::string pad(static_cast<size_t>(p.width) - text.size(), ' ');
    text = p.left ? text + pad : pad + text;
  }
  return text;
}

std::string JsonText(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

// As python-json-logger writes a record: the fields in order, ", " and ": " between them.
std::string JsonLine(const config::LogOptions& o, const std::string& member,
                     const spdlog::details::log_msg& msg, Clock::time_point started) {
  std::string out = "{";
  std::set<std::string> seen;
  auto add = [&](const std::string& key, const std::string& value) {
    if (!seen.insert(key).second) return;
    out += (out.size() > 1 ? ", " : "") + JsonText(key) + ": " + value;
  };
  for (const auto& p : o.format) {
    if (p.field.empty()) continue;
    std::string key = p.field;
    for (const auto& [field, renamed] : o.renames)
      if (field == p.field) key = renamed;
    Value v = FieldValue(p.field, o, member, msg, started);
    add(key, v.number ? v.text : JsonText(v.text));
  }
  for (const auto& [key, value] : o.static_fields) add(key, JsonText(value));
  return out + "}";
}

class LineFormatter final : public spdlog::formatter {
 public:
  LineFormatter(config::LogOptions options, std::string member)
      : options_(std::move(options)), member_(std::move(member)), started_(Clock::now()) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = FormatLogLine(options_, member_, msg, started_);
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(*this);
  }

 private:
  config::LogOptions options_;
  std::string member_;
  Clock::time_point started_;
};

// <dir>/patroni.log, rolled over as Python's RotatingFileHandler does.
class PatroniLogFile final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static Result<std::shared_ptr<PatroniLogFile>> Open(const std::string& dir,
                                                      const config::LogOptions& o) {
    auto file = std::shared_ptr<PatroniLogFile>(new PatroniLogFile(dir + "/patroni.log", o));
    if (auto st = file->Reopen(); !st.ok()) return Err("log.dir: " + st.message());
    return file;
  }
  ~PatroniLogFile() override {
    if (file_ != nullptr) std::fclose(file_);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    if (file_ == nullptr && !Reopen().ok()) return;  // a line lost rather than the agent
    if (file_size_ > 0 && file_num_ > 0 && written_ > 0 && written_ + buf.size() >= file_size_)
      Roll();
    if (file_ == nullptr) return;
    written_ += std::fwrite(buf.data(), 1, buf.size(), file_);
  }
  void flush_() override {
    if (file_ != nullptr) std::fflush(file_);
  }

 private:
  PatroniLogFile(std::string path, const config::LogOptions& o)
      : path_(std::move(path)),
        file_num_(o.file_num),
        file_size_(static_cast<size_t>(o.file_size)),
        mode_(o.mode) {}

  Status Reopen() {
    if (file_ != nullptr) std::fclose(file_);
    written_ = 0;
    file_ = std::fopen(path_.c_str(), "a");
    if (file_ == nullptr) return Err("cannot open " + path_ + ": " + std::strerror(errno));
    if (mode_) ::chmod(path_.c_str(), *mode_);
    std::fseek(file_, 0, SEEK_END);
    long at = std::ftell(file_);
    written_ = at > 0 ? static_cast<size_t>(at) : 0;
    return OkStatus();
  }

  void Roll() {
    std::fclose(file_);
    file_ = nullptr;
    for (int i = file_num_ - 1; i >= 1; --i) {
      std::string from = path_ + "." + std::to_string(i);
      if (::access(from.c_str(), F_OK) == 0)
        std::rename(from.c_str(), (path_ + "." + std::to_string(i + 1)).c_str());
    }
    std::rename(path_.c_str(), (path_ + ".1").c_str());
    (void)Reopen();  // on failure file_ stays null and the next line tries again
  }

  std::string path_;
  int file_num_;
  size_t file_size_;
  std::optional<unsigned> mode_;
  std::FILE* file_ = nullptr;
  size_t written_ = 0;
};

}  // namespace

std::string FormatLogLine(const config::LogOptions& options, const std::string& member,
                          const spdlog::details::log_msg& msg, Clock::time_point started) {
  if (options.type == "json") return JsonLine(options, member, msg, started);
  std::string out;
  for (const auto& p : options.format) {
    out +=
        p.field.empty() ? p.literal : Render(p, FieldValue(p.field, options, member, msg, started));
  }
  return out;
}

Status UseLogOptions(const config::Config& cfg) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (cfg.log_dir.empty()) {
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  } else {
    auto file = PatroniLogFile::Open(cfg.log_dir, cfg.log);
    if (!file.ok()) return file.error();
    sink = *file;
  }
  sink->set_formatter(std::make_unique<LineFormatter>(cfg.log, cfg.name));
  // One logger for the agent's life, its sink swapped under the sink's lock: other threads log
  // through the default logger without a lock, so it must never be replaced while they run.
  static const auto dist = std::make_shared<spdlog::sinks::dist_sink_mt>();
  static const auto logger = [] {
    auto l = std::make_shared<spdlog::logger>("pgha", dist);
    l->flush_on(spdlog::level::trace);  // each line reaches the file as Python's handler does
    return l;
  }();
  dist->set_sinks({std::move(sink)});
  logger->set_level(spdlog::level::from_str(cfg.log_level));
  if (spdlog::default_logger_raw() != logger.get()) spdlog::set_default_logger(logger);
  return OkStatus();
}

}  // namespace pgha::agent
