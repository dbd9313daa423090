// End-to-end: `onair loadgen devices` against the whole chain in real processes (a pipeline
// publishing a two-rung ladder to an origin, an edge, the playback service): a flash crowd
// that plays through the real flow, and a retry storm that the playback service's
// server-guided backoff spreads out.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/origin_helpers.h"

namespace onair::test {
namespace {

using Json = nlohmann::json;

class System {
 public:
  System(const std::string& name, double pipeline_seconds,
         const std::vector<std::string>& playback_extra = {})
      : dir_(TempDir(name)),
        event_(WriteEvent(dir_)),
        origin_(dir_, event_.path),
        edge_(dir_, {origin_.url()}, {"--access-log", dir_ + "/edge.log"}),
        playback_(dir_, origin_.url(), {"edge-a=" + edge_.url()},
                  With({"--steering-ttl", "2"}, playback_extra)),
        pipeline_(PublishingPipeline(dir_, event_, origin_.url(), "A", pipeline_seconds),
                  dir_ + "/pipeline.log") {
    const auto until = steady_clock::now() + seconds(30);
    while (steady_clock::now() < until) {
      const int64_t n = CurrentSegment(event_.ast_us);
      if (Metric(Get(playback_.url(), "/metrics").body, "onair_playback_edges_eligible") == 1 &&
          Get(origin_.url(), Seg("136p", n - 2)).status == 200 &&
          Get(origin_.url(), Seg("audio", n - 2)).status == 200) {
        break;
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
  }

  // `onair loadgen devices` with these flags, to its end; its JSON results.
  Json Loadgen(const std::vector<std::string>& flags, int timeout_s) {
    std::vector<std::string> args = {OnairBinary(),
                                     "loadgen",
                                     "devices",
                                     "--target",
                                     playback_.url(),
                                     "--event",
                                     "e2e",
                                     "--json",
                                     dir_ + "/loadgen.json",
                                     "--events-interval-ms",
                                     "2000",
                                     "--threads",
                                     "2"};
    args.insert(args.end(), flags.begin(), flags.end());
    const CommandResult r = RunCommand(args, timeout_s);
    output_ = r.out + r.err;
    EXPECT_EQ(r.exit_code, 0) << output_;
    const Json j = Json::parse(ReadFile(dir_ + "/loadgen.json"), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << output_;
    return j;
  }

  const std::string& dir() const { return dir_; }
  const std::string& output() const { return output_; }
  PlaybackProcess& playback() { return playback_; }

 private:
  std::string dir_;
  EventFile event_;
  OriginProcess origin_;
  EdgeProcess edge_;
  PlaybackProcess playback_;
  Background pipeline_;
  std::string output_;
};

int64_t Count(const Json& j, const std::string& key) { return j["counts"].value(key, int64_t{0}); }

TEST(Loadgen, AFlashCrowdPlaysThroughTheRealFlow) {
  System sys("loadgen-flash", 90);
  const Json j = sys.Loadgen({"--profile", "flash-crowd", "--peak", "40", "--duration", "24"}, 80);
  // Every session: started on schedule, played, ended by the schedule.
  EXPECT_EQ(Count(j, "sessions"), 40) << j.dump();
  EXPECT_EQ(Count(j, "started"), 40) << sys.output();
  EXPECT_EQ(Count(j, "not_started"), 0);
  EXPECT_EQ(Count(j, "failed"), 0);
  EXPECT_TRUE(j["errors"].empty()) << j["errors"].dump();
  EXPECT_EQ(j["totals"]["play_ok"], 40);
  EXPECT_EQ(j["totals"]["shed"], 0);
  // Init and media segments of both tracks, every request kind measured.
  EXPECT_GT(j["totals"]["segments"].get<int64_t>(), 40 * 2 * 3) << j["totals"].dump();
  for (const char* kind : {"play", "init", "segment", "start", "steering", "events"}) {
    EXPECT_GT(j["latency_ms"][kind]["count"].get<int64_t>(), 0) << kind;
    for (const char* q : {"p50", "p90", "p99", "p99_9", "max"}) {
      EXPECT_TRUE(j["latency_ms"][kind].contains(q)) << kind << " " << q;
    }
  }
  EXPECT_LT(j["latency_ms"]["start"]["p50"].get<double>(), 5000);
  // The edge saw CMCD from the virtual devices; the playback service their QoE events.
  const std::string log = ReadFile(sys.dir() + "/edge.log");
  EXPECT_NE(log.find("CMCD=bl%3D"), std::string::npos);
  const std::string m = Get(sys.playback().url(), "/metrics").body;
  EXPECT_EQ(Metric(m, R"(onair_playback_qoe_events_total{type="start"})"), 40);
  EXPECT_EQ(Metric(m, R"(onair_playback_qoe_events_total{type="end"})"), 40);
  EXPECT_GE(Metric(m, R"(onair_playback_qoe_events_total{type="heartbeat"})"), 40);
  // The progress line and the summary.
  EXPECT_NE(sys.output().find("running"), std::string::npos);
  EXPECT_NE(sys.output().find("p99.9"), std::string::npos);
}

// Every viewer interrupted, then back within 100 ms, against a playback service that answers
// at most 8 at once: what it cannot take now it sheds with a time to come back, spread over
// the seconds ahead, so the crowd returns at the rate it is served (no second wave) and every
// viewer plays in the end.
TEST(Loadgen, ARetryStormIsSpreadByServerGuidedBackoff) {
  System sys("loadgen-storm", 90, {"--max-concurrency", "8"});
  WriteFile(sys.dir() + "/storm.scenario", R"(# a retry storm
peak 300
ramp   to=100% over=2s
hold   for=6s
outage for=4s
ramp   to=100% over=100ms   # everyone at once
hold   for=14s
)");
  const Json j =
      sys.Loadgen({"--scenario", sys.dir() + "/storm.scenario", "--lowest-rung", "--no-audio"}, 90);
  EXPECT_EQ(Count(j, "sessions"), 600) << j["counts"].dump();
  EXPECT_EQ(Count(j, "restarts"), 300);
  // Shed, always with a time to come back, and in the end every viewer played.
  const int64_t shed = j["totals"]["shed"].get<int64_t>();
  EXPECT_GT(shed, 0) << sys.output();
  EXPECT_EQ(j["totals"]["shed_no_wait"], 0);
  EXPECT_EQ(j["totals"]["play_ok"], 600) << sys.output();
  EXPECT_EQ(Count(j, "started"), 600) << sys.output();
  // No second wave: after the storm's first second, no second brings back more play starts
  // than the service answered in its busiest second (a margin for two clocks).
  const Json& rows = j["seconds"];
  const int64_t storm = 12;  // 2 + 6 + 4 s
  int64_t most_ok = 0;
  for (const Json& r : rows) most_ok = std::max(most_ok, r[2].get<int64_t>());
  std::string sent;
  for (size_t s = static_cast<size_t>(storm); s < rows.size(); ++s) {
    sent += std::to_string(rows[s][1].get<int64_t>()) + " ";
    if (s >= static_cast<size_t>(storm) + 2) {
      EXPECT_LE(rows[s][1].get<int64_t>(), most_ok * 3 / 2 + 20) << "second " << s;
    }
  }
  std::printf(
      "shed %lld; answered at most %lld a second; play starts sent per second from the "
      "storm: %s\n",
      static_cast<long long>(shed), static_cast<long long>(most_ok), sent.c_str());
}

}  // namespace
}  // namespace onair::test
