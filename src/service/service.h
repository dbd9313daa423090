// The skeleton every onair service stands on (docs/service.md; modelled on Envoy's connection
// manager with its filters and its admin handler registry): listeners (plain and TLS, the
// same flags everywhere), the request loop with its timeouts and keep-alive, a route table
// with a body policy per route, the built-in /healthz, /readyz, /metrics and /v1/time, admin
// routes under /admin behind one bearer-token check, one JSON error shape and one status
// convention, CORS, the fault hook and admission with server-guided backoff as filters in
// front of every route, a WebSocket upgrade, and periodic work on a background loop driven by
// the injected clock. A service is its routes, its typed config and its metrics.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "net/http_server.h"
#include "net/tls.h"
#include "service/admission.h"
#include "service/exchange.h"
#include "service/faults.h"
#include "service/periodic.h"
#include "service/route.h"

namespace onair::service {

struct ServiceConfig {
  // The service's name: its logger, the prefix of its metrics (onair_{name}_...), its
  // Server header (onair-{name}).
  std::string name = "service";
  net::ServerOptions listen;  // host, port, threads (tls_port with `tls`)
  // HTTPS on listen.tls_port when a certificate and key are given.
  net::TlsFiles tls;
  // Bearer token of the admin API under /admin; "": the admin API is off (403).
  std::string admin_token;
  bool cors = false;  // answers readable by web pages on any origin; preflights answered
  uint32_t header_limit = 8192;
  std::chrono::milliseconds header_timeout{10'000};  // a request's header, and a buffered body
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive between requests
  std::chrono::milliseconds body_timeout{5'000};     // between bytes of a streamed body
  std::chrono::milliseconds send_timeout{10'000};    // a client that does not read
  size_t admin_body_limit = 1 << 20;
  AdmissionOptions admission;
  // A file for one JSON line per request (contract/request_log.h; "": none): every route but
  // the admin API's, /healthz, /readyz and /metrics.
  std::string request_log;
  std::chrono::milliseconds lag_probe_interval{10};
};

// Why a service cannot do its job now ("" or nullopt: ready).
using Readiness = std::function<std::optional<std::string>()>;

class Service {
 public:
  Service(ServiceConfig config, Clock* clock);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // ----- before Start -----
  // A route; the first added of two that match wins.
  Route& Add(Route route);
  // An admin route: `route.pattern` is under /admin ("/faults" is /admin/faults).
  Route& AddAdmin(Route route);
  void SetReadiness(Readiness readiness) { readiness_ = std::move(readiness); }
  // Called before each /metrics answer, to set gauges that are read rather than counted.
  void OnScrape(std::function<void()> refresh) { on_scrape_.push_back(std::move(refresh)); }
  // Work every `interval` on the background loop, timed by the clock (service/periodic.h);
  // started with the service, stopped before it.
  PeriodicTask& Every(std::string name, std::chrono::microseconds interval, PeriodicTask::Job job);

  // ----- running -----
  Status Start();
  void Stop();
  int port() const;
  int tls_port() const;  // 0: no HTTPS
  // Where the service is reached ("http://127.0.0.1:PORT", the listen host as given, 0.0.0.0
  // as 127.0.0.1).
  std::string url() const;
  const std::string& name() const { return config_.name; }
  Clock* clock() const { return clock_; }
  MetricsRegistry& metrics() { return metrics_; }
  Admission& admission() { return admission_; }
  Faults& faults() { return faults_; }
  int64_t open_connections() const;
  bool running() const;  // between Start and Stop
  // The background loop: periodic work and outgoing clients run there, never on the request
  // loops.
  boost::asio::any_io_executor background();
  // Runs `f` on every request loop's thread.
  void ForEachLoop(const std::function<void(boost::asio::io_context&)>& f);
  const RouteTable& routes() const { return routes_; }

  // A metric name of this service: onair_{name}_{suffix}.
  std::string MetricName(const std::string& suffix) const;

 private:
  struct Impl;
  void AddBuiltins();

  ServiceConfig config_;
  Clock* clock_;
  MetricsRegistry metrics_;
  Admission admission_;
  Faults faults_;
  RouteTable routes_;
  Readiness readiness_;
  std::vector<std::function<void()>> on_scrape_;
  std::vector<std::shared_ptr<PeriodicTask>> periodic_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::service
