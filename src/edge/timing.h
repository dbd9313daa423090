// What an edge knows of each event's timeline, learnt from its upstream's
// /live/{event}/event.json (AST, D, renditions), so that it answers by itself what the origin
// would refuse anyway: a segment later than the next one (404 with the same lifetime the
// origin gives), a rendition the event does not have, an event the origin says it does not
// have. Everything else goes upstream. Plain logic over given clocks, unit-tested without
// sockets; the edge fetches the timing when Look() asks it to.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/epoch.h"
#include "core/event_config.h"
#include "core/live_path.h"

namespace onair::edge {

class EventTimings {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Options {
    // How far the edge's wall clock may be ahead of the origin's: a segment is refused only
    // if the origin would still refuse it with the edge's clock this much behind.
    int64_t skew_us = 500'000;
    size_t max_events = 10'000;  // made-up event names cannot grow the table beyond this
  };
  EventTimings() : EventTimings(Options{}) {}
  explicit EventTimings(Options options) : options_(options) {}

  enum class Verdict { kForward, kNotYet, kNoEvent, kNoRendition };
  struct Check {
    Verdict verdict = Verdict::kForward;
    int64_t ms = 0;            // kNotYet: how long the answer stays true
    std::optional<bool> live;  // a segment of a known event: whether it is at the live edge
    std::optional<EpochTimeline> timeline;  // a segment of a known event: its timeline
    bool fetch = false;                     // the caller should fetch the event's timing now
  };
  // What to do with a read of `path` (a parsed /live/ path) at `now`.
  Check Look(const LivePath& path, UtcMicros now, SteadyTime steady_now);

  // Whether a read of `path` at `now` is at the live edge, when the event's timeline is known
  // (no fetch asked for, nothing changed).
  std::optional<bool> LiveAt(const LivePath& path, UtcMicros now) const;

  // The outcome of a fetch that Look() asked for.
  void Learned(const std::string& event, const EventConfig& config, SteadyTime fresh_until);
  void NoSuchEvent(const std::string& event, SteadyTime fresh_until);
  void FetchFailed(const std::string& event, SteadyTime retry_at);

  size_t size() const;

 private:
  struct Known {
    UtcMicros ast = 0;
    int64_t segment_us = 0;
    std::set<std::string, std::less<>> renditions;
  };
  struct Entry {
    std::optional<Known> known;
    bool absent = false;  // the upstream said the event does not exist
    bool fetching = false;
    SteadyTime fresh_until{};
  };
  void Prune(SteadyTime now);

  const Options options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> events_;
};

}  // namespace onair::edge
