// What the edge knows of the live edge of each rendition from what viewers ask (docs/edge.md,
// "Prefetch" and "Eviction"): whether a segment is live or catch-up (at most 3 behind the
// newest asked, when the event's timeline is not known yet), and which segment to fetch ahead
// of its viewers, when: the next segment of a rendition watched at the live edge, a quarter
// segment before it starts, once. Plain logic over given times, unit-tested without sockets.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/epoch.h"
#include "core/live_path.h"

namespace onair::edge {

class LiveEdge {
 public:
  // Whether a read of `p` is at the live edge: `known` (from the event's timeline) when given,
  // else from the newest segment asked for its rendition; anything but a segment is live.
  bool IsLive(const LivePath& p, std::optional<bool> known);

  struct Prefetch {
    std::string key;  // the object to fill
    UtcMicros at;     // when to start its fill
  };
  // A live read of segment p.n of a known timeline at `now`: the next segment's fill, the
  // first time it is asked for that segment.
  std::optional<Prefetch> PlanPrefetch(const LivePath& p, const EpochTimeline& timeline,
                                       UtcMicros now);

 private:
  static constexpr size_t kMostRenditions = 100'000;  // made-up names cannot grow it forever
  std::mutex mu_;
  std::map<std::string, int64_t> highest_;     // per event/rendition: the newest segment asked
  std::map<std::string, int64_t> prefetched_;  // per event/rendition: the newest prefetched
};

}  // namespace onair::edge
