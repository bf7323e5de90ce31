#include "dcs/keys.h"

#include <utility>

namespace pgha::dcs {
namespace {

// "service", "/service", "/service/" and "service/" all mean "/service".
std::string NormalizeNamespace(std::string ns) {
  while (!ns.empty() && ns.back() == '/') ns.pop_back();
  size_t start = ns.find_first_not_of('/');
  ns = start == std::string::npos ? std::string() : ns.substr(start);
  return "/" + ns;
}

}  // namespace

Keys::Keys(std::string namespace_, const std::string& scope) {
  std::string ns = NormalizeNamespace(std::move(namespace_));
  prefix_ = (ns == "/" ? "" : ns) + "/" + scope + "/";
}

}  // namespace pgha::dcs
