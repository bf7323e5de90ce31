#pragma once
// `pghactl gen -f values.yaml --hosts h1=10.0.0.1,... --out DIR`: per-host configuration for a
// cluster on real hosts under systemd (see gen_render.h for what each file holds).
// `pghactl gen -f values.yaml --compose [--subnet CIDR] --out DIR`: the same cluster as a
// docker-compose project (gen_compose.h).
#include <string>
#include <vector>

namespace pgha::ctl {

struct GenOptions {
  std::string values_file;  // the seed's values format (as `local up -f`)
  std::string hosts;        // NAME=ADDRESS,...
  std::string out_dir;
  std::vector<std::string> clients;  // CIDRs allowed to PostgreSQL besides the hosts
  std::string pgha_bin = "/usr/local/bin/pgha";
  std::string data_dir = "/var/lib/pgha/data";
  int pg_major = 15;
  bool compose = false;                   // a docker-compose project instead of hosts
  std::string subnet = "172.28.89.0/24";  // --compose: the project's network
};

// Returns the exit code (0 written, 1 a bad input named on stderr).
int Gen(const GenOptions& o);

}  // namespace pgha::ctl
