#include "core/event_config.h"

#include <gtest/gtest.h>

namespace onair {
namespace {

TEST(EventConfig, ParsesALadder) {
  auto c = ParseEventConfig(R"({
    "event": "final", "ast": "2026-11-23T10:00:00Z", "segment_duration": 2,
    "chunk_duration": 0.5, "frame_rate": "29.97",
    "ladder": [
      {"name": "720p", "width": 1280, "height": 720, "bitrate": 3000000},
      {"name": "360p", "codec": "h265", "width": 640, "height": 360, "bitrate": 600000,
       "rate_control": "capped_vbr", "crf": 26, "scale_from": "above"}
    ]})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->event, "final");
  EXPECT_EQ(c->segment_us, 2'000'000);
  EXPECT_EQ(c->chunk_us, 500'000);
  EXPECT_EQ(c->frame_rate, (Rational{30000, 1001}));
  ASSERT_EQ(c->ladder.size(), 2u);
  EXPECT_EQ(c->ladder[1].codec, VideoCodec::kH265);
  EXPECT_EQ(c->ladder[1].rate_control, RateControl::kCappedVbr);
  EXPECT_TRUE(c->ladder[1].scale_from_above);
}

TEST(EventConfig, RoundTripsThroughJson) {
  auto c = ParseEventConfig(R"({
    "event": "final", "ast": "2026-11-23T10:00:00.250Z", "segment_duration": 2,
    "chunk_duration": 0.5, "frame_rate": "29.97", "window": 30, "preferred_pipeline": "B",
    "audio": {"bitrate": 96000},
    "ladder": [
      {"name": "720p", "width": 1280, "height": 720, "bitrate": 3000000, "tune": "zerolatency"},
      {"name": "360p", "codec": "h265", "width": 640, "height": 360, "bitrate": 600000,
       "rate_control": "capped_vbr", "crf": 26, "scale_from": "above"}
    ]})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->window_us, 30'000'000);
  EXPECT_EQ(c->preferred_pipeline, "B");
  const std::string text = EventConfigToJson(*c);
  auto again = ParseEventConfig(text);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << text;
  EXPECT_EQ(EventConfigToJson(*again), text);
  EXPECT_EQ(again->ast, c->ast);
  EXPECT_EQ(again->frame_rate, c->frame_rate);
  EXPECT_EQ(again->ladder[0].tune, "zerolatency");
}

TEST(EventConfig, RejectsBadInputWithAClearMessage) {
  struct Case {
    const char* json;
    const char* expect;
  } cases[] = {
      {"{", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"ladder": []})", "at least one rendition"},
      {R"({"ladder": [{"name": "../x", "width": 64, "height": 64, "bitrate": 100000}]})",
       "rendition name"},
      {R"({"ladder": [{"name": "a", "width": 63, "height": 64, "bitrate": 100000}]})", "even"},
      {R"({"ladder": [{"name": "a", "codec": "vp9", "width": 64, "height": 64, "bitrate": 100000}]})",
       "codec"},
      {R"({"segment_duration": 0.0005, "ladder": [{"name": "a", "width": 64, "height": 64, "bitrate": 100000}]})",
       "segment_duration"},
      {R"({"colour": 1, "ladder": []})", "unknown event config field"},
      {R"({"ladder": [{"name": "a", "width": "wide", "height": 64, "bitrate": 100000}]})",
       "ladder entry"},
      {R"({"ladder": [{"name": "a", "width": 64, "height": 64, "bitrate": 100000}, {"name": "a", "width": 64, "height": 64, "bitrate": 100000}]})",
       "used twice"},
  };
  for (const Case& c : cases) {
    auto r = ParseEventConfig(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.json << " -> " << r.status().message();
  }
}

TEST(EventConfig, DefaultIsValid) { EXPECT_TRUE(ValidateEventConfig(DefaultEventConfig()).ok()); }

TEST(IsSafeName, RejectsTraversal) {
  EXPECT_TRUE(IsSafeName("720p"));
  EXPECT_FALSE(IsSafeName(".."));
  EXPECT_FALSE(IsSafeName("a/b"));
  EXPECT_FALSE(IsSafeName(""));
  EXPECT_FALSE(IsSafeName("-x"));
}

}  // namespace
}  // namespace onair
