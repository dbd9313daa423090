// End-to-end: `onair loadgen` against the whole chain in real processes (a pipeline
// publishing a two-rung ladder to an origin, an edge, the playback service): a flash crowd
// that plays through the real flow, a retry storm that the playback service's server-guided
// backoff spreads out, and the request logs of a crowd replayed at twice its speed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

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
        edge_(dir_, {origin_.url()}, {"--request-log", dir_ + "/edge.log"}),
        playback_(
            dir_, origin_.url(), {"edge-a=" + edge_.url()},
            With({"--steering-ttl", "2", "--request-log", dir_ + "/playback.log"}, playback_extra)),
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
    return Run(With({"devices", "--target", playback_.url(), "--event", "e2e",
                     "--events-interval-ms", "2000"},
                    flags),
               timeout_s);
  }

  // `onair loadgen ARGS --json FILE --threads 2`, to its end; its JSON results.
  Json Run(const std::vector<std::string>& flags, int timeout_s, int expect_exit = 0) {
    std::vector<std::string> args = {OnairBinary(), "loadgen"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--json", dir_ + "/loadgen.json", "--threads", "2"});
    std::filesystem::remove(dir_ + "/loadgen.json");
    const CommandResult r = RunCommand(args, timeout_s);
    output_ = r.out + r.err;
    EXPECT_EQ(r.exit_code, expect_exit) << output_;
    if (expect_exit != 0) return Json();
    const Json j = Json::parse(ReadFile(dir_ + "/loadgen.json"), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << output_;
    return j;
  }

  const std::string& dir() const { return dir_; }
  const std::string& output() const { return output_; }
  PlaybackProcess& playback() { return playback_; }
  EdgeProcess& edge() { return edge_; }

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
  const Json j = sys.Loadgen({"--profile", "flash-crowd", "--peak", "40", "--duration", "24",
                              "--report", sys.dir() + "/report.html"},
                             80);
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
  // The progress line, the summary and the report.
  EXPECT_NE(sys.output().find("running"), std::string::npos);
  EXPECT_NE(sys.output().find("p99.9"), std::string::npos);
  const std::string report = ReadFile(sys.dir() + "/report.html");
  EXPECT_NE(report.find("<tr><td>segment</td>"), std::string::npos);
  EXPECT_NE(report.find("\"seconds\":[["), std::string::npos);
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

// The arrival offsets (ms) of the play starts in a request log, from line `from` on.
std::vector<double> PlayStartOffsets(const std::string& path, size_t from) {
  std::vector<double> at;
  std::istringstream in(ReadFile(path));
  size_t n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    if (n < from || line.find(R"("method":"POST","target":"/v1/playback/)") == std::string::npos) {
      continue;
    }
    at.push_back(Json::parse(line)["at_us"].get<double>() / 1000);
  }
  std::sort(at.begin(), at.end());
  for (size_t i = at.size(); i-- > 0;) at[i] -= at[0];
  return at;
}

size_t Lines(const std::string& path) {
  const std::string text = ReadFile(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Capture → replay: the playback service's and the edge's request logs of a small crowd,
// sent again at 200 %: every request goes out, in half the recorded time, with the recorded
// gaps halved (the play starts arrive at the service at half their recorded offsets), and
// gets the answer it got then; a sample keeps whole viewers; a bad line is named; a target
// that is gone is counted, not a hang.
TEST(Loadgen, CapturedRequestsReplayAtTwiceTheSpeed) {
  System sys("loadgen-replay", 120);
  const Json crowd = sys.Loadgen(
      {"--profile", "ramp", "--peak", "12", "--duration", "16", "--no-steering", "--lowest-rung"},
      80);
  ASSERT_EQ(Count(crowd, "started"), 12) << sys.output();
  std::this_thread::sleep_for(milliseconds(500));  // the logs' writers
  const std::string playback_log = sys.dir() + "/playback.log";
  const std::string edge_log = sys.dir() + "/edge.log";
  const size_t recorded_play = Lines(playback_log), recorded_edge = Lines(edge_log);
  ASSERT_GT(recorded_play, 12u);
  ASSERT_GT(recorded_edge, 12u * 8);
  const std::vector<double> recorded = PlayStartOffsets(playback_log, 0);
  ASSERT_EQ(recorded.size(), 12u);
  // Copies: the services keep writing to their logs while they are replayed.
  WriteFile(sys.dir() + "/capture-playback.log", ReadFile(playback_log));
  WriteFile(sys.dir() + "/capture-edge.log", ReadFile(edge_log));

  const Json j = sys.Run({"replay", sys.dir() + "/capture-playback.log",
                          sys.dir() + "/capture-edge.log", "--speed", "200%"},
                         90);
  const int64_t total = static_cast<int64_t>(recorded_play + recorded_edge);
  EXPECT_EQ(j["replay"]["requests_planned"], total) << sys.output();
  EXPECT_EQ(j["totals"]["sent"], total);
  EXPECT_EQ(j["totals"]["answered"], total) << sys.output();
  EXPECT_TRUE(j["errors"].empty()) << j["errors"].dump();
  // The same answers as then (a few may differ: a segment the live edge has moved past).
  EXPECT_GE(Count(j, "same_status"), total * 95 / 100) << j["counts"].dump();
  EXPECT_NEAR(j["replay"]["duration_s"].get<double>(), crowd["elapsed_s"].get<double>() / 2, 4);
  for (const char* kind : {"play", "init", "segment", "events"}) {
    EXPECT_GT(j["latency_ms"][kind]["count"].get<int64_t>(), 0) << kind;
  }
  // At the playback service, the replayed play starts came at half their recorded offsets.
  std::this_thread::sleep_for(milliseconds(500));
  const std::vector<double> replayed = PlayStartOffsets(playback_log, recorded_play);
  ASSERT_EQ(replayed.size(), recorded.size());
  double worst = 0;
  for (size_t i = 0; i < recorded.size(); ++i) {
    EXPECT_NEAR(replayed[i], recorded[i] / 2, 150) << "play start " << i;
    worst = std::max(worst, std::abs(replayed[i] - recorded[i] / 2));
  }
  std::printf(
      "replayed %lld requests in %.1f s (recorded over %.1f s), %lld with the same "
      "status; play starts off their halved offsets by at most %.1f ms\n",
      static_cast<long long>(total), j["elapsed_s"].get<double>(), crowd["elapsed_s"].get<double>(),
      static_cast<long long>(Count(j, "same_status")), worst);
  EXPECT_GT(recorded.back(), 4000);  // the ramp spreads them: the gaps are there to keep
  EXPECT_NE(sys.output().find("p99.9"), std::string::npos);

  // A sample of a third of the viewers, the event renamed: whole viewers, fewer requests.
  const Json part = sys.Run({"replay", sys.dir() + "/capture-edge.log", "--speed", "400%",
                             "--sample", "34%", "--event", "elsewhere", "--seed", "3"},
                            60);
  const int64_t sent = part["totals"]["sent"].get<int64_t>();
  EXPECT_GT(sent, 0) << sys.output();
  EXPECT_LT(sent, static_cast<int64_t>(recorded_edge)) << sys.output();
  EXPECT_GT(Count(part, "status_404"), 0) << part["counts"].dump();  // no such event

  // A bad line: named by file, line and field, nothing sent.
  WriteFile(sys.dir() + "/bad.log",
            ReadFile(sys.dir() + "/capture-edge.log").substr(0, 0) +
                R"({"at_us":1,"method":"GET","target":"/live/e2e/event.json"})" + "\n" +
                R"({"at_us":2,"method":"GET","target":"/x","bytes":-4})" + "\n");
  sys.Run({"replay", sys.dir() + "/bad.log"}, 20, 2);
  EXPECT_NE(sys.output().find("bad.log: line 2: bytes: must be in [0, "), std::string::npos)
      << sys.output();

  // A target that is gone: refused connections counted, the run ends.
  const Json gone = sys.Run({"replay", sys.dir() + "/capture-playback.log", "--speed", "800%",
                             "--target", "http://127.0.0.1:1", "--timeout-ms", "2000"},
                            60);
  EXPECT_EQ(gone["totals"]["answered"], 0);
  EXPECT_EQ(gone["totals"]["errors"], static_cast<int64_t>(recorded_play)) << sys.output();
}

// Past one machine: two load generators on a real nats-server share one flash crowd. Each
// takes half of the sessions, both start at the same instant, and each prints the fleet's
// merged summary: every session of the whole schedule, started and played.
TEST(Loadgen, TwoLoadGeneratorsOverNatsShareOneCrowdAndOneSummary) {
  System sys("loadgen-fleet", 90);
  NatsServer nats(sys.dir());
  ASSERT_TRUE(nats.bound());
  auto args = [&](int k) {
    return std::vector<std::string>{OnairBinary(),
                                    "loadgen",
                                    "devices",
                                    "--target",
                                    sys.playback().url(),
                                    "--event",
                                    "e2e",
                                    "--profile",
                                    "flash-crowd",
                                    "--peak",
                                    "20",
                                    "--duration",
                                    "16",
                                    "--threads",
                                    "1",
                                    "--events-interval-ms",
                                    "2000",
                                    "--nats",
                                    nats.url(),
                                    "--fleet",
                                    "2",
                                    "--json",
                                    sys.dir() + "/fleet-" + std::to_string(k) + ".json"};
  };
  Background a(args(0), sys.dir() + "/fleet-0.log");
  std::this_thread::sleep_for(milliseconds(1500));  // the second joins later
  Background b(args(1), sys.dir() + "/fleet-1.log");
  ASSERT_EQ(a.Wait(90), 0) << ReadFile(sys.dir() + "/fleet-0.log");
  ASSERT_EQ(b.Wait(30), 0) << ReadFile(sys.dir() + "/fleet-1.log");
  const Json ja = Json::parse(ReadFile(sys.dir() + "/fleet-0.json"));
  const Json jb = Json::parse(ReadFile(sys.dir() + "/fleet-1.json"));
  // One summary, the same in both: the whole crowd.
  for (const Json* j : {&ja, &jb}) {
    EXPECT_EQ((*j)["fleet"]["workers"], 2);
    EXPECT_EQ((*j)["fleet"]["missing"], 0);
    EXPECT_EQ(Count(*j, "sessions"), 20) << j->dump();
    EXPECT_EQ(Count(*j, "started"), 20);
    EXPECT_TRUE((*j)["errors"].empty()) << (*j)["errors"].dump();
    EXPECT_EQ((*j)["latency_ms"]["play"]["count"], 20);
  }
  EXPECT_EQ(ja["totals"], jb["totals"]);
  EXPECT_NE(ja["fleet"]["worker"], jb["fleet"]["worker"]);
  // The same start instant (one machine, one clock), though they were started 1.5 s apart.
  EXPECT_EQ(ja["start_us"], jb["start_us"]);
  // Each did its half.
  for (int k = 0; k < 2; ++k) {
    const std::string log = ReadFile(sys.dir() + "/fleet-" + std::to_string(k) + ".log");
    EXPECT_NE(log.find("this process ("), std::string::npos) << log;
    EXPECT_NE(log.find("sessions 10 in"), std::string::npos) << log;
    EXPECT_NE(log.find("the fleet (2 load generators):"), std::string::npos) << log;
  }
  const std::string m = Get(sys.playback().url(), "/metrics").body;
  EXPECT_EQ(Metric(m, R"(onair_playback_qoe_events_total{type="start"})"), 20);
}

}  // namespace
}  // namespace onair::test
