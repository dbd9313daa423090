// Several load generators as one (`--nats URL --fleet N`), over a NATS server (never a
// protocol of our own): each process says hello on onair.loadgen.{run}.hello until it has
// heard all N; its share is its rank among their ids and the start is the latest instant any
// of them proposed (its hello time plus a lead), so every process starts its share of the
// same schedule at the same instant. At the end each publishes its results
// (onair.loadgen.{run}.results, RunStats::Encode) and each gathers all N into one summary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "loadgen/stats.h"

namespace onair::loadgen {

struct FleetConfig {
  std::string nats_url;
  std::string run;  // the subjects' middle part: [a-zA-Z0-9_-]
  size_t size = 2;  // processes in the fleet
  int64_t join_timeout_ms = 60'000;
  int64_t lead_ms = 3'000;  // from a process's hello to the start it proposes
};

class Fleet {
 public:
  // Connects and waits until all `size` processes have said hello (or the timeout:
  // DeadlineExceeded naming how many came; more than `size`: FailedPrecondition).
  static StatusOr<std::unique_ptr<Fleet>> Join(const FleetConfig& config, Clock* clock);
  ~Fleet();

  size_t worker() const { return worker_; }
  size_t workers() const { return config_.size; }
  UtcMicros start() const { return start_; }  // on this process's clock

  // This process's results, then everyone's merged (those that came within `wait_ms` of the
  // call; `missing` says how many did not).
  Status Publish(const RunStats& stats);
  RunStats Gather(int64_t wait_ms, size_t* missing);

 private:
  struct Impl;
  Fleet() = default;
  FleetConfig config_;
  size_t worker_ = 0;
  UtcMicros start_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::loadgen
