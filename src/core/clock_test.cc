#include "core/clock.h"

#include <gtest/gtest.h>

namespace onair {
namespace {

TEST(Utc, ParsesAndFormatsIso8601) {
  auto t = ParseUtc("2026-11-23T10:00:00Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, 1795428000LL * 1000000);
  EXPECT_EQ(FormatUtc(*t), "2026-11-23T10:00:00Z");
  EXPECT_EQ(*ParseUtc("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseUtc("2026-11-23T10:00:00.250Z"), 1795428000LL * 1000000 + 250000);
  EXPECT_EQ(FormatUtc(*ParseUtc("2026-11-23T10:00:00.250Z"), true), "2026-11-23T10:00:00.250Z");
}

TEST(Utc, RejectsNonUtcAndGarbage) {
  EXPECT_FALSE(ParseUtc("2026-11-23T10:00:00+01:00").ok());
  EXPECT_FALSE(ParseUtc("yesterday").ok());
  EXPECT_FALSE(ParseUtc("2026-13-23T10:00:00Z").ok());
  EXPECT_FALSE(ParseUtc("").ok());
}

TEST(SimulatedClock, SleepJumpsForwardNeverBack) {
  SimulatedClock c(1000);
  c.SleepUntil(5000);
  EXPECT_EQ(c.Now(), 5000);
  c.SleepUntil(10);
  EXPECT_EQ(c.Now(), 5000);
  c.Advance(5);
  EXPECT_EQ(c.Now(), 5005);
}

TEST(SimulatedClock, MonotonicTimeMovesWithTheWallClock) {
  SimulatedClock c(1'000'000);
  const MonoTime t0 = c.Monotonic();
  c.Advance(std::chrono::milliseconds(250));
  EXPECT_EQ(c.Monotonic() - t0, std::chrono::milliseconds(250));
  c.SleepUntil(2'000'000);
  EXPECT_EQ(c.Monotonic() - t0, std::chrono::seconds(1));
  EXPECT_GT(t0 - std::chrono::minutes(30), MonoTime{});  // room for readings before it
}

}  // namespace
}  // namespace onair
