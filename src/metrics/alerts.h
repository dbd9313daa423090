// Alerts on the early indicators (docs/metrics.md, "Alerts"): each evaluation, the rules
// (metrics/alert_rules.h) say which conditions hold now; the book turns them into alerts with
// a state, as Prometheus does: pending while a condition has held less than its rule's `for`,
// then firing, then resolved once it has not held for `clear_s` (so a flapping value does
// not fire and resolve every second). Resolved alerts are kept a while for the control
// center and the report. Time comes from the caller (a simulated clock in tests).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/clock.h"

namespace onair::metrics {

enum class Severity { kInfo, kWarning, kCritical };
const char* SeverityName(Severity s);

// What a rule found this evaluation: a condition that holds now.
struct Condition {
  std::string name;                           // the alert's name, e.g. "RebufferingHigh"
  std::map<std::string, std::string> labels;  // where: event, edge, region, target, lever
  Severity severity = Severity::kWarning;
  std::string summary;  // one line with the value, for people
  double value = 0, threshold = 0;
  int64_t for_s = 0;  // how long it must hold before the alert fires
};

enum class AlertState { kPending, kFiring, kResolved };
const char* AlertStateName(AlertState s);

struct Alert {
  Condition condition;  // as last seen holding
  AlertState state = AlertState::kPending;
  UtcMicros since = 0;        // when it began to hold
  UtcMicros fired_at = 0;     // when it fired (0: not yet)
  UtcMicros resolved_at = 0;  // when it resolved (0: not yet)
  UtcMicros last_held = 0;    // the last evaluation it held in

  // name{label="value",...}: one alert per rule and place.
  std::string key() const;
};

void to_json(nlohmann::json& j, const Alert& a);

struct AlertBookOptions {
  int64_t clear_s = 10;  // not holding this long: resolved
  int64_t keep_resolved_s = 3600;
  size_t max_alerts = 1000;  // pending and firing at once; then new ones are dropped
};

class AlertBook {
 public:
  explicit AlertBook(AlertBookOptions o = {}) : o_(o) {}

  // One evaluation at `now` with the conditions that hold; returns the alerts that fired or
  // resolved in it.
  std::vector<Alert> Evaluate(UtcMicros now, const std::vector<Condition>& holding);
  // Pending and firing alerts, firing first, most severe first.
  std::vector<Alert> Active() const;
  // Every alert that fired within the kept time, resolved or not, newest first.
  std::vector<Alert> History() const;
  size_t dropped() const { return dropped_; }

 private:
  AlertBookOptions o_;
  std::map<std::string, Alert> active_;
  std::vector<Alert> resolved_;  // oldest first
  size_t dropped_ = 0;
};

}  // namespace onair::metrics
