#include "metrics/alertmanager.h"

#include <nlohmann/json.hpp>

namespace onair::metrics {

namespace {

nlohmann::json AlertJson(const Alert& a, UtcMicros ends, const AlertmanagerOptions& o) {
  nlohmann::json labels = a.condition.labels;
  labels["alertname"] = a.condition.name;
  labels["severity"] = SeverityName(a.condition.severity);
  labels["service"] = "onair";
  nlohmann::json j = {{"labels", std::move(labels)},
                      {"annotations",
                       {{"summary", a.condition.summary},
                        {"runbook", "docs/runbooks.md#" + a.condition.name},
                        {"value", std::to_string(a.condition.value)},
                        {"threshold", std::to_string(a.condition.threshold)}}},
                      {"startsAt", FormatUtc(a.since, true)},
                      {"endsAt", FormatUtc(ends, true)}};
  if (!o.generator_url.empty()) j["generatorURL"] = o.generator_url;
  return j;
}

}  // namespace

std::string AlertmanagerBody(const std::vector<Alert>& active, const std::vector<Alert>& history,
                             UtcMicros now, const AlertmanagerOptions& o) {
  nlohmann::json out = nlohmann::json::array();
  const int64_t resend_us = std::chrono::duration_cast<std::chrono::microseconds>(o.resend).count();
  for (const Alert& a : active) {
    if (a.state == AlertState::kFiring) out.push_back(AlertJson(a, now + 4 * resend_us, o));
  }
  const int64_t keep_us =
      std::chrono::duration_cast<std::chrono::microseconds>(o.resolved_for).count();
  for (const Alert& a : history) {
    if (a.state == AlertState::kResolved && a.resolved_at >= now - keep_us) {
      out.push_back(AlertJson(a, a.resolved_at, o));
    }
  }
  return out.empty() ? "" : out.dump();
}

}  // namespace onair::metrics
