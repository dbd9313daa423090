#include "origin/segment_check.h"

#include <gtest/gtest.h>

namespace onair::origin {
namespace {

std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string MakeBox(const std::string& type, const std::string& payload) {
  return Be32(static_cast<uint32_t>(8 + payload.size())) + type + payload;
}

std::string Tfdt(uint32_t t) { return MakeBox("tfdt", std::string(4, '\0') + Be32(t)); }

std::string Fragment(uint32_t tfdt) {
  const std::string tfhd = MakeBox("tfhd", std::string(4, '\0') + Be32(1));
  return MakeBox("moof",
                 MakeBox("mfhd", std::string(8, '\0')) + MakeBox("traf", tfhd + Tfdt(tfdt))) +
         MakeBox("mdat", "xxxx");
}

TEST(SegmentCheck, AWellFormedSegmentAtItsBoundaryPasses) {
  // Segment 5 of 2 s at 90 kHz starts at 900000 ticks.
  const std::string seg = MakeBox("styp", "cmfs") + Fragment(900000) + Fragment(945000);
  EXPECT_TRUE(CheckMediaSegment(seg, 90000, 5, 2'000'000).empty());
  // Unknown timescale: structure only.
  EXPECT_TRUE(CheckMediaSegment(seg, 0, 5, 2'000'000).empty());
}

TEST(SegmentCheck, AnotherSegmentsMediaIsWrongTime) {
  const std::string seg = Fragment(900000);
  EXPECT_EQ(CheckMediaSegment(seg, 90000, 6, 2'000'000), std::vector<std::string>{"wrong-time"});
}

TEST(SegmentCheck, BrokenStructureIsCorrupt) {
  const std::vector<std::string> corrupt = {"corrupt"};
  const std::string seg = Fragment(900000);
  EXPECT_EQ(CheckMediaSegment(seg.substr(0, seg.size() - 3), 90000, 5, 2'000'000), corrupt);
  EXPECT_EQ(CheckMediaSegment("", 90000, 5, 2'000'000), corrupt);
  EXPECT_EQ(CheckMediaSegment(std::string(100, 'x'), 90000, 5, 2'000'000), corrupt);
  EXPECT_EQ(CheckMediaSegment(MakeBox("mdat", "x"), 90000, 5, 2'000'000), corrupt);
  EXPECT_EQ(CheckMediaSegment(MakeBox("moov", "") + seg, 90000, 5, 2'000'000), corrupt);
}

TEST(SegmentCheck, InitGivesTheTimescale) {
  std::string mdhd =
      std::string(4, '\0') + std::string(8, '\0') + Be32(48000) + Be32(0) + std::string(4, '\0');
  const std::string init = MakeBox("ftyp", "iso6") +
                           MakeBox("moov", MakeBox("trak", MakeBox("mdia", MakeBox("mdhd", mdhd))));
  InitInfo info = CheckInit(init);
  EXPECT_TRUE(info.valid) << info.problem;
  EXPECT_EQ(info.timescale, 48000u);
  EXPECT_FALSE(CheckInit(init.substr(0, 20)).valid);
  EXPECT_FALSE(CheckInit(MakeBox("moov", "")).valid);
}

}  // namespace
}  // namespace onair::origin
