// What a load run does, from flags or a small scenario file (docs/loadgen.md): where to send
// viewers, how many at most, and the shape of the crowd over time as phases: ramps of the
// concurrent viewers toward a share of the peak (smooth, or in steps), holds, and outages
// (every viewer's session ends; whatever phase follows brings them back, a retry storm when
// it is short). Every run is bounded in sessions, start rate and time: a scenario past its
// bounds is refused before anything is sent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace onair::loadgen {

struct Phase {
  enum Kind { kRamp, kHold, kOutage } kind = kHold;
  double to_share = 1.0;  // kRamp: concurrent viewers at its end, a share of the peak
  int64_t length_us = 0;  // how long the phase lasts
  int steps = 0;          // kRamp: 0 smooth, else that many equal steps
  int64_t spread_us = 0;  // kRamp in steps: each step's arrivals spread over this (0: 10 s)
  int line = 0;           // in the scenario file (0: from flags)
};

struct Scenario {
  std::string target;  // the playback service, http://host:port
  std::string event;
  int64_t peak = 0;  // concurrent viewers at 100 %
  std::vector<Phase> phases;
  // Bounds, said up front; a schedule past them is refused.
  int64_t max_sessions = 0;  // 0: 4 x peak
  double max_rate = 20'000;  // session starts per second in any second
  int64_t max_duration_us = 24LL * 3600 * 1'000'000;
  std::string profile;  // the named profile it came from, if any

  int64_t duration_us() const;
};

// The named profiles (ramp, flash-crowd, hold, retry-storm) as phases over `duration_us`;
// `outage_us`: the retry storm's interruption (0: 30 s, at most a sixth of the run).
StatusOr<std::vector<Phase>> NamedProfile(const std::string& name, int64_t duration_us,
                                          int64_t outage_us);
std::vector<std::string> ProfileNames();

// A scenario file: one setting per line (`target URL`, `event NAME`, `peak N`, `profile NAME`,
// `duration S`, `outage S`, `max-sessions N`, `max-rate R`) and phases (`ramp to=50% over=60
// [steps=5] [spread=10]`, `hold for=60`, `outage for=30`); `#` starts a comment. An error
// names the line and the field.
StatusOr<Scenario> ParseScenario(std::string_view text);

// Fills what is left to defaults and checks the whole: a target and an event, a peak, phases,
// under every bound.
Status Validate(Scenario* s);

// A duration: seconds ("90", "1.5"), or with a unit ("500ms", "90s", "2m", "1h").
StatusOr<int64_t> ParseDuration(std::string_view text);

}  // namespace onair::loadgen
