// Which client certificate a member presents to other members' REST APIs (node::MemberClientCert):
// ctl first, else restapi, as Patroni's PatroniRequest.
#include <gtest/gtest.h>

#include "node/member_client.h"

namespace pgha::node {
namespace {

TEST(MemberClientCert, NoneWithoutTls) {
  ClientCert cert = MemberClientCert(config::Config{});
  EXPECT_EQ(cert.certfile, "");
  EXPECT_EQ(cert.keyfile, "");
}

TEST(MemberClientCert, RestApiCertificateWhenNoCtlCertificate) {
  config::Config c;
  c.restapi.certfile = "/tls/server.crt";
  c.restapi.keyfile = "/tls/server.key";
  ClientCert cert = MemberClientCert(c);
  EXPECT_EQ(cert.certfile, "/tls/server.crt");
  EXPECT_EQ(cert.keyfile, "/tls/server.key");
}

TEST(MemberClientCert, CtlCertificateWinsAndKeepsItsOwnKey) {
  config::Config c;
  c.restapi.certfile = "/tls/server.crt";
  c.restapi.keyfile = "/tls/server.key";
  c.ctl.certfile = "/tls/client.crt";
  c.ctl.keyfile = "/tls/client.key";
  ClientCert cert = MemberClientCert(c);
  EXPECT_EQ(cert.certfile, "/tls/client.crt");
  EXPECT_EQ(cert.keyfile, "/tls/client.key");
  c.ctl.keyfile.clear();  // never the restapi key with the ctl certificate
  EXPECT_EQ(MemberClientCert(c).keyfile, "/tls/client.crt");
}

TEST(MemberClientCert, VerifiesPeersAgainstCtlCacertElseRestApiCafile) {
  config::Config c;
  EXPECT_FALSE(MemberClientCert(c).verify);  // no CA file: nothing to verify against
  c.restapi.cafile = "/tls/ca.crt";
  EXPECT_TRUE(MemberClientCert(c).verify);
  EXPECT_EQ(MemberClientCert(c).cafile, "/tls/ca.crt");
  c.ctl.cacert = "/tls/ctl-ca.crt";
  EXPECT_EQ(MemberClientCert(c).cafile, "/tls/ctl-ca.crt");
  c.ctl.insecure = true;
  EXPECT_FALSE(MemberClientCert(c).verify);
}

TEST(MemberClientCert, KeyDefaultsToTheCertificateFile) {
  config::Config c;
  c.restapi.certfile = "/tls/both.pem";
  EXPECT_EQ(MemberClientCert(c).keyfile, "/tls/both.pem");
}

}  // namespace
}  // namespace pgha::node
