// pgha-fence-guard DATA_DIR [ETCD_HOST:PORT,... [PGHA CONFIG]]: started by the pgha agent; see
// agent/guard.h.
#include <cstdio>
#include <string>

#include "agent/guard.h"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3 && argc != 5) {
    std::fprintf(stderr,
                 "usage: pgha-fence-guard DATA_DIR [ETCD_HOST:PORT,... [PGHA CONFIG]] (started by "
                 "pgha, not by hand)\n");
    return 2;
  }
  return pgha::agent::RunGuard(argv[1], argc >= 3 ? argv[2] : "", argc == 5 ? argv[3] : "",
                               argc == 5 ? argv[4] : "");
}
