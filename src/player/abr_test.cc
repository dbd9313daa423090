#include "player/abr.h"

#include <gtest/gtest.h>

namespace onair::player {
namespace {

std::vector<Rung> Ladder() {
  return {{300'000, 270}, {1'000'000, 540}, {2'500'000, 720}, {5'000'000, 1080}};
}

AbrInput Input(double buffer, double bps, Cap cap = {}) {
  AbrInput in;
  in.buffer_s = buffer;
  in.throughput_bps = bps;
  in.target_buffer_s = 2.0;
  in.cap = cap;
  return in;
}

TEST(Abr, StartsLowWithoutAMeasurementThenFollowsThroughput) {
  AbrController abr(Ladder(), 2.0);
  EXPECT_EQ(abr.Choose(Input(0, 0)), 0);
  // Up one rung at a time, after two boundaries that allow it, with a full buffer.
  EXPECT_EQ(abr.Choose(Input(1.9, 10e6)), 0);
  EXPECT_EQ(abr.Choose(Input(1.9, 10e6)), 1);
  EXPECT_EQ(abr.Choose(Input(1.9, 10e6)), 1);
  EXPECT_EQ(abr.Choose(Input(1.9, 10e6)), 2);
  // No climbing on a thin buffer.
  EXPECT_EQ(abr.Choose(Input(1.2, 10e6)), 2);
  EXPECT_EQ(abr.Choose(Input(1.2, 10e6)), 2);
  // The network cannot carry it: straight down to what fits (85 % of 1.5 Mb/s).
  EXPECT_EQ(abr.Choose(Input(1.9, 1.5e6)), 1);
  // Running dry: one down even if throughput looks fine.
  EXPECT_EQ(abr.Choose(Input(0.5, 10e6)), 0);
}

TEST(Abr, NeverAboveTheCapAndDownAtOnceWhenOneComes) {
  AbrController abr(Ladder(), 2.0);
  for (int i = 0; i < 10; ++i) abr.Choose(Input(1.9, 50e6));
  EXPECT_EQ(abr.current(), 3);
  EXPECT_EQ(abr.Choose(Input(1.9, 50e6, {2'000'000, 0})), 1);
  EXPECT_EQ(abr.Choose(Input(1.9, 50e6, {0, 540})), 1);
  // A cap under every rung: the lowest picture, not none.
  EXPECT_EQ(abr.Choose(Input(1.9, 50e6, {100'000, 0})), 0);
}

TEST(Abr, BolaDecidesFromALongBuffer) {
  AbrController abr(Ladder(), 2.0);
  abr.Choose(Input(0, 0));
  // Catch-up with a long buffer: BOLA climbs with the buffer, whatever throughput says.
  const int at_5 = abr.Choose(Input(5, 0));
  const int at_12 = abr.Choose(Input(12, 0));
  EXPECT_LE(at_5, at_12);
  EXPECT_EQ(at_12, 3);
  EXPECT_EQ(abr.Choose(Input(12, 0, {2'500'000, 0})), 2);  // still under the cap
}

TEST(ThroughputEstimator, QuickToSeeADrop) {
  ThroughputEstimator t;
  EXPECT_EQ(t.bits_per_second(), 0);                         // nothing measured
  for (int i = 0; i < 10; ++i) t.Add(1'250'000, 1'000'000);  // 10 Mb/s
  EXPECT_NEAR(t.bits_per_second(), 10e6, 1e5);
  t.Add(125'000, 1'000'000);  // one second at 1 Mb/s
  EXPECT_LT(t.bits_per_second(), 8e6);
}

}  // namespace
}  // namespace onair::player
