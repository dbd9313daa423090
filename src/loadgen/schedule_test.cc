#include "loadgen/schedule.h"

#include <gtest/gtest.h>

#include <map>

namespace onair::loadgen {
namespace {

constexpr int64_t kS = 1'000'000;

Scenario With(const std::string& profile, int64_t peak, int64_t duration, int64_t outage = 0) {
  Scenario s;
  s.target = "http://127.0.0.1:1";
  s.event = "e";
  s.peak = peak;
  s.phases = *NamedProfile(profile, duration, outage);
  EXPECT_TRUE(Validate(&s).ok());
  return s;
}

// Sessions running at `t`.
int64_t RunningAt(const Schedule& sc, int64_t t) {
  int64_t n = 0;
  for (const PlannedSession& p : sc.sessions) n += p.start_us <= t && t < p.end_us;
  return n;
}

TEST(Schedule, FlashCrowdBringsHalfThePeakInTheFirstMinute) {
  const Schedule sc = MakeSchedule(With("flash-crowd", 5000, 300 * kS));
  EXPECT_EQ(sc.sessions.size(), 5000u);
  EXPECT_EQ(RunningAt(sc, 60 * kS - 1), 2500);
  EXPECT_EQ(RunningAt(sc, 120 * kS - 1), 5000);
  EXPECT_EQ(RunningAt(sc, 299 * kS), 5000);
  EXPECT_NEAR(sc.peak_rate, 2500.0 / 60, 1.5);
  for (const PlannedSession& p : sc.sessions) EXPECT_EQ(p.end_us, 300 * kS);
}

TEST(Schedule, RampAddsAFifthOfThePeakInEachStep) {
  const Schedule sc = MakeSchedule(With("ramp", 1000, 600 * kS));
  // Steps every 100 s, each step's arrivals within 10 s.
  EXPECT_EQ(RunningAt(sc, 10 * kS), 200);
  EXPECT_EQ(RunningAt(sc, 99 * kS), 200);
  EXPECT_EQ(RunningAt(sc, 110 * kS), 400);
  EXPECT_EQ(RunningAt(sc, 599 * kS), 1000);
  EXPECT_NEAR(sc.peak_rate, 20, 1);
}

TEST(Schedule, RetryStormEndsEverySessionAndBringsThemAllBackAtOnce) {
  const Schedule sc = MakeSchedule(With("retry-storm", 600, 120 * kS, 20 * kS));
  EXPECT_EQ(sc.sessions.size(), 1200u);
  EXPECT_EQ(RunningAt(sc, 59 * kS), 600);
  EXPECT_EQ(RunningAt(sc, 70 * kS), 0);  // the outage: 60 s to 80 s
  EXPECT_EQ(RunningAt(sc, 81 * kS), 600);
  int64_t restarts = 0;
  std::map<int64_t, int64_t> per_second;
  for (const PlannedSession& p : sc.sessions) {
    if (!p.restart) {
      EXPECT_EQ(p.end_us, 60 * kS);
      continue;
    }
    ++restarts;
    ++per_second[p.start_us / kS];
  }
  EXPECT_EQ(restarts, 600);
  EXPECT_EQ(per_second.size(), 1u);  // every one within the same second
  EXPECT_EQ(sc.peak_rate, 600);
}

TEST(Schedule, ARampDownEndsTheOldestFirst) {
  Scenario s = With("hold", 100, 20 * kS);
  Phase down;
  down.kind = Phase::kRamp;
  down.to_share = 0.5;
  down.length_us = 10 * kS;
  s.phases.push_back(down);
  const Schedule sc = MakeSchedule(s);
  EXPECT_EQ(RunningAt(sc, 25 * kS), 75);
  EXPECT_EQ(RunningAt(sc, 30 * kS - 1), 50);
  EXPECT_EQ(sc.sessions.front().end_us < 30 * kS, true);
  EXPECT_EQ(sc.sessions.back().end_us, 30 * kS);
}

TEST(Schedule, BoundsAreCheckedBeforeTheRun) {
  Scenario s = With("retry-storm", 600, 120 * kS, 20 * kS);
  s.max_rate = 500;
  EXPECT_NE(CheckBounds(s, MakeSchedule(s)).message().find("max-rate"), std::string::npos);
  s.max_rate = 1000;
  s.max_sessions = 1000;
  EXPECT_NE(CheckBounds(s, MakeSchedule(s)).message().find("max-sessions"), std::string::npos);
  s.max_sessions = 1200;
  EXPECT_TRUE(CheckBounds(s, MakeSchedule(s)).ok());
}

TEST(Schedule, WorkersShareEveryPhaseEvenly) {
  const Schedule sc = MakeSchedule(With("flash-crowd", 1000, 120 * kS));
  int64_t first = 0, second = 0;
  for (size_t i = 0; i < sc.sessions.size(); ++i) {
    if (sc.sessions[i].start_us >= 60 * kS) break;
    (Owns(i, 0, 2) ? first : second) += 1;
  }
  EXPECT_EQ(first, 250);
  EXPECT_EQ(second, 250);
}

}  // namespace
}  // namespace onair::loadgen
