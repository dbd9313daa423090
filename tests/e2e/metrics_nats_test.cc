// `onair metrics` past one machine, on a real nats-server: two collectors and an aggregator
// give the figures one process gives for the same events, and a NATS that is away does not
// stop the collectors from taking events (they keep a bounded buffer and count what they
// drop), nor the aggregator from starting; both carry on once NATS is there.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "contract/qoe.h"
#include "e2e/origin_helpers.h"

namespace onair::test {
namespace {

using contract::QoeBatch;
using contract::QoeType;
using nlohmann::json;
using std::chrono::steady_clock;

int Post(const MetricsProcess& m, const QoeBatch& b) {
  return PostEvents(m.url(), contract::WriteQoeBatch(b));
}

// Session k's batch: a start, heartbeats, an error now and then, the end for some; spread over
// the last few seconds, on three edges, two regions, two device types.
QoeBatch Session(int k, UtcMicros now) {
  const std::string edge = "edge-" + std::to_string(k % 3);
  QoeBatch b{.session = "s" + std::to_string(k),
             .event = "final",
             .device_type = k % 2 ? "tv" : "phone",
             .region = k % 3 ? "eu" : "us"};
  const UtcMicros t0 = now - (k % 5) * 1'000'000;
  b.events.push_back(
      {.type = QoeType::kStart, .at_us = t0, .ttff_ms = 300.0 + 17 * k, .edge = edge});
  for (int h = 0; h < 2; ++h) {
    b.events.push_back({.type = QoeType::kHeartbeat,
                        .at_us = t0 + 1'000'000 * h + 100'000,
                        .edge = edge,
                        .bitrate = k % 4 ? 3'000'000 : 6'000'000,
                        .latency_ms = 2000 + 31 * k,
                        .rendition = k % 4 ? "720p" : "1080p",
                        .codec = "avc",
                        .played_ms = 900 + k,
                        .stalled_ms = k % 7 ? 0 : 100,
                        .top = k % 4 ? 0 : 1});
  }
  if (k % 6 == 0) {
    b.events.push_back({.type = QoeType::kError, .at_us = t0, .edge = edge, .kind = "fetch"});
  }
  if (k % 8 == 0) {
    b.events.push_back({.type = QoeType::kEnd, .at_us = t0 + 1'500'000, .fatal = 0, .started = 1});
  }
  return b;
}

json Seconds(const MetricsProcess& m, int64_t from, int64_t to) {
  const net::Response r =
      Get(m.url(), "/v1/metrics/final?from=" + std::to_string(from) + "&to=" + std::to_string(to));
  if (r.status != 200) return json();
  json seconds = json::parse(r.body)["seconds"];
  for (json& s : seconds) s.erase("final");  // closing times may differ by a tick
  return seconds;
}

TEST(MetricsNats, TwoCollectorsAndAnAggregatorGiveTheFiguresOfOneProcess) {
  const std::string dir = TempDir("metrics-nats");
  NatsServer nats(dir);
  ASSERT_TRUE(nats.bound()) << ReadFile(dir + "/nats-" + std::to_string(nats.port()) + ".log");
  MetricsProcess one(dir);
  MetricsProcess a(dir, {"--nats", nats.url(), "--role", "collector"});
  MetricsProcess b(dir, {"--nats", nats.url(), "--role", "collector"});
  MetricsProcess aggregator(dir, {"--nats", nats.url(), "--role", "aggregator"});
  for (const MetricsProcess* m : {&one, &a, &b, &aggregator}) ASSERT_GT(m->port(), 0) << m->log();
  ASSERT_GE(
      WaitFor(10,
              [&] {
                return Metric(Get(aggregator.url(), "/metrics").body,
                              "onair_metrics_nats_connected") == 1 &&
                       Metric(Get(a.url(), "/metrics").body, "onair_metrics_nats_connected") == 1 &&
                       Metric(Get(b.url(), "/metrics").body, "onair_metrics_nats_connected") == 1;
              }),
      0);

  const UtcMicros now = SystemClock::Instance().Now();
  for (int k = 0; k < 60; ++k) {
    const QoeBatch batch = Session(k, now);
    ASSERT_EQ(Post(one, batch), 202);
    // Each collector gets half the sessions, and a session's later batch may go to the
    // other collector (as a load balancer would send it): its heartbeats are split too.
    QoeBatch first = batch, second = batch;
    first.events.resize(2);
    second.events.erase(second.events.begin(), second.events.begin() + 2);
    ASSERT_EQ(Post(k % 2 ? a : b, first), 202);
    ASSERT_EQ(Post(k % 3 ? b : a, second), 202);
  }
  EXPECT_EQ(Get(a.url(), "/v1/metrics/final").status, 404);  // a collector answers no figures

  const int64_t to = now / 1'000'000 + 2, from = to - 8;
  const json expected = Seconds(one, from, to);
  ASSERT_GE(expected.size(), 6u) << expected.dump();  // the sessions' 5 seconds and after
  json merged;
  EXPECT_GE(WaitFor(10, [&] { return (merged = Seconds(aggregator, from, to)) == expected; }), 0)
      << "aggregator: " << merged.dump() << "\none process: " << expected.dump();
  EXPECT_EQ(expected[4]["starts"], 12);
  const std::string scrape = Get(aggregator.url(), "/metrics").body;
  EXPECT_EQ(
      Metric(scrape, "onair_metrics_events_total{result=\"accepted\"}"),
      Metric(Get(one.url(), "/metrics").body, "onair_metrics_events_total{result=\"accepted\"}"));
  EXPECT_GE(Metric(scrape, "onair_metrics_parts_total{result=\"received\"}"), 2);
  EXPECT_EQ(Metric(scrape, "onair_metrics_parts_total{result=\"refused\"}"), 0);
  EXPECT_GE(Metric(Get(a.url(), "/metrics").body, "onair_metrics_parts_total{result=\"sent\"}"), 1);
  // The aggregator's control center has the merged viewers.
  const json overview = json::parse(Get(aggregator.url(), "/v1/overview/final").body);
  EXPECT_EQ(overview["span"]["total"]["concurrent_viewers"],
            json::parse(
                Get(one.url(), "/v1/overview/final").body)["span"]["total"]["concurrent_viewers"]);
  for (MetricsProcess* m : {&one, &a, &b, &aggregator}) {
    EXPECT_EQ(m->process().Wait(0), -1) << m->log();
  }
}

TEST(MetricsNats, WithoutNatsCollectorsKeepTakingEventsAndDropTheOldestPartsPastTheirBuffer) {
  const std::string dir = TempDir("metrics-nats-away");
  const int port = FreeTcpPort();
  const std::string url = "nats://127.0.0.1:" + std::to_string(port);
  // NATS is not there yet: both start, the collector takes every batch at once.
  MetricsProcess collector(dir, {"--nats", url, "--role", "collector", "--nats-buffer", "8192"});
  MetricsProcess aggregator(dir, {"--nats", url, "--role", "aggregator"});
  ASSERT_GT(collector.port(), 0) << collector.log();
  ASSERT_GT(aggregator.port(), 0) << aggregator.log();
  int64_t posted = 0;
  for (int round = 0; round < 4; ++round) {
    const UtcMicros now = SystemClock::Instance().Now();
    const auto start = steady_clock::now();
    for (int k = 0; k < 40; ++k) {
      const QoeBatch batch = Session(100 * round + k, now);
      ASSERT_EQ(Post(collector, batch), 202);
      posted += static_cast<int64_t>(batch.events.size());
    }
    EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a publish interval
  }
  std::string scrape = Get(collector.url(), "/metrics").body;
  EXPECT_EQ(Metric(scrape, "onair_metrics_nats_connected"), 0);
  EXPECT_LE(Metric(scrape, "onair_metrics_parts_waiting_bytes"), 8192);
  EXPECT_GT(Metric(scrape, "onair_metrics_parts_total{result=\"dropped\"}"), 0) << scrape;
  EXPECT_EQ(Metric(scrape, "onair_metrics_events_total{result=\"accepted\"}"), posted);

  // NATS comes: what waited, and what comes next, reaches the aggregator.
  NatsServer nats(dir, port);
  ASSERT_TRUE(nats.bound());
  ASSERT_GE(WaitFor(10,
                    [&] {
                      return Metric(Get(collector.url(), "/metrics").body,
                                    "onair_metrics_nats_connected") == 1 &&
                             Metric(Get(aggregator.url(), "/metrics").body,
                                    "onair_metrics_nats_connected") == 1;
                    }),
            0);
  const UtcMicros now = SystemClock::Instance().Now();
  ASSERT_EQ(Post(collector, Session(1000, now)), 202);
  EXPECT_GE(
      WaitFor(10,
              [&] {
                const net::Response r = Get(aggregator.url(), "/v1/overview/final");
                return r.status == 200 &&
                       json::parse(r.body)["span"]["total"]["concurrent_viewers"].get<int64_t>() >=
                           1;
              }),
      0)
      << aggregator.log();
  scrape = Get(collector.url(), "/metrics").body;
  EXPECT_GE(Metric(scrape, "onair_metrics_parts_total{result=\"sent\"}"), 1);
  EXPECT_EQ(collector.process().Wait(0), -1) << collector.log();
  EXPECT_EQ(aggregator.process().Wait(0), -1) << aggregator.log();
}

}  // namespace
}  // namespace onair::test
