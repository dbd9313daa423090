#include "player/playout.h"

#include <gtest/gtest.h>

namespace onair::player {
namespace {

constexpr int64_t kS = 1'000'000;

TEST(TrackBuffer, JoinsNearRangesAndFindsTheContiguousEnd) {
  TrackBuffer b(100'000);
  b.Add(0, 500'000);
  b.Add(520'000, 1'000'000);  // 20 ms apart: one range
  b.Add(3 * kS, 4 * kS);
  EXPECT_EQ(b.ContiguousEnd(100'000), 1'000'000);
  EXPECT_EQ(b.ContiguousEnd(2 * kS), 2 * kS);  // in a hole
  EXPECT_EQ(b.NextStart(2 * kS), 3 * kS);
  b.Add(1'000'000, 3 * kS);  // the hole fills
  EXPECT_EQ(b.ContiguousEnd(0), 4 * kS);
  b.ForgetBefore(5 * kS);
  EXPECT_TRUE(b.empty());
}

TEST(Playout, StartsStallsAndResumesOnBuffer) {
  PlayoutConfig cfg;
  cfg.target_latency_us = 3 * kS;
  cfg.start_buffer_us = 500'000;
  cfg.resume_buffer_us = 500'000;
  Playout p(cfg, 0);
  p.SetStart(10 * kS);
  UtcMicros now = 13 * kS;
  EXPECT_FALSE(p.Tick(now, 10 * kS + 200'000));  // not enough to start
  EXPECT_TRUE(p.Tick(now += 100'000, 11 * kS));
  EXPECT_EQ(p.state(), Playout::State::kPlaying);
  EXPECT_EQ(p.started_at(), 13'100'000);
  // Plays in real time at the target latency...
  p.Tick(now += 500'000, 12 * kS);
  EXPECT_NEAR(static_cast<double>(p.position_us()), 10.5 * kS, 1000);
  // ...until the media runs out: a stall at its end.
  EXPECT_TRUE(p.Tick(now += 2 * kS, 12 * kS));
  EXPECT_EQ(p.state(), Playout::State::kStalled);
  EXPECT_EQ(p.position_us(), 12 * kS);
  EXPECT_EQ(p.rebuffers(), 1);
  EXPECT_FALSE(p.Tick(now += 300'000, 12 * kS + 100'000));
  EXPECT_TRUE(p.Tick(now += 300'000, 13 * kS));
  EXPECT_EQ(p.state(), Playout::State::kPlaying);
  EXPECT_EQ(p.rebuffer_us(), 600'000);
}

TEST(Playout, CatchesUpWhenBehindTheTargetLatency) {
  PlayoutConfig cfg;
  cfg.target_latency_us = 3 * kS;
  Playout p(cfg, 0);
  p.SetStart(10 * kS);
  UtcMicros now = 15 * kS;  // 5 s behind live: 2 s over the target
  p.Tick(now, 14 * kS);
  for (int i = 0; i < 200; ++i) p.Tick(now += 50'000, 14 * kS + i * 50'000);
  EXPECT_GT(p.rate(), 1.0);
  EXPECT_LE(p.rate(), 1.1);
  EXPECT_LT(p.LatencyAt(now), 5 * kS - 500'000);  // closing in
  EXPECT_EQ(p.rebuffers(), 0);
}

}  // namespace
}  // namespace onair::player
