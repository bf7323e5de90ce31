#pragma once
// "host:port" addresses as Patroni writes them (host may be empty, a bracketed IPv6 address or,
// for postgresql.listen, a comma list).
#include <string>
#include <vector>

#include "core/result.h"

namespace pgha::config::internal {

struct HostPort {
  std::string host;  // without brackets
  int port = 0;
};

// Splits at the last ':'. The error is the reason only: `expected host:port, got "5432"`.
Result<HostPort> ParseHostPort(const std::string& text);
std::string JoinHostPort(const std::string& host, int port);  // brackets IPv6 hosts
// Empty, 0.0.0.0, ::, * : listens everywhere, cannot be connected to from a peer.
bool IsWildcardHost(const std::string& host);
// The address peers should use when connect_address is not set: the first listen host, or
// 127.0.0.1 when it is a wildcard.
std::string DefaultConnectAddress(const HostPort& listen);
std::vector<std::string> ListenHosts(const std::string& host);  // "0.0.0.0,::" -> both

}  // namespace pgha::config::internal
