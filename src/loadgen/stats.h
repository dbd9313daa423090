// What a load run measured: latency histograms per request kind (a mergeable sketch, 1 %
// relative accuracy, the one the metrics service keeps), errors by kind, counters, and a
// row per second of the run (what was scheduled, sent, answered, shed). One per event loop,
// merged for the progress line, the summary and across a fleet of load generators.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "metrics/quantiles.h"

namespace onair::loadgen {

struct SecondRow {
  int64_t scheduled = 0;     // session starts due in this second
  int64_t play_sent = 0;     // play-start requests sent (first tries and retries)
  int64_t play_ok = 0;       // answered with a manifest
  int64_t shed = 0;          // answered 503
  int64_t shed_no_wait = 0;  // of those, without Retry-After
  int64_t started = 0;       // sessions whose first frame played
  int64_t errors = 0;
  int64_t segments = 0;
  int64_t bytes = 0;
  int64_t running = 0;   // sessions running (the most seen in the second)
  int64_t sent = 0;      // replay: requests sent
  int64_t answered = 0;  // replay: requests answered (any status)
};

// Every column of a SecondRow, by name (the JSON's seconds_columns, merging, totals).
struct SecondColumn {
  const char* name;
  int64_t SecondRow::*field;
};
extern const SecondColumn kSecondColumns[12];

class RunStats {
 public:
  void Latency(const std::string& kind, double ms) { latency[kind].Add(std::max(ms, 0.001)); }
  void Error(const std::string& kind, int64_t second);
  SecondRow& At(int64_t second);
  void Merge(const RunStats& o);

  int64_t Total(int64_t SecondRow::*field) const;
  int64_t Count(const std::string& key) const;  // counts[key], 0 when absent
  // The percentiles of a kind as "p50 3.1 p99 12 ms" (empty when none were measured).
  std::string Brief(const std::string& kind) const;
  // The summary people read: sessions, starts, then per request kind count, p50, p90, p99,
  // p99.9 and max, then errors by kind.
  std::string SummaryText(double elapsed_s) const;
  // Its second half: the table of request kinds, then the errors.
  std::string TableText() const;
  nlohmann::json ToJson(double elapsed_s) const;

  // For a fleet's results over NATS: CBOR with the sketches as bytes; the rows per second
  // left out past `most_bytes` (a run of hours). Decode refuses what Encode would not have
  // written, naming what is wrong.
  std::string Encode(size_t most_bytes = 900 * 1024) const;
  static StatusOr<RunStats> Decode(std::string_view bytes);

  std::map<std::string, metrics::Quantiles> latency;  // milliseconds, by request kind
  std::map<std::string, int64_t> errors;              // by kind
  std::map<std::string, int64_t> counts;              // sessions, started, failed, ...
  std::vector<SecondRow> seconds;                     // by second of the run
  int64_t running = 0;                                // sessions running now
};

}  // namespace onair::loadgen
