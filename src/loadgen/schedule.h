// The sessions a scenario starts, computed before the run (an open model: each starts at its
// time whether or not the ones before it got anywhere; its latencies are measured from that
// time, so a slow server cannot slow the generator down and hide itself).
#pragma once

#include <cstdint>
#include <vector>

#include "loadgen/scenario.h"

namespace onair::loadgen {

struct PlannedSession {
  int64_t start_us = 0;  // from the run's start
  int64_t end_us = 0;    // when the viewer leaves (the run's end, a ramp down or an outage)
  bool restart = false;  // a viewer coming back after an outage
};

struct Schedule {
  std::vector<PlannedSession> sessions;  // by start time
  int64_t duration_us = 0;
  double peak_rate = 0;  // the most starts in any one second
};

// Concurrency follows the phases; a ramp down ends the oldest sessions first.
Schedule MakeSchedule(const Scenario& s);

// Whether the schedule keeps to the scenario's bounds (sessions, starts in any second).
Status CheckBounds(const Scenario& s, const Schedule& schedule);

// The starts of session index i belong to worker i % workers (a process's loop, a fleet's
// process): each takes an equal, interleaved share of every phase.
inline bool Owns(size_t index, size_t worker, size_t workers) {
  return workers <= 1 || index % workers == worker;
}

}  // namespace onair::loadgen
