#pragma once
// The member-facing types live below api/ and agent/ (src/node/); the REST code names them here.
#include "node/member_client.h"
#include "node/operations.h"
#include "node/snapshot.h"

namespace pgha::api {

using node::ClientCert;
using node::MemberClientCert;
using node::NodeOperations;
using node::OpResponse;
using node::RestartRequest;
using node::Snapshot;
using node::UseMemberTls;

}  // namespace pgha::api
