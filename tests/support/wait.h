#pragma once
// Waiting in tests: poll a condition until it holds or a deadline passes (never a bare sleep).
#include <chrono>
#include <functional>

namespace pgha::testing {

// True as soon as `predicate` returns true; false if it still does not at `timeout`.
bool WaitFor(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
             std::chrono::milliseconds poll_interval = std::chrono::milliseconds(20));

// A loopback TCP port that was free a moment ago (the OS picked it). Racy by nature: callers
// that bind later retry with a new port when the bind fails.
int FreePort();

}  // namespace pgha::testing
