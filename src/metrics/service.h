// The metrics service (`onair metrics`, docs/metrics.md): QoE batches in (POST /v1/events,
// the contract of contract/qoe.h), each event's per-second figures out
// (GET /v1/metrics/{event}). Built on service::Service: this file is its routes, its config
// and its periodic work; the logic is in the collector.
#pragma once

#include <chrono>
#include <memory>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "metrics/collector.h"
#include "service/service.h"

namespace onair::metrics {

struct MetricsConfig {
  service::ServiceConfig service = Defaults();
  CollectorOptions collector;
  std::chrono::milliseconds close_interval{1000};  // how often out-of-reach seconds close
  int64_t default_range_s = 300;                   // GET /v1/metrics/{event} without a range

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
