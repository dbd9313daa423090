// The metrics service (`onair metrics`, docs/metrics.md): QoE batches in (POST /v1/events,
// the contract of contract/qoe.h), each event's per-second figures out
// (GET /v1/metrics/{event}), the services watched (their /metrics, the playback service's
// levers and fleet), alerts (GET /v1/alerts, and to Alertmanager), and the control center
// (GET /control, live over server-sent events from GET /v1/live/{event}). Built on
// service::Service: this file is its routes, its config and its periodic work; the logic is
// in the monitor (metrics/monitor.h).
#pragma once

#include <chrono>
#include <memory>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "metrics/alertmanager.h"
#include "metrics/monitor.h"
#include "metrics/watch.h"
#include "service/service.h"

namespace onair::metrics {

struct MetricsConfig {
  service::ServiceConfig service = Defaults();
  MonitorOptions monitor;
  std::chrono::milliseconds tick_interval{1000};  // seconds close, alerts are evaluated
  int64_t default_range_s = 300;                  // GET /v1/metrics/{event} without a range
  WatchOptions watch;                             // the services watched
  std::chrono::milliseconds watch_interval{1000};
  std::string alertmanager_url;  // "": alerts are only shown
  AlertmanagerOptions alertmanager;
  size_t max_live = 64;  // control centers streaming at once
  std::chrono::milliseconds live_interval{1000};

  static service::ServiceConfig Defaults();
};

class MetricsService {
 public:
  MetricsService(MetricsConfig config, Clock* clock);
  ~MetricsService();
  MetricsService(const MetricsService&) = delete;
  MetricsService& operator=(const MetricsService&) = delete;

  Status Start();
  void Stop();
  int port() const;
  int tls_port() const;

 private:
  struct Impl;
  MetricsConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::metrics
