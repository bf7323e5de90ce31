// `pghactl local` with real etcd (3 members) and HAProxy on non-default ports, and a stub agent
// (Python: node1 runs a real PostgreSQL with trust auth and claims leader, the others claim
// streaming replicas), so this runs before the real agent exists. The end-to-end test with the
// real agent lives in tests/integration/cluster/.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "local/context.h"
#include "local/local.h"
#include "local/process.h"

namespace pgha::ctl {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStub = R"PY(#!/usr/bin/python3
import glob, http.server, json, os, signal, subprocess, sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
name = cfg["name"]; api = int(cfg["restapi"]["listen"].split(":")[1])
pgport = int(cfg["postgresql"]["listen"].split(":")[1]); data = cfg["postgresql"]["data_dir"]
nodes = len(glob.glob(os.path.join(os.path.dirname(os.path.dirname(sys.argv[1])), "node*")))
pg = None
if name == "node1":
    bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    if not os.path.exists(data):
        subprocess.run([bindir + "/initdb", "-D", data, "-U", "postgres", "--auth=trust"],
                       check=True, stdout=subprocess.DEVNULL)
    pg = subprocess.Popen([bindir + "/postgres", "-D", data, "-p", str(pgport), "-c",
                           "listen_addresses=127.0.0.1", "-c",
                           "unix_socket_directories=" + os.path.dirname(data)])
def stop(*_):
    if pg: pg.send_signal(signal.SIGINT); pg.wait()
    os._exit(0)
signal.signal(signal.SIGTERM, stop)
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, code, body=b""):
        self.send_response(code); self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "OPTIONS": self.wfile.write(body)
    def do_GET(self):
        if self.path == "/cluster":
            m = [{"name": "node%d" % i, "role": "leader" if i == 1 else "replica",
                  "state": "running" if i == 1 else "streaming"} for i in range(1, nodes + 1)]
            return self.reply(200, json.dumps({"members": m}).encode())
        if self.path == "/primary": return self.reply(200 if name == "node1" else 503)
        if self.path == "/replica": return self.reply(503 if name == "node1" else 200)
        return self.reply(200, b"{}")
    do_OPTIONS = do_GET
http.server.HTTPServer(("127.0.0.1", api), H).serve_forever()
)PY";

class LocalEtcdHaproxy : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/var/tmp/pgha-local-it.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::permissions(root_, fs::perms(0755));
    std::ofstream(root_ + "/stub.py") << kStub;
    fs::permissions(root_ + "/stub.py", fs::perms(0755));
    // Ports below 32768, outside Linux's ephemeral range: a client connection elsewhere on the
    // machine can hold any port in that range for a moment, and `local up` then finds it taken.
    std::ofstream(root_ + "/cluster.yaml")
        << "name: itctl\nreplicas: 3\npostgres: {username: app, password: apppw, database: db}\n"
           "ports: {write: 23432, read: 23433, stats: 30000, postgres: 23440, api: 31008,\n"
           "        etcd_client: 25379, etcd_peer: 25380}\ninit_sql: [init.sql]\n";
    std::ofstream(root_ + "/init.sql") << "CREATE TABLE t(id int); INSERT INTO t VALUES (1);\n";
    ::setenv("PGHA_BIN", (root_ + "/stub.py").c_str(), 1);
    opt_.dir = root_ + "/cluster";
    opt_.cluster_file = root_ + "/cluster.yaml";
  }
  void TearDown() override {
    LocalOptions o = opt_;
    o.force = true;
    if (fs::exists(opt_.dir)) (void)RunLocal("destroy", o);
    fs::remove_all(root_);
  }
  LocalContext Context() {
    auto ctx = LoadContext(opt_);
    PGHA_ASSERT(ctx.ok(), ctx.ok() ? "" : ctx.message());
    return *ctx;
  }
  std::string root_;
  LocalOptions opt_;
};

TEST_F(LocalEtcdHaproxy, UpStatusKillStartDown) {
  ASSERT_EQ(RunLocal("up", opt_), 0);
  LocalContext ctx = Context();
  for (const auto& c : ctx.All()) EXPECT_TRUE(ctx.LivePid(c).has_value()) << c.label;
  EXPECT_TRUE(ctx.LivePostmaster(1).has_value());
  EXPECT_EQ(ctx.cluster.init_sql_done.size(), 1u);
  EXPECT_EQ(RunLocal("up", opt_), 0);  // already running

  LocalOptions other = opt_;  // same ports, other dir: refused before starting anything
  other.dir = root_ + "/other";
  EXPECT_EQ(RunLocal("up", other), 1);
  EXPECT_FALSE(fs::exists(other.dir));

  LocalOptions node = opt_;
  node.node = "node1";
  auto pm = ctx.LivePostmaster(1);
  EXPECT_EQ(RunLocal("kill", node), 0);
  EXPECT_FALSE(ctx.LivePid(ctx.Agent(1)).has_value());
  EXPECT_FALSE(IsAlive(*pm));
  EXPECT_EQ(RunLocal("status", opt_), 1);
  EXPECT_EQ(RunLocal("start", node), 0);
  node.node = "7";
  EXPECT_EQ(RunLocal("stop", node), 1);

  ASSERT_EQ(RunLocal("down", opt_), 0);
  for (const auto& c : ctx.All()) EXPECT_FALSE(ctx.LivePid(c).has_value()) << c.label;
  EXPECT_FALSE(ctx.LivePostmaster(1).has_value());
  EXPECT_EQ(RunLocal("status", opt_), 1);

  ASSERT_EQ(RunLocal("up", opt_), 0);  // restart on the same data
  EXPECT_EQ(Context().cluster.superuser.password, ctx.cluster.superuser.password);
  ASSERT_EQ(RunLocal("down", opt_), 0);
}

}  // namespace
}  // namespace pgha::ctl
