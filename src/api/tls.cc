#include "api/tls.h"

#include <openssl/err.h>
#include <openssl/x509.h>

namespace pgha::api {
namespace {

Error OpenSslError(const std::string& what) {
  char buf[256] = "unknown error";
  unsigned long code = ERR_get_error();
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return Err("restapi: " + what + ": " + buf);
}

Status LoadClientCas(SSL_CTX& ctx, const config::RestApi& options) {
  if (options.cafile.empty()) {
    if (options.verify_client == "required" || options.verify_client == "optional") {
      return Err("restapi: verify_client " + options.verify_client + " needs cafile");
    }
    return OkStatus();
  }
  if (SSL_CTX_load_verify_locations(&ctx, options.cafile.c_str(), nullptr) != 1) {
    return OpenSslError("cannot load cafile " + options.cafile);
  }
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.cafile.c_str());
  if (names) SSL_CTX_set_client_CA_list(&ctx, names);
  return OkStatus();
}

int VerifyMode(const std::string& verify_client) {
  if (verify_client == "required") return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  if (verify_client == "optional") return SSL_VERIFY_PEER;
  return SSL_VERIFY_NONE;
}

}  // namespace

Status SetupServerTls(SSL_CTX& ctx, const config::RestApi& options) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  if (!options.keyfile_password.empty()) {
    // OpenSSL's default PEM callback reads the password from the userdata pointer.
    SSL_CTX_set_default_passwd_cb_userdata(&ctx,
                                           const_cast<char*>(options.keyfile_password.c_str()));
  }
  if (SSL_CTX_use_certificate_chain_file(&ctx, options.certfile.c_str()) != 1) {
    return OpenSslError("cannot load certfile " + options.certfile);
  }
  const std::string& key = options.keyfile.empty() ? options.certfile : options.keyfile;
  if (SSL_CTX_use_PrivateKey_file(&ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return OpenSslError("cannot load keyfile " + key);
  }
  if (SSL_CTX_check_private_key(&ctx) != 1) return OpenSslError("keyfile does not match certfile");
  PGHA_TRY(LoadClientCas(ctx, options));
  SSL_CTX_set_verify(&ctx, VerifyMode(options.verify_client), nullptr);
  return OkStatus();
}

bool HasVerifiedClientCert(const SSL* ssl) {
  if (!ssl) return false;
  X509* cert = SSL_get_peer_certificate(ssl);
  if (!cert) return false;
  X509_free(cert);
  return SSL_get_verify_result(ssl) == X509_V_OK;
}

}  // namespace pgha::api
