#include "dcs/etcd_errors.h"

namespace pgha::dcs {
namespace {

bool Contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

const char* ErrcPrefix(EtcdErrc errc) {
  switch (errc) {
    case EtcdErrc::kUnavailable:
      return kUnavailablePrefix;
    case EtcdErrc::kLeaseNotFound:
      return kLeaseNotFoundPrefix;
    case EtcdErrc::kCompacted:
      return kCompactedPrefix;
    case EtcdErrc::kAuth:
      return kAuthPrefix;
    case EtcdErrc::kNone:
    case EtcdErrc::kOther:
      return kOtherPrefix;
  }
  return kOtherPrefix;
}

// Which etcd kind travels in which code (core/result.h): one table, read both ways.
struct KindCode {
  EtcdErrc kind;
  Errc code;
};
constexpr KindCode kKindCodes[] = {{EtcdErrc::kUnavailable, Errc::kUnavailable},
                                   {EtcdErrc::kLeaseNotFound, Errc::kNotFound},
                                   {EtcdErrc::kCompacted, Errc::kGone},
                                   {EtcdErrc::kAuth, Errc::kAuth}};

Errc CodeOf(EtcdErrc errc) {
  for (const auto& kc : kKindCodes) {
    if (kc.kind == errc) return kc.code;
  }
  return Errc::kOther;
}

EtcdErrc ClassifyError(const Error& e) {
  for (const auto& kc : kKindCodes) {
    if (kc.code == e.code) return kc.kind;
  }
  return EtcdErrc::kOther;
}

EtcdErrc ClassifyGrpc(int code, const std::string& message) {
  // 14 Unavailable ("no leader", "request timed out"), 2 Unknown ("context deadline exceeded"),
  // 4 DeadlineExceeded: the member cannot serve now, another one may (docs/interfaces.md §2.5).
  if (code == 14 || code == 2 || code == 4 || Contains(message, "not a primary lessor")) {
    return EtcdErrc::kUnavailable;
  }
  if (code == 5 && Contains(message, "lease not found")) return EtcdErrc::kLeaseNotFound;
  if (code == 11 && Contains(message, "compacted")) return EtcdErrc::kCompacted;
  if (code == 16 || Contains(message, "invalid auth token") ||
      Contains(message, "revision of auth store is old") ||
      Contains(message, "user name is empty")) {
    return EtcdErrc::kAuth;
  }
  return EtcdErrc::kOther;
}

}  // namespace pgha::dcs
