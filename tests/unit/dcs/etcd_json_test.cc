// Exact request bodies (etcd silently ignores misspelt fields) and verbatim responses from
// docs/interfaces.md §2.
#include "dcs/etcd_json.h"

#include <gtest/gtest.h>

#include "dcs/etcd_errors.h"

namespace pgha::dcs::etcd_json {
namespace {

nlohmann::json J(const char* text) { return nlohmann::json::parse(text); }

TEST(EtcdRequests, Range) {
  EXPECT_EQ(RangeRequest("/service/pg1/config", false, false),
            R"({"key":"L3NlcnZpY2UvcGcxL2NvbmZpZw=="})");
  EXPECT_EQ(RangeRequest("/service/pg1/", true, true),
            R"({"key":"L3NlcnZpY2UvcGcxLw==","range_end":"L3NlcnZpY2UvcGcxMA==",)"
            R"("serializable":true})");
}

TEST(EtcdRequests, Put) {
  EXPECT_EQ(PutRequest("/service/pg1/config", "{\"ttl\":30}", 0),
            R"({"key":"L3NlcnZpY2UvcGcxL2NvbmZpZw==","value":"eyJ0dGwiOjMwfQ=="})");
  EXPECT_EQ(PutRequest("/x", "y", 1000), R"({"key":"L3g=","value":"eQ==","lease":"1000"})");
}

TEST(EtcdRequests, DeletePrefix) {
  EXPECT_EQ(DeleteRequest("/service/pg1/", true),
            R"({"key":"L3NlcnZpY2UvcGcxLw==","range_end":"L3NlcnZpY2UvcGcxMA=="})");
}

TEST(EtcdRequests, LeaderAcquireTxn) {
  const std::string lk = "/service/pg1/leader";
  Compare cmp{lk, Compare::Target::kCreate, Compare::Op::kEqual, 0, ""};
  TxnOp put{TxnOp::Kind::kPut, lk, "node1", 3749987771272821281, false};
  TxnOp range{TxnOp::Kind::kRange, lk, "", 0, false};
  const std::string k = Base64Encode(lk);
  EXPECT_EQ(TxnRequest({cmp}, {put}, {range}),
            R"({"compare":[{"key":")" + k +
                R"(","target":"CREATE","result":"EQUAL","create_revision":"0"}],)"
                R"("success":[{"request_put":{"key":")" +
                k +
                R"(","value":"bm9kZTE=","lease":"3749987771272821281"}}],)"
                R"("failure":[{"request_range":{"key":")" +
                k + R"("}}]})");
}

TEST(EtcdRequests, OwnershipCompares) {
  Compare value{"/k", Compare::Target::kValue, Compare::Op::kEqual, 0, "node1"};
  Compare lease{"/k", Compare::Target::kLease, Compare::Op::kEqual, 42, ""};
  Compare mod{"/k", Compare::Target::kMod, Compare::Op::kEqual, 17, ""};
  TxnOp del{TxnOp::Kind::kDelete, "/k", "", 0, false};
  EXPECT_EQ(TxnRequest({value, lease, mod}, {del}, {}),
            R"({"compare":[{"key":"L2s=","target":"VALUE","result":"EQUAL","value":"bm9kZTE="},)"
            R"({"key":"L2s=","target":"LEASE","result":"EQUAL","lease":"42"},)"
            R"({"key":"L2s=","target":"MOD","result":"EQUAL","mod_revision":"17"}],)"
            R"("success":[{"request_delete_range":{"key":"L2s="}}],"failure":[]})");
}

TEST(EtcdRequests, LeaseBodiesUseCapitalizedFields) {
  EXPECT_EQ(LeaseGrantRequest(30), R"({"TTL":"30"})");
  EXPECT_EQ(LeaseIdRequest(3749987771272821268), R"({"ID":"3749987771272821268"})");
  EXPECT_EQ(AuthenticateRequest("patroni", "pw"), R"({"name":"patroni","password":"pw"})");
}

TEST(EtcdRequests, WatchCreate) {
  EXPECT_EQ(WatchCreateRequest("/service/pg1/", 14),
            R"({"create_request":{"key":"L3NlcnZpY2UvcGcxLw==","range_end":"L3NlcnZpY2UvcGcxMA==",)"
            R"("start_revision":"14","progress_notify":true}})");
}

TEST(EtcdResponses, RangeWithAndWithoutKvs) {
  auto r = ParseRange(J(
      R"({"header":{"cluster_id":"4388660756279108050","member_id":"15849019704349078538","revision":"3","raft_term":"2"},"kvs":[{"key":"L3NlcnZpY2UvcGcxL2NvbmZpZw==","create_revision":"2","mod_revision":"3","version":"2","value":"eyJ0dGwiOjMwfQ=="}],"count":"1"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->revision, 3);
  ASSERT_EQ(r->kvs.size(), 1u);
  EXPECT_EQ(r->kvs[0].key, "/service/pg1/config");
  EXPECT_EQ(r->kvs[0].value, "{\"ttl\":30}");
  EXPECT_EQ(r->kvs[0].create_revision, 2);
  EXPECT_EQ(r->kvs[0].mod_revision, 3);
  EXPECT_EQ(r->kvs[0].lease, 0);

  auto empty = ParseRange(
      J(R"({"header":{"cluster_id":"1","member_id":"2","revision":"3","raft_term":"2"}})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->kvs.empty());
  EXPECT_EQ(ParseHeader(J(R"({"header":{"member_id":"15849019704349078538"}})")).member_id,
            15849019704349078538ull);
}

TEST(EtcdResponses, FailedTxnHasNoSucceededKey) {
  auto t = ParseTxn(
      J(R"({"header":{"revision":"8"},"responses":[{"response_range":{"header":{"revision":"8"},
    "kvs":[{"key":"L3NlcnZpY2UvcGcxL2xlYWRlcg==","create_revision":"8","mod_revision":"8","version":"1","value":"bm9kZTE=","lease":"3749987771272821281"}],"count":"1"}}]})"));
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->succeeded);
  ASSERT_EQ(t->kvs.size(), 1u);
  EXPECT_EQ(t->kvs[0].value, "node1");
  EXPECT_EQ(t->kvs[0].lease, 3749987771272821281);

  auto ok = ParseTxn(J(
      R"({"header":{"revision":"8"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"8"}}}]})"));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->succeeded);
  EXPECT_EQ(ok->revision, 8);
  auto bare = ParseTxn(J(R"({"header":{"revision":"9"}})"));
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->succeeded);
}

TEST(EtcdResponses, NestedTxnRangesAreCollected) {
  auto t = ParseTxn(J(
      R"({"header":{},"responses":[{"response_txn":{"header":{},"succeeded":true,"responses":[{"response_range":{"kvs":[{"key":"L2s=","value":"eQ=="}]}}]}}]})"));
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->kvs.size(), 1u);
  EXPECT_EQ(t->kvs[0].key, "/k");
}

TEST(EtcdResponses, KeepAliveWithoutTtlMeansLeaseGone) {
  auto alive =
      ParseKeepAlive(J(R"({"result":{"header":{"revision":"42"},"ID":"1000","TTL":"15"}})"));
  EXPECT_EQ(alive.ttl, 15);
  EXPECT_EQ(alive.revision, 42);
  EXPECT_EQ(ParseKeepAlive(J(R"({"result":{"header":{},"ID":"424242"}})")).ttl, 0);
  EXPECT_EQ(ParseKeepAlive(J(R"({"result":{"ID":"424242","TTL":"-1"}})")).ttl, 0);
}

TEST(EtcdResponses, LeaseGrant) {
  auto id = ParseLeaseGrant(J(R"({"header":{},"ID":"3749987771272821268","TTL":"20"})"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 3749987771272821268);
  EXPECT_FALSE(ParseLeaseGrant(J(R"({"header":{},"ID":"1","TTL":"0","error":"boom"})")).ok());
}

TEST(EtcdResponses, DeletedDefaultsToZero) {
  EXPECT_EQ(ParseDeleted(J(R"({"header":{"revision":"4"},"deleted":"1"})")), 1);
  EXPECT_EQ(ParseDeleted(J(R"({"header":{"revision":"4"}})")), 0);
}

TEST(EtcdResponses, ErrorBodiesInBothShapes) {
  auto unary = FindError(J(
      R"({"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5})"));
  ASSERT_TRUE(unary);
  EXPECT_EQ(unary->code, 5);
  EXPECT_EQ(ClassifyGrpc(unary->code, unary->message), EtcdErrc::kLeaseNotFound);

  auto stream = FindError(J(
      R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}})"));
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->code, 14);
  EXPECT_EQ(stream->message, "etcdserver: no leader");
  EXPECT_EQ(ClassifyGrpc(stream->code, stream->message), EtcdErrc::kUnavailable);

  EXPECT_EQ(ClassifyGrpc(2, "context deadline exceeded"), EtcdErrc::kUnavailable);
  EXPECT_EQ(ClassifyGrpc(16, "etcdserver: invalid auth token"), EtcdErrc::kAuth);
  EXPECT_EQ(ClassifyGrpc(11, "mvcc: required revision has been compacted"), EtcdErrc::kCompacted);
  EXPECT_EQ(ClassifyGrpc(3, "duplicate key given in txn request"), EtcdErrc::kOther);
  EXPECT_FALSE(FindError(J(R"({"header":{"revision":"4"}})")));
}

TEST(EtcdErrors, ClassifiedByCode) {
  EXPECT_EQ(ClassifyError(EtcdErr(EtcdErrc::kUnavailable, "x")), EtcdErrc::kUnavailable);
  EXPECT_EQ(ClassifyError(EtcdErr(EtcdErrc::kLeaseNotFound, "x")), EtcdErrc::kLeaseNotFound);
  EXPECT_EQ(ClassifyError(EtcdErr(EtcdErrc::kCompacted, "x")), EtcdErrc::kCompacted);
  EXPECT_EQ(ClassifyError(EtcdErr(EtcdErrc::kAuth, "x")), EtcdErrc::kAuth);
  EXPECT_EQ(ClassifyError(Err("something else")), EtcdErrc::kOther);
  // The text alone decides nothing: a message that merely reads like an etcd error is other.
  EXPECT_EQ(ClassifyError(Err("etcd unavailable: copied text")), EtcdErrc::kOther);
  EXPECT_EQ(EtcdErr(EtcdErrc::kUnavailable, "no leader").message, "etcd unavailable: no leader");
}

TEST(WatchStream, SplitsObjectsAcrossReads) {
  JsonObjectSplitter s;
  const std::string a = R"({"result":{"header":{"revision":"13"},"created":true}})";
  const std::string b =
      R"({"result":{"header":{"revision":"14"},"events":[{"kv":{"key":"L2s=","value":"e30=","mod_revision":"14"}}]}})";
  const std::string stream = a + "\n" + b + "\n";
  std::vector<std::string> got;
  for (size_t i = 0; i < stream.size(); i += 7) {  // awkward 7-byte reads
    for (auto& o : s.Feed(std::string_view(stream).substr(i, 7))) got.push_back(o);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], a);
  EXPECT_EQ(got[1], b);
  EXPECT_EQ(s.buffered(), 0u);
}

TEST(WatchStream, BracesInsideStringsDoNotSplit) {
  JsonObjectSplitter s;
  auto got = s.Feed(R"({"a":"}{\"}"}{"b":1})");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], R"({"a":"}{\"}"})");
  EXPECT_TRUE(s.Feed(R"({"c":)").empty());
  EXPECT_EQ(s.Feed("2}\n").size(), 1u);
}

TEST(WatchStream, ParsesEventsAndCompaction) {
  auto events = ParseWatchMessage(J(
      R"({"result":{"header":{"revision":"17"},"events":[{"type":"DELETE","kv":{"key":"L2s=","mod_revision":"17"}},{"kv":{"key":"L2s=","value":"eQ==","mod_revision":"17"}}]}})"));
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->revision, 17);
  ASSERT_EQ(events->events.size(), 2u);
  EXPECT_EQ(events->events[0].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(events->events[1].type, WatchEvent::Type::kPut);
  EXPECT_EQ(events->events[1].kv.value, "y");

  auto cancel = ParseWatchMessage(
      J(R"({"result":{"header":{"revision":"17"},"canceled":true,"compact_revision":"17"}})"));
  ASSERT_TRUE(cancel.ok());
  EXPECT_TRUE(cancel->canceled);
  EXPECT_EQ(cancel->compact_revision, 17);

  auto error = ParseWatchMessage(J(
      R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}})"));
  ASSERT_TRUE(error.ok());
  ASSERT_TRUE(error->error);
  EXPECT_EQ(error->error->code, 14);
}

}  // namespace
}  // namespace pgha::dcs::etcd_json
