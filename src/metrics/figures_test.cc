#include "metrics/figures.h"

#include <gtest/gtest.h>

namespace onair::metrics {
namespace {

using contract::QoeEvent;
using contract::QoeType;

QoeEvent Start(double ttff_ms) { return {.type = QoeType::kStart, .ttff_ms = ttff_ms}; }
QoeEvent End(int started, int fatal) {
  return {.type = QoeType::kEnd, .fatal = fatal, .started = started};
}
QoeEvent Beat(int64_t played_ms, int64_t stalled_ms, int64_t bitrate, int top, int64_t latency) {
  return {.type = QoeType::kHeartbeat,
          .bitrate = bitrate,
          .latency_ms = latency,
          .played_ms = played_ms,
          .stalled_ms = stalled_ms,
          .top = top};
}

TEST(Figures, SessionOutcomesFromStartAndEnd) {
  Figures f;
  f.Add(Start(800), 1);
  f.Add(Start(1200), 2);
  f.Add(End(0, 1), 3);    // a start failure
  f.Add(End(0, 0), 4);    // an exit before video start
  f.Add(End(1, 1), 1);    // a playback failure
  f.Add(End(1, 0), 2);    // watched to the end
  f.Add(End(-1, -1), 5);  // an older player's end says nothing of the outcome
  EXPECT_EQ(f.starts, 2u);
  EXPECT_EQ(f.start_failures, 1u);
  EXPECT_EQ(f.exits_before_start, 1u);
  EXPECT_EQ(f.playback_failures, 1u);
  EXPECT_EQ(f.ended, 1u);
  EXPECT_EQ(f.attempts(), 4u);
  EXPECT_NEAR(f.vst_ms.Quantile(0), 800, 8);
  EXPECT_NEAR(f.vst_ms.Quantile(1), 1200, 12);
}

TEST(Figures, HeartbeatsGiveWatchTimeStallsBitrateAndViewers) {
  Figures f;
  f.Add(Beat(9000, 1000, 3'000'000, 1, 3100), 1);
  f.Add(Beat(10000, 0, 1'000'000, 0, 2900), 2);
  f.Add(Beat(10000, 0, 1'000'000, 0, 3000), 2);  // the same session again
  f.Add({.type = QoeType::kRebuffer, .duration_ms = 1000}, 1);
  f.Add({.type = QoeType::kError, .kind = "connect"}, 1);
  EXPECT_EQ(f.heartbeats, 3u);
  EXPECT_EQ(f.played_ms, 29000u);
  EXPECT_EQ(f.stalled_ms, 1000u);
  EXPECT_EQ(f.top_ms, 9000u);
  EXPECT_DOUBLE_EQ(f.bitrate_ms / static_cast<double>(f.played_ms),
                   (3e6 * 9000 + 1e6 * 20000) / 29000);
  EXPECT_EQ(f.stalls, 1u);
  EXPECT_EQ(f.errors, 1u);
  EXPECT_EQ(f.viewers.Estimate(), 2u);
  EXPECT_EQ(f.latency_ms.count(), 3u);
}

TEST(Figures, PartsMergeIntoTheWholeAndTravelIntact) {
  Figures whole, a, b;
  for (int i = 0; i < 5000; ++i) {
    const QoeEvent e =
        i % 3 ? Beat(1000, i % 7, 2'000'000, i % 2, 2000 + i % 900) : Start(300 + i % 4000);
    whole.Add(e, static_cast<uint64_t>(i % 1700));
    (i % 2 ? a : b).Add(e, static_cast<uint64_t>(i % 1700));
  }
  Figures merged = a;
  merged.Merge(b);
  EXPECT_EQ(merged.Encode(), whole.Encode());
  auto back = Figures::Decode(whole.Encode());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->Encode(), whole.Encode());
  EXPECT_EQ(back->viewers.Estimate(), 1700u);
  const std::string bytes = whole.Encode();
  for (size_t n : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_FALSE(Figures::Decode(bytes.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(Figures::Decode(bytes + "x").ok());
}

}  // namespace
}  // namespace onair::metrics
