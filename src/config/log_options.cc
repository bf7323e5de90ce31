#include "config/log_options.h"

#include <algorithm>
#include <cctype>

namespace pgha::config {

const std::vector<std::string_view>& LogFields() {
  static const std::vector<std::string_view> fields = {
      "asctime", "created", "msecs",       "relativeCreated", "levelname", "levelno",
      "message", "name",    "module",      "filename",        "pathname",  "funcName",
      "lineno",  "process", "processName", "thread"};
  return fields;
}

const std::vector<LogPiece>& DefaultLogFormat() {
  static const std::vector<LogPiece> format = [] {
    auto parsed = ParseLogFormat("%(asctime)s %(levelname)s: %(message)s");
    return parsed.ok() ? *parsed : std::vector<LogPiece>{};
  }();
  return format;
}

namespace {

std::string Known() {
  std::string out;
  for (auto f : LogFields()) out += (out.empty() ? "" : ", ") + std::string(f);
  return out;
}

int Number(std::string_view text, size_t* i) {
  int value = 0;
  while (*i < text.size() && std::isdigit(static_cast<unsigned char>(text[*i])) && value < 1000)
    value = value * 10 + (text[(*i)++] - '0');
  return value;
}

}  // namespace

Result<std::vector<LogPiece>> ParseLogFormat(std::string_view format) {
  std::vector<LogPiece> out;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) out.push_back(LogPiece{literal});
    literal.clear();
  };
  for (size_t i = 0; i < format.size();) {
    if (format[i] != '%') {
      literal += format[i++];
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '%') {
      literal += '%';
      i += 2;
      continue;
    }
    size_t close = format.find(')', i);
    if (i + 1 >= format.size() || format[i + 1] != '(' || close == std::string_view::npos) {
      return Err("expected %(name)s or %%, got \"" + std::string(format.substr(i, 10)) + "\"");
    }
    LogPiece piece;
    piece.field = std::string(format.substr(i + 2, close - i - 2));
    const auto& known = LogFields();
    if (std::find(known.begin(), known.end(), piece.field) == known.end()) {
      return Err("unknown field \"" + piece.field + "\" (pgha knows " + Known() + ")");
    }
    size_t j = close + 1;
    for (; j < format.size() && std::string_view("-#0 +").find(format[j]) != std::string_view::npos;
         ++j)
      if (format[j] == '-') piece.left = true;
    piece.width = Number(format, &j);
    if (j < format.size() && format[j] == '.') {
      ++j;
      piece.precision = Number(format, &j);
    }
    if (j >= format.size() || std::string_view("sdifr").find(format[j]) == std::string_view::npos) {
      return Err("%(" + piece.field + ") needs a conversion: s, d, i, f or r");
    }
    piece.conversion = format[j];
    flush();
    out.push_back(std::move(piece));
    i = j + 1;
  }
  flush();
  return out;
}

}  // namespace pgha::config
