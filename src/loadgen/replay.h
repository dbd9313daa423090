// `onair loadgen replay LOG`: a request log sent again (loadgen/replay_log.h), each request at
// its recorded offset divided by the speed, from event loops (one per core) whatever the
// answers before it did (an open model: latencies count from when a request was due, so a
// slow server shows). Bounded in requests, rate and time; stops by itself.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "loadgen/replay_log.h"
#include "loadgen/stats.h"

namespace onair::loadgen {

struct ReplayConfig {
  Rewrites rewrites;
  double speed = 1;   // 2: twice as fast (the gaps halved)
  double sample = 1;  // the share of viewers replayed
  uint64_t seed = 1;
  int threads = 0;                    // 0: one per core
  size_t connections_per_loop = 256;  // per destination
  double max_rate = 20'000;           // requests in any one second
  int64_t max_duration_us = 24LL * 3600 * 1'000'000;
  int64_t timeout_ms = 10'000;  // a request's whole answer
};

class ReplayRun {
 public:
  // Keeps the sampled requests of `log` that can be sent again (the others counted as
  // skipped, by why).
  ReplayRun(ReplayConfig config, ReplayLog log, Clock* clock);
  ~ReplayRun();
  ReplayRun(const ReplayRun&) = delete;
  ReplayRun& operator=(const ReplayRun&) = delete;

  // Whether the replay keeps to its bounds (the rate in any second, the duration).
  Status CheckBounds() const;
  // The plan said up front: requests, span, speed, bounds.
  std::string Plan() const;
  // Sends everything (or until Stop()); returns once every request has its answer or failed.
  Status Run(UtcMicros start = 0);
  void Stop();  // from any thread: nothing more is sent, requests in flight end in their timeout
  RunStats Snapshot() const;
  double elapsed_s() const;
  size_t requests() const;  // to be sent
  int64_t duration_us() const;
  double peak_rate() const;  // the most requests due in any one second

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The replay's summary: requests sent and answered, statuses like and unlike the log's, then
// the table of request kinds and the errors.
std::string ReplaySummary(const RunStats& s, double elapsed_s);
// Its progress line.
std::string ReplayProgressLine(const RunStats& now, const RunStats& before, double elapsed_s,
                               double dt_s);

}  // namespace onair::loadgen
