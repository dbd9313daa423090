#include "metrics/unique.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace onair::metrics {
namespace {

std::string Session(int i) { return "session-" + std::to_string(i); }

TEST(UniqueCount, ExactWhileSmallAndRepeatsCountOnce) {
  UniqueCount u;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 500; ++i) u.Add(Session(i));
  }
  EXPECT_TRUE(u.exact());
  EXPECT_EQ(u.Estimate(), 500u);
  EXPECT_EQ(UniqueCount().Estimate(), 0u);
}

TEST(UniqueCount, WithinTwoPercentAtAMillion) {
  UniqueCount u;
  for (int i = 0; i < 1'000'000; ++i) u.Add(Session(i));
  EXPECT_FALSE(u.exact());
  EXPECT_NEAR(static_cast<double>(u.Estimate()), 1e6, 2e4);  // 0.81 % standard error
}

TEST(UniqueCount, AcrossTheSwitchFromExactToSketch) {
  for (int n : {2000, 2049, 3000, 10'000, 50'000}) {
    UniqueCount u;
    for (int i = 0; i < n; ++i) u.Add(Session(i));
    EXPECT_NEAR(static_cast<double>(u.Estimate()), n, n * 0.025 + 1) << n;
  }
}

TEST(UniqueCount, MergedPartsCountTheUnionAsOneWould) {
  // Three collectors; viewers move between them, so their sets overlap.
  for (int n : {1500, 200'000}) {
    UniqueCount whole, parts[3];
    for (int i = 0; i < n; ++i) {
      whole.Add(Session(i));
      parts[i % 3].Add(Session(i));
      parts[(i + 1) % 3].Add(Session(i));
    }
    UniqueCount merged;
    for (const UniqueCount& p : parts) merged.Merge(p);
    EXPECT_EQ(merged.Estimate(), whole.Estimate()) << n;
    EXPECT_EQ(merged.Encode(), whole.Encode()) << n;
  }
}

TEST(UniqueCount, EncodesAndDecodesBothForms) {
  for (int n : {0, 7, 5000}) {
    UniqueCount u;
    for (int i = 0; i < n; ++i) u.Add(Session(i));
    auto back = UniqueCount::Decode(u.Encode());
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->Estimate(), u.Estimate());
    EXPECT_EQ(back->Encode(), u.Encode());
    UniqueCount copy = *back;
    EXPECT_EQ(copy.Estimate(), u.Estimate());
  }
}

TEST(UniqueCount, DecodeRefusesWhatEncodeWouldNotWrite) {
  UniqueCount u;
  u.Add("a");
  u.Add("b");
  const std::string good = u.Encode();
  EXPECT_FALSE(UniqueCount::Decode("").ok());
  EXPECT_FALSE(UniqueCount::Decode("U\x01\x02").ok());         // unknown mode
  EXPECT_FALSE(UniqueCount::Decode(good.substr(0, 10)).ok());  // a hash cut short
  std::string swapped = good.substr(0, 3) + good.substr(11, 8) + good.substr(3, 8);
  EXPECT_FALSE(UniqueCount::Decode(swapped).ok()) << "not sorted";
  std::string sketch = "U\x01\x01" + std::string(UniqueCount::kRegisters, '\x01');
  EXPECT_TRUE(UniqueCount::Decode(sketch).ok());
  sketch.back() = 60;
  EXPECT_FALSE(UniqueCount::Decode(sketch).ok()) << "a register past 64 − p + 1";
  EXPECT_FALSE(UniqueCount::Decode(sketch.substr(0, 100)).ok());
}

}  // namespace
}  // namespace onair::metrics
