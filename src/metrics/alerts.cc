#include "metrics/alerts.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace onair::metrics {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "warning";
}

const char* AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    case AlertState::kResolved:
      return "resolved";
  }
  return "pending";
}

std::string Alert::key() const {
  std::string k = condition.name + "{";
  bool first = true;
  for (const auto& [name, value] : condition.labels) {
    if (!first) k += ",";
    k += name + "=\"" + value + "\"";
    first = false;
  }
  return k + "}";
}

void to_json(nlohmann::json& j, const Alert& a) {
  j = {{"name", a.condition.name},
       {"labels", a.condition.labels},
       {"severity", SeverityName(a.condition.severity)},
       {"summary", a.condition.summary},
       {"value", a.condition.value},
       {"threshold", a.condition.threshold},
       {"state", AlertStateName(a.state)},
       {"since", FormatUtc(a.since, true)}};
  if (a.fired_at) j["fired_at"] = FormatUtc(a.fired_at, true);
  if (a.resolved_at) j["resolved_at"] = FormatUtc(a.resolved_at, true);
}

std::vector<Alert> AlertBook::Evaluate(UtcMicros now, const std::vector<Condition>& holding) {
  std::vector<Alert> changed;
  for (const Condition& c : holding) {
    Alert probe{.condition = c};
    const std::string key = probe.key();
    auto it = active_.find(key);
    if (it == active_.end()) {
      if (active_.size() >= o_.max_alerts) {
        ++dropped_;
        continue;
      }
      probe.since = now;
      it = active_.emplace(key, std::move(probe)).first;
    }
    Alert& a = it->second;
    a.condition = c;
    a.last_held = now;
    if (a.state == AlertState::kPending && now - a.since >= c.for_s * 1'000'000) {
      a.state = AlertState::kFiring;
      a.fired_at = now;
      changed.push_back(a);
    }
  }
  for (auto it = active_.begin(); it != active_.end();) {
    Alert& a = it->second;
    if (a.last_held == now) {
      ++it;
      continue;
    }
    if (a.state == AlertState::kPending) {  // it never fired: forgotten
      it = active_.erase(it);
      continue;
    }
    if (now - a.last_held >= o_.clear_s * 1'000'000) {
      a.state = AlertState::kResolved;
      a.resolved_at = now;
      changed.push_back(a);
      resolved_.push_back(a);
      it = active_.erase(it);
      continue;
    }
    ++it;
  }
  std::erase_if(resolved_, [&](const Alert& a) {
    return a.resolved_at < now - o_.keep_resolved_s * 1'000'000;
  });
  return changed;
}

std::vector<Alert> AlertBook::Active() const {
  std::vector<Alert> out;
  for (const auto& [key, a] : active_) out.push_back(a);
  std::stable_sort(out.begin(), out.end(), [](const Alert& x, const Alert& y) {
    if (x.state != y.state) return x.state == AlertState::kFiring;
    return x.condition.severity > y.condition.severity;
  });
  return out;
}

std::vector<Alert> AlertBook::History() const {
  std::vector<Alert> out;
  for (const auto& [key, a] : active_) {
    if (a.state == AlertState::kFiring) out.push_back(a);
  }
  out.insert(out.end(), resolved_.begin(), resolved_.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const Alert& x, const Alert& y) { return x.fired_at > y.fired_at; });
  return out;
}

}  // namespace onair::metrics
