#include "service/faults.h"

#include <gtest/gtest.h>

namespace onair::service {
namespace {

using contract::FaultSpec;

FaultSpec Rule(std::string route, FaultSpec::Kind kind) {
  FaultSpec f;
  f.route = std::move(route);
  f.kind = kind;
  f.delay_ms = kind == FaultSpec::Kind::kDelay ? 100 : 0;
  return f;
}

TEST(Faults, OffUntilARuleIsSet) {
  SimulatedClock clock(0);
  Faults f(&clock, 1);
  EXPECT_FALSE(f.active());
  EXPECT_FALSE(f.Decide("segment", "/live/x").any());
}

TEST(Faults, ARuleActsOnItsRouteAndPathOnly) {
  SimulatedClock clock(0);
  Faults f(&clock, 1);
  FaultSpec abort = Rule("segment", FaultSpec::Kind::kAbort);
  abort.status = 502;
  abort.path_prefix = "/live/show/";
  f.Set({abort});
  EXPECT_EQ(f.Decide("segment", "/live/show/v/1.m4s").abort_status, 502);
  EXPECT_FALSE(f.Decide("segment", "/live/other/v/1.m4s").any());
  EXPECT_FALSE(f.Decide("manifest", "/live/show/manifest.mpd").any());
  f.Set({Rule("*", FaultSpec::Kind::kReset)});
  EXPECT_TRUE(f.Decide("anything", "/x").reset);
  f.Set({});
  EXPECT_FALSE(f.active());
}

TEST(Faults, ADelayAndAnAbortMayBothApplyOneOfEachAtMost) {
  SimulatedClock clock(0);
  Faults f(&clock, 1);
  FaultSpec second_delay = Rule("*", FaultSpec::Kind::kDelay);
  second_delay.delay_ms = 900;
  f.Set({Rule("*", FaultSpec::Kind::kDelay), second_delay, Rule("*", FaultSpec::Kind::kAbort),
         Rule("*", FaultSpec::Kind::kReset)});
  const Faults::Decision d = f.Decide("r", "/");
  EXPECT_EQ(d.delay_ms, 100);
  EXPECT_EQ(d.abort_status, 503);
  EXPECT_FALSE(d.reset);
}

TEST(Faults, ShareCountAndTimeBoundARule) {
  SimulatedClock clock(0);
  Faults f(&clock, 42);
  FaultSpec half = Rule("r", FaultSpec::Kind::kAbort);
  half.share = 0.25;
  f.Set({half});
  int hit = 0;
  for (int k = 0; k < 4000; ++k) hit += f.Decide("r", "/").any() ? 1 : 0;
  EXPECT_GT(hit, 850);
  EXPECT_LT(hit, 1150);

  FaultSpec three = Rule("r", FaultSpec::Kind::kAbort);
  three.count = 3;
  f.Set({three});
  int n = 0;
  for (int k = 0; k < 10; ++k) n += f.Decide("r", "/").any() ? 1 : 0;
  EXPECT_EQ(n, 3);
  EXPECT_FALSE(f.active()) << "a rule used up leaves";

  FaultSpec timed = Rule("r", FaultSpec::Kind::kAbort);
  timed.seconds = 30;
  f.Set({timed});
  clock.Advance(std::chrono::seconds(10));
  ASSERT_EQ(f.Rules().size(), 1u);
  EXPECT_EQ(f.Rules()[0].seconds, 20);  // what is left of it
  EXPECT_TRUE(f.Decide("r", "/").any());
  clock.Advance(std::chrono::seconds(20));
  EXPECT_FALSE(f.Decide("r", "/").any());
  EXPECT_TRUE(f.Rules().empty());
}

}  // namespace
}  // namespace onair::service
