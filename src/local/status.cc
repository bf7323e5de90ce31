// `pghactl local status`: one line per process of the cluster.
#include <cstdio>
#include <iostream>

#include "local/commands.h"

namespace pgha::ctl {
namespace {

struct Row {
  std::string process, pid, state, detail;
};

void PrintRows(const std::vector<Row>& rows) {
  std::printf("%-18s %-8s %-6s %s\n", "PROCESS", "PID", "STATE", "LISTENS");
  for (const auto& r : rows) {
    std::printf("%-18s %-8s %-6s %s\n", r.process.c_str(), r.pid.c_str(), r.state.c_str(),
                r.detail.c_str());
  }
  std::fflush(stdout);
}

Row MakeRow(const std::string& name, std::optional<pid_t> pid, const std::string& detail) {
  return {name, pid ? std::to_string(*pid) : "-", pid ? "up" : "down", detail};
}

}  // namespace

int LocalStatus(const LocalOptions& opt) {
  auto ctx = LoadContext(opt);
  if (SaidError(ctx)) return 1;
  const ClusterSpec& s = ctx->cluster.spec;
  auto port = [](int p) { return "127.0.0.1:" + std::to_string(p); };
  std::vector<Row> rows;
  for (int j = 1; j <= ctx->cluster.members(); ++j) {
    rows.push_back(
        MakeRow("etcd " + MemberName(j), ctx->LivePid(ctx->Etcd(j)),
                port(EtcdClientPort(s, j)) + " (peer " + std::to_string(EtcdPeerPort(s, j)) + ")"));
  }
  for (int i = 1; i <= ctx->cluster.nodes(); ++i) {
    rows.push_back(
        MakeRow("agent " + NodeName(i), ctx->LivePid(ctx->Agent(i)), port(ApiPort(s, i))));
    rows.push_back(
        MakeRow("postgres " + NodeName(i), ctx->LivePostmaster(i), port(PostgresPort(s, i))));
  }
  rows.push_back(MakeRow("haproxy", ctx->LivePid(ctx->Haproxy()),
                         "rw " + std::to_string(s.ports.write) + ", ro " +
                             std::to_string(s.ports.read) + ", stats " +
                             std::to_string(s.ports.stats)));
  std::cout << "cluster " << s.name << " in " << ctx->layout.dir << "\n" << std::flush;
  PrintRows(rows);
  for (const auto& r : rows) {
    if (r.state != "up") return 1;
  }
  return 0;
}

}  // namespace pgha::ctl
