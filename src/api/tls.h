#pragma once
// TLS for the REST API: builds the server-side SSL_CTX from restapi.certfile/keyfile/cafile.
#include <openssl/ssl.h>

#include <string>

#include "config/config.h"
#include "core/result.h"

namespace pgha::api {

// Loads the certificate chain, the (optionally encrypted) key and, with a cafile, the client CAs.
// verify_client "required": a verified client certificate is needed for every request;
// "optional": asked for, verified if sent, and demanded only for unsafe methods (server.cc).
Status SetupServerTls(SSL_CTX& ctx, const config::RestApi& options);
// True when the connection presented a client certificate that verified.
bool HasVerifiedClientCert(const SSL* ssl);

}  // namespace pgha::api
