#pragma once
// GET and POST /failsafe (Patroni's failsafe mode; docs/interfaces.md §3). Transport-free: the
// server passes the snapshot and body and sends back the answer.
#include <string>

#include "api/node_types.h"
#include "node/failsafe_inbox.h"

namespace pgha::api {

struct FailsafeAnswer {
  int status = 200;
  std::string body;
  bool json = false;
  std::string lsn;  // the `lsn` header: this member's WAL position ("" = none)
};

// The members the leader last wrote to /failsafe (200), or 502 when there are none (failsafe
// mode off, or not written yet), as Patroni.
FailsafeAnswer FailsafeGet(const Snapshot& s);
// The primary asks this member to confirm it: 200 "Accepted" (recorded in `inbox`, with this
// member's WAL position in `lsn`); 500 "Running as a leader" from a running primary; 502 when
// failsafe_mode is off; 400 naming what is wrong with the body.
FailsafeAnswer FailsafePost(const Snapshot& s, const std::string& body, node::FailsafeInbox* inbox);

}  // namespace pgha::api
