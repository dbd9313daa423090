#include "loadgen/mix.h"

#include <gtest/gtest.h>

#include <map>

namespace onair::loadgen {
namespace {

TEST(Mix, DrawsKindsByWeightTheSameEachRun) {
  auto mix = ParseMix("tv=1,phone=3", "eu,us");
  ASSERT_TRUE(mix.ok());
  std::map<std::string, int> kinds, regions;
  for (uint64_t n = 0; n < 4000; ++n) {
    const player::DeviceProfile d = DrawDevice(*mix, 7, n);
    ++kinds[d.type];
    ++regions[d.region];
    EXPECT_FALSE(d.codecs.empty());
    EXPECT_GT(d.max_width, 0);
    EXPECT_EQ(d.id, DrawDevice(*mix, 7, n).id);
  }
  EXPECT_NEAR(kinds["phone"], 3000, 150);
  EXPECT_NEAR(kinds["tv"], 1000, 150);
  EXPECT_NEAR(regions["eu"], 2000, 150);
  EXPECT_NE(DrawDevice(*mix, 7, 1).id, DrawDevice(*mix, 8, 1).id);
}

TEST(Mix, RefusesWhatItDoesNotKnow) {
  EXPECT_FALSE(ParseMix("toaster=1", "").ok());
  EXPECT_FALSE(ParseMix("tv=x", "").ok());
  EXPECT_FALSE(ParseMix("tv=0", "").ok());
  EXPECT_FALSE(ParseMix("tv=-1", "").ok());
  EXPECT_FALSE(ParseMix("", "eu west").ok());
  EXPECT_TRUE(ParseMix("", "").ok());
}

}  // namespace
}  // namespace onair::loadgen
