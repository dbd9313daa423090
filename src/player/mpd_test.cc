#include "player/mpd.h"

#include <gtest/gtest.h>

#include "support/process.h"

namespace onair::player {
namespace {

TEST(ParseMpd, ReadsWhatTheServiceWrites) {
  const std::string xml = test::ReadFile(std::string(ONAIR_TESTDATA) + "/playback/tv-4k-hevc.mpd");
  auto p = ParseMpd(xml, "https://play.example/v1/playback/final");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->dynamic);
  EXPECT_EQ(FormatUtc(p->availability_start), "2026-11-18T11:06:40Z");
  EXPECT_EQ(p->time_shift_buffer_us, 60'000'000);
  EXPECT_EQ(p->latency_target_ms, 3000);
  ASSERT_EQ(p->base_urls.size(), 3u);
  EXPECT_EQ(p->base_urls[0].url, "http://edge-par-1.example/live/final/");
  EXPECT_EQ(p->base_urls[0].service_location, "edge-par-1");
  ASSERT_TRUE(p->steering);
  EXPECT_EQ(p->steering->default_service_location, "edge-par-1");
  EXPECT_NE(p->steering->server_url.find("/v1/steering/final?format=dash"), std::string::npos);
  ASSERT_EQ(p->utc_timings.size(), 1u);
  EXPECT_EQ(p->utc_timings[0].scheme, "urn:mpeg:dash:utc:http-iso:2014");
  ASSERT_EQ(p->sets.size(), 3u);  // HEVC, AVC, audio
  const AdaptationSet& hevc = p->sets[0];
  EXPECT_EQ(hevc.content_type, "video");
  EXPECT_EQ(hevc.segments.duration_us(), 2'000'000);
  EXPECT_EQ(hevc.segments.start_number, 0);
  EXPECT_DOUBLE_EQ(hevc.segments.availability_time_offset, 1.5);
  EXPECT_FALSE(hevc.segments.availability_time_complete);
  ASSERT_EQ(hevc.representations.size(), 2u);
  EXPECT_EQ(hevc.representations[0].id, "1080p-hevc");  // lowest bandwidth first
  EXPECT_EQ(hevc.representations[1].height, 2160);
  EXPECT_EQ(p->Find("audio")->representations[0].codecs, "mp4a.40.2");
}

TEST(ParseMpd, RefusesWhatItCannotFollowWithAReason) {
  const std::string base = "http://h/x.mpd";
  EXPECT_FALSE(ParseMpd("not xml <", base).ok());
  EXPECT_FALSE(ParseMpd("<html/>", base).ok());
  EXPECT_FALSE(ParseMpd("<MPD type=\"dynamic\"><Period/></MPD>", base).ok());  // no AST
  const std::string timeline = R"(<MPD type="static"><Period><AdaptationSet contentType="video">
    <SegmentTemplate media="$Number$.m4s" initialization="i.mp4"><SegmentTimeline/></SegmentTemplate>
    <Representation id="v" bandwidth="1"/></AdaptationSet></Period></MPD>)";
  auto t = ParseMpd(timeline, base);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("SegmentTimeline"), std::string::npos);
  const std::string bad_number = R"(<MPD type="static"><Period><AdaptationSet contentType="video">
    <SegmentTemplate media="$Number$.m4s" initialization="i.mp4" duration="-5"/>
    <Representation id="v" bandwidth="1"/></AdaptationSet></Period></MPD>)";
  auto n = ParseMpd(bad_number, base);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("duration"), std::string::npos);
  EXPECT_FALSE(ParseMpd("<MPD><Period/><Period/></MPD>", base).ok());
}

TEST(ParseMpd, WithoutBaseUrlTheManifestsDirectoryIsTheBase) {
  const std::string xml = R"(<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic"
    availabilityStartTime="2026-01-01T00:00:00Z"><Period start="PT0S">
    <AdaptationSet mimeType="video/mp4"><SegmentTemplate timescale="1000" duration="2000"
    startNumber="1" media="chunk-$RepresentationID$-$Number%05d$.m4s" initialization="init-$RepresentationID$.m4s"/>
    <Representation id="0" bandwidth="500000" width="640" height="360"/></AdaptationSet>
    </Period></MPD>)";
  auto p = ParseMpd(xml, "http://127.0.0.1:8080/dash/live.mpd");
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->base_urls.size(), 1u);
  EXPECT_EQ(p->base_urls[0].url, "http://127.0.0.1:8080/dash/");
  EXPECT_EQ(p->sets[0].content_type, "video");  // from mimeType
  EXPECT_EQ(*ExpandTemplate(p->sets[0].segments.media, p->sets[0].representations[0], 42),
            "chunk-0-00042.m4s");
}

// The shape of ffmpeg's low-latency DASH output (-f dash -ldash 1 -streaming 1): the template
// inside the representation, startNumber 1, a microsecond timescale, prft declared.
TEST(ParseMpd, FfmpegsLowLatencyOutput) {
  const std::string xml = R"(<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011"
  type="dynamic" minimumUpdatePeriod="PT500S" availabilityStartTime="2026-11-23T23:11:09.910Z"
  publishTime="2026-11-23T23:11:13.903Z" timeShiftBufferDepth="PT20.0S" maxSegmentDuration="PT2.0S"
  minBufferTime="PT2.0S"><ProgramInformation></ProgramInformation>
  <ServiceDescription id="0"><Latency target="3000"/></ServiceDescription>
  <Period id="0" start="PT0.0S">
    <AdaptationSet id="0" contentType="video" startWithSAP="1" segmentAlignment="true">
      <Resync dT="500000" type="0"/>
      <Representation id="0" mimeType="video/mp4" codecs="avc1.64001e" bandwidth="1000000"
          width="640" height="360" sar="1:1">
        <ProducerReferenceTime id="0" inband="true" type="captured"
            wallClockTime="2026-11-23T23:11:09.910Z" presentationTime="0"/>
        <SegmentTemplate timescale="1000000" duration="2000000" availabilityTimeOffset="1.500"
            availabilityTimeComplete="false" initialization="init-stream$RepresentationID$.m4s"
            media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1">
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>)";
  auto p = ParseMpd(xml, "http://127.0.0.1:8080/live.mpd");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->availability_start, *ParseUtc("2026-11-23T23:11:09.910Z"));
  const AdaptationSet& v = p->sets[0];
  EXPECT_EQ(v.segments.start_number, 1);
  EXPECT_EQ(v.segments.duration_us(), 2'000'000);
  EXPECT_FALSE(v.segments.availability_time_complete);
  EXPECT_EQ(p->base_urls[0].url, "http://127.0.0.1:8080/");
  EXPECT_EQ(*ExpandTemplate(v.segments.media, v.representations[0], 12), "chunk-stream0-00012.m4s");
  EXPECT_TRUE(p->utc_timings.empty());
}

TEST(ExpandTemplate, Identifiers) {
  Representation r{"720p", 2'500'000, 1280, 720, "avc1"};
  EXPECT_EQ(*ExpandTemplate("$RepresentationID$/$Number$.m4s", r, 7), "720p/7.m4s");
  EXPECT_EQ(*ExpandTemplate("$Bandwidth$-$$-$Number%03d$", r, 7), "2500000-$-007");
  EXPECT_FALSE(ExpandTemplate("$Time$.m4s", r, 1).ok());
  EXPECT_FALSE(ExpandTemplate("$Number", r, 1).ok());
  EXPECT_FALSE(ExpandTemplate("$Number%5x$", r, 1).ok());
}

TEST(ParseIsoDuration, TheFormsMpdsUse) {
  EXPECT_EQ(*ParseIsoDuration("PT2S"), 2'000'000);
  EXPECT_EQ(*ParseIsoDuration("PT1M30.5S"), 90'500'000);
  EXPECT_EQ(*ParseIsoDuration("P1DT1H"), 90'000'000'000);
  EXPECT_EQ(*ParseIsoDuration("PT0S"), 0);
  EXPECT_FALSE(ParseIsoDuration("2S").ok());
  EXPECT_FALSE(ParseIsoDuration("PT").ok());
  EXPECT_FALSE(ParseIsoDuration("P1Y").ok());
  EXPECT_FALSE(ParseIsoDuration("PTxS").ok());
}

TEST(ResolveUrl, AbsoluteRootedAndRelative) {
  EXPECT_EQ(ResolveUrl("http://a/b/c.mpd", "http://e/x/"), "http://e/x/");
  EXPECT_EQ(ResolveUrl("http://a/b/c.mpd", "/v1/time"), "http://a/v1/time");
  EXPECT_EQ(ResolveUrl("http://a/b/c.mpd?x=1", "d/"), "http://a/b/d/");
  EXPECT_EQ(ResolveUrl("http://a:81", "t"), "http://a:81/t");
}

}  // namespace
}  // namespace onair::player
