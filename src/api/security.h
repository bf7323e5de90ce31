#pragma once
// The REST API's access checks for unsafe methods (docs/interfaces.md §3.4), as pure
// functions: allowlist matching (IPv4/IPv6 addresses and CIDRs) and HTTP Basic credentials.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pgha::api {

// An address range. IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d, prefix + 96), so an IPv4
// client that reaches a dual-stack socket as "::ffff:127.0.0.1" matches "127.0.0.0/8".
struct IpNetwork {
  std::array<uint8_t, 16> address{};
  int prefix = 128;
  bool operator==(const IpNetwork&) const = default;
};

// "10.0.0.1", "10.0.0.0/8", "::1", "fe80::/10". nullopt when not an address or CIDR.
std::optional<IpNetwork> ParseIpNetwork(std::string_view text);
bool NetworkContains(const IpNetwork& network, std::string_view address);

struct Allowlist {
  std::vector<IpNetwork> networks;
  std::vector<std::string> hostnames;  // entries that are not addresses: resolved by the server
};
// Splits restapi.allowlist; an entry like "10.0.0.0/99" is an error naming it.
Result<Allowlist> ParseAllowlist(const std::vector<std::string>& entries);
// True when `address` (as the socket reports it) lies in one of `networks`.
bool AllowlistPermits(const std::vector<IpNetwork>& networks, std::string_view address);

struct BasicCredentials {
  std::string username, password;
  bool operator==(const BasicCredentials&) const = default;
};
// The value of an Authorization header: "Basic base64(user:password)". nullopt when malformed.
std::optional<BasicCredentials> ParseBasicAuth(std::string_view header);
// Compares without an early exit on the first differing byte.
bool CredentialsMatch(const BasicCredentials& given, const BasicCredentials& expected);

// Base64 (RFC 4648, padding optional); nullopt on characters outside the alphabet.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace pgha::api
