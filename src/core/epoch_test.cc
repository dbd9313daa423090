#include "core/epoch.h"

#include <gtest/gtest.h>

namespace onair {
namespace {

TEST(EpochTimeline, SegmentNumberIsAPureFunctionOfMediaTime) {
  const UtcMicros ast = 1'700'000'000'000'000;
  EpochTimeline t(ast, 2'000'000);
  EXPECT_EQ(t.SegmentNumberAt(ast), 0);
  EXPECT_EQ(t.SegmentNumberAt(ast + 1'999'999), 0);
  EXPECT_EQ(t.SegmentNumberAt(ast + 2'000'000), 1);
  EXPECT_EQ(t.SegmentNumberAt(ast - 1), -1);
  EXPECT_EQ(t.SegmentAvailableAt(5), ast + 12'000'000);
  EXPECT_EQ(t.FirstChunkAvailableAt(5, 500'000), ast + 10'500'000);
  EXPECT_EQ(t.BoundaryTicks(3, 90000), 540000);
}

TEST(EpochTimeline, HandlesEpochScaleNumbersWithoutOverflow) {
  EpochTimeline t(0, 2'000'000);
  const UtcMicros now = 1'795'000'000'123'456;  // 2026
  const int64_t n = t.SegmentNumberAt(now);
  EXPECT_EQ(n, 897'500'000);
  EXPECT_EQ(t.BoundaryTicks(n, 90000), 897'500'000LL * 180000);
}

TEST(FrameGrid, IntegerRateCutsExactlyOnBoundaries) {
  FrameGrid g = FrameGrid::ForFrameRate({25, 1});
  EXPECT_EQ(g.FirstIndexOfSegment(1, 2'000'000), 50);
  EXPECT_EQ(g.SegmentOf(49, 2'000'000), 0);
  EXPECT_EQ(g.SegmentOf(50, 2'000'000), 1);
  EXPECT_EQ(g.Ticks(50, 90000), 180000);
}

TEST(FrameGrid, NonIntegerRateCutsAtFirstFrameAtOrAfterBoundary) {
  FrameGrid g = FrameGrid::ForFrameRate({30000, 1001});
  // 2 s at 29.97: frame 59 is at 1.968 s, frame 60 at 2.002 s.
  EXPECT_EQ(g.FirstIndexOfSegment(1, 2'000'000), 60);
  EXPECT_EQ(g.SegmentOf(59, 2'000'000), 0);
  EXPECT_EQ(g.SegmentOf(60, 2'000'000), 1);
  // Segments hold 59 or 60 frames, never fewer or more.
  for (int64_t n = 0; n < 2000; ++n) {
    const int64_t frames =
        g.FirstIndexOfSegment(n + 1, 2'000'000) - g.FirstIndexOfSegment(n, 2'000'000);
    EXPECT_TRUE(frames == 59 || frames == 60) << n;
  }
  EXPECT_EQ(g.Ticks(60, 30000), 60060);
  EXPECT_TRUE(g.TicksExact(90000));
}

TEST(FrameGrid, AudioFramesOf1024Samples) {
  FrameGrid g({1024, 48000});
  EXPECT_EQ(g.FirstIndexOfSegment(1, 2'000'000), 94);  // 93.75 -> 94
  EXPECT_EQ(g.Ticks(94, 48000), 96256);
  EXPECT_EQ(g.NearestIndex(21'333), 1);
  EXPECT_EQ(g.NearestIndex(10'000), 0);
}

TEST(FrameGrid, ChunksAndTicksRoundTrip) {
  FrameGrid g = FrameGrid::ForFrameRate({30, 1});
  EXPECT_EQ(g.ChunkOf(60, 1, 2'000'000, 500'000), 0);
  EXPECT_EQ(g.ChunkOf(74, 1, 2'000'000, 500'000), 0);
  EXPECT_EQ(g.ChunkOf(75, 1, 2'000'000, 500'000), 1);
  EXPECT_EQ(g.ChunkOf(119, 1, 2'000'000, 500'000), 3);
  FrameGrid ntsc = FrameGrid::ForFrameRate({30000, 1001});
  for (int64_t i : {0LL, 1LL, 59LL, 60LL, 53'000'000'000LL}) {
    EXPECT_EQ(ntsc.IndexOfTicks(ntsc.Ticks(i, 90000), 90000), i);
  }
}

TEST(ChooseVideoTimescale, PrefersNinetyKilohertz) {
  EXPECT_EQ(ChooseVideoTimescale({25, 1}, 2'000'000), 90000);
  EXPECT_EQ(ChooseVideoTimescale({30000, 1001}, 2'000'000), 90000);
  EXPECT_EQ(ChooseVideoTimescale({50, 1}, 2'000'000), 90000);
  EXPECT_EQ(ChooseVideoTimescale({60000, 1001}, 2'000'000), 60000);
}

TEST(ParseFrameRate, KnownForms) {
  EXPECT_EQ(*ParseFrameRate("29.97"), (Rational{30000, 1001}));
  EXPECT_EQ(*ParseFrameRate("59.94"), (Rational{60000, 1001}));
  EXPECT_EQ(*ParseFrameRate("50"), (Rational{50, 1}));
  EXPECT_EQ(*ParseFrameRate("60/2"), (Rational{30, 1}));
  EXPECT_FALSE(ParseFrameRate("0").ok());
  EXPECT_FALSE(ParseFrameRate("abc").ok());
  EXPECT_FALSE(ParseFrameRate("12.5").ok());
  EXPECT_FALSE(ParseFrameRate("1/0").ok());
}

TEST(Rescale, RoundsToNearestWithoutOverflow) {
  EXPECT_EQ(RescaleRounded(10'000, 48000, 1'000'000), 480);
  EXPECT_EQ(RescaleRounded(1, 1, 2), 1);   // halves up
  EXPECT_EQ(RescaleRounded(-1, 1, 2), 0);  // halves up, also below zero
  EXPECT_EQ(RescaleRounded(-3, 1, 2), -1);
  // 2026 in microseconds since the epoch, in samples at 48 kHz: beyond 64-bit products.
  EXPECT_EQ(RescaleRounded(1'795'000'000'000'000, 48000, 1'000'000), 86'160'000'000'000);
}

}  // namespace
}  // namespace onair
