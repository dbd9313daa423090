// Alerts in the shape Prometheus Alertmanager's API takes (POST /api/v2/alerts), sent as
// Prometheus sends them: every firing alert again and again (each send says it ends a few
// resends from now, so an alert whose sender died resolves by itself), a resolved one with
// its end for a while after. docs/metrics.md, "Alerts".
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/clock.h"
#include "metrics/alerts.h"

namespace onair::metrics {

struct AlertmanagerOptions {
  std::chrono::seconds resend{30};         // firing alerts are sent again this often
  std::chrono::seconds resolved_for{300};  // resolved ones are sent this long after
  std::string generator_url;               // where people see them (the control center)
};

// The JSON array for POST /api/v2/alerts: the firing alerts of `active` and the alerts of
// `history` resolved within resolved_for; "" when there is none.
std::string AlertmanagerBody(const std::vector<Alert>& active, const std::vector<Alert>& history,
                             UtcMicros now, const AlertmanagerOptions& o);

}  // namespace onair::metrics
