#pragma once
// URLs as members publish them: "http://host:port/patroni" (api_url) and
// "postgres://user@host:port/db" (conn_url). The one parser for both.
#include <optional>
#include <string>
#include <string_view>

namespace pgha {

struct Url {
  std::string scheme;  // "http", "https", "postgres"
  std::string host;    // without brackets; empty when the URL names none
  std::optional<int> port;
  std::string authority;  // "host:port" as written, without user info
  std::string path;       // from the first '/' or '?' after the authority; may be empty
  // "scheme://host:port": what an HTTP client connects to.
  std::string base() const { return scheme + "://" + authority; }
};

// Nullopt when there is no "scheme://". The user info ("user:pw@") is dropped; a port that is
// not a number in 1..65535 leaves `port` empty and keeps the rest as the host.
std::optional<Url> ParseUrl(std::string_view text);
// As ParseUrl, and text without "scheme://" is read as host:port/path (scheme empty).
Url ParseUrlOrAddress(std::string_view text);

}  // namespace pgha
