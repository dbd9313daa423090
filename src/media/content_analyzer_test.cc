#include "media/content_analyzer.h"

#include <gtest/gtest.h>

#include <set>

#include "core/epoch.h"
#include "media/test_pattern.h"

namespace onair::media {
namespace {

// Two seconds of the moving pattern, one of black; the tone, then one second of silence.
TEST(ContentAnalyzer, FindsBlackFrozenAndSilent) {
  ContentAnalyzer a({});
  const Rational fps{25, 1};
  TestPattern pattern({160, 90, fps});
  const FrameGrid grid = FrameGrid::ForFrameRate(fps);
  const Frame black = BlackPicture(160, 90);
  for (int64_t i = 0; i < 75; ++i) {
    const Frame f = i < 50 ? pattern.Picture(i, 0) : black;
    ASSERT_TRUE(a.AddPicture(f, grid.MediaMicros(i)).ok());
  }
  for (int64_t k = 0; k < 141; ++k) {  // 3 s of 1024-sample frames
    const int64_t media = k * 1024 * 1000000 / 48000;
    const Frame s = media < 2'000'000 ? pattern.Tone(k * 1024, 1024) : Silence(1024, 48000, 2);
    ASSERT_TRUE(a.AddAudio(s, media).ok());
  }
  auto first = a.Overlapping(0, 1'900'000);
  EXPECT_TRUE(first.empty()) << first.front().kind;
  auto last = a.Overlapping(2'000'000, 3'000'000);
  std::set<std::string> kinds;
  for (const auto& i : last) kinds.insert(i.kind);
  EXPECT_TRUE(kinds.count("black"));
  EXPECT_TRUE(kinds.count("frozen"));
  EXPECT_TRUE(kinds.count("silent"));
  for (const auto& i : last) {
    if (i.kind == "black") {
      EXPECT_EQ(i.start_us, 2'000'000);
    }
  }
}

// The slate and the feed differ in size; a black slate must not stay "black" after it.
TEST(ContentAnalyzer, ASizeChangeEndsTheIntervalsOfTheOldPicture) {
  ContentAnalyzer a({});
  const Rational fps{25, 1};
  TestPattern pattern({320, 180, fps});
  const FrameGrid grid = FrameGrid::ForFrameRate(fps);
  const Frame black = BlackPicture(160, 90);
  for (int64_t i = 0; i < 50; ++i) {
    ASSERT_TRUE(a.AddPicture(i < 25 ? black : pattern.Picture(i, 0), grid.MediaMicros(i)).ok());
  }
  EXPECT_FALSE(a.Overlapping(0, 1'000'000).empty());
  EXPECT_TRUE(a.Overlapping(1'000'000, 2'000'000).empty());
}

TEST(TestPattern, FlashOnTheFirstFrameOfEverySecond) {
  TestPattern p({64, 64, {30000, 1001}});
  EXPECT_TRUE(p.IsFlash(0));
  EXPECT_FALSE(p.IsFlash(1));
  EXPECT_FALSE(p.IsFlash(29));  // 0.967 s
  EXPECT_TRUE(p.IsFlash(30));   // 1.001 s, first at or after 1 s
  EXPECT_FALSE(p.IsFlash(31));
}

}  // namespace
}  // namespace onair::media
