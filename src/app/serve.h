// Running one network service from its subcommand: start it, print where it listens (tests
// and scripts read that line), serve until Ctrl-C or SIGTERM, stop it cleanly.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "app/signals.h"
#include "core/log.h"
#include "core/status.h"
#include "net/http_server.h"

namespace onair::app {

// --host, --port, --threads: where a service listens and how many event loops it runs.
inline void AddServerFlags(CLI::App* cmd, net::ServerOptions& server) {
  cmd->add_option("--host", server.host, "listen address")->capture_default_str();
  cmd->add_option("--port", server.port, "listen port (0: any free port, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--threads", server.threads, "event loops (0: one per core)")
      ->check(CLI::NonNegativeNumber);
}

// How a service that can drain stops: at the first stop signal `drain` is called and the
// service keeps serving for `grace` (or until a second signal), then stops.
struct Drain {
  std::function<void()> drain;
  std::chrono::milliseconds grace{0};
};

// Service: Status Start(), int port(), void Stop(). `more`: further lines to print once it
// listens (other ports, files to hand to clients).
template <class Service>
int ServeUntilStopped(Service& service, const std::string& name, const std::string& host,
                      const std::function<std::string()>& more = nullptr, const Drain& drain = {}) {
  Status s = service.Start();
  if (!s.ok()) {
    Logger("onair")->error("{}", s.message());
    return 2;
  }
  std::printf("onair %s listening on http://%s:%d\n", name.c_str(), host.c_str(), service.port());
  if (more) std::printf("%s", more().c_str());
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
  service.Stop();
  return 0;
}

}  // namespace onair::app
