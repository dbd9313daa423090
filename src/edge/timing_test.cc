#include "edge/timing.h"

#include <gtest/gtest.h>

namespace onair::edge {
namespace {

using std::chrono::seconds;
using Verdict = EventTimings::Verdict;

constexpr UtcMicros kAst = 1'000'000'000'000;
constexpr int64_t kD = 2'000'000;

EventConfig Show() {
  EventConfig c = DefaultEventConfig();
  c.event = "show";
  c.ast = kAst;
  c.segment_us = kD;
  return c;
}

struct Fixture {
  EventTimings timings;
  const EventTimings::SteadyTime t0 = std::chrono::steady_clock::now();
  EventTimings::Check Look(const std::string& target, UtcMicros now, EventTimings::SteadyTime at) {
    return timings.Look(ParseLivePath(target), now, at);
  }
};

TEST(EventTimings, AsksForTheTimingOnceAndForwardsMeanwhile) {
  Fixture f;
  const UtcMicros now = kAst + 10 * kD;
  auto first = f.Look("/live/show/720p/100.m4s", now, f.t0);
  EXPECT_TRUE(first.fetch);
  EXPECT_EQ(first.verdict, Verdict::kForward);
  auto second = f.Look("/live/show/720p/100.m4s", now, f.t0);
  EXPECT_FALSE(second.fetch) << "one fetch at a time";
  EXPECT_EQ(second.verdict, Verdict::kForward);
}

TEST(EventTimings, RefusesSegmentsLaterThanTheNextWithTheOriginsLifetime) {
  Fixture f;
  const UtcMicros now = kAst + 10 * kD + 300'000;  // segment 10 is being captured
  f.Look("/live/show/720p/1.m4s", now, f.t0);
  f.timings.Learned("show", Show(), f.t0 + seconds(10));
  // 10 and 11 go upstream (the origin holds them); 12 only from AST + 11·D (less the skew).
  EXPECT_EQ(f.Look("/live/show/720p/10.m4s", now, f.t0).verdict, Verdict::kForward);
  EXPECT_EQ(f.Look("/live/show/720p/11.m4s", now, f.t0).verdict, Verdict::kForward);
  auto later = f.Look("/live/show/720p/14.m4s", now, f.t0);
  EXPECT_EQ(later.verdict, Verdict::kNotYet);
  EXPECT_EQ(later.ms, (kAst + 13 * kD - 500'000 - now) / 1000);
  // Within the skew of becoming the next: upstream decides.
  EXPECT_EQ(f.Look("/live/show/720p/12.m4s", kAst + 11 * kD - 400'000, f.t0).verdict,
            Verdict::kForward);
  EXPECT_EQ(f.Look("/live/show/720p/999999999999.m4s", now, f.t0).verdict, Verdict::kNotYet);
}

TEST(EventTimings, KnowsTheLiveEdgeAndTheRenditions) {
  Fixture f;
  const UtcMicros now = kAst + 10 * kD + 300'000;
  f.Look("/live/show/720p/1.m4s", now, f.t0);
  f.timings.Learned("show", Show(), f.t0 + seconds(10));
  EXPECT_EQ(f.Look("/live/show/720p/7.m4s", now, f.t0).live, std::optional<bool>(true));
  EXPECT_EQ(f.Look("/live/show/720p/6.m4s", now, f.t0).live, std::optional<bool>(false));
  EXPECT_EQ(f.Look("/live/show/nope/7.m4s", now, f.t0).verdict, Verdict::kNoRendition);
  EXPECT_EQ(f.Look("/live/show/nope/index.m3u8", now, f.t0).verdict, Verdict::kNoRendition);
  EXPECT_EQ(f.Look("/live/show/audio/init.mp4", now, f.t0).verdict, Verdict::kForward);
  EXPECT_EQ(f.Look("/live/show/manifest.mpd", now, f.t0).verdict, Verdict::kForward);
}

TEST(EventTimings, AnAbsentEventIsRefusedForItsLifetimeOnly) {
  Fixture f;
  const UtcMicros now = kAst;
  EXPECT_TRUE(f.Look("/live/nope/720p/1.m4s", now, f.t0).fetch);
  f.timings.NoSuchEvent("nope", f.t0 + seconds(2));
  auto during = f.Look("/live/nope/manifest.mpd", now, f.t0 + seconds(1));
  EXPECT_EQ(during.verdict, Verdict::kNoEvent);
  EXPECT_FALSE(during.fetch);
  auto after = f.Look("/live/nope/manifest.mpd", now, f.t0 + seconds(2));
  EXPECT_EQ(after.verdict, Verdict::kForward);
  EXPECT_TRUE(after.fetch);
}

TEST(EventTimings, AFailedFetchIsRetriedLaterAndAKnownTimelineOutlivesARefresh) {
  Fixture f;
  const UtcMicros now = kAst + 10 * kD;
  f.Look("/live/show/720p/1.m4s", now, f.t0);
  f.timings.FetchFailed("show", f.t0 + seconds(1));
  EXPECT_FALSE(f.Look("/live/show/720p/1.m4s", now, f.t0).fetch);
  EXPECT_TRUE(f.Look("/live/show/720p/1.m4s", now, f.t0 + seconds(1)).fetch);
  f.timings.Learned("show", Show(), f.t0 + seconds(10));
  // Stale: a refresh is asked for, and the known timeline still answers meanwhile.
  auto stale = f.Look("/live/show/720p/99.m4s", now, f.t0 + seconds(11));
  EXPECT_TRUE(stale.fetch);
  EXPECT_EQ(stale.verdict, Verdict::kNotYet);
  f.timings.FetchFailed("show", f.t0 + seconds(12));
  EXPECT_EQ(f.Look("/live/show/720p/99.m4s", now, f.t0 + seconds(11)).verdict, Verdict::kNotYet);
}

TEST(EventTimings, MadeUpEventNamesCannotGrowTheTable) {
  EventTimings timings({.skew_us = 500'000, .max_events = 100});
  const auto t0 = std::chrono::steady_clock::now();
  for (int k = 0; k < 1000; ++k) {
    const std::string event = "made-up-" + std::to_string(k);
    timings.Look(ParseLivePath("/live/" + event + "/720p/1.m4s"), kAst, t0);
    timings.FetchFailed(event, t0);
  }
  EXPECT_LE(timings.size(), 100u);
}

}  // namespace
}  // namespace onair::edge
