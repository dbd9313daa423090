// What the control center watches (docs/metrics.md): the collector's figures of every
// event, each event's starts against their baseline, its viewer forecast against the fleet's
// capacity, the services' signals, the playback service's levers and fleet, and the alerts
// on all of them. Ticked once a second with the time (a simulated clock in tests); its
// overview of an event is what `GET /v1/overview/{event}` answers and the control center's
// live stream sends. Not thread-safe: the service holds it behind one lock.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "metrics/alert_rules.h"
#include "metrics/alerts.h"
#include "metrics/baseline.h"
#include "metrics/collector.h"
#include "metrics/forecast.h"
#include "metrics/signals.h"

namespace onair::metrics {

struct MonitorOptions {
  CollectorOptions collector;
  AlertThresholds thresholds;
  AlertBookOptions book;
  BaselineOptions baseline;
  // Starts of a second are judged this long after it: players post every 10 s, so a second's
  // starts are all in by then.
  int64_t settle_s = 12;
  int64_t sample_every_s = 10;  // viewers sampled for the forecast
  ForecastOptions forecast;
  int64_t overview_s = 120;  // seconds of history in an overview
};

// What the services watch learnt in one round (metrics/watch.h).
struct WatchRound {
  UtcMicros at = 0;
  std::vector<std::pair<std::string, std::optional<Counters>>> scrapes;  // by target
  std::optional<nlohmann::json> levers;  // the playback service's; nullopt: not known
  std::optional<nlohmann::json> fleet;   // its edges (GET /admin/edges)
};

class Monitor {
 public:
  explicit Monitor(MonitorOptions o = {});

  Collector& collector() { return collector_; }
  const Collector& collector() const { return collector_; }

  // The services' signals, levers and fleet of one watch round.
  void Watched(const WatchRound& round);
  // Once a second: closes seconds, judges starts, samples viewers, forecasts, evaluates the
  // alerts. Returns the alerts that fired or resolved.
  std::vector<Alert> Tick(UtcMicros now);

  // An event's overview at `now`: its recent seconds, its span by edge, region and device
  // type, its starts and baseline, its forecast, and the system's alerts, levers and services.
  nlohmann::json Overview(const std::string& event, UtcMicros now) const;
  // The alerts, active and recent (GET /v1/alerts).
  nlohmann::json AlertsJson() const;
  // The services' per-second signals over [from_s, to_s] and their targets' state.
  nlohmann::json ServicesJson(int64_t from_s, int64_t to_s) const;
  const AlertBook& alerts() const { return book_; }
  // The fleet's capacity in viewers (Σ edges' max_connections; 0: not known).
  double capacity() const { return capacity_; }

 private:
  struct EventWatch {
    Baseline baseline;
    int64_t judged_s = INT64_MIN;  // the last second judged
    Baseline::Verdict verdict = Baseline::Verdict::kWarmingUp;
    double starts_now = 0, expected = 0, lower = 0, upper = 0;
    std::vector<Sample> samples;
    int64_t sampled_s = INT64_MIN;
    Forecast forecast;
  };

  void Judge(const std::string& event, EventWatch& w, int64_t now_s);
  void Sample(const std::string& event, EventWatch& w, int64_t now_s);

  MonitorOptions o_;
  Collector collector_;
  Signals signals_;
  AlertBook book_;
  std::map<std::string, EventWatch> events_;
  nlohmann::json levers_ = nullptr, fleet_ = nullptr;
  double capacity_ = 0;
};

}  // namespace onair::metrics
