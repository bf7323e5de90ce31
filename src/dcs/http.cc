#include "dcs/http.h"

#include <memory>

#include "core/assert.h"

namespace pgha::dcs::http {
namespace {

// curl_global_init is not thread-safe; a function-local static runs it exactly once.
void GlobalInit() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  PGHA_ASSERT(done, "curl_global_init failed");
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct StreamState {
  const std::function<bool(std::string_view)>* on_data;
  const std::atomic<bool>* stop;
  bool stopped = false;
};

size_t StreamBody(char* data, size_t size, size_t n, void* user) {
  auto* state = static_cast<StreamState*>(user);
  if (state->stop->load() || !(*state->on_data)(std::string_view(data, size * n))) {
    state->stopped = true;
    return 0;  // makes curl abort the transfer
  }
  return size * n;
}

// Aborts a transfer once `stop` is set, even when no bytes arrive.
int StreamProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* state = static_cast<StreamState*>(user);
  if (!state->stop->load()) return 0;
  state->stopped = true;
  return 1;
}

Slist SetCommon(CURL* h, const Request& r) {
  curl_easy_setopt(h, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts must not use SIGALRM in threads
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 5L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 5L);
  if (!r.tls.cacert.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, r.tls.cacert.c_str());
  if (!r.tls.cert.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, r.tls.cert.c_str());
  if (!r.tls.key.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, r.tls.key.c_str());
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& header : r.headers) list = curl_slist_append(list, header.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  return Slist(list);
}

Error CurlError(CURLcode code, const char* detail) {
  std::string msg = curl_easy_strerror(code);
  if (detail[0] != '\0') msg += std::string(" (") + detail + ")";
  return Err(msg);
}

// Runs a transfer through a multi handle so `stop` is noticed within ~100 ms (~50 ms, and
// `alive` asked each turn, when `alive` is given; false aborts the transfer).
CURLcode RunInterruptible(CURL* h, const std::atomic<bool>& stop,
                          const std::function<bool()>& alive) {
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  if (!multi) return CURLE_OUT_OF_MEMORY;
  curl_multi_add_handle(multi.get(), h);
  CURLcode result = CURLE_OK;
  for (int running = 1; running > 0;) {
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
      result = CURLE_RECV_ERROR;
      break;
    }
    if (running == 0) {
      int queued = 0;
      CURLMsg* msg = curl_multi_info_read(multi.get(), &queued);
      if (msg && msg->msg == CURLMSG_DONE) result = msg->data.result;
      break;
    }
    if (stop.load()) {
      result = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    if (alive && !alive()) {
      result = CURLE_OPERATION_TIMEDOUT;
      break;
    }
    curl_multi_poll(multi.get(), nullptr, 0, alive ? 50 : 100, nullptr);
  }
  curl_multi_remove_handle(multi.get(), h);
  return result;
}

}  // namespace

Easy::Easy() {
  GlobalInit();
  handle_ = curl_easy_init();
  PGHA_ASSERT(handle_ != nullptr, "curl_easy_init failed");
}

Easy::~Easy() { curl_easy_cleanup(handle_); }

Result<Response> Post(Easy& easy, const Request& request) {
  CURL* h = easy.get();
  curl_easy_reset(h);  // keeps the connection cache, drops options of the previous call
  Slist headers = SetCommon(h, request);
  Response response;
  char detail[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  CURLcode code = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK) return CurlError(code, detail);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Result<StreamEnd> PostStream(const Request& request, std::chrono::seconds idle_limit,
                             const std::function<bool(std::string_view)>& on_data,
                             const std::atomic<bool>& stop, const std::function<bool()>& alive) {
  Easy easy;
  CURL* h = easy.get();
  Slist headers = SetCommon(h, request);
  StreamState state{&on_data, &stop};
  char detail[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, StreamBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, StreamProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &state);
  // A live stream may be quiet; one quiet for idle_limit is as good as dead.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(idle_limit.count()));
  bool stalled = false;
  CURLcode code = RunInterruptible(h, stop, [&] {
    if (!alive || alive()) return true;
    stalled = true;
    return false;
  });
  if (stalled) return Err("the stream went silent beyond its progress-notification rhythm");
  StreamEnd end;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &end.status);
  end.stopped = state.stopped || stop.load();
  if (code != CURLE_OK && !end.stopped) return CurlError(code, detail);
  return end;
}

}  // namespace pgha::dcs::http
