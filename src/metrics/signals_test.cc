#include "metrics/signals.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace onair::metrics {
namespace {

constexpr UtcMicros kT0 = 1'795'000'000'000'000;
constexpr int64_t kS0 = kT0 / 1'000'000;
UtcMicros At(int64_t s) { return kT0 + s * 1'000'000; }

Counters EdgeScrape(double hit, double miss, double refused, double upstream_errors) {
  return CountersOf(ParsePromText("onair_edge_requests_total{cache=\"hit\"} " +
                                  std::to_string(hit) +
                                  "\n"
                                  "onair_edge_requests_total{cache=\"miss\"} " +
                                  std::to_string(miss) +
                                  "\n"
                                  "onair_edge_requests_total{cache=\"collapsed\"} 0\n"
                                  "onair_edge_refused_total{reason=\"not-yet\"} " +
                                  std::to_string(refused) +
                                  "\n"
                                  "onair_edge_admin_refused_total 50\n"
                                  "onair_edge_shed_total{priority=\"live\"} 1\n"
                                  "onair_edge_prefetches_shed_total 40\n"
                                  "onair_edge_upstream_errors_total " +
                                  std::to_string(upstream_errors) + "\n"));
}

TEST(Signals, ReadsEachServicesCounters) {
  const Counters edge = EdgeScrape(90, 10, 3, 2);
  EXPECT_EQ(edge.served, 100);
  EXPECT_EQ(edge.hits, 90);
  EXPECT_DOUBLE_EQ(edge.hit_ratio(), 0.9);
  EXPECT_EQ(edge.refused, 3);  // not the admin API's refusals
  EXPECT_EQ(edge.shed, 1);     // not the prefetches it let go
  EXPECT_EQ(edge.upstream_errors, 2);
  const Counters origin = CountersOf(ParsePromText(
      "onair_origin_candidate_choices_total{pipeline=\"A\",reason=\"preferred\"} 500\n"
      "onair_origin_candidate_choices_total{pipeline=\"B\",reason=\"fallback\"} 4\n"
      "onair_origin_candidate_choices_total{pipeline=\"B\",reason=\"better-defective\"} 1\n"
      "onair_origin_candidate_choices_total{pipeline=\"B\",reason=\"streaming\"} 9\n"
      "onair_origin_defective_writes_total 2\n"
      "onair_origin_shed_total{priority=\"catch-up\"} 7\n"
      "onair_origin_reads_total{code=\"200\"} NaN\n"));
  EXPECT_EQ(origin.origin_switches, 5);
  EXPECT_EQ(origin.defects, 2);
  EXPECT_EQ(origin.shed, 7);
  const nlohmann::json j = origin;
  EXPECT_EQ(j["origin_switches"], 5);
  EXPECT_EQ(j["hit_ratio"], 0);
}

TEST(Signals, CountersBecomePerSecondIncreasesAndDownTimeIsKept) {
  Signals s;
  s.Record("edge-a", At(0), EdgeScrape(100, 10, 0, 0));  // where counting starts
  s.Record("edge-a", At(1), EdgeScrape(130, 20, 1, 0));
  s.Record("edge-b", At(1), EdgeScrape(5, 5, 0, 0));
  s.Record("edge-b", At(2), EdgeScrape(15, 5, 0, 0));
  const Signals::Span w = s.Window(kS0, kS0 + 2);
  EXPECT_EQ(w.total.served, 50);
  EXPECT_EQ(w.total.hits, 40);
  EXPECT_EQ(w.by_target.at("edge-a").refused, 1);
  EXPECT_EQ(w.by_target.at("edge-b").served, 10);
  const auto series = s.Series(kS0, kS0 + 2);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].second.served, 40);
  // A restart sends its counters back: they count from zero, never negative.
  s.Record("edge-a", At(3), EdgeScrape(4, 1, 0, 0));
  EXPECT_EQ(s.Window(kS0 + 3, kS0 + 3).total.served, 5);
  // A target that stops answering is down from then; its first answer after that only sets
  // where counting starts again.
  s.Record("edge-a", At(5), std::nullopt);
  EXPECT_FALSE(s.targets().at("edge-a").up);
  EXPECT_EQ(s.targets().at("edge-a").since, At(5));
  s.Record("edge-a", At(8), EdgeScrape(1000, 0, 0, 0));
  EXPECT_TRUE(s.targets().at("edge-a").up);
  EXPECT_EQ(s.Window(kS0 + 8, kS0 + 8).total.served, 0);
  s.Forget("edge-b");
  EXPECT_EQ(s.targets().count("edge-b"), 0u);
  EXPECT_EQ(s.Window(kS0, kS0 + 8).by_target.count("edge-b"), 0u);
}

TEST(Signals, KeepsOnlyItsWindow) {
  Signals s(10);
  s.Record("o", At(0), Counters{});
  s.Record("o", At(1), Counters{.served = 1});
  s.Record("o", At(20), Counters{.served = 2});
  EXPECT_TRUE(s.Series(kS0, kS0 + 5).empty());
  EXPECT_EQ(s.Series(kS0, kS0 + 20).size(), 1u);
}

}  // namespace
}  // namespace onair::metrics
