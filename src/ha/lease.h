#pragma once
// When an agent's loop renews its etcd lease (a pure function of the loop's facts).
#include <cstdint>
#include <optional>

#include "core/clock.h"
#include "ha/settings.h"

namespace pgha::ha {

struct LeaseFacts {
  MonoTime now{};
  std::optional<MonoTime> valid_until;  // from the last renewal; empty: none yet, or it failed
  int64_t granted_ttl = 0;              // what etcd granted the lease with (0: no lease)
  bool leads = false;  // holds the leader key, or its PostgreSQL may still be writing
};

// A leader renews on every loop: each renewal extends its fence, and every second of lease it
// lets lapse is a second sooner that the fence stops a healthy primary. Any other member renews
// only once what is left of its lease is no more than the larger of ttl/2 and retry_timeout +
// loop_wait: a renewal that fails after its full retry_timeout still leaves a loop for another
// try before the member key lapses. At the defaults (ttl 5, loop_wait 1, retry_timeout 2) a
// replica renews every 2 s instead of every second; it renews at once before it takes the leader
// key (Agent::RenewLeaseNow), so a leader never starts on a half-spent lease.
bool LeaseRenewalDue(const Settings& settings, const LeaseFacts& facts);

}  // namespace pgha::ha
