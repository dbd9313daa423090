#include "edge/live_edge.h"

#include <algorithm>

namespace onair::edge {

bool LiveEdge::IsLive(const LivePath& p, std::optional<bool> known) {
  if (known) return *known;
  if (p.kind != LivePath::kSegment) return true;
  std::lock_guard<std::mutex> lock(mu_);
  if (highest_.size() > kMostRenditions) highest_.clear();
  int64_t& h = highest_[p.event + "/" + p.rendition];
  h = std::max(h, p.n);
  return p.n >= h - 3;
}

std::optional<LiveEdge::Prefetch> LiveEdge::PlanPrefetch(const LivePath& p,
                                                         const EpochTimeline& timeline,
                                                         UtcMicros now) {
  const int64_t next = timeline.SegmentNumberAt(now) + 1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (prefetched_.size() > kMostRenditions) prefetched_.clear();
    int64_t& last = prefetched_[p.event + "/" + p.rendition];
    if (last >= next) return std::nullopt;
    last = next;
  }
  return Prefetch{"/live/" + p.event + "/" + p.rendition + "/" + std::to_string(next) + ".m4s",
                  timeline.SegmentStartUtc(next) - timeline.segment_us() / 4};
}

}  // namespace onair::edge
