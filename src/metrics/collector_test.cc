#include "metrics/collector.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace onair::metrics {
namespace {

using contract::QoeBatch;
using contract::QoeEvent;
using contract::QoeType;

constexpr UtcMicros kT0 = 1'795'000'000'000'000;  // a whole second
constexpr int64_t kS0 = kT0 / 1'000'000;

UtcMicros At(double s) { return kT0 + static_cast<UtcMicros>(s * 1e6); }

QoeBatch Batch(const std::string& session, std::vector<QoeEvent> events,
               const std::string& region = "eu", const std::string& device = "tv") {
  return {.session = session,
          .event = "final",
          .device_type = device,
          .region = region,
          .events = std::move(events)};
}

QoeEvent Beat(double at, const std::string& edge, int64_t played_ms = 10'000) {
  return {.type = QoeType::kHeartbeat,
          .at_us = At(at),
          .edge = edge,
          .bitrate = 3'000'000,
          .latency_ms = 3000,
          .rendition = "720p",
          .codec = "avc",
          .played_ms = played_ms,
          .stalled_ms = 0,
          .top = 1};
}

QoeEvent Start(double at, double ttff_ms, const std::string& edge) {
  return {.type = QoeType::kStart, .at_us = At(at), .ttff_ms = ttff_ms, .edge = edge};
}

TEST(Collector, ASpanMergesItsSecondsAndCountsTheViewersOfItsLast) {
  Collector c;
  c.Add(Batch("a", {Start(0.1, 800, "edge-1"), Beat(0.5, "edge-1")}), At(5));
  c.Add(Batch("b", {Start(2.2, 1200, "edge-2"), Beat(2.6, "edge-2")}), At(5));
  QoeEvent error{.type = QoeType::kError, .at_us = At(3), .edge = "edge-2", .kind = "fetch"};
  c.Add(Batch("b", {error}), At(5));
  const SecondNumbers span = c.Span("final", kS0, kS0 + 3);
  EXPECT_EQ(span.second, kS0 + 3);
  EXPECT_EQ(span.total.starts, 2u);
  EXPECT_EQ(span.total.heartbeats, 2u);
  EXPECT_EQ(span.total.errors, 1u);
  EXPECT_EQ(span.total.concurrent_viewers, 2u);  // both beat within 15 s of its last second
  EXPECT_NEAR(span.total.vst_p50, 800, 8);       // both starts are in its sketch
  EXPECT_EQ(span.by[0].at("edge-2").errors, 1u);
  EXPECT_EQ(span.by[0].at("edge-1").starts, 1u);
  EXPECT_EQ(span.errors_by_kind.at("fetch"), 1u);
  // A span of one second is that second.
  EXPECT_EQ(c.Span("final", kS0 + 2, kS0 + 2).total.starts, 1u);
  EXPECT_EQ(c.Span("nothing", kS0, kS0 + 3).total.starts, 0u);
}

TEST(Collector, SlicesASecondByEdgeRegionDeviceRenditionAndCodec) {
  Collector c;
  c.Add(Batch("a", {Start(0.1, 800, "edge-1"), Beat(0.5, "edge-1")}), At(1));
  c.Add(Batch("b", {Start(0.2, 1200, "edge-2"), Beat(0.6, "edge-2")}, "us", "phone"), At(1));
  const auto series = c.Series("final", kS0, kS0);
  ASSERT_EQ(series.size(), 1u);
  const SecondNumbers& n = series[0];
  EXPECT_FALSE(n.final);
  EXPECT_EQ(n.total.starts, 2u);
  EXPECT_EQ(n.total.concurrent_viewers, 2u);
  EXPECT_NEAR(n.total.vst_p50, 800, 8);
  EXPECT_EQ(n.by[0].at("edge-1").starts, 1u);
  EXPECT_EQ(n.by[0].at("edge-2").concurrent_viewers, 1u);
  EXPECT_EQ(n.by[1].at("us").starts, 1u);
  EXPECT_EQ(n.by[2].at("tv").concurrent_viewers, 1u);
  EXPECT_EQ(n.by[3].at("720p").concurrent_viewers, 2u);
  EXPECT_DOUBLE_EQ(n.by[4].at("avc").avg_bitrate, 3e6);
  EXPECT_DOUBLE_EQ(n.total.top_share, 1);
}

TEST(Collector, ConcurrentViewersAreSessionsWithAHeartbeatInTheLastFifteenSeconds) {
  Collector c;
  for (int i = 0; i < 100; ++i) c.Add(Batch("s" + std::to_string(i), {Beat(i % 10, "e")}), At(10));
  c.Add(Batch("late-comer", {Beat(20, "e")}), At(21));
  const auto series = c.Series("final", kS0, kS0 + 30);
  for (const SecondNumbers& n : series) {
    const int64_t s = n.second - kS0;
    const uint64_t want = (s >= 9 && s <= 14 ? 100
                           : s < 9           ? 10 * (s + 1)
                                             : 100 - 10 * (s - 14)) +
                          (s >= 20 ? 1 : 0);
    EXPECT_EQ(n.total.concurrent_viewers, want) << "second " << s;
  }
}

TEST(Collector, EventsTooLateOrTooEarlyAreCountedAndDropped) {
  Collector c({.late_s = 30, .early_s = 5});
  const Ingested in = c.Add(Batch("a", {Beat(0, "e"), Beat(-31, "e"), Beat(6, "e")}), At(0));
  EXPECT_EQ(in.accepted, 1u);
  EXPECT_EQ(in.late, 1u);
  EXPECT_EQ(in.early, 1u);
  c.Close(At(45));  // second 0 closes at 31 s
  const Ingested again = c.Add(Batch("b", {Beat(10, "e")}), At(45));
  EXPECT_EQ(again.late, 1u) << "a closed second is final";
  const auto series = c.Series("final", kS0, kS0);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_TRUE(series[0].final);
  EXPECT_EQ(series[0].total.concurrent_viewers, 1u);
}

TEST(Collector, ClosedSecondsKeepTheirNumbersAndForgetTheirSketches) {
  Collector c({.keep_s = 600, .keep_breakdowns_s = 120});
  for (int s = 0; s < 60; ++s) c.Add(Batch("a", {Beat(s, "e")}), At(s));
  c.Close(At(100));  // seconds before 70 are out of reach
  EXPECT_EQ(c.open_seconds(), 5u) << "55 to 59: the viewers of seconds 70 to 73";
  c.Close(At(110));
  EXPECT_EQ(c.open_seconds(), 0u) << "past the window of the last second to close";
  auto series = c.Series("final", kS0, kS0 + 200);
  ASSERT_EQ(series.size(), 74u) << "60 seconds and the viewer window after them";
  EXPECT_EQ(series[30].total.concurrent_viewers, 1u);
  EXPECT_EQ(series[70].total.concurrent_viewers, 1u) << "its last heartbeat 11 s before";
  EXPECT_EQ(series[30].by[0].at("e").concurrent_viewers, 1u);
  c.Close(At(200));
  series = c.Series("final", kS0, kS0 + 200);
  EXPECT_TRUE(series[30].by[0].empty()) << "breakdowns kept for 120 s";
  EXPECT_EQ(series[30].total.concurrent_viewers, 1u);
  c.Close(At(700));
  EXPECT_TRUE(c.Events().empty()) << "forgotten once past keeping";
}

TEST(Collector, AFloodOfDistinctValuesIsCappedAsOther) {
  Collector c({.values_per_dimension = 8, .error_kinds = 4, .max_events = 2});
  for (int i = 0; i < 1000; ++i) {
    QoeEvent err{.type = QoeType::kError, .at_us = At(1), .kind = "k" + std::to_string(i)};
    c.Add(Batch("s", {Beat(1, "edge-" + std::to_string(i)), err}, "r" + std::to_string(i),
                "d" + std::to_string(i)),
          At(1));
  }
  const SecondNumbers n = c.Series("final", kS0 + 1, kS0 + 1).at(0);
  EXPECT_EQ(n.by[0].size(), 9u);
  EXPECT_EQ(n.by[0].at("other").concurrent_viewers, 1u);
  EXPECT_EQ(n.by[1].size(), 9u);
  EXPECT_EQ(n.errors_by_kind.size(), 5u);
  EXPECT_EQ(n.errors_by_kind.at("other"), 996u);
  EXPECT_EQ(n.total.errors, 1000u);
  QoeBatch other = Batch("s", {Beat(1, "e")});
  other.event = "second";
  EXPECT_FALSE(c.Add(other, At(1)).refused);
  other.event = "third";
  EXPECT_TRUE(c.Add(other, At(1)).refused);
}

}  // namespace
}  // namespace onair::metrics

namespace onair::metrics {
namespace {

// Every second of the series as JSON, to compare two collectors' figures whole.
nlohmann::json SeriesJson(const Collector& c) {
  nlohmann::json out = nlohmann::json::array();
  for (const SecondNumbers& s : c.Series("final", kS0 - 60, kS0 + 60)) {
    nlohmann::json j = {{"second", s.second}, {"total", s.total}, {"errors", s.errors_by_kind}};
    for (int d = 0; d < kDimensions; ++d) {
      for (const auto& [name, n] : s.by[static_cast<size_t>(d)]) {
        j[DimensionName(static_cast<Dimension>(d))][name] = n;
      }
    }
    out.push_back(std::move(j));
  }
  return out;
}

TEST(Collector, TwoCollectorsDrainedIntoAThirdEqualOneThatSawEverything) {
  std::vector<QoeBatch> batches;
  for (int k = 0; k < 40; ++k) {
    const std::string session = "s" + std::to_string(k);
    const std::string edge = "edge-" + std::to_string(k % 3);
    QoeEvent error{.type = QoeType::kError, .at_us = At(k % 7), .edge = edge, .kind = "fetch"};
    QoeEvent end{.type = QoeType::kEnd,
                 .at_us = At(k % 9 + 0.5),
                 .fatal = k % 4 == 0 ? 1 : 0,
                 .started = k % 5 == 0 ? 0 : 1};
    batches.push_back(Batch(session,
                            {Start(k % 5, 300 + 37 * k, edge), Beat(k % 5 + 1, edge, 900 + k),
                             Beat(k % 5 + 3, edge, 1000), error, end},
                            k % 2 ? "eu" : "us", k % 3 ? "tv" : "phone"));
  }
  Collector one, a, b, aggregator;
  for (size_t k = 0; k < batches.size(); ++k) {
    one.Add(batches[k], At(10));
    (k % 3 ? a : b).Add(batches[k], At(10));
    // A collector drains every so often: the same second reaches the aggregator in pieces.
    if (k % 11 == 10) {
      for (const std::string& part : a.Drain(2000)) {
        auto absorbed = aggregator.Absorb(part, At(10));
        ASSERT_TRUE(absorbed.ok()) << absorbed.status().message();
      }
    }
  }
  size_t parts = 0;
  for (Collector* c : {&a, &b}) {
    for (const std::string& part : c->Drain(2000)) {
      auto absorbed = aggregator.Absorb(part, At(10));
      ASSERT_TRUE(absorbed.ok()) << absorbed.status().message();
      EXPECT_FALSE(absorbed->late || absorbed->early || absorbed->refused);
      ++parts;
    }
  }
  EXPECT_GT(parts, 2u);          // split at 2000 bytes
  EXPECT_FALSE(a.Has("final"));  // drained empty
  EXPECT_EQ(SeriesJson(aggregator), SeriesJson(one));
  EXPECT_EQ(SeriesJson(one).size(), 9u);  // seconds 0 to 8
}

TEST(Collector, APartItCannotReadWholeChangesNothing) {
  Collector a, aggregator;
  a.Add(Batch("s", {Start(1, 500, "edge-1"), Beat(2, "edge-1")}), At(5));
  const std::vector<std::string> parts = a.Drain(1 << 20);
  ASSERT_EQ(parts.size(), 1u);
  for (size_t cut = 0; cut < parts[0].size(); ++cut) {
    EXPECT_FALSE(aggregator.Absorb(parts[0].substr(0, cut), At(5)).ok()) << cut;
  }
  std::string flipped = parts[0];
  flipped[0] = 'X';
  EXPECT_FALSE(aggregator.Absorb(flipped, At(5)).ok());
  EXPECT_FALSE(aggregator.Has("final"));
  // Too late for the aggregator's clock: counted, not kept.
  auto late = aggregator.Absorb(parts[0], At(500));
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->late);
  auto absorbed = aggregator.Absorb(parts[0], At(5));
  ASSERT_TRUE(absorbed.ok());
  EXPECT_EQ(absorbed->events, 2u);
  EXPECT_EQ(aggregator.Span("final", kS0, kS0 + 2).total.starts, 1u);
}

}  // namespace
}  // namespace onair::metrics
