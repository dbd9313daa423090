#include "app/serve.h"

#include <cstdio>
#include <thread>

#include "app/signals.h"
#include "core/log.h"
#include "net/tls.h"

namespace onair::app {

std::shared_ptr<ServiceFlags> AddServiceFlags(CLI::App* cmd, service::ServiceConfig& config) {
  auto flags = std::make_shared<ServiceFlags>();
  net::ServerOptions& listen = config.listen;
  cmd->add_option("--host", listen.host, "listen address")->capture_default_str();
  cmd->add_option("--port", listen.port, "listen port (0: any free port, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--threads", listen.threads, "event loops (0: one per core)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option_function<int>(
         "--tls-port",
         [&listen, flags](int port) {
           listen.tls_port = port;
           flags->tls_port_given = true;
         },
         "HTTPS port, beside the plain one (0: any free port, printed); needs --tls-cert and "
         "--tls-key, or --tls-demo-dir")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--tls-cert", config.tls.certificate_chain, "PEM certificate chain for HTTPS");
  cmd->add_option("--tls-key", config.tls.private_key, "PEM private key for HTTPS");
  cmd->add_option("--tls-demo-dir", flags->tls_demo_dir,
                  "make a private CA and a certificate for localhost/127.0.0.1 (and --host) "
                  "here, for HTTPS without a real certificate; clients trust DIR/ca.pem");
  cmd->add_option("--admin-token", config.admin_token,
                  "bearer token of the admin API under /admin (none: the admin API is off)");
  cmd->add_option("--request-log", config.request_log,
                  "file for one JSON line per request, replayable by onair loadgen replay "
                  "(docs/service.md)");
  return flags;
}

void LogServiceError(const Status& s) { Logger("onair")->error("{}", s.message()); }

Status PrepareService(const ServiceFlags& flags, service::ServiceConfig& config) {
  if (!flags.tls_demo_dir.empty()) {
    std::vector<std::string> names = {"localhost", "127.0.0.1"};
    const std::string& host = config.listen.host;
    if (host != "0.0.0.0" && host != "127.0.0.1") names.push_back(host);
    auto files = net::MakeDemoCertificates(flags.tls_demo_dir, names);
    if (!files.ok()) return files.status();
    config.tls = *files;
    if (!flags.tls_port_given) config.listen.tls_port = 8443;
  }
  const bool cert = !config.tls.certificate_chain.empty(), key = !config.tls.private_key.empty();
  if (cert != key) return InvalidArgument("HTTPS needs both --tls-cert and --tls-key");
  if (flags.tls_port_given && !cert) {
    return InvalidArgument("HTTPS needs --tls-cert and --tls-key, or --tls-demo-dir");
  }
  return Status::Ok();
}

int ServeUntilStopped(const Served& served, const std::string& name,
                      const service::ServiceConfig& config, const Drain& drain) {
  Status s = served.start();
  if (!s.ok()) {
    Logger("onair")->error("{}", s.message());
    return 2;
  }
  const std::string& host = config.listen.host;
  std::printf("onair %s listening on http://%s:%d\n", name.c_str(), host.c_str(), served.port());
  if (served.tls_port && served.tls_port() != 0) {
    std::printf("onair %s listening on https://%s:%d%s\n", name.c_str(), host.c_str(),
                served.tls_port(),
                config.tls.ca.empty() ? "" : (" (clients trust " + config.tls.ca + ")").c_str());
  }
  if (served.more) std::printf("%s", served.more().c_str());
  std::fflush(stdout);
  while (!StopRequested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (drain.drain && drain.grace.count() > 0) {
    Logger("onair")->info("draining the {} for {} ms (a second signal stops it now)", name,
                          drain.grace.count());
    drain.drain();
    const auto until = std::chrono::steady_clock::now() + drain.grace;
    while (StopSignals() < 2 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  Logger("onair")->info("stopping the {}", name);
  served.stop();
  return 0;
}

}  // namespace onair::app
