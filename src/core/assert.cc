#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace pgha {
void AssertFailed(const char* expr, const char* file, int line, const std::string& msg) {
  std::fprintf(stderr, "pgha: assertion failed: %s at %s:%d: %s\n", expr, file, line, msg.c_str());
  std::fflush(stderr);
  std::abort();
}
}  // namespace pgha
