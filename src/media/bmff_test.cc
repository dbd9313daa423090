#include "media/bmff.h"

#include <gtest/gtest.h>

namespace onair::media::bmff {
namespace {

std::string Be(uint64_t v, int n) {
  std::string out;
  for (int k = n - 1; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xFF);
  return out;
}

TEST(Bmff, WalksSmallLargeAndToTheEndSizes) {
  const std::string a = Be(12, 4) + "free" + "abcd";
  const std::string b = Be(1, 4) + "mdat" + Be(20, 8) + "wxyz";  // 64-bit size
  const std::string c = Be(0, 4) + "skip" + "tail";              // to the end
  const std::string bytes = a + b + c;
  std::vector<Box> boxes;
  ASSERT_TRUE(Children(bytes, 0, bytes.size(), &boxes));
  ASSERT_EQ(boxes.size(), 3u);
  EXPECT_TRUE(boxes[1].Is("mdat"));
  EXPECT_EQ(boxes[1].payload, a.size() + 16);
  EXPECT_EQ(boxes[1].payload_size(), 4u);
  EXPECT_EQ(boxes[2].end, bytes.size());
  EXPECT_EQ(Find(boxes, "skip"), &boxes[2]);
  EXPECT_EQ(Find(boxes, "moov"), nullptr);
}

TEST(Bmff, ABoxThatDoesNotFitIsRefused) {
  std::vector<Box> boxes;
  const std::string bytes = Be(16, 4) + "free" + "abc";
  EXPECT_FALSE(Children(bytes, 0, bytes.size(), &boxes));
  EXPECT_FALSE(Children(Be(4, 4) + "free", 0, 8, &boxes));
  EXPECT_FALSE(Children(bytes, 0, bytes.size() + 1, &boxes));
}

TEST(Bmff, PathDescendsThroughContainers) {
  const std::string inner = Be(12, 4) + "mdhd" + "1234";
  const std::string moov =
      Be(8 + 8 + inner.size(), 4) + "moov" + Be(8 + inner.size(), 4) + "trak" + inner;
  std::vector<Box> top;
  ASSERT_TRUE(Children(moov, 0, moov.size(), &top));
  auto mdhd = Path(moov, top[0], {"trak", "mdhd"});
  ASSERT_TRUE(mdhd.has_value());
  EXPECT_EQ(moov.substr(mdhd->payload, 4), "1234");
  EXPECT_FALSE(Path(moov, top[0], {"trak", "tkhd"}).has_value());
}

}  // namespace
}  // namespace onair::media::bmff
