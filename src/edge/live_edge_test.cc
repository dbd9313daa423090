#include "edge/live_edge.h"

#include <gtest/gtest.h>

namespace onair::edge {
namespace {

LivePath Segment(int64_t n) {
  LivePath p;
  p.kind = LivePath::kSegment;
  p.event = "show";
  p.rendition = "v";
  p.n = n;
  return p;
}

TEST(LiveEdge, LiveIsWithinThreeOfTheNewestAskedUntilTheTimelineSays) {
  LiveEdge e;
  EXPECT_TRUE(e.IsLive(Segment(100), std::nullopt));
  EXPECT_TRUE(e.IsLive(Segment(97), std::nullopt));
  EXPECT_FALSE(e.IsLive(Segment(96), std::nullopt));
  EXPECT_TRUE(e.IsLive(Segment(10), true)) << "the timeline knows better";
  LivePath manifest;
  manifest.kind = LivePath::kEventFile;
  EXPECT_TRUE(e.IsLive(manifest, std::nullopt));
}

// The next segment's fill starts a quarter segment before it starts, once per segment, on a
// simulated clock.
TEST(LiveEdge, PrefetchTheNextSegmentAQuarterBeforeItStartsOnce) {
  SimulatedClock clock(*ParseUtc("2026-11-23T10:00:00Z"));
  const EpochTimeline timeline(*ParseUtc("2026-11-23T10:00:00Z"), 2'000'000);
  clock.Advance(std::chrono::milliseconds(10'300));  // inside segment 5
  LiveEdge e;
  auto plan = e.PlanPrefetch(Segment(5), timeline, clock.Now());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->key, "/live/show/v/6.m4s");
  EXPECT_EQ(plan->at, timeline.SegmentStartUtc(6) - 500'000);
  EXPECT_FALSE(e.PlanPrefetch(Segment(5), timeline, clock.Now())) << "once";
  clock.Advance(std::chrono::milliseconds(2000));
  plan = e.PlanPrefetch(Segment(6), timeline, clock.Now());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->key, "/live/show/v/7.m4s");
  LivePath other = Segment(6);
  other.rendition = "a";
  EXPECT_TRUE(e.PlanPrefetch(other, timeline, clock.Now())) << "per rendition";
}

}  // namespace
}  // namespace onair::edge
