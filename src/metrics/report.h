// The report after the show (`onair metrics report EVENT`, docs/metrics.md, "After the
// event"): one self-contained HTML file from what the archive kept (metrics/archive.h): the
// event's charts (uPlot, inlined), its peaks and totals, the totals by edge, region and device
// type, and the alerts that fired while it ran. Opens from a mail or a shared folder, with no
// server and no network.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace onair::metrics {

struct ReportData {
  std::string event;
  std::vector<nlohmann::json> seconds;  // by second, each once
  std::vector<nlohmann::json> alerts;   // the alerts' changes while the event ran
  size_t skipped_lines = 0;             // lines that were not a whole second or alert
};

// NotFound when the archive has no second of the event.
StatusOr<ReportData> ReadReport(const std::string& dir, const std::string& event);
std::string ReportHtml(const ReportData& data);

}  // namespace onair::metrics
