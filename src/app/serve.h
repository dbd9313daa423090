// Running one network service from its subcommand: the flags every service has (where it
// listens, HTTPS, the admin token), start it, print where it listens (tests and scripts read
// that line), serve until Ctrl-C or SIGTERM, stop it cleanly.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "service/service.h"

namespace onair::app {

// The flags of every service, as given: what needs work after parsing (a demo certificate).
struct ServiceFlags {
  std::string tls_demo_dir;  // make a private CA and a certificate here
  bool tls_port_given = false;
};

// --host, --port, --threads, --tls-port, --tls-cert, --tls-key, --tls-demo-dir, --admin-token,
// --request-log, the same for every service.
std::shared_ptr<ServiceFlags> AddServiceFlags(CLI::App* cmd, service::ServiceConfig& config);

// After parsing: the demo certificate made if asked for, HTTPS checked (a port needs a
// certificate and a key).
Status PrepareService(const ServiceFlags& flags, service::ServiceConfig& config);
void LogServiceError(const Status& s);  // on the "onair" logger

// How a service that can drain stops: at the first stop signal `drain` is called and the
// service keeps serving for `grace` (or until a second signal), then stops.
struct Drain {
  std::function<void()> drain;
  std::chrono::milliseconds grace{0};
};

// What ServeUntilStopped runs: start, ports, stop; `more` prints further lines once it
// listens (files to hand to clients).
struct Served {
  std::function<Status()> start;
  std::function<int()> port;
  std::function<int()> tls_port;
  std::function<void()> stop;
  std::function<std::string()> more;
};

int ServeUntilStopped(const Served& served, const std::string& name,
                      const service::ServiceConfig& config, const Drain& drain = {});

// The Served of a service with Start(), port(), tls_port() and Stop().
template <class S>
Served ServedOf(S& s) {
  return {[&s] { return s.Start(); }, [&s] { return s.port(); }, [&s] { return s.tls_port(); },
          [&s] { s.Stop(); }, nullptr};
}

// After parsing: PrepareService, then a service of type S made from `config` (with a `service`
// member) served until stopped; 2 (and the reason logged) if it cannot be prepared.
template <class S, class Config>
int PrepareAndServe(const ServiceFlags& flags, Config& config, const std::string& name) {
  if (Status s = PrepareService(flags, config.service); !s.ok()) {
    LogServiceError(s);
    return 2;
  }
  S service(config, &SystemClock::Instance());
  return ServeUntilStopped(ServedOf(service), name, config.service);
}

}  // namespace onair::app
