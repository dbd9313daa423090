// End-to-end: the headless player (`onair play`) against the whole chain in real processes:
// pipelines A and B publishing a three-rung ladder to an origin, two edges, the playback
// service. Steady playback, then one failure each: pipeline A killed, the player's edge
// killed, a bitrate cap applied by the operator, each 20 s into playback.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "e2e/origin_helpers.h"

namespace onair::test {
namespace {

using Json = nlohmann::json;

// 270p, 180p and 136p: three rungs two pipelines encode in real time beside everything else.
std::string ThreeRungEvent(int64_t ast) {
  return R"({"event": "e2e", "ast": ")" + FormatUtc(ast) + R"(", "window": 30, "frame_rate": "30",
    "ladder": [
    {"name": "270p", "width": 480, "height": 270, "bitrate": 500000, "preset": "ultrafast"},
    {"name": "180p", "width": 320, "height": 180, "bitrate": 300000, "preset": "ultrafast",
     "scale_from": "above"},
    {"name": "136p", "width": 240, "height": 136, "bitrate": 150000, "preset": "ultrafast",
     "scale_from": "above"}]})";
}

// The whole system on loopback: pipelines A and B, an origin, edges a and b, playback.
class System {
 public:
  explicit System(const std::string& name, double pipeline_seconds)
      : dir_(TempDir(name)),
        ast_((SystemClock::Instance().Now() / 60'000'000 - 1) * 60'000'000),
        event_((WriteFile(dir_ + "/event.json", ThreeRungEvent(ast_)), dir_ + "/event.json")),
        origin_(dir_, event_),
        edge_a_(dir_, {origin_.url()}, {"--request-log", dir_ + "/edge-a.log"}),
        edge_b_(dir_, {origin_.url()}, {"--request-log", dir_ + "/edge-b.log"}),
        playback_(dir_, origin_.url(), {"edge-a=" + edge_a_.url(), "edge-b=" + edge_b_.url()},
                  {"--steering-ttl", "2"}) {
    EventFile ev{event_, ast_};
    for (const char* id : {"A", "B"}) {
      pipelines_.push_back(std::make_unique<Background>(
          PublishingPipeline(dir_, ev, origin_.url(), id, pipeline_seconds),
          dir_ + "/pipeline-" + id + ".log"));
    }
    // Until the first segments are at the origin and both edges are polled healthy.
    const auto until = steady_clock::now() + seconds(30);
    while (steady_clock::now() < until) {
      const std::string m = Get(playback_.url(), "/metrics").body;
      const int64_t n = CurrentSegment(ast_);
      // The player starts 3 s behind live: the segment there must have been made.
      if (Metric(m, "onair_playback_edges_eligible") == 2 &&
          Get(origin_.url(), Seg("136p", n - 2)).status == 200 &&
          Get(origin_.url(), Seg("audio", n - 2)).status == 200) {
        break;
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
  }

  // `onair play` for `seconds` of playback, in the background; its summary at Summary().
  std::unique_ptr<Background> Play(double seconds) {
    return std::make_unique<Background>(
        std::vector<std::string>{OnairBinary(), "play", playback_.url(), "e2e", "--duration",
                                 std::to_string(seconds), "--summary-json", dir_ + "/summary.json",
                                 "--events-interval-ms", "2000", "--device-type", "desktop"},
        dir_ + "/play.log");
  }
  Json Summary() const {
    const std::string text = ReadFile(dir_ + "/summary.json");
    const Json j = Json::parse(text, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << ReadFile(dir_ + "/play.log");
    return j;
  }
  std::string PlayLog() const { return ReadFile(dir_ + "/play.log"); }

  const std::string& dir() const { return dir_; }
  int64_t ast() const { return ast_; }
  OriginProcess& origin() { return origin_; }
  EdgeProcess& edge_a() { return edge_a_; }
  EdgeProcess& edge_b() { return edge_b_; }
  PlaybackProcess& playback() { return playback_; }
  Background& pipeline(int i) { return *pipelines_[static_cast<size_t>(i)]; }

 private:
  std::string dir_;
  int64_t ast_;
  std::string event_;
  OriginProcess origin_;
  EdgeProcess edge_a_, edge_b_;
  PlaybackProcess playback_;
  std::vector<std::unique_ptr<Background>> pipelines_;
};

// What every run must show: played to the end, every segment decoded, latency under 3·D.
void ExpectSoundPlayback(const Json& s, double seconds) {
  EXPECT_GE(s["played_s"].get<double>(), seconds - 0.5);
  EXPECT_GT(s["segments"].get<int>(), static_cast<int>(seconds));  // video and audio, D = 2 s
  EXPECT_EQ(s["undecodable"].get<int>(), 0) << s.dump();
  EXPECT_EQ(s["decoded"], s["segments"]);
  EXPECT_LT(s["latency_s"]["max"].get<double>(), 3 * 2.0) << s.dump();
  EXPECT_GE(s["ttff_ms"].get<double>(), 0);
}

TEST(Player, PlaysSixtySecondsOfAThreeRungLadderWithoutARebuffer) {
  System sys("player-steady", 100);
  auto player = sys.Play(60);
  ASSERT_EQ(player->Wait(100), 0) << sys.PlayLog();
  const Json s = sys.Summary();
  ExpectSoundPlayback(s, 60);
  EXPECT_EQ(s["rebuffers"], 0) << s.dump();
  EXPECT_TRUE(s["errors"].empty()) << s.dump();
  // It climbed to the top rung (loopback carries it) and stayed there.
  EXPECT_EQ(s["video_log"].back()[1], "270p");
  EXPECT_LT(s["latency_s"]["p50"].get<double>(), 3.5);
  EXPECT_GT(s["arrival_latency_s"]["samples"].get<int>(), 50);  // chunks as they were made
  // CMCD with every segment request, in the edge's access log.
  const std::string log = ReadFile(sys.dir() + "/edge-a.log") + ReadFile(sys.dir() + "/edge-b.log");
  EXPECT_NE(log.find("CMCD=bl%3D"), std::string::npos);
  EXPECT_NE(log.find("sid%3D%22" + s["session"].get<std::string>()), std::string::npos);
  // QoE events posted and counted by the playback service.
  const std::string m = Get(sys.playback().url(), "/metrics").body;
  EXPECT_EQ(Metric(m, R"(onair_playback_qoe_events_total{type="start"})"), 1);
  EXPECT_EQ(Metric(m, R"(onair_playback_qoe_events_total{type="end"})"), 1);
  EXPECT_GE(Metric(m, R"(onair_playback_qoe_batches_total{result="accepted"})"), 25);
  EXPECT_GE(Metric(m, R"(onair_playback_qoe_events_total{type="heartbeat"})"), 25);
  // The heartbeats' time playing adds up to the time played (the last stretch is in `end`).
  EXPECT_GE(Metric(m, "onair_playback_qoe_played_milliseconds_total"), 45'000);
  EXPECT_LE(Metric(m, "onair_playback_qoe_played_milliseconds_total"), 61'000);
  EXPECT_EQ(s["events_dropped"], 0);
}

TEST(Player, PipelineAKilledAtTwentySecondsCostsNoRebuffer) {
  System sys("player-pipeline", 70);
  auto player = sys.Play(40);
  std::this_thread::sleep_for(seconds(20));
  sys.pipeline(0).Signal(SIGKILL);
  ASSERT_EQ(player->Wait(60), 0) << sys.PlayLog();
  const Json s = sys.Summary();
  ExpectSoundPlayback(s, 40);
  EXPECT_EQ(s["rebuffers"], 0) << s.dump();
  // The origin served B after A was gone (complete, or while B was still writing it).
  const std::string m = Get(sys.origin().url(), "/metrics").body;
  EXPECT_GT(
      Metric(m, R"(onair_origin_candidate_choices_total{pipeline="B",reason="fallback"})") +
          Metric(m, R"(onair_origin_candidate_choices_total{pipeline="B",reason="streaming"})"),
      0)
      << m;
}

TEST(Player, EdgeKilledAtTwentySecondsMovesToTheOtherWithAtMostOneShortRebuffer) {
  System sys("player-edge", 70);
  auto player = sys.Play(40);
  std::this_thread::sleep_for(seconds(20));
  // The edge the player is on: the one that has served it segments.
  const bool on_a =
      ReadFile(sys.dir() + "/edge-a.log").size() > ReadFile(sys.dir() + "/edge-b.log").size();
  (on_a ? sys.edge_a() : sys.edge_b()).process().Signal(SIGKILL);
  ASSERT_EQ(player->Wait(60), 0) << sys.PlayLog();
  const Json s = sys.Summary();
  ExpectSoundPlayback(s, 40);
  EXPECT_LE(s["rebuffers"].get<int>(), 1) << s.dump();
  EXPECT_LT(s["longest_rebuffer_s"].get<double>(), 2.0) << s.dump();
  EXPECT_GE(s["failovers"].get<int>(), 1) << s.dump();
  EXPECT_GT(s["edges"].value(on_a ? "edge-b" : "edge-a", 0), 5) << s.dump();
}

TEST(Player, BitrateCapAtTwentySecondsIsMetWithinTwoSegments) {
  System sys("player-cap", 70);
  auto player = sys.Play(40);
  std::this_thread::sleep_for(seconds(20));
  const int64_t lever_segment = CurrentSegment(sys.ast());
  const net::Response r =
      Request(sys.playback().url(), "PATCH", "/admin/levers", {{"Authorization", "Bearer at"}},
              R"({"quality": {"max_bitrate": 300000}})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(player->Wait(60), 0) << sys.PlayLog();
  const Json s = sys.Summary();
  ExpectSoundPlayback(s, 40);
  EXPECT_EQ(s["rebuffers"], 0) << s.dump();
  // Before the lever the top rung; from the second segment after it, under the cap.
  bool top_before = false;
  for (const Json& entry : s["video_log"]) {
    const int64_t n = entry[0].get<int64_t>();
    const std::string rendition = entry[1].get<std::string>();
    if (n < lever_segment && rendition == "270p") top_before = true;
    if (n >= lever_segment + 2) {
      EXPECT_NE(rendition, "270p") << "segment " << n << s.dump();
    }
  }
  EXPECT_TRUE(top_before) << s.dump();
}

// Any live DASH manifest (`--mpd`), here the origin's generic one read through an edge:
// relative URLs, no steering, no QoE service.
TEST(Player, PlaysAGenericManifestByUrl) {
  const std::string dir = TempDir("player-mpd");
  const EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  EdgeProcess edge(dir, {origin.url()});
  Background pipeline(PublishingPipeline(dir, ev, origin.url(), "A", 40), dir + "/pipeline.log");
  const auto until = steady_clock::now() + seconds(20);
  while (steady_clock::now() < until &&
         Get(origin.url(), Seg("136p", CurrentSegment(ev.ast_us) - 2)).status != 200) {
    std::this_thread::sleep_for(milliseconds(200));
  }
  const CommandResult r =
      RunCommand({OnairBinary(), "play", "--mpd", edge.url() + "/live/e2e/manifest.mpd",
                  "--duration", "8", "--summary-json", dir + "/summary.json", "--quiet"},
                 60);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json s = Json::parse(ReadFile(dir + "/summary.json"));
  ExpectSoundPlayback(s, 8);
  EXPECT_EQ(s["rebuffers"], 0) << s.dump();
  EXPECT_EQ(s["events_posted"], 0);  // no service to post to
}

// The web player (/watch/{event}, dash.js) in Debian's headless Chromium, driven by
// playwright-core (web/test/watch_test.mjs): 30 s of playback without a stall, under the
// latency target once it has caught up.
TEST(Player, WebPlayerInChromiumPlaysThirtySecondsWithoutAStallUnderTheTarget) {
  System sys("player-web", 80);
  const CommandResult r =
      RunCommand({"node", SourceDir() + "/web/test/watch_test.mjs",
                  sys.playback().url() + "/watch/e2e", "30", sys.dir() + "/watch.png"},
                 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json s = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(s.is_object()) << r.out << r.err;
  ASSERT_TRUE(s["ok"].get<bool>()) << r.out;
  EXPECT_GE(s["advanced_s"].get<double>(), 29.0) << r.out;
  EXPECT_EQ(s["stalls"], 0) << r.out;
  EXPECT_EQ(s["stuck_samples"], 0) << r.out;
  const double target = s["target_s"].get<double>();
  EXPECT_DOUBLE_EQ(target, 3.0);
  EXPECT_LT(s["latency_p50_s"].get<double>(), target) << r.out;
  EXPECT_LT(s["latency_settled_max_s"].get<double>(), target) << r.out;
  EXPECT_FALSE(s["edges"].empty()) << r.out;
  EXPECT_NE(s["overlay"].get<std::string>().find("latency"), std::string::npos);
  EXPECT_TRUE(s["errors"].empty()) << r.out;
  // Its QoE batches reached the playback service: a start, heartbeats every 10 s.
  EXPECT_GE(s["events_posted"].get<int>(), 2) << r.out;
  const std::string counted = Get(sys.playback().url(), "/metrics").body;
  EXPECT_EQ(Metric(counted, "onair_playback_qoe_events_total{type=\"start\"}"), 1) << counted;
  EXPECT_GE(Metric(counted, "onair_playback_qoe_events_total{type=\"heartbeat\"}"), 2) << counted;
  // Its CMCD reached the edge.
  const std::string log = ReadFile(sys.dir() + "/edge-a.log") + ReadFile(sys.dir() + "/edge-b.log");
  EXPECT_NE(log.find("CMCD="), std::string::npos);
}

}  // namespace
}  // namespace onair::test
