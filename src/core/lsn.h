#pragma once
// PostgreSQL WAL positions and timelines as strong types.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgha {

struct Lsn {
  uint64_t value = 0;
  auto operator<=>(const Lsn&) const = default;
  // "16/B374D848" form, as PostgreSQL prints it.
  std::string ToString() const;
  static std::optional<Lsn> Parse(std::string_view text);
};

struct Timeline {
  uint32_t value = 0;
  auto operator<=>(const Timeline&) const = default;
};

// Parses a byte size as Patroni accepts it in `lag=`: "1048576", "16kB", "64MB", "1GB".
std::optional<uint64_t> ParseByteSize(std::string_view text);

}  // namespace pgha
