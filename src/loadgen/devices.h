// `onair loadgen devices`: a crowd of virtual devices on event loops (one per core, thousands
// of devices each, no thread per device), each running the real playback flow of the device
// it imitates with the player's session logic (player/plan.h): the play-start POST with its
// device description, following Retry-After and backing off; the manifest read; the clock
// synced once per process; init and media segments from the edges it was given, at the live
// edge and the segment cadence, with CMCD, the ABR, failover and steering; the playout
// followed without decoding; QoE events posted as the player posts them. Sessions start as
// the schedule says (an open model) and end when it says.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "loadgen/mix.h"
#include "loadgen/scenario.h"
#include "loadgen/schedule.h"
#include "loadgen/stats.h"

namespace onair::loadgen {

struct DevicesConfig {
  Scenario scenario;
  DeviceMix mix;
  int threads = 0;  // event loops; 0: one per core
  uint64_t seed = 1;
  bool lowest_rung = false;  // every viewer on the smallest rung (no ABR)
  bool audio = true;
  bool steering = true;
  bool qoe = true;         // post QoE events
  std::string events_url;  // "": the target's /v1/events
  int64_t events_interval_ms = 10'000;
  int64_t target_latency_ms = 0;     // 0: the manifest's
  size_t connections_per_loop = 64;  // to the playback service
  // A session ends once it has this many media segments of each track (0: at its scheduled
  // end): a play start's whole flow, for measuring starts per second.
  int segments_per_track = 0;
  // A share of the schedule: this worker's sessions of `workers` (a fleet's processes).
  size_t worker = 0, workers = 1;
};

class DevicesRun {
 public:
  DevicesRun(DevicesConfig config, Clock* clock);
  ~DevicesRun();
  DevicesRun(const DevicesRun&) = delete;
  DevicesRun& operator=(const DevicesRun&) = delete;

  // The plan said up front: sessions, peak start rate, duration, bounds.
  std::string Plan() const;
  // Runs the schedule to its end (or Stop()) from `start` (UTC; 0: now); returns once every
  // session has ended and posted its last events.
  Status Run(UtcMicros start = 0);
  // From any thread: sessions end now (their end events posted), Run returns.
  void Stop();
  // Everything measured so far, merged over the loops.
  RunStats Snapshot() const;
  double elapsed_s() const;
  UtcMicros start() const;  // the run's start on this process's clock (0: not yet)
  const Schedule& schedule() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One line: time, sessions running, starts/s, shed, errors, play and segment percentiles.
std::string ProgressLine(const RunStats& now, const RunStats& before, double elapsed_s,
                         double dt_s);

}  // namespace onair::loadgen
