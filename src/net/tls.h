// TLS for the services that viewers reach: a server context from a certificate chain and key,
// and, for the demo and tests, a private CA and a certificate it signs (so that a real client
// such as curl can verify the connection with the CA file, no --insecure).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace onair::net {

struct TlsFiles {
  std::string certificate_chain;  // PEM: the server's certificate, then the CA's
  std::string private_key;        // PEM
  std::string ca;                 // PEM: what clients trust ("" for a real certificate)
};

// Writes ca.pem, server.pem and server.key into `dir`: an EC P-256 CA valid 10 years and a
// server certificate it signs, valid 1 year, for `names` (DNS names or IP addresses).
StatusOr<TlsFiles> MakeDemoCertificates(const std::string& dir,
                                        const std::vector<std::string>& names);

// A TLS 1.2+ server context from PEM files.
StatusOr<std::shared_ptr<boost::asio::ssl::context>> ServerTlsContext(const TlsFiles& files);

}  // namespace onair::net
