#pragma once
// Internal: the message prefixes that make EtcdErrc recoverable from an Error value.
#include <string>

#include "core/result.h"
#include "dcs/etcd_client.h"

namespace pgha::dcs {

inline constexpr char kUnavailablePrefix[] = "etcd unavailable: ";
inline constexpr char kLeaseNotFoundPrefix[] = "etcd lease not found: ";
inline constexpr char kCompactedPrefix[] = "etcd compacted: ";
inline constexpr char kAuthPrefix[] = "etcd auth: ";
inline constexpr char kOtherPrefix[] = "etcd error: ";

const char* ErrcPrefix(EtcdErrc errc);
inline Error EtcdErr(EtcdErrc errc, const std::string& detail) {
  return Err(ErrcPrefix(errc) + detail);
}

// Maps a gRPC code plus message from etcd to what the caller does about it.
EtcdErrc ClassifyGrpc(int code, const std::string& message);

}  // namespace pgha::dcs
