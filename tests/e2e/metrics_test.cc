// `onair metrics` as a process: QoE batches over HTTP in, each event's per-second figures out;
// what it refuses, and how, and what it counts and drops.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "contract/error.h"
#include "contract/qoe.h"
#include "e2e/origin_helpers.h"

namespace onair::test {
namespace {

using contract::QoeBatch;
using contract::QoeEvent;
using contract::QoeType;
using nlohmann::json;

QoeBatch Viewer(const std::string& session, const std::string& edge, UtcMicros now,
                double ttff_ms) {
  QoeBatch b{.session = session, .event = "final", .device_type = "tv", .region = "eu"};
  b.events.push_back({.type = QoeType::kStart, .at_us = now, .ttff_ms = ttff_ms, .edge = edge});
  b.events.push_back({.type = QoeType::kHeartbeat,
                      .at_us = now,
                      .edge = edge,
                      .bitrate = 2'000'000,
                      .latency_ms = 3000,
                      .rendition = "540p",
                      .codec = "avc",
                      .played_ms = 9000,
                      .stalled_ms = 1000,
                      .top = 0});
  return b;
}

TEST(MetricsService, FiguresOfTheSecondsItWasSentArePerEdgeAndForTheWhole) {
  const std::string dir = TempDir("metrics");
  MetricsProcess m(dir);
  ASSERT_GT(m.port(), 0) << m.log();
  const UtcMicros now = SystemClock::Instance().Now();
  for (int i = 0; i < 10; ++i) {
    const std::string body = contract::WriteQoeBatch(
        Viewer("s" + std::to_string(i), i < 7 ? "edge-a" : "edge-b", now, 500 + 100 * i));
    ASSERT_EQ(PostEvents(m.url(), body), 202);
  }
  const int64_t s = now / 1'000'000;
  const net::Response r =
      Get(m.url(), "/v1/metrics/final?from=" + std::to_string(s) + "&to=" + std::to_string(s));
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  ASSERT_EQ(j["seconds"].size(), 1u) << r.body;
  const json& second = j["seconds"][0];
  EXPECT_EQ(second["starts"], 10);
  EXPECT_EQ(second["concurrent_viewers"], 10);
  EXPECT_NEAR(second["vst_ms"]["p50"].get<double>(), 900, 9);
  EXPECT_NEAR(second["rebuffer_ratio"].get<double>(), 0.1, 1e-9);
  EXPECT_NEAR(second["avg_bitrate"].get<double>(), 2e6, 1e-6);
  EXPECT_EQ(second["by"]["edge"]["edge-a"]["concurrent_viewers"], 7);
  EXPECT_EQ(second["by"]["edge"]["edge-b"]["starts"], 3);
  EXPECT_EQ(second["by"]["rendition"]["540p"]["concurrent_viewers"], 10);
  EXPECT_EQ(json::parse(Get(m.url(), "/v1/metrics").body)["events"], json::array({"final"}));
  EXPECT_EQ(m.process().Wait(0), -1) << m.log();
}

TEST(MetricsService, RefusesBadBatchesWholeAndCountsWhatItDrops) {
  const std::string dir = TempDir("metrics-bad");
  MetricsProcess m(dir);
  ASSERT_GT(m.port(), 0) << m.log();
  const UtcMicros now = SystemClock::Instance().Now();
  // A bad event in the middle: nothing of the batch is applied, the field is named.
  QoeBatch b = Viewer("s", "edge-a", now, 700);
  std::string body = contract::WriteQoeBatch(b);
  body.replace(body.find("\"played_ms\":9000"), 16, "\"played_ms\":-5");
  const net::Response bad =
      Request(m.url(), "POST", "/v1/events", {{"Content-Type", "application/json"}}, body);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(contract::ReadError(bad.body)->find("played_ms"), std::string::npos) << bad.body;
  EXPECT_EQ(Get(m.url(), "/v1/metrics/final").status, 404) << "nothing was applied";
  EXPECT_EQ(PostEvents(m.url(), std::string(300 * 1024, ' ')), 413);
  EXPECT_EQ(PostEvents(m.url(), "{"), 400);
  // An hour late and an hour early: counted and dropped.
  QoeBatch odd = Viewer("t", "edge-a", now - 3'600'000'000, 700);
  odd.events[1].at_us = now + 3'600'000'000;
  EXPECT_EQ(PostEvents(m.url(), contract::WriteQoeBatch(odd)), 202);
  const std::string metrics = Get(m.url(), "/metrics").body;
  EXPECT_EQ(Metric(metrics, R"(onair_metrics_events_total{result="late"})"), 1);
  EXPECT_EQ(Metric(metrics, R"(onair_metrics_events_total{result="early"})"), 1);
  EXPECT_EQ(Metric(metrics, R"(onair_metrics_batches_total{result="refused"})"), 2);
  EXPECT_EQ(Get(m.url(), "/v1/metrics/final?from=abc").status, 400);
  EXPECT_EQ(m.process().Wait(0), -1) << m.log();
}

// A player refused its manifest never plays, yet it is a start failure in the figures: its
// error and its end reach the metrics service through the playback service.
TEST(MetricsService, APlayerRefusedItsManifestCountsAsAStartFailure) {
  const std::string dir = TempDir("metrics-refused");
  const EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  MetricsProcess m(dir);
  PlaybackProcess playback(dir, origin.url(), {}, {"--metrics", m.url()});
  ASSERT_TRUE(origin.port() > 0 && m.port() > 0 && playback.port() > 0) << playback.log();
  const CommandResult play =
      RunCommand({OnairBinary(), "play", playback.url(), "no-such-event", "--quiet"}, 60);
  EXPECT_EQ(play.exit_code, 1) << play.err;
  json second;
  for (int tries = 0; tries < 50 && second.is_null(); ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const net::Response r = Get(m.url(), "/v1/metrics/no-such-event?from=0");
    if (r.status != 200) continue;
    const json j = json::parse(r.body);  // named: the loop reads into it
    for (const json& s : j["seconds"]) {
      if (s["start_failures"] == 1) second = s;
    }
  }
  ASSERT_FALSE(second.is_null()) << playback.log();
  EXPECT_EQ(second["attempts"], 1);
  EXPECT_EQ(second["start_failure_pct"], 100.0);
  EXPECT_EQ(second["errors_by_kind"].value("start", 0), 1) << second.dump();
}

TEST(MetricsService, KeepsTheClosedSecondsForTheReportAfterTheShow) {
  const std::string dir = TempDir("metrics-report");
  MetricsProcess m(dir, {"--data", dir + "/data", "--late", "1"});
  ASSERT_GT(m.port(), 0) << m.log();
  const UtcMicros now = SystemClock::Instance().Now();
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(PostEvents(m.url(), contract::WriteQoeBatch(Viewer("s" + std::to_string(i), "edge-a",
                                                                 now, 500 + 100 * i))),
              202);
  }
  // The seconds close (late by 1 s) and are written as they do.
  const std::string seconds = dir + "/data/final/seconds.jsonl";
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until &&
         ReadFile(seconds).find("\"starts\":10") == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_NE(ReadFile(seconds).find("\"starts\":10"), std::string::npos) << ReadFile(seconds);

  const CommandResult r = RunCommand({OnairBinary(), "metrics", "report", "final", "--data",
                                      dir + "/data", "--out", dir + "/r.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadFile(dir + "/r.html");
  EXPECT_NE(html.find("<h1>final</h1>"), std::string::npos);
  EXPECT_NE(html.find("<td>Starts per second</td><td>10</td>"), std::string::npos)
      << html.substr(0, 4000);
  EXPECT_NE(html.find("<td>edge-a</td>"), std::string::npos);
  // An event without figures, or a name that is not one, is a clear error.
  const CommandResult none =
      RunCommand({OnairBinary(), "metrics", "report", "other", "--data", dir + "/data"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no figures of other"), std::string::npos) << none.err;
  EXPECT_EQ(RunCommand({OnairBinary(), "metrics", "report", "../x", "--data", dir}).exit_code, 2);
  EXPECT_EQ(m.process().Wait(0), -1) << m.log();
}

}  // namespace
}  // namespace onair::test
