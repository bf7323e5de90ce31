#include "core/url.h"

#include "core/strings.h"

namespace pgha {

std::optional<Url> ParseUrl(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  Url url;
  url.scheme = std::string(text.substr(0, sep));
  std::string_view rest = text.substr(sep + 3);
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  if (end != std::string_view::npos) url.path = std::string(rest.substr(end));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  url.authority = std::string(authority);
  int port = 0;
  if (SplitHostPort(authority, &url.host, &port)) {
    url.port = port;
  } else {
    if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']')
      authority = authority.substr(1, authority.size() - 2);
    url.host = std::string(authority);
  }
  return url;
}

Url ParseUrlOrAddress(std::string_view text) {
  if (auto url = ParseUrl(text)) return *url;
  Url url = *ParseUrl("x://" + std::string(text));  // cannot fail: it has a scheme
  url.scheme.clear();
  return url;
}

}  // namespace pgha
