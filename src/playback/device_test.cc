#include "playback/device.h"

#include <gtest/gtest.h>

namespace onair::playback {
namespace {

TEST(ParseDevice, ReadsAFullDescription) {
  auto d = ParseDevice(R"({"device_id": "tv-42", "device_type": "tv", "codecs": ["AVC", "hevc",
      "av1"], "max_width": 3840, "max_height": 2160, "max_bitrate": 20000000, "hdr": true,
      "drm": ["widevine"], "region": "eu-west", "format": "hls", "future_field": 1})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->id, "tv-42");
  EXPECT_EQ(d->type, "tv");
  EXPECT_TRUE(d->avc);
  EXPECT_TRUE(d->hevc);
  EXPECT_EQ(d->max_width, 3840);
  EXPECT_EQ(d->max_height, 2160);
  EXPECT_EQ(d->max_bitrate, 20'000'000);
  EXPECT_TRUE(d->hdr);
  EXPECT_EQ(d->drm, std::vector<std::string>{"widevine"});
  EXPECT_EQ(d->region, "eu-west");
  EXPECT_EQ(d->format, Format::kHls);
}

TEST(ParseDevice, DefaultsForWhatIsLeftOut) {
  auto d = ParseDevice(R"({"device_id": "p", "codecs": ["h264"]})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->type, "other");
  EXPECT_TRUE(d->avc);
  EXPECT_FALSE(d->hevc);
  EXPECT_EQ(d->max_height, 0);  // no limit said
  EXPECT_EQ(d->format, Format::kDash);
}

// Read in one pass without building a document: unknown fields of any shape are skipped, and
// the last of repeated keys wins (as in a parsed document).
TEST(ParseDevice, SkipsUnknownFieldsOfAnyShapeAndTakesTheLastOfRepeatedKeys) {
  auto d = ParseDevice(R"({"a": null, "b": 1.5, "c": {"codecs": ["hevc"], "x": [[], {}]},
      "device_id": "first", "d": [1, "two", {"three": [3]}], "codecs": ["hevc"],
      "device_id": "last", "codecs": ["avc"], "max_height": 720, "e": -7, "f": true})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->id, "last");
  EXPECT_TRUE(d->avc);
  EXPECT_FALSE(d->hevc);
  EXPECT_EQ(d->max_height, 720);
  for (const char* bad : {R"({"device_id": "d", "codecs": [["avc"]]})",
                          R"({"device_id": "d", "codecs": [{"avc": 1}]})",
                          R"({"device_id": "d", "codecs": ["avc", null]})",
                          R"({"device_id": {"id": "d"}, "codecs": ["avc"]})"}) {
    EXPECT_FALSE(ParseDevice(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseDevice(R"({"device_id": "d", "codecs": ["avc"]} trailing)").ok());
  EXPECT_EQ(ParseDevice("42").status().message(), "device description: not a JSON object");
}

TEST(ParseDevice, RefusesWhatIsMalformedOrAbsurdNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not JSON"},
      {"{", "not JSON"},
      {"[1, 2]", "not a JSON object"},
      {R"({"codecs": ["avc"]})", "device_id"},
      {R"({"device_id": 7, "codecs": ["avc"]})", "device_id"},
      {R"({"device_id": "", "codecs": ["avc"]})", "device_id"},
      {R"({"device_id": "a b", "codecs": ["avc"]})", "device_id"},
      {R"({"device_id": "d"})", "codecs"},
      {R"({"device_id": "d", "codecs": "avc"})", "codecs"},
      {R"({"device_id": "d", "codecs": [1]})", "codecs"},
      {R"({"device_id": "d", "codecs": ["avc"], "device_type": "toaster"})", "device_type"},
      {R"({"device_id": "d", "codecs": ["avc"], "max_height": 100000})", "max_height"},
      {R"({"device_id": "d", "codecs": ["avc"], "max_width": -1})", "max_width"},
      {R"({"device_id": "d", "codecs": ["avc"], "max_width": 1.5})", "max_width"},
      {R"({"device_id": "d", "codecs": ["avc"], "max_bitrate": 1000000000000})", "max_bitrate"},
      {R"({"device_id": "d", "codecs": ["avc"], "max_bitrate": 18446744073709551615})",
       "max_bitrate"},
      {R"({"device_id": "d", "codecs": ["avc"], "hdr": "yes"})", "hdr"},
      {R"({"device_id": "d", "codecs": ["avc"], "drm": ["snakeoil"]})", "drm"},
      {R"({"device_id": "d", "codecs": ["avc"], "region": "../etc"})", "region"},
      {R"({"device_id": "d", "codecs": ["avc"], "format": "smooth"})", "format"},
  };
  for (const auto& [body, field] : cases) {
    auto d = ParseDevice(body);
    ASSERT_FALSE(d.ok()) << body;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(d.status().message().find(field), std::string::npos)
        << body << " -> " << d.status().message();
  }
  const std::string huge = R"({"device_id": "d", "codecs": ["avc"], "pad": ")" +
                           std::string(kMaxDeviceBody, 'x') + "\"}";
  EXPECT_FALSE(ParseDevice(huge).ok());
}

EventConfig Ladder() {
  EventConfig e;
  auto rung = [](const char* name, VideoCodec c, int w, int h, int64_t bitrate) {
    RenditionConfig r;
    r.name = name;
    r.codec = c;
    r.width = w;
    r.height = h;
    r.bitrate = bitrate;
    return r;
  };
  e.ladder = {rung("2160h", VideoCodec::kH265, 3840, 2160, 12'000'000),
              rung("1080", VideoCodec::kH264, 1920, 1080, 6'000'000),
              rung("720", VideoCodec::kH264, 1280, 720, 3'000'000),
              rung("1080h", VideoCodec::kH265, 1920, 1080, 4'000'000),
              rung("360", VideoCodec::kH264, 640, 360, 800'000)};
  return e;
}

std::vector<std::string> Names(const std::vector<const RenditionConfig*>& v) {
  std::vector<std::string> out;
  for (const auto* r : v) out.push_back(r->name);
  return out;
}

Device Dev(bool avc, bool hevc, int max_height = 0, int64_t max_bitrate = 0) {
  Device d;
  d.id = "d";
  d.type = "phone";
  d.avc = avc;
  d.hevc = hevc;
  d.max_height = max_height;
  d.max_bitrate = max_bitrate;
  return d;
}

TEST(SelectRenditions, ByCodecScreenAndBitrateTopFirst) {
  const EventConfig e = Ladder();
  using V = std::vector<std::string>;
  EXPECT_EQ(Names(SelectRenditions(e, Dev(true, false), {})), (V{"1080", "720", "360"}));
  EXPECT_EQ(Names(SelectRenditions(e, Dev(true, true), {})),
            (V{"2160h", "1080", "1080h", "720", "360"}));
  EXPECT_EQ(Names(SelectRenditions(e, Dev(true, true, 1080), {})),
            (V{"1080", "1080h", "720", "360"}));
  EXPECT_EQ(Names(SelectRenditions(e, Dev(true, false, 0, 3'000'000), {})), (V{"720", "360"}));
  EXPECT_TRUE(SelectRenditions(e, Dev(false, false), {}).empty());  // decodes nothing here
}

TEST(SelectRenditions, TheOperatorsCapsForAllAndByDeviceType) {
  const EventConfig e = Ladder();
  using V = std::vector<std::string>;
  QualityLevers all;
  all.all.max_height = 720;
  EXPECT_EQ(Names(SelectRenditions(e, Dev(true, true), all)), (V{"720", "360"}));
  QualityLevers phones;
  phones.by_type = {{"phone", {0, 1'000'000}}, {"tv", {360, 0}}};
  EXPECT_EQ(Names(SelectRenditions(e, Dev(true, true), phones)), (V{"360"}));
  Device tv = Dev(true, true);
  tv.type = "tv";
  EXPECT_EQ(Names(SelectRenditions(e, tv, phones)), (V{"360"}));
  tv.type = "desktop";
  EXPECT_EQ(SelectRenditions(e, tv, phones).size(), 5u);
}

TEST(SelectRenditions, CapsThatLeaveNothingGiveTheLowestRungOfItsCodecs) {
  const EventConfig e = Ladder();
  EXPECT_EQ(Names(SelectRenditions(e, Dev(true, false, 200), {})), std::vector<std::string>{"360"});
  EXPECT_EQ(Names(SelectRenditions(e, Dev(false, true, 0, 100'000), {})),
            std::vector<std::string>{"1080h"});
}

}  // namespace
}  // namespace onair::playback
