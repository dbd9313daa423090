#include "contract/qoe.h"

#include <gtest/gtest.h>

namespace onair::contract {
namespace {

TEST(ParseQoeBatch, ReadsABatchAndCountsUnknownTypesAsOther) {
  auto b = ParseQoeBatch(R"({"v": 1, "session": "s1", "event": "final",
    "device": {"type": "tv", "region": "eu"}, "events": [
    {"type": "start", "t": "2026-11-23T10:00:00.123Z", "ttff_ms": 812, "edge": "edge-a"},
    {"type": "rebuffer", "t": "2026-11-23T10:00:05Z", "duration_ms": 400},
    {"type": "thumbnail-seen", "t": "2026-11-23T10:00:06Z", "future": {"a": [1]}},
    {"t": "2026-11-23T10:00:07Z", "played_ms": 5, "type": "heartbeat", "played_ms": 7}]})");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->session, "s1");
  EXPECT_EQ(b->device_type, "tv");
  ASSERT_EQ(b->events.size(), 4u);
  EXPECT_EQ(b->events[0].type, QoeType::kStart);
  EXPECT_DOUBLE_EQ(b->events[0].ttff_ms, 812);
  EXPECT_EQ(b->events[1].duration_ms, 400);
  EXPECT_EQ(b->events[2].type, QoeType::kOther);
  EXPECT_EQ(b->events[0].edge, "edge-a");
  // Members in any order; unknown ones ignored; a repeated one: the last wins.
  EXPECT_EQ(b->events[3].type, QoeType::kHeartbeat);
  EXPECT_EQ(b->events[3].played_ms, 7);
  EXPECT_EQ(b->events[0].at_us % 1'000'000, 123'000);
}

TEST(ParseQoeBatch, RefusesWithTheFieldNamed) {
  const std::pair<const char*, const char*> bad[] = {
      {"[]", "object"},
      {R"({"event": "e", "events": []})", "session"},
      {R"({"session": "s", "event": "../x", "events": []})", "event"},
      {R"({"session": "s", "event": "e"})", "events"},
      {R"({"session": "s", "event": "e", "events": [{"type": "start"}]})", "events[].t"},
      {R"({"session": "s", "event": "e", "events": [{"t": "2026-11-23T10:00:00Z"}]})",
       "events[].type"},
      {R"({"session": "s", "event": "e", "events": [{"type": "start", "t": "yesterday"}]})",
       "events[].t"},
      {R"({"session": "s", "event": "e", "events": [{"type": "rebuffer",
          "t": "2026-11-23T10:00:00Z", "duration_ms": -4}]})",
       "duration_ms"},
      {R"({"v": 2, "session": "s", "event": "e", "events": []})", "v"},
      {R"({"session": "s", "event": "e", "events": [{"type": "error",
          "t": "2026-11-23T10:00:00Z", "fatal": "yes"}]})",
       "events[].fatal"},
      {R"({"session": "s", "event": "e", "events": [{"type": "heartbeat",
          "t": "2026-11-23T10:00:00Z", "played_ms": 1.5}]})",
       "events[].played_ms"},
      {R"({"session": "s", "event": "e", "events": [{"type": "heartbeat",
          "t": "2026-11-23T10:00:00Z", "rendition": "7 2 0"}]})",
       "events[].rendition"},
  };
  for (const auto& [body, field] : bad) {
    auto b = ParseQoeBatch(body);
    ASSERT_FALSE(b.ok()) << body;
    EXPECT_NE(b.status().message().find(field), std::string::npos) << b.status().message();
  }
  std::string many = R"({"session": "s", "event": "e", "events": [)";
  for (int i = 0; i < 1001; ++i)
    many += std::string(i ? "," : "") + R"({"type":"end","t":"2026-11-23T10:00:00Z"})";
  EXPECT_FALSE(ParseQoeBatch(many + "]}").ok());
}

TEST(QoeCodecFamily, NamesTheFamilyOfAnRfc6381String) {
  EXPECT_EQ(QoeCodecFamily("avc1.64001f"), "avc");
  EXPECT_EQ(QoeCodecFamily("avc3.42c01e"), "avc");
  EXPECT_EQ(QoeCodecFamily("hvc1.1.6.L93.B0"), "hevc");
  EXPECT_EQ(QoeCodecFamily("hev1.2.4.L120"), "hevc");
  EXPECT_EQ(QoeCodecFamily("av01.0.08M.08"), "av1");
  EXPECT_EQ(QoeCodecFamily("mp4a.40.2"), "aac");
  EXPECT_EQ(QoeCodecFamily("vp09.00.10.08"), "vp09");
  EXPECT_EQ(QoeCodecFamily(""), "");
}

}  // namespace
}  // namespace onair::contract
