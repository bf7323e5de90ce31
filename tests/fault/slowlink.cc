// pgha-fault-slowlink QUEUE DELAY_MS MAX_SECONDS: the fault suite's slow link (there is no netem
// on the project's machines). Every packet nft hands to netfilter queue QUEUE (`queue num QUEUE
// bypass`) is held for DELAY_MS and then let through, in arrival order, so a link keeps working,
// only slowly, for connections old and new. Runs in the namespace whose rules queue the packets;
// stops after MAX_SECONDS or on SIGTERM/SIGINT, letting every held packet through first. With
// `bypass`, packets pass untouched once no program listens on the queue.
#include <arpa/inet.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

struct Held {
  uint32_t id;
  Clock::time_point due;
};

struct State {
  nfq_q_handle* queue = nullptr;
  std::deque<Held> held;
  std::chrono::milliseconds delay{0};
};

volatile std::sig_atomic_t stop_requested = 0;
void OnSignal(int) { stop_requested = 1; }

int OnPacket(nfq_q_handle*, nfgenmsg*, nfq_data* nfa, void* data) {
  auto* state = static_cast<State*>(data);
  const nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(nfa);
  if (header == nullptr) return 0;
  state->held.push_back({ntohl(header->packet_id), Clock::now() + state->delay});
  return 0;
}

void Release(State& state, bool all) {
  const auto now = Clock::now();
  while (!state.held.empty() && (all || state.held.front().due <= now)) {
    nfq_set_verdict(state.queue, state.held.front().id, NF_ACCEPT, 0, nullptr);
    state.held.pop_front();
  }
}

bool ParseNumber(const char* text, long max, long& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtol(text, &end, 10);
  return errno == 0 && end != text && *end == '\0' && out >= 0 && out <= max;
}

}  // namespace

int main(int argc, char** argv) {
  long queue_num = 0, delay_ms = 0, max_seconds = 0;
  if (argc != 4 || !ParseNumber(argv[1], 65535, queue_num) ||
      !ParseNumber(argv[2], 60000, delay_ms) || !ParseNumber(argv[3], 86400, max_seconds)) {
    std::fprintf(stderr,
                 "usage: pgha-fault-slowlink QUEUE(0-65535) DELAY_MS(0-60000) "
                 "MAX_SECONDS(0-86400)\n");
    return 2;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  State state;
  state.delay = std::chrono::milliseconds(delay_ms);
  nfq_handle* handle = nfq_open();
  if (handle == nullptr) {
    std::perror("nfq_open");
    return 1;
  }
  state.queue = nfq_create_queue(handle, static_cast<uint16_t>(queue_num), &OnPacket, &state);
  if (state.queue == nullptr || nfq_set_mode(state.queue, NFQNL_COPY_META, 0) < 0) {
    std::fprintf(stderr, "pgha-fault-slowlink: cannot bind netfilter queue %ld: %s\n", queue_num,
                 std::strerror(errno));
    nfq_close(handle);
    return 1;
  }
  nfq_set_queue_maxlen(state.queue, 65536);
  const int fd = nfq_fd(handle);
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  const auto deadline = Clock::now() + std::chrono::seconds(max_seconds);
  std::fprintf(stderr, "pgha-fault-slowlink: queue %ld, %ld ms\n", queue_num, delay_ms);
  char buffer[65536];
  while (stop_requested == 0 && Clock::now() < deadline) {
    int timeout_ms = 100;
    if (!state.held.empty()) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
          state.held.front().due - Clock::now());
      timeout_ms = static_cast<int>(std::max<long>(0, std::min<long>(wait.count(), 100)));
    }
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) > 0 && (pfd.revents & POLLIN) != 0) {
      ssize_t n = 0;
      while ((n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT)) > 0) {
        nfq_handle_packet(handle, buffer, static_cast<int>(n));
      }
    }
    Release(state, false);
  }
  Release(state, true);
  nfq_destroy_queue(state.queue);
  nfq_close(handle);
  return 0;
}
