#include "ctl/rest_client.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include "core/url.h"

namespace pgha::ctl {
namespace {

// SSL_write to a peer that already closed the connection raises SIGPIPE (httplib sends plain
// HTTP with MSG_NOSIGNAL, but not TLS). That happens when a REST API with verify_client: required
// refuses our certificate after a TLS 1.3 handshake, and would kill pghactl silently (exit 141).
// Blocks SIGPIPE on this thread for one call and discards one raised meanwhile: the call fails
// with an error instead. Not a process-wide SIG_IGN, which spawned processes would inherit and
// which would keep `pghactl list -W | head` running after its reader is gone.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &old_) == 0;
  }
  ~SigpipeBlock() {
    if (!blocked_) return;
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec zero{0, 0};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false, blocked_ = false;
};

}  // namespace

std::string ApiBase(const std::string& api_url) {
  std::optional<Url> u = ParseUrl(api_url);
  return u ? u->base() : "";
}

RestClient::RestClient(const config::Config& config)
    : tls_(config.ctl), cert_(node::MemberClientCert(config)) {
  auth_ = config.ctl.authentication ? config.ctl.authentication : config.restapi.authentication;
}

Result<RestReply> RestClient::Call(const ha::Member& member, const std::string& method,
                                   const std::string& endpoint,
                                   const std::optional<nlohmann::json>& body,
                                   std::chrono::seconds timeout) const {
  std::string base = ApiBase(member.api_url);
  if (base.empty()) return Err("member " + member.name + " publishes no REST api_url");
  SigpipeBlock no_sigpipe;
  try {
    httplib::Client client(base, cert_.certfile, cert_.keyfile);  // client cert when set
    if (!client.is_valid()) return Err("cannot use " + base);
    client.set_connection_timeout(std::chrono::seconds(5));
    client.set_read_timeout(timeout);
    client.set_write_timeout(std::chrono::seconds(10));
    if (auth_) client.set_basic_auth(auth_->username, auth_->password);
    if (!tls_.cacert.empty()) client.set_ca_cert_path(tls_.cacert);
    client.enable_server_certificate_verification(!tls_.insecure);
    std::string path = "/" + endpoint;
    std::string payload = body ? body->dump() : "";
    const char* type = "application/json";
    httplib::Result res = method == "POST"     ? client.Post(path, payload, type)
                          : method == "PATCH"  ? client.Patch(path, payload, type)
                          : method == "PUT"    ? client.Put(path, payload, type)
                          : method == "DELETE" ? client.Delete(path, payload, type)
                                               : client.Get(path);
    if (!res) {
      return Err(method + " " + base + path + ": " + httplib::to_string(res.error()));
    }
    return RestReply{res->status, res->body};
  } catch (const std::exception& e) {
    return Err(method + " " + base + "/" + endpoint + ": " + e.what());
  }
}

}  // namespace pgha::ctl
