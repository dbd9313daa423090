#include "loadgen/scenario.h"

#include <gtest/gtest.h>

namespace onair::loadgen {
namespace {

constexpr int64_t kS = 1'000'000;

TEST(Scenario, ReadsSettingsAndPhases) {
  auto s = ParseScenario(R"(# a rehearsal
target http://127.0.0.1:8082
event  final   # the match
peak 5000
max-rate 3000
ramp to=50% over=60 steps=5 spread=5s
hold for=1m
outage for=30s
ramp to=100% over=1s
hold for=500ms
)");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->target, "http://127.0.0.1:8082");
  EXPECT_EQ(s->event, "final");
  EXPECT_EQ(s->peak, 5000);
  EXPECT_EQ(s->max_rate, 3000);
  ASSERT_EQ(s->phases.size(), 5u);
  EXPECT_EQ(s->phases[0].kind, Phase::kRamp);
  EXPECT_DOUBLE_EQ(s->phases[0].to_share, 0.5);
  EXPECT_EQ(s->phases[0].steps, 5);
  EXPECT_EQ(s->phases[0].spread_us, 5 * kS);
  EXPECT_EQ(s->phases[0].line, 6);
  EXPECT_EQ(s->phases[1].length_us, 60 * kS);
  EXPECT_EQ(s->phases[2].kind, Phase::kOutage);
  EXPECT_EQ(s->phases[4].length_us, 500'000);
  EXPECT_EQ(s->duration_us(), 60 * kS + 60 * kS + 30 * kS + kS + 500'000);
  EXPECT_TRUE(Validate(&*s).ok());
  EXPECT_EQ(s->max_sessions, 20'000);  // 4 x peak when not given
}

TEST(Scenario, ANamedProfileNeedsADuration) {
  auto s = ParseScenario("profile flash-crowd\nduration 120\npeak 10\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->profile, "flash-crowd");
  EXPECT_EQ(s->duration_us(), 120 * kS);
  auto no = ParseScenario("profile flash-crowd\n");
  ASSERT_FALSE(no.ok());
  EXPECT_NE(no.status().message().find("line 1, duration"), std::string::npos);
}

TEST(Scenario, ErrorsNameTheLineAndTheField) {
  struct Case {
    const char* text;
    const char* says;
  };
  const Case cases[] = {
      {"peak lots\n", "line 1, peak"},
      {"\n\nramp to=150% over=10\n", "line 3, to"},
      {"ramp to=50%\n", "line 1, over"},
      {"hold for=10 steps=3\n", "line 1, steps"},
      {"hold for=10x\n", "line 1, for"},
      {"hold 10\n", "line 1, 10"},
      {"colour blue\n", "line 1, colour"},
      {"peak 1 2\n", "line 1, peak"},
      {"profile sunrise\nduration 60\n", "line 1, profile"},
      {"profile hold\nduration 60\nhold for=5\n", "line 1, profile"},
      {"duration 1e400\n", "line 1, duration"},
  };
  for (const Case& c : cases) {
    auto s = ParseScenario(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.status().message().find(c.says), std::string::npos)
        << c.text << " -> " << s.status().message();
  }
}

TEST(Scenario, ValidateRefusesWhatIsMissingOrPastItsBounds) {
  Scenario s;
  EXPECT_FALSE(Validate(&s).ok());
  s.target = "http://127.0.0.1:1";
  s.event = "e";
  s.peak = 10;
  EXPECT_NE(Validate(&s).message().find("no profile"), std::string::npos);
  s.phases = *NamedProfile("hold", 48LL * 3600 * kS, 0);
  EXPECT_NE(Validate(&s).message().find("max-duration"), std::string::npos);
}

TEST(Scenario, NamedProfilesLastTheirDuration) {
  for (const std::string& name : ProfileNames()) {
    auto phases = NamedProfile(name, 120 * kS, 0);
    ASSERT_TRUE(phases.ok()) << name;
    int64_t total = 0;
    for (const Phase& p : *phases) total += p.length_us;
    EXPECT_EQ(total, 120 * kS) << name;
  }
  EXPECT_FALSE(NamedProfile("retry-storm", 10 * kS, 30 * kS).ok());  // the outage does not fit
}

TEST(Scenario, Durations) {
  EXPECT_EQ(*ParseDuration("90"), 90 * kS);
  EXPECT_EQ(*ParseDuration("1.5"), 1'500'000);
  EXPECT_EQ(*ParseDuration("250ms"), 250'000);
  EXPECT_EQ(*ParseDuration("2m"), 120 * kS);
  EXPECT_EQ(*ParseDuration("1h"), 3600 * kS);
  for (const char* bad : {"", "s", "-1", "1d", "1.2.3", "9999h"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace onair::loadgen
