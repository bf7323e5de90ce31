#pragma once
// Always-on assertions (also in release builds): a broken invariant aborts loudly.
#include <string>

namespace pgha {
[[noreturn]] void AssertFailed(const char* expr, const char* file, int line, const std::string& msg);
}

#define PGHA_ASSERT(cond, msg)                                          \
  do {                                                                  \
    if (!(cond)) ::pgha::AssertFailed(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
