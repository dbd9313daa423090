// The alert rules (docs/metrics.md lists each with its runbook): which conditions hold now,
// from an event's recent span of QoE figures, its starts against their baseline, its
// forecast, and from the services' signals and the playback service's levers. Pure
// functions; the book (metrics/alerts.h) gives them a state.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "metrics/alerts.h"
#include "metrics/baseline.h"
#include "metrics/collector.h"
#include "metrics/signals.h"

namespace onair::metrics {

struct AlertThresholds {
  int64_t window_s = 30;         // the span judged, ending a second ago
  int64_t for_s = 5;             // how long most conditions hold before firing
  double rebuffer_ratio = 0.02;  // of watch time stalled ...
  double min_watch_s = 60;       // ... with this much watching in the span
  double start_failure_pct = 5;  // of attempts ...
  uint64_t min_attempts = 10;    // ... with this many in the span
  double error_rate = 0.05;      // errors per heartbeat (one per viewer per 10 s) ...
  uint64_t min_errors = 5;       // ... with this many in the span
  double latency_p95_ms = 10'000;
  uint64_t min_heartbeats = 5;          // for latency
  double capacity_warning_s = 30 * 60;  // the forecast reaches the fleet's capacity within
  int64_t down_for_s = 2;               // a service not answering this long is down
};

struct EventView {
  std::string event;
  const SecondNumbers* span = nullptr;  // the recent span (Collector::Span)
  Baseline::Verdict starts = Baseline::Verdict::kWarmingUp;
  double starts_now = 0, starts_expected = 0;  // starts/s judged, and the baseline's
  std::optional<double> capacity_in_s;         // from the forecast
};

std::vector<Condition> EventConditions(const EventView& v, const AlertThresholds& t);

struct ServiceView {
  const Signals::Span* span = nullptr;  // the services' increases over the recent span
  const std::map<std::string, TargetState>* targets = nullptr;
  const nlohmann::json* levers = nullptr;  // the playback service's (null: unknown)
};

std::vector<Condition> ServiceConditions(const ServiceView& v, const AlertThresholds& t);

}  // namespace onair::metrics
