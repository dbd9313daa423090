// End-to-end: `onair demo`, the one command of the README, runs the whole system in one
// process (pipelines A and B, origin, two edges, playback service, web player, metrics
// service), prints where to watch, plays to the headless player, and stops cleanly on Ctrl-C.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "e2e/origin_helpers.h"

namespace onair::test {
namespace {

TEST(Demo, RunsTheWholeSystemPlaysAndStopsCleanlyOnCtrlC) {
  const std::string dir = TempDir("demo");
  WriteFile(dir + "/ladder.json", SmallLadder());
  const int origin = FreeTcpPort(), edge = FreeTcpPort(), edge_b = FreeTcpPort(),
            tls = FreeTcpPort(), playback = FreeTcpPort(), metrics = FreeTcpPort();
  const std::string log = dir + "/demo.log";
  Background demo({OnairBinary(),     "demo",
                   "--out",           dir + "/out",
                   "--ladder",        dir + "/ladder.json",
                   "--source",        "test:480x270@30",
                   "--origin-port",   std::to_string(origin),
                   "--edge-port",     std::to_string(edge),
                   "--edge-b-port",   std::to_string(edge_b),
                   "--tls-port",      std::to_string(tls),
                   "--playback-port", std::to_string(playback),
                   "--metrics-port",  std::to_string(metrics)},
                  log);
  const auto until = steady_clock::now() + seconds(60);
  while (steady_clock::now() < until &&
         ReadFile(log).find("Ctrl-C stops it") == std::string::npos) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  const std::string printed = ReadFile(log);
  ASSERT_NE(printed.find("Ctrl-C stops it"), std::string::npos) << printed;
  const std::string service = "http://127.0.0.1:" + std::to_string(playback);
  EXPECT_NE(printed.find(service + "/watch/demo"), std::string::npos) << printed;
  EXPECT_NE(printed.find("play " + service + " demo"), std::string::npos) << printed;
  EXPECT_NE(printed.find("waiting for the first whole segment"), std::string::npos);  // progress
  const std::string figures = "http://127.0.0.1:" + std::to_string(metrics);
  EXPECT_NE(printed.find(figures + "/v1/metrics/demo"), std::string::npos) << printed;
  EXPECT_EQ(Get(figures, "/v1/metrics").status, 200);

  // The web player's page and scripts, embedded in the binary.
  const net::Response page = Get(service, "/watch/demo");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("/web/dash.mediaplayer.min.js"), std::string::npos);
  const net::Response dash = Get(service, "/web/dash.mediaplayer.min.js");
  EXPECT_EQ(dash.status, 200);
  EXPECT_GT(dash.body.size(), 100'000u);
  EXPECT_EQ(Get(service, "/web/nothing.js").status, 404);

  // The headless player, as the demo says to run it.
  const CommandResult play = RunCommand({OnairBinary(), "play", service, "demo", "--duration", "10",
                                         "--summary-json", dir + "/summary.json", "--quiet"},
                                        60);
  ASSERT_EQ(play.exit_code, 0) << play.err;
  const auto s = nlohmann::json::parse(ReadFile(dir + "/summary.json"));
  EXPECT_EQ(s["rebuffers"], 0) << s.dump();
  EXPECT_EQ(s["undecodable"], 0) << s.dump();
  EXPECT_GT(s["decoded"].get<int>(), 8) << s.dump();

  // Its QoE events reached the metrics service through the playback service: its start, and
  // a viewer in the seconds of its heartbeats (a "desktop"; the demo's own viewers are TVs,
  // phones, browsers and tablets, and they started too).
  int starts = 0, most_viewers = 0, demo_starts = 0;
  net::Response r;
  for (int tries = 0; tries < 50 && (starts == 0 || demo_starts == 0); ++tries) {
    std::this_thread::sleep_for(milliseconds(100));
    r = Get(figures, "/v1/metrics/demo?from=0");
    if (r.status != 200) continue;
    starts = most_viewers = demo_starts = 0;
    const nlohmann::json j = nlohmann::json::parse(r.body);  // named: the loop reads into it
    for (const auto& second : j["seconds"]) {
      for (const auto& [type, n] : second["by"]["device_type"].items()) {
        if (type != "desktop") {
          demo_starts += n["starts"].get<int>();
          continue;
        }
        starts += n["starts"].get<int>();
        most_viewers = std::max(most_viewers, n["concurrent_viewers"].get<int>());
      }
    }
  }
  EXPECT_EQ(starts, 1) << r.status << " " << r.body;
  EXPECT_EQ(most_viewers, 1) << r.body;
  EXPECT_GE(demo_starts, 1) << r.body;

  // The control center: its page, and what it shows of the demo: the demo's viewers, every
  // service up (the edges found through the playback service's fleet), the levers.
  EXPECT_NE(printed.find(figures + "/control"), std::string::npos) << printed;
  EXPECT_EQ(Get(figures, "/control").status, 200);
  const nlohmann::json o = nlohmann::json::parse(Get(figures, "/v1/overview/demo").body);
  EXPECT_GE(o["span"]["total"]["concurrent_viewers"].get<int>(), 1) << o.dump();
  for (const char* target : {"origin", "playback", "edge-a", "edge-b"}) {
    EXPECT_EQ(o["services"]["targets"][target]["up"], true) << target << ": " << o.dump();
  }
  EXPECT_EQ(o["levers"]["personalisation"], true) << o.dump();
  EXPECT_EQ(o["capacity"], 2000) << o.dump();

  // The crowd the demo prints the command for (smaller): every virtual device plays, and the
  // control center's figures count their starts.
  EXPECT_NE(printed.find("loadgen devices --target " + service +
                         " --event demo --profile "
                         "flash-crowd --peak 5000 --duration 120"),
            std::string::npos)
      << printed;
  auto all_starts = [&] {
    int n = 0;
    const nlohmann::json j =
        nlohmann::json::parse(Get(figures, "/v1/metrics/demo?from=0").body, nullptr, false);
    if (!j.is_object()) return 0;
    for (const auto& second : j["seconds"]) n += second.value("starts", 0);
    return n;
  };
  const int starts_before = all_starts();
  const CommandResult crowd =
      RunCommand({OnairBinary(), "loadgen", "devices", "--target", service, "--event", "demo",
                  "--profile", "flash-crowd", "--peak", "20", "--duration", "12", "--threads", "1",
                  "--events-interval-ms", "2000", "--json", dir + "/crowd.json"},
                 60);
  ASSERT_EQ(crowd.exit_code, 0) << crowd.err;
  const auto c = nlohmann::json::parse(ReadFile(dir + "/crowd.json"));
  EXPECT_EQ(c["counts"]["started"], 20) << crowd.err;
  EXPECT_NE(crowd.err.find("running"), std::string::npos);  // the progress line
  int starts_after = 0;
  for (int tries = 0; tries < 50 && starts_after < starts_before + 20; ++tries) {
    std::this_thread::sleep_for(milliseconds(100));
    starts_after = all_starts();
  }
  EXPECT_GE(starts_after, starts_before + 20);

  // Ctrl-C: everything stops, cleanly and soon.
  demo.Signal(SIGINT);
  EXPECT_EQ(demo.Wait(20), 0) << ReadFile(log);
  const std::string end = ReadFile(log);
  EXPECT_NE(end.find("onair demo: stopping"), std::string::npos);
  EXPECT_NE(end.find("pipeline A stopped"), std::string::npos);
  EXPECT_NE(end.find("pipeline B stopped"), std::string::npos);
}

}  // namespace
}  // namespace onair::test
