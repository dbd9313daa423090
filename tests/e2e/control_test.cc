// The control center and the alerts of `onair metrics` as an operator meets them: the page in
// headless Chromium (charts draw, new viewers show within 2 s), alerts that fire and resolve
// in a real Alertmanager and reach its webhook receiver, and a pulled lever and a killed edge
// shown within seconds.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "contract/qoe.h"
#include "e2e/origin_helpers.h"
#include "support/recording_server.h"

namespace onair::test {
namespace {

using contract::QoeBatch;
using contract::QoeType;
using nlohmann::json;
using std::chrono::steady_clock;

QoeBatch Watching(const std::string& session, const std::string& edge) {
  QoeBatch b{.session = session, .event = "final", .device_type = "tv", .region = "eu"};
  const UtcMicros now = SystemClock::Instance().Now();
  b.events.push_back({.type = QoeType::kStart, .at_us = now, .ttff_ms = 800, .edge = edge});
  b.events.push_back({.type = QoeType::kHeartbeat,
                      .at_us = now,
                      .edge = edge,
                      .bitrate = 3'000'000,
                      .latency_ms = 2500,
                      .played_ms = 5000,
                      .stalled_ms = 0});
  return b;
}

// The alert named `name` with label `key`=`value` in the service's /v1/alerts, in `state`.
bool HasAlert(const std::string& url, const std::string& name, const std::string& key,
              const std::string& value, const std::string& state) {
  const net::Response r = Get(url, "/v1/alerts");
  if (r.status != 200) return false;
  const json j = json::parse(r.body, nullptr, false);
  for (const std::string list : {"active", "history"}) {
    for (const json& a : j[list]) {
      if (a["name"] == name && a["labels"].value(key, "") == value && a["state"] == state) {
        return true;
      }
    }
  }
  return false;
}

TEST(ControlCenter, ChartsDrawInChromiumAndNewViewersShowWithinTwoSeconds) {
  const std::string dir = TempDir("control");
  MetricsProcess m(dir);
  ASSERT_GT(m.port(), 0) << m.log();
  for (int k = 0; k < 5; ++k) {
    ASSERT_EQ(PostEvents(m.url(),
                         contract::WriteQoeBatch(Watching("first-" + std::to_string(k), "edge-a"))),
              202);
  }
  const CommandResult r = RunCommand({"node", SourceDir() + "/web/test/control_test.mjs", m.url(),
                                      "final", "25", dir + "/control.png"},
                                     90);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(s.is_object()) << r.out << r.err;
  ASSERT_TRUE(s["ok"].get<bool>()) << r.out;
  EXPECT_GE(s["charts"].size(), 7u) << r.out;
  for (const auto& [chart, seconds] : s["charts"].items()) {
    EXPECT_GT(seconds.get<int>(), 0) << chart << ": no seconds drawn; " << r.out;
  }
  EXPECT_GT(s["line_pixels"].get<int>(), 20) << r.out;  // the viewers' line is on the canvas
  EXPECT_EQ(s["posted"], 25) << r.out;
  EXPECT_EQ(s["viewers_before"], 5) << r.out;
  EXPECT_EQ(s["viewers_after"], 30) << r.out;
  ASSERT_TRUE(s["change_ms"].is_number()) << r.out;
  EXPECT_LT(s["change_ms"].get<int>(), 2000) << r.out;
  EXPECT_EQ(s["tables"]["edges"], 1) << r.out;
  EXPECT_EQ(s["tables"]["status"], "live") << r.out;
  EXPECT_TRUE(s["errors"].empty()) << r.out;
  EXPECT_EQ(m.process().Wait(0), -1) << m.log();
}

TEST(Alerts, FireAndResolveInARealAlertmanagerAndReachItsWebhook) {
  const std::string dir = TempDir("alertmanager");
  RecordingServer hook([](const RecordedRequest&) { return 200; });
  const int am_port = FreeTcpPort();
  WriteFile(dir + "/alertmanager.yml",
            "route:\n"
            "  receiver: hook\n"
            "  group_by: ['alertname', 'edge']\n"
            "  group_wait: 1s\n"
            "  group_interval: 1s\n"
            "  repeat_interval: 1h\n"
            "receivers:\n"
            "- name: hook\n"
            "  webhook_configs:\n"
            "  - url: " +
                hook.url() +
                "/hook\n"
                "    send_resolved: true\n");
  Background alertmanager(
      {"prometheus-alertmanager", "--config.file=" + dir + "/alertmanager.yml",
       "--storage.path=" + dir + "/am-data",
       "--web.listen-address=127.0.0.1:" + std::to_string(am_port), "--cluster.listen-address="},
      dir + "/alertmanager.log");
  ASSERT_TRUE(WaitUntilBound(am_port, SOCK_STREAM)) << ReadFile(dir + "/alertmanager.log");
  const std::string am = "http://127.0.0.1:" + std::to_string(am_port);
  MetricsProcess m(
      dir, {"--alertmanager", am, "--alert-window", "5", "--alert-for", "0", "--alert-clear", "2"});
  ASSERT_GT(m.port(), 0) << m.log();
  // Viewers on edge-a; edge-x fails its viewers: errors and nobody left watching there.
  for (int k = 0; k < 3; ++k) {
    ASSERT_EQ(
        PostEvents(m.url(), contract::WriteQoeBatch(Watching("ok-" + std::to_string(k), "edge-a"))),
        202);
  }
  QoeBatch failing{.session = "lost", .event = "final", .device_type = "tv", .region = "eu"};
  for (int k = 0; k < 6; ++k) {
    failing.events.push_back({.type = QoeType::kError,
                              .at_us = SystemClock::Instance().Now(),
                              .edge = "edge-x",
                              .kind = "connect"});
  }
  ASSERT_EQ(PostEvents(m.url(), contract::WriteQoeBatch(failing)), 202);
  // Firing in the service, in Alertmanager, then at the receiver.
  EXPECT_GE(
      WaitFor(10, [&] { return HasAlert(m.url(), "ErrorRateHigh", "edge", "edge-x", "firing"); }),
      0)
      << Get(m.url(), "/v1/alerts").body;
  auto in_alertmanager = [&] {
    const json j = json::parse(Get(am, "/api/v2/alerts").body, nullptr, false);
    if (!j.is_array()) return false;
    for (const json& a : j) {
      if (a["labels"].value("alertname", "") == "ErrorRateHigh" &&
          a["labels"].value("edge", "") == "edge-x" && a["labels"].value("event", "") == "final") {
        return true;
      }
    }
    return false;
  };
  EXPECT_GE(WaitFor(10, in_alertmanager), 0) << m.log() << ReadFile(dir + "/alertmanager.log");
  auto hooked = [&](const std::string& status) {
    for (const RecordedRequest& r : hook.requests()) {
      const json j = json::parse(r.body, nullptr, false);
      if (!j.is_object() || j.value("status", "") != status) continue;
      for (const json& a : j["alerts"]) {
        if (a["labels"].value("alertname", "") == "ErrorRateHigh" && a["status"] == status) {
          return true;
        }
      }
    }
    return false;
  };
  EXPECT_GE(WaitFor(15, [&] { return hooked("firing"); }), 0)
      << ReadFile(dir + "/alertmanager.log");
  // The errors age out of the 5 s window, the alert clears 2 s later and resolves everywhere.
  EXPECT_GE(
      WaitFor(20, [&] { return HasAlert(m.url(), "ErrorRateHigh", "edge", "edge-x", "resolved"); }),
      0)
      << Get(m.url(), "/v1/alerts").body;
  EXPECT_GE(WaitFor(15, [&] { return !in_alertmanager(); }), 0);
  EXPECT_GE(WaitFor(15, [&] { return hooked("resolved"); }), 0)
      << ReadFile(dir + "/alertmanager.log");
  EXPECT_GE(Metric(Get(m.url(), "/metrics").body,
                   "onair_metrics_alertmanager_posts_total{result=\"sent\"}"),
            2);
  EXPECT_EQ(m.process().Wait(0), -1) << m.log();
}

TEST(Alerts, APulledLeverAndAKilledEdgeShowWithinSeconds) {
  const std::string dir = TempDir("alerts-system");
  const EventFile ev = WriteEvent(dir);
  OriginProcess origin(dir, ev.path);
  EdgeProcess edge(dir, {origin.url()});
  PlaybackProcess playback(dir, origin.url(), {"edge-a=" + edge.url() + ",max-connections=500"});
  MetricsProcess m(dir, {"--playback", playback.url(), "--playback-token", "at", "--scrape",
                         "origin=" + origin.url(), "--scrape", "playback=" + playback.url()});
  ASSERT_TRUE(origin.port() > 0 && edge.port() > 0 && playback.port() > 0 && m.port() > 0)
      << m.log() << playback.log();
  // The watch finds the fleet's edge and scrapes it with the others.
  auto targets_up = [&] {
    const json o = json::parse(Get(m.url(), "/v1/overview/final").body, nullptr, false);
    const json& t = o["services"]["targets"];
    return t.size() == 3 && t["edge-a"]["up"] == true && t["origin"]["up"] == true &&
           o["capacity"] == 500;
  };
  ASSERT_GE(WaitFor(10, targets_up), 0) << Get(m.url(), "/v1/overview/final").body;
  // A lever is pulled: a quality cap for every device.
  ASSERT_EQ(Request(playback.url(), "PATCH", "/admin/levers", {{"Authorization", "Bearer at"}},
                    R"({"quality": {"max_bitrate": 1000000}})")
                .status,
            200);
  const double lever_s =
      WaitFor(10, [&] { return HasAlert(m.url(), "LeverInForce", "lever", "quality", "firing"); });
  EXPECT_GE(lever_s, 0) << Get(m.url(), "/v1/alerts").body;
  EXPECT_LT(lever_s, 3);
  const json overview = json::parse(Get(m.url(), "/v1/overview/final").body);
  EXPECT_EQ(overview["levers"]["quality"]["max_bitrate"], 1000000);
  // The edge dies.
  edge.process().Signal(SIGKILL);
  const double down_s =
      WaitFor(15, [&] { return HasAlert(m.url(), "ServiceDown", "target", "edge-a", "firing"); });
  EXPECT_GE(down_s, 0) << Get(m.url(), "/v1/alerts").body;
  EXPECT_LT(down_s, 5);
  std::printf("lever shown in %.1f s, dead edge alerted in %.1f s\n", lever_s, down_s);
  EXPECT_EQ(m.process().Wait(0), -1) << m.log();
}

}  // namespace
}  // namespace onair::test
