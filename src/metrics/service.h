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
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "metrics/alertmanager.h"
#include "metrics/monitor.h"
#include "metrics/watch.h"
#include "service/service.h"

namespace onair::metrics {

// Past one machine (docs/metrics.md, "Collectors and the aggregator"): collectors take the
// players' batches and publish their seconds as parts to NATS every interval; an aggregator
// merges every collector's parts (and takes batches itself) and serves the figures, alerts
// and the control center. Without a URL, one process does both.
enum class Role { kCollector, kAggregator };
struct NatsOptions {
  std::string url;  // "": one process, no NATS
  Role role = Role::kAggregator;
  std::string subject = "onair.metrics.parts";
  std::chrono::milliseconds publish_interval{1000};
  size_t part_bytes = 256 * 1024;          // a part's size (NATS' payload limit is 1 MiB)
  size_t buffer_bytes = 16 * 1024 * 1024;  // parts waiting for a slow or absent NATS
};

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
  NatsOptions nats;
  std::string data_dir;  // "": nothing kept for the report after the show (metrics/archive.h)

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
