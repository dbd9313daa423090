#include "loadgen/replay_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace onair::loadgen {
namespace {

std::string Line(int64_t at_us, const std::string& service, const std::string& host,
                 const std::string& method, const std::string& target, const std::string& body = "",
                 const std::string& client = "10.0.0.1") {
  contract::RequestRecord r;
  r.at = at_us;
  r.service = service;
  r.host = host;
  r.client = client;
  r.method = method;
  r.target = target;
  r.body = body;
  r.body_bytes = body.size();
  r.status = 200;
  return contract::FormatRequestRecord(r) + "\n";
}

TEST(ReplayLog, RequestsComeInArrivalOrderWithTheirGaps) {
  const std::string text =
      Line(3'000'000, "edge", "e:1", "GET", "/live/a/270p/2.m4s") + "\n  \n" +
      Line(1'000'000, "playback", "p:1", "POST", "/v1/playback/a", R"({"id":"d"})") +
      Line(1'500'000, "edge", "e:1", "GET", "/live/a/270p/init.mp4");
  auto log = ParseReplayLog(text, 100);
  ASSERT_TRUE(log.ok()) << log.status().message();
  ASSERT_EQ(log->requests.size(), 3u);
  EXPECT_EQ(log->span_us, 2'000'000);
  EXPECT_EQ(log->requests[0].line, 4u);
  EXPECT_EQ(log->requests[0].offset_us, 0);
  EXPECT_EQ(log->requests[1].offset_us, 500'000);
  EXPECT_EQ(log->requests[2].offset_us, 2'000'000);
  EXPECT_EQ(RequestKind(log->requests[0].record), "play");
  EXPECT_EQ(RequestKind(log->requests[1].record), "init");
  EXPECT_EQ(RequestKind(log->requests[2].record), "segment");
  EXPECT_EQ(ParseReplayLog(text, 2).status().message(),
            "more than 2 requests (the bound on a replay; --max-requests)");
}

TEST(ReplayLog, ABadLineIsNamedByItsNumberAndField) {
  const std::string text = Line(1, "edge", "e:1", "GET", "/live/a/event.json") +
                           R"({"at_us":2,"method":"GET","target":"/x","status":"ok"})" + "\n";
  EXPECT_EQ(ParseReplayLog(text, 10).status().message(), "line 2: status: must be a whole number");
  EXPECT_EQ(ParseReplayLog("{\n", 10).status().message(), "line 1: not JSON");
}

TEST(ReplayLog, SpeedsSharesAndMappings) {
  EXPECT_DOUBLE_EQ(*ParseShare("200%"), 2.0);
  EXPECT_DOUBLE_EQ(*ParseShare("10%"), 0.1);
  EXPECT_DOUBLE_EQ(*ParseShare("0.5"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseShare("3x"), 3.0);
  EXPECT_FALSE(ParseShare("").ok());
  EXPECT_FALSE(ParseShare("-1").ok());
  EXPECT_FALSE(ParseShare("0%").ok());
  EXPECT_FALSE(ParseShare("fast").ok());
  auto m = ParseMapping("127.0.0.1:8082=http://10.0.0.2:9000/");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->first, "127.0.0.1:8082");
  EXPECT_EQ(m->second, "http://10.0.0.2:9000");
  EXPECT_FALSE(ParseMapping("edge").ok());
  EXPECT_FALSE(ParseMapping("edge=ftp://x").ok());
}

TEST(ReplayLog, ASampleKeepsWholeViewers) {
  // A viewer's segments carry its CMCD session id; a sample keeps all of them or none.
  int kept_viewers = 0;
  for (int v = 0; v < 1000; ++v) {
    int kept = 0;
    for (int n = 0; n < 5; ++n) {
      contract::RequestRecord r;
      r.client = "127.0.0.1";
      r.target = "/live/a/270p/" + std::to_string(n) + ".m4s?CMCD=bl%3D2000%2Csid%3D%22v" +
                 std::to_string(v) + "%22";
      kept += Sampled(r, 0.1, 7) ? 1 : 0;
    }
    EXPECT_TRUE(kept == 0 || kept == 5);
    kept_viewers += kept == 5;
  }
  EXPECT_NEAR(kept_viewers, 100, 35);
}

TEST(ReplayLog, RewritesPointRequestsElsewhere) {
  contract::RequestRecord seg;
  seg.service = "edge";
  seg.host = "127.0.0.1:8081";
  seg.method = "GET";
  seg.target = "/live/show/270p/12.m4s?CMCD=x";
  seg.priority = "live";
  Rewrites w;
  w.event = "rehearsal";
  auto a = Rewrite(seg, w, 0);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->base, "http://127.0.0.1:8081");
  EXPECT_EQ(a->target, "/live/rehearsal/270p/12.m4s?CMCD=x");
  EXPECT_EQ(net::HeaderValue(a->headers, "X-Onair-Priority"), "live");
  w.services = {{"edge", "http://127.0.0.1:9001"}};
  EXPECT_EQ(Rewrite(seg, w, 0)->base, "http://127.0.0.1:9001");
  w.hosts = {{"127.0.0.1:8081", "http://127.0.0.1:9002"}};
  EXPECT_EQ(Rewrite(seg, w, 0)->base, "http://127.0.0.1:9002");

  contract::RequestRecord play;
  play.service = "playback";
  play.host = "127.0.0.1:8082";
  play.method = "POST";
  play.target = "/v1/playback/show";
  play.body = R"({"id":"recorded"})";
  play.body_bytes = play.body.size();
  auto p = Rewrite(play, w, 3);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->target, "/v1/playback/rehearsal");
  EXPECT_EQ(p->body, play.body);
  EXPECT_EQ(net::HeaderValue(p->headers, "Content-Type"), "application/json");
  w.play_body = [](uint64_t n) { return R"({"device_type":"tv","n":)" + std::to_string(n) + "}"; };
  auto drawn = Rewrite(play, w, 3);
  ASSERT_TRUE(drawn.ok());
  EXPECT_NE(drawn->body, play.body);
  EXPECT_TRUE(nlohmann::json::parse(drawn->body).contains("device_type")) << drawn->body;

  contract::RequestRecord events = play;
  events.target = "/v1/events";
  events.body = R"({"event":"show","session":"s","events":[]})";
  EXPECT_EQ(nlohmann::json::parse(Rewrite(events, w, 0)->body)["event"], "rehearsal");

  contract::RequestRecord upload = seg;
  upload.method = "PUT";
  upload.body_bytes = 1000;  // a segment upload: the log keeps no such body
  EXPECT_EQ(Rewrite(upload, w, 0).status().message(),
            "its body was not JSON, so the log did not keep it");
  contract::RequestRecord nowhere = seg;
  nowhere.host = "";
  nowhere.service = "origin";
  EXPECT_FALSE(Rewrite(nowhere, Rewrites{}, 0).ok());
}

}  // namespace
}  // namespace onair::loadgen
