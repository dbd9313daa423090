#include "media/manifest.h"

#include <gtest/gtest.h>

#include "support/dash_schema.h"

namespace onair::media {
namespace {

ManifestState TwoTracks(bool live) {
  ManifestState s;
  s.live = live;
  s.ast = 1767225600LL * 1000000;  // 2026-01-01T00:00:00Z
  s.publish_time = s.ast + 100'000'000;
  s.segment_us = 2'000'000;
  s.first_number = 10;
  s.last_number = 11;
  s.time_shift_buffer_us = 4'000'000;
  TrackInfo v;
  v.id = "720p";
  v.codecs = "avc1.64001F";
  v.bandwidth = 3000000;
  v.width = 1280;
  v.height = 720;
  v.fps = {30000, 1001};
  v.timescale = 90000;
  v.segments = {{10, 2'002'000, 1801800, 180180}, {11, 1'968'000, 1981980, 177177}};
  TrackInfo a;
  a.id = "audio";
  a.is_video = false;
  a.codecs = "mp4a.40.2";
  a.bandwidth = 128000;
  a.timescale = 48000;
  a.segments = {{10, 2'005'333, 960512, 96256}, {11, 1'984'000, 1056768, 95232}};
  s.tracks = {v, a};
  return s;
}

// Golden text: the exact MPD a live event of two tracks gets.
TEST(WriteDashMpd, LiveGolden) {
  ManifestState s = TwoTracks(true);
  s.chunk_us = 500'000;
  EXPECT_EQ(WriteDashMpd(s),
            R"(<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019" type="dynamic" availabilityStartTime="2026-01-01T00:00:00Z" publishTime="2026-01-01T00:01:40Z" minimumUpdatePeriod="PT30S" timeShiftBufferDepth="PT4S" suggestedPresentationDelay="PT3S" minBufferTime="PT2S" maxSegmentDuration="PT2S">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">
      <SegmentTemplate timescale="90000" duration="180000" startNumber="0" presentationTimeOffset="0" availabilityTimeOffset="1.500" availabilityTimeComplete="false" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s"/>
      <Representation id="720p" codecs="avc1.64001F" bandwidth="3000000" width="1280" height="720" frameRate="30000/1001" sar="1:1"/>
    </AdaptationSet>
    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1" lang="und">
      <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>
      <SegmentTemplate timescale="48000" duration="96000" startNumber="0" presentationTimeOffset="0" availabilityTimeOffset="1.500" availabilityTimeComplete="false" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s"/>
      <Representation id="audio" codecs="mp4a.40.2" bandwidth="128000" audioSamplingRate="48000"/>
    </AdaptationSet>
  </Period>
</MPD>
)");
}

// What the playback service adds for one device: its edges as BaseURLs with their service
// locations, a target latency, the clock to sync to, and no update period (nothing to poll).
ManifestState Personalised() {
  ManifestState s = TwoTracks(true);
  s.chunk_us = 500'000;
  s.base_urls = {{"https://edge-1.example/live/show/", "edge-1"},
                 {"https://edge-2.example/live/show/?a=1&b=2", "edge-2"}};
  s.target_latency_us = 3'500'000;
  s.utc_timing_url = "https://play.example/v1/time";
  s.minimum_update_period_us = 0;
  return s;
}

TEST(WriteDashMpd, PersonalisedElements) {
  const std::string mpd = WriteDashMpd(Personalised());
  EXPECT_EQ(mpd.find("minimumUpdatePeriod"), std::string::npos) << mpd;
  const std::string head = R"(maxSegmentDuration="PT2S">
  <BaseURL serviceLocation="edge-1">https://edge-1.example/live/show/</BaseURL>
  <BaseURL serviceLocation="edge-2">https://edge-2.example/live/show/?a=1&amp;b=2</BaseURL>
  <ServiceDescription id="0">
    <Latency referenceId="0" target="3500"/>
  </ServiceDescription>
  <Period id="0" start="PT0S">
)";
  EXPECT_NE(mpd.find(head), std::string::npos) << mpd;
  const std::string tail = R"(  </Period>
  <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="https://play.example/v1/time"/>
</MPD>
)";
  EXPECT_EQ(mpd.substr(mpd.size() - tail.size()), tail);
}

// The MPDs we write validate against the DASH schema (ISO/IEC 23009-1), offline.
TEST(WriteDashMpd, ValidatesAgainstTheSchema) {
  ManifestState steered = Personalised();
  steered.steering_url = "https://play.example/v1/steering/show?format=dash";
  steered.steering_default = "edge-1";
  const std::pair<const char*, ManifestState> cases[] = {{"live", TwoTracks(true)},
                                                         {"static", TwoTracks(false)},
                                                         {"personalised", Personalised()},
                                                         {"steered", steered}};
  for (const auto& [name, state] : cases) {
    EXPECT_EQ(test::MpdSchemaErrors(WriteDashMpd(state)), "") << name;
  }
}

TEST(WriteDashMpd, ContentSteeringAfterTheBaseUrls) {
  ManifestState s = Personalised();
  s.steering_url = "https://play.example/v1/steering/show?format=dash&region=eu";
  s.steering_default = "edge-1";
  const std::string mpd = WriteDashMpd(s);
  EXPECT_NE(mpd.find("edge-2.example/live/show/?a=1&amp;b=2</BaseURL>\n"
                     "  <ContentSteering defaultServiceLocation=\"edge-1\" "
                     "queryBeforeStart=\"false\">"
                     "https://play.example/v1/steering/show?format=dash&amp;region=eu"
                     "</ContentSteering>\n  <ServiceDescription"),
            std::string::npos)
      << mpd;
}

TEST(WriteHls, PathwaysAndContentSteering) {
  ManifestState s = TwoTracks(true);
  s.base_urls = {{"http://e1/live/show/", "e1"}, {"http://e2/live/show/", "e2"}};
  s.steering_url = "http://play/v1/steering/show?format=hls";
  s.steering_default = "e1";
  const std::string inf =
      "#EXT-X-STREAM-INF:BANDWIDTH=3128000,CODECS=\"avc1.64001F,mp4a.40.2\","
      "RESOLUTION=1280x720,FRAME-RATE=29.970,";
  const auto media = [](const std::string& p) {
    return "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio-" + p +
           "\",NAME=\"audio\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"http://" + p +
           "/live/show/audio/index.m3u8\"\n";
  };
  EXPECT_EQ(WriteHlsMultivariant(s),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            "#EXT-X-CONTENT-STEERING:SERVER-URI=\"http://play/v1/steering/show?format=hls\","
            "PATHWAY-ID=\"e1\"\n" +
                media("e1") + inf + "AUDIO=\"audio-e1\",PATHWAY-ID=\"e1\"\n" +
                "http://e1/live/show/720p/index.m3u8\n" + media("e2") + inf +
                "AUDIO=\"audio-e2\",PATHWAY-ID=\"e2\"\nhttp://e2/live/show/720p/index.m3u8\n");
}

TEST(WriteDashMpd, StaticListsTheSegmentsWithTheirTrueDurations) {
  const std::string mpd = WriteDashMpd(TwoTracks(false));
  EXPECT_NE(mpd.find("type=\"static\" mediaPresentationDuration=\"PT4S\""), std::string::npos);
  EXPECT_NE(mpd.find("<Period id=\"0\" start=\"PT20S\" duration=\"PT4S\">"), std::string::npos);
  EXPECT_NE(mpd.find("startNumber=\"10\" presentationTimeOffset=\"1801800\""), std::string::npos);
  EXPECT_NE(mpd.find("<S t=\"1801800\" d=\"180180\"/>\n          <S d=\"177177\"/>"),
            std::string::npos)
      << mpd;
  EXPECT_EQ(mpd.find("availabilityTimeOffset"), std::string::npos);
}

TEST(WriteHls, MultivariantAndMediaPlaylists) {
  ManifestState s = TwoTracks(false);
  EXPECT_EQ(WriteHlsMultivariant(s),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"audio\",DEFAULT=YES,AUTOSELECT=YES,"
            "CHANNELS=\"2\",URI=\"audio/index.m3u8\"\n"
            "#EXT-X-STREAM-INF:BANDWIDTH=3128000,CODECS=\"avc1.64001F,mp4a.40.2\","
            "RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO=\"audio\"\n720p/index.m3u8\n");
  EXPECT_EQ(WriteHlsMedia(s, s.tracks[0]),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:10\n"
            "#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\"\n"
            "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:20.000Z\n"
            "#EXTINF:2.002000,\n10.m4s\n#EXTINF:1.968000,\n11.m4s\n#EXT-X-ENDLIST\n");
}

TEST(WriteHls, GapsAreDiscontinuities) {
  ManifestState s = TwoTracks(true);
  s.tracks[0].segments = {{10, 2'000'000}, {12, 2'000'000}};
  const std::string m = WriteHlsMedia(s, s.tracks[0]);
  EXPECT_NE(
      m.find("10.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:24.000Z\n"),
      std::string::npos)
      << m;
  EXPECT_EQ(m.find("ENDLIST"), std::string::npos);
}

TEST(XsDuration, Forms) {
  EXPECT_EQ(XsDuration(2'000'000), "PT2S");
  EXPECT_EQ(XsDuration(500'000), "PT0.5S");
  EXPECT_EQ(XsDuration(1'795'428'000'000'000), "PT1795428000S");
  EXPECT_EQ(XsDuration(0), "PT0S");
}

}  // namespace
}  // namespace onair::media
