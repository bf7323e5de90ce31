#include "api/security.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <cstring>

#include "core/strings.h"

namespace pgha::api {
namespace {

std::optional<IpNetwork> ParseAddress(const std::string& text) {
  IpNetwork out;
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out.address[10] = out.address[11] = 0xff;
    std::memcpy(&out.address[12], &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(out.address.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool IsMappedV4(const IpNetwork& n) {
  for (size_t i = 0; i < 10; ++i)
    if (n.address[i] != 0) return false;
  return n.address[10] == 0xff && n.address[11] == 0xff;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<IpNetwork> ParseIpNetwork(std::string_view text) {
  std::string_view addr = text;
  std::optional<int> prefix;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    int value = -1;
    auto r = std::from_chars(p.data(), p.data() + p.size(), value);
    if (r.ec != std::errc() || r.ptr != p.data() + p.size() || p.empty()) return std::nullopt;
    prefix = value;
  }
  std::optional<IpNetwork> net = ParseAddress(std::string(addr));
  if (!net) return std::nullopt;
  bool v4 = IsMappedV4(*net) && addr.find(':') == std::string_view::npos;
  int max = v4 ? 32 : 128;
  int bits = prefix.value_or(max);
  if (bits < 0 || bits > max) return std::nullopt;
  net->prefix = v4 ? bits + 96 : bits;
  return net;
}

bool NetworkContains(const IpNetwork& network, std::string_view address) {
  std::optional<IpNetwork> a = ParseAddress(std::string(address));
  if (!a) return false;
  int bits = network.prefix;
  for (size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    uint8_t mask = static_cast<uint8_t>(bits >= 8 ? 0xff : 0xff << (8 - bits));
    if ((a->address[i] & mask) != (network.address[i] & mask)) return false;
  }
  return true;
}

Result<Allowlist> ParseAllowlist(const std::vector<std::string>& entries) {
  Allowlist out;
  for (const std::string& raw : entries) {
    std::string entry = Trim(raw);
    if (std::optional<IpNetwork> net = ParseIpNetwork(entry)) {
      out.networks.push_back(*net);
    } else if (entry.find('/') != std::string::npos || entry.empty()) {
      return Err("restapi.allowlist: \"" + entry + "\" is not an IP address, CIDR or hostname");
    } else {
      out.hostnames.push_back(entry);
    }
  }
  return out;
}

bool AllowlistPermits(const std::vector<IpNetwork>& networks, std::string_view address) {
  for (const IpNetwork& n : networks)
    if (NetworkContains(n, address)) return true;
  return false;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = Base64Value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::optional<BasicCredentials> ParseBasicAuth(std::string_view header) {
  std::string value = Trim(header);
  size_t space = value.find(' ');
  if (space == std::string::npos) return std::nullopt;
  std::string scheme = value.substr(0, space);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "basic") return std::nullopt;
  std::optional<std::string> decoded = DecodeBase64(Trim(value.substr(space + 1)));
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

namespace {
bool SameBytes(const std::string& a, const std::string& b) {
  unsigned diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned>(static_cast<unsigned char>(a[i]) ^
                                  static_cast<unsigned char>(i < b.size() ? b[i] : 0));
  return diff == 0;
}
}  // namespace

bool CredentialsMatch(const BasicCredentials& given, const BasicCredentials& expected) {
  bool user = SameBytes(given.username, expected.username);
  bool pass = SameBytes(given.password, expected.password);
  return user && pass;
}

}  // namespace pgha::api
