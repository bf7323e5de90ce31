#pragma once
// Internal: how an etcd failure is written into an Error: its kind in the code (ClassifyError
// reads it back), and a prefix that tells a reader the same.
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
Errc CodeOf(EtcdErrc errc);
inline Error EtcdErr(EtcdErrc errc, const std::string& detail) {
  return Err(CodeOf(errc), ErrcPrefix(errc) + detail);
}

// Maps a gRPC code plus message from etcd to what the caller does about it.
EtcdErrc ClassifyGrpc(int code, const std::string& message);

}  // namespace pgha::dcs
