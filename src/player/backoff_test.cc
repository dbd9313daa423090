#include "player/backoff.h"

#include <gtest/gtest.h>

namespace onair::player {
namespace {

TEST(Backoff, FullJitterUnderAGrowingCappedCeiling) {
  Backoff b(100, 2000, 7);
  for (int attempt = 0; attempt < 12; ++attempt) {
    const int64_t ceiling = std::min<int64_t>(2000, int64_t{100} << attempt);
    const int64_t ms = b.NextMs();
    EXPECT_GE(ms, 0);
    EXPECT_LE(ms, ceiling) << attempt;
  }
  // Spread: many players that failed together do not come back together.
  Backoff x(100, 2000, 1), y(100, 2000, 2);
  int same = 0;
  for (int i = 0; i < 10; ++i) same += x.NextMs() == y.NextMs();
  EXPECT_LT(same, 3);
  b.Reset();
  EXPECT_LE(b.NextMs(), 100);
}

TEST(ServerRetryMs, BodyMillisecondsThenHeaderSecondsOrDate) {
  const UtcMicros now = *ParseUtc("2026-11-23T10:00:00Z");
  net::Response r{503, {{"Retry-After", "3"}}, R"({"error":"busy","retry_after_ms":2345})"};
  EXPECT_EQ(ServerRetryMs(r, now), 2345);
  r.body = "busy";
  EXPECT_EQ(ServerRetryMs(r, now), 3000);
  r.headers = {{"retry-after", "Mon, 23 Nov 2026 10:00:05 GMT"}};
  EXPECT_EQ(ServerRetryMs(r, now), 5000);
  r.headers = {{"Retry-After", "soon"}};
  EXPECT_EQ(ServerRetryMs(r, now), std::nullopt);
  r.headers = {};
  EXPECT_EQ(ServerRetryMs(r, now), std::nullopt);
  r.headers = {{"Retry-After", "999999"}};
  EXPECT_EQ(ServerRetryMs(r, now), 3'600'000);  // an hour at most
}

}  // namespace
}  // namespace onair::player
