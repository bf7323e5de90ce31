#include "ha/lease.h"

#include <algorithm>
#include <chrono>

namespace pgha::ha {

bool LeaseRenewalDue(const Settings& settings, const LeaseFacts& facts) {
  if (facts.leads || !facts.valid_until) return true;
  if (facts.granted_ttl != settings.ttl) return true;  // a changed ttl needs a new lease now
  using std::chrono::milliseconds;
  auto half_ttl = milliseconds(settings.ttl * 1000 / 2);
  auto one_retry = milliseconds((settings.retry_timeout + settings.loop_wait) * 1000);
  return *facts.valid_until - facts.now <= std::max(half_ttl, one_retry);
}

}  // namespace pgha::ha
