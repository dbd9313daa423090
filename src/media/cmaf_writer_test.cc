#include "media/cmaf_writer.h"

#include <gtest/gtest.h>

#include "core/epoch.h"
#include "media/test_pattern.h"

namespace onair::media {
namespace {

bool Contains(const std::string& bytes, const char* fourcc) {
  return bytes.find(fourcc) != std::string::npos;
}

// Encodes real frames of the test pattern and packages them: init, then one fragment per
// flush, with tfdt at the epoch-scale timestamp of the first frame and a prft.
TEST(CmafWriter, InitThenFragmentsAtEpochTimestamps) {
  RenditionConfig r;
  r.name = "v";
  r.width = 160;
  r.height = 96;
  r.bitrate = 200000;
  r.preset = "ultrafast";
  const Rational fps{25, 1};
  auto enc = Encoder::CreateVideo(r, fps, 90000, 100, 1);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  const UtcMicros ast = 1767225600LL * 1000000;
  auto w = CmafWriter::Create(**enc, ast);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const std::string& init = (*w)->init_segment();
  EXPECT_EQ(init.substr(4, 4), "ftyp");
  EXPECT_TRUE(Contains(init, "moov"));
  EXPECT_TRUE(Contains(init, "avcC"));
  EXPECT_TRUE(Contains(init, "cmfc"));
  EXPECT_EQ((*w)->codec_string().rfind("avc1.", 0), 0u) << (*w)->codec_string();

  TestPattern pattern({160, 96, fps});
  const FrameGrid grid = FrameGrid::ForFrameRate(fps);
  const int64_t first = 1'000'000'000;  // 40 million seconds after AST
  std::vector<Packet> packets;
  for (int64_t i = first; i < first + 30; ++i) {
    Frame f = pattern.Picture(i, ast + grid.MediaMicros(i));
    f.set_pts(grid.Ticks(i, 90000));
    ASSERT_TRUE((*enc)->Send(f, i == first).ok());
    ASSERT_TRUE((*enc)->Receive(&packets).ok());
  }
  ASSERT_TRUE((*enc)->SendEndOfStream().ok());
  ASSERT_TRUE((*enc)->Receive(&packets).ok());
  ASSERT_EQ(packets.size(), 30u);
  EXPECT_TRUE(packets.front().keyframe());
  for (size_t k = 0; k < 15; ++k) ASSERT_TRUE((*w)->Write(packets[k]).ok());
  auto c1 = (*w)->Flush();
  ASSERT_TRUE(c1.ok());
  for (size_t k = 15; k < 30; ++k) ASSERT_TRUE((*w)->Write(packets[k]).ok());
  auto c2 = (*w)->Flush();
  ASSERT_TRUE(c2.ok());
  for (const std::string* c : {&*c1, &*c2}) {
    EXPECT_EQ(c->substr(4, 4), "prft");
    EXPECT_TRUE(Contains(*c, "moof"));
    EXPECT_TRUE(Contains(*c, "mdat"));
    EXPECT_TRUE(Contains(*c, "tfdt"));
  }
  // tfdt (version 1, 64-bit) of the first fragment is the first frame's time.
  const size_t t = c1->find("tfdt");
  uint64_t tfdt = 0;
  for (int k = 0; k < 8; ++k) tfdt = (tfdt << 8) | static_cast<uint8_t>((*c1)[t + 8 + k]);
  EXPECT_EQ(tfdt, static_cast<uint64_t>(grid.Ticks(first, 90000)));
  auto empty = (*w)->Flush();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(CodecStringFromInit, UnknownBytesGiveEmpty) {
  EXPECT_EQ(CodecStringFromInit(""), "");
  EXPECT_EQ(CodecStringFromInit(std::string("\x00\x00\x00\x04moov", 8)), "");
  EXPECT_EQ(CodecStringFromInit(std::string(100, '\xff')), "");
}

}  // namespace
}  // namespace onair::media
