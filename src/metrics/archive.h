// What an event leaves for the review after the show (`onair metrics report`, docs/metrics.md,
// "After the event"), under the data folder: DIR/EVENT/seconds.jsonl, each closed second as
// GET /v1/metrics/{event} answers it, one per line; DIR/alerts.jsonl, each change of an
// alert's state. Appended as seconds close; a write that fails (a full disk) is an error the
// caller counts, and the seconds are tried again at the next call while the collector keeps
// them (a line half written then is skipped by the report, which reads each second once).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "metrics/alerts.h"
#include "metrics/collector.h"

namespace onair::metrics {

class Archive {
 public:
  explicit Archive(std::string dir) : dir_(std::move(dir)) {}

  // Appends the closed seconds of every event the collector has that were not written yet.
  Status Write(const Collector& collector);
  Status WriteAlerts(const std::vector<Alert>& changed, UtcMicros now);

  static std::string SecondsPath(const std::string& dir, const std::string& event);
  static std::string AlertsPath(const std::string& dir);

 private:
  std::string dir_;
  std::map<std::string, int64_t> written_;  // by event: the last second written
};

}  // namespace onair::metrics
