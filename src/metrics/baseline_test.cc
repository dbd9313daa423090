#include "metrics/baseline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace onair::metrics {
namespace {

using V = Baseline::Verdict;

// Starts per second around an event's opening: a ramp with Poisson-like noise.
double Starts(int second, std::mt19937_64& rng) {
  const double mean = 50 + 2.0 * second;
  std::normal_distribution<double> noise(0, std::sqrt(mean));
  return std::max(0.0, mean + noise(rng));
}

TEST(Baseline, FollowsARampWithoutCryingWolf) {
  std::mt19937_64 rng(3);
  Baseline b;
  int alarms = 0;
  for (int s = 0; s < 600; ++s) {
    const V v = b.Add(Starts(s, rng));
    if (s < 30) {
      EXPECT_EQ(v, V::kWarmingUp);
    }
    alarms += v == V::kBelow || v == V::kAbove;
  }
  EXPECT_LE(alarms, 3) << "a steady ramp is normal";
  EXPECT_NEAR(b.expected(), 50 + 2.0 * 600, 60) << "the trend is learnt";
}

TEST(Baseline, ADropInStartsIsBelowWithinASecondAndStaysSo) {
  std::mt19937_64 rng(5);
  Baseline b;
  for (int s = 0; s < 300; ++s) b.Add(Starts(s, rng));
  // The playback service stops answering: starts fall to a tenth.
  int below = 0;
  for (int s = 300; s < 360; ++s) below += b.Add(Starts(s, rng) / 10) == V::kBelow;
  EXPECT_GE(below, 55) << "a minute-long outage is not learnt as the new normal";
  EXPECT_GT(b.expected(), 500) << "the baseline still expects the old rate";
  // It does not come back: within minutes the new level is the normal.
  int normal = 0;
  for (int s = 360; s < 900; ++s) normal += b.Add(Starts(360, rng) / 10) == V::kNormal;
  EXPECT_GT(normal, 0);
  EXPECT_EQ(b.Add(Starts(360, rng) / 10), V::kNormal);
}

TEST(Baseline, AFlashCrowdIsAbove) {
  std::mt19937_64 rng(9);
  Baseline b;
  for (int s = 0; s < 120; ++s) b.Add(Starts(s, rng));
  EXPECT_EQ(b.Add(Starts(120, rng) * 5), V::kAbove);
}

TEST(Baseline, SmallCountsJitterWithinTheBandsFloor) {
  Baseline b({.min_deviation = 2});
  for (int s = 0; s < 100; ++s) b.Add(s % 2);  // 0, 1, 0, 1: a quiet event
  EXPECT_EQ(b.Add(3), V::kNormal);
  EXPECT_EQ(b.Add(std::nan("")), V::kNormal) << "a missing point changes nothing";
  EXPECT_EQ(b.points(), 101);
}

}  // namespace
}  // namespace onair::metrics
