// The manifests devices get, compared with golden files (testdata/playback/), and every MPD
// valid against the DASH schema. ONAIR_UPDATE_GOLDEN=1 rewrites the files (review the diff).
#include "playback/answer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/dash_schema.h"

namespace onair::playback {
namespace {

CatalogEvent Event() {
  CatalogEvent ev;
  EventConfig& c = ev.config;
  c.event = "final";
  c.ast = 1'795'000'000'000'000;  // 2026-11-18T...
  c.segment_us = 2'000'000;
  c.chunk_us = 500'000;
  c.frame_rate = {50, 1};
  c.window_us = 60'000'000;
  auto rung = [](const char* name, VideoCodec codec, int w, int h, int64_t bitrate) {
    RenditionConfig r;
    r.name = name;
    r.codec = codec;
    r.width = w;
    r.height = h;
    r.bitrate = bitrate;
    return r;
  };
  c.ladder = {rung("2160p-hevc", VideoCodec::kH265, 3840, 2160, 16'000'000),
              rung("1080p-hevc", VideoCodec::kH265, 1920, 1080, 6'000'000),
              rung("1080p", VideoCodec::kH264, 1920, 1080, 7'800'000),
              rung("720p", VideoCodec::kH264, 1280, 720, 4'500'000),
              rung("360p", VideoCodec::kH264, 640, 360, 1'000'000)};
  const char* codecs[] = {"hvc1.2.4.L153.B0", "hvc1.2.4.L123.B0", "avc1.640028", "avc1.64001F",
                          "avc1.64001E"};
  for (size_t k = 0; k < c.ladder.size(); ++k) {
    ev.tracks.push_back(media::TrackOf(c, &c.ladder[k], codecs[k]));
  }
  ev.tracks.push_back(media::TrackOf(c, nullptr, "mp4a.40.2"));
  return ev;
}

Device Parsed(const std::string& json) {
  auto d = ParseDevice(json);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : Device{};
}

std::string Golden(const std::string& name, const std::string& text) {
  const std::string path = std::string(ONAIR_TESTDATA) + "/playback/" + name;
  if (std::getenv("ONAIR_UPDATE_GOLDEN")) std::ofstream(path) << text;
  std::ostringstream o;
  o << std::ifstream(path).rdbuf();
  return o.str();
}

TEST(ManifestFor, GoldenAnswersForDeviceProfiles) {
  const CatalogEvent ev = Event();
  const std::vector<EdgeEntry> edges = {
      {"edge-par-1", "http://edge-par-1.example", "eu", 0, 0},
      {"edge-ams-2", "http://edge-ams-2.example:8081", "eu", 0, 0},
      {"edge-any", "http://edge.example/cdn", "", 0, 0}};
  const std::vector<const EdgeEntry*> ranked = {&edges[0], &edges[1], &edges[2]};
  QualityLevers levers;
  levers.by_type = {{"phone", {720, 0}}};
  const AnswerOptions options{"https://play.example", 0};
  const UtcMicros now = ev.config.ast + 3'600'000'000;
  const std::pair<const char*, const char*> profiles[] = {
      {"tv-4k-hevc.mpd",
       R"({"device_id": "tv-1", "device_type": "tv", "codecs": ["avc", "hevc"],
           "max_width": 3840, "max_height": 2160, "hdr": true, "drm": ["widevine"],
           "region": "eu"})"},
      {"phone-avc.mpd",  // the operator caps phones at 720p
       R"({"device_id": "ph-1", "device_type": "phone", "codecs": ["avc1"],
           "max_width": 2400, "max_height": 1080, "region": "eu"})"},
      {"stb-3mbps.mpd",  // nothing fits its bitrate: the lowest rung of its codec
       R"({"device_id": "stb-1", "device_type": "stb", "codecs": ["hevc"],
           "max_bitrate": 3000000})"},
      {"browser-hls.m3u8",
       R"({"device_id": "web-1", "device_type": "browser", "codecs": ["avc"],
           "max_height": 1080, "region": "eu", "format": "hls"})"},
  };
  for (const auto& [name, body] : profiles) {
    const Device d = Parsed(body);
    const auto rungs = SelectRenditions(ev.config, d, levers);
    const std::string text = ManifestFor(ev, d, rungs, ranked, options, now);
    EXPECT_EQ(text, Golden(name, text)) << name;
    if (d.format == Format::kDash) {
      EXPECT_EQ(test::MpdSchemaErrors(text), "") << name;
    }
  }
}

}  // namespace
}  // namespace onair::playback
