// The services' own signals (docs/metrics.md, "The services' signals"): what the metrics
// service reads from the origin's, the edges' and the playback service's /metrics each
// second, as per-second figures: segments served and refused, the edges' cache hits,
// requests shed, origin candidate switches, defective segments, upstream errors, and whether
// each service answered. Counters become per-second increases (a restarted service's counter
// that went back counts from zero). Pure: the scraping is the service's (metrics/watch.h).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "metrics/prom_text.h"

namespace onair::metrics {

struct Counters {
  double served = 0;           // edge: object requests answered (hit, miss, collapsed)
  double hits = 0;             // edge: of them without their own upstream fill (hit, collapsed)
  double refused = 0;          // edge and playback: requests refused (onair_*_refused_total)
  double shed = 0;             // any: requests shed by admission (onair_*_shed_total)
  double origin_switches = 0;  // origin: reads served by the other pipeline (fallback, defects)
  double defects = 0;          // origin: segments written with defects
  double upstream_errors = 0;  // edge: upstream connections that failed

  void Add(const Counters& o);
  // Each field's increase since `before`; a field that went back counts from zero.
  Counters Since(const Counters& before) const;
  double hit_ratio() const { return served > 0 ? hits / served : 0; }
};

void to_json(nlohmann::json& j, const Counters& c);

// The counters in a service's samples (any service: each reads the names it has).
Counters CountersOf(const std::vector<PromSample>& samples);

struct TargetState {
  bool up = false;
  UtcMicros since = 0;      // when it last became up or down
  UtcMicros last_seen = 0;  // its last answer
  Counters total;           // as of its last answer
};

class Signals {
 public:
  explicit Signals(int64_t keep_s = 3600) : keep_s_(keep_s) {}

  // One scrape of `target` at `now`: its counters, or nullopt when it did not answer.
  void Record(const std::string& target, UtcMicros now, const std::optional<Counters>& counters);
  // Forgets a target no longer watched.
  void Forget(const std::string& target);

  struct Span {
    Counters total;
    std::map<std::string, Counters> by_target;
  };
  // The increases in seconds [from_s, to_s].
  Span Window(int64_t from_s, int64_t to_s) const;
  // Each second's total increase in [from_s, to_s] that has any, oldest first.
  std::vector<std::pair<int64_t, Counters>> Series(int64_t from_s, int64_t to_s) const;
  const std::map<std::string, TargetState>& targets() const { return targets_; }

 private:
  int64_t keep_s_;
  std::map<std::string, TargetState> targets_;
  std::map<int64_t, std::map<std::string, Counters>> seconds_;
};

}  // namespace onair::metrics
