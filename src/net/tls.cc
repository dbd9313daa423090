#include "net/tls.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <cstdio>
#include <filesystem>

namespace onair::net {

namespace {

struct Freer {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(FILE* p) const { std::fclose(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Freer>;
using Cert = std::unique_ptr<X509, Freer>;
using File = std::unique_ptr<FILE, Freer>;

Key NewKey() { return Key(EVP_EC_gen("P-256")); }

bool AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// An unsigned certificate for `subject_cn` with `key`, issued by `issuer` (by itself when
// null); the caller adds extensions, then signs.
Cert NewCertificate(const std::string& subject_cn, EVP_PKEY* key, X509* issuer, long days) {
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("onair demo"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(subject_cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  return cert;
}

bool WritePem(const std::string& path, EVP_PKEY* key, std::initializer_list<X509*> certs) {
  File f(std::fopen(path.c_str(), "w"));
  if (!f) return false;
  if (key && PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return false;
  }
  for (X509* c : certs) {
    if (PEM_write_X509(f.get(), c) != 1) return false;
  }
  return true;
}

bool IsIpAddress(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace

StatusOr<TlsFiles> MakeDemoCertificates(const std::string& dir,
                                        const std::vector<std::string>& names) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InvalidArgument("cannot create " + dir + ": " + ec.message());
  Key ca_key = NewKey(), key = NewKey();
  if (!ca_key || !key) return Internal("cannot generate EC keys");
  Cert ca = NewCertificate("onair demo CA", ca_key.get(), nullptr, 3650);
  if (!ca || !AddExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !AddExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !AddExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash") ||
      X509_sign(ca.get(), ca_key.get(), EVP_sha256()) == 0) {
    return Internal("cannot make the demo CA");
  }
  std::string san;
  for (const std::string& n : names) {
    san += (san.empty() ? "" : ",") + std::string(IsIpAddress(n) ? "IP:" : "DNS:") + n;
  }
  Cert cert = NewCertificate(names.empty() ? "localhost" : names[0], key.get(), ca.get(), 365);
  if (!cert || san.empty() || !AddExtension(cert.get(), ca.get(), NID_subject_alt_name, san) ||
      !AddExtension(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature") ||
      !AddExtension(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth") ||
      !AddExtension(cert.get(), ca.get(), NID_authority_key_identifier, "keyid:always") ||
      X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) {
    return Internal("cannot make the demo server certificate");
  }
  TlsFiles files{dir + "/server.pem", dir + "/server.key", dir + "/ca.pem"};
  if (!WritePem(files.ca, nullptr, {ca.get()}) ||
      !WritePem(files.certificate_chain, nullptr, {cert.get(), ca.get()}) ||
      !WritePem(files.private_key, key.get(), {})) {
    return InvalidArgument("cannot write the demo certificates into " + dir);
  }
  std::filesystem::permissions(
      files.private_key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return files;
}

StatusOr<std::shared_ptr<boost::asio::ssl::context>> ServerTlsContext(const TlsFiles& files) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  if (!ec) ctx->use_certificate_chain_file(files.certificate_chain, ec);
  if (ec)
    return InvalidArgument("TLS certificate " + files.certificate_chain + ": " + ec.message());
  ctx->use_private_key_file(files.private_key, ssl::context::pem, ec);
  if (ec) return InvalidArgument("TLS key " + files.private_key + ": " + ec.message());
  return ctx;
}

}  // namespace onair::net
