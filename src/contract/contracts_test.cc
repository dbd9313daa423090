// Every message that crosses a process boundary, written and read by its one module: the
// writer's output against a golden file (testdata/contract/; ONAIR_UPDATE_GOLDEN=1 rewrites
// them, review the diff), the golden file read back to the same value.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "contract/device.h"
#include "contract/edge_registration.h"
#include "contract/edge_status.h"
#include "contract/faults.h"
#include "contract/qoe.h"
#include "contract/request_log.h"
#include "contract/steering.h"

namespace onair::contract {
namespace {

std::string Golden(const std::string& name, const std::string& text) {
  const std::string path = std::string(ONAIR_TESTDATA) + "/contract/" + name;
  if (std::getenv("ONAIR_UPDATE_GOLDEN")) std::ofstream(path) << text << "\n";
  std::ostringstream o;
  o << std::ifstream(path).rdbuf();
  std::string s = o.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

TEST(Contracts, QoeBatch) {
  QoeBatch b;
  b.session = "6e2f0a";
  b.event = "final";
  b.device_type = "tv";
  b.region = "eu";
  const UtcMicros t = *ParseUtc("2026-11-23T20:00:01.234Z");
  QoeEvent start{.type = QoeType::kStart,
                 .at_us = t,
                 .ttff_ms = 812,
                 .edge = "edge-a",
                 .rendition = "360p",
                 .codec = "avc"};
  QoeEvent sw{.type = QoeType::kSwitch,
              .at_us = t + 2'000'000,
              .from = "360p",
              .to = "720p",
              .bitrate = 3'000'000};
  QoeEvent rebuffer{
      .type = QoeType::kRebuffer, .at_us = t + 4'000'000, .duration_ms = 420, .edge = "edge-a"};
  QoeEvent error{.type = QoeType::kError,
                 .at_us = t + 5'000'000,
                 .kind = "connect",
                 .detail = "edge-a: refused",
                 .fatal = 0};
  QoeEvent beat{.type = QoeType::kHeartbeat,
                .at_us = t + 10'000'000,
                .edge = "edge-b",
                .bitrate = 3'000'000,
                .state = "playing",
                .buffer_ms = 2200,
                .latency_ms = 3050,
                .rendition = "720p",
                .codec = "avc",
                .played_ms = 9600,
                .stalled_ms = 420,
                .top = 1};
  QoeEvent end{
      .type = QoeType::kEnd, .at_us = t + 60'000'000, .played_s = 60, .rebuffers = 1, .started = 1};
  b.events = {start, sw, rebuffer, error, beat, end};
  const std::string text = WriteQoeBatch(b);
  EXPECT_EQ(text, Golden("qoe-batch.json", text));
  auto read = ParseQoeBatch(Golden("qoe-batch.json", text));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(WriteQoeBatch(*read), text);
  EXPECT_EQ(read->events[4].latency_ms, 3050);
  EXPECT_EQ(read->events[3].kind, "connect");
  EXPECT_EQ(read->events[3].fatal, 0);
  EXPECT_EQ(read->events[4].played_ms, 9600);
  EXPECT_EQ(read->events[4].top, 1);
  EXPECT_EQ(read->events[5].started, 1);
  EXPECT_EQ(read->events[0].rendition, "360p");
}

TEST(Contracts, Device) {
  Device d;
  d.id = "tv-1";
  d.type = "tv";
  d.avc = d.hevc = true;
  d.max_width = 3840;
  d.max_height = 2160;
  d.max_bitrate = 20'000'000;
  d.hdr = true;
  d.drm = {"widevine"};
  d.region = "eu";
  const std::string text = WriteDevice(d);
  EXPECT_EQ(text, Golden("device.json", text));
  auto read = ParseDevice(Golden("device.json", text));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(WriteDevice(*read), text);
}

TEST(Contracts, EdgeStatus) {
  EdgeStatus s{"draining", 1200, 3'400'000'000, 0.97, 3, 512 << 20, 2};
  const std::string text = WriteEdgeStatus(s);
  EXPECT_EQ(text, Golden("edge-status.json", text));
  auto read = ParseEdgeStatus(Golden("edge-status.json", text));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(WriteEdgeStatus(*read), text);
  EXPECT_FALSE(ParseEdgeStatus(R"({"state": "healthy", "connections": -1})").ok());
  EXPECT_FALSE(ParseEdgeStatus(R"({"state": "healthy", "cache_hit_ratio": 2})").ok());
  EXPECT_FALSE(ParseEdgeStatus(R"({"connections": 1})").ok());
  EXPECT_TRUE(ParseEdgeStatus(R"({"state": "healthy", "newer": [1]})").ok());
}

TEST(Contracts, RequestLogLine) {
  RequestRecord r;
  r.at = 1'795'435'200'123'456;
  r.service = "edge";
  r.host = "edge-a.example:8081";
  r.client = "10.0.0.7";
  r.method = "GET";
  r.target = "/live/show/270p/12.m4s?CMCD=bl%3D2000%2Csid%3D%22s1%22";
  r.priority = "live";
  r.status = 200;
  r.bytes = 104857;
  r.cache = "collapsed";
  r.first_byte_us = 412;
  r.total_us = 1900;
  const std::string text = FormatRequestRecord(r);
  EXPECT_EQ(text, Golden("request-log.jsonl", text));
  auto read = ParseRequestRecord(Golden("request-log.jsonl", text));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(FormatRequestRecord(*read), text);
}

TEST(Contracts, EdgeRegistration) {
  EdgeRegistration r{"https://edge-par-1.example/cdn", "eu", 10'000'000'000, 50'000};
  const std::string text = WriteEdgeRegistration(r);
  EXPECT_EQ(text, Golden("edge-registration.json", text));
  auto read = ParseEdgeRegistration(Golden("edge-registration.json", text));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(WriteEdgeRegistration(*read), text);
  EXPECT_EQ(ParseEdgeRegistration(R"({"base_url": "http://e/x/"})")->base_url, "http://e/x");
  for (const char* bad :
       {R"({})", R"({"base_url": "ftp://e"})", R"({"base_url": "http://e", "region": "e u"})",
        R"({"base_url": "http://e", "max_connections": -2})", "[]"}) {
    EXPECT_FALSE(ParseEdgeRegistration(bad).ok()) << bad;
  }
}

TEST(Contracts, Steering) {
  Steering dash{1,
                5,
                "https://play.example/v1/steering/final?format=dash&region=eu",
                false,
                {"edge-par-1", "edge-ams-2"},
                3'000'000,
                720};
  const std::string text = WriteSteering(dash);
  EXPECT_EQ(text, Golden("steering-dash.json", text));
  auto read = ParseSteering(Golden("steering-dash.json", text));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(WriteSteering(*read), text);
  Steering hls = dash;
  hls.hls = true;
  hls.cap_max_bitrate = hls.cap_max_height = 0;
  const std::string hls_text = WriteSteering(hls);
  EXPECT_EQ(hls_text, Golden("steering-hls.json", hls_text));
  EXPECT_TRUE(ParseSteering(hls_text)->hls);
  // What a player makes of an odd answer: a TTL it can live with, the names it understands.
  auto odd = ParseSteering(R"({"TTL": 0, "PATHWAY-PRIORITY": ["a", 3, "b"]})");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->ttl_s, 1);
  EXPECT_EQ(odd->priority, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(ParseSteering("nope").ok());
}

TEST(Contracts, FaultRules) {
  FaultSpec delay;
  delay.route = "object";
  delay.path_prefix = "/live/final/";
  delay.kind = FaultSpec::Kind::kDelay;
  delay.delay_ms = 300;
  delay.share = 0.25;
  delay.seconds = 60;
  FaultSpec reset;
  reset.route = "play";
  reset.kind = FaultSpec::Kind::kReset;
  reset.count = 10;
  const std::string text = WriteFaults({delay, reset});
  EXPECT_EQ(text, Golden("faults.json", text));
  auto read = ParseFaults(Golden("faults.json", text));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(WriteFaults(*read), text);
}

}  // namespace
}  // namespace onair::contract
