// Endpoint failover against a real 3-member etcd cluster.
#include <gtest/gtest.h>

#include "dcs/dcs.h"
#include "dcs/etcd_client.h"
#include "support/etcd_process.h"

namespace pgha::dcs {
namespace {

using namespace std::chrono_literals;

TEST(EtcdCluster3, ClientsSurviveAKilledMember) {
  testing::EtcdClusterOptions options;
  options.members = 3;
  auto cluster = testing::EtcdCluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.message();
  EtcdOptions etcd;
  etcd.endpoints = (*cluster)->endpoints();
  etcd.timeout = 6000ms;  // room for an etcd election after the kill
  DcsOptions o{etcd, "/service", "three", "a", /*watch=*/false};
  auto dcs = MakeEtcdDcs(o);
  ASSERT_TRUE(dcs->EnsureLease(10).ok());
  ASSERT_TRUE(dcs->AcquireLeader().value());

  (*cluster)->Kill(0);  // the endpoint the client talks to first
  auto refreshed = dcs->RefreshLeader();
  ASSERT_TRUE(refreshed.ok()) << refreshed.message();
  EXPECT_TRUE(*refreshed);
  auto kept = dcs->KeepAlive();
  ASSERT_TRUE(kept.ok()) << kept.message();
  EXPECT_TRUE(*kept);
  auto view = dcs->Load();
  ASSERT_TRUE(view.ok()) << view.message();
  EXPECT_EQ(view->leader, "a");
}

}  // namespace
}  // namespace pgha::dcs
