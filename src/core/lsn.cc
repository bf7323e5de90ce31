#include "core/lsn.h"

#include <charconv>
#include <cstdio>

namespace pgha {

std::string Lsn::ToString() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(value >> 32),
                static_cast<unsigned>(value & 0xffffffffu));
  return buf;
}

std::optional<Lsn> Lsn::Parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size())
    return std::nullopt;
  uint32_t hi = 0, lo = 0;
  auto h = std::from_chars(text.data(), text.data() + slash, hi, 16);
  auto l = std::from_chars(text.data() + slash + 1, text.data() + text.size(), lo, 16);
  if (h.ec != std::errc() || h.ptr != text.data() + slash) return std::nullopt;
  if (l.ec != std::errc() || l.ptr != text.data() + text.size()) return std::nullopt;
  return Lsn{(static_cast<uint64_t>(hi) << 32) | lo};
}

std::optional<uint64_t> ParseByteSize(std::string_view text) {
  uint64_t n = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), n);
  if (r.ec != std::errc() || r.ptr == text.data()) return std::nullopt;
  std::string_view unit(r.ptr, static_cast<size_t>(text.data() + text.size() - r.ptr));
  uint64_t mult = 1;
  if (unit.empty() || unit == "B")
    mult = 1;
  else if (unit == "kB" || unit == "KB")
    mult = 1024;
  else if (unit == "MB")
    mult = 1024ull * 1024;
  else if (unit == "GB")
    mult = 1024ull * 1024 * 1024;
  else if (unit == "TB")
    mult = 1024ull * 1024 * 1024 * 1024;
  else
    return std::nullopt;
  return n * mult;
}

}  // namespace pgha
